/**
 * FaaSFlow grouping cost: flowsim's own `groupWorkflow` (sim/modes/faasflow.ts) timed on a
 * genome-like DAG from the project's recipe generator (`gen:genome:<n>:<seed>`, traces/generator.ts).
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { loadWorkflow } from '../../loader/load.js';
import { compileWorkflow } from '../../sim/models/workflow.js';
import { groupWorkflow } from '../../sim/modes/faasflow.js';
import { DEFAULT_PARAMS, mergeParams, type DeepPartial, type Params } from '../../sim/params.js';
import type { CustomOutput } from '../types.js';

/** FaaSFlow's cluster: 7 workers (reference 1.B). */
export const FAASFLOW_WORKERS = 7;

export function groupingCost(functions: number, seed: number, params?: DeepPartial<Params>): CustomOutput {
  const ref = `gen:genome:${functions}:${seed}`;
  const spec = loadWorkflow(ref);
  const p = mergeParams(DEFAULT_PARAMS, params).faasflow;
  const cw = compileWorkflow(spec);
  groupWorkflow(cw, FAASFLOW_WORKERS, p); // JIT warm-up, not measured
  // Repeat small cases so the figure is above timer resolution; report the mean per grouping.
  const reps = functions <= 50 ? 20 : 10;
  const heapBefore = v8.getHeapStatistics().used_heap_size;
  const t0 = performance.now();
  let g = groupWorkflow(cw, FAASFLOW_WORKERS, p);
  for (let i = 1; i < reps; i++) g = groupWorkflow(cw, FAASFLOW_WORKERS, p);
  const wallSeconds = (performance.now() - t0) / 1000 / reps;
  const heapBytes = Math.max(0, v8.getHeapStatistics().used_heap_size - heapBefore) / reps;
  return {
    rows: [{ workflow: `genome-${functions}`, metrics: { groups: g.groups, merges: g.merges, iterations: g.iterations } }],
    config: { workflow: spec, workers: FAASFLOW_WORKERS, faasflow: p },
    // per iteration of the merge loop: the loop stops early on large DAGs (no allowed merge on the
    // critical path), so the total alone is not monotonic in the size
    timing: { groupingWallSeconds: wallSeconds, groupingWallSecondsPerIteration: wallSeconds / Math.max(1, g.iterations), groupingHeapBytes: heapBytes },
  };
}
