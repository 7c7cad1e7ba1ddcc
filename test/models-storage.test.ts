import test from 'ava';
import { Simulator } from '../sim/engine/simulator.js';
import { Network } from '../sim/models/network.js';
import { Storage } from '../sim/models/storage.js';
import { DocumentStore } from '../sim/models/document-store.js';
import { Topology } from '../sim/models/topology.js';
import type { ClusterSpec } from '../sim/models/cluster.js';
import { DEFAULT_PARAMS, mergeParams } from '../sim/params.js';

const cluster: ClusterSpec = {
  name: 't',
  nodes: [
    { name: 's', role: 'storage', cores: 1, memoryBytes: 2 ** 30, nicBps: 1e15, latencyS: 0 },
    { name: 'w', role: 'worker', cores: 1, memoryBytes: 2 ** 30, nicBps: 1e15, latencyS: 0 },
  ],
  storage: 's',
  gateway: 's',
  master: 's',
};

function setup(conflicts: boolean, pipelined: boolean) {
  const p = mergeParams(DEFAULT_PARAMS, {
    network: { bandwidthFactor: 1, tcpGammaBytes: 0 },
    storage: { remoteOpLatencyS: 0.01, remoteWriteThroughputBps: 1e7, clientThroughputBps: 1e15, documentConflicts: conflicts, remotePipelined: pipelined },
  });
  const sim = new Simulator();
  const net = new Network(sim, p.network);
  const topo = new Topology(net, cluster, p);
  const storage = new Storage(sim, net, topo, p.storage);
  return { sim, storage, docs: new DocumentStore(storage, conflicts) };
}

// n = 3 writers of S = 1 MB to one document, server write throughput B = 10 MB/s, op cost L = 10 ms,
// no network limit (NICs of 1e15 B/s: under 1 us per round, below the 1 us rounding): round m (m writers left) takes 2L + m S / B = 0.02 + 0.1 m, one writer wins per
// round: 0.32, 0.32 + 0.22 = 0.54, 0.54 + 0.12 = 0.66 s (hand-computed, document-store.ts header).
for (const pipelined of [false, true]) {
  test(`document conflicts: 3 parallel writers to one document serialise (golden, ${pipelined ? 'pipelined' : 'store and forward'})`, (t) => {
    const { sim, docs } = setup(true, pipelined);
    const ends: number[] = [];
    for (let k = 0; k < 3; k++) docs.putAttachment(1, 7, 1e6, () => ends.push(sim.now));
    sim.run();
    t.deepEqual(
      ends.map((x) => Math.round(x * 1e6) / 1e6),
      [0.32, 0.54, 0.66],
    );
    t.is(docs.conflicts, 2 + 1, 'round 1 loses two uploads, round 2 one');
  });
}

test('document conflicts: writers to different documents do not conflict; without conflicts they share the server', (t) => {
  const a = setup(true, false);
  const ends: number[] = [];
  for (let k = 0; k < 3; k++) a.docs.putAttachment(1, k, 1e6, () => ends.push(a.sim.now));
  a.sim.run();
  // one round each: 2L + 3 S / B = 0.32 s
  t.deepEqual(ends.map((x) => Math.round(x * 1e6) / 1e6), [0.32, 0.32, 0.32]);
  t.is(a.docs.conflicts, 0);
  const b = setup(false, false);
  const ends2: number[] = [];
  for (let k = 0; k < 3; k++) b.docs.putAttachment(1, 7, 1e6, () => ends2.push(b.sim.now));
  b.sim.run();
  // no revision read: L + 3 S / B = 0.31 s
  t.deepEqual(ends2.map((x) => Math.round(x * 1e6) / 1e6), [0.31, 0.31, 0.31]);
});

test('remote store: store and forward adds the per-byte costs, pipelined takes the slower stage (hand-computed)', (t) => {
  const capped: ClusterSpec = { ...cluster, nodes: cluster.nodes.map((n) => ({ ...n, nicBps: 2e7 })) };
  for (const [pipelined, expect] of [
    [false, 0.01 + 1e6 / 2e7 + 1e6 / 1e7], // L + S / net + S / server = 0.16
    [true, 0.01 + 1e6 / 1e7], // L + S / min(net, server) = 0.11
  ] as const) {
    const p = mergeParams(DEFAULT_PARAMS, { network: { bandwidthFactor: 1, tcpGammaBytes: 0 }, storage: { remoteOpLatencyS: 0.01, remoteWriteThroughputBps: 1e7, remotePipelined: pipelined } });
    const sim = new Simulator();
    const net = new Network(sim, p.network);
    const storage = new Storage(sim, net, new Topology(net, capped, p), p.storage);
    let end = NaN;
    storage.put(1, 1e6, () => (end = sim.now));
    sim.run();
    t.true(Math.abs(end - expect) < 1e-9, `pipelined ${pipelined}: ${end} vs ${expect}`);
  }
});

test('commits to one database are served one at a time; other databases do not wait (hand-computed)', (t) => {
  const p = mergeParams(DEFAULT_PARAMS, { storage: { remoteCommitS: 0.01 } });
  const sim = new Simulator();
  const net = new Network(sim, p.network);
  const storage = new Storage(sim, net, new Topology(net, cluster, p), p.storage);
  const ends: Array<[string, number]> = [];
  for (let k = 0; k < 3; k++) storage.commit('log', () => ends.push(['log', sim.now]));
  storage.commit('results', () => ends.push(['results', sim.now]));
  sim.run();
  t.deepEqual(
    ends.map(([d, x]) => [d, Math.round(x * 1e9) / 1e9]),
    [
      ['log', 0.01],
      ['results', 0.01],
      ['log', 0.02],
      ['log', 0.03],
    ],
  );
});
