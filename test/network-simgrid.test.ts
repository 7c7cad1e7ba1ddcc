/**
 * SimGrid 3.32 as a differential oracle of the flow-level network (oracle/simgrid.ts): the same
 * flow lists on flowsim and on SimGrid's s4u (built on demand from Debian's libsimgrid-dev), in
 * three modes: plain max-min (flowsim's default sharing), CM02 (RTT-weighted sharing) and LV08
 * (SimGrid's defaults: factors, weight-S, ACKs on the reverse route, TCP window). Finish times
 * must agree to 1e-9 relative. Skipped, with the reason, where g++ or SimGrid is missing.
 * The 10,000-flow any-to-any set is in `npm run bench -- network` (SimGrid takes about a minute).
 */
import test from 'ava';
import { generateFlowSet, maxRelError, MODE_PARAMS, ORACLE_MODES, runFlowsim, runSimgrid, simgridOracle, type FlowSet, type OracleMode } from '../oracle/simgrid.js';

const TOL = 1e-9;
const oracle = simgridOracle();
if (!oracle.ok) console.log(`network-simgrid: skipped, ${oracle.reason}`);
const withSimgrid = oracle.ok ? test : test.skip;

function close(t: { true: (c: boolean, m?: string) => void }, a: number, b: number, what: string, tol = 1e-12) {
  t.true(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} != ${b}`);
}

// --- golden cases, by hand -------------------------------------------------------------------

/** Nodes 0 and 1 send 1 MB each to node 2 at t = 0; NICs 1 MB/s; one-way latencies 10 ms, 30 ms, 0. */
const twoSenders: FlowSet = {
  nodes: 3,
  nicBps: [1e6, 1e6, 1e6],
  latencyS: [0.01, 0.03, 0],
  flows: [
    { start: 0, bytes: 1e6, src: 0, dst: 2 },
    { start: 0, bytes: 1e6, src: 1, dst: 2 },
  ],
};

/**
 * Flow A (route latency 10 ms) starts sharing at 0.01 s, alone on node 2's downlink until B
 * (30 ms) joins at 0.03 s: A has 20 kB done.
 * - plain max-min: 0.5 MB/s each; A's 980 kB take 1.96 s (A ends at 1.99 s, B has 980 kB done),
 *   then B's last 20 kB take 0.02 s alone: 2.01 s.
 * - CM02 (shares in proportion to 1/latency: A 3/4, B 1/4): A's 980 kB at 750 kB/s end at
 *   0.03 + 1.306667 = 1.336667 s; B then has 326.667 kB done, its 673.333 kB end at 2.01 s.
 */
const goldenTwoSenders: Record<'maxmin' | 'cm02', [number, number]> = {
  maxmin: [1.99, 2.01],
  cm02: [0.03 + 0.98 / 0.75, 2.01],
};

for (const mode of ['maxmin', 'cm02'] as const) {
  test(`golden ${mode}: two senders with 10 ms and 30 ms routes into one downlink (flowsim by hand)`, (t) => {
    const f = runFlowsim(twoSenders, MODE_PARAMS[mode]).finish;
    close(t, f[0], goldenTwoSenders[mode][0], 'A');
    close(t, f[1], goldenTwoSenders[mode][1], 'B');
  });
  withSimgrid(`golden ${mode}: SimGrid gives the hand-computed times too`, (t) => {
    const f = runSimgrid(twoSenders, mode).finish;
    close(t, f[0], goldenTwoSenders[mode][0], 'A');
    close(t, f[1], goldenTwoSenders[mode][1], 'B');
  });
}

/**
 * LV08, one flow of 100 kB from node 0 to node 1 over 1 Mbit/s NICs with 10 ms each (SimGrid's
 * documented example on two links): route latency 0.02 s x 13.01, then 0.97 x 125 kB/s. Its ACKs
 * go on the reverse route (1.up, 0.down), not on the links the data uses, so no 1/1.05:
 * 0.2602 + 1e5 / (0.97 x 125e3) = 1.0849423 s. The same flow with a reply the other way at the same
 * time: each uplink carries one flow's data and the other's ACKs, so each gets 1/1.05 of it.
 */
const lv08One: FlowSet = { nodes: 2, nicBps: [125e3, 125e3], latencyS: [0.01, 0.01], flows: [{ start: 0, bytes: 1e5, src: 0, dst: 1 }] };
const lv08Both: FlowSet = { ...lv08One, flows: [...lv08One.flows, { start: 0, bytes: 1e5, src: 1, dst: 0 }] };
const goldenLv08One = 0.02 * 13.01 + 1e5 / (0.97 * 125e3);
const goldenLv08Both = 0.02 * 13.01 + 1e5 / ((0.97 * 125e3) / 1.05);

test('golden lv08: ACKs on the true reverse route (flowsim by hand)', (t) => {
  close(t, runFlowsim(lv08One, MODE_PARAMS.lv08).finish[0], goldenLv08One, 'one flow');
  const both = runFlowsim(lv08Both, MODE_PARAMS.lv08).finish;
  close(t, both[0], goldenLv08Both, 'both ways');
  close(t, both[1], goldenLv08Both, 'both ways');
});

withSimgrid('golden lv08: SimGrid gives the hand-computed times too', (t) => {
  close(t, runSimgrid(lv08One, 'lv08').finish[0], goldenLv08One, 'one flow');
  const both = runSimgrid(lv08Both, 'lv08').finish;
  close(t, both[0], goldenLv08Both, 'both ways');
  close(t, both[1], goldenLv08Both, 'both ways');
});

test('lv08: the TCP window caps goodput at bandwidthFactor x gamma / (2 latency), as SimGrid applies it', (t) => {
  // 100 MB over 10 Gbit/s NICs with 5 ms each: the window (4 MiB / 20 ms = 209.7 MB/s) binds
  const set: FlowSet = { nodes: 2, nicBps: [1.25e9, 1.25e9], latencyS: [0.005, 0.005], flows: [{ start: 0, bytes: 1e8, src: 0, dst: 1 }] };
  const expected = 0.01 * 13.01 + 1e8 / ((0.97 * 4194304) / (2 * 0.01));
  close(t, runFlowsim(set, MODE_PARAMS.lv08).finish[0], expected, 'flowsim');
  if (oracle.ok) close(t, runSimgrid(set, 'lv08').finish[0], expected, 'SimGrid');
});

// --- random flow sets ------------------------------------------------------------------------

interface Case {
  name: string;
  nodes: number;
  flows: number;
  pattern: 'uniform' | 'racks';
}

const CASES: Case[] = [
  { name: '1,000 flows any-to-any over 20 nodes', nodes: 20, flows: 1000, pattern: 'uniform' },
  { name: '1,000 flows in racks of 4 over 20 nodes', nodes: 20, flows: 1000, pattern: 'racks' },
  { name: '10,000 flows in racks of 4 over 100 nodes', nodes: 100, flows: 10_000, pattern: 'racks' },
];

function flowSet(c: Case, seed: number): FlowSet {
  // mixed NICs (1 and 10 Gbit/s) and latencies (10 us to 1 ms per link), 10 MB mean, starts over 1 s
  return generateFlowSet({ seed, nodes: c.nodes, flows: c.flows, pattern: c.pattern, arrivalS: 1, meanBytes: 10e6, nicChoicesBps: [1.25e8, 1.25e9], latencyChoicesS: [1e-5, 5e-5, 2e-4, 1e-3] });
}

for (const c of CASES) {
  for (const mode of ORACLE_MODES) {
    withSimgrid(`${mode}: ${c.name}, mixed latencies: flowsim and SimGrid agree to 1e-9`, (t) => {
      const set = flowSet(c, c.flows + c.nodes);
      const a = runFlowsim(set, MODE_PARAMS[mode]);
      const b = runSimgrid(set, mode);
      const e = maxRelError(a.finish, b.finish);
      t.log(`max relative error ${e.err.toExponential(2)} (flow ${e.flow}); wall flowsim ${a.wallS.toFixed(2)} s, SimGrid ${b.wallS.toFixed(2)} s`);
      t.true(a.finish.every((x) => x > 0), 'every flow finished in flowsim');
      t.true(e.err <= TOL, `flow ${e.flow}: flowsim ${a.finish[e.flow]} vs SimGrid ${b.finish[e.flow]}`);
    });
  }
}

test('the oracle modes differ where the models do (so agreeing is not vacuous)', (t) => {
  const set = flowSet(CASES[0], 3);
  const runs = Object.fromEntries(ORACLE_MODES.map((m) => [m, runFlowsim(set, MODE_PARAMS[m]).finish])) as Record<OracleMode, Float64Array>;
  t.true(maxRelError(runs.maxmin, runs.cm02).err > 1e-3);
  t.true(maxRelError(runs.cm02, runs.lv08).err > 1e-2);
});
