/**
 * The interface every orchestration mode implements, and what the runtime hands it.
 *
 * A mode decides where each function runs (`prepare`), how a request is triggered and how each
 * output travels (`start` and the callbacks it installs on the request's WorkflowRun), and calls
 * `ctx.complete(req)` at the moment its paper's e2e latency ends. It uses the models through
 * `ModeContext`; it never re-implements them.
 */
import type { Simulator } from '../engine/simulator.js';
import type { Distribution } from '../engine/distributions.js';
import type { RandomStreams, Rng } from '../engine/random.js';
import type { ContainerPools } from '../models/container-pool.js';
import type { ControlPlane } from '../models/control.js';
import type { Network } from '../models/network.js';
import type { Nodes } from '../models/node.js';
import type { Storage } from '../models/storage.js';
import type { DocumentStore } from '../models/document-store.js';
import type { Topology } from '../models/topology.js';
import type { WorkflowRun } from '../models/workflow-run.js';
import type { CompiledWorkflow } from '../models/workflow.js';
import type { Params } from '../params.js';
import type { ModeName } from '../scenario.js';
import type { CostMeter } from '../models/cost.js';
import type { PlacementPolicy } from '../policies/placement.js';

export interface AppRuntime {
  index: number;
  name: string;
  cw: CompiledWorkflow;
  /** Service-time distribution and its own random stream, per function. */
  service: Distribution[];
  serviceRng: Rng[];
  switchRng: Rng;
  /** Candidate nodes per function, set by the mode's `prepare` (several: by request index). */
  nodesOf: number[][];
  /** True for functions without triggering inputs. */
  isStart: boolean[];
  /** Queue priority per function (the function's, else the workflow's, else 0). */
  priority: number[];
  /** The workflow's relative deadline, seconds (Infinity: none). */
  deadlineS: number;
}

/** Per-instance timings of one request (seconds, absolute simulated time). */
export interface InstanceTimes {
  ready: Float64Array;
  arrive: Float64Array;
  start: Float64Array;
  computeStart: Float64Array;
  computeEnd: Float64Array;
  end: Float64Array;
  dataS: Float64Array;
  node: Int32Array;
  cold: Uint8Array;
}

export interface RequestCtx {
  id: number;
  index: number;
  client: number;
  measured: boolean;
  app: AppRuntime;
  run: WorkflowRun;
  t0: number;
  times: InstanceTimes;
  /** Set when the e2e latency has been recorded (or the client timed out). */
  resolved: boolean;
  timedOut: boolean;
  /** When the mode called complete() (NaN before). */
  e2eEnd: number;
  /** Mode-private state. */
  state?: unknown;
  /** Per function: the node a dynamic placement policy chose for this request (-1: not yet). */
  placed?: Int32Array;
}

export interface ModeContext {
  sim: Simulator;
  params: Params;
  topo: Topology;
  net: Network;
  nodes: Nodes;
  pools: ContainerPools;
  storage: Storage;
  /** The remote store's per-request documents (CouchDB attachments, revision conflicts). */
  docs: DocumentStore;
  control: ControlPlane;
  streams: RandomStreams;
  /** Bills what the invocations use (cost.ts); absent when nothing is billed. */
  cost?: CostMeter;
  /** The placement policy named in the scenario (undefined: the mode's own). */
  placement?: PlacementPolicy;
  /** The request's e2e latency ends now. */
  complete(req: RequestCtx): void;
}

export interface Mode {
  readonly name: ModeName;
  prepare(app: AppRuntime): void;
  start(req: RequestCtx): void;
}

/**
 * Node that runs instance `i` of function `f` for this request. With several candidate nodes the
 * request index picks one for all instances (DataFlower's video: transcode on W0 or W2 by
 * request-id parity, reference 2.B).
 */
export function nodeFor(req: RequestCtx, f: number, _i: number): number {
  if (req.placed !== undefined && req.placed[f] >= 0) return req.placed[f];
  const c = req.app.nodesOf[f];
  return c.length === 1 ? c[0] : c[req.index % c.length];
}

/** FNV-1a: a stable string hash (HyperFlow's raw placement uses Python's randomised hash). */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Draws the compute time of function f. */
export function serviceTime(app: AppRuntime, f: number): number {
  return Math.max(0, app.service[f].sample(app.serviceRng[f]));
}

/** Container pool key of a function: containers are per application function. */
export function poolKey(app: AppRuntime, f: number): string {
  return `${app.name}/${app.cw.functions[f].name}`;
}

/** Output groups of function f: edges carrying the same output (same bytes) share one write. */
export interface OutputKey {
  bytes: number;
  edges: number[];
}

export function outputKeys(cw: CompiledWorkflow, f: number): OutputKey[] {
  const keys = new Map<string, OutputKey>();
  for (const e of cw.outEdges[f]) {
    const edge = cw.edges[e];
    if (edge.kind === 'switch' && edge.bytes === 0) continue;
    const k = `${edge.kind === 'foreach' ? 'foreach:' + e : 'out'}:${edge.bytes}`;
    const key = keys.get(k) ?? { bytes: edge.bytes, edges: [] };
    key.edges.push(e);
    keys.set(k, key);
  }
  return [...keys.values()];
}
