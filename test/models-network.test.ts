import test from 'ava';
import { Simulator } from '../sim/engine/simulator.js';
import { makeRng } from '../sim/engine/random.js';
import { Network } from '../sim/models/network.js';
import { DEFAULT_PARAMS, type Params } from '../sim/params.js';

const plain: Params['network'] = { bandwidthFactor: 1, latencyFactor: 1, ackWeight: 0, tcpGammaBytes: 0, sharing: 'maxmin', weightSBytes: 0, solveQuantumS: 0 };
const lv08: Params['network'] = { bandwidthFactor: 0.97, latencyFactor: 13.01, ackWeight: 0.05, tcpGammaBytes: 4194304, sharing: 'maxmin', weightSBytes: 0, solveQuantumS: 0 };

function close(t: { true: (c: boolean, m?: string) => void }, a: number, b: number, tol = 1e-9) {
  t.true(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);
}

test('one flow: latency + bytes / capacity', (t) => {
  const sim = new Simulator();
  const net = new Network(sim, plain);
  const up = net.addLink('a.up', 100e6, 0.001);
  const down = net.addLink('b.down', 50e6, 0.002);
  let done = -1;
  net.transfer([up, down], 10e6, () => (done = sim.now));
  sim.run();
  close(t, done, 0.003 + 10e6 / 50e6); // bottleneck 50 MB/s: 0.203 s
});

test('two flows sharing a link split it, then the survivor speeds up', (t) => {
  const sim = new Simulator();
  const net = new Network(sim, plain);
  const l = net.addLink('l', 100e6, 0);
  const ends: number[] = [];
  net.transfer([l], 50e6, () => ends.push(sim.now)); // 50 MB
  net.transfer([l], 100e6, () => ends.push(sim.now)); // 100 MB
  sim.run();
  // both at 50 MB/s until the small one ends at 1 s; the big one has 50 MB left at 100 MB/s: 1.5 s
  close(t, ends[0], 1.0);
  close(t, ends[1], 1.5);
});

test('three flows with different bottlenecks (max-min, hand-computed)', (t) => {
  // links: A cap 10, B cap 4 (units/s); flow1 uses A, flow2 uses A+B, flow3 uses B.
  // B bottleneck: flows 2,3 get 2 each; A: flow1 gets 10 - 2 = 8.
  const sim = new Simulator();
  const net = new Network(sim, plain);
  const A = net.addLink('A', 10, 0);
  const B = net.addLink('B', 4, 0);
  const ends = new Map<string, number>();
  net.transfer([A], 80, () => ends.set('f1', sim.now));
  net.transfer([A, B], 8, () => ends.set('f2', sim.now));
  net.transfer([B], 40, () => ends.set('f3', sim.now));
  sim.run(0);
  const rates = [...net.share.currentRates().values()].sort((x, y) => x - y);
  t.deepEqual(rates, [2, 2, 8]);
  sim.run();
  // f2: 8 units at 2/s = 4 s. Then f1 alone on A: 10/s; f3 alone on B: 4/s.
  close(t, ends.get('f2')!, 4);
  // f1 had 80 - 32 = 48 left at t=4 -> 4.8 s more = 8.8
  close(t, ends.get('f1')!, 8.8);
  // f3 had 40 - 8 = 32 left at t=4 -> 8 s more = 12
  close(t, ends.get('f3')!, 12);
});

test("SimGrid LV08 worked example: 100 kB over 10 ms / 1 Mbps takes 0.996079 s", (t) => {
  const sim = new Simulator();
  const net = new Network(sim, lv08);
  const l = net.addLink('l', 1e6 / 8, 0.01); // 1 Mbps in bytes/s
  let done = -1;
  net.transfer([l], 100e3, () => (done = sim.now), [l]);
  sim.run();
  close(t, done, 0.996079, 1e-6);
});

test('a flow never exceeds its TCP window bound gamma / (2 x latency)', (t) => {
  const sim = new Simulator();
  const net = new Network(sim, { ...plain, tcpGammaBytes: 1000 });
  const l = net.addLink('l', 1e9, 0.5); // bound = 1000 / 1 = 1000 B/s
  let done = -1;
  net.transfer([l], 2000, () => (done = sim.now));
  sim.run();
  close(t, done, 0.5 + 2);
});

test('bytes sent equal bytes received and per-link bytes add up (random flows)', (t) => {
  const sim = new Simulator();
  const net = new Network(sim, DEFAULT_PARAMS.network);
  const rng = makeRng(7, 'flows');
  const links = Array.from({ length: 12 }, (_, i) => net.addLink(`l${i}`, 1e6 * (1 + i), 1e-4));
  let completions = 0;
  let expected = 0;
  for (let i = 0; i < 300; i++) {
    const a = links[Math.floor(rng() * 6)];
    const b = links[6 + Math.floor(rng() * 6)];
    const bytes = Math.floor(rng() * 5e6);
    expected += bytes;
    sim.call(rng() * 10, () => net.transfer([a, b], bytes, () => completions++));
  }
  sim.run();
  t.is(completions, 300);
  t.is(net.bytesSent, expected);
  t.is(net.bytesReceived, expected);
  const total = net.links().reduce((s, l) => s + l.bytes, 0);
  t.is(total, 2 * expected);
  t.is(net.activeFlows, 0);
});

test('incremental (component) recomputation gives the same rates as a full recomputation', (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const sim = new Simulator();
    const net = new Network(sim, plain);
    const rng = makeRng(seed, 'prop');
    const links = Array.from({ length: 10 }, (_, i) => net.addLink(`l${i}`, 1 + Math.floor(rng() * 100), 0));
    let checks = 0;
    for (let i = 0; i < 60; i++) {
      const route = [...new Set(Array.from({ length: 1 + Math.floor(rng() * 3) }, () => links[Math.floor(rng() * links.length)]))];
      sim.call(rng() * 5, () => net.transfer(route, 1 + rng() * 200, () => {}));
    }
    // compare after every event batch
    while (sim.pending > 0) {
      sim.run(sim.now + 0.05);
      const inc = net.share.currentRates();
      const full = net.share.fullRates();
      for (const [a, r] of full) {
        const ri = inc.get(a)!;
        if (Math.abs(ri - r) > 1e-9 * Math.max(1, r)) t.fail(`seed ${seed}: activity ${a} incremental ${ri} vs full ${r}`);
      }
      checks++;
    }
    t.true(checks > 10);
  }
});

// --- faults: capacity steps and cancelled flows (hand-computed) -------------------------------

test('a capacity step changes a flow finish time exactly: 100 MB at 10 MB/s, halved at 5 s', (t) => {
  const sim = new Simulator();
  const net = new Network(sim, plain, true);
  const l = net.addLink('l', 10e6, 0);
  let done = -1;
  net.transfer([l], 100e6, () => (done = sim.now));
  sim.call(5, () => net.setCapacity(l, 5e6));
  sim.run();
  // 50 MB by 5 s, then 50 MB at 5 MB/s: 10 s more
  close(t, done, 15);
  t.is(net.capacityNow(l), 5e6);
  t.is(net.bytesReceived, 100e6);
});

test('a capacity step back up mid-flow, with the bandwidth factor applied to the new capacity', (t) => {
  const sim = new Simulator();
  const net = new Network(sim, { ...plain, bandwidthFactor: 0.5 }, true);
  const l = net.addLink('l', 20e6, 0); // goodput 10 MB/s
  let done = -1;
  net.transfer([l], 100e6, () => (done = sim.now));
  sim.call(2, () => net.setCapacity(l, 60e6)); // goodput 30 MB/s from 2 s
  sim.run();
  // 20 MB by 2 s, 80 MB at 30 MB/s: 2.6667 s more
  close(t, done, 2 + 80 / 30);
});

test('a cancelled flow frees its share: the survivor speeds up, and its bytes are counted as lost', (t) => {
  const sim = new Simulator();
  const net = new Network(sim, plain, true);
  const l = net.addLink('l', 100e6, 0);
  let survivor = -1;
  let cancelledDone = false;
  const a = net.transfer([l], 100e6, () => (cancelledDone = true));
  net.transfer([l], 100e6, () => (survivor = sim.now));
  sim.call(1, () => t.true(net.cancel(a)));
  sim.run();
  // both at 50 MB/s for 1 s (50 MB each), then the survivor alone: 50 MB at 100 MB/s
  close(t, survivor, 1.5);
  t.false(cancelledDone, 'a cancelled flow never calls back');
  t.is(net.bytesLost, 100e6);
  t.is(net.bytesSent, net.bytesReceived + net.bytesLost + net.bytesInFlight);
  // the link carried the cancelled flow's first 50 MB and the survivor's 100 MB
  close(t, net.links()[0].bytes, 150e6);
  t.false(net.cancel(a), 'cancelling twice does nothing');
});

test('a flow cancelled in its latency phase never takes bandwidth', (t) => {
  const sim = new Simulator();
  const net = new Network(sim, plain, true);
  const l = net.addLink('l', 10e6, 1);
  let other = -1;
  const a = net.transfer([l], 10e6, () => t.fail('cancelled'));
  net.transfer([l], 10e6, () => (other = sim.now));
  sim.call(0.5, () => net.cancel(a));
  sim.run();
  close(t, other, 1 + 1); // alone at 10 MB/s after its 1 s latency
  t.is(net.activeFlows, 0);
  t.is(net.bytesLost, 10e6);
});

test('large components (one completion event per solve) keep rates equal to a full recomputation, with cancels', (t) => {
  for (let seed = 1; seed <= 4; seed++) {
    const sim = new Simulator();
    const net = new Network(sim, plain, true);
    const rng = makeRng(seed, 'prop-large');
    const up = Array.from({ length: 16 }, (_, i) => net.addLink(`u${i}`, 1e6 * (1 + Math.floor(rng() * 4)), 0));
    const down = Array.from({ length: 16 }, (_, i) => net.addLink(`d${i}`, 1e6 * (1 + Math.floor(rng() * 4)), 0));
    let done = 0;
    const flows: number[] = [];
    for (let i = 0; i < 400; i++) {
      const route = [up[Math.floor(rng() * 16)], down[Math.floor(rng() * 16)]];
      sim.call(rng() * 2, () => flows.push(net.transfer(route, 1e5 + rng() * 2e6, () => done++)));
    }
    let cancelled = 0;
    for (let i = 0; i < 20; i++) sim.call(0.5 + rng() * 2, () => (cancelled += flows.length > 0 && net.cancel(flows[Math.floor(rng() * flows.length)]) ? 1 : 0));
    let checks = 0;
    while (sim.pending > 0) {
      sim.run(sim.now + 0.02);
      const inc = net.share.currentRates();
      for (const [a, r] of net.share.fullRates()) {
        const ri = inc.get(a)!;
        if (Math.abs(ri - r) > 1e-9 * Math.max(1, r)) t.fail(`seed ${seed}: activity ${a} incremental ${ri} vs full ${r}`);
      }
      checks++;
    }
    t.true(checks > 50);
    t.is(done + cancelled, 400);
    t.is(net.activeFlows, 0);
    close(t, net.bytesSent, net.bytesReceived + net.bytesLost);
  }
});

test("sharing 'simgrid': shares go as 1 / route latency; a zero-latency flow has penalty 1 (SimGrid CM02)", (t) => {
  const cm02: Params['network'] = { ...plain, sharing: 'simgrid' };
  const sim = new Simulator();
  const net = new Network(sim, cm02);
  const a = net.addLink('a', 1e9, 0.01);
  const b = net.addLink('b', 1e9, 0.03);
  const z = net.addLink('z', 1e9, 0);
  const l = net.addLink('l', 1e6, 0);
  net.transfer([a, l], 1e9, () => {});
  net.transfer([b, l], 1e9, () => {});
  net.transfer([z, l], 1e9, () => {});
  sim.run(0.05);
  // penalties 0.01, 0.03 and 1: rates in proportion to 100, 33.3 and 1
  const rates = [...net.share.currentRates().values()].sort((x, y) => y - x);
  const unit = 1e6 / (100 + 100 / 3 + 1);
  close(t, rates[0], 100 * unit);
  close(t, rates[1], (100 / 3) * unit);
  close(t, rates[2], unit);
});

test('solveQuantumS (an approximation, off by default): a change waits for the next multiple of the quantum', (t) => {
  const sim = new Simulator();
  const net = new Network(sim, { ...plain, solveQuantumS: 1e-4 });
  const l = net.addLink('l', 1e6, 0);
  let done = -1;
  sim.call(0.5e-4, () => net.transfer([l], 1e6, () => (done = sim.now)));
  sim.run();
  close(t, done, 1e-4 + 1); // exact: 1.00005 s
  t.is(DEFAULT_PARAMS.network.solveQuantumS, 0);
});
