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
import type { FaultModel } from '../models/faults.js';

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
  /** Timed out with request.onTimeout 'cancel', or failed: its queued and future calls are dropped. */
  cancelled: boolean;
  /** Failed: a fault it could not recover from (sim/models/faults.ts). */
  failed: boolean;
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
  /** Faults and recovery, when the scenario injects any. */
  faults?: FaultModel;
  /** The request cannot complete (`cause`); it is reported as failed and its remaining work dropped. */
  fail(req: RequestCtx, cause: string): void;
}

export interface Mode {
  readonly name: ModeName;
  prepare(app: AppRuntime): void;
  start(req: RequestCtx): void;
  /** True when the request's intermediate data lived only on `node` (faults: a lost node); default false. */
  losesStateOn?(req: RequestCtx, node: number): boolean;
}
