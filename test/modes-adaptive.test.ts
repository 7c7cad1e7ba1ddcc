/**
 * The adaptive mode and the cost models behind it (sim/modes/adaptive.ts, cost-models.ts).
 */
import test from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { buildScenario } from '../loader/build.js';
import { runScenario } from '../sim/run.js';
import { compileWorkflow, type WorkflowSpec } from '../sim/models/workflow.js';
import { decideMode, estimateMode } from '../sim/modes/cost-models.js';
import { DEFAULT_PARAMS, mergeParams } from '../sim/params.js';
import type { ClusterSpec } from '../sim/models/cluster.js';

const chain = (serviceS: number, bytes: number): WorkflowSpec => ({
  name: 'chain',
  functions: ['a', 'b'].map((name) => ({ name, kind: 'function' as const, serviceTime: { kind: 'constant' as const, value: serviceS }, cpu: 1, memoryBytes: 256 * 2 ** 20, maxContainers: 10, instances: 1, inputBytes: 0, userOutputBytes: 0 })),
  edges: [{ from: 'a', to: 'b', kind: 'normal', bytes }],
});

const oneWorker: ClusterSpec = {
  name: 'one',
  nodes: [
    { name: 'w0', role: 'worker', cores: 8, memoryBytes: 32 * 2 ** 30, nicBps: 100e6, latencyS: 0 },
    { name: 'storage', role: 'storage', cores: 8, memoryBytes: 32 * 2 ** 30, nicBps: 100e6, latencyS: 0 },
  ],
  storage: 'storage',
  gateway: 'storage',
  master: 'storage',
};

// every cost but compute and bytes set to zero, so that the estimates can be computed by hand
const bare = mergeParams(DEFAULT_PARAMS, {
  network: { bandwidthFactor: 1 },
  control: { engineOverheadS: 0, httpRequestS: 0, httpClientS: 0, localCallS: 0, messageBytes: 0 },
  storage: { remoteOpLatencyS: 0, localOpLatencyS: 0, documentConflicts: false, localThroughputBps: 1e9, remoteWriteThroughputBps: 1e12, remoteReadThroughputBps: 1e12, clientThroughputBps: 1e12 },
  containers: { dispatchPeriodS: 0, invocationOverheadS: 0 },
  dataflower: { dispatchPeriodS: 0 },
});

test('cost models, by hand: a two-function chain carrying 10 MB on one worker', (t) => {
  const x = { cw: compileWorkflow(chain(1, 10e6)), cluster: oneWorker, params: bare, storageBps: 50e6 };
  // hyperflow: 1 + 1 s of compute, 10 MB written to and read from the store at 50 MB/s (0.2 s each way)
  const hf = estimateMode('hyperflow', x);
  t.true(Math.abs(hf.e2eS - 2.4) < 1e-9, `hyperflow ${hf.e2eS}`);
  t.true(Math.abs(hf.dataS - 0.4) < 1e-9 && Math.abs(hf.computeS - 2) < 1e-9);
  // faasflow: one group on the one worker: local memory at 1 GB/s (0.01 s)
  const ff = estimateMode('faasflow', x);
  t.true(Math.abs(ff.e2eS - 2.01) < 1e-9, `faasflow ${ff.e2eS}`);
  // dataflower: the same worker: a local put
  const df = estimateMode('dataflower', x);
  t.true(Math.abs(df.e2eS - 2.01) < 1e-9, `dataflower ${df.e2eS}`);
  const d = decideMode(x);
  t.is(d.chosen, 'faasflow', 'a tie goes to the first of the cheapest, in the order hyperflow, faasflow, dataflower');
  // CCR: 2 s of compute over hyperflow's 0.4 s of data
  t.true(Math.abs(d.ccr - 5) < 1e-9);
  t.is(d.kind, 'compute-bound');
  const heavy = decideMode({ ...x, cw: compileWorkflow(chain(0.05, 100e6)) });
  t.is(heavy.kind, 'network-bound');
});

test('the storage bound: parallel branches share the storage node, and revision conflicts amplify their writes', (t) => {
  // s fans out to 4 parallel functions, each writing 10 MB to a common sink through the store
  const wide: WorkflowSpec = {
    name: 'wide',
    functions: ['s', 'p0', 'p1', 'p2', 'p3', 'z'].map((name) => ({ name, kind: 'function' as const, serviceTime: { kind: 'constant' as const, value: 0.1 }, cpu: 1, memoryBytes: 256 * 2 ** 20, maxContainers: 10, instances: 1, inputBytes: 0, userOutputBytes: 0 })),
    edges: [
      ...['p0', 'p1', 'p2', 'p3'].map((p) => ({ from: 's', to: p, kind: 'normal' as const, bytes: 0 })),
      ...['p0', 'p1', 'p2', 'p3'].map((p) => ({ from: p, to: 'z', kind: 'normal' as const, bytes: 10e6 })),
    ],
  };
  const x = { cw: compileWorkflow(wide), cluster: oneWorker, params: bare, storageBps: 50e6 };
  const hf = estimateMode('hyperflow', x);
  // 40 MB each way over 50 MB/s: 0.8 s, more than the path (0.3 s compute + 0.4 s data)
  t.true(Math.abs(hf.storageBoundS - 0.8) < 1e-9, `bound ${hf.storageBoundS}`);
  t.true(Math.abs(hf.criticalPathS - 0.7) < 1e-9, `path ${hf.criticalPathS}`);
  t.is(hf.e2eS, hf.storageBoundS);
  // with conflicts, the 4 writers of one level upload (4 + 1) / 2 times as much: 100 MB -> 2 s
  const withConflicts = estimateMode('hyperflow', { ...x, params: mergeParams(bare, { storage: { documentConflicts: true } }) });
  t.true(Math.abs(withConflicts.storageBoundS - 2) < 1e-9, `bound with conflicts ${withConflicts.storageBoundS}`);
});

test('adaptive runs each workflow exactly as the mode it chose would: the same result, byte for byte', (t) => {
  for (const [w, b] of [['video', 50], ['df-svd', 50], ['wordcount', 25]] as const) {
    const o = { workflows: [w], bandwidthMBps: b, rpm: 6, durationS: 60 };
    const a = runScenario(buildScenario({ ...o, mode: 'adaptive' }));
    t.truthy(a.adaptive && a.adaptive.length === 1);
    const chosen = a.adaptive![0].chosen;
    const f = runScenario(buildScenario({ ...o, mode: chosen }));
    const strip = (r: typeof a) => JSON.stringify({ ...r, mode: '', adaptive: undefined, wallSeconds: 0, eventsPerSecond: 0 });
    t.is(strip(a), strip(f), `${w}: adaptive ran ${chosen}`);
  }
});

test('co-run workflows each get their own choice', (t) => {
  const r = runScenario(buildScenario({ workflows: ['genome', 'df-svd'], mode: 'adaptive', rpm: 2, durationS: 60, bandwidthMBps: 50, cluster: 'faasflow-7w' }));
  t.deepEqual(r.adaptive!.map((d) => d.workflow), ['genome', 'df-svd']);
  t.true(r.adaptive!.every((d) => d.estimates.length === 3 && d.estimates.every((e) => e.e2eS > 0 && Number.isFinite(e.e2eS))));
});

test('CLI: --explain prints every mode estimate and the choice; a placement policy with adaptive is an error', (t) => {
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'cli/sim.ts', '-w', 'video', '-m', 'adaptive', '-b', '50', '-d', '30', '--explain'], { encoding: 'utf8' });
  t.regex(out, /adaptive: video: CCR [\d.]+ \((compute|network)-bound\) -> (hyperflow|faasflow|dataflower)/);
  for (const m of ['hyperflow', 'faasflow', 'dataflower']) t.regex(out, new RegExp(`^\\s+${m}( \\*)?\\s+[\\d.]+`, 'm'));
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'cli/sim.ts', '-w', 'video', '-m', 'adaptive', '--placement', 'random'], { encoding: 'utf8' });
  t.is(bad.status, 2);
  t.regex(bad.stderr, /does not apply to adaptive mode/);
  t.notRegex(bad.stderr, /\n\s+at /);
});
