/**
 * Evaluates one sweep point x seed: builds the scenario, runs the simulation and keeps the
 * metrics the experiment asks for, one row per application (workflow) in the result.
 * Runs inside a worker thread (experiments/worker.mjs) or in-process with --jobs 1.
 */
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import type { ScenarioOptions } from '../loader/build.js';
import type { Scenario, SimResult } from '../sim/scenario.js';
import { getExperiment } from './registry.js';
import { specDef, specHash, type NormalizedSpec } from './spec.js';
import { sha256, stableStringify } from './lib/fsutil.js';
import type { DefContext, ExperimentDef, Point } from './types.js';

export interface Task {
  exp: string;
  index: number;
  seed: number;
  point: Point;
  ctx: DefContext;
  /** Module providing buildScenario and runScenario (default: the simulator in sim/). */
  backend?: string;
  /** A user-defined sweep (experiments/spec.ts): the experiment comes from it, not the registry. */
  spec?: NormalizedSpec;
}

export interface PointRecord {
  /** Identifies what was evaluated, so --resume never reuses a result of different inputs. */
  key: string;
  index: number;
  seed: number;
  point: Point;
  /** sha256 of the resolved scenario JSON (or of the custom evaluation's config). */
  configHash: string;
  /** Simulated events (deterministic). */
  events: number;
  /** `measured`: requests measured for that workflow (absent for custom points and older records). */
  rows: Array<{ workflow: string; metrics: Record<string, number | null>; measured?: number }>;
  /** Wall-clock figures; never written to points.csv. */
  timing: Record<string, number>;
}

export interface Backend {
  buildScenario(o: ScenarioOptions): Scenario;
  runScenario(s: Scenario, opts?: { clock?: () => number }): SimResult;
}

const backends = new Map<string, Promise<Backend>>();

export function loadBackend(module?: string): Promise<Backend> {
  const key = module ?? '';
  let b = backends.get(key);
  if (!b) {
    b = module
      ? (import(module) as Promise<Backend>)
      : Promise.all([import('../loader/build.js'), import('../sim/run.js')]).then(([build, run]) => ({
          buildScenario: build.buildScenario,
          runScenario: run.runScenario,
        }));
    backends.set(key, b);
  }
  return b;
}

export function taskKey(t: Task): string {
  return sha256(stableStringify({ exp: t.exp, point: t.point, seed: t.seed, ctx: t.ctx, backend: t.backend ?? null, ...(t.spec ? { spec: specHash(t.spec) } : {}) }));
}

/** Options for one point x seed (the runner also uses this to validate inputs before it writes anything). */
export function scenarioOptions(def: ExperimentDef, point: Point, seed: number, ctx: DefContext): ScenarioOptions {
  const o = def.scenario(point, ctx);
  return {
    ...o,
    seed,
    ...(ctx.paramsFile !== undefined ? { paramsFile: ctx.paramsFile } : {}),
    ...(ctx.calibration !== undefined ? { calibration: ctx.calibration } : {}),
    ...(ctx.cluster !== undefined ? { cluster: ctx.cluster } : {}),
  };
}

export function resolveScenario(backend: Backend, def: ExperimentDef, point: Point, seed: number, ctx: DefContext): Scenario {
  const s = backend.buildScenario(scenarioOptions(def, point, seed, ctx));
  return def.adjust ? def.adjust(s, point, ctx) : s;
}

const prepared = new Set<string>();

export async function prepareExperiment(def: ExperimentDef, ctx: DefContext): Promise<void> {
  if (prepared.has(def.name) || !def.prepare) return;
  await def.prepare(ctx);
  prepared.add(def.name);
}

export async function evaluateTask(t: Task): Promise<PointRecord> {
  const def = t.spec ? specDef(t.spec) : getExperiment(t.exp);
  await prepareExperiment(def, t.ctx);
  const key = taskKey(t);
  if (def.custom?.applies(t.point)) {
    const out = await def.custom.run(t.point, t.seed, t.ctx);
    {
      return {
        key,
        index: t.index,
        seed: t.seed,
        point: t.point,
        configHash: sha256(stableStringify(out.config)),
        events: 0,
        rows: out.rows.map((r) => ({ workflow: r.workflow, metrics: cleanMetrics(r.metrics) })),
        timing: out.timing,
      };
    }
  }
  const backend = await loadBackend(t.backend);
  const scenario = resolveScenario(backend, def, t.point, t.seed, t.ctx);
  const configHash = sha256(stableStringify(scenario));
  const heapBefore = v8.getHeapStatistics().used_heap_size;
  const result = backend.runScenario(scenario, { clock: () => performance.now() }); // ms, as cli/sim.ts passes it
  const seen = new Map<string, number>();
  const rows = result.apps.map((app) => ({
    // several apps of one workflow (bursty phases): the later ones are labelled name#2, name#3...
    workflow: ((n) => (n > 1 ? `${app.workflow}#${n}` : app.workflow))(seen.set(app.workflow, (seen.get(app.workflow) ?? 0) + 1).get(app.workflow)!),
    metrics: Object.fromEntries(def.metrics.map((m) => [m.name, metricValue(result, app, m.name)])),
    measured: app.requests,
  }));
  return {
    key,
    index: t.index,
    seed: t.seed,
    point: t.point,
    configHash,
    events: result.events,
    rows,
    timing: {
      wallSeconds: result.wallSeconds,
      eventsPerSecond: result.eventsPerSecond,
      heapDeltaBytes: Math.max(0, v8.getHeapStatistics().used_heap_size - heapBefore),
    },
  };
}

function cleanMetrics(m: Record<string, number | null>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(m)) out[k] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  return out;
}

/** `run.x.y` reads SimResult, anything else the AppResult. Missing or non-finite -> null. */
export function metricValue(result: SimResult, app: SimResult['apps'][number], name: string): number | null {
  const [root, path] = name.startsWith('run.') ? [result as unknown, name.slice(4)] : [app as unknown, name];
  let v: unknown = root;
  for (const k of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
