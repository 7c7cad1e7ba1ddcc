/**
 * Workflow benchmarks on the whole simulator (`buildScenario` + `runScenario`):
 *
 * - `large`: one request of a generated 10,000-task workflow (`gen:genome:10000`) on a 100-node
 *   cluster, in each mode, with the faasflow-paper profile but without CouchDB's revision
 *   conflicts. Target (issue 5): under 5 s wall per mode. Conflicts are what FaaSFlow's remote
 *   store does (document-store.ts): every parallel writer to a request's document uploads again
 *   after each commit it loses, so n parallel writers upload about n^2/2 times and a simulation of
 *   a request grows with its widest level squared; the `conflicts` cases measure that at 1,000
 *   tasks, with conflicts on, apart.
 * - `requests`: many requests of `df-wordcount` in dataflower mode at a high open-loop rate;
 *   peak RSS is read at several run lengths (the process's high-water mark when that many
 *   requests have resolved). Target: memory flat in run length.
 */
import { buildScenario } from '../loader/build.js';
import type { ClusterSpec, NodeSpec } from '../sim/models/cluster.js';
import { runScenario } from '../sim/run.js';
import type { ModeName } from '../sim/scenario.js';

const GiB = 1024 ** 3;

/**
 * A 100-node cluster: 99 workers and one storage node (which also hosts the gateway and the
 * master), shaped like the faasflow-7w preset scaled out. No 100-node preset ships in configs/.
 * [ASSUMPTION] 8-core/32 GiB workers and a 16-core/64 GiB storage node as faasflow-7w; 10 Gbit/s
 * NICs and 50 us per link as that preset's defaults.
 */
export function bigCluster(nodes = 100): ClusterSpec {
  const list: NodeSpec[] = [];
  for (let i = 0; i < nodes - 1; i++) list.push({ name: `w${i}`, role: 'worker', cores: 8, memoryBytes: 32 * GiB, nicBps: 1.25e9, latencyS: 50e-6 });
  list.push({ name: 'storage', role: 'storage', cores: 16, memoryBytes: 64 * GiB, nicBps: 1.25e9, latencyS: 50e-6 });
  return {
    name: `bench-${nodes}n`,
    description: `${nodes - 1} workers and one storage node (bench/workflow.ts)`,
    nodes: list,
    storage: 'storage',
    gateway: 'storage',
    master: 'storage',
  };
}

export interface LargeWorkflowResult {
  mode: ModeName;
  conflicts: boolean;
  workflow: string;
  tasks: number;
  nodes: number;
  buildS: number;
  wallS: number;
  events: number;
  eventsPerS: number;
  completed: number;
  e2eS: number;
  simulatedS: number;
}

/** One request of a generated workflow on `nodes` nodes; wall time of the run (build timed apart). */
export function runLargeWorkflow(mode: ModeName, tasks = 10_000, recipe = 'genome', nodes = 100, conflicts = false): LargeWorkflowResult {
  const ref = `gen:${recipe}:${tasks}`;
  const b0 = process.hrtime.bigint();
  const s = buildScenario({ workflows: [ref], mode, cluster: 'faasflow-7w', clients: 1, maxRequests: 1, warmupRequests: 0, durationS: 1e6, seed: 1, params: { storage: { documentConflicts: conflicts } } });
  s.cluster = bigCluster(nodes);
  const t0 = process.hrtime.bigint();
  const r = runScenario(s);
  const t1 = process.hrtime.bigint();
  const wallS = Number(t1 - t0) / 1e9;
  return {
    mode,
    conflicts,
    workflow: ref,
    tasks,
    nodes,
    buildS: Number(t0 - b0) / 1e9,
    wallS,
    events: r.events,
    eventsPerS: r.events / wallS,
    completed: r.completed,
    e2eS: r.e2e.mean,
    simulatedS: r.simulatedSeconds,
  };
}

export interface RequestsResult {
  workflow: string;
  mode: ModeName;
  rpm: number;
  requests: number;
  wallS: number;
  events: number;
  eventsPerS: number;
  completed: number;
  timeouts: number;
  /** Peak RSS (bytes, process high-water mark) when each milestone of resolved requests was passed. */
  peakRssAt: Array<{ requests: number; peakRssBytes: number; rssBytes: number; heapUsedBytes: number; wallS: number }>;
}

/** `requests` requests of `workflow` in `mode` at `rpm` (open loop), peak RSS at each milestone. */
export function runManyRequests(requests: number, milestones: number[], rpm = 1200, workflow = 'df-wordcount', mode: ModeName = 'dataflower'): RequestsResult {
  // the open-loop driver sends one request every 60/rpm s for durationS: size the window to `requests`
  const durationS = (requests * 60) / rpm - 1e-9;
  const s = buildScenario({ workflows: [workflow], mode, rpm, durationS, warmupRequests: 0, seed: 1 });
  const marks = [...milestones].filter((m) => m < requests).sort((a, b) => a - b);
  const peakRssAt: RequestsResult['peakRssAt'] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  const sample = (resolved: number) => {
    const mu = process.memoryUsage();
    peakRssAt.push({
      requests: resolved,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      rssBytes: mu.rss,
      heapUsedBytes: mu.heapUsed,
      wallS: Number(process.hrtime.bigint() - t0) / 1e9,
    });
  };
  const r = runScenario(s, {
    progress: (_t, resolved) => {
      while (next < marks.length && resolved >= marks[next]) {
        sample(resolved);
        next++;
      }
    },
  });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  sample(r.requests);
  return { workflow, mode, rpm, requests: r.requests, wallS, events: r.events, eventsPerS: r.events / wallS, completed: r.completed, timeouts: r.timeouts, peakRssAt };
}

export interface OverloadResult {
  workflow: string;
  mode: ModeName;
  onTimeout: 'continue' | 'cancel';
  rpm: number;
  durationS: number;
  requests: number;
  completed: number;
  timeouts: number;
  cancelled: number;
  abandoned: number;
  simulatedS: number;
  wallS: number;
  events: number;
  /** Live heap (after a full GC) when the simulated clock passed each mark, and at the end. */
  liveHeapAt: Array<{ simS: number; liveHeapBytes: number }>;
}

/** A full GC, then the heap in use (the live set); the plain heapUsed when gc cannot be exposed. */
function liveHeap(): number {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) g();
  return process.memoryUsage().heapUsed;
}

/**
 * Sustained overload (issue 15): `workflow` in `mode` at `rpm` for `durationS`, far above what
 * the cluster serves, with the client timeout's effect `onTimeout`. The live heap is read after a
 * full GC each time the simulated clock passes a mark (RSS alone says little: V8 grows its heap
 * lazily up to its limit). Memory is flat when the live heap at the end of a long send window is
 * that of a short one.
 */
export function runOverload(onTimeout: 'continue' | 'cancel', durationS: number, marksS: number[], rpm = 6000, workflow = 'wordcount', mode: ModeName = 'hyperflow'): OverloadResult {
  const s = buildScenario({ workflows: [workflow], mode, rpm, durationS, warmupRequests: 0, seed: 1, params: { request: { onTimeout } } });
  const marks = [...marksS].sort((a, b) => a - b);
  const liveHeapAt: OverloadResult['liveHeapAt'] = [];
  let next = 0;
  const t0 = process.hrtime.bigint();
  const r = runScenario(s, {
    progress: (t) => {
      while (next < marks.length && t >= marks[next]) {
        liveHeapAt.push({ simS: marks[next], liveHeapBytes: liveHeap() });
        next++;
      }
    },
  });
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  liveHeapAt.push({ simS: r.simulatedSeconds, liveHeapBytes: liveHeap() });
  return {
    workflow,
    mode,
    onTimeout,
    rpm,
    durationS,
    requests: r.requests,
    completed: r.completed,
    timeouts: r.timeouts,
    cancelled: r.cancelled.requests,
    abandoned: r.abandoned.requests,
    simulatedS: r.simulatedSeconds,
    wallS,
    events: r.events,
    liveHeapAt,
  };
}
