/**
 * The dashboard in a real browser (Debian's chromium, driven by puppeteer-core): start a small
 * experiment from the form, watch its progress bar reach done over SSE, open its page with the
 * plots rendered by vega-embed, take a screenshot, and compare two runs. Skips when chromium is missing.
 * Set FLOWSIM_KEEP_SCREENSHOTS=1 to keep the screenshots (their folder is logged).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import puppeteer, { type Browser } from 'puppeteer-core';
import { buildService, type Service } from '../service/server.js';
import { post, smallArgs, tempDirs, waitStatus } from '../service/testkit.js';

const CHROMIUM = '/usr/bin/chromium';
const dirs = tempDirs();
let svc: Service | undefined;
let browser: Browser | undefined;
test.after.always(async () => {
  await browser?.close();
  await svc?.close();
  dirs.cleanup();
});

const haveChromium = fs.existsSync(CHROMIUM);
const browserTest = haveChromium ? test : test.skip;
const title = `dashboard: start from the form, live progress to done, plots by vega-embed, screenshot, comparison${haveChromium ? '' : ` (skipped: no chromium at ${CHROMIUM}; apt-get install chromium)`}`;

browserTest(title, async (t) => {
  svc = buildService({ resultsDir: dirs.make('dash') });
  svc.manager.recover();
  const address = await svc.app.listen({ host: '127.0.0.1', port: 0 });
  browser = await puppeteer.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${address}/`);

  // the form: tail, quick, 1 seed, genome's rpm grid, the first 3 points inline
  await page.waitForSelector('#f-exp option[value="tail"]');
  await page.select('#f-exp', 'tail');
  await page.waitForSelector('#axis-part');
  await page.type('#axis-part', 'grid');
  await page.type('#axis-benchmark', 'genome');
  await page.$eval('#f-seeds', (el) => ((el as HTMLInputElement).value = '1'));
  t.true(await page.$eval('#f-quick', (el) => (el as HTMLInputElement).checked));
  await page.type('#f-extra', '{"max-points": 3, "jobs": 1}');
  await page.click('#f-submit');
  await page.waitForFunction(() => /started /.test(document.querySelector('#f-msg')?.textContent ?? ''), { timeout: 60_000 });
  const id = (await page.$eval('#f-msg', (el) => el.textContent!)).replace('started ', '');
  t.deepEqual(svc.store.get(id)!.args, { quick: true, seeds: 1, part: 'grid', benchmark: 'genome', 'max-points': 3, jobs: 1 });

  // its row and progress bar appear, then reach done live (SSE, no reload)
  await page.waitForSelector(`[data-bar="${id}"]`);
  const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-svc-shots-'));
  if (!process.env.FLOWSIM_KEEP_SCREENSHOTS) t.teardown(() => fs.rmSync(shots, { recursive: true, force: true }));
  await page.screenshot({ path: path.join(shots, 'runs.png'), fullPage: true });
  await page.waitForFunction((rid) => ['done', 'failed', 'cancelled', 'interrupted'].includes(document.querySelector(`[data-status="${rid}"]`)?.textContent ?? ''), { timeout: 90_000 }, id);
  t.is(await page.$eval(`[data-status="${id}"]`, (el) => el.textContent), 'done', svc.store.get(id)!.error ?? '');
  const bar = await page.$eval(`[data-bar="${id}"]`, (el) => ({ now: el.getAttribute('aria-valuenow'), max: el.getAttribute('aria-valuemax'), width: (el.firstElementChild as HTMLElement).style.width, cls: el.className }));
  t.deepEqual(bar, { now: '3', max: '3', width: '100%', cls: 'bar done' });

  // the run page: plots drawn in the page by vega-embed, the headline, summary.csv as a table
  await page.click(`a[href="#/run/${id}"]`);
  await page.waitForSelector('#plot-p99-vs-rpm svg', { timeout: 30_000 });
  const dom = await page.evaluate(() => ({
    marks: document.querySelectorAll('#plot-p99-vs-rpm svg .mark-symbol path, #plot-p99-vs-rpm svg .mark-line path, #plot-p99-vs-rpm svg .mark-rule line, #plot-p99-vs-rpm svg .mark-rule path').length,
    headline: document.querySelector('#headline')?.textContent ?? '',
    summaryRows: document.querySelectorAll('#results table tbody tr').length,
    status: document.querySelector('.status')?.textContent,
  }));
  t.true(dom.marks > 0, `plot marks: ${dom.marks}`);
  t.regex(dom.headline, /p99/);
  t.is(dom.summaryRows, 3);
  t.is(dom.status, 'done');
  const shot = path.join(shots, 'run.png');
  await page.screenshot({ path: shot, fullPage: true });
  const png = fs.readFileSync(shot);
  t.is(png.subarray(1, 4).toString(), 'PNG');
  t.true(png.length > 10_000, `screenshot ${png.length} B`);
  t.log(`screenshots in ${shots}`);

  // compare with a second run of the same experiment (started through the API)
  const second = await post(svc, '/api/experiments', { experiment: 'tail', args: { ...smallArgs(3), seeds: 2 } });
  t.is(second.status, 201);
  t.is((await waitStatus(svc, second.body.id)).status, 'done');
  await page.goto(`${address}/#/`);
  await page.waitForSelector(`.pick[value="${second.body.id}"]:not([disabled])`);
  await page.click(`.pick[value="${id}"]`);
  await page.click(`.pick[value="${second.body.id}"]`);
  await page.click('#compare');
  await page.waitForSelector('#cmp-chart svg', { timeout: 30_000 });
  await page.select('#metric', 'e2e.mean.mean');
  await page.waitForFunction(() => document.querySelector('#cmp-chart svg')?.textContent?.includes('e2e.mean.mean'));
  const cmp = await page.evaluate(() => ({
    head: [...document.querySelectorAll('#cmp-table th')].map((th) => th.textContent),
    rows: document.querySelectorAll('#cmp-table tbody tr').length,
    bars: document.querySelectorAll('#cmp-chart svg .mark-rect path').length,
    legend: document.querySelector('#cmp-chart svg')?.textContent ?? '',
  }));
  t.deepEqual(cmp.head.slice(1), [id, second.body.id]);
  t.is(cmp.rows, 3);
  t.is(cmp.bars, 6);
  t.true(cmp.legend.includes(id) && cmp.legend.includes(second.body.id));
  await page.screenshot({ path: path.join(shots, 'compare.png'), fullPage: true });
  t.deepEqual(errors, []);
});
