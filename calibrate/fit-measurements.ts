/**
 * Fitting flowsim's free parameters to a measurements file (`npm run calibrate -- --from`).
 *
 * The optimiser is ml-levenberg-marquardt (mljs): a least-squares fit of the cells' residuals
 * log(simulated / measured), each scaled by the square root of the cell's weight, with a
 * forward-difference Jacobian whose simulations run in parallel worker threads (pool.ts). Every free value is searched in [0, 1] and mapped onto its bounds,
 * geometrically when both bounds are > 0 (rates and times span decades), else linearly. The
 * simulator is deterministic for a seed, so the objective is a fixed function of the parameters;
 * it is piecewise smooth (dispatch ticks, event order), which a forward-difference step of a few
 * percent of the range steps over.
 *
 * Leave-one-benchmark-out: for each benchmark, fit on the cells of the other benchmarks and
 * report the error of the left-out benchmark's cells, which that fit never saw.
 */
import os from 'node:os';
import { levenbergMarquardt } from 'ml-levenberg-marquardt';
import { SyncPool } from './pool.js';
import { evaluateCells, modeOrderings, summarizeCells, type CellResult, type EvaluateOptions, type FreeValues, type Ordering, type Summary } from './cells.js';
import type { CellSpec, FreeParam, MeasurementSet } from './measurements.js';
import { paramAt } from './measurements.js';
import type { DeepPartial, Params } from '../sim/params.js';

export function toValue(f: FreeParam, u: number): number {
  const x = Math.min(1, Math.max(0, u));
  return f.min > 0 ? f.min * Math.pow(f.max / f.min, x) : f.min + x * (f.max - f.min);
}

export function toUnit(f: FreeParam, v: number): number {
  const x = Math.min(f.max, Math.max(f.min, v));
  return f.min > 0 ? Math.log(x / f.min) / Math.log(f.max / f.min) : (x - f.min) / (f.max - f.min);
}

/**
 * Where a free value starts: its value in `from` (an earlier profile's params, `--start`) when it
 * sets it within bounds, else its `start` in the file, else the
 * default parameter (within bounds), else mid-range.
 */
export function startValue(f: FreeParam, from?: DeepPartial<Params>): number {
  if (f.kind === 'param' && from) {
    const v = paramAt(f.path, from);
    if (v !== undefined && v >= f.min && v <= f.max) return v;
  }
  if (f.start !== undefined) return f.start;
  if (f.kind === 'param') {
    const d = paramAt(f.path);
    if (d !== undefined && d >= f.min && d <= f.max) return d;
  } else if (1 >= f.min && 1 <= f.max) return 1;
  return toValue(f, 0.5);
}

export interface FitOptions {
  /** Cells the fit may use (default all); the others are only reported. */
  train?: (c: CellSpec, i: number) => boolean;
  maxIterations?: number;
  log?: (s: string) => void;
  seed?: number;
  /** Start from these parameter values (an earlier profile's params) where they set a free value. */
  startParams?: DeepPartial<Params>;
  /** Worker threads for the Jacobian's simulations (default: the machine's cores; 1 = in this thread). */
  jobs?: number;
}

export interface FitResult {
  values: FreeValues;
  evaluations: number;
  iterations: number;
  objective: number;
  wallS: number;
}

export function fitMeasurements(set: MeasurementSet, o: FitOptions = {}): FitResult {
  const t0 = performance.now();
  const free = set.free;
  const train = o.train ?? (() => true);
  const trainIdx = set.cells.map((c, i) => (train(c, i) && (c.weight ?? 1) > 0 ? i : -1)).filter((i) => i >= 0);
  if (free.length === 0) {
    return { values: [], evaluations: 0, iterations: 0, objective: NaN, wallS: 0 };
  }
  const only: EvaluateOptions = { only: (_c, i) => trainIdx.includes(i), seed: o.seed };
  let evaluations = 0;
  let best = { obj: Infinity, values: free.map((f) => startValue(f, o.startParams)) };
  const cache = new Map<string, Float64Array>();
  const key = (u: number[]) => u.map((x) => x.toFixed(12)).join(',');
  const residuals = (u: number[]): Float64Array => {
    const hit = cache.get(key(u));
    if (hit) return hit;
    const values = free.map((f, k) => toValue(f, u[k]));
    const r = evaluateCells(set, values, only);
    evaluations++;
    const out = new Float64Array(r.length);
    let obj = 0;
    r.forEach((c, k) => {
      out[k] = c.residual * Math.sqrt(c.weight);
      obj += out[k] * out[k];
    });
    if (obj < best.obj) {
      best = { obj, values };
      o.log?.(`  evaluation ${evaluations}: objective ${(obj / r.length).toFixed(5)}`);
    }
    cache.set(key(u), out);
    return out;
  };
  const n = trainIdx.length;
  const x = Array.from({ length: n }, (_, k) => k);
  const y = new Array(n).fill(0);
  const step = 0.02;
  const jobs = Math.max(1, Math.min(o.jobs ?? os.availableParallelism(), free.length));
  const pool = jobs > 1 ? new SyncPool(set, trainIdx, jobs, o.seed) : undefined;
  // forward differences in [0, 1], stepping back from the upper bound; with a pool the
  // perturbed points are simulated in parallel
  const jacobian = (u: number[]) => {
    const r0 = residuals(u);
    const points = free.map((_, k) => {
      const v = u.slice();
      v[k] = u[k] + step <= 1 ? u[k] + step : u[k] - step;
      return v;
    });
    const todo = points.filter((v) => !cache.has(key(v)));
    if (pool && todo.length > 1) {
      const rs = pool.run(todo.map((v) => ({ values: free.map((f, k) => toValue(f, v[k])) })));
      todo.forEach((v, j) => {
        cache.set(key(v), rs[j]);
        evaluations++;
      });
    }
    const cols = points.map((v, k) => {
      const r = residuals(v);
      const d = v[k] - u[k];
      return Float64Array.from(r, (ri, i) => (ri - r0[i]) / d);
    });
    return (i: number) => cols.map((c) => c[i]);
  };
  let result;
  try {
    result = levenbergMarquardt(
    { x, y },
    (u: number[]) => {
      const r = residuals(u);
      return (k: number) => r[k];
    },
    {
      // a start on a bound would make the forward difference step outside it (a zero gradient)
      initialValues: free.map((f) => Math.min(0.9, Math.max(0.1, toUnit(f, startValue(f, o.startParams))))),
      minValues: free.map(() => 0),
      maxValues: free.map(() => 1),
      jacobianFunction: jacobian,
      damping: 0.01,
      maxIterations: o.maxIterations ?? 12,
      errorTolerance: 1e-4,
    },
  );
  } finally {
    void pool?.close();
  }
  // the optimiser's final point, or the best point it evaluated if that was better
  const final = free.map((f, k) => toValue(f, result.parameterValues[k]));
  const finalObj = residuals(result.parameterValues).reduce((s, v) => s + v * v, 0);
  const values = finalObj <= best.obj ? final : best.values;
  return { values, evaluations, iterations: result.iterations, objective: Math.min(finalObj, best.obj) / n, wallS: (performance.now() - t0) / 1000 };
}

export interface Evaluation {
  results: CellResult[];
  orderings: Ordering[];
  summary: Summary;
}

export function evaluate(set: MeasurementSet, values: FreeValues, opts: EvaluateOptions = {}, baseParams?: DeepPartial<Params>): Evaluation {
  const results = evaluateCells(set, values, opts, baseParams);
  const orderings = modeOrderings(set, results);
  return { results, orderings, summary: summarizeCells(results, orderings) };
}

export interface LooRow {
  benchmark: string;
  cells: number;
  medianAbsError: number;
  maxAbsError: number;
  results: CellResult[];
  values: FreeValues;
}

/** Leave-one-benchmark-out: fit without each benchmark's cells, evaluate them. */
export function leaveOneBenchmarkOut(set: MeasurementSet, o: FitOptions = {}): LooRow[] {
  const bench = (c: CellSpec) => c.app ?? c.workflow!;
  const names = [...new Set(set.cells.map(bench))];
  return names.map((b) => {
    o.log?.(`leave-one-benchmark-out: fitting without ${b}`);
    const fit = fitMeasurements(set, { ...o, train: (c) => bench(c) !== b });
    const ev = evaluate(set, fit.values, { only: (c) => bench(c) === b, seed: o.seed });
    return { benchmark: b, cells: ev.results.length, medianAbsError: ev.summary.medianAbsError, maxAbsError: ev.summary.maxAbsError, results: ev.results, values: fit.values };
  });
}
