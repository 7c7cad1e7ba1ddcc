/**
 * Every model parameter flowsim uses, with its default and where the default comes from.
 * Tags: [REF] the reference files in shared/reference; [PEER] a peer simulator's documented value;
 * [ASSUMPTION] our choice where the references are silent (a calibration profile should replace it).
 *
 * A calibration profile (`configs/calibration/<name>.yaml`, key `params`) and `--params file.yaml`
 * override any subset of this tree; `mergeParams` does the deep merge.
 */
import type { DistributionSpec } from './engine/distributions.js';

export interface Params {
  network: {
    /** Fraction of nominal capacity a TCP flow achieves (headers). [PEER] SimGrid LV08 0.97; tc on this machine measured 0.958 (toolchain.md). */
    bandwidthFactor: number;
    /** Multiplies route latency before a flow starts (LV08 slow start: 13.01). Default 1: LAN, persistent connections. [ASSUMPTION] */
    latencyFactor: number;
    /** Reverse ACK traffic as a fraction of the data flow on the reverse route (LV08: 0.05). Default 0 [ASSUMPTION: full-duplex NICs, ACKs negligible]. */
    ackWeight: number;
    /** TCP window bound gamma (bytes): a flow's rate <= gamma / (2 * route latency). [PEER] SimGrid CM02 4194304. 0 disables. */
    tcpGammaBytes: number;
    /**
     * Sharing model (docs/models.md, network). 'maxmin' (default): plain max-min, flows share a
     * bottleneck equally; the window caps goodput at gamma / (2 x latency). 'simgrid': SimGrid's
     * CM02/LV08 TCP model: a flow's share of a bottleneck is proportional to 1 / (route latency +
     * weightS x sum of 1/bandwidth over its links), and the window caps goodput at
     * bandwidthFactor x gamma / (2 x latency). [PEER] SimGrid 3.32 network_cm02.cpp.
     */
    sharing: 'maxmin' | 'simgrid';
    /** SimGrid's weight-S (bytes), used by sharing 'simgrid' only. [PEER] SimGrid LV08 20537, CM02 0. */
    weightSBytes: number;
    /**
     * Approximation, off by default (0: exact): recompute rates at most once per this many
     * seconds, batching the flow starts and ends in between (docs/models.md gives its measured
     * error against SimGrid). [ASSUMPTION: 0]
     */
    solveQuantumS: number;
  };
  control: {
    /** Bytes of a control message (HTTP request/response with JSON body). [ASSUMPTION] */
    messageBytes: number;
    /** CPU time an engine (gateway, master or worker engine, Python/gevent) spends per trigger or HTTP request. [ASSUMPTION] */
    engineOverheadS: number;
    /**
     * Fixed cost of one HTTP request/response exchange beyond the network and the receiving
     * engine's processing: the Python `requests` client building and parsing it, connection set-up,
     * the WSGI server's dispatch (reference 1.C: every trigger and every node_select /info is an
     * HTTP call). A pure delay, not engine time. [ASSUMPTION: 0 until calibrated]
     */
    httpRequestS: number;
    /**
     * Time of the sending engine per HTTP request it makes (the `requests` client's Python code),
     * serial on that engine: MasterSP's master makes 8 per function on faasflow-7w (7 /info + 1 POST).
     * [ASSUMPTION: 0 until calibrated]
     */
    httpClientS: number;
    /**
     * Engine time of an in-process call: a trigger of a successor on the same worker (WorkerSP's
     * trigger_function_local) or a switch evaluated by the engine, no HTTP. FaaSFlow modes only.
     * [ASSUMPTION: 0.1 ms until calibrated]
     */
    localCallS: number;
  };
  storage: {
    /** Remote store (CouchDB attachment / Kafka) fixed cost per operation, seconds. [ASSUMPTION] */
    remoteOpLatencyS: number;
    /**
     * Remote store server throughput for writes and for reads, bytes/s, each shared by concurrent
     * operations; the server handles a payload after the network has delivered it (store and
     * forward), so per-byte costs add, as the calibration measures. [ASSUMPTION: 1 GB/s each]
     */
    remoteWriteThroughputBps: number;
    remoteReadThroughputBps: number;
    /**
     * Bytes/s one function's store client reaches on one remote operation (Python couchdb client:
     * JSON encoding, copies, the `requests` body); a bound on that payload's flow, not shared.
     * [ASSUMPTION: 10 GB/s, i.e. no bound, until calibrated]
     */
    clientThroughputBps: number;
    /**
     * CouchDB document semantics for FaaSFlow-style remote writes: one document per request,
     * every attachment put reads the revision first and retries on a revision conflict
     * (document-store.ts). [REF] Store.py put_to_db / put_attachment_wrapper.
     */
    documentConflicts: boolean;
    /**
     * The remote store handles a payload as it arrives (one flow over network and server) instead
     * of after it has all of it (store and forward): see storage.ts. [ASSUMPTION: false, the
     * store-and-forward Redis of the netns testbed; CouchDB streams HTTP attachment bodies]
     */
    remotePipelined: boolean;
    /**
     * Time one database's updater spends committing one update (CouchDB: a single updater process
     * per database writes and fsyncs every update, so commits to one database are served one at a
     * time). [ASSUMPTION: 0 until calibrated]
     */
    remoteCommitS: number;
    /**
     * Small remote operations per fetched input key besides the fetch itself: Store.py saves a
     * data-transfer log document to CouchDB for every key it fetches, from Redis or CouchDB,
     * inside the timed fetch. [REF] src/container/Store.py fetch_from_mem / fetch_from_db: 1.
     */
    fetchLogOps: number;
    /**
     * Remote reads that miss before a fetch from the remote store finds its value: Store.py
     * fetch_from_db asks for the plain key, and a JSON value (every FaaSFlow benchmark's default
     * content type) is stored as `<key>.json`, so the first GET misses. [REF] src/container/Store.py: 1.
     */
    fetchMissOps: number;
    /** Local in-memory store (Redis) per-operation cost, seconds. [ASSUMPTION] */
    localOpLatencyS: number;
    /** Local store throughput per node, bytes/s, shared by concurrent operations. [ASSUMPTION] */
    localThroughputBps: number;
    /** Kafka streaming chunk, bytes. [REF] DataFlower 256 KB. */
    chunkBytes: number;
    /** Fixed cost per streamed chunk on each side (produce / poll + append). [ASSUMPTION: 0 until calibrated] */
    chunkOpS: number;
    /** A stream consumer's rate bound, bytes/s (Kafka consumer_byte_rate). [ASSUMPTION: 10 GB/s = none; DataFlower's scripts set 10 MiB/s, use unrecorded] */
    streamConsumerBps: number;
    /** Outputs of at most this many bytes travel inline with the control message. [REF] DataFlower 16 KB. */
    inlineBytes: number;
  };
  containers: {
    /** Cold start: `docker run` until the runtime answers. [ASSUMPTION] lognormal mean 0.5 s, sd 0.1 s. */
    coldStart: DistributionSpec;
    /** Idle containers are removed after this long. [REF] 600 s in both systems. */
    keepAliveS: number;
    /** Dispatch loop period: a queued call waits for the next tick. [REF] FaaSFlow 5 ms, DataFlower 3 ms (set per mode). */
    dispatchPeriodS: number;
    /**
     * Fixed cost of one invocation inside the container besides fetch, compute and put: the
     * runtime's HTTP handler and its set-up (FaaSFlow's Store() opens three CouchDB databases and a
     * Redis client and recreates a work directory per call, reference 1.C). Part of the function's
     * time, not of its data overhead. [ASSUMPTION: 0 until calibrated]
     */
    invocationOverheadS: number;
    /** Remote store requests to set up one invocation's store client: Store() opens the results, workflow_latency and log databases. [REF] src/container/Store.py: 3. */
    storeOpenOps: number;
    /** Remote store writes after each of the fetch and put phases: Store.py saves the phase's time to workflow_latency. [REF] 1. */
    phaseLogOps: number;
    /**
     * The hybrid keep-alive policy (policies/keep-alive-hybrid.ts), Shahrad et al., ATC'20 §4.2:
     * [PEER] 1-minute bins over 4 hours, 5th/99th percentiles with a 10% margin;
     * [ASSUMPTION] at least 10 idle times before the histogram is trusted.
     */
    hybrid: { binS: number; rangeS: number; minSamples: number; margin: number };
  };
  faasflow: {
    /** [REF] grouping: NETWORK_BANDWIDTH 25 MB/s / 4. */
    groupingBandwidthBps: number;
    /** [REF] NET_MEM_BANDWIDTH_RATIO. */
    netMemRatio: number;
    /** [REF] GROUP_LIMIT. */
    groupLimit: number;
    /** [REF] scale_limit per 32 GB worker, of which `usableFraction` is usable. */
    scaleLimit: number;
    usableFraction: number;
    /** [REF] container memory assumed by grouping, bytes. */
    containerMemoryBytes: number;
  };
  dataflower: {
    /** [REF] pressure-aware release: delay = max(0, bytes / (factor * egress) - exec). */
    pressureFactor: number;
    pressureAware: boolean;
    /**
     * CPU quota of a container whose function only sleeps (cpu = 0, FaaSFlow's scientific
     * functions): it sets the egress cap (the cluster's containerEgressPerCore x quota). [ASSUMPTION] 1 core, the
     * quota of DataFlower's heaviest templates.
     */
    sleepQuotaCores: number;
    /** [REF] dispatch loop 3 ms. */
    dispatchPeriodS: number;
    /** Foreach items are emitted evenly over the producer's compute (item i at (i+1)/K). [ASSUMPTION] */
    foreachEmit: 'spread' | 'end';
  };
  request: {
    /** [REF] client HTTP timeout 60 s. */
    timeoutS: number;
    /**
     * What happens to a request's work when its client times out. 'continue': the engines go on
     * with it (the references describe no cancellation: the 60 s limit is the client's HTTP
     * timeout, 1.B), so timed-out work keeps its containers, engines and links. 'cancel': the
     * engines drop it: queued calls are removed, no further function of the request is triggered,
     * what is already running or in flight finishes. [ASSUMPTION] default 'continue'; 'cancel' is
     * a what-if (a gateway that aborts the workflow), and it keeps an overloaded run's memory flat.
     */
    onTimeout: 'continue' | 'cancel';
    /**
     * Workflow-level inputs in FaaSFlow-style modes: 'miss' = one remote read that finds nothing
     * ([REF] the AE never preloads them, 1.A), 'fetch' = really read `inputBytes` from remote storage.
     */
    workflowInputs: 'miss' | 'fetch';
  };
}

/**
 * What a parameter's value may be: its default, its unit (how files may write it: '250ms',
 * '50MB/s', '256KiB'; a bare number is seconds, bytes/s or bytes) and its range. This table is
 * the one definition: DEFAULT_PARAMS, the `--params` schema and the calibration profiles' schema
 * (loader/schema.ts `paramsSchema`) are all derived from it; the `Params` interface above is its
 * type, checked against it by the compiler, and documents each value's meaning and source.
 */
export interface NumberParam {
  default: number;
  unit: 'duration' | 'rate' | 'size' | 'none';
  /** Inclusive lower bound (exclusive with `minExclusive`). */
  min: number;
  minExclusive?: boolean;
  max?: number;
  integer?: boolean;
}
export interface BooleanParam {
  default: boolean;
}
export interface ChoiceParam<T extends string> {
  default: T;
  choices: readonly T[];
}
export interface DistributionParam {
  default: DistributionSpec;
  distribution: true;
}
export type ParamSpec<T> = {
  [K in keyof T]: T[K] extends number
    ? NumberParam
    : T[K] extends boolean
      ? BooleanParam
      : T[K] extends string
        ? ChoiceParam<T[K]>
        : T[K] extends DistributionSpec
          ? DistributionParam
          : ParamSpec<T[K]>;
};

const seconds = (d: number, min = 0, minExclusive = false): NumberParam => ({ default: d, unit: 'duration', min, minExclusive });
const positiveSeconds = (d: number): NumberParam => seconds(d, 0, true);
const bytesPerS = (d: number): NumberParam => ({ default: d, unit: 'rate', min: 0, minExclusive: true });
const bytes = (d: number, positive = false): NumberParam => ({ default: d, unit: 'size', min: 0, minExclusive: positive });
const count = (d: number, min = 0): NumberParam => ({ default: d, unit: 'none', min, integer: true });
const factor = (d: number, o: Partial<NumberParam> = {}): NumberParam => ({ default: d, unit: 'none', min: 0, ...o });

export const PARAM_SPEC: ParamSpec<Params> = {
  network: {
    bandwidthFactor: factor(0.97, { minExclusive: true, max: 1 }),
    latencyFactor: factor(1),
    ackWeight: factor(0, { max: 1 }),
    tcpGammaBytes: bytes(4194304),
    sharing: { default: 'maxmin', choices: ['maxmin', 'simgrid'] },
    weightSBytes: bytes(0),
    solveQuantumS: seconds(0),
  },
  control: {
    messageBytes: bytes(1024),
    engineOverheadS: seconds(0.001),
    httpRequestS: seconds(0),
    httpClientS: seconds(0),
    localCallS: seconds(0.0001),
  },
  storage: {
    remoteOpLatencyS: seconds(0.005),
    remoteWriteThroughputBps: bytesPerS(1e9),
    remoteReadThroughputBps: bytesPerS(1e9),
    clientThroughputBps: bytesPerS(1e10),
    documentConflicts: { default: true },
    remotePipelined: { default: false },
    remoteCommitS: seconds(0),
    fetchLogOps: count(1),
    fetchMissOps: count(1),
    localOpLatencyS: seconds(0.0002),
    localThroughputBps: bytesPerS(1e9),
    chunkBytes: bytes(256 * 1024, true),
    chunkOpS: seconds(0),
    streamConsumerBps: bytesPerS(1e10),
    inlineBytes: bytes(16 * 1024),
  },
  containers: {
    coldStart: { default: { kind: 'lognormal', mean: 0.5, sd: 0.1 }, distribution: true },
    keepAliveS: seconds(600),
    dispatchPeriodS: seconds(0.005),
    invocationOverheadS: seconds(0),
    storeOpenOps: count(3),
    phaseLogOps: count(1),
    hybrid: { binS: positiveSeconds(60), rangeS: positiveSeconds(4 * 3600), minSamples: count(10, 1), margin: factor(0.1, { max: 0.99 }) },
  },
  faasflow: {
    groupingBandwidthBps: bytesPerS((25 * 1024 * 1024) / 4),
    netMemRatio: factor(15, { minExclusive: true }),
    groupLimit: count(100, 1),
    scaleLimit: count(120, 1),
    usableFraction: factor(0.8, { minExclusive: true, max: 1 }),
    containerMemoryBytes: bytes(256 * 1024 * 1024, true),
  },
  dataflower: {
    pressureFactor: factor(0.8, { minExclusive: true }),
    pressureAware: { default: true },
    sleepQuotaCores: factor(1, { minExclusive: true }),
    dispatchPeriodS: seconds(0.003),
    foreachEmit: { default: 'spread', choices: ['spread', 'end'] },
  },
  request: {
    timeoutS: positiveSeconds(60),
    onTimeout: { default: 'continue', choices: ['continue', 'cancel'] },
    workflowInputs: { default: 'miss', choices: ['miss', 'fetch'] },
  },
};

/** True for a leaf of PARAM_SPEC (a parameter, not a group). */
export function isParamLeaf(x: unknown): x is NumberParam | BooleanParam | ChoiceParam<string> | DistributionParam {
  return typeof x === 'object' && x !== null && 'default' in x;
}

function defaultsOf(spec: unknown): unknown {
  if (isParamLeaf(spec)) return structuredClone(spec.default);
  return Object.fromEntries(Object.entries(spec as Record<string, unknown>).map(([k, v]) => [k, defaultsOf(v)]));
}

export const DEFAULT_PARAMS: Params = defaultsOf(PARAM_SPEC) as Params;

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? (T[K] extends unknown[] ? T[K] : DeepPartial<T[K]>) : T[K] };

/** Deep-merges overrides into a copy of base. Arrays and distribution specs are replaced whole. */
export function mergeParams(base: Params, ...overrides: Array<DeepPartial<Params> | undefined>): Params {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const o of overrides) if (o) mergeInto(out, o as Record<string, unknown>);
  return out as unknown as Params;
}

function mergeInto(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined) continue;
    const t = target[k];
    const isDist = typeof v === 'object' && v !== null && 'kind' in v;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !isDist && typeof t === 'object' && t !== null) {
      mergeInto(t as Record<string, unknown>, v as Record<string, unknown>);
    } else {
      target[k] = structuredClone(v);
    }
  }
}
