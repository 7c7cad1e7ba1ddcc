/**
 * Cost models of the three orchestration modes, for the adaptive mode (adaptive.ts): an analytic
 * estimate of one request's e2e latency on an idle cluster, from the workflow, the cluster and the
 * parameters (the calibration profile), split into compute, data and control along the critical
 * path. They follow each mode's control and data path as the mode files describe them, with the
 * same parameters, but leave out queueing, contention between requests, CouchDB revision
 * conflicts between different functions' writers, and cold starts (reported apart: the same for every mode
 * on a warm cluster) [ASSUMPTION: a first-order model; `npm run exp -- adaptive` measures its
 * regret against the best fixed mode].
 *
 * Per function f: its mean service time, times the waves its instances need on one worker (more
 * instances than the worker's cores or the function's container limit run in turn), plus the
 * runtime's per-invocation costs (FaaSFlow's container runtime in hyperflow and faasflow modes:
 * its overhead, the store set-up and the log documents, faas-function.ts; a dispatch tick, half a
 * period on average). Per triggering or data edge e of B bytes per item,
 * carrying k items over the storage node (a foreach fan-out or a merge fan-in):
 * - hyperflow: every output is written to and read from the remote store: k x B each way over the
 *   remote path (the slower of the storage cap, the node NICs, the client and the store's own
 *   throughput), the writes of a fan-in serialised by CouchDB's revision conflicts; control: the master polls every worker, posts the request, and
 *   processes the reply (engine and HTTP costs of params.control);
 * - faasflow: FaaStore: an edge inside a group (same worker) is a local-memory put and get;
 *   across groups it goes through the remote store as hyperflow's; control: a local call or one
 *   HTTP trigger between worker engines;
 * The critical path treats edges as independent; parallel branches share the storage node's
 * interface, so the estimate is the longer of the critical path and the storage bound: every
 * remote byte of the request over that interface, writes and reads apart (in hyperflow and
 * faasflow the writers at one DAG level all update the request's one CouchDB document, so their
 * uploads are amplified by (n+1)/2 for n writers, document-store.ts).
 * - dataflower: outputs stream through the storage node while the consumer prefetches them, so an
 *   edge across workers costs k x B once over the slower of the remote path and the container's
 *   egress cap, a foreach item's transfer overlapping its producer's compute; same-worker edges
 *   are local puts; control: one engine operation and an HTTP notice per edge.
 */
import type { ClusterSpec } from '../models/cluster.js';
import { containerEgressCapBps } from '../models/cluster.js';
import type { CompiledWorkflow } from '../models/workflow.js';
import { makeDistribution } from '../engine/distributions.js';
import type { Params } from '../params.js';
import { groupWorkflow } from './faasflow-grouping.js';
import { dataflowerPlacement } from './dataflower.js';

export type FixedMode = 'hyperflow' | 'faasflow' | 'dataflower';
export const FIXED_MODES: readonly FixedMode[] = ['hyperflow', 'faasflow', 'dataflower'];

export interface ModeEstimate {
  mode: FixedMode;
  /** Estimated e2e of one request: the longer of the critical path and the storage bound. */
  e2eS: number;
  /** The critical path (compute + data + control below are its parts). */
  criticalPathS: number;
  /** The storage node's bound: all the request's remote bytes over its interface, each way (writes amplified by revision conflicts). */
  storageBoundS: number;
  computeS: number;
  dataS: number;
  controlS: number;
}

export interface CostDecision {
  workflow: string;
  estimates: ModeEstimate[];
  /** Critical-path compute over critical-path communication through the remote store (hyperflow's data path). */
  ccr: number;
  /** compute-bound when CCR >= 1, else network-bound. */
  kind: 'compute-bound' | 'network-bound';
  /** Mean cold start of one container (every mode pays it once per function on a cold cluster). */
  coldStartS: number;
  chosen: FixedMode;
}

export interface CostInputs {
  cw: CompiledWorkflow;
  cluster: ClusterSpec;
  params: Params;
  /** The storage node's interface capacity (its NIC, or the --bandwidth cap), bytes/s. */
  storageBps: number;
}

/** Items an edge carries over the storage node per request (a fan-out or fan-in shares it). */
function items(cw: CompiledWorkflow, e: number): number {
  const edge = cw.edges[e];
  if (edge.kind === 'foreach') return cw.functions[cw.index.get(edge.to)!].instances;
  if (edge.kind === 'merge') return cw.functions[cw.index.get(edge.from)!].instances;
  return 1;
}

/** One mode's estimate. */
export function estimateMode(mode: FixedMode, x: CostInputs): ModeEstimate {
  const { cw, cluster, params: p } = x;
  const c = p.control;
  const s = p.storage;
  const workers = cluster.nodes.filter((n) => n.role === 'worker');
  const W = workers.length;
  const workerNic = Math.min(...workers.map((n) => n.nicBps));
  const lat = Math.max(...cluster.nodes.map((n) => n.latencyS));
  const oneWay = 2 * lat;
  const msg = c.messageBytes / Math.min(workerNic, x.storageBps);
  const remoteBps = Math.min(x.storageBps, workerNic, s.clientThroughputBps, s.remoteWriteThroughputBps, s.remoteReadThroughputBps) * p.network.bandwidthFactor;
  const localBps = s.localThroughputBps * p.network.bandwidthFactor;
  const http = c.httpClientS + oneWay * p.network.latencyFactor + msg + c.httpRequestS + c.engineOverheadS;
  const cores = Math.min(...workers.map((n) => n.cores));
  const mean = cw.functions.map((fn) => {
    const m = makeDistribution(fn.serviceTime).mean;
    const n = fn.instances;
    const waves = Math.max(fn.cpu > 0 ? Math.ceil((n * fn.cpu) / cores - 1e-9) : 1, Math.ceil(n / Math.max(1, fn.maxContainers)));
    return m * waves;
  });
  // FaaSFlow's container runtime: per-invocation overhead, store set-up, fetch-phase and put-phase logs
  const small = s.remoteOpLatencyS + 2 * lat + s.remoteCommitS;
  const runtime = (f: number): number => {
    if (mode === 'dataflower') return p.dataflower.dispatchPeriodS / 2;
    const inputs = cw.inEdges[f].length > 0 || cw.starts.includes(f);
    const ops = p.containers.storeOpenOps + (inputs ? p.storage.fetchMissOps + p.storage.fetchLogOps + p.containers.phaseLogOps : 0) + p.containers.phaseLogOps;
    return p.containers.dispatchPeriodS / 2 + p.containers.invocationOverheadS + ops * small;
  };
  const node: number[] =
    mode === 'faasflow'
      ? Array.from(groupWorkflow(cw, W, p.faasflow).nodeOf)
      : mode === 'dataflower'
        ? dataflowerPlacement(cw, W, p.faasflow, (name) => workers.findIndex((n) => n.name === name)).map((cands) => cands[0])
        : cw.functions.map(() => -1);

  // per function: control cost before it runs (mode-specific) and its compute
  const fnControl = (f: number): number => {
    if (cw.functions[f].kind === 'switch') return c.localCallS;
    if (mode === 'hyperflow') return W * c.httpClientS + oneWay + c.httpRequestS + c.engineOverheadS + http + oneWay + c.engineOverheadS;
    return c.engineOverheadS;
  };
  // per edge: data time and control time between producer end and consumer start
  // a remote write of k items: n parallel writers of one request's CouchDB document serialise, the
  // winner of round m having uploaded m times (document-store.ts golden case: the last of n ends
  // after n (small + op) + (S/B) n(n+1)/2); one writer of k items writes them one after another
  const remoteWrite = (e: number, k: number, bytes: number): number => {
    const edge = cw.edges[e];
    const n = edge.kind === 'merge' ? k : 1;
    if (s.documentConflicts && n > 1) return n * (small + s.remoteOpLatencyS) + (bytes / remoteBps) * ((n * (n + 1)) / 2);
    return k * (s.remoteOpLatencyS + (s.documentConflicts ? small : 0)) + (k * bytes) / remoteBps;
  };
  const remoteRead = (k: number, bytes: number): number => s.remoteOpLatencyS + (k * bytes) / remoteBps;
  const edgeCost = (e: number): { data: number; control: number } => {
    const edge = cw.edges[e];
    const from = cw.index.get(edge.from)!;
    const to = cw.index.get(edge.to)!;
    const k = items(cw, e);
    const bytes = edge.bytes;
    const inline = bytes <= s.inlineBytes;
    const sameNode = node[from] >= 0 && node[from] === node[to];
    if (mode === 'hyperflow') {
      const data = bytes > 0 ? remoteWrite(e, k, bytes) + remoteRead(k, bytes) : 0;
      return { data, control: 0 };
    }
    if (mode === 'faasflow') {
      const data = bytes <= 0 ? 0 : sameNode ? 2 * s.localOpLatencyS + (k * bytes) / localBps : remoteWrite(e, k, bytes) + remoteRead(k, bytes);
      return { data, control: sameNode ? c.localCallS : http };
    }
    // dataflower
    if (inline || bytes <= 0) return { data: 0, control: c.engineOverheadS + (sameNode ? 0 : http) };
    if (sameNode) return { data: 2 * s.localOpLatencyS + (k * bytes) / localBps, control: c.engineOverheadS };
    const egress = containerEgressCapBps(cluster, cw.functions[from].cpu, p.dataflower.sleepQuotaCores);
    const bps = Math.min(remoteBps, egress * p.network.bandwidthFactor);
    let data = s.remoteOpLatencyS + (k * bytes) / bps + s.chunkBytes / bps;
    // foreach items stream while the producer computes: the transfer overlaps its compute
    if (edge.kind === 'foreach' && p.dataflower.foreachEmit === 'spread') data = Math.max(s.chunkBytes / bps, data - mean[from]);
    return { data, control: c.engineOverheadS + http };
  };

  const finish = new Float64Array(cw.functions.length);
  const parts = cw.functions.map(() => ({ compute: 0, data: 0, control: 0 }));
  for (const f of cw.topo) {
    let ready = mode === 'hyperflow' ? http : cw.starts.includes(f) ? http : 0;
    let via = { compute: 0, data: 0, control: ready };
    for (const e of cw.inEdges[f]) {
      const from = cw.index.get(cw.edges[e].from)!;
      const ec = edgeCost(e);
      const t = finish[from] + ec.data + ec.control;
      if (t > ready) {
        ready = t;
        const pp = parts[from];
        via = { compute: pp.compute, data: pp.data + ec.data, control: pp.control + ec.control };
      }
    }
    const ctl = fnControl(f);
    const rt = cw.functions[f].kind === 'switch' ? 0 : runtime(f);
    finish[f] = ready + ctl + rt + mean[f];
    parts[f] = { compute: via.compute + mean[f], data: via.data, control: via.control + ctl + rt };
  }
  let end = -1;
  for (const f of cw.ends) if (end < 0 || finish[f] > finish[end]) end = f;
  const reply = oneWay + msg;
  const last = parts[end];
  const cp = finish[end] + reply;

  // storage bound: remote bytes per DAG level (writers at one level run together)
  const depth = new Int32Array(cw.functions.length);
  for (const f of cw.topo) for (const e of cw.inEdges[f]) depth[f] = Math.max(depth[f], depth[cw.index.get(cw.edges[e].from)!] + 1);
  const levelBytes = new Map<number, { bytes: number; writers: number }>();
  let reads = 0;
  const remote = (e: number): boolean => {
    const edge = cw.edges[e];
    if (edge.bytes <= (mode === 'dataflower' ? s.inlineBytes : 0)) return false;
    const a = node[cw.index.get(edge.from)!];
    const b = node[cw.index.get(edge.to)!];
    return mode === 'hyperflow' || a < 0 || a !== b;
  };
  for (let f = 0; f < cw.functions.length; f++) {
    let out = mode === 'dataflower' ? 0 : cw.outEdges[f].some((e) => cw.edges[e].kind !== 'data') ? 0 : cw.functions[f].userOutputBytes;
    for (const e of cw.outEdges[f]) {
      if (!remote(e)) continue;
      const k = items(cw, e);
      out += k * cw.edges[e].bytes;
      reads += k * cw.edges[e].bytes;
    }
    if (out <= 0) continue;
    const l = levelBytes.get(depth[f]) ?? { bytes: 0, writers: 0 };
    l.bytes += out;
    l.writers += cw.functions[f].instances;
    levelBytes.set(depth[f], l);
  }
  let writes = 0;
  for (const l of levelBytes.values()) writes += mode !== 'dataflower' && s.documentConflicts ? (l.bytes * (l.writers + 1)) / 2 : l.bytes;
  const storageBound = Math.max(writes, reads) / remoteBps;
  return { mode, e2eS: Math.max(cp, storageBound), criticalPathS: cp, storageBoundS: storageBound, computeS: last.compute, dataS: last.data, controlS: last.control + reply };
}

/** Every mode's estimate, the workflow's CCR and class, and the cheapest mode. */
export function decideMode(x: CostInputs): CostDecision {
  const estimates = FIXED_MODES.map((m) => estimateMode(m, x));
  const hf = estimates[0];
  const ccr = hf.dataS > 0 ? hf.computeS / hf.dataS : Infinity;
  let chosen = estimates[0];
  for (const e of estimates) if (e.e2eS < chosen.e2eS - 1e-12) chosen = e;
  return {
    workflow: x.cw.spec.name,
    estimates,
    ccr,
    kind: ccr >= 1 ? 'compute-bound' : 'network-bound',
    coldStartS: makeDistribution(x.params.containers.coldStart).mean,
    chosen: chosen.mode,
  };
}

/** The decision for each workflow of a scenario, as the adaptive mode would take it. */
export function decideForScenario(s: { cluster: ClusterSpec; params: Params; storageBandwidthBps?: number; apps: Array<{ workflow: import('../models/workflow.js').WorkflowSpec }> }, compile: (w: import('../models/workflow.js').WorkflowSpec) => CompiledWorkflow): CostDecision[] {
  const st = s.cluster.nodes.find((n) => n.name === s.cluster.storage)!;
  const storageBps = s.storageBandwidthBps ? Math.min(s.storageBandwidthBps, st.nicBps) : st.nicBps;
  return s.apps.map((a) => decideMode({ cw: compile(a.workflow), cluster: s.cluster, params: s.params, storageBps }));
}

/** A readable table of decisions (`npm run sim -- --explain`). */
export function explainDecisions(ds: readonly CostDecision[]): string {
  const f = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));
  const lines: string[] = [];
  for (const d of ds) {
    lines.push(`  adaptive: ${d.workflow}: CCR ${Number.isFinite(d.ccr) ? d.ccr.toFixed(2) : 'inf'} (${d.kind}) -> ${d.chosen}; estimated e2e on an idle cluster (s):`);
    lines.push(`    ${'mode'.padEnd(12)}${'e2e'.padStart(9)}${'= max(path'.padStart(12)}${'storage)'.padStart(10)}   path: ${'compute'.padStart(8)}${'data'.padStart(8)}${'control'.padStart(9)}`);
    for (const e of d.estimates)
      lines.push(`    ${(e.mode + (e.mode === d.chosen ? ' *' : '')).padEnd(12)}${f(e.e2eS).padStart(9)}${f(e.criticalPathS).padStart(12)}${f(e.storageBoundS).padStart(10)}         ${f(e.computeS).padStart(8)}${f(e.dataS).padStart(8)}${f(e.controlS).padStart(9)}`);
    lines.push(`    cold start ${f(d.coldStartS)} s per container (every mode, once per function on a cold cluster; not in the estimates)`);
  }
  return lines.join('\n');
}
