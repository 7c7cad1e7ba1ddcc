import test from 'ava';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { loadMeasurements, type MeasurementSet } from '../calibrate/measurements.js';
import { evaluateCells } from '../calibrate/cells.js';
import { fitMeasurements, toUnit, toValue } from '../calibrate/fit-measurements.js';
import { runFromMeasurements } from '../calibrate/from-measurements.js';
import { readProfile } from '../calibrate/profile.js';
import { buildScenario } from '../loader/build.js';
import { ConfigError } from '../loader/load.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

const made: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'fsim-meas-'));
  made.push(d);
  return d;
}
test.after.always(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

/** A small valid measurements document (wordcount: cheap to simulate). */
function doc(): Record<string, unknown> {
  return {
    name: 'unit',
    source: 'made by the test',
    cluster: 'faasflow-7w',
    defaults: { durationS: 20, warmupRequests: 1, maxRequests: 4 },
    free: [{ param: 'control.httpRequestS', min: 0.0001, max: 0.1 }],
    cells: [
      { id: 'sched/hf', workflow: 'wordcount', mode: 'hyperflow', metric: 'schedulingOverhead.mean', measured: 0.1, source: 'test' },
      { id: 'e2e/ff', workflow: 'wordcount', mode: 'faasflow', metric: 'e2e.mean', measured: 0.4, source: 'test' },
    ],
  };
}

function writeDoc(d: unknown): string {
  const f = path.join(tmpDir(), 'm.yaml');
  fs.writeFileSync(f, YAML.stringify(d));
  return f;
}

test('the shipped measurement files load (every cell names a real workflow, function and metric)', (t) => {
  for (const f of ['faasflow-paper', 'dataflower-paper']) {
    const m = loadMeasurements(path.join(ROOT, 'configs/measurements', `${f}.yaml`));
    t.is(m.name, f);
    t.true(m.cells.length >= 20, `${f}: ${m.cells.length} cells`);
    t.true(m.free.length > 0);
    for (const c of m.cells) t.truthy(c.source);
  }
});

const bad: Array<[string, (d: Record<string, unknown>) => void, RegExp]> = [
  ['unknown top-level field', (d) => (d.colour = 1), /colour.*[Uu]nknown|[Uu]nrecognized|unknown key/],
  ['unknown field in a cell', (d) => ((d.cells as Array<Record<string, unknown>>)[0].speed = 3), /cells\[0\]\.speed/],
  ['unknown benchmark', (d) => ((d.cells as Array<Record<string, unknown>>)[0].workflow = 'no-such-flow'), /cells\[0\]\.workflow.*no-such-flow/],
  ['unknown metric', (d) => ((d.cells as Array<Record<string, unknown>>)[0].metric = 'e2e.p42'), /cells\[0\]\.metric/],
  ['negative time', (d) => ((d.cells as Array<Record<string, unknown>>)[1].measured = -0.4), /cells\[1\]\.measured.*>= 0/],
  ['a free parameter that does not exist', (d) => ((d.free as Array<Record<string, unknown>>)[0].param = 'control.warpFactor'), /free\[0\]\.param.*control\.warpFactor.*near: control\./],
  ['bounds reversed', (d) => Object.assign((d.free as Array<Record<string, unknown>>)[0], { min: 0.1, max: 0.001 }), /free\[0\]\.min.*min < max/],
  ['a function metric without a function', (d) => ((d.cells as Array<Record<string, unknown>>)[0].metric = 'start.mean'), /cells\[0\]\.function.*name the function/],
  ['a function the workflow lacks', (d) => Object.assign((d.cells as Array<Record<string, unknown>>)[0], { metric: 'start.mean', function: 'fold' }), /cells\[0\]\.function.*no function 'fold'.*start, count, merge/],
  ['a range the wrong way round', (d) => ((d.cells as Array<Record<string, unknown>>)[0].measured = [0.2, 0.1]), /cells\[0\]\.measured.*low <= high/],
  ['linkBytes without a link', (d) => ((d.cells as Array<Record<string, unknown>>)[0].metric = 'linkBytes'), /cells\[0\]\.link.*name it with link/],
  ['a link on another metric', (d) => ((d.cells as Array<Record<string, unknown>>)[0].link = 'storage.down'), /cells\[0\]\.link.*goes with metric linkBytes/],
  ['an edge the workflow lacks', (d) => (d.free = [{ workflow: 'wordcount', name: 'texts', edges: ['start->merge2'], min: 0.1, max: 2 }]), /free\[0\]\.edges\[0\].*no edge start->merge2/],
];

for (const [what, mutate, re] of bad) {
  test(`bad measurements file: ${what} is a ConfigError naming file and path`, (t) => {
    const d = doc();
    mutate(d);
    const f = writeDoc(d);
    const e = t.throws(() => loadMeasurements(f), { instanceOf: ConfigError });
    t.regex(e!.format(), re);
    t.true(e!.format().includes('m.yaml'), e!.format());
  });
}

test('whole-run metrics, hand-counted: cold starts and bytes per storage link of 4 wordcount requests in hyperflow mode', (t) => {
  // Per request every output goes to the remote store (no revisions: one upload per output):
  // start 8 x 412,638 + 8 = 3,301,112 B, count 8 x 92,124 = 736,992 B, merge 325,053 B -> 4,363,157 B
  // written; count reads 8 x 412,638 = 3,301,104 B, merge 8 x 92,124 + 8 = 737,000 B -> 4,038,104 B read.
  // Containers: 1 start + 8 count instances at once + 1 merge, all cold in the first request, warm after.
  const d = doc();
  d.params = { storage: { documentConflicts: false } };
  d.free = [];
  d.cells = [
    { id: 'cold', workflow: 'wordcount', mode: 'hyperflow', metric: 'coldStarts', measured: 10, source: 'hand count' },
    { id: 'down', workflow: 'wordcount', mode: 'hyperflow', metric: 'linkBytes', link: 'storage.down', measured: 4 * 4363157, source: 'hand count' },
    { id: 'up', workflow: 'wordcount', mode: 'hyperflow', metric: 'linkBytes', link: 'storage.up', measured: 4 * 4038104, source: 'hand count' },
  ];
  const res = evaluateCells(loadMeasurements(writeDoc(d)), []);
  for (const r of res) t.is(r.simulated, r.measured as number, r.id);
  const e = t.throws(() => evaluateCells(loadMeasurements(writeDoc({ ...d, cells: [{ ...(d.cells as object[])[1], link: 'storage.sideways' }] })), []));
  t.regex(e!.message, /no link 'storage\.sideways'.*storage\.down/);
});

test('CLI: a bad measurements file ends with exit 2 and one message, no stack trace', async (t) => {
  const d = doc();
  (d.free as Array<Record<string, unknown>>)[0].param = 'storage.nope';
  const f = writeDoc(d);
  const e = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'calibrate/cli.ts'), '--from', f], { cwd: ROOT }).then(
    () => null,
    (x: { code: number; stderr: string }) => x,
  );
  t.truthy(e, 'the CLI must fail');
  t.is(e!.code, 2);
  t.regex(e!.stderr, /m\.yaml: free\[0\]\.param: no numeric parameter 'storage\.nope'/);
  t.notRegex(e!.stderr, /\n\s+at /);
});

test('bound mapping: geometric for positive bounds, linear otherwise, and inverse of each other', (t) => {
  const g = { kind: 'param' as const, path: 'x', min: 0.001, max: 10 };
  t.is(toValue(g, 0), 0.001);
  t.true(Math.abs(toValue(g, 0.5) - 0.1) < 1e-12);
  t.true(Math.abs(toUnit(g, toValue(g, 0.37)) - 0.37) < 1e-12);
  const l = { kind: 'param' as const, path: 'x', min: 0, max: 4 };
  t.is(toValue(l, 0.25), 1);
});

/**
 * Recovery: measurements that the simulator itself produced at known parameter values are fitted
 * from a start far away; the fit must find the values again.
 */
test('a fit recovers known parameter values from measurements the simulator produced', (t) => {
  const truth = { httpRequestS: 0.012, remoteOpLatencyS: 0.006 };
  const cells = [
    { id: 'sched/hf', workflow: 'wordcount', mode: 'hyperflow', metric: 'schedulingOverhead.mean' },
    { id: 'data/hf', workflow: 'wordcount', mode: 'hyperflow', metric: 'dataOverhead.mean' },
    { id: 'sched/ff', workflow: 'wordcount', mode: 'faasflow', metric: 'schedulingOverhead.mean' },
    { id: 'data/ff', workflow: 'wordcount', mode: 'faasflow', metric: 'dataOverhead.mean' },
    { id: 'data/hfv', workflow: 'video', mode: 'hyperflow', metric: 'dataOverhead.mean' },
  ] as const;
  const base: MeasurementSet = {
    file: 'synthetic',
    name: 'synthetic',
    source: 'the simulator',
    cluster: 'faasflow-7w',
    defaults: { durationS: 20, warmupRequests: 1, maxRequests: 4 },
    params: {},
    free: [
      { kind: 'param', path: 'control.httpRequestS', min: 0.0001, max: 0.1, start: 0.05 },
      { kind: 'param', path: 'storage.remoteOpLatencyS', min: 0.0001, max: 0.1, start: 0.0005 },
    ],
    cells: cells.map((c) => ({ ...c, measured: 1, source: 'synthetic' })),
  };
  const produced = evaluateCells(base, [truth.httpRequestS, truth.remoteOpLatencyS]);
  const set: MeasurementSet = { ...base, cells: base.cells.map((c, i) => ({ ...c, measured: produced[i].simulated })) };
  const fit = fitMeasurements(set, { maxIterations: 40, jobs: 2 });
  // the worker pool changes where the simulations run, not what they give
  const inThread = fitMeasurements(set, { maxIterations: 40, jobs: 1 });
  t.deepEqual(inThread.values, fit.values);
  t.true(Math.abs(fit.values[0] / truth.httpRequestS - 1) < 0.1, `httpRequestS ${fit.values[0]}`);
  t.true(Math.abs(fit.values[1] / truth.remoteOpLatencyS - 1) < 0.1, `remoteOpLatencyS ${fit.values[1]}`);
  const after = evaluateCells(set, fit.values);
  for (const r of after) t.true(Math.abs(r.error) < 0.05, `${r.id}: ${r.error}`);
});

test('a fitted profile round-trips: it carries the values and their sources, and the simulator uses them', async (t) => {
  const dir = tmpDir();
  const f = writeDoc({ ...doc(), free: [{ param: 'control.httpRequestS', min: 0.0001, max: 0.1 }] });
  const set = loadMeasurements(f);
  const r = await runFromMeasurements({ set, loo: false, name: 'unit-rt', profileDir: dir, outDir: path.join(dir, 'out'), maxIterations: 3, log: () => {} });
  t.truthy(r.profilePath);
  const p = readProfile(r.profilePath!);
  const v = (p.params.control as { httpRequestS: number }).httpRequestS;
  t.true(v >= 0.0001 && v <= 0.1);
  const fits = p.meta.fits as { sources: Record<string, string> };
  t.regex(fits.sources['control.httpRequestS'], /^\[CALIBRATED: m\.yaml/);
  const s = buildScenario({ workflows: ['wordcount'], mode: 'hyperflow', calibration: r.profilePath });
  t.is(s.params.control.httpRequestS, v);
  t.true(fs.existsSync(r.reportPath));
  t.true(fs.existsSync(path.join(path.dirname(r.reportPath), 'parity.png')));
  t.regex(fs.readFileSync(r.reportPath, 'utf8'), /\| sched\/hf \| 0\.100 \|/);
});
