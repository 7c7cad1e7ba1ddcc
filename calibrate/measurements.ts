/**
 * Measurements files: what a real cluster measured, cell by cell, for `npm run calibrate -- --from`.
 *
 *   name: faasflow-paper                 # also the default profile name the fit writes
 *   description: ...
 *   source: where the numbers come from (a paper, an artifact, your own logs)
 *   cluster: faasflow-7w                 # a preset name or a cluster YAML file
 *   defaults: {durationS: 120, warmupRequests: 2}   # scenario options every cell starts from
 *   params: {...}                        # fixed parameter values (a partial of sim/params.ts)
 *   free:                                # what the fit may change, each with bounds
 *     - {param: control.engineOverheadS, min: 0.0001, max: 0.05}
 *     - {workflow: df-video, edges: [upload->split, split->transcode], min: 0.05, max: 1.5, name: video-size}
 *   cells:
 *     - id: sched/hyperflow/cycles
 *       workflow: cycles                 # or workflows: [...] with app: <the one measured>
 *       mode: hyperflow
 *       clients: 1                       # or rpm: 6; bandwidth: 50 (MB/s, wondershaper)
 *       metric: schedulingOverhead.mean  # see METRICS
 *       measured: 0.352                  # a number, [low, high] for two runs, or 'timeout'
 *       source: fidelity-training.md, FaaSFlow table
 *
 * A free `param` is a numeric parameter path of sim/params.ts. A free `workflow` entry scales the
 * bytes of the listed edges (`from->to`) of one workflow by one common factor: an input size the
 * measurements must reveal (a file nobody published), reported as the inferred bytes.
 * Everything wrong is a ConfigError naming the file, the path inside it and what was expected.
 */
import { z } from 'zod';
import { ConfigError, errorAt, loadCluster, loadWorkflow, parseParamsOverride, readYaml, validate } from '../loader/load.js';
import { DEFAULT_PARAMS, type DeepPartial, type Params } from '../sim/params.js';
import { MODE_NAMES, type ModeName } from '../sim/scenario.js';

/** Request-level metrics (per measured app) and function-level metrics (need `function`). */
export const REQUEST_METRICS = ['e2e.mean', 'e2e.p50', 'e2e.p99', 'e2e.max', 'dataOverhead.mean', 'schedulingOverhead.mean', 'throughputRps'] as const;
/**
 * start.mean: seconds from the request being fired to the instance's container starting it;
 * duration.mean: container start to end (DataFlower's use_container: fetch + compute + local post);
 * all.mean: arrival at the worker to end (FaaSFlow's per-function "all" time).
 */
export const FUNCTION_METRICS = ['start.mean', 'duration.mean', 'all.mean'] as const;
/**
 * Whole-run metrics, warm-up included: coldStarts (containers started cold), linkBytes (bytes that
 * crossed one link, named as flowsim names them, e.g. `storage.down`: given with `link`).
 */
export const RUN_METRICS = ['coldStarts', 'linkBytes'] as const;
export type Metric = (typeof REQUEST_METRICS)[number] | (typeof FUNCTION_METRICS)[number] | (typeof RUN_METRICS)[number];

const posNum = z.number().refine((x) => Number.isFinite(x) && x > 0, 'expected a finite number > 0');
const nonNeg = z.number().refine((x) => Number.isFinite(x) && x >= 0, 'expected a finite number >= 0');

const cellSchema = z
  .object({
    id: z.string().min(1, 'expected a non-empty id'),
    workflow: z.string().optional(),
    workflows: z.array(z.string()).min(1).optional(),
    app: z.string().optional(),
    mode: z.enum(MODE_NAMES as unknown as [ModeName, ...ModeName[]]),
    cluster: z.string().optional(),
    bandwidth: posNum.optional(),
    rpm: posNum.optional(),
    clients: z.number().int('expected an integer').positive('expected a positive integer').optional(),
    corunStaggerS: nonNeg.optional(),
    durationS: posNum.optional(),
    warmupRequests: z.number().int('expected an integer').nonnegative('expected an integer >= 0').optional(),
    warmupS: nonNeg.optional(),
    maxRequests: z.number().int('expected an integer').positive('expected a positive integer').optional(),
    minRequests: z.number().int('expected an integer').positive('expected a positive integer').optional(),
    ramp: z.boolean().optional(),
    function: z.string().optional(),
    link: z.string().min(1, 'expected a link name such as storage.down').optional(),
    metric: z.enum([...REQUEST_METRICS, ...FUNCTION_METRICS, ...RUN_METRICS] as unknown as [Metric, ...Metric[]]),
    measured: z.union([nonNeg, z.tuple([nonNeg, nonNeg]), z.literal('timeout')]),
    source: z.string().min(1, 'expected where the number comes from'),
    /** Weight of the cell in the fit (default 1); 0 = reported, not fitted. */
    weight: nonNeg.optional(),
  })
  .strict();

const freeSchema = z.union([
  z.object({ param: z.string(), min: z.number(), max: z.number(), start: z.number().optional(), source: z.string().optional() }).strict(),
  z
    .object({ workflow: z.string(), edges: z.array(z.string()).min(1), name: z.string().min(1), min: z.number(), max: z.number(), start: z.number().optional(), source: z.string().optional() })
    .strict(),
]);

const fileSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a name of letters, digits, . _ -'),
    description: z.string().optional(),
    source: z.string().min(1, 'expected where the measurements come from'),
    cluster: z.string(),
    defaults: z.record(z.string(), z.unknown()).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
    free: z.array(freeSchema).optional(),
    cells: z.array(cellSchema).min(1, 'expected at least one cell'),
  })
  .strict();

export type CellSpec = z.infer<typeof cellSchema>;

export type FreeParam =
  | { kind: 'param'; path: string; min: number; max: number; start?: number; source?: string }
  | { kind: 'workflow'; workflow: string; edges: Array<{ from: string; to: string }>; name: string; min: number; max: number; start?: number; source?: string };

export interface MeasurementSet {
  file: string;
  name: string;
  description?: string;
  source: string;
  cluster: string;
  defaults: Record<string, unknown>;
  params: DeepPartial<Params>;
  free: FreeParam[];
  cells: CellSpec[];
  /** Each workflow reference of the file (a name or a path) -> its spec's name, as results name it. */
  specNames?: Record<string, string>;
}

/** Keys of `defaults` a cell may also set. */
const DEFAULT_KEYS = ['bandwidth', 'rpm', 'clients', 'corunStaggerS', 'durationS', 'warmupRequests', 'warmupS', 'maxRequests', 'minRequests', 'ramp'] as const;

/** The numeric value at a dotted path of DEFAULT_PARAMS, or undefined. */
export function paramAt(path: string, root: unknown = DEFAULT_PARAMS): number | undefined {
  let v: unknown = root;
  for (const k of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(k in (v as object))) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return typeof v === 'number' ? v : undefined;
}

/** All numeric parameter paths (for error hints). */
export function numericParamPaths(root: unknown = DEFAULT_PARAMS, prefix = ''): string[] {
  const out: string[] = [];
  if (root && typeof root === 'object' && !Array.isArray(root) && !('kind' in root)) {
    for (const [k, v] of Object.entries(root)) {
      const p = prefix ? `${prefix}.${k}` : k;
      if (typeof v === 'number') out.push(p);
      else out.push(...numericParamPaths(v, p));
    }
  }
  return out;
}

/** Sets a dotted path in a DeepPartial<Params> object (creating the intermediate objects). */
export function setParam(target: Record<string, unknown>, path: string, value: number): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}

export function loadMeasurements(file: string): MeasurementSet {
  const src = readYaml(file);
  const m = validate(fileSchema, src);
  const at = (path: PropertyKey[], msg: string) => errorAt(src, path, msg);
  try {
    loadCluster(m.cluster);
  } catch (e) {
    throw at(['cluster'], e instanceof ConfigError ? e.message : String(e));
  }
  for (const k of Object.keys(m.defaults ?? {}))
    if (!(DEFAULT_KEYS as readonly string[]).includes(k)) throw at(['defaults', k], `unknown key '${k}'; defaults may set ${DEFAULT_KEYS.join(', ')}`);
  const params = m.params ? parseParamsOverride(m.params, src.file, 'params') : {};
  const workflows = new Map<string, ReturnType<typeof loadWorkflow>>();
  const wf = (name: string, path: PropertyKey[]) => {
    if (!workflows.has(name)) {
      try {
        workflows.set(name, loadWorkflow(name));
      } catch (e) {
        throw at(path, e instanceof ConfigError ? e.format() : String(e));
      }
    }
    return workflows.get(name)!;
  };
  const free: FreeParam[] = [];
  const names = new Set<string>();
  (m.free ?? []).forEach((f, i) => {
    if (!(Number.isFinite(f.min) && Number.isFinite(f.max))) throw at(['free', i], 'expected finite bounds min and max');
    if (!(f.min < f.max)) throw at(['free', i, 'min'], `expected min < max, got min ${f.min} and max ${f.max}`);
    if (f.start !== undefined && !(f.start >= f.min && f.start <= f.max)) throw at(['free', i, 'start'], `expected a start within [${f.min}, ${f.max}], got ${f.start}`);
    if ('param' in f) {
      if (paramAt(f.param) === undefined) {
        const all = numericParamPaths();
        const near = all.filter((p) => p.split('.').pop() === f.param.split('.').pop() || p.startsWith(f.param.split('.')[0] + '.')).slice(0, 8);
        throw at(['free', i, 'param'], `no numeric parameter '${f.param}' in sim/params.ts; ${near.length ? `near: ${near.join(', ')}` : `parameters: ${all.join(', ')}`}`);
      }
      if (f.min < 0) throw at(['free', i, 'min'], `expected min >= 0 for a parameter, got ${f.min}`);
      if (names.has(f.param)) throw at(['free', i, 'param'], `'${f.param}' is free twice`);
      names.add(f.param);
      free.push({ kind: 'param', path: f.param, min: f.min, max: f.max, start: f.start, source: f.source });
    } else {
      if (!(f.min > 0)) throw at(['free', i, 'min'], `expected a scale factor min > 0, got ${f.min}`);
      const spec = wf(f.workflow, ['free', i, 'workflow']);
      const edges = f.edges.map((e, j) => {
        const mm = /^\s*([^>\s-][^>]*?)\s*->\s*(\S+)\s*$/.exec(e);
        if (!mm) throw at(['free', i, 'edges', j], `expected 'from->to', got '${e}'`);
        if (!spec.edges.some((x) => x.from === mm[1] && x.to === mm[2])) throw at(['free', i, 'edges', j], `workflow '${f.workflow}' has no edge ${mm[1]}->${mm[2]}`);
        return { from: mm[1], to: mm[2] };
      });
      if (names.has(f.name)) throw at(['free', i, 'name'], `'${f.name}' is free twice`);
      names.add(f.name);
      free.push({ kind: 'workflow', workflow: f.workflow, edges, name: f.name, min: f.min, max: f.max, start: f.start, source: f.source });
    }
  });
  const ids = new Set<string>();
  m.cells.forEach((c, i) => {
    if (ids.has(c.id)) throw at(['cells', i, 'id'], `duplicate cell id '${c.id}'`);
    ids.add(c.id);
    if (!c.workflow === !c.workflows) throw at(['cells', i], 'expected exactly one of workflow (one workflow) or workflows (a co-run, with app)');
    if (c.workflows && !c.app) throw at(['cells', i, 'app'], 'a co-run cell names the measured workflow with app');
    if (c.workflows && c.app && !c.workflows.includes(c.app)) throw at(['cells', i, 'app'], `expected one of ${c.workflows.join(', ')}, got '${c.app}'`);
    for (const [k, w] of (c.workflows ?? [c.workflow!]).entries()) wf(w, c.workflows ? ['cells', i, 'workflows', k] : ['cells', i, 'workflow']);
    if (c.rpm !== undefined && c.clients !== undefined) throw at(['cells', i, 'rpm'], 'give either rpm (open loop) or clients (closed loop), not both');
    const isFn = (FUNCTION_METRICS as readonly string[]).includes(c.metric);
    if (isFn && !c.function) throw at(['cells', i, 'function'], `metric '${c.metric}' is per function: name the function`);
    if (!isFn && c.function) throw at(['cells', i, 'metric'], `a cell with a function takes ${FUNCTION_METRICS.join(', ')}, got '${c.metric}'`);
    if (c.metric === 'linkBytes' && !c.link) throw at(['cells', i, 'link'], "metric 'linkBytes' counts one link: name it with link (e.g. storage.down)");
    if (c.link && c.metric !== 'linkBytes') throw at(['cells', i, 'link'], `link goes with metric linkBytes, not ${c.metric}`);
    if (c.function) {
      const spec = wf(c.app ?? c.workflow!, ['cells', i, 'workflow']);
      if (!spec.functions.some((f) => f.name === c.function))
        throw at(['cells', i, 'function'], `workflow '${spec.name}' has no function '${c.function}'; functions: ${spec.functions.map((f) => f.name).join(', ')}`);
    }
    if (Array.isArray(c.measured) && !(c.measured[0] <= c.measured[1])) throw at(['cells', i, 'measured'], `expected [low, high] with low <= high, got [${c.measured.join(', ')}]`);
    if (c.measured === 'timeout' && !c.metric.startsWith('e2e.')) throw at(['cells', i, 'measured'], `'timeout' is a measurement of e2e latency, not of ${c.metric}`);
    if (typeof c.measured === 'number' && c.measured === 0 && c.metric !== 'throughputRps' && c.metric !== 'coldStarts') throw at(['cells', i, 'measured'], 'expected a measured value > 0 (errors are relative)');
  });
  const specNames = Object.fromEntries([...workflows].map(([ref, spec]) => [ref, spec.name]));
  return { file: src.file, name: m.name, description: m.description, source: m.source, cluster: m.cluster, defaults: m.defaults ?? {}, params, free, cells: m.cells, specNames };
}
