import test from 'ava';
import { Simulator } from '../sim/engine/simulator.js';
import { Constant } from '../sim/engine/distributions.js';
import { makeRng } from '../sim/engine/random.js';
import { ContainerPools } from '../sim/models/container-pool.js';
import { Nodes } from '../sim/models/node.js';
import type { ClusterSpec } from '../sim/models/cluster.js';

const GiB = 2 ** 30;
const cluster = (memoryBytes: number): ClusterSpec => ({
  name: 't',
  nodes: [{ name: 'w0', role: 'worker', cores: 4, memoryBytes, nicBps: 1e9, latencyS: 0 }],
  storage: 'w0',
  gateway: 'w0',
  master: 'w0',
});

function setup(memoryBytes = 4 * GiB, keepAlive = 600) {
  const sim = new Simulator();
  const nodes = new Nodes(sim, cluster(memoryBytes));
  const pools = new ContainerPools(sim, nodes, new Constant(0.5), makeRng(1), keepAlive);
  return { sim, nodes, pools };
}
const opts = { memoryBytes: GiB, maxContainers: 2, dispatchPeriodS: 0 };

test('a released container is reused warm; after keep-alive it is gone and the next call is cold', (t) => {
  const { sim, pools, nodes } = setup();
  const log: string[] = [];
  const call = (at: number) =>
    sim.call(at, () =>
      pools.acquire('f', 0, opts, (c, cold) => {
        log.push(`${sim.now.toFixed(2)} ${cold ? 'cold' : 'warm'} #${c.id}`);
        sim.call(1, () => pools.release(c));
      }),
    );
  call(0); // cold, ready at 0.5, released at 1.5
  call(10); // warm
  call(10 + 1 + 599); // 599 s idle: still warm
  call(2000); // idle 600 s+ since 1211: expired -> cold
  sim.run();
  t.deepEqual(log, ['0.50 cold #0', '10.00 warm #0', '610.00 warm #0', '2000.50 cold #1']);
  t.is(pools.coldStarts, 2);
  t.is(nodes.memoryUsed[0], 0, 'all containers expired in the end');
});

test('calls beyond maxContainers queue FIFO and take containers as they are released', (t) => {
  const { sim, pools } = setup();
  const order: number[] = [];
  for (let k = 0; k < 5; k++) {
    pools.acquire('f', 0, opts, (c) => {
      order.push(k);
      sim.call(1, () => pools.release(c));
    });
  }
  sim.run();
  t.deepEqual(order, [0, 1, 2, 3, 4]);
  t.is(pools.coldStarts, 2);
  t.is(pools.peak, 2);
});

test('the dispatch loop: a call waits for the next tick', (t) => {
  const { sim, pools } = setup();
  let got = -1;
  sim.call(0.0123, () => pools.acquire('f', 0, { ...opts, dispatchPeriodS: 0.005 }, () => (got = sim.now)));
  sim.run(1);
  t.true(Math.abs(got - (0.015 + 0.5)) < 1e-9, `${got}`);
});

test('memory: idle containers of other functions are evicted (LRU) to make room; memory never over capacity', (t) => {
  const { sim, pools, nodes } = setup(2 * GiB);
  const events: string[] = [];
  const use = (fn: string, at: number, hold: number) =>
    sim.call(at, () =>
      pools.acquire(fn, 0, opts, (c, cold) => {
        events.push(`${fn}:${cold ? 'cold' : 'warm'}`);
        t.true(nodes.memoryUsed[0] <= nodes.memoryCapacity[0]);
        sim.call(hold, () => pools.release(c));
      }),
    );
  use('a', 0, 1);
  use('b', 0, 1);
  use('c', 5, 1); // memory full of idle a and b: a (older) or b is evicted
  sim.run(100);
  t.deepEqual(events, ['a:cold', 'b:cold', 'c:cold']);
  t.is(pools.evictions, 1);
  t.true(Math.max(...nodes.memoryPeak) <= 2 * GiB);
});

test('a container larger than its node is an error, not a silent wait', (t) => {
  const { pools } = setup(GiB / 2);
  t.throws(() => pools.acquire('big', 0, opts, () => {}), { message: /more than node w0 has/ });
});
