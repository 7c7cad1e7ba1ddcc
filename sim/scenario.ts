/**
 * A Scenario is everything one simulation needs, fully resolved and validated: no file names,
 * no defaults left to fill. Built at the edge (loader/build.ts) and handed to `runScenario`.
 */
import type { PriceTable } from './models/cost.js';
import type { ClusterSpec } from './models/cluster.js';
import type { WorkflowSpec } from './models/workflow.js';
import type { Params } from './params.js';
import type { FaultSpec } from './models/faults.js';
import type { CostDecision } from './modes/cost-models.js';

export type ModeName = 'hyperflow' | 'faasflow' | 'dataflower' | 'adaptive';
/** The three systems' modes (the papers' comparisons, every experiment's default). */
export const MODE_NAMES: readonly ModeName[] = ['hyperflow', 'faasflow', 'dataflower'];
/** Every mode `--mode` accepts: the three systems and adaptive (per workflow, the one its cost models pick). */
export const ALL_MODE_NAMES: readonly ModeName[] = [...MODE_NAMES, 'adaptive'];

/**
 * Open loop: one request every 60/rpm seconds (fixed interval, as both papers' load generators).
 * `ramp`: DataFlower's start-up ramp, intervals stretched x4/x3/x2 during 0-20/20-40/40-60 s.
 * Closed loop: `clients` clients started `staggerS` apart; each sends its next request when the
 * previous one returns (or times out).
 * Measurement: requests started before `warmupS` or among the first `warmupRequests` are
 * discarded; requests are sent until `durationS` after the start, then the run drains.
 */
export type WorkloadSpec =
  | {
      kind: 'open';
      rpm: number;
      ramp?: boolean;
      durationS: number;
      warmupRequests: number;
      warmupS: number;
      /** Offset of this workload's first request (co-run: 5 s apart). */
      startS?: number;
      /**
       * Rate phases, one after another (DataFlower's bursty test: 10 rpm for 60 s, then 100 rpm for
       * 60 s). When given, they replace `rpm` and `durationS` is their total.
       */
      phases?: Array<{ rpm: number; durationS: number }>;
    }
  | {
      kind: 'closed';
      clients: number;
      staggerS: number;
      durationS: number;
      warmupRequests: number;
      warmupS: number;
      startS?: number;
      /** Stop after this many requests in total; 0 = no limit. */
      maxRequests?: number;
      /** Keep sending past `durationS` until this many requests were sent (FaaSFlow: "at least 3"). */
      minRequests?: number;
    };

export interface AppSpec {
  workflow: WorkflowSpec;
  workload: WorkloadSpec;
}

export interface Scenario {
  cluster: ClusterSpec;
  apps: AppSpec[];
  mode: ModeName;
  /** Storage node interface cap both ways, bytes/s (wondershaper in FaaSFlow). Undefined = NIC speed. */
  storageBandwidthBps?: number;
  seed: number;
  params: Params;
  /** Where the parameters came from: 'defaults', a calibration profile name, a params file. */
  paramsSource: string;
  /** Record one line per function instance (for --trace). */
  traceInstances?: boolean;
  /** Record each flow's rate history (network debugging). */
  traceFlows?: boolean;
  /** Policies by name (policies/index.ts); defaults: fifo, fixed, the mode's own placement. */
  policies?: PolicyNames;
  /** What is billed and at which prices (models/cost.ts); default AWS_LAMBDA_PRICES. */
  prices?: PriceTable;
  /** Faults to inject and how invocations recover (models/faults.ts); default none. */
  faults?: FaultSpec;
}

export interface PolicyNames {
  queue: string;
  keepAlive: string;
  /** Undefined: the mode's own (hyperflow hash, faasflow grouping, dataflower table). */
  placement?: string;
}

/** What a run would cost (models/cost.ts). */
export interface CostResult {
  prices: string;
  /** Memory x time of every container call, GB-s (GiB-based, as AWS bills). */
  gbSeconds: number;
  invocations: number;
  /** Bytes carried between nodes, GB (1e9). */
  transferredGB: number;
  usd: { compute: number; invocations: number; transfer: number; total: number };
}

export interface Stats {
  count: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LinkStat {
  link: string;
  bytes: number;
  capacityBps: number;
  /** Bytes divided by (capacity x simulated time). */
  utilization: number;
}

/** One function instance, for --trace (times in seconds since the start of the simulation). */
export interface InstanceRecord {
  app: string;
  request: number;
  /** When the request was fired, and whether it is measured (past the warm-up). */
  requestStart: number;
  measured: boolean;
  fn: string;
  instance: number;
  node: string;
  cold: boolean;
  ready: number;
  start: number;
  computeStart: number;
  computeEnd: number;
  end: number;
  dataS: number;
}

export interface AppResult {
  workflow: string;
  requests: number;
  completed: number;
  timeouts: number;
  /** Measured requests that failed (a fault they could not recover from); not in the latency statistics. */
  failed: number;
  /** completed / measured requests (null without a measured request). */
  successRate: number | null;
  /** Measured requests only; a timed-out request counts as the timeout value. */
  e2e: Stats;
  dataOverhead: Stats;
  schedulingOverhead: Stats;
  /** Completed measured requests per second over the measured window. */
  throughputRps: number;
  /** Per measured request: container GB-s and USD (compute + invocations; transfer is per run). */
  cost: { gbSecondsPerRequest: number; usdPerRequest: number };
  /** The workflow's deadline (edf policy) and how many measured requests missed it (timeouts included). */
  deadlineS: number | null;
  deadlineMisses: number;
  /** deadlineMisses / measured requests (null without a deadline or a measured request). */
  deadlineMissRate: number | null;
}

export interface FaultsResult {
  /** Attempts that failed, by cause, and attempts retried after a failure. */
  failedAttempts: { error: number; crash: number; 'execution timeout': number; 'node lost': number };
  /** Workers lost during the run. */
  nodeLosses: number;
  /** Mean over losses of the time until the first request sent after the loss completed (null: none did); losses never recovered from. */
  meanRecoveryS: number | null;
  unrecovered: number;
  retries: number;
  /** Measured requests that failed, by cause ("<function>: <cause>"). */
  failedRequests: Record<string, number>;
  /** completed / measured requests. */
  successRate: number;
  /** Bytes of network flows cancelled before their end. */
  bytesLost: number;
}

export interface SimResult {
  mode: ModeName;
  cluster: string;
  seed: number;
  params: string;
  storageBandwidthBps: number | null;
  requests: number;
  completed: number;
  timeouts: number;
  /** Measured requests that failed (faults): requests = completed + timeouts + failed. */
  failed: number;
  e2e: Stats;
  dataOverhead: Stats;
  schedulingOverhead: Stats;
  throughputRps: number;
  coldStarts: number;
  /** Containers started ahead of their calls by the keep-alive policy. */
  prewarms: number;
  /**
   * Work not simulated to its end: requests that had timed out and were still running when
   * everything else was done, and their function instances that had not ended (the real engines
   * would finish them; no measurement depends on them), and the bytes of the network flows not
   * delivered when the run stopped: bytesSent = bytesReceived + bytesInFlight.
   */
  abandoned: { requests: number; instances: number; bytesInFlight: number };
  /** Requests cancelled at their timeout (params request.onTimeout 'cancel'), and their instances not ended then. */
  cancelled: { requests: number; instances: number };
  /** Queued container calls and engine operations dropped because their request was cancelled. */
  droppedCalls: number;
  /** Present when the scenario injects faults (sim/models/faults.ts). */
  faults?: FaultsResult;
  /** Adaptive mode: per workflow, each mode's estimate and the choice (modes/cost-models.ts). */
  adaptive?: CostDecision[];
  containersPeak: number;
  policies: PolicyNames;
  cost: CostResult;
  /** Control messages (triggers, HTTP requests and replies) and engine operations. */
  controlMessages: number;
  engineOperations: number;
  remoteStoreOps: number;
  localStoreOps: number;
  /** Peak memory reserved by containers on each node. */
  memory: Array<{ node: string; peakBytes: number; capacityBytes: number }>;
  simulatedSeconds: number;
  events: number;
  /** Wall-clock figures: the only fields that differ between identical runs. */
  wallSeconds: number;
  eventsPerSecond: number;
  apps: AppResult[];
  links: LinkStat[];
  bytesSent: number;
  bytesReceived: number;
  instances?: InstanceRecord[];
}
