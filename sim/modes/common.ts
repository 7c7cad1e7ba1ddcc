/**
 * What several modes compute the same way: where an instance runs, its service time, its
 * container pool, and a function's outputs.
 */
import type { AppRuntime, RequestCtx } from './mode.js';
import type { CompiledWorkflow } from '../models/workflow.js';

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
