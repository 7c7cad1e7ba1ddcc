/**
 * Overload: requests that time out do not keep a run going. The run ends once every request is
 * resolved and nothing more will be sent; what timed-out requests still had running is abandoned
 * and reported, and bytes are conserved: sent = received + abandoned in flight.
 */
import test from 'ava';
import { buildScenario } from '../loader/build.js';
import { runScenario } from '../sim/run.js';

test('an overloaded run ends within the send window plus the client timeout, and reports what it abandoned', (t) => {
  // cycles in hyperflow mode at 10 rpm under a 50 MB/s cap: every request takes far longer than 60 s
  const r = runScenario(buildScenario({ workflows: ['cycles'], mode: 'hyperflow', rpm: 10, bandwidthMBps: 50, durationS: 120 }));
  t.is(r.requests, r.completed + r.timeouts, 'every measured request ends once, completed or timed out');
  t.true(r.timeouts > 0);
  // the last request is sent before 120 s and resolves by its 60 s timeout
  t.true(r.simulatedSeconds <= 120 + 60 + 1, `ran ${r.simulatedSeconds} s`);
  t.true(r.abandoned.requests > 0 && r.abandoned.instances > 0, JSON.stringify(r.abandoned));
  t.is(r.bytesSent, r.bytesReceived + r.abandoned.bytesInFlight);
});

test('a run without timeouts abandons nothing and conserves bytes exactly', (t) => {
  for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
    const r = runScenario(buildScenario({ workflows: ['video'], mode, rpm: 6, durationS: 60 }));
    t.is(r.timeouts, 0);
    t.deepEqual(r.abandoned, { requests: 0, instances: 0, bytesInFlight: 0 }, mode);
    t.is(r.bytesSent, r.bytesReceived, mode);
  }
});

test('at 6,000 rpm the run still ends by the window plus the timeout, with every request resolved once', (t) => {
  const r = runScenario(buildScenario({ workflows: ['wordcount'], mode: 'faasflow', rpm: 6000, durationS: 10, warmupRequests: 0 }));
  t.is(r.requests, 1000);
  t.is(r.requests, r.completed + r.timeouts);
  t.true(r.simulatedSeconds <= 10 + 60 + 1, `ran ${r.simulatedSeconds} s`);
  t.is(r.bytesSent, r.bytesReceived + r.abandoned.bytesInFlight);
});

// --- request.onTimeout: 'cancel' -----------------------------------------------------------

import type { WorkflowSpec } from '../sim/models/workflow.js';
import type { ModeName } from '../sim/scenario.js';

/** One function of `seconds` with a single container: the second and third requests queue behind the first. */
const oneContainer: WorkflowSpec = {
  name: 'one-container',
  functions: [{ name: 'x', kind: 'function', serviceTime: { kind: 'constant', value: 2 }, cpu: 1, memoryBytes: 256 * 2 ** 20, maxContainers: 1, instances: 1, inputBytes: 0, userOutputBytes: 0 }],
  edges: [],
};

function queued(mode: ModeName, onTimeout: 'continue' | 'cancel') {
  // three requests 0.1 s apart, a 3 s client timeout: the first runs x from about 0 to 2 s, the
  // second from 2 to 4 s (it times out at 3.1 s while running), the third waits for 4 s (it times
  // out at 3.2 s while queued). Drained, so that what happens after the timeouts is simulated.
  const s = buildScenario({ workflows: [oneContainer], mode, rpm: 600, durationS: 0.25, warmupRequests: 0, trace: true, params: { request: { timeoutS: 3, onTimeout } } });
  return runScenario(s, { drain: true });
}

test('cancel: a call queued when its request times out never runs; a running one finishes; nothing after is triggered', (t) => {
  for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
    const go = queued(mode, 'continue');
    const stop = queued(mode, 'cancel');
    t.deepEqual([go.requests, go.completed, go.timeouts], [3, 1, 2], mode);
    t.deepEqual([stop.requests, stop.completed, stop.timeouts], [3, 1, 2], mode);
    // continue: all three run x, back to back on the one container
    t.is(go.cost.invocations, 3, mode);
    t.deepEqual(go.cancelled, { requests: 0, instances: 0 }, mode);
    t.is(go.droppedCalls, 0, mode);
    const starts = go.instances!.map((i) => i.start).sort((a, b) => a - b);
    t.true(starts[1] - starts[0] >= 2 - 1e-9 && starts[2] - starts[1] >= 2 - 1e-9, `${mode}: ${starts}`);
    // cancel: the second runs to its end (billed, not in the trace: it ended after the timeout),
    // the third's queued call is dropped when the container frees
    t.is(stop.cost.invocations, 2, mode);
    t.deepEqual(stop.cancelled, { requests: 2, instances: 2 }, mode);
    t.true(stop.droppedCalls >= 1, `${mode}: dropped ${stop.droppedCalls}`);
    t.is(stop.instances!.length, 1, mode);
    t.true(Math.abs(stop.cost.gbSeconds - go.cost.gbSeconds * (2 / 3)) < 1e-6 * go.cost.gbSeconds, `${mode}: ${stop.cost.gbSeconds} vs ${go.cost.gbSeconds}`);
    t.is(stop.bytesSent, stop.bytesReceived + stop.abandoned.bytesInFlight, mode);
  }
});

test('cancel changes nothing in a run without timeouts (the engines queue in the same order)', (t) => {
  for (const w of ['video', 'genome', 'wordcount']) {
    for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
      const o = { workflows: [w], mode, rpm: 6, durationS: 60, bandwidthMBps: 50 };
      const a = runScenario(buildScenario(o));
      const b = runScenario(buildScenario({ ...o, params: { request: { onTimeout: 'cancel' as const } } }));
      t.is(a.timeouts, 0);
      const same = (r: typeof a) => JSON.stringify({ ...r, wallSeconds: 0, eventsPerSecond: 0, events: 0, params: '' });
      t.is(same(b), same(a), `${w}/${mode}`);
    }
  }
});

test('cancel under sustained overload: every request ends once, the run ends by the window plus the timeout, bytes are conserved', (t) => {
  for (const mode of ['hyperflow', 'faasflow', 'dataflower'] as const) {
    const r = runScenario(buildScenario({ workflows: ['wordcount'], mode, rpm: 6000, durationS: 20, warmupRequests: 0, params: { request: { onTimeout: 'cancel' } } }));
    t.is(r.requests, 2000, mode);
    t.is(r.requests, r.completed + r.timeouts, mode);
    t.is(r.cancelled.requests, r.timeouts, `${mode}: every timed-out request is cancelled`);
    t.is(r.abandoned.requests, 0, `${mode}: nothing is left running unaccounted`);
    t.true(r.simulatedSeconds <= 20 + 60 + 1, `${mode}: ran ${r.simulatedSeconds} s`);
    t.is(r.bytesSent, r.bytesReceived + r.abandoned.bytesInFlight, mode);
    for (const m of r.memory) t.true(m.peakBytes <= m.capacityBytes, `${mode}: ${m.node}`);
  }
});
