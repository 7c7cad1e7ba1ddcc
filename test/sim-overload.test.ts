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
