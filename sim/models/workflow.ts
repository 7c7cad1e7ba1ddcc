/**
 * Workflow model: a DAG of functions joined by edges that carry data and/or trigger successors.
 *
 * Edge kinds (FaaSFlow's and DataFlower's YAMLs, reference sections 1.A and 2.A):
 * - `normal`: one item from a single-instance producer to a single-instance consumer (also used
 *   for FaaSFlow's "parallel" fan-out: several normal edges from one function).
 * - `foreach`: the consumer runs `instances` times; instance i receives item i (`bytes` per item).
 * - `merge`: from a multi-instance producer to a single-instance consumer, which waits for all
 *   instances' items (`bytes` per instance).
 * - `switch`: one edge of the producer's switch group is chosen per request by `probability`
 *   (FaaSFlow's `virtual*` nodes, DataFlower's SWITCH outputs); the others are dead.
 * - `data`: the consumer reads the producer's output but is not triggered by it (FaaSFlow's
 *   mosaic reads the image that upload wrote long before).
 *
 * Readiness rule (dead-path elimination), documented assumption: a function instance is ready
 * when every triggering incoming edge is resolved (delivered or dead), at least one of them was
 * delivered, and every delivered `data` input has arrived. If all triggering inputs are dead, the
 * function is dead and so are its outgoing edges. A function without triggering inputs is a start
 * function, triggered by the request itself.
 */
import type { DistributionSpec } from '../engine/distributions.js';

export type EdgeKind = 'normal' | 'foreach' | 'merge' | 'switch' | 'data';

export interface FunctionSpec {
  name: string;
  /** `switch`: a virtual node the engine evaluates itself, no container, no service time. */
  kind: 'function' | 'switch';
  /** Compute time in seconds when running uncontended at `cpu` cores, excluding data I/O. */
  serviceTime: DistributionSpec;
  /** Cores kept busy while computing (0 = the function only sleeps). Also DataFlower's cpu quota. */
  cpu: number;
  /** Memory of one container, bytes. */
  memoryBytes: number;
  /** Containers of this function allowed per node. */
  maxContainers: number;
  /** 1, or K for the target of a foreach edge. */
  instances: number;
  /** Bytes of workflow-level input this function reads from remote storage (WfFormat / FaaSFlow `gin`). */
  inputBytes: number;
  /**
   * Total bytes the function writes (FaaSFlow scientific `out=`). Writes that no edge consumes
   * (e.g. an end function's results) still go to storage. Default: the sum of its distinct outputs.
   */
  outputBytes?: number;
  /** Bytes the function writes to storage that no function reads (YAML `unreadOutputBytes`). */
  unreadOutputBytes?: number;
  /** Bytes this function sends to the user ($USER) when it ends, if it is an end function. */
  userOutputBytes: number;
  /** FaaSFlow's `runtime`: a grouping weight in seconds, not a service time. Defaults to the service mean. */
  groupingWeight?: number;
  /** FaaSFlow's `scale`: container slots a function takes in grouping. */
  scale?: number;
  /** FaaSFlow's `mem_usage` (fraction of the 256 MB container slot). */
  memUsage?: number;
  /** FaaSFlow's `split_ratio` (memory budget multiplier in grouping). */
  splitRatio?: number;
  /** Queue priority of this function's calls (the `priority` queue policy); default: the workflow's. */
  priority?: number;
}

export interface EdgeSpec {
  from: string;
  to: string;
  kind: EdgeKind;
  /** Bytes carried: per item (foreach), per producer instance (merge), else the whole output. */
  bytes: number;
  /** Switch edges only: probability that this branch is chosen. */
  probability?: number;
}

export interface WorkflowSpec {
  name: string;
  description?: string;
  /** Where the numbers come from. */
  source?: string;
  functions: FunctionSpec[];
  edges: EdgeSpec[];
  /** Cluster preset this benchmark was run on. */
  defaultCluster?: string;
  /**
   * Fixed placement (DataFlower's tables): function -> worker names; with several, request
   * r uses entry `requestIndex % length`.
   */
  placement?: Record<string, string[]>;
  /** Queue priority of the workflow's calls (the `priority` queue policy; higher first; default 0). */
  priority?: number;
  /** Seconds a request has from its start (the `edf` queue policy; deadline misses are reported). */
  deadlineS?: number;
}

/** Indexed, validated form of a workflow used at run time. */
export interface CompiledWorkflow {
  spec: WorkflowSpec;
  functions: FunctionSpec[];
  index: Map<string, number>;
  /** Incoming and outgoing edge indices per function. */
  inEdges: number[][];
  outEdges: number[][];
  edges: EdgeSpec[];
  /** Functions in topological order. */
  topo: number[];
  /** Functions with no triggering input. */
  starts: number[];
  /** Functions with no outgoing triggering edge. */
  ends: number[];
}

export function isTriggering(e: EdgeSpec): boolean {
  return e.kind !== 'data';
}

export class WorkflowError extends Error {
  constructor(readonly path: string, message: string) {
    super(message);
  }
}

/** Checks structure and builds indices. Throws WorkflowError with a path like `edges[3].to`. */
export function compileWorkflow(spec: WorkflowSpec): CompiledWorkflow {
  const index = new Map<string, number>();
  spec.functions.forEach((f, i) => {
    if (index.has(f.name)) throw new WorkflowError(`functions[${i}].name`, `duplicate function name '${f.name}'`);
    index.set(f.name, i);
  });
  const n = spec.functions.length;
  if (n === 0) throw new WorkflowError('functions', 'a workflow needs at least one function');
  const inEdges: number[][] = Array.from({ length: n }, () => []);
  const outEdges: number[][] = Array.from({ length: n }, () => []);
  spec.edges.forEach((e, i) => {
    const a = index.get(e.from);
    const b = index.get(e.to);
    if (a === undefined) throw new WorkflowError(`edges[${i}].from`, `no function named '${e.from}'`);
    if (b === undefined) throw new WorkflowError(`edges[${i}].to`, `no function named '${e.to}'`);
    if (a === b) throw new WorkflowError(`edges[${i}]`, `edge from '${e.from}' to itself`);
    const fa = spec.functions[a];
    const fb = spec.functions[b];
    if (e.kind === 'foreach' && fa.instances !== 1)
      throw new WorkflowError(`edges[${i}].kind`, `a foreach edge must start at a single-instance function ('${e.from}' has ${fa.instances})`);
    if (e.kind === 'foreach' && fb.instances < 1)
      throw new WorkflowError(`edges[${i}].to`, `the target of a foreach edge needs instances >= 1`);
    if (e.kind !== 'foreach' && e.kind !== 'data' && fb.instances !== 1)
      throw new WorkflowError(`edges[${i}].kind`, `'${e.to}' has ${fb.instances} instances: edges into it must be 'foreach' or 'data'`);
    if (fa.instances > 1 && e.kind !== 'merge' && e.kind !== 'data')
      throw new WorkflowError(`edges[${i}].kind`, `'${e.from}' has ${fa.instances} instances: edges out of it must be 'merge'`);
    if (e.kind === 'switch' && (e.probability === undefined || !(e.probability >= 0 && e.probability <= 1)))
      throw new WorkflowError(`edges[${i}].probability`, 'a switch edge needs a probability between 0 and 1');
    if (!(e.bytes >= 0)) throw new WorkflowError(`edges[${i}].bytes`, `bytes must be >= 0, got ${e.bytes}`);
    outEdges[a].push(i);
    inEdges[b].push(i);
  });
  // switch groups must sum to 1
  for (let f = 0; f < n; f++) {
    const sw = outEdges[f].filter((i) => spec.edges[i].kind === 'switch');
    if (sw.length > 0) {
      const total = sw.reduce((s, i) => s + (spec.edges[i].probability ?? 0), 0);
      if (Math.abs(total - 1) > 1e-9)
        throw new WorkflowError(`edges[${sw[0]}].probability`, `switch branches of '${spec.functions[f].name}' sum to ${total}, expected 1`);
    }
    if (spec.functions[f].kind === 'switch' && sw.length !== outEdges[f].filter((i) => isTriggering(spec.edges[i])).length)
      throw new WorkflowError(`functions[${f}].kind`, `switch node '${spec.functions[f].name}' may only have switch (or data) edges out`);
  }
  // topological order over all edges (data edges included: they are dependencies too)
  const indeg = new Int32Array(n);
  for (const e of spec.edges) indeg[index.get(e.to)!]++;
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
  const topo: number[] = [];
  while (queue.length > 0) {
    const f = queue.shift()!;
    topo.push(f);
    for (const ei of outEdges[f]) {
      const t = index.get(spec.edges[ei].to)!;
      if (--indeg[t] === 0) queue.push(t);
    }
  }
  if (topo.length !== n) {
    const stuck = spec.functions.filter((_, i) => indeg[i] > 0).map((f) => f.name);
    throw new WorkflowError('edges', `the workflow has a cycle through: ${stuck.slice(0, 8).join(', ')}${stuck.length > 8 ? ', …' : ''}`);
  }
  const starts: number[] = [];
  const ends: number[] = [];
  for (let f = 0; f < n; f++) {
    if (!inEdges[f].some((i) => isTriggering(spec.edges[i]))) starts.push(f);
    if (!outEdges[f].some((i) => isTriggering(spec.edges[i]))) ends.push(f);
  }
  return { spec, functions: spec.functions, index, inEdges, outEdges, edges: spec.edges, topo, starts, ends };
}

/** Total bytes one request moves along edges (all instances, all branches taken). */
export function totalEdgeBytes(w: CompiledWorkflow): number {
  let total = 0;
  for (const e of w.edges) {
    const from = w.functions[w.index.get(e.from)!];
    const to = w.functions[w.index.get(e.to)!];
    const mult = e.kind === 'foreach' ? to.instances : e.kind === 'merge' ? from.instances : 1;
    total += e.bytes * mult;
  }
  return total;
}

/** Longest path (in functions) over triggering edges. */
export function criticalPathLength(w: CompiledWorkflow): number {
  const depth = new Int32Array(w.functions.length);
  let best = 0;
  for (const f of w.topo) {
    let d = 0;
    for (const ei of w.inEdges[f]) {
      if (!isTriggering(w.edges[ei])) continue;
      d = Math.max(d, depth[w.index.get(w.edges[ei].from)!]);
    }
    depth[f] = d + 1;
    best = Math.max(best, depth[f]);
  }
  return best;
}

/**
 * Longest path over triggering edges of a per-function time `own(f)` (negative: f did not run and
 * is on no path): the reference's critical path for scheduling overhead (1.E), used on simulated
 * and on real runs alike.
 */
export function criticalPath(w: CompiledWorkflow, own: (f: number) => number): number {
  const best = new Float64Array(w.functions.length);
  let out = 0;
  for (const f of w.topo) {
    const o = own(f);
    if (o < 0) {
      best[f] = -1;
      continue;
    }
    let pred = 0;
    for (const e of w.inEdges[f]) {
      if (!isTriggering(w.edges[e])) continue;
      const p = w.index.get(w.edges[e].from)!;
      if (best[p] > pred) pred = best[p];
    }
    best[f] = pred + o;
    if (best[f] > out) out = best[f];
  }
  return out;
}
