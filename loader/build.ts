/**
 * buildScenario: turns JSON-serialisable options (command line, experiment sweep points) into a
 * validated Scenario. This is the edge where names become specs, human units become bytes and
 * seconds, and parameter sources are merged: defaults <- calibration profile <- params file <-
 * inline overrides. Everything wrong here is a ConfigError naming the option or file.
 */
import { readProfile } from '../calibrate/profile.js';
import { ConfigError, checkPlacement, hintList, loadCluster, loadFaults, loadParamsFile, loadPrices, loadWorkflow } from './load.js';
import { DEFAULT_PLACEMENT, KEEP_ALIVE_POLICIES, QUEUE_POLICIES, placementPolicy } from '../sim/policies/index.js';
import { formatBytes, wondershaperCapBps } from './units.js';
import type { WorkflowSpec } from '../sim/models/workflow.js';
import type { ClusterSpec } from '../sim/models/cluster.js';
import { NO_FAULTS, type FaultSpec } from '../sim/models/faults.js';
import { DEFAULT_PARAMS, mergeParams, type DeepPartial, type Params } from '../sim/params.js';
import { ALL_MODE_NAMES, type AppSpec, type ModeName, type Scenario, type WorkloadSpec } from '../sim/scenario.js';

export interface ScenarioOptions {
  workflows: Array<string | WorkflowSpec>;
  mode: ModeName;
  cluster?: string;
  /** Storage node cap, FaaSFlow's MB/s label (25, 50, 75, 100): wondershaper kbit semantics. */
  bandwidthMBps?: number;
  /** Open loop at this many requests per minute. */
  rpm?: number;
  /** Closed loop with this many clients (default: 1 client, FaaSFlow's e2e protocol). */
  clients?: number;
  /** Seconds between closed-loop clients' starts (DataFlower: 2 s). */
  staggerS?: number;
  ramp?: boolean;
  /** Send window in seconds (default 120, as both FaaSFlow protocols). */
  durationS?: number;
  /** Requests discarded at the start (default 2: FaaSFlow's warm-up/prewarm). */
  warmupRequests?: number;
  warmupS?: number;
  /** Closed loop: stop after this many requests. */
  maxRequests?: number;
  /** Closed loop: keep sending past the window until this many requests were sent (FaaSFlow: 3). */
  minRequests?: number;
  /** Open loop in rate phases, one after another (DataFlower's bursty test); replaces rpm/duration. */
  phases?: Array<{ rpm: number; durationS: number }>;
  /** Several workflows: the k-th starts k x corunStaggerS seconds after the first (FaaSFlow co-run: 5). */
  corunStaggerS?: number;
  /** Per-workflow rpm for co-location (same order as workflows); overrides rpm. */
  rpms?: number[];
  seed?: number;
  /** A profile name or file; default: the cluster's `calibration`; 'none': the bare defaults. */
  calibration?: string;
  paramsFile?: string;
  params?: DeepPartial<Params>;
  trace?: boolean;
  traceFlows?: boolean;
  /** Policies by name (sim/policies/index.ts); default: the cluster's `policies`, else fifo, fixed, the mode's own placement. */
  queue?: string;
  keepAlive?: string;
  placement?: string;
  /** A price table name (configs/prices/) or file; default aws-lambda. */
  prices?: string;
  /** Per-workflow deadlines in seconds (the edf policy), overriding the workflows' own. */
  deadlines?: Record<string, number>;
  /** Per-workflow queue priorities (the priority policy), overriding the workflows' own. */
  priorities?: Record<string, number>;
  /** A faults file (sim/models/faults.ts), or the spec itself. */
  faults?: string | FaultSpec;
  /** Every function's failure probability per attempt (overrides the faults file's default). */
  failureRate?: number;
  /** Retries at most per failed invocation (overrides the faults file's). */
  retries?: number;
}

export const DEFAULTS = { durationS: 120, warmupRequests: 2, warmupS: 0, staggerS: 2, seed: 1 } as const;

/** The most requests one run may send (each holds its state until it ends; ~1-7 KB each). */
export const MAX_REQUESTS = 10_000_000;
/** The most closed-loop clients. */
export const MAX_CLIENTS = 100_000;

function optError(option: string, message: string): ConfigError {
  return new ConfigError('', option, message);
}

function positive(option: string, v: number | undefined, integer = false): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v)))
    throw optError(option, `expected a positive ${integer ? 'integer' : 'number'}, got ${v}`);
}

export function buildScenario(o: ScenarioOptions): Scenario {
  if (!ALL_MODE_NAMES.includes(o.mode)) throw optError('--mode', `unknown mode '${o.mode}'; valid modes are ${ALL_MODE_NAMES.join(', ')}`);
  if (!o.workflows || o.workflows.length === 0) throw optError('--workflow', 'name at least one workflow');
  positive('--bandwidth', o.bandwidthMBps);
  positive('--rpm', o.rpm);
  positive('--clients', o.clients, true);
  positive('--duration', o.durationS);
  positive('--max-requests', o.maxRequests, true);
  positive('--min-requests', o.minRequests, true);
  for (const [k, ph] of (o.phases ?? []).entries()) {
    positive(`--phases[${k}].rpm`, ph.rpm);
    positive(`--phases[${k}].durationS`, ph.durationS);
  }
  if (o.phases && (o.rpm !== undefined || o.clients !== undefined)) throw optError('--phases', 'rate phases replace --rpm and --clients; give one of them');
  for (const r of o.rpms ?? []) positive('--rpm', r);
  if (o.staggerS !== undefined && !(o.staggerS >= 0 && Number.isFinite(o.staggerS))) throw optError('--stagger', `expected a number >= 0, got ${o.staggerS}`);
  if (o.corunStaggerS !== undefined && !(o.corunStaggerS >= 0 && Number.isFinite(o.corunStaggerS))) throw optError('--corun-stagger', `expected a number of seconds >= 0, got ${o.corunStaggerS}`);
  if (o.warmupS !== undefined && !(o.warmupS >= 0 && Number.isFinite(o.warmupS))) throw optError('--warmup', `expected a number of seconds >= 0, got ${o.warmupS}`);
  if (o.clients !== undefined && o.clients > MAX_CLIENTS) throw optError('--clients', `at most ${MAX_CLIENTS.toLocaleString('en-US')} clients, got ${o.clients}`);
  if (o.minRequests !== undefined && o.minRequests > MAX_REQUESTS) throw optError('--min-requests', `at most ${MAX_REQUESTS.toLocaleString('en-US')} requests, got ${o.minRequests}`);
  if (o.warmupRequests !== undefined && !(Number.isInteger(o.warmupRequests) && o.warmupRequests >= 0))
    throw optError('--warmup-requests', `expected an integer >= 0, got ${o.warmupRequests}`);
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw optError('--seed', `expected an integer, got ${o.seed}`);
  if (o.rpm !== undefined && o.clients !== undefined) throw optError('--rpm', 'give either --rpm (open loop) or --clients (closed loop), not both');

  // an open loop's requests are known in advance: refuse a run that could not be held in memory
  const durationForCount = o.durationS ?? DEFAULTS.durationS;
  const openRequests = o.phases
    ? o.phases.reduce((n, ph) => n + (ph.rpm * ph.durationS) / 60, 0) * o.workflows.length
    : (o.rpms ?? (o.rpm !== undefined ? o.workflows.map(() => o.rpm!) : [])).reduce((n, r) => n + (r * durationForCount) / 60, 0);
  if (openRequests > MAX_REQUESTS)
    throw optError(o.phases ? '--phases' : '--rpm', `${Math.round(openRequests).toExponential(2)} requests in one run: at most ${MAX_REQUESTS.toLocaleString('en-US')} (each holds its state until it ends); lower the rate or --duration, or split the run`);
  const workflows = o.workflows.map((w) => (typeof w === 'string' ? loadWorkflow(w) : w));
  const clusterName = o.cluster ?? workflows[0].defaultCluster ?? 'faasflow-7w';
  const cluster = loadCluster(clusterName);
  // a container must fit on some worker, or its calls could never run
  const roomiest = Math.max(...cluster.nodes.filter((n) => n.role === 'worker').map((n) => n.memoryBytes));
  for (const w of workflows)
    for (const f of w.functions)
      if (f.kind !== 'switch' && f.memoryBytes > roomiest)
        throw optError('--workflow', `function '${f.name}' of '${w.name}' needs ${formatBytes(f.memoryBytes)} per container, more than any worker of '${cluster.name}' has (${formatBytes(roomiest)}); lower its memory or use a cluster with larger workers`);
  const policies = {
    queue: o.queue ?? cluster.policies?.queue ?? 'fifo',
    keepAlive: o.keepAlive ?? cluster.policies?.keepAlive ?? 'fixed',
    placement: o.placement ?? cluster.policies?.placement,
  };
  if (!(policies.queue in QUEUE_POLICIES)) throw optError('--queue', `unknown queue policy '${policies.queue}'; valid: ${Object.keys(QUEUE_POLICIES).join(', ')}`);
  if (!(policies.keepAlive in KEEP_ALIVE_POLICIES)) throw optError('--keep-alive', `unknown keep-alive policy '${policies.keepAlive}'; valid: ${Object.keys(KEEP_ALIVE_POLICIES).join(', ')}`);
  if (policies.placement !== undefined) {
    try {
      placementPolicy(policies.placement, o.mode);
    } catch (e) {
      throw optError('--placement', (e as Error).message);
    }
    // the mode's own placement is the default: name it only when it differs
    if (policies.placement === DEFAULT_PLACEMENT[o.mode]) policies.placement = undefined;
  }
  for (const [name, d] of Object.entries(o.deadlines ?? {})) {
    if (!workflows.some((w) => w.name === name)) throw optError('--deadline', `no workflow '${name}' in this run; workflows: ${workflows.map((w) => w.name).join(', ')}`);
    if (!(typeof d === 'number' && Number.isFinite(d) && d > 0)) throw optError('--deadline', `expected a positive number of seconds for '${name}', got ${d}`);
  }
  for (const [name, v] of Object.entries(o.priorities ?? {})) {
    if (!workflows.some((w) => w.name === name)) throw optError('--priority', `no workflow '${name}' in this run; workflows: ${workflows.map((w) => w.name).join(', ')}`);
    if (!(typeof v === 'number' && Number.isFinite(v))) throw optError('--priority', `expected a finite number for '${name}', got ${v}`);
  }
  const withDeadlines = workflows.map((w) => {
    const d = o.deadlines?.[w.name];
    const pr = o.priorities?.[w.name];
    return d === undefined && pr === undefined ? w : { ...w, ...(d !== undefined ? { deadlineS: d } : {}), ...(pr !== undefined ? { priority: pr } : {}) };
  });
  const prices = o.prices !== undefined ? loadPrices(o.prices) : undefined;
  const faults = buildFaults(o, withDeadlines, cluster);
  // a placement table names functions and workers that must exist, whatever the mode (only
  // dataflower follows it, but a table with a typo is wrong everywhere)
  for (const w of workflows) if (w.placement) checkPlacement(w, cluster, w.name);

  const sources: string[] = [];
  let profileParams: DeepPartial<Params> | undefined;
  // the cluster's own profile unless the caller names one; 'none' = the bare defaults
  const named = o.calibration ?? cluster.calibration;
  const calibration = named === 'none' ? undefined : named;
  if (calibration) {
    try {
      profileParams = readProfile(calibration).params;
    } catch (e) {
      throw optError('--calibration', (e as Error).message);
    }
    sources.push(`calibration:${calibration}`);
  }
  const fileParams = o.paramsFile ? loadParamsFile(o.paramsFile) : undefined;
  if (o.paramsFile) sources.push(`params:${o.paramsFile}`);
  if (o.params && Object.keys(o.params).length > 0) sources.push('inline');
  const params = mergeParams(DEFAULT_PARAMS, profileParams, fileParams, o.params);

  const durationS = o.durationS ?? DEFAULTS.durationS;
  const warmupRequests = o.warmupRequests ?? DEFAULTS.warmupRequests;
  const warmupS = o.warmupS ?? DEFAULTS.warmupS;
  const apps: AppSpec[] = withDeadlines.map((workflow, k) => {
    const startS = (o.corunStaggerS ?? 0) * k;
    const rpm = o.rpms?.[k] ?? o.rpm;
    const phases = o.phases && o.phases.length > 0 ? o.phases : undefined;
    const workload: WorkloadSpec = phases
      ? { kind: 'open', rpm: phases[0].rpm, phases, ramp: o.ramp ?? false, durationS: phases.reduce((t, ph) => t + ph.durationS, 0), warmupRequests, warmupS, startS }
      : rpm !== undefined
        ? { kind: 'open', rpm, ramp: o.ramp ?? false, durationS, warmupRequests, warmupS, startS }
        : { kind: 'closed', clients: o.clients ?? 1, staggerS: o.staggerS ?? DEFAULTS.staggerS, durationS, warmupRequests, warmupS, startS, maxRequests: o.maxRequests ?? 0, minRequests: o.minRequests ?? 0 };
    return { workflow, workload };
  });
  return {
    cluster,
    apps,
    mode: o.mode,
    storageBandwidthBps: o.bandwidthMBps !== undefined ? wondershaperCapBps(o.bandwidthMBps) : undefined,
    seed: o.seed ?? DEFAULTS.seed,
    params,
    paramsSource: sources.length > 0 ? sources.join('+') : 'defaults',
    traceInstances: o.trace ?? false,
    traceFlows: o.traceFlows ?? false,
    policies: policies.placement === undefined ? { queue: policies.queue, keepAlive: policies.keepAlive } : { queue: policies.queue, keepAlive: policies.keepAlive, placement: policies.placement },
    ...(prices ? { prices } : {}),
    ...(faults ? { faults } : {}),
  };
}

/** The scenario's faults: the file or spec, the command line's overrides, names checked against the scenario. */
function buildFaults(o: ScenarioOptions, workflows: readonly WorkflowSpec[], cluster: ClusterSpec): FaultSpec | undefined {
  if (o.faults === undefined && o.failureRate === undefined && o.retries === undefined) return undefined;
  const spec: FaultSpec = o.faults === undefined ? structuredClone(NO_FAULTS) : typeof o.faults === 'string' ? loadFaults(o.faults) : structuredClone(o.faults);
  const where = typeof o.faults === 'string' ? o.faults : '--faults';
  if (o.failureRate !== undefined) {
    if (!(typeof o.failureRate === 'number' && o.failureRate >= 0 && o.failureRate <= 1)) throw optError('--failure-rate', `expected a probability in 0..1, got ${o.failureRate}`);
    spec.failure.default = o.failureRate;
  }
  if (o.retries !== undefined) {
    if (!(Number.isInteger(o.retries) && o.retries >= 0 && o.retries <= 100)) throw optError('--retries', `expected a whole number in 0..100, got ${o.retries}`);
    spec.retry.max = o.retries;
  }
  const fnNames = new Set(workflows.flatMap((w) => w.functions.map((f) => f.name)));
  for (const [k, table] of [['failure', spec.failure.perFunction], ['crash', spec.crash.perFunction], ['executionTimeout', spec.executionTimeout.perFunction]] as const)
    for (const name of Object.keys(table))
      if (!fnNames.has(name)) throw new ConfigError(where, `${k}.functions.${name}`, `no function '${name}' in this run's workflows; ${hintList(name, [...fnNames], 'functions are')}`);
  const links = [...cluster.nodes.flatMap((n) => [`${n.name}.up`, `${n.name}.down`, `${n.name}.localstore`]), 'storage.write', 'storage.read'];
  const workers = cluster.nodes.filter((n) => n.role === 'worker').map((n) => n.name);
  const checkWorker = (node: string, path: string) => {
    if (workers.includes(node)) return;
    const isNode = cluster.nodes.some((n) => n.name === node);
    throw new ConfigError(where, path, isNode ? `'${node}' is not a worker of cluster ${cluster.name}: only workers can be lost (workers: ${workers.join(', ')})` : `no node '${node}' on cluster ${cluster.name}; ${hintList(node, workers, 'workers are')}`);
  };
  spec.nodeLoss.forEach((l, i) => checkWorker(l.node, `nodeLoss[${i}].node`));
  if (spec.nodeFailures) {
    if (spec.nodeFailures.nodes.length === 1 && spec.nodeFailures.nodes[0] === '*') spec.nodeFailures.nodes = workers;
    else spec.nodeFailures.nodes.forEach((n, i) => checkWorker(n, `nodeFailures.nodes[${i}]`));
  }
  spec.links.forEach((l, i) => {
    if (!links.includes(l.link)) throw new ConfigError(where, `links[${i}].link`, `no link '${l.link}' on cluster ${cluster.name}; ${hintList(l.link, links, 'links are')}`);
  });
  return spec;
}
