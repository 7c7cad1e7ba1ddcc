/**
 * User-defined sweeps (`npm run exp -- run spec.yaml`, experiments/spec.ts) and `--workflow` /
 * `--cluster` on the built-in experiments: end to end through the CLI, determinism across --jobs,
 * resume refusing a changed spec, and every error a spec can make (file, path and line named).
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { cli } from '../experiments/cli.js';
import { makeTempDirs } from './helpers/files.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { tmpDir, removeAll } = makeTempDirs();
test.after.always(removeAll);

async function exp(args: string[], out = tmpDir('flowsim-spec-out-')) {
  let stdout = '';
  let stderr = '';
  const exitCode = await cli([...args, '--out', out, '--progress', 'none'], { out: (s) => (stdout += s), err: (s) => (stderr += s) });
  return { exitCode, stdout, stderr, out };
}

/** A spec in its own folder, with a workflow file beside it (referenced relatively). */
function specDir(yaml: string): string {
  const dir = tmpDir('flowsim-spec-');
  fs.copyFileSync(path.join(ROOT, 'traces/fixtures/genome-50.wf15.json'), path.join(dir, 'mine.wf15.json'));
  fs.writeFileSync(path.join(dir, 'sweep.yaml'), yaml);
  return path.join(dir, 'sweep.yaml');
}

const GOOD = `name: my-sweep
workflows: [wordcount, mine.wf15.json]
modes: [hyperflow, faasflow]
seeds: 1
scenario: { cluster: faasflow-7w, rpm: 6, durationS: 30, warmupRequests: 1 }
axes:
  - name: bandwidth
    values: [25, 100]
  - name: chunk
    param: storage.chunkBytes
    values: [65536, 1048576]
metrics: [e2e.mean, e2e.count, timeouts]
plots:
  - { y: e2e.mean, x: bandwidth, color: mode, column: workflow }
headline:
  - { metric: e2e.mean, col: mode, rows: [workflow, bandwidth, chunk] }
`;

function csvRows(file: string): Array<Record<string, string>> {
  const [head, ...lines] = fs.readFileSync(file, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

test('a user-defined sweep runs end to end: its axes, its parameter axis, plots, headline and manifest', async (t) => {
  const spec = specDir(GOOD);
  const r = await exp(['run', spec, '--jobs', '2']);
  t.is(r.exitCode, 0, r.stderr);
  const runs = fs.readdirSync(path.join(r.out, 'my-sweep'));
  t.is(runs.length, 1);
  const dir = path.join(r.out, 'my-sweep', runs[0]);
  for (const f of ['points.csv', 'summary.csv', 'timing.csv', 'manifest.json', 'headline.txt', 'e2e-mean.svg', 'e2e-mean.png', 'e2e-mean.vl.json']) t.true(fs.existsSync(path.join(dir, f)), f);
  t.false(fs.existsSync(path.join(dir, 'INCOMPLETE')));
  const rows = csvRows(path.join(dir, 'points.csv'));
  t.is(rows.length, 2 * 2 * 2 * 2); // workflows x modes x bandwidth x chunk, 1 seed
  t.deepEqual([...new Set(rows.map((x) => x.workflow))].sort(), ['gen-genome-50-s7', 'wordcount']);
  // the parameter axis reaches the scenario: the two chunk sizes are two configurations
  const cfg = (chunk: string) => rows.find((x) => x.benchmark === 'wordcount' && x.mode === 'faasflow' && x.bandwidth === '25' && x.chunk === chunk)!.config;
  t.not(cfg('65536'), cfg('1048576'));
  // the bandwidth axis does too: hyperflow's wordcount moves every byte through the store, so 25 MB/s is slower than 100
  const e2e = (bw: string) => Number(rows.find((x) => x.benchmark === 'wordcount' && x.mode === 'hyperflow' && x.bandwidth === bw && x.chunk === '65536')!['e2e.mean']);
  t.true(e2e('25') > e2e('100'), `${e2e('25')} vs ${e2e('100')}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  t.is(manifest.experiment, 'my-sweep');
  t.regex(manifest.source, /user-defined sweep .*sweep\.yaml/);
  t.deepEqual(manifest.axes, ['benchmark', 'mode', 'bandwidth', 'chunk']);
  t.regex(r.stdout, /e2e mean \(s\)/);
  t.regex(fs.readFileSync(path.join(dir, 'e2e-mean.vl.json'), 'utf8'), /bandwidth \(MB\/s\)/);
});

test('a user-defined sweep is byte-identical for --jobs 1 and 2, and resume refuses a changed spec', async (t) => {
  const spec = specDir(GOOD.replace('values: [25, 100]', 'values: [50]').replace('values: [65536, 1048576]', 'values: [262144]'));
  const a = await exp(['run', spec, '--jobs', '1', '--run-id', 'a']);
  const b = await exp(['run', spec, '--jobs', '2', '--run-id', 'a']);
  t.is(a.exitCode, 0, a.stderr);
  t.is(b.exitCode, 0, b.stderr);
  for (const f of ['points.csv', 'summary.csv', 'headline.txt'])
    t.is(fs.readFileSync(path.join(a.out, 'my-sweep/a', f), 'utf8'), fs.readFileSync(path.join(b.out, 'my-sweep/a', f), 'utf8'), f);
  // the same folder, the spec edited: --resume says so instead of mixing results
  fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace('durationS: 30', 'durationS: 31'));
  const c = await exp(['run', spec, '--resume', '--run-id', 'a'], a.out);
  t.is(c.exitCode, 2);
  t.regex(c.stderr, /--resume: run a was started with different arguments \(the spec file changed\)/);
});

const bad: Array<[string, string, RegExp]> = [
  ['unknown axis', GOOD.replace('name: chunk\n    param: storage.chunkBytes', 'name: chunk'), /sweep\.yaml: axes\[1\]\.name: unknown axis 'chunk': use one of .*rpm.*, or give 'param: <parameter path>' \(e\.g\. storage\.chunkBytes\) \(line 9\)/],
  ['bad parameter value', GOOD.replace('values: [65536, 1048576]', 'values: [65536, -1]'), /sweep\.yaml: axes\[1\]\.values\[1\]: storage\.chunkBytes = -1: .* \(line 11\)/],
  ['unknown parameter', GOOD.replace('storage.chunkBytes', 'storage.chunkBites'), /sweep\.yaml: axes\[1\]\.values\[0\]: storage\.chunkBites = 65536: .*chunkBites/],
  ['unknown workflow', GOOD.replace('[wordcount, mine', '[wordcont, mine'), /sweep\.yaml: workflows\[0\]: unknown workflow 'wordcont'; did you mean 'wordcount'\?.*\(line 2\)/],
  ['missing workflow file', GOOD.replace('mine.wf15.json', 'gone.json'), /sweep\.yaml: workflows\[1\]: .*gone\.json: no such file \(line 2\)/],
  ['workflow twice', GOOD.replace('[wordcount, mine.wf15.json]', '[wordcount, wordcount]'), /workflows\[1\]: workflow 'wordcount' is listed twice/],
  ['axis twice', GOOD.replace('name: chunk\n    param: storage.chunkBytes', 'name: bandwidth'), /axes\[1\]\.name: axis 'bandwidth' is listed twice \(line 9\)/],
  ['mode as axis', GOOD.replace('name: chunk\n    param: storage.chunkBytes', 'name: mode'), /axes\[1\]\.name: 'mode' is set by the top-level 'modes' list/],
  ['bad axis value', GOOD.replace('values: [25, 100]', "values: [25, 'fast']"), /axes\[0\]\.values\[1\]: bandwidth: expected a number, got "fast" \(line 8\)/],
  ['bad clients', GOOD.replace('name: chunk\n    param: storage.chunkBytes\n    values: [65536, 1048576]', 'name: clients\n    values: [1, 2.5]'), /axes\[1\]\.values\[1\]: clients: expected whole numbers, got 2\.5/],
  ['unknown cluster', GOOD.replace('cluster: faasflow-7w', 'cluster: faasflow-9w'), /sweep\.yaml: scenario\.cluster: unknown cluster 'faasflow-9w'/],
  ['unknown mode', GOOD.replace('[hyperflow, faasflow]', '[hyperflow, fassflow]'), /sweep\.yaml: modes\[1\]: .*\(line 3\)/],
  ['plot of no metric', GOOD.replace('{ y: e2e.mean, x: bandwidth', '{ y: e2e.p99, x: bandwidth'), /plots\[0\]\.y: unknown metric 'e2e\.p99'; the spec's metrics are e2e\.mean, e2e\.count, timeouts \(line 14\)/],
  ['plot of no field', GOOD.replace('x: bandwidth, color: mode', 'x: bandwith, color: mode'), /plots\[0\]\.x: unknown field 'bandwith'; use one of benchmark, mode, bandwidth, chunk, workflow/],
  ['headline of no field', GOOD.replace('rows: [workflow, bandwidth, chunk]', 'rows: [workflow, rpm]'), /headline\[0\]\.rows\[1\]: unknown field 'rpm'/],
  ['unknown key', GOOD.replace('seeds: 1', 'seeds: 1\nsede: 2'), /sweep\.yaml: sede: unknown field .sede. \(did you mean .seeds.\?\)/],
  ['seeds 0', GOOD.replace('seeds: 1', 'seeds: 0'), /sweep\.yaml: seeds: .*\(line 4\)/],
  ['bad name', GOOD.replace('name: my-sweep', 'name: ../up'), /sweep\.yaml: name: use a letter first/],
  ['built-in name', GOOD.replace('name: my-sweep', 'name: latency'), /name: 'latency' is a built-in experiment's name/],
  ['negative scenario option', GOOD.replace('rpm: 6', 'rpm: -6'), /sweep\.yaml: scenario\.rpm: /],
  ['invalid YAML', GOOD.replace('seeds: 1', 'seeds: [1'), /sweep\.yaml: invalid YAML at line \d+, column \d+/],
  ['a list, not a spec', '- a\n- b\n', /sweep\.yaml: expected a mapping \(key: value\) at the top level/],
];

for (const [name, yaml, re] of bad) {
  test(`a bad spec is refused with its file, path and line: ${name}`, async (t) => {
    const r = await exp(['run', specDir(yaml)]);
    t.is(r.exitCode, 2, r.stdout);
    t.regex(r.stderr, re);
    t.notRegex(r.stderr, /\n\s+at /); // no stack trace
    t.deepEqual(fs.readdirSync(r.out), []); // nothing written
  });
}

test('run: a missing or absent spec file is a clear error', async (t) => {
  const r = await exp(['run', '/nonexistent/sweep.yaml']);
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /\/nonexistent\/sweep\.yaml: no such file/);
  const r2 = await exp(['run']);
  t.is(r2.exitCode, 2);
  t.regex(r2.stderr, /Not enough non-option arguments|name a sweep spec/);
});

test('--workflow and --cluster run a built-in experiment on a file workflow and another cluster', async (t) => {
  const wf = path.join(ROOT, 'traces/fixtures/genome-50.wf15.json');
  const r = await exp(['latency', '--quick', '--seeds', '1', '--mode', 'faasflow', '--bandwidth', '50', '--workflow', `${wf},wordcount`, '--cluster', 'shared-3w', '--jobs', '1']);
  t.is(r.exitCode, 0, r.stderr);
  const dir = path.join(r.out, 'latency', fs.readdirSync(path.join(r.out, 'latency'))[0]);
  const rows = csvRows(path.join(dir, 'points.csv'));
  t.deepEqual(rows.map((x) => x.workflow), ['gen-genome-50-s7', 'wordcount']);
  // the per-benchmark table and plots keep the given workflows
  t.regex(fs.readFileSync(path.join(dir, 'headline.txt'), 'utf8'), /gen-genome-50-s7/);
  t.true(fs.existsSync(path.join(dir, 'e2e-solo.svg')));
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  t.is(manifest.options.cluster, 'shared-3w');
  // the cluster reaches the scenario: the same point on faasflow-7w is another configuration
  const r2 = await exp(['latency', '--quick', '--seeds', '1', '--mode', 'faasflow', '--bandwidth', '50', '--workflow', 'wordcount', '--jobs', '1']);
  const rows2 = csvRows(path.join(r2.out, 'latency', fs.readdirSync(path.join(r2.out, 'latency'))[0], 'points.csv'));
  t.not(rows2[0].config, rows[1].config);
});

const badArgs: Array<[string, string[], RegExp]> = [
  ['unknown workflow', ['latency', '--workflow', 'genom'], /--workflow: unknown workflow 'genom'; did you mean 'genome'\?/],
  ['missing file', ['latency', '--workflow', 'nothere.yaml'], /--workflow: nothere\.yaml: no such file/],
  ['empty item', ['latency', '--workflow', 'genome,'], /--workflow: expected a comma-separated list, got 'genome,'/],
  ['with --benchmark', ['latency', '--workflow', 'genome', '--benchmark', 'video'], /--workflow and --benchmark both choose the workflows/],
  ['no workflow axis', ['scheduler', '--workflow', 'genome'], /--workflow: scheduler has no workflow axis/],
  ['unknown cluster', ['latency', '--cluster', 'big'], /--cluster: unknown cluster 'big'; .*faasflow-7w/],
  ['empty cluster', ['latency', '--cluster', ''], /--cluster/],
];
for (const [name, args, re] of badArgs) {
  test(`--workflow/--cluster errors: ${name}`, async (t) => {
    const r = await exp(args);
    t.is(r.exitCode, 2, r.stdout);
    t.regex(r.stderr, re);
    t.deepEqual(fs.readdirSync(r.out), []);
  });
}

test('--progress json prints one JSON line per finished run (what the experiment service reads)', async (t) => {
  let stdout = '';
  const out = tmpDir('flowsim-spec-out-');
  const code = await cli(['run', specDir(GOOD.replace('values: [25, 100]', 'values: [50]').replace('values: [65536, 1048576]', 'values: [262144]')), '--out', out, '--progress', 'json', '--jobs', '1'], { out: (s) => (stdout += s), err: () => {} });
  t.is(code, 0);
  const events = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).progress);
  t.deepEqual(events.map((e) => [e.event, e.done, e.total]), [['start', 0, 4], ['task', 1, 4], ['task', 2, 4], ['task', 3, 4], ['task', 4, 4]]);
  t.true(events.every((e) => e.experiment === 'my-sweep' && e.elapsedS >= 0));
});

test('the shipped example sweep is valid and runs under --quick', async (t) => {
  const r = await exp(['run', path.join(ROOT, 'configs/sweeps/example.yaml'), '--quick', '--seeds', '1', '--max-points', '2', '--jobs', '1']);
  t.is(r.exitCode, 0, r.stderr);
  t.true(fs.existsSync(path.join(r.out, 'example-sweep')));
});
