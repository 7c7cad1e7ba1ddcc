/**
 * User-defined sweeps: an experiment described in YAML instead of TypeScript
 * (`npm run exp -- run my-sweep.yaml`). docs/experiments.md "Your own sweep" documents the format;
 * configs/sweeps/ has examples.
 *
 * A spec is validated like every other config (file, path and line in the message), then turned
 * into an ExperimentDef, so it runs through the same runner: the same run folders, resume,
 * determinism, plots and manifest as the built-in experiments.
 *
 * Workflow files named in a spec are read once and embedded in the normalized spec that travels
 * with every task (so worker threads and queue workers on other machines need no file); a cluster
 * or params file is kept as an absolute path (it must exist where the tasks run).
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ScenarioOptions } from '../loader/build.js';
import { ConfigError, errorAt, loadCluster, loadWorkflow, looksLikePath, parseParamsOverride, readYaml, validate, type YamlSource } from '../loader/load.js';
import { ALL_MODE_NAMES } from '../sim/scenario.js';
import type { WorkflowSpec } from '../sim/models/workflow.js';
import { sha256, stableStringify } from './lib/fsutil.js';
import { BANDWIDTH_CLI, CLIENTS_CLI, RPM_CLI } from './lib/catalog.js';
import { numberError } from './lib/sweep.js';
import type { AxisDef, AxisValue, ExperimentDef, HeadlineDef, MetricDef, PlotDef, Point } from './types.js';

/** Axes with a meaning of their own (a scenario option); any other axis needs `param:`. */
export const OPTION_AXES = {
  benchmark: 'the workflows (names, files, WfFormat files or gen:<recipe>:<tasks>)',
  mode: 'orchestration mode',
  cluster: 'cluster name or file',
  bandwidth: 'storage-node bandwidth cap, MB/s',
  rpm: 'open loop, requests per minute',
  clients: 'closed loop, number of clients',
  durationS: 'send window, s',
  warmupRequests: 'requests discarded at the start',
  failureRate: "every function's failure probability per attempt",
  retries: 'retries at most per failed invocation',
  keepAlive: 'keep-alive policy',
  queue: 'queue policy',
  placement: 'placement policy',
  calibration: 'calibration profile',
} as const;
type OptionAxis = keyof typeof OPTION_AXES;

const METRIC_LABELS: Record<string, { label: string; unit?: string }> = {
  'e2e.mean': { label: 'e2e mean', unit: 's' },
  'e2e.p50': { label: 'e2e p50', unit: 's' },
  'e2e.p99': { label: 'e2e p99', unit: 's' },
  'e2e.max': { label: 'e2e max', unit: 's' },
  'e2e.count': { label: 'measured requests' },
  throughputRps: { label: 'throughput', unit: 'req/s' },
  timeouts: { label: 'timeouts' },
  successRate: { label: 'success rate' },
};

const value = z.union([z.number().refine(Number.isFinite, 'expected a finite number'), z.string().min(1), z.boolean()]);
const name = z.string().regex(/^[A-Za-z][A-Za-z0-9._-]*$/, "use a letter first, then letters, digits, '.', '_' or '-'");

const axisSchema = z.strictObject({
  name,
  values: z.array(value).min(1, 'give at least one value').max(10000),
  quick: z.array(value).min(1, 'give at least one value').max(10000).optional(),
  /** A parameter path (`storage.chunkBytes`, `network.bandwidthFactor`): the axis sets that parameter. */
  param: z.string().regex(/^[A-Za-z]\w*(\.[A-Za-z]\w*)*$/, 'expected a dotted parameter path such as storage.chunkBytes').optional(),
  describe: z.string().optional(),
});

const metricSchema = z.union([z.string().min(1), z.strictObject({ name: z.string().min(1), label: z.string().optional(), unit: z.string().optional() })]);

const plotSchema = z.strictObject({
  name: name.optional(),
  title: z.string().optional(),
  y: z.string().min(1),
  x: z.string().min(1).optional(),
  mark: z.enum(['line', 'bar', 'point']).optional(),
  color: z.string().optional(),
  column: z.string().optional(),
  row: z.string().optional(),
  logY: z.boolean().optional(),
  logX: z.boolean().optional(),
});

const headlineSchema = z.strictObject({ metric: z.string().min(1), col: z.string().optional(), rows: z.array(z.string()).optional(), title: z.string().optional() });

const scenarioSchema = z.strictObject({
  cluster: z.string().min(1).optional(),
  bandwidth: z.number().positive().optional(),
  rpm: z.number().positive().optional(),
  clients: z.number().int().positive().optional(),
  staggerS: z.number().nonnegative().optional(),
  durationS: z.number().positive().optional(),
  warmupRequests: z.number().int().nonnegative().optional(),
  warmupS: z.number().nonnegative().optional(),
  maxRequests: z.number().int().positive().optional(),
  minRequests: z.number().int().nonnegative().optional(),
  corunStaggerS: z.number().nonnegative().optional(),
  calibration: z.string().min(1).optional(),
  queue: z.string().min(1).optional(),
  keepAlive: z.string().min(1).optional(),
  placement: z.string().min(1).optional(),
  prices: z.string().min(1).optional(),
  failureRate: z.number().min(0).max(1).optional(),
  retries: z.number().int().min(0).max(100).optional(),
  faults: z.string().min(1).optional(),
});

export const specSchema = z.strictObject({
  name,
  description: z.string().optional(),
  /** The workflow axis (named `benchmark`, as in the built-in experiments). */
  workflows: z.array(z.string().min(1)).min(1, 'name at least one workflow').max(1000),
  modes: z.array(z.enum(ALL_MODE_NAMES as unknown as [string, ...string[]])).min(1).optional(),
  seeds: z.number().int().min(1).max(1000).optional(),
  /** Fixed scenario options for every point (an axis of the same name overrides them). */
  scenario: scenarioSchema.optional(),
  /** Parameter overrides for every point (as in a --params file). */
  params: z.record(z.string(), z.unknown()).optional(),
  axes: z.array(axisSchema).max(20).optional(),
  /** Under --quick: scenario options replacing the above (e.g. a shorter durationS). */
  quick: z.strictObject({ scenario: scenarioSchema.optional() }).optional(),
  metrics: z.array(metricSchema).min(1).max(100).optional(),
  plots: z.array(plotSchema).max(50).optional(),
  headline: z.array(headlineSchema).max(50).optional(),
});
type SpecFile = z.output<typeof specSchema>;

/** What travels with every task: the checked spec, file references made absolute, workflow files embedded. */
export interface NormalizedSpec {
  name: string;
  description: string;
  file: string;
  workflows: string[];
  /** Workflow files read at load time, by the label used in the `benchmark` axis. */
  embedded: Record<string, WorkflowSpec>;
  modes: string[];
  seeds?: number;
  scenario: NonNullable<SpecFile['scenario']>;
  quickScenario: NonNullable<SpecFile['scenario']>;
  params: Record<string, unknown>;
  axes: Array<{ name: string; values: AxisValue[]; quick?: AxisValue[]; param?: string; describe?: string }>;
  metrics: MetricDef[];
  plots: PlotDef[];
  headline: HeadlineDef[];
}

/** Reads and checks a sweep spec file; every problem is a ConfigError naming file, path and line. */
export function loadSpecFile(file: string): NormalizedSpec {
  return normalizeSpec(readYaml(file), path.dirname(path.resolve(file)));
}

export function normalizeSpec(src: YamlSource, baseDir: string): NormalizedSpec {
  const f = validate(specSchema, src);
  const at = (p: PropertyKey[], msg: string) => errorAt(src, p, msg);
  const abs = (ref: string) => (path.isAbsolute(ref) ? ref : path.resolve(baseDir, ref));

  // workflows: names, gen: recipes, or files (relative to the spec's folder), read now
  const embedded: Record<string, WorkflowSpec> = {};
  const labels: string[] = [];
  f.workflows.forEach((ref, i) => {
    let wf: WorkflowSpec;
    try {
      wf = loadWorkflow(looksLikePath(ref) ? abs(ref) : ref);
    } catch (e) {
      throw at(['workflows', i], e instanceof ConfigError ? e.format() : (e as Error).message);
    }
    const label = looksLikePath(ref) ? wf.name : ref;
    if (labels.includes(label)) throw at(['workflows', i], `workflow '${label}' is listed twice`);
    labels.push(label);
    if (looksLikePath(ref)) embedded[label] = wf;
  });

  const fixScenario = (s: SpecFile['scenario'], where: PropertyKey[]) => {
    const out = { ...(s ?? {}) };
    if (out.cluster !== undefined) out.cluster = checkCluster(out.cluster, [...where, 'cluster']);
    if (out.faults !== undefined && looksLikePath(out.faults)) {
      out.faults = abs(out.faults);
      if (!fs.existsSync(out.faults)) throw at([...where, 'faults'], `no such file: ${out.faults}`);
    }
    if (out.calibration !== undefined && looksLikePath(out.calibration)) out.calibration = abs(out.calibration);
    if (out.prices !== undefined && looksLikePath(out.prices)) out.prices = abs(out.prices);
    return out;
  };
  const checkCluster = (ref: string, where: PropertyKey[]): string => {
    const r = looksLikePath(ref) ? abs(ref) : ref;
    try {
      loadCluster(r);
    } catch (e) {
      throw at(where, e instanceof ConfigError ? e.format() : (e as Error).message);
    }
    return r;
  };
  const scenario = fixScenario(f.scenario, ['scenario']);
  const quickScenario = { ...scenario, ...fixScenario(f.quick?.scenario, ['quick', 'scenario']) };

  const params = f.params ?? {};
  parseParamsOverride(params, src.file, 'params');

  // axes: benchmark and mode come first (from workflows/modes) unless the spec lists them itself
  const axes: NormalizedSpec['axes'] = [];
  const seen = new Set<string>();
  (f.axes ?? []).forEach((a, i) => {
    if (seen.has(a.name)) throw at(['axes', i, 'name'], `axis '${a.name}' is listed twice`);
    seen.add(a.name);
    if (a.name === 'benchmark' || a.name === 'mode') throw at(['axes', i, 'name'], `'${a.name}' is set by the top-level '${a.name === 'mode' ? 'modes' : 'workflows'}' list`);
    if (a.name === 'workflow' || a.name === 'seeds' || a.name === 'seed') throw at(['axes', i, 'name'], `'${a.name}' is reserved (workflows: the top-level list; seeds: the top-level 'seeds')`);
    if (a.param === undefined && !(a.name in OPTION_AXES))
      throw at(['axes', i, 'name'], `unknown axis '${a.name}': use one of ${Object.keys(OPTION_AXES).filter((k) => k !== 'benchmark' && k !== 'mode').join(', ')}, or give 'param: <parameter path>' (e.g. storage.chunkBytes)`);
    const vals = [...a.values, ...(a.quick ?? [])];
    vals.forEach((v, j) => {
      const where = j < a.values.length ? ['axes', i, 'values', j] : ['axes', i, 'quick', j - a.values.length];
      if (a.param !== undefined) {
        try {
          parseParamsOverride(setPath({}, a.param, v), src.file, `axes[${i}]`);
        } catch (e) {
          throw at(where, `${a.param} = ${JSON.stringify(v)}: ${(e as Error).message}`);
        }
        return;
      }
      checkOptionValue(a.name as OptionAxis, v, where, at, checkCluster);
    });
    if (a.name === 'cluster') {
      a.values = a.values.map((v, j) => checkCluster(String(v), ['axes', i, 'values', j]));
      if (a.quick) a.quick = a.quick.map((v, j) => checkCluster(String(v), ['axes', i, 'quick', j]));
    }
    axes.push({ name: a.name, values: [...new Set(a.values)], ...(a.quick ? { quick: [...new Set(a.quick)] } : {}), ...(a.param ? { param: a.param } : {}), ...(a.describe ? { describe: a.describe } : {}) });
  });

  const metrics: MetricDef[] = (f.metrics ?? ['e2e.mean', 'e2e.p99', 'e2e.count', 'throughputRps', 'timeouts']).map((m) => {
    const o = typeof m === 'string' ? { name: m } : m;
    const known = METRIC_LABELS[o.name];
    return { name: o.name, label: o.label ?? known?.label ?? o.name, ...(o.unit ?? known?.unit ? { unit: o.unit ?? known?.unit } : {}) };
  });
  const metricNames = metrics.map((m) => m.name);
  const axisNames = ['benchmark', 'mode', ...axes.map((a) => a.name)];
  const fields = [...axisNames, 'workflow'];
  const firstNumeric = axes.find((a) => a.values.every((v) => typeof v === 'number'))?.name;

  const plotSpecs: NonNullable<SpecFile['plots']> = f.plots ?? metrics.slice(0, 2).map((m) => ({ y: m.name }));
  const plots: PlotDef[] = plotSpecs.map((p, i) => {
    if (!metricNames.includes(p.y)) throw at(['plots', i, 'y'], `unknown metric '${p.y}'; the spec's metrics are ${metricNames.join(', ')}`);
    for (const k of ['x', 'color', 'column', 'row'] as const)
      if (p[k] !== undefined && !fields.includes(p[k]!)) throw at(['plots', i, k], `unknown field '${p[k]}'; use one of ${fields.join(', ')}`);
    const x = p.x ?? firstNumeric ?? 'workflow';
    const xNumeric = axes.find((a) => a.name === x)?.values.every((v) => typeof v === 'number') ?? false;
    const m = metrics.find((mm) => mm.name === p.y)!;
    return {
      name: p.name ?? `${p.y.replace(/[^A-Za-z0-9]+/g, '-')}${i > 0 && f.plots ? `-${i + 1}` : ''}`,
      title: p.title ?? `${m.label} (mean, 95% CI over seeds)`,
      mark: p.mark ?? (xNumeric ? 'line' : 'bar'),
      x,
      ...(xNumeric ? { xType: 'quantitative' as const } : {}),
      xTitle: axisTitle(x, axes),
      y: p.y,
      yTitle: `${m.label}${m.unit ? ` (${m.unit})` : ''}`,
      color: p.color ?? 'mode',
      ...((p.mark ?? (xNumeric ? 'line' : 'bar')) === 'bar' && x !== (p.color ?? 'mode') ? { xOffset: p.color ?? 'mode' } : {}),
      ...(p.column ?? (x !== 'workflow' && labels.length > 1 ? 'workflow' : undefined) ? { column: p.column ?? 'workflow' } : {}),
      ...(p.row ? { row: p.row } : {}),
      ...(p.logY ? { logY: true } : {}),
      ...(p.logX ? { logX: true } : {}),
    };
  });
  const plotNames = new Set<string>();
  plots.forEach((p, i) => {
    if (plotNames.has(p.name)) throw at(['plots', i, 'name'], `two plots are named '${p.name}'; give each its own name`);
    plotNames.add(p.name);
  });

  const headSpecs: NonNullable<SpecFile['headline']> = f.headline ?? metrics.slice(0, 1).map((m) => ({ metric: m.name }));
  const headline: HeadlineDef[] = headSpecs.map((h, i) => {
    if (!metricNames.includes(h.metric)) throw at(['headline', i, 'metric'], `unknown metric '${h.metric}'; the spec's metrics are ${metricNames.join(', ')}`);
    const col = h.col ?? 'mode';
    if (!fields.includes(col)) throw at(['headline', i, 'col'], `unknown field '${col}'; use one of ${fields.join(', ')}`);
    const rows = h.rows ?? [...axes.map((a) => a.name), 'workflow'].filter((r) => r !== col);
    rows.forEach((r, j) => {
      if (!fields.includes(r)) throw at(['headline', i, 'rows', j], `unknown field '${r}'; use one of ${fields.join(', ')}`);
    });
    const m = metrics.find((mm) => mm.name === h.metric)!;
    return { title: h.title ?? `${m.label}${m.unit ? ` (${m.unit})` : ''}`, metric: h.metric, col, rows };
  });

  return {
    name: f.name,
    description: f.description ?? `user-defined sweep ${f.name}`,
    file: src.file,
    workflows: labels,
    embedded,
    modes: f.modes ?? ['hyperflow', 'faasflow', 'dataflower'],
    ...(f.seeds !== undefined ? { seeds: f.seeds } : {}),
    scenario,
    quickScenario,
    params,
    axes,
    metrics,
    plots,
    headline,
  };
}

/** The ranges of the numeric option axes: the built-in experiments' own where they have the axis. */
const OPTION_NUMBERS: Partial<Record<OptionAxis, Parameters<typeof numberError>[0]>> = {
  bandwidth: BANDWIDTH_CLI,
  rpm: RPM_CLI,
  clients: CLIENTS_CLI,
  durationS: { exclusiveMin: 0, unit: 's' },
  warmupRequests: { min: 0, integer: true },
  retries: { min: 0, max: 100, integer: true },
  failureRate: { min: 0, max: 1 },
};

function checkOptionValue(
  axis: OptionAxis,
  v: AxisValue,
  where: PropertyKey[],
  at: (p: PropertyKey[], msg: string) => ConfigError,
  checkCluster: (ref: string, where: PropertyKey[]) => string,
): void {
  const range = OPTION_NUMBERS[axis];
  if (range) {
    if (typeof v !== 'number') throw at(where, `${axis}: expected a number, got ${JSON.stringify(v)}`);
    const why = numberError(range, v);
    if (why) throw at(where, `${axis}: ${why}`);
    return;
  }
  if (typeof v !== 'string') throw at(where, `${axis}: expected a ${axis === 'cluster' ? 'name or file' : 'name'}, got ${JSON.stringify(v)}`);
  if (axis === 'cluster') checkCluster(v, where);
}

const AXIS_UNITS: Record<string, string> = { bandwidth: 'MB/s', rpm: 'requests/min', durationS: 's' };

/** An axis title with its unit (`bandwidth (MB/s)`), or the parameter path it sets. */
function axisTitle(x: string, axes: NormalizedSpec['axes']): string {
  const a = axes.find((aa) => aa.name === x);
  if (a?.param) return `${x} (${a.param})`;
  return AXIS_UNITS[x] ? `${x} (${AXIS_UNITS[x]})` : x;
}

function setPath(obj: Record<string, unknown>, dotted: string, v: unknown): Record<string, unknown> {
  const keys = dotted.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1]] = v;
  return obj;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && typeof prev === 'object' && !Array.isArray(prev) && v && typeof v === 'object' && !Array.isArray(v) ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** The spec's content hash (recorded in run.json: a changed spec cannot be resumed into an old run). */
export function specHash(s: NormalizedSpec): string {
  return sha256(stableStringify(s));
}

const defs = new Map<string, ExperimentDef>();

/** The ExperimentDef of a normalized spec (cached by content). */
export function specDef(s: NormalizedSpec): ExperimentDef {
  const key = specHash(s);
  const hit = defs.get(key);
  if (hit) return hit;
  const axes: AxisDef[] = [
    { name: 'benchmark', describe: OPTION_AXES.benchmark, values: s.workflows },
    { name: 'mode', describe: OPTION_AXES.mode, values: s.modes },
    ...s.axes.map((a) => ({ name: a.name, describe: a.describe ?? (a.param ? `parameter ${a.param}` : OPTION_AXES[a.name as OptionAxis]), values: a.values, ...(a.quick ? { quick: a.quick } : {}) })),
  ];
  const def: ExperimentDef = {
    name: s.name,
    description: s.description,
    source: `user-defined sweep ${s.file}`,
    axes,
    ...(s.seeds !== undefined ? { seeds: s.seeds } : {}),
    metrics: s.metrics,
    scenario(p: Point, ctx): ScenarioOptions {
      const base = ctx.quick ? s.quickScenario : s.scenario;
      const b = String(p.benchmark);
      const o: Record<string, unknown> = {};
      const rename: Record<string, string> = { bandwidth: 'bandwidthMBps' };
      for (const [k, v] of Object.entries(base)) o[rename[k] ?? k] = v;
      let params: Record<string, unknown> = structuredClone(s.params);
      for (const a of s.axes) {
        const v = p[a.name];
        if (a.param) params = deepMerge(params, setPath({}, a.param, v));
        else o[rename[a.name] ?? a.name] = v;
      }
      return {
        ...(o as Partial<ScenarioOptions>),
        workflows: [s.embedded[b] ? structuredClone(s.embedded[b]) : b],
        mode: p.mode as ScenarioOptions['mode'],
        ...(Object.keys(params).length > 0 ? { params: params as ScenarioOptions['params'] } : {}),
      };
    },
    plots: s.plots,
    headline: s.headline,
  };
  defs.set(key, def);
  return def;
}
