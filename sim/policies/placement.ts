/**
 * Placement policies: which worker runs a function. A static policy places every function of a
 * workflow once (`prepare`, the same for every request); a dynamic one chooses when a function of
 * a request becomes ready (`choose`), from the cluster's state at that moment. The hyperflow mode
 * takes any of them; faasflow places by its grouping (FaaStore's data placement depends on it)
 * and dataflower by its benchmark tables, so those modes accept only their own. Adding one is a
 * new file and a line in `PLACEMENT_POLICIES` (policies/index.ts).
 */
import type { Rng } from '../engine/random.js';
import type { CompiledWorkflow } from '../models/workflow.js';
import type { Params } from '../params.js';
import type { RequestCtx } from '../modes/mode.js';

export interface PlacementState {
  /** Worker node indices. */
  workers: readonly number[];
  /** Containers busy or starting on a node now. */
  busyOn(node: number): number;
  /** The node each function of the request runs on (placed or static). */
  nodeOf(req: RequestCtx, f: number): number;
  rng: Rng;
}

export interface PlacementPolicy {
  readonly name: string;
  /** Static: candidate worker indices (into `workers`) per function. */
  prepare?(cw: CompiledWorkflow, workerCount: number, p: Params): number[][];
  /** Dynamic: the node for function `f` of `req`, now. */
  choose?(req: RequestCtx, f: number, s: PlacementState): number;
}

/** The least busy worker (fewest containers serving or starting), lowest index on ties. */
export function leastBusy(s: PlacementState, among: readonly number[] = s.workers): number {
  let best = among[0];
  for (const n of among) if (s.busyOn(n) < s.busyOn(best)) best = n;
  return best;
}
