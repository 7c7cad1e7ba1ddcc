import test from 'ava';
import { buildScenario, type ScenarioOptions } from '../loader/build.js';
import { runScenario } from '../sim/run.js';
import type { ClusterSpec } from '../sim/models/cluster.js';
import type { FunctionSpec, WorkflowSpec } from '../sim/models/workflow.js';
import type { ModeName, Scenario, SimResult } from '../sim/scenario.js';

const MB = 1e6;

function fn(name: string, over: Partial<FunctionSpec> = {}): FunctionSpec {
  return {
    name,
    kind: 'function',
    serviceTime: { kind: 'constant', value: 1 },
    cpu: 1,
    memoryBytes: 256 * 2 ** 20,
    maxContainers: 10,
    instances: 1,
    inputBytes: 0,
    userOutputBytes: 0,
    ...over,
  };
}

/** A cluster of `workers` workers plus a storage node that is also gateway and master. */
function cluster(workers: number): ClusterSpec {
  return {
    name: `test-${workers}w`,
    nodes: [
      ...Array.from({ length: workers }, (_, i) => ({ name: `w${i}`, role: 'worker' as const, cores: 8, memoryBytes: 32 * 2 ** 30, nicBps: 1.25e9, latencyS: 50e-6 })),
      { name: 'storage', role: 'storage' as const, cores: 16, memoryBytes: 64 * 2 ** 30, nicBps: 1.25e9, latencyS: 50e-6 },
    ],
    storage: 'storage',
    gateway: 'storage',
    master: 'storage',
  };
}

function scenario(workflow: WorkflowSpec, mode: ModeName, c: ClusterSpec, over: Partial<ScenarioOptions> = {}): Scenario {
  const s = buildScenario({ workflows: [workflow], mode, durationS: 30, ...over });
  return { ...s, cluster: c };
}

const chain: WorkflowSpec = {
  name: 'chain',
  functions: [fn('a'), fn('b')],
  edges: [{ from: 'a', to: 'b', kind: 'normal', bytes: 10 * MB }],
};

function networkBytes(r: SimResult): number {
  return r.links.filter((l) => l.link.endsWith('.up') || l.link.endsWith('.down')).reduce((s, l) => s + l.bytes, 0);
}

test('raw data (hyperflow) sends a same-node edge through remote storage', (t) => {
  const r = runScenario(scenario(chain, 'hyperflow', cluster(1)));
  t.true(r.completed > 0);
  const perRequest = r.links.find((l) => l.link === 'storage.down')!.bytes / (r.completed + 2);
  // every request puts 10 MB into storage (storage.down) and gets it back (storage.up)
  t.true(perRequest >= 10 * MB * 0.99, `storage.down per request ${perRequest}`);
  t.true(r.links.find((l) => l.link === 'storage.up')!.bytes >= r.completed * 10 * MB);
});

test('FaaStore (faasflow) moves no network bytes on a same-group edge', (t) => {
  const r = runScenario(scenario(chain, 'faasflow', cluster(1)));
  t.true(r.completed > 0);
  t.is(networkBytes(r), 0);
  t.true(r.links.find((l) => l.link === 'w0.localstore')!.bytes > 0, 'the edge went through local memory');
});

test('DataFlower starts a foreach successor before its producer ends', (t) => {
  const wf: WorkflowSpec = {
    name: 'fan',
    functions: [fn('split', { serviceTime: { kind: 'constant', value: 4 } }), fn('work', { instances: 4 }), fn('merge')],
    edges: [
      { from: 'split', to: 'work', kind: 'foreach', bytes: 1 * MB },
      { from: 'work', to: 'merge', kind: 'merge', bytes: 1 * MB },
    ],
  };
  for (const workers of [1, 2]) {
    const r = runScenario(scenario(wf, 'dataflower', cluster(workers), { trace: true, warmupRequests: 0, maxRequests: 1 }));
    const recs = r.instances!.filter((x) => x.request === 0);
    const producerEnd = recs.find((x) => x.fn === 'split')!.end;
    const firstWork = Math.min(...recs.filter((x) => x.fn === 'work').map((x) => x.start));
    t.true(firstWork < producerEnd, `${workers} worker(s): first work instance started at ${firstWork}, split ended at ${producerEnd}`);
    // and with FaaSFlow the successors wait for the producer
    const f = runScenario(scenario(wf, 'faasflow', cluster(workers), { trace: true, warmupRequests: 0, maxRequests: 1 }));
    const frecs = f.instances!.filter((x) => x.request === 0);
    t.true(Math.min(...frecs.filter((x) => x.fn === 'work').map((x) => x.start)) >= frecs.find((x) => x.fn === 'split')!.end);
  }
});

test('MasterSP (hyperflow) pays more control round trips and scheduling overhead than WorkerSP (faasflow)', (t) => {
  const wf: WorkflowSpec = {
    name: 'ctl',
    functions: ['a', 'b', 'c', 'd'].map((n) => fn(n, { serviceTime: { kind: 'constant', value: 0.1 } })),
    edges: [
      { from: 'a', to: 'b', kind: 'normal', bytes: 0 },
      { from: 'b', to: 'c', kind: 'normal', bytes: 0 },
      { from: 'c', to: 'd', kind: 'normal', bytes: 0 },
    ],
  };
  // without the 5 ms dispatch tick, which would absorb sub-millisecond control delays
  const opts = { maxRequests: 20, warmupRequests: 2, params: { containers: { dispatchPeriodS: 0 } } };
  const h = runScenario(scenario(wf, 'hyperflow', cluster(4), opts));
  const f = runScenario(scenario(wf, 'faasflow', cluster(4), opts));
  t.is(h.completed, f.completed);
  t.true(h.controlMessages > 2 * f.controlMessages, `hyperflow ${h.controlMessages} vs faasflow ${f.controlMessages} messages`);
  t.true(h.schedulingOverhead.mean > f.schedulingOverhead.mean);
  t.true(h.e2e.mean > f.e2e.mean);
});

test('a switch takes one branch; the dead branch never runs', (t) => {
  const wf: WorkflowSpec = {
    name: 'sw',
    functions: [fn('a'), fn('v', { kind: 'switch', serviceTime: { kind: 'constant', value: 0 }, cpu: 0 }), fn('yes'), fn('no'), fn('after_no')],
    edges: [
      { from: 'a', to: 'v', kind: 'normal', bytes: 0 },
      { from: 'v', to: 'yes', kind: 'switch', bytes: 0, probability: 1 },
      { from: 'v', to: 'no', kind: 'switch', bytes: 0, probability: 0 },
      { from: 'no', to: 'after_no', kind: 'normal', bytes: 0 },
    ],
  };
  for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
    const r = runScenario(scenario(wf, mode, cluster(2), { trace: true, maxRequests: 5 }));
    t.is(r.timeouts, 0, mode);
    t.true(r.completed > 0, mode);
    t.true(r.instances!.some((x) => x.fn === 'yes'), mode);
    t.false(r.instances!.some((x) => x.fn === 'no' || x.fn === 'after_no'), mode);
  }
});

test('invariants: bytes sent equal bytes received, memory within capacity, instance times ordered', (t) => {
  for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
    const s = buildScenario({ workflows: ['df-video'], mode, durationS: 60, rpm: 6, trace: true });
    const r = runScenario(s, { drain: true });
    t.true(r.bytesSent > 0);
    t.is(r.bytesSent, r.bytesReceived, `${mode}: every byte sent arrives`);
    for (const m of r.memory) t.true(m.peakBytes <= m.capacityBytes, `${mode}: ${m.node} memory ${m.peakBytes} > ${m.capacityBytes}`);
    for (const x of r.instances!) {
      t.true(x.ready <= x.start && x.start <= x.computeStart && x.computeStart <= x.computeEnd && x.computeEnd <= x.end, `${mode} ${x.fn}: times out of order`);
    }
  }
});

test('memory never goes over capacity when containers outnumber it: calls wait instead', (t) => {
  const small = cluster(1);
  small.nodes[0].memoryBytes = 3 * 256 * 2 ** 20; // room for 3 containers
  const wf: WorkflowSpec = {
    name: 'wide',
    functions: [fn('s', { serviceTime: { kind: 'constant', value: 0.01 } }), fn('p', { instances: 8, maxContainers: 8 })],
    edges: [{ from: 's', to: 'p', kind: 'foreach', bytes: 0 }],
  };
  const r = runScenario(scenario(wf, 'faasflow', small, { maxRequests: 4, warmupRequests: 0 }));
  t.is(r.completed, 4);
  t.true(r.memory[0].peakBytes <= r.memory[0].capacityBytes);
  // 8 one-second instances on 3 containers (one is the start function's): at least 3 waves
  t.true(r.e2e.mean >= 3, `e2e ${r.e2e.mean}`);
});

test('open loop sends 60/rpm apart and discards warm-up requests', (t) => {
  const r = runScenario(buildScenario({ workflows: ['wordcount'], mode: 'faasflow', rpm: 30, durationS: 60, warmupRequests: 2 }));
  t.is(r.requests, 30 - 2);
  const closed = runScenario(buildScenario({ workflows: ['wordcount'], mode: 'faasflow', clients: 2, durationS: 10, warmupRequests: 0 }));
  t.true(closed.requests > 2 * Math.floor(10 / 1), 'closed-loop clients send back to back');
});

test('a request that outlives the client timeout is counted as a timeout at the timeout value', (t) => {
  const slow: WorkflowSpec = { name: 'slow', functions: [fn('x', { serviceTime: { kind: 'constant', value: 90 } })], edges: [] };
  const r = runScenario(scenario(slow, 'faasflow', cluster(1), { rpm: 2, durationS: 60, warmupRequests: 0 }));
  t.is(r.requests, 2);
  t.is(r.timeouts, 2);
  t.is(r.e2e.max, 60);
});

test('open-loop rate phases: 10 rpm for 60 s then 100 rpm for 60 s, arrivals at exact multiples', (t) => {
  const r = runScenario(buildScenario({ workflows: ['df-wordcount'], mode: 'dataflower', phases: [{ rpm: 10, durationS: 60 }, { rpm: 100, durationS: 60 }], warmupRequests: 0, trace: true }));
  t.is(r.requests, 10 + 100);
  const starts = [...new Set(r.instances!.filter((x) => x.fn === 'start').map((x) => x.request))].length;
  t.is(starts, 110);
  // 100 requests at 0.6 s apart fill the 60 s window exactly once each (no extra request from rounding)
  const only = runScenario(buildScenario({ workflows: ['df-wordcount'], mode: 'dataflower', rpm: 100, durationS: 60, warmupRequests: 0 }));
  t.is(only.requests, 100);
});

test('closed loop: minRequests keeps a slow workflow going past the window', (t) => {
  const slow: WorkflowSpec = { name: 'slow2', functions: [fn('x', { serviceTime: { kind: 'constant', value: 50 } })], edges: [] };
  const r = runScenario(scenario(slow, 'faasflow', cluster(1), { durationS: 60, warmupRequests: 2, minRequests: 3 }));
  t.is(r.requests, 1, 'two warm-up requests and one measured');
  const without = runScenario(scenario(slow, 'faasflow', cluster(1), { durationS: 60, warmupRequests: 2 }));
  t.is(without.requests, 0);
});
