/**
 * Locality-aware: the worker where most of the function's input bytes were produced (its
 * producers' nodes, weighted by the bytes each edge carries to it); the least busy worker when
 * it has no producer (a start function) or on ties. In hyperflow mode every output still goes
 * through the remote store, so this policy co-locates producers and consumers (fewer distinct
 * hosts, warm containers reused along a chain) without saving network bytes.
 */
import { leastBusy, type PlacementPolicy } from './placement.js';

export const localityPlacement: PlacementPolicy = {
  name: 'locality',
  choose(req, f, s) {
    const cw = req.app.cw;
    const bytes = new Map<number, number>();
    for (const e of cw.inEdges[f]) {
      const edge = cw.edges[e];
      const from = cw.index.get(edge.from)!;
      const n = s.nodeOf(req, from);
      const items = edge.kind === 'merge' ? cw.functions[from].instances : 1;
      bytes.set(n, (bytes.get(n) ?? 0) + edge.bytes * items);
    }
    let top = -1;
    for (const v of bytes.values()) top = Math.max(top, v);
    const best = [...bytes].filter(([n, v]) => v === top && s.workers.includes(n)).map(([n]) => n);
    return best.length > 0 ? leastBusy(s, best.sort((a, b) => a - b)) : leastBusy(s);
  },
};
