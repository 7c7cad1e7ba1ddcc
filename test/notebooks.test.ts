/**
 * The notebooks in notebooks/ run (tslab's TypeScript kernel under Jupyter's nbconvert) over real
 * results and a hand-made fixture, and print what a hand computation gives; so they do not rot.
 * Skips with a message where Jupyter is missing (.ci/run installs jupyter-nbconvert as root).
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { cli } from '../experiments/cli.js';
import { jupyterCommand } from '../scripts/notebook.js';
import { makeTempDirs } from './helpers/files.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const jupyter = jupyterCommand();
const hasNbconvert = jupyter !== null && (await execa(jupyter, ['nbconvert', '--version'], { reject: false })).exitCode === 0;
const nbTest = hasNbconvert ? test.serial : test.skip;
if (!hasNbconvert) console.log('notebooks: skipped, Jupyter nbconvert is not installed (as root: apt-get install -y jupyter-nbconvert)');

const { tmpDir, removeAll } = makeTempDirs();
test.after.always(removeAll);

async function notebook(name: string, results: string) {
  const out = tmpDir('flowsim-nb-out-');
  const r = await execa('node', ['--import', 'tsx', 'scripts/notebook.ts', name, '--results', results, '--to', 'notebook', '--out', out, '--timeout', '300'], { cwd: ROOT, reject: false });
  const file = path.join(out, `${name}.ipynb`);
  const nb = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: Array<{ outputs?: Array<Record<string, unknown>> }> }) : null;
  const outputs = nb ? nb.cells.flatMap((c) => c.outputs ?? []) : [];
  const text = outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : typeof o.text === 'string' ? o.text : '')).join('');
  const html = outputs.map((o) => ((o.data as Record<string, string[] | string> | undefined)?.['text/html'] ?? '')).flat().join('');
  const pngs = outputs.filter((o) => (o.data as Record<string, unknown> | undefined)?.['image/png']).length;
  return { ...r, outputs, text, html, pngs };
}

function csv(file: string): Array<Record<string, string>> {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

nbTest('mode-comparison runs over a latency run and prints the speedups a hand computation gives', async (t) => {
  const results = tmpDir('flowsim-nb-res-');
  const code = await cli(['latency', '--quick', '--seeds', '1', '--benchmark', 'wordcount,genome', '--bandwidth', '50', '--out', results, '--progress', 'none', '--jobs', '2'], { out: () => {}, err: (s) => t.log(s) });
  t.is(code, 0);
  const r = await notebook('mode-comparison', results);
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.outputs.filter((o) => o.output_type === 'error').length, 0);
  t.notRegex(r.text, /Error|TypeError/);
  // the same figures from summary.csv by hand
  const run = fs.readdirSync(path.join(results, 'latency'))[0];
  const rows = csv(path.join(results, 'latency', run, 'summary.csv'));
  const mean = (wf: string, mode: string) => Number(rows.find((x) => x.workflow === wf && x.mode === mode)!['e2e.mean.mean']);
  const ratios = ['wordcount', 'genome'].map((wf) => mean(wf, 'faasflow') / mean(wf, 'dataflower'));
  const geo = Math.exp((Math.log(ratios[0]) + Math.log(ratios[1])) / 2);
  t.regex(r.text, new RegExp(`50 MB/s, 2 workflows: dataflower vs faasflow ${geo.toFixed(2)}x`));
  t.regex(r.text, new RegExp(`latency run ${run}: 6 points x 1 seeds`));
  t.regex(r.html, /<td>wordcount<\/td>/);
  t.is(r.pngs, 1);
});

nbTest('fidelity runs over a calibration report: per-set medians as computed by hand', async (t) => {
  const r = await notebook('fidelity', path.join(ROOT, 'test/fixtures/notebooks'));
  t.is(r.exitCode, 0, r.stderr);
  t.is(r.outputs.filter((o) => o.output_type === 'error').length, 0);
  // training |errors| 0.1, 0.3, 0.2, 0.05: median 0.15, max 0.3; loo: 0.5, 0.1: median 0.3, max 0.5
  t.regex(r.text, /training: 4 cells, median \|error\| 15\.0%, max 30\.0%/);
  t.regex(r.text, /loo-without-a: 2 cells, median \|error\| 30\.0%, max 50\.0%/);
  t.regex(r.text, /6 cells with a measured value/);
  t.is(r.pngs, 1);
});

nbTest('notebook errors: an unknown notebook, a results folder without runs, a missing folder', async (t) => {
  const bad = await execa('node', ['--import', 'tsx', 'scripts/notebook.ts', 'mode-comparisn'], { cwd: ROOT, reject: false });
  t.is(bad.exitCode, 2);
  t.regex(bad.stderr, /unknown notebook 'mode-comparisn'; valid: fidelity, mode-comparison/);
  const missing = await execa('node', ['--import', 'tsx', 'scripts/notebook.ts', 'fidelity', '--results', '/nonexistent/results'], { cwd: ROOT, reject: false });
  t.is(missing.exitCode, 2);
  t.regex(missing.stderr, /--results: no such folder/);
  const empty = await notebook('mode-comparison', tmpDir('flowsim-nb-empty-'));
  t.is(empty.exitCode, 1);
  t.regex(empty.stderr, /no finished run of 'latency' in .*; run one first, e\.g\. npm run exp -- latency --quick/);
});
