/**
 * Queue, keep-alive and placement policies: each one's defining behaviour on a hand-computed
 * case, and the errors a user can reach when naming them.
 */
import test from 'ava';
import { Simulator } from '../sim/engine/simulator.js';
import { Constant } from '../sim/engine/distributions.js';
import { makeRng } from '../sim/engine/random.js';
import { ContainerPools, type CallInfo } from '../sim/models/container-pool.js';
import { Nodes } from '../sim/models/node.js';
import type { ClusterSpec } from '../sim/models/cluster.js';
import { QUEUE_POLICIES, queuePolicy } from '../sim/policies/index.js';
import { hybridKeepAlive } from '../sim/policies/keep-alive-hybrid.js';
import { fixedKeepAlive } from '../sim/policies/keep-alive-fixed.js';
import { noKeepAlive } from '../sim/policies/keep-alive-none.js';
import type { KeepAlivePolicy } from '../sim/policies/keep-alive.js';
import { leastLoadedPlacement } from '../sim/policies/placement-least-loaded.js';
import { buildScenario } from '../loader/build.js';
import { ConfigError } from '../loader/load.js';
import { runScenario } from '../sim/run.js';
import type { WorkflowSpec } from '../sim/models/workflow.js';

const GiB = 2 ** 30;
const cluster: ClusterSpec = {
  name: 't',
  nodes: [{ name: 'w0', role: 'worker', cores: 4, memoryBytes: 8 * GiB, nicBps: 1e9, latencyS: 0 }],
  storage: 'w0',
  gateway: 'w0',
  master: 'w0',
};

function pools(queue = 'fifo', keepAlive: KeepAlivePolicy = fixedKeepAlive(600)) {
  const sim = new Simulator();
  const nodes = new Nodes(sim, cluster);
  return { sim, pools: new ContainerPools(sim, nodes, new Constant(0.5), makeRng(1), 600, queuePolicy(queue), keepAlive) };
}
const one = { memoryBytes: GiB, maxContainers: 1, dispatchPeriodS: 0 };
const info = (o: Partial<CallInfo>): CallInfo => ({ requestStart: 0, app: 0, f: 0, predictedS: 1, priority: 0, deadline: Infinity, ...o });

/**
 * One container; call A holds it for 10 s from t = 0.5 (after its cold start); B (5 s) arrives at
 * t = 1, C (1 s) at t = 2, each with its own deadline. Returns when each call finishes.
 */
function threeCalls(queue: string, deadlines: { b: number; c: number }) {
  const { sim, pools: p } = pools(queue);
  const done: Record<string, number> = {};
  const call = (name: string, at: number, work: number, o: Partial<CallInfo>) =>
    sim.call(at, () =>
      p.acquire('f', 0, one, (c) => sim.call(work, () => ((done[name] = sim.now), p.release(c))), info({ predictedS: work, ...o })),
    );
  call('a', 0, 10, { priority: 0 });
  call('b', 1, 5, { priority: 0, deadline: deadlines.b });
  call('c', 2, 1, { priority: 5, deadline: deadlines.c });
  sim.run();
  return done;
}

test('FIFO serves in arrival order; SJF runs the short job first', (t) => {
  // FIFO: a 0.5-10.5, b 10.5-15.5, c 15.5-16.5; SJF: c (1 s) before b (5 s): c 10.5-11.5, b 11.5-16.5
  t.deepEqual(threeCalls('fifo', { b: Infinity, c: Infinity }), { a: 10.5, b: 15.5, c: 16.5 });
  t.deepEqual(threeCalls('sjf', { b: Infinity, c: Infinity }), { a: 10.5, c: 11.5, b: 16.5 });
});

test('priority serves the higher priority first', (t) => {
  t.deepEqual(threeCalls('priority', { b: Infinity, c: Infinity }), { a: 10.5, c: 11.5, b: 16.5 });
});

test('EDF meets a deadline FIFO misses', (t) => {
  // b may end by 20, c by 12: FIFO ends c at 16.5 (missed); EDF serves c first, at 11.5 (met), and b still ends at 16.5 <= 20
  const d = { b: 20, c: 12 };
  const fifo = threeCalls('fifo', d);
  const edf = threeCalls('edf', d);
  t.true(fifo.c > d.c && fifo.b <= d.b);
  t.true(edf.c <= d.c && edf.b <= d.b);
  t.deepEqual(edf, { a: 10.5, c: 11.5, b: 16.5 });
});

/** Calls of 1 s every 100 s from t = 0; returns which were cold. */
function periodic(keepAlive: KeepAlivePolicy, n: number) {
  const { sim, pools: p } = pools('fifo', keepAlive);
  const cold: boolean[] = [];
  for (let k = 0; k < n; k++) sim.call(100 * k, () => p.acquire('f', 0, one, (c, isCold) => ((cold[k] = isCold), sim.call(1, () => p.release(c)))));
  sim.run();
  return { cold, prewarms: p.prewarms, coldStarts: p.coldStarts };
}

test('hybrid keep-alive pre-warms before the predicted arrival (hand-computed windows)', (t) => {
  // bins of 10 s, trusted after 3 idle times. Each idle time is 99 s (release at 100k + 1.5 for
  // the first, then 100k + 1, next call at 100(k+1)), in bin 9: head = 90 s, tail = 100 s.
  // Pre-warm = 90 x 0.9 = 81 s after the release, keep = 100 x 1.1 - 81 = 29 s.
  const h = hybridKeepAlive({ binS: 10, rangeS: 1000, minSamples: 3, margin: 0.1, fallbackS: 50 });
  const r = periodic(h, 6);
  // calls 0-3 are cold (the 50 s fallback window expires before each next call); from the release
  // at 301 the histogram holds 3 idle times: unloaded, pre-warmed at 382 (ready 382.5, kept to
  // 411.5), so the call at 400 finds it warm; the same after 401 for the call at 500, and after
  // 501 one more pre-warm that no call uses (3 in all).
  t.deepEqual(r.cold, [true, true, true, true, false, false]);
  t.is(r.prewarms, 3);
  t.is(r.coldStarts, 4);
  const w = h.windows('f@0')!;
  t.true(Math.abs(w.prewarmS - 81) < 1e-9 && Math.abs(w.keepS - 29) < 1e-9, JSON.stringify(w));
  // the fixed window of 50 s misses every call; no keep-alive misses them too; 600 s keeps them all
  t.deepEqual(periodic(fixedKeepAlive(50), 6).cold, [true, true, true, true, true, true]);
  t.deepEqual(periodic(noKeepAlive(), 6).cold, [true, true, true, true, true, true]);
  t.deepEqual(periodic(fixedKeepAlive(600), 6).cold, [true, false, false, false, false, false]);
});

test('no keep-alive: a container goes at once, but a queued call still reuses it', (t) => {
  const { sim, pools: p } = pools('fifo', noKeepAlive());
  const log: string[] = [];
  for (const at of [0, 0.1]) sim.call(at, () => p.acquire('f', 0, one, (c, cold) => (log.push(`${sim.now} ${cold ? 'cold' : 'warm'}`), sim.call(1, () => p.release(c)))));
  sim.run();
  t.deepEqual(log, ['0.5 cold', '1.5 warm']);
  t.is(p.live, 0);
});

const chain = (deadline?: number): WorkflowSpec => ({
  name: 'pair',
  functions: [
    { name: 'a', kind: 'function', serviceTime: { kind: 'constant', value: 1 }, cpu: 0, memoryBytes: 256 * 2 ** 20, maxContainers: 10, instances: 1, inputBytes: 0, userOutputBytes: 0 },
    { name: 'b', kind: 'function', serviceTime: { kind: 'constant', value: 1 }, cpu: 0, memoryBytes: 256 * 2 ** 20, maxContainers: 10, instances: 1, inputBytes: 0, userOutputBytes: 0 },
  ],
  edges: [{ from: 'a', to: 'b', kind: 'normal', bytes: 1e6 }],
  ...(deadline ? { deadlineS: deadline } : {}),
});

test('placement: least-loaded, locality and random choose per request; results are deterministic per seed', (t) => {
  const run = (placement: string, seed = 1) => runScenario(buildScenario({ workflows: [chain()], mode: 'hyperflow', cluster: 'faasflow-7w', calibration: 'none', placement, rpm: 30, durationS: 60, trace: true, seed }));
  // locality puts b where a ran (its only producer)
  const loc = run('locality');
  const byReq = new Map<number, Record<string, string>>();
  for (const x of loc.instances!) byReq.set(x.request, { ...byReq.get(x.request), [x.fn]: x.node });
  for (const r of byReq.values()) t.is(r.b, r.a);
  // random spreads the functions over several workers, and the same seed gives the same bytes
  const nodes = new Set(run('random').instances!.map((x) => x.node));
  t.true(nodes.size >= 3, [...nodes].join(','));
  t.deepEqual(run('random', 2), run('random', 2));
  t.notDeepEqual(run('random', 1).instances!.map((x) => x.node), run('random', 2).instances!.map((x) => x.node));
  // least-loaded: the first function of the first request finds every worker idle and takes w0;
  // overlapping requests spread over others
  const ll = run('least-loaded');
  t.is(ll.instances!.find((x) => x.request === 0 && x.fn === 'a')!.node, 'w0');
  t.true(new Set(ll.instances!.map((x) => x.node)).size >= 2);
  t.is(ll.policies.placement, 'least-loaded');
});

test('least-loaded takes the worker with the fewest busy containers, the lowest index on ties', (t) => {
  const busy = [3, 1, 1, 2];
  const s = { workers: [0, 1, 2, 3], busyOn: (n: number) => busy[n], nodeOf: () => 0, rng: () => 0.5 };
  t.is(leastLoadedPlacement.choose!({} as never, 0, s), 1);
  busy[1] = 4;
  t.is(leastLoadedPlacement.choose!({} as never, 0, s), 2);
});

test('deadline misses are counted per workflow (a timed-out or late request misses)', (t) => {
  // one request at a time: e2e is a little over 2 s (two 1 s functions plus the stack's costs)
  const r = (d: number) => runScenario(buildScenario({ workflows: [chain(d)], mode: 'hyperflow', cluster: 'faasflow-7w', calibration: 'none', durationS: 20 })).apps[0];
  const ok = r(60);
  t.true(ok.e2e.mean > 2 && ok.e2e.mean < 3);
  t.is(ok.deadlineMisses, 0);
  t.is(ok.deadlineS, 60);
  const late = r(2);
  t.is(late.deadlineMisses, late.requests);
});

test('bad policy names and deadlines are ConfigErrors that name the option and the valid names', (t) => {
  const b = (o: Record<string, unknown>) => () => buildScenario({ workflows: ['wordcount'], mode: 'hyperflow', ...o });
  const msg = (o: Record<string, unknown>) => t.throws(b(o), { instanceOf: ConfigError })!.format();
  t.regex(msg({ queue: 'lifo' }), /--queue.*unknown queue policy 'lifo'.*fifo, priority, sjf, edf/);
  t.regex(msg({ keepAlive: 'forever' }), /--keep-alive.*'forever'.*fixed, none, hybrid/);
  t.regex(msg({ placement: 'nearest' }), /--placement.*unknown placement policy 'nearest'/);
  t.regex(buildScenarioMessage('faasflow', 'least-loaded'), /does not apply to faasflow mode; faasflow takes: grouping/);
  t.regex(msg({ deadlines: { video: 3 } }), /--deadline.*no workflow 'video'.*wordcount/);
  t.regex(msg({ deadlines: { wordcount: -1 } }), /--deadline.*positive/);
  t.deepEqual(Object.keys(QUEUE_POLICIES), ['fifo', 'priority', 'sjf', 'edf']);
});

function buildScenarioMessage(mode: 'faasflow', placement: string): string {
  try {
    buildScenario({ workflows: ['wordcount'], mode, placement });
  } catch (e) {
    return (e as ConfigError).format();
  }
  return '';
}
