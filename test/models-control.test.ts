import test from 'ava';
import { Simulator } from '../sim/engine/simulator.js';
import { Network } from '../sim/models/network.js';
import { Topology } from '../sim/models/topology.js';
import { ControlPlane } from '../sim/models/control.js';
import type { ClusterSpec } from '../sim/models/cluster.js';
import { DEFAULT_PARAMS } from '../sim/params.js';

/** master m (latency 1 ms) and workers a (2 ms), b (5 ms); 1 MB/s everywhere, 1,000-byte messages. */
function setup(http: { httpRequestS?: number; httpClientS?: number } = {}) {
  const cluster: ClusterSpec = {
    name: 'control-test',
    nodes: [
      { name: 'm', role: 'storage', cores: 1, memoryBytes: 2 ** 30, nicBps: 1e6, latencyS: 0.001 },
      { name: 'a', role: 'worker', cores: 1, memoryBytes: 2 ** 30, nicBps: 1e6, latencyS: 0.002 },
      { name: 'b', role: 'worker', cores: 1, memoryBytes: 2 ** 30, nicBps: 1e6, latencyS: 0.005 },
    ],
    storage: 'm',
    gateway: 'm',
    master: 'm',
  };
  const sim = new Simulator();
  const p = { ...DEFAULT_PARAMS, control: { messageBytes: 1000, engineOverheadS: 0.01, httpRequestS: 0, httpClientS: 0, localCallS: 0.0001, ...http } };
  const topo = new Topology(new Network(sim, p.network), cluster, p);
  return { sim, control: new ControlPlane(sim, topo, p.control) };
}

// one message m<->a: 1 + 2 ms latency + 1,000 B / 1 MB/s = 4 ms; m<->b: 1 + 5 + 1 = 7 ms
test('poll: the callback runs when the slowest reply arrives (hand-computed)', (t) => {
  const { sim, control } = setup();
  let doneAt = -1;
  control.poll(0, [1, 2], () => (doneAt = sim.now));
  sim.run();
  // b: 7 ms there, 10 ms processing, 7 ms back = 24 ms
  t.true(Math.abs(doneAt - 0.024) < 1e-12, `done at ${doneAt}`);
  t.is(control.messages, 4);
  t.is(control.operations, 2);
});

test('poll: a busy target engine delays its reply (FIFO), and polls in flight do not mix', (t) => {
  const { sim, control } = setup();
  // occupy b's engine from t=0 for 50 ms
  control.process(2, () => {}, 0.05);
  const done: Array<[string, number]> = [];
  control.poll(0, [1, 2], () => done.push(['first', sim.now]));
  control.poll(0, [1], () => done.push(['second', sim.now]));
  sim.run();
  // second: a gets both requests at 4 ms; the first holds it 4-14 ms, the second 14-24 ms, reply at 28 ms
  // first: b is busy until 50 ms, processes 50-60 ms, reply at 67 ms
  t.deepEqual(done.map(([n]) => n), ['second', 'first']);
  t.true(Math.abs(done[0][1] - 0.028) < 1e-12, `second at ${done[0][1]}`);
  t.true(Math.abs(done[1][1] - 0.067) < 1e-12, `first at ${done[1][1]}`);
});

test('poll: the same events and times as chained send/process/send closures', (t) => {
  const a = setup();
  const b = setup();
  const times = (x: ReturnType<typeof setup>, viaPoll: boolean) => {
    const out: number[] = [];
    for (let k = 0; k < 5; k++) {
      x.sim.call(k * 0.003, () => {
        const done = () => out.push(x.sim.now);
        if (viaPoll) x.control.poll(0, [1, 2], done);
        else {
          let left = 2;
          for (const w of [1, 2]) x.control.send(0, w, () => x.control.process(w, () => x.control.send(w, 0, () => --left === 0 && done())));
        }
      });
    }
    x.sim.run();
    return { out, events: x.sim.events, messages: x.control.messages, operations: x.control.operations };
  };
  t.deepEqual(times(a, true), times(b, false));
});

test('poll of no targets calls back at once', (t) => {
  const { sim, control } = setup();
  let called = false;
  control.poll(0, [], () => (called = true));
  t.true(called);
  t.is(sim.pending, 0);
});

// the sender's client time is serial on its engine; the HTTP delay is not: m -> a twice with
// httpClientS 5 ms, httpRequestS 2 ms, message 4 ms, a's engine 10 ms per request:
// first leaves at 5 ms, arrives 11 ms, done 21 ms; second leaves at 10 ms, arrives 16 ms, waits for
// a's engine, done 31 ms
test('request: the sender pays httpClientS one request after another, then the HTTP delay (hand-computed)', (t) => {
  const { sim, control } = setup({ httpClientS: 0.005, httpRequestS: 0.002 });
  const done: number[] = [];
  control.request(0, 1, () => done.push(sim.now));
  control.request(0, 1, () => done.push(sim.now));
  sim.run();
  t.deepEqual(done.map((x) => Math.round(x * 1e9) / 1e9), [0.021, 0.031]);
});
