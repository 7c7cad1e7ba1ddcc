/** Node CPU sharing and memory (sim/models/node.ts): hand-computed processor sharing. */
import test from 'ava';
import { Simulator } from '../sim/engine/simulator.js';
import { Nodes } from '../sim/models/node.js';
import type { ClusterSpec } from '../sim/models/cluster.js';

const cluster = (cores: number, memoryBytes = 1000): ClusterSpec => ({
  name: 't',
  nodes: [{ name: 'w0', role: 'worker', cores, memoryBytes, nicBps: 1e9, latencyS: 0 }],
  storage: 'w0',
  gateway: 'w0',
  master: 'w0',
});

function run(cores: number, tasks: Array<{ at: number; seconds: number; cpu: number }>): number[] {
  const sim = new Simulator();
  const nodes = new Nodes(sim, cluster(cores));
  const ends: number[] = [];
  tasks.forEach((x, k) => sim.call(x.at, () => nodes.compute(0, x.seconds, x.cpu, () => (ends[k] = sim.now))));
  sim.run();
  return ends.map((e) => Math.round(e * 1e9) / 1e9);
}

test('alone, a task takes its seconds at its cpu; cpu 0 is a pure delay', (t) => {
  t.deepEqual(run(4, [{ at: 0, seconds: 2, cpu: 0.5 }]), [2]);
  t.deepEqual(run(1, [{ at: 1, seconds: 3, cpu: 0 }, { at: 1, seconds: 3, cpu: 0 }]), [4, 4]);
});

test('two 1-core tasks on 1 core share it: the short one ends at 2 s, the long one at 3 s', (t) => {
  // A needs 2 core-s, B 1 core-s, both at 0.5 core until B ends at t = 2 (1 core-s each done);
  // A's last core-second then runs alone: t = 3
  t.deepEqual(run(1, [{ at: 0, seconds: 2, cpu: 1 }, { at: 0, seconds: 1, cpu: 1 }]), [3, 2]);
});

test('max-min sharing honours each task cap: 0.2-core tasks are not slowed until demand passes the cores', (t) => {
  // 5 x 0.2 = 1 core on a 1-core node: no slowdown; a 6th makes each 1/6 core
  t.deepEqual(run(1, Array.from({ length: 5 }, () => ({ at: 0, seconds: 1, cpu: 0.2 }))), [1, 1, 1, 1, 1]);
  const six = run(1, Array.from({ length: 6 }, () => ({ at: 0, seconds: 1, cpu: 0.2 })));
  for (const e of six) t.true(Math.abs(e - 1.2) < 1e-9, String(e));
  // a 1-core task next to a 0.2-core one on 1 core: the small one keeps its 0.2 (max-min), the big one 0.8
  t.deepEqual(run(1, [{ at: 0, seconds: 0.8, cpu: 1 }, { at: 0, seconds: 1, cpu: 0.2 }]), [1, 1]);
});

test('memory: reserve refuses what would exceed the capacity; release makes room; the peak is kept', (t) => {
  const nodes = new Nodes(new Simulator(), cluster(1, 1000));
  t.true(nodes.reserve(0, 600));
  t.false(nodes.reserve(0, 500));
  t.true(nodes.reserve(0, 400));
  nodes.release(0, 600);
  t.is(nodes.memoryUsed[0], 400);
  t.is(nodes.memoryPeak[0], 1000);
});
