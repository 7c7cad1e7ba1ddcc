/**
 * Network benchmark: many concurrent flows over a cluster of nodes (each with an uplink and a
 * downlink), arriving and leaving, on flowsim's flow-level `Network` (max-min fair sharing,
 * recomputed when a flow starts or ends).
 *
 * Load: `flows` flows are started at time 0 between random node pairs; each time one finishes a
 * new one starts (closed population), so about `flows` flows are active throughout. The run stops
 * after `completions` flows have finished. Flow sizes are exponential (mean `meanBytes`).
 *
 * Two traffic patterns, because the cost of an exact incremental recomputation depends on how
 * flows connect through shared links:
 * - `uniform`: any node to any other. Every link is shared with flows to/from every other node,
 *   so one change connects (through shared links) to nearly all flows: the incremental solver has
 *   to revisit the whole component; this is the worst case.
 * - `racks`: nodes in groups of `rackSize`; flows stay inside their group (e.g. data-local
 *   placement). Components are one group's flows, so a change touches about flows / groups.
 *
 * Reported, over the window from the first completion to the last (the initial burst of starts is
 * set-up): flow events (starts + ends) per wall second, recomputations, and the mean number of
 * flows each recomputation touched next to the mean number of active flows.
 *
 * Side by side with SimGrid (when g++ and libsimgrid-dev are installed; FLOWSIM_BENCH_SIMGRID=0
 * turns it off): one open flow list of `flows` flows (same nodes, NICs, latency and sizes, starts
 * spread over 0.2 s, so most of them are active at once) runs to its end on flowsim (plain
 * max-min, the default sharing) and on SimGrid's CM02 configured as plain max-min
 * (oracle/simgrid.ts); reported: both wall times (simulation only, set-up excluded), their ratio,
 * the peak number of flows sharing at once and the largest relative difference of finish times.
 * Also the approximation `network.solveQuantumS` = 1e-4 s on the same flows, with its error.
 */
import { Simulator, makeRng } from '../sim/engine/index.js';
import { Network } from '../sim/models/network.js';
import { DEFAULT_PARAMS } from '../sim/params.js';
import { generateFlowSet, maxRelError, MODE_PARAMS, runFlowsim, runSimgrid, simgridOracle } from '../oracle/simgrid.js';

export type NetworkPattern = 'uniform' | 'racks';

export interface NetworkBenchOptions {
  nodes?: number;
  flows?: number;
  completions?: number;
  pattern?: NetworkPattern;
  rackSize?: number;
  meanBytes?: number;
  nicBps?: number;
  latencyS?: number;
  seed?: number;
}

export interface NetworkBenchResult {
  pattern: NetworkPattern;
  nodes: number;
  flows: number;
  completions: number;
  /** Flow starts and ends in the measured window (from the first completion to the last). */
  flowEvents: number;
  /** Wall seconds from the first start to the first completion (initial burst, not measured). */
  setupS: number;
  /** Wall seconds of the measured window. */
  wallS: number;
  flowEventsPerS: number;
  engineEvents: number;
  recomputations: number;
  meanFlowsTouched: number;
  meanActiveFlows: number;
  /** meanFlowsTouched / meanActiveFlows: 1 means every recomputation revisits every flow. */
  touchedFraction: number;
  simulatedS: number;
  /** The same open flow list on flowsim and on SimGrid (absent when SimGrid is not installed). */
  simgrid?: SimgridComparison;
}

export interface SimgridComparison {
  flows: number;
  flowsimWallS: number;
  simgridWallS: number;
  /** flowsim wall time / SimGrid wall time. */
  ratio: number;
  maxRelError: number;
  peakConcurrent: number;
  /** The approximation (network.solveQuantumS = 1e-4 s) on the same flows: wall time and its errors against SimGrid. */
  approx: { solveQuantumS: number; flowsimWallS: number; ratio: number; maxRelError: number; meanRelError: number };
}

/** The open flow list of the comparison: the bench's cluster, `flows` flows starting over 0.2 s. */
export function compareWithSimgrid(o: { pattern: NetworkPattern; flows: number; nodes?: number; rackSize?: number; seed?: number }): SimgridComparison | { skipped: string } {
  const oracle = simgridOracle();
  if (!oracle.ok) return { skipped: oracle.reason };
  const set = generateFlowSet({
    seed: o.seed ?? 1,
    nodes: o.nodes ?? 100,
    flows: o.flows,
    pattern: o.pattern,
    rackSize: o.rackSize ?? 4,
    arrivalS: 0.2,
    meanBytes: 10e6,
    nicChoicesBps: [1.25e9],
    latencyChoicesS: [50e-6],
  });
  const a = runFlowsim(set, MODE_PARAMS.maxmin);
  const b = runSimgrid(set, 'maxmin');
  const q = 1e-4;
  const ap = runFlowsim(set, { ...MODE_PARAMS.maxmin, solveQuantumS: q });
  let mean = 0;
  for (let i = 0; i < ap.finish.length; i++) mean += Math.abs(ap.finish[i] - b.finish[i]) / b.finish[i];
  mean /= ap.finish.length;
  const approx = { solveQuantumS: q, flowsimWallS: ap.wallS, ratio: ap.wallS / b.wallS, maxRelError: maxRelError(ap.finish, b.finish).err, meanRelError: mean };
  // peak of flows between start and finish
  const ev: Array<[number, number]> = [];
  set.flows.forEach((f, i) => ev.push([f.start, 1], [a.finish[i], -1]));
  ev.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let cur = 0;
  let peak = 0;
  for (const [, d] of ev) peak = Math.max(peak, (cur += d));
  return { flows: o.flows, flowsimWallS: a.wallS, simgridWallS: b.wallS, ratio: a.wallS / b.wallS, maxRelError: maxRelError(a.finish, b.finish).err, peakConcurrent: peak, approx };
}

export function runNetworkBench(o: NetworkBenchOptions = {}): NetworkBenchResult {
  const nodes = o.nodes ?? 100;
  const flows = o.flows ?? 10_000;
  const completions = o.completions ?? 1_000;
  const pattern = o.pattern ?? 'uniform';
  const rackSize = o.rackSize ?? 4;
  const meanBytes = o.meanBytes ?? 10e6;
  // [ASSUMPTION] 10 Gbit/s NICs and 50 us per link, as the faasflow-7w preset's defaults.
  const nicBps = o.nicBps ?? 1.25e9;
  const latencyS = o.latencyS ?? 50e-6;
  if (pattern === 'racks' && nodes % rackSize !== 0) throw new RangeError(`nodes (${nodes}) must be a multiple of rackSize (${rackSize})`);

  const sim = new Simulator(4 * flows);
  const net = new Network(sim, DEFAULT_PARAMS.network);
  const up: number[] = [];
  const down: number[] = [];
  for (let i = 0; i < nodes; i++) {
    up.push(net.addLink(`n${i}.up`, nicBps, latencyS));
    down.push(net.addLink(`n${i}.down`, nicBps, latencyS));
  }
  const rng = makeRng(o.seed ?? 1, 'network-bench');

  let started = 0;
  let finished = 0;
  let activeSamples = 0;
  let activeSum = 0;
  // the measured window starts at the first completion: the initial burst of `flows` starts
  // (solved together in one recomputation) is set-up, not steady state
  let tFirst = 0n;
  let startedAtFirst = 0;
  let solvesAtFirst = 0;
  let touchedAtFirst = 0;

  const pick = (): [number, number] => {
    if (pattern === 'uniform') {
      const a = Math.floor(rng() * nodes);
      let b = Math.floor(rng() * (nodes - 1));
      if (b >= a) b++;
      return [a, b];
    }
    const rack = Math.floor(rng() * (nodes / rackSize)) * rackSize;
    const a = rack + Math.floor(rng() * rackSize);
    let b = rack + Math.floor(rng() * (rackSize - 1));
    if (b >= a) b++;
    return [a, b];
  };

  const startFlow = (): void => {
    const [a, b] = pick();
    const bytes = -meanBytes * Math.log(1 - rng());
    started++;
    net.transfer([up[a], down[b]], bytes, onDone);
  };
  const onDone = (): void => {
    if (finished === 0) {
      tFirst = process.hrtime.bigint();
      startedAtFirst = started;
      solvesAtFirst = net.share.solves;
      touchedAtFirst = net.share.actsTouched;
    }
    finished++;
    activeSum += net.activeFlows;
    activeSamples++;
    if (finished >= completions) {
      sim.stop();
      return;
    }
    startFlow();
  };

  const t0 = process.hrtime.bigint();
  for (let i = 0; i < flows; i++) startFlow();
  sim.run();
  const t1 = process.hrtime.bigint();
  const setupS = Number(tFirst - t0) / 1e9;
  const wallS = Number(t1 - tFirst) / 1e9;
  const share = net.share;
  // flow events in the window: the starts after the first completion and every completion
  const flowEvents = started - startedAtFirst + finished;
  const solves = share.solves - solvesAtFirst;
  const meanFlowsTouched = solves > 0 ? (share.actsTouched - touchedAtFirst) / solves : 0;
  const meanActiveFlows = activeSamples > 0 ? activeSum / activeSamples : 0;
  let simgrid: SimgridComparison | undefined;
  if (process.env.FLOWSIM_BENCH_SIMGRID !== '0') {
    const c = compareWithSimgrid({ pattern, flows, nodes, rackSize, seed: o.seed });
    if ('skipped' in c) process.stderr.write(`bench: network-${pattern}: SimGrid side by side skipped: ${c.skipped}\n`);
    else {
      simgrid = c;
      process.stderr.write(
        `bench: network-${pattern}: the same ${c.flows} flows (peak ${c.peakConcurrent} at once) on flowsim ${c.flowsimWallS.toFixed(2)} s, SimGrid ${c.simgridWallS.toFixed(2)} s: ratio ${c.ratio.toFixed(3)}x SimGrid's wall time; finish times agree to ${c.maxRelError.toExponential(1)}\n` +
          `bench: network-${pattern}: approximation solveQuantumS ${c.approx.solveQuantumS} s (not the default): flowsim ${c.approx.flowsimWallS.toFixed(2)} s, ratio ${c.approx.ratio.toFixed(3)}x; error against SimGrid max ${c.approx.maxRelError.toExponential(1)}, mean ${c.approx.meanRelError.toExponential(1)}\n`,
      );
    }
  }
  return {
    simgrid,
    pattern,
    nodes,
    flows,
    completions: finished,
    flowEvents,
    setupS,
    wallS,
    flowEventsPerS: flowEvents / wallS,
    engineEvents: sim.events,
    recomputations: solves,
    meanFlowsTouched,
    meanActiveFlows,
    touchedFraction: meanActiveFlows > 0 ? meanFlowsTouched / meanActiveFlows : 0,
    simulatedS: sim.now,
  };
}
