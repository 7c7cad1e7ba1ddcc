/**
 * Held-out check: flowsim's own models predict cases the fit never saw, and the prediction is
 * compared with a fresh measurement.
 *
 * The prediction is a tiny simulation: a `Simulator`, the lead's flow-level `Network` with the
 * profile's network params, one uplink and one downlink per testbed node (capacity = the shaped
 * cap, latency = measured RTT / 4), the case's flows started together at t = 0. A remote store
 * operation goes through flowsim's own `Storage` model (sim/models/storage.ts) on a two-node
 * cluster shaped like the testbed: op cost, then the transfer, then the server's write or read
 * stage.
 */
import * as ss from 'simple-statistics';
import { Simulator } from '../sim/engine/simulator.js';
import { Network } from '../sim/models/network.js';
import { Storage } from '../sim/models/storage.js';
import { Topology } from '../sim/models/topology.js';
import type { ClusterSpec } from '../sim/models/cluster.js';
import { DEFAULT_PARAMS, mergeParams, type DeepPartial, type Params } from '../sim/params.js';
import type { FlowGroup, HoldoutMeasurements, StoreSample } from './probes.js';

export interface HoldoutRow {
  case: string;
  capBps: number;
  flow: string;
  bytes: number;
  measuredS: number;
  predictedS: number;
  /** |sim - real| / real */
  error: number;
}

export interface HoldoutResult {
  rows: HoldoutRow[];
  medianError: number;
  maxError: number;
}

function buildNetwork(sim: Simulator, p: Params, capBps: number, linkLatencyS: number, nodes: string[]): { net: Network; up: Map<string, number>; down: Map<string, number> } {
  const net = new Network(sim, p.network);
  const up = new Map<string, number>();
  const down = new Map<string, number>();
  for (const n of nodes) {
    up.set(n, net.addLink(`${n}:up`, capBps, linkLatencyS));
    down.set(n, net.addLink(`${n}:down`, capBps, linkLatencyS));
  }
  return { net, up, down };
}

/** Simulated completion time (from t = 0) of each flow of a group started together. */
export function predictGroup(g: FlowGroup, p: Params, linkLatencyS: number): number[] {
  const sim = new Simulator();
  const nodes = [...new Set(g.flows.flatMap((f) => [f.src, f.dst]))];
  const { net, up, down } = buildNetwork(sim, p, g.capBps, linkLatencyS, nodes);
  const done: number[] = g.flows.map(() => NaN);
  g.flows.forEach((f, i) => {
    net.transfer([up.get(f.src)!, down.get(f.dst)!], f.bytes, () => {
      done[i] = sim.now;
    });
  });
  sim.run();
  return done;
}

/** Simulated time of one remote store operation issued alone from worker w0. */
export function predictStoreOp(s: StoreSample, p: Params, linkLatencyS: number): number {
  if (s.capBps === null) throw new Error('predictStoreOp: only remote operations cross the network');
  const sim = new Simulator();
  const node = (name: string, role: 'worker' | 'storage') => ({ name, role, cores: 1, memoryBytes: 2 ** 30, nicBps: s.capBps!, latencyS: linkLatencyS });
  const cluster: ClusterSpec = { name: 'testbed', nodes: [node('w0', 'worker'), node('st', 'storage')], storage: 'st', gateway: 'st', master: 'st' };
  const net = new Network(sim, p.network);
  const topo = new Topology(net, cluster, p);
  const storage = new Storage(sim, net, topo, p.storage);
  let end = NaN;
  const done = () => (end = sim.now);
  if (s.action === 'set') storage.put(0, s.bytes, done);
  else storage.get(0, s.bytes, done);
  sim.run();
  return end;
}

export function compareHoldout(h: HoldoutMeasurements, params: DeepPartial<Params>, linkLatencyS: number): HoldoutResult {
  const p = mergeParams(DEFAULT_PARAMS, params);
  const rows: HoldoutRow[] = [];
  for (const g of h.groups) {
    const pred = predictGroup(g, p, linkLatencyS);
    g.flows.forEach((f, i) => {
      rows.push({
        case: g.label,
        capBps: g.capBps,
        flow: `${f.src}->${f.dst}`,
        bytes: f.bytes,
        measuredS: f.seconds,
        predictedS: pred[i]!,
        error: Math.abs(pred[i]! - f.seconds) / f.seconds,
      });
    });
  }
  // store operations: median of the repetitions of each (action, size)
  const keys = [...new Set(h.store.map((s) => `${s.action}:${s.bytes}`))];
  for (const k of keys) {
    const reps = h.store.filter((s) => `${s.action}:${s.bytes}` === k);
    const s = reps[0]!;
    const measured = ss.median(reps.map((r) => r.seconds));
    const pred = predictStoreOp(s, p, linkLatencyS);
    rows.push({
      case: `remote store ${s.action.toUpperCase()} (held-out size)`,
      capBps: s.capBps!,
      flow: s.action === 'set' ? 'w0->st' : 'st->w0',
      bytes: s.bytes,
      measuredS: measured,
      predictedS: pred,
      error: Math.abs(pred - measured) / measured,
    });
  }
  const errs = rows.map((r) => r.error);
  return { rows, medianError: errs.length ? ss.median(errs) : NaN, maxError: errs.length ? Math.max(...errs) : NaN };
}
