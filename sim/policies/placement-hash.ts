/** HyperFlow-serverless's raw placement: `hash(name) % workers` (reference 1.C; FNV-1a stands for Python's string hash). */
import { stableHash } from '../modes/common.js';
import type { CompiledWorkflow } from '../models/workflow.js';
import type { PlacementPolicy } from './placement.js';

/** The worker (index) of each function. */
export function rawPlacement(cw: CompiledWorkflow, workerCount: number): number[] {
  return cw.functions.map((fn) => stableHash(fn.name) % workerCount);
}

export const hashPlacement: PlacementPolicy = { name: 'hash', prepare: (cw, n) => rawPlacement(cw, n).map((k) => [k]) };
