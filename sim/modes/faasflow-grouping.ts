/**
 * FaaSFlow's graph partitioning (reference 1.C "Graph partition / grouping",
 * src/grouping/grouping.py):
 *
 * - Start: each function is its own group, placed at hash(name) % workers; a group takes the sum
 *   of its functions' `scale` (3) container slots of its node's capacity (scale_limit x 0.8 = 96).
 * - Edge weight = the producer's output bytes / NETWORK_BANDWIDTH (25 MB/s / 4); an edge inside a
 *   group weighs that / NET_MEM_BANDWIDTH_RATIO (15).
 * - Repeat: find the critical path (longest path over function weights + edge weights, a
 *   topological DP); sort its edges by weight, largest first; merge the two groups at the ends of
 *   the first edge whose merge is allowed. Stop when one group is left or no edge on the critical
 *   path can merge.
 * - A merge is allowed when: the merged group has at most GROUP_LIMIT (100) functions; some node
 *   has free slots for the merged group's scale, counting the slots the two groups release (best
 *   fit: the node with the least slack takes it); and the in-memory data the merged group would
 *   hold (the output bytes of producers inside it with a consumer inside it) fits within the sum
 *   over its functions of (1 - 0.2 - mem_usage) x 256 MB x split_ratio.
 *
 * Function weight is FaaSFlow's `runtime` (`groupingWeight`), else the service-time mean.
 * [ASSUMPTION] what the reference leaves open: foreach edges weigh bytes x instances; `data`
 * edges count like the others; ties in the critical path and in edge order are broken by index.
 */
import type { CompiledWorkflow } from '../models/workflow.js';
import { makeDistribution } from '../engine/distributions.js';
import type { Params } from '../params.js';
import { stableHash } from './common.js';

export interface Grouping {
  /** Group id of each function. */
  groupOf: Int32Array;
  /** Worker (index into the `workers` list given) of each function. */
  nodeOf: Int32Array;
  groups: number;
  merges: number;
  iterations: number;
}

/** Total bytes function f writes along its edges (foreach items x instances). */
export function functionOutputBytes(cw: CompiledWorkflow, f: number): number {
  const fn = cw.functions[f];
  if (fn.outputBytes !== undefined) return fn.outputBytes;
  const seen = new Set<string>();
  let total = 0;
  for (const e of cw.outEdges[f]) {
    const edge = cw.edges[e];
    const mult = edge.kind === 'foreach' ? cw.functions[cw.index.get(edge.to)!].instances : 1;
    const key = edge.kind === 'foreach' ? `f${e}` : `b${edge.bytes}`;
    if (seen.has(key)) continue;
    seen.add(key);
    total += edge.bytes * mult;
  }
  return total;
}

export function groupWorkflow(cw: CompiledWorkflow, workerCount: number, p: Params['faasflow']): Grouping {
  const n = cw.functions.length;
  const groupOf = new Int32Array(n);
  for (let f = 0; f < n; f++) groupOf[f] = f;
  const members: number[][] = Array.from({ length: n }, (_, f) => [f]);
  const scaleOf = (f: number) => cw.functions[f].scale ?? 3;
  const groupScale = new Float64Array(n);
  const groupNode = new Int32Array(n);
  const capacity = p.scaleLimit * p.usableFraction;
  const used = new Float64Array(workerCount);
  for (let f = 0; f < n; f++) {
    groupScale[f] = scaleOf(f);
    groupNode[f] = stableHash(cw.functions[f].name) % workerCount;
    used[groupNode[f]] += groupScale[f];
  }
  const weight = cw.functions.map((fn) => fn.groupingWeight ?? makeDistribution(fn.serviceTime).mean);
  const outBytes = cw.functions.map((_, f) => functionOutputBytes(cw, f));
  const edgeBytes = cw.edges.map((e) => {
    const to = cw.functions[cw.index.get(e.to)!];
    return e.kind === 'foreach' ? e.bytes * to.instances : e.bytes;
  });
  const from = cw.edges.map((e) => cw.index.get(e.from)!);
  const to = cw.edges.map((e) => cw.index.get(e.to)!);
  const memBudget = (g: number[]) => {
    let b = 0;
    for (const f of g) {
      const fn = cw.functions[f];
      b += (1 - 0.2 - (fn.memUsage ?? 0.25)) * p.containerMemoryBytes * (fn.splitRatio ?? 1);
    }
    return b;
  };
  const memNeed = (g: Set<number>) => {
    let need = 0;
    for (const f of g) {
      if (cw.outEdges[f].some((e) => g.has(to[e]))) need += outBytes[f];
    }
    return need;
  };

  let groups = n;
  let merges = 0;
  let iterations = 0;
  const dist = new Float64Array(n);
  const via = new Int32Array(n);
  while (groups > 1) {
    iterations++;
    // critical path: longest path over function weights and edge weights
    for (const f of cw.topo) {
      let best = 0;
      let bestEdge = -1;
      for (const e of cw.inEdges[f]) {
        const a = from[e];
        let w = (outBytes[a] || edgeBytes[e]) / p.groupingBandwidthBps;
        if (groupOf[a] === groupOf[f]) w /= p.netMemRatio;
        const d = dist[a] + w;
        if (d > best) {
          best = d;
          bestEdge = e;
        }
      }
      dist[f] = best + weight[f];
      via[f] = bestEdge;
    }
    let end = 0;
    for (let f = 1; f < n; f++) if (dist[f] > dist[end]) end = f;
    const path: number[] = [];
    for (let f = end; via[f] >= 0; f = from[via[f]]) path.push(via[f]);
    const candidates = path
      .filter((e) => groupOf[from[e]] !== groupOf[to[e]])
      .map((e) => ({ e, w: (outBytes[from[e]] || edgeBytes[e]) / p.groupingBandwidthBps }))
      .sort((x, y) => y.w - x.w || x.e - y.e);
    let merged = false;
    for (const { e } of candidates) {
      const ga = groupOf[from[e]];
      const gb = groupOf[to[e]];
      const size = members[ga].length + members[gb].length;
      if (size > p.groupLimit) continue;
      const scale = groupScale[ga] + groupScale[gb];
      let bestNode = -1;
      let bestSlack = Infinity;
      for (let w = 0; w < workerCount; w++) {
        let free = capacity - used[w];
        if (groupNode[ga] === w) free += groupScale[ga];
        if (groupNode[gb] === w) free += groupScale[gb];
        const slack = free - scale;
        if (slack >= 0 && slack < bestSlack) {
          bestSlack = slack;
          bestNode = w;
        }
      }
      if (bestNode < 0) continue;
      const set = new Set([...members[ga], ...members[gb]]);
      if (memNeed(set) > memBudget([...set])) continue;
      // merge gb into ga, place on bestNode
      used[groupNode[ga]] -= groupScale[ga];
      used[groupNode[gb]] -= groupScale[gb];
      for (const f of members[gb]) groupOf[f] = ga;
      members[ga] = [...members[ga], ...members[gb]];
      members[gb] = [];
      groupScale[ga] = scale;
      groupScale[gb] = 0;
      groupNode[ga] = bestNode;
      used[bestNode] += scale;
      groups--;
      merges++;
      merged = true;
      break;
    }
    if (!merged) break;
  }
  const nodeOf = new Int32Array(n);
  for (let f = 0; f < n; f++) nodeOf[f] = groupNode[groupOf[f]];
  return { groupOf, nodeOf, groups, merges, iterations };
}
