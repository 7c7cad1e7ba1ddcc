/**
 * Faults and recovery (sim/models/faults.ts): hand-computed cases for each kind, the invariants
 * on random fault scenarios, determinism, and clear errors for bad fault specs.
 */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildScenario, type ScenarioOptions } from '../loader/build.js';
import { ConfigError } from '../loader/load.js';
import { runScenario } from '../sim/run.js';
import { NO_FAULTS, type FaultSpec } from '../sim/models/faults.js';
import type { WorkflowSpec } from '../sim/models/workflow.js';
import { makeRng } from '../sim/engine/random.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-faults-'));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

const one = (serviceS: number): WorkflowSpec => ({
  name: 'one',
  functions: [{ name: 'x', kind: 'function', serviceTime: { kind: 'constant', value: serviceS }, cpu: 1, memoryBytes: 256 * 2 ** 20, maxContainers: 10, instances: 1, inputBytes: 0, userOutputBytes: 0 }],
  edges: [],
});

const spec = (over: Partial<FaultSpec>): FaultSpec => ({ ...structuredClone(NO_FAULTS), ...over });
const strip = (r: object) => JSON.stringify({ ...r, wallSeconds: 0, eventsPerSecond: 0 });

test('a retried function: an execution timeout of 2 s on a 5 s function, one retry after 1 s, then the request fails', (t) => {
  for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
    const base: ScenarioOptions = { workflows: [one(5)], mode, maxRequests: 1, warmupRequests: 0, durationS: 10, calibration: 'none' };
    const run = (retries: number) => runScenario(buildScenario({ ...base, faults: spec({ executionTimeout: { default: 2, perFunction: {} }, retry: { max: retries, backoffS: 1, factor: 2 } }) }));
    const r0 = run(0);
    const r1 = run(1);
    for (const r of [r0, r1]) {
      t.deepEqual([r.requests, r.completed, r.timeouts, r.failed], [1, 0, 0, 1], mode);
      t.deepEqual(r.faults!.failedRequests, { 'x: execution timeout': 1 }, mode);
      t.is(r.faults!.successRate, 0);
    }
    t.is(r0.faults!.failedAttempts['execution timeout'], 1);
    t.is(r1.faults!.failedAttempts['execution timeout'], 2);
    t.is(r1.faults!.retries, 1);
    // the retry adds its 1 s backoff and a second 2 s attempt on the warm container, plus what the
    // attempt does before computing again (a dispatch tick, its input read: HyperFlow's store
    // miss, tens of ms): the run ends at the failure
    const extra = r1.simulatedSeconds - r0.simulatedSeconds;
    t.true(extra >= 3 - 1e-9 && extra <= 3.05, `${mode}: the retry took ${extra} s`);
    // billed: two attempts of 2 s compute each (and their input reads), on a 256 MiB container
    t.true(r1.cost.gbSeconds >= 2 * 2 * 0.25 - 1e-9 && r1.cost.gbSeconds <= 2 * 2.05 * 0.25, `${mode}: ${r1.cost.gbSeconds} GB-s`);
  }
});

test('a crash takes the container away: every retry starts cold, where an exception reuses the warm container', (t) => {
  for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
    const base: ScenarioOptions = { workflows: [one(1)], mode, maxRequests: 1, warmupRequests: 0, durationS: 10, calibration: 'none' };
    const crash = runScenario(buildScenario({ ...base, faults: spec({ crash: { default: 1, perFunction: {} }, retry: { max: 2, backoffS: 0.1, factor: 1 } }) }));
    const error = runScenario(buildScenario({ ...base, faults: spec({ failure: { default: 1, perFunction: {} }, retry: { max: 2, backoffS: 0.1, factor: 1 } }) }));
    t.deepEqual(crash.faults!.failedAttempts, { error: 0, crash: 3, 'execution timeout': 0, 'node lost': 0 }, mode);
    t.deepEqual(error.faults!.failedAttempts, { error: 3, crash: 0, 'execution timeout': 0, 'node lost': 0 }, mode);
    t.is(crash.coldStarts, 3, `${mode}: one cold start per attempt`);
    t.is(error.coldStarts, 1, `${mode}: the first attempt's container serves the retries`);
    t.deepEqual(crash.faults!.failedRequests, { 'x: crash': 1 }, mode);
  }
});

test('a node lost mid-transfer: the write is cancelled (bytes lost), the attempt is killed and rerun once the node is back', (t) => {
  // a -> b carrying 100 MB on a one-worker cluster capped at 10 MB/s: a computes 1 s, then writes
  // for about 10 s; the worker is lost 4 s into the write for 5 s
  const wf: WorkflowSpec = {
    name: 'pair',
    functions: ['a', 'b'].map((name) => ({ name, kind: 'function' as const, serviceTime: { kind: 'constant' as const, value: 1 }, cpu: 1, memoryBytes: 256 * 2 ** 20, maxContainers: 1, instances: 1, inputBytes: 0, userOutputBytes: 0 })),
    edges: [{ from: 'a', to: 'b', kind: 'normal', bytes: 100e6 }],
  };
  const cluster = path.join(dir, 'one-worker.yaml');
  fs.writeFileSync(cluster, 'name: one-worker\nnodes:\n  - {name: w0, role: worker, cores: 8, memory: 32GiB, nic: 1250MB/s, latency: 0s}\n  - {name: st, role: storage, cores: 8, memory: 32GiB, nic: 1250MB/s, latency: 0s}\nstorage: st\ngateway: st\nmaster: st\n');
  const base: ScenarioOptions = { workflows: [wf], mode: 'hyperflow', cluster, bandwidthMBps: 10, maxRequests: 1, warmupRequests: 0, durationS: 5, calibration: 'none', trace: true, params: { containers: { coldStart: { kind: 'constant', value: 0.5 } }, storage: { documentConflicts: false } } };
  const clean = runScenario(buildScenario(base));
  const aEnd = clean.instances!.find((i) => i.fn === 'a')!;
  const loseAt = aEnd.computeEnd + 4;
  t.true(loseAt < aEnd.end - 1, `the loss falls inside a's write (${aEnd.computeEnd}..${aEnd.end})`);
  const lost = runScenario(buildScenario({ ...base, faults: spec({ nodeLoss: [{ node: 'w0', atS: loseAt, durationS: 5 }], retry: { max: 3, backoffS: 0.1, factor: 1 } }) }));
  t.is(lost.completed, 1, 'hyperflow keeps every output in the remote store: the request recovers');
  t.deepEqual([lost.faults!.nodeLosses, lost.faults!.failedAttempts['node lost'], lost.faults!.retries], [1, 1, 1]);
  t.true(lost.faults!.bytesLost >= 100e6, `lost ${lost.faults!.bytesLost} B in flight`);
  t.is(lost.bytesSent, lost.bytesReceived + lost.faults!.bytesLost + lost.abandoned.bytesInFlight);
  // by hand: the retry is due 0.1 s after the loss (the backoff), but waits for the node, back 5 s
  // after the loss, then for a new cold start (its container went with the node): everything from
  // a's first start shifts by (loss + max(0.1, 5) + 0.5 s) - a's first start, give or take a dispatch tick
  const shift = loseAt + Math.max(0.1, 5) + 0.5 - aEnd.start;
  const d = lost.e2e.mean - clean.e2e.mean;
  t.true(Math.abs(d - shift) <= 0.011, `e2e moved by ${d} s, by hand ${shift} s`);
  // faasflow keeps a's output in the worker's memory: losing the worker while b computes fails the request
  const ffClean = runScenario(buildScenario({ ...base, mode: 'faasflow' }));
  const bRun = ffClean.instances!.find((i) => i.fn === 'b')!;
  const ff = runScenario(buildScenario({ ...base, mode: 'faasflow', faults: spec({ nodeLoss: [{ node: 'w0', atS: bRun.computeStart + 0.5, durationS: 5 }] }) }));
  t.is(ff.failed, 1);
  t.deepEqual(ff.faults!.failedRequests, { 'node lost: w0': 1 });
});

test('failure probability: with 20% per attempt and no retry, a one-function workflow succeeds about 80% of the time', (t) => {
  const r = runScenario(buildScenario({ workflows: [one(0.5)], mode: 'faasflow', rpm: 600, durationS: 200, warmupRequests: 0, failureRate: 0.2, retries: 0 }));
  t.is(r.requests, 2000);
  t.is(r.requests, r.completed + r.timeouts + r.failed);
  const sd = Math.sqrt((0.8 * 0.2) / r.requests);
  t.true(Math.abs(r.faults!.successRate - 0.8) < 4 * sd, `success ${r.faults!.successRate}`);
  // with 3 retries a request fails only when 4 attempts in a row fail: 0.2^4 = 0.16%
  const rr = runScenario(buildScenario({ workflows: [one(0.5)], mode: 'faasflow', rpm: 600, durationS: 200, warmupRequests: 0, failureRate: 0.2, retries: 3 }));
  t.true(rr.faults!.successRate > 0.99, `success with retries ${rr.faults!.successRate}`);
  t.true(rr.faults!.retries > 300, `${rr.faults!.retries} retries`);
});

test('a remote-store outage holds every store operation issued during it until it ends', (t) => {
  const base: ScenarioOptions = { workflows: ['wordcount'], mode: 'hyperflow', maxRequests: 1, warmupRequests: 0, durationS: 10 };
  const clean = runScenario(buildScenario(base));
  const out = runScenario(buildScenario({ ...base, faults: spec({ storeOutages: [{ atS: 0, durationS: 20 }] }) }));
  t.is(out.completed, 1);
  // the first store operation waits until 20 s; nothing else changes
  t.true(out.e2e.mean >= 20, `e2e ${out.e2e.mean}`);
  t.true(out.e2e.mean <= clean.e2e.mean + 20 + 1e-9, `e2e ${out.e2e.mean} vs ${clean.e2e.mean}`);
});

test('a link capacity trace slows the data path: the storage node\'s downlink at a tenth from 0 s', (t) => {
  const base: ScenarioOptions = { workflows: ['video'], mode: 'hyperflow', maxRequests: 1, warmupRequests: 0, durationS: 10, bandwidthMBps: 50 };
  const clean = runScenario(buildScenario(base));
  const slow = runScenario(buildScenario({ ...base, faults: spec({ links: [{ link: 'storage.down', steps: [{ atS: 0, factor: 0.1 }] }, { link: 'storage.up', steps: [{ atS: 0, factor: 0.1 }] }] }) }));
  t.true(slow.dataOverhead.mean > 5 * clean.dataOverhead.mean, `data ${slow.dataOverhead.mean} vs ${clean.dataOverhead.mean}`);
  t.is(slow.bytesSent, clean.bytesSent, 'the same bytes, slower');
});

test('faults that never fire change nothing else (their own random streams; the engines queue in the same order)', (t) => {
  for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
    const base: ScenarioOptions = { workflows: ['genome'], mode, rpm: 6, durationS: 60, bandwidthMBps: 50 };
    const clean = runScenario(buildScenario(base));
    const late = runScenario(buildScenario({ ...base, faults: spec({ storeOutages: [{ atS: 1e6, durationS: 1 }], links: [{ link: 'storage.down', steps: [{ atS: 1e6, factor: 0.5 }] }] }) }));
    const { faults, ...rest } = late;
    t.truthy(faults);
    t.is(strip({ ...rest, events: 0 }), strip({ ...clean, events: 0 }), mode);
  }
});

test('determinism with faults: the same seed gives the same bytes', (t) => {
  const f = spec({ failure: { default: 0.15, perFunction: {} }, links: [{ link: 'storage.down', walk: { everyS: 5, sigma: 0.3, min: 0.2, max: 1 } }] });
  for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
    const o: ScenarioOptions = { workflows: ['video'], mode, rpm: 12, durationS: 120, bandwidthMBps: 50, faults: f, seed: 7 };
    t.is(strip(runScenario(buildScenario(o))), strip(runScenario(buildScenario(o))), mode);
  }
});

test('invariants on 240 random fault scenarios: every request ends once, bytes are conserved, memory stays within capacity', (t) => {
  const rng = makeRng(20261202);
  const workflows = ['video', 'wordcount', 'genome', 'df-wordcount'];
  const bad: string[] = [];
  const seen = { failed: 0, timeouts: 0, retries: 0, completed: 0, nodeLosses: 0 };
  for (let k = 0; k < 240; k++) {
    const mode = (['hyperflow', 'faasflow', 'dataflower'] as const)[k % 3];
    const w = workflows[Math.floor(rng() * workflows.length)];
    const f = spec({
      failure: { default: rng() * 0.4, perFunction: {} },
      executionTimeout: { default: rng() < 0.3 ? 0.5 + rng() * 5 : Infinity, perFunction: {} },
      retry: { max: Math.floor(rng() * 4), backoffS: rng(), factor: 1 + rng() },
      links: rng() < 0.5 ? [{ link: 'storage.down', walk: { everyS: 1 + rng() * 10, sigma: rng(), min: 0.1, max: 1 } }] : [],
      storeOutages: rng() < 0.3 ? [{ atS: rng() * 30, durationS: rng() * 20 }] : [],
      nodeLoss: rng() < 0.3 ? [{ node: `w${Math.floor(rng() * 3)}`, atS: rng() * 40, durationS: 1 + rng() * 20 }] : [],
      ...(rng() < 0.2 ? { nodeFailures: { nodes: ['w0', 'w1'], mtbfS: 5 + rng() * 30, mttrS: 1 + rng() * 10 } } : {}),
    });
    const onTimeout = rng() < 0.5 ? 'continue' : 'cancel';
    const r = runScenario(buildScenario({ workflows: [w], mode, rpm: 6 + rng() * 30, durationS: 40, warmupRequests: 0, bandwidthMBps: 25 + Math.floor(rng() * 4) * 25, faults: f, seed: k, params: { request: { onTimeout } } }));
    const why = `#${k} ${w}/${mode}/${onTimeout}`;
    if (r.requests !== r.completed + r.timeouts + r.failed) bad.push(`${why}: ${r.requests} != ${r.completed} + ${r.timeouts} + ${r.failed}`);
    if (r.bytesSent !== r.bytesReceived + r.faults!.bytesLost + r.abandoned.bytesInFlight) bad.push(`${why}: bytes ${r.bytesSent} != ${r.bytesReceived} + ${r.abandoned.bytesInFlight}`);
    for (const m of r.memory) if (m.peakBytes > m.capacityBytes) bad.push(`${why}: memory over capacity on ${m.node}`);
    const failedCount = Object.values(r.faults!.failedRequests).reduce((a, b) => a + b, 0);
    if (failedCount !== r.failed) bad.push(`${why}: causes ${failedCount} != failed ${r.failed}`);
    seen.failed += r.failed;
    seen.timeouts += r.timeouts;
    seen.retries += r.faults!.retries;
    seen.completed += r.completed;
    seen.nodeLosses += r.faults!.nodeLosses;
  }
  t.deepEqual(bad, []);
  // the scenarios do exercise every ending
  t.true(seen.failed > 100 && seen.timeouts > 10 && seen.retries > 100 && seen.completed > 100 && seen.nodeLosses > 50, JSON.stringify(seen));
});

const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

test('bad fault specs end with a ConfigError naming the file, the path and what was expected', (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['negative probability', 'failure: -0.1\n', /failure.*(>=|at least|too small|0)/i],
    ['probability above 1', 'failure: {default: 1.5}\n', /failure\.default/],
    ['unknown function', 'failure: {functions: {nosuch: 0.1}}\n', /failure\.functions\.nosuch.*no function 'nosuch'/],
    ['unknown link', "links: [{link: 'w99.up', steps: [{at: 1s, factor: 0.5}]}]\n", /links\[0\]\.link.*no link 'w99\.up'/],
    ['a step with both factor and rate', "links: [{link: 'storage.down', steps: [{at: 1s, factor: 0.5, rate: 10MB/s}]}]\n", /exactly one of factor/],
    ['a link with neither steps nor walk', "links: [{link: 'storage.down'}]\n", /expected steps or walk/],
    ['walk min above max', "links: [{link: 'storage.down', walk: {every: 1s, sigma: 0.1, min: 2, max: 1}}]\n", /min <= max/],
    ['zero execution timeout', 'executionTimeout: 0s\n', /executionTimeout/],
    ['negative backoff', 'retry: {backoff: -1s}\n', /retry\.backoff/],
    ['retries not whole', 'retry: {max: 1.5}\n', /retry\.max/],
    ['unknown key', 'failures: 0.1\n', /failures/],
    ['an outage of no length', 'storeOutages: [{at: 1s, duration: 0s}]\n', /storeOutages\[0\]\.duration/],
    ['a node that does not exist', 'nodeLoss: [{node: w99, at: 1s, duration: 5s}]\n', /nodeLoss\[0\]\.node.*no node 'w99'/],
    ['a node that is not a worker', 'nodeLoss: [{node: storage, at: 1s, duration: 5s}]\n', /only workers can be lost/],
    ['an MTTR without an MTBF', 'nodeFailures: {nodes: workers, mttr: 10s}\n', /an mttr needs an mtbf/],
    ['an MTBF without an MTTR', 'nodeFailures: {nodes: [w0], mtbf: 100s}\n', /an mtbf needs an mttr/],
  ];
  for (const [what, yaml, re] of cases) {
    const f = write(`${what.replace(/\W+/g, '-')}.yaml`, yaml);
    const e = t.throws(() => buildScenario({ workflows: ['wordcount'], mode: 'faasflow', faults: f }), { instanceOf: ConfigError }, what);
    const msg = (e as ConfigError).format();
    t.true(msg.includes(path.basename(f)) || msg.includes(f), `${what}: names the file: ${msg}`);
    t.regex(msg, re, what);
  }
  t.throws(() => buildScenario({ workflows: ['wordcount'], mode: 'faasflow', failureRate: 2 }), { instanceOf: ConfigError, message: /failure-rate|probability/ });
  t.throws(() => buildScenario({ workflows: ['wordcount'], mode: 'faasflow', retries: -1 }), { instanceOf: ConfigError });
});
