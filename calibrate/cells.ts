/**
 * Evaluating measurement cells with the simulator: each cell becomes a scenario (cells that differ
 * only in the metric share one simulation), the simulated value is read off the result the way the
 * authors measured it, and compared with the measurement.
 *
 * Errors: relative error (sim - measured) / measured; a measurement given as [low, high] (two runs
 * of the same cell) counts as exact anywhere between them, else relative to the nearer bound. A
 * 'timeout' cell holds when the simulated app had at least 3 timed-out requests (FaaSFlow's AE marks
 * a workflow "timeout" after 3, reference 1.B). The fit minimises the mean squared log ratio
 * log(sim / measured), which treats 2x too slow and 2x too fast alike.
 */
import { buildScenario, type ScenarioOptions } from '../loader/build.js';
import { loadWorkflow } from '../loader/load.js';
import type { WorkflowSpec } from '../sim/models/workflow.js';
import { mergeParams, DEFAULT_PARAMS, type DeepPartial, type Params } from '../sim/params.js';
import { runScenario } from '../sim/run.js';
import type { SimResult } from '../sim/scenario.js';
import { FUNCTION_METRICS, setParam, type CellSpec, type FreeParam, type MeasurementSet } from './measurements.js';

/** Timed-out calls after which FaaSFlow's AE marks a workflow "timeout" (reference 1.B). */
export const TIMEOUT_CALLS = 3;

export interface CellResult {
  id: string;
  benchmark: string;
  mode: string;
  metric: string;
  function?: string;
  measured: number | [number, number] | 'timeout';
  simulated: number;
  /** Relative error (0 inside a [low, high] range); NaN for a timeout cell. */
  error: number;
  /** Timeout cells: whether the simulation timed out as the measurement did. */
  ok: boolean;
  /** Residual the fit minimises. */
  residual: number;
  weight: number;
  source: string;
  timeouts: number;
}

/** A point in the free parameters: parameter values and workflow byte scales. */
export type FreeValues = number[];

/** Workflow specs with the free workflow scales applied (others untouched). */
export function scaledWorkflows(set: MeasurementSet, values: FreeValues): Map<string, WorkflowSpec> {
  const out = new Map<string, WorkflowSpec>();
  set.free.forEach((f, k) => {
    if (f.kind !== 'workflow') return;
    const spec = out.get(f.workflow) ?? structuredClone(loadWorkflow(f.workflow));
    for (const e of spec.edges) if (f.edges.some((x) => x.from === e.from && x.to === e.to)) e.bytes = Math.round(e.bytes * values[k]);
    out.set(f.workflow, spec);
  });
  return out;
}

/** The params partial for a point: the file's fixed params, then the free parameter values. */
export function paramsFor(set: MeasurementSet, values: FreeValues, base?: DeepPartial<Params>): DeepPartial<Params> {
  const p = structuredClone(mergeParams(DEFAULT_PARAMS, base, set.params)) as unknown as Record<string, unknown>;
  set.free.forEach((f, k) => {
    if (f.kind === 'param') setParam(p, f.path, values[k]);
  });
  return p as DeepPartial<Params>;
}

function cellOptions(set: MeasurementSet, c: CellSpec): Omit<ScenarioOptions, 'workflows'> & { workflowNames: string[] } {
  const d = { ...set.defaults, ...Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined)) } as Record<string, unknown>;
  return {
    workflowNames: c.workflows ?? [c.workflow!],
    mode: c.mode,
    cluster: c.cluster ?? set.cluster,
    bandwidthMBps: d.bandwidth as number | undefined,
    rpm: d.rpm as number | undefined,
    clients: d.rpm !== undefined ? undefined : ((d.clients as number | undefined) ?? 1),
    corunStaggerS: d.corunStaggerS as number | undefined,
    durationS: d.durationS as number | undefined,
    warmupRequests: d.warmupRequests as number | undefined,
    warmupS: d.warmupS as number | undefined,
    maxRequests: d.rpm !== undefined ? undefined : (d.maxRequests as number | undefined),
    minRequests: d.rpm !== undefined ? undefined : (d.minRequests as number | undefined),
    ramp: d.ramp as boolean | undefined,
  };
}

function logRatio(sim: number, lo: number, hi: number): number {
  const s = Math.max(sim, 1e-9);
  if (s < lo) return Math.log(s / lo);
  if (s > hi) return Math.log(s / hi);
  return 0;
}

function readMetric(r: SimResult, c: CellSpec, specName?: string): { value: number; timeouts: number } {
  // a workflow given as a file is named in the result by its spec's name
  const appName = specName ?? c.app ?? c.workflow!;
  const app = r.apps.find((a) => a.workflow === appName) ?? r.apps.find((a) => a.workflow.startsWith(appName + '#'));
  if (!app) throw new Error(`cell ${c.id}: no app '${appName}' in the result`);
  if (c.metric === 'coldStarts') return { value: r.coldStarts, timeouts: app.timeouts };
  if (c.metric === 'linkBytes') {
    const l = r.links.find((x) => x.link === c.link);
    if (!l) throw new Error(`cell ${c.id}: no link '${c.link}' in the simulated cluster; links: ${r.links.map((x) => x.link).join(', ')}`);
    return { value: l.bytes, timeouts: app.timeouts };
  }
  if (!(FUNCTION_METRICS as readonly string[]).includes(c.metric)) {
    const [group, stat] = c.metric.split('.') as [string, string | undefined];
    if (group === 'throughputRps') return { value: app.throughputRps, timeouts: app.timeouts };
    const s = (app as unknown as Record<string, Record<string, number>>)[group];
    return { value: stat ? s[stat] : NaN, timeouts: app.timeouts };
  }
  const rows = (r.instances ?? []).filter((x) => x.measured && x.fn === c.function && (x.app === app.workflow));
  if (rows.length === 0) return { value: NaN, timeouts: app.timeouts };
  let sum = 0;
  for (const x of rows) sum += c.metric === 'start.mean' ? x.start - x.requestStart : c.metric === 'duration.mean' ? x.end - x.start : x.end - x.ready;
  return { value: sum / rows.length, timeouts: app.timeouts };
}

export interface EvaluateOptions {
  /** Only these cells (by index). */
  only?: (c: CellSpec, i: number) => boolean;
  seed?: number;
}

/** Simulates every cell at the given free values. */
export function evaluateCells(set: MeasurementSet, values: FreeValues, opts: EvaluateOptions = {}, baseParams?: DeepPartial<Params>): CellResult[] {
  const params = paramsFor(set, values, baseParams);
  const workflows = scaledWorkflows(set, values);
  const groups = new Map<string, { options: ScenarioOptions; cells: Array<[number, CellSpec]> }>();
  set.cells.forEach((c, i) => {
    if (opts.only && !opts.only(c, i)) return;
    const { workflowNames, ...o } = cellOptions(set, c);
    const trace = (FUNCTION_METRICS as readonly string[]).includes(c.metric);
    const key = JSON.stringify([workflowNames, o]);
    let g = groups.get(key);
    if (!g) {
      g = { options: { ...o, workflows: workflowNames.map((w) => workflows.get(w) ?? w), seed: opts.seed ?? 1, calibration: 'none', params, trace: false }, cells: [] };
      groups.set(key, g);
    }
    if (trace) g.options.trace = true;
    g.cells.push([i, c]);
  });
  const out: Array<[number, CellResult]> = [];
  for (const g of groups.values()) {
    const r = runScenario(buildScenario(g.options));
    for (const [i, c] of g.cells) {
      const ref = c.app ?? c.workflow!;
      const { value, timeouts } = readMetric(r, c, workflows.get(ref)?.name ?? set.specNames?.[ref]);
      const weight = c.weight ?? 1;
      let error: number;
      let residual: number;
      let ok = true;
      if (c.measured === 'timeout') {
        ok = timeouts >= TIMEOUT_CALLS;
        error = NaN;
        // short of the timeout: how far the slowest request is from it
        residual = ok ? 0 : Math.log(Math.max(value, 1e-9) / DEFAULT_PARAMS.request.timeoutS);
      } else {
        const [lo, hi] = Array.isArray(c.measured) ? c.measured : [c.measured, c.measured];
        residual = Number.isFinite(value) ? logRatio(value, lo, hi) : 10;
        error = !Number.isFinite(value) ? Infinity : value < lo ? (value - lo) / lo : value > hi ? (value - hi) / hi : 0;
        ok = Math.abs(error) <= 0.25;
      }
      out.push([
        i,
        {
          id: c.id,
          benchmark: c.app ?? c.workflow!,
          mode: c.mode,
          metric: c.metric,
          function: c.function,
          measured: c.measured,
          simulated: value,
          error,
          ok,
          residual,
          weight,
          source: c.source,
          timeouts,
        },
      ]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]).map((x) => x[1]);
}

export interface Ordering {
  /** What is compared: benchmark, metric, workload. */
  what: string;
  faster: string;
  slower: string;
  measured: [number, number];
  simulated: [number, number];
  holds: boolean;
}

/**
 * Pairs of cells that differ only in the mode: the mode that measured faster (smaller) must be
 * faster in the simulation too. A timeout counts as slower than any number.
 */
export function modeOrderings(set: MeasurementSet, results: CellResult[]): Ordering[] {
  const byKey = new Map<string, Array<{ c: CellSpec; r: CellResult }>>();
  set.cells.forEach((c) => {
    const r = results.find((x) => x.id === c.id);
    if (!r) return;
    const { mode: _m, id: _i, measured: _v, source: _s, weight: _w, ...rest } = c;
    const key = JSON.stringify(rest);
    byKey.set(key, [...(byKey.get(key) ?? []), { c, r }]);
  });
  const val = (m: CellResult['measured']) => (m === 'timeout' ? Infinity : Array.isArray(m) ? (m[0] + m[1]) / 2 : m);
  const simVal = (r: CellResult) => (r.measured === 'timeout' && r.ok ? Infinity : r.timeouts >= TIMEOUT_CALLS && r.metric.startsWith('e2e') ? Infinity : r.simulated);
  const out: Ordering[] = [];
  for (const list of byKey.values()) {
    for (let a = 0; a < list.length; a++)
      for (let b = a + 1; b < list.length; b++) {
        const x = list[a];
        const y = list[b];
        const mx = val(x.c.measured);
        const my = val(y.c.measured);
        if (mx === my) continue;
        const [f, s] = mx < my ? [x, y] : [y, x];
        const sf = simVal(f.r);
        const sv = simVal(s.r);
        out.push({
          what: `${f.r.benchmark} ${f.r.metric}${f.r.function ? ` (${f.r.function})` : ''} ${x.c.rpm ? `${x.c.rpm} rpm` : x.c.workflows ? 'co-run' : 'closed loop'}`,
          faster: f.c.mode,
          slower: s.c.mode,
          measured: [val(f.c.measured), val(s.c.measured)],
          simulated: [sf, sv],
          holds: sf < sv,
        });
      }
  }
  return out;
}

export interface Summary {
  cells: number;
  medianAbsError: number;
  maxAbsError: number;
  within25: number;
  timeoutsHeld: number;
  timeoutCells: number;
  orderingsHeld: number;
  orderings: number;
  /** Mean weighted squared residual (the fit's objective). */
  objective: number;
}

export function summarizeCells(results: CellResult[], orderings: Ordering[]): Summary {
  const num = results.filter((r) => r.measured !== 'timeout').map((r) => Math.abs(r.error));
  const sorted = [...num].sort((a, b) => a - b);
  const median = sorted.length === 0 ? 0 : sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
  const w = results.reduce((s, r) => s + r.weight, 0);
  const to = results.filter((r) => r.measured === 'timeout');
  return {
    cells: results.length,
    medianAbsError: median,
    maxAbsError: sorted.length ? sorted[sorted.length - 1] : 0,
    within25: num.filter((e) => e <= 0.25).length,
    timeoutsHeld: to.filter((r) => r.ok).length,
    timeoutCells: to.length,
    orderingsHeld: orderings.filter((o) => o.holds).length,
    orderings: orderings.length,
    objective: w > 0 ? results.reduce((s, r) => s + r.weight * r.residual * r.residual, 0) / w : 0,
  };
}

/** Human form of a free value (inferred bytes for workflow scales). */
export function describeFree(f: FreeParam, value: number): string {
  if (f.kind === 'param') return `${f.path} = ${value}`;
  const spec = loadWorkflow(f.workflow);
  const sizes = f.edges.map((e) => {
    const edge = spec.edges.find((x) => x.from === e.from && x.to === e.to)!;
    return `${e.from}->${e.to} ${Math.round(edge.bytes * value)} B`;
  });
  return `${f.workflow} ${f.name} x ${value.toPrecision(4)} (${sizes.join(', ')})`;
}
