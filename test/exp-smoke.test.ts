/**
 * One smoke test per experiment: --quick on a small subset of its points (overrides / maxPoints),
 * real simulations, checking that rows, summaries, plots and the manifest come out.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { parseCsv } from '../experiments/lib/csv.js';
import { getExperiment } from '../experiments/registry.js';
import { runExperiment, type RunOptions } from '../experiments/runner.js';

const out = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-exp-smoke-'));
test.after.always(() => fs.rmSync(out, { recursive: true, force: true }));

async function smoke(name: string, o: Partial<RunOptions>) {
  const r = await runExperiment({ def: getExperiment(name), outDir: out, quick: true, seeds: 1, jobs: 1, progress: 'none', log: () => {}, ...o });
  const rows = parseCsv(fs.readFileSync(path.join(r.runDir, 'points.csv'), 'utf8'));
  const header = rows[0];
  const records = rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
  const manifest = JSON.parse(fs.readFileSync(path.join(r.runDir, 'manifest.json'), 'utf8'));
  const summary = parseCsv(fs.readFileSync(path.join(r.runDir, 'summary.csv'), 'utf8'));
  return { r, records, manifest, summary };
}

const num = (s: string | undefined) => (s === undefined || s === '' ? NaN : Number(s));

test('latency --quick: a solo benchmark and the 8-workflow co-run', async (t) => {
  const { records, manifest } = await smoke('latency', { overrides: { mode: ['faasflow'], benchmark: ['wordcount', 'corun'] } });
  t.is(records.filter((r) => r.benchmark === 'wordcount').length, 1);
  t.is(records.filter((r) => r.benchmark === 'corun').length, 8, 'co-run: one row per workflow');
  t.true(records.every((r) => r.bandwidth === '50' && r.mode === 'faasflow'));
  const wc = records.find((r) => r.benchmark === 'wordcount')!;
  t.true(num(wc['e2e.mean']) > 0 && num(wc['e2e.p99']) >= num(wc['e2e.mean']) - 1e-9);
  t.true(manifest.plots.some((p: { name: string }) => p.name === 'e2e-corun'));
});

test('tail --quick: p99 (AE max) against rpm', async (t) => {
  const { records, manifest } = await smoke('tail', { overrides: { part: ['grid'], benchmark: ['video'], bandwidth: [50], rpm: [8, 16] }, maxPoints: 4 });
  t.deepEqual(records.map((r) => r.rpm), ['8', '16', '8', '16']);
  for (const r of records) {
    t.true(num(r['e2e.max']) >= num(r['e2e.p99']) - 1e-9);
    // 2 prewarm requests, then 40 s (quick): request k goes at exactly k x 60/rpm, so ceil(40 rpm/60) are measured
    t.is(num(r['e2e.count']), Math.ceil((40 * num(r.rpm)) / 60 - 1e-9));
  }
  t.true(manifest.plots.some((p: { name: string }) => p.name === 'p99-vs-rpm'));
});

test('throughput --quick: closed-loop clients, throughput > 0', async (t) => {
  const { records, summary } = await smoke('throughput', { overrides: { benchmark: ['df-wordcount'], mode: ['dataflower'], clients: [1, 2] } });
  t.is(records.length, 2);
  const [one, two] = records.map((r) => num(r.throughputRps));
  t.true(one > 0 && two > one, `1 client ${one}/s, 2 clients ${two}/s`);
  t.true(summary[0].includes('throughputRps.mean'));
});

test('colocation --quick: four workflows together', async (t) => {
  const { records } = await smoke('colocation', { overrides: { rates: ['low'], mode: ['faasflow'] } });
  t.deepEqual(
    records.map((r) => r.workflow),
    ['df-video', 'df-wordcount', 'df-recognizer', 'df-svd'],
  );
  t.true(records.every((r) => num(r['e2e.count']) > 0));
});

test('overhead --quick: scheduling and data overhead', async (t) => {
  const { records } = await smoke('overhead', { overrides: { benchmark: ['wordcount'], mode: ['hyperflow', 'faasflow'] } });
  t.is(records.length, 2);
  for (const r of records) {
    t.true(num(r['schedulingOverhead.mean']) >= 0);
    t.true(num(r['dataOverhead.mean']) > 0);
  }
});

test('scalability --quick: grouping cost and wordcount fan-out', async (t) => {
  const { r, records } = await smoke('scalability', { overrides: { part: ['grouping', 'fanout'], size: [8], mode: ['faasflow'] } });
  const g = records.find((x) => x.part === 'grouping')!;
  t.is(g.workflow, 'genome-8');
  t.true(num(g.groups) >= 1 && num(g.groups) <= 8);
  t.is(g.events, '0');
  const f = records.find((x) => x.part === 'fanout')!;
  t.true(num(f['e2e.mean']) > 0);
  // wall time of the grouping is in timing.csv, never in points.csv
  const timing = fs.readFileSync(path.join(r.runDir, 'timing.csv'), 'utf8');
  t.regex(timing.split('\n')[0], /groupingWallSeconds/);
  t.false(fs.readFileSync(path.join(r.runDir, 'points.csv'), 'utf8').includes('groupingWallSeconds'));
});

test('dataflower-extras --quick: bursty phases and pressure-aware release', async (t) => {
  const { records } = await smoke('dataflower-extras', { overrides: { part: ['bursty', 'pressure'], mode: ['dataflower'] }, maxPoints: 3 });
  const bursty = records.filter((r) => r.part === 'bursty');
  // one workload in two rate phases (10 rpm for 60 s, then 100 rpm for 60 s): the burst is measured
  t.deepEqual(
    bursty.map((r) => r.workflow),
    ['df-wordcount'],
  );
  t.deepEqual(
    bursty.map((r) => num(r['e2e.count'])),
    [100],
  );
  const pressure = records.filter((r) => r.part === 'pressure');
  t.deepEqual(
    pressure.map((r) => [r.setting, r.clients]),
    [
      ['on', '1'],
      ['on', '8'],
    ],
  );
  t.true(pressure.every((r) => num(r.throughputRps) > 0));
});

test('scheduler --quick: four workflows per queue policy; deadline-miss rates are fractions, overload misses more', async (t) => {
  const { records, manifest } = await smoke('scheduler', { overrides: { queue: ['fifo', 'sjf'] } });
  t.is(records.length, 2 * 2 * 4, 'load 8 and 16 x 2 policies x 4 workflows');
  for (const r of records) {
    const m = num(r.deadlineMissRate);
    t.true(m >= 0 && m <= 1, `${r.workflow}: ${r.deadlineMissRate}`);
    t.true(num(r['cost.usdPerRequest']) > 0);
  }
  const misses = (load: string) => records.filter((r) => r.load === load).reduce((s, r) => s + num(r.deadlineMissRate), 0);
  t.true(misses('16') > misses('8'), `misses at x8 ${misses('8')}, at x16 ${misses('16')}`);
  t.true(manifest.plots.some((p: { name: string }) => p.name === 'scheduler-misses'));
});

test('cost --quick: GB-s and USD per request for every mode; DataFlower bills less GB-s than hyperflow on wordcount', async (t) => {
  const { records, manifest } = await smoke('cost', { overrides: { benchmark: ['wordcount'] } });
  t.is(records.length, 3);
  const by = Object.fromEntries(records.map((r) => [r.mode, r]));
  for (const r of records) t.true(num(r['cost.gbSecondsPerRequest']) > 0 && num(r['cost.usdPerRequest']) > 0);
  t.true(num(by.dataflower['cost.gbSecondsPerRequest']) < num(by.hyperflow['cost.gbSecondsPerRequest']));
  t.true(manifest.plots.some((p: { name: string }) => p.name === 'cost-vs-latency'));
});
