/**
 * The experiment runner: expands an experiment's sweep (points x seeds), evaluates the tasks on
 * worker threads (`jobs`), keeps one JSON per task in the run directory (written atomically, so
 * `--resume` can skip finished ones), then writes points.csv, summary.csv, timing.csv, the plots
 * and manifest.json.
 *
 * Run directory life cycle (documented in docs/experiments.md):
 * - Inputs are validated (every point's scenario is built) before anything is written; bad input
 *   leaves nothing under results/.
 * - While running, the directory holds `INCOMPLETE`, `run.json` (what is being run) and
 *   `points/*.json`. If the run fails or is killed, it stays marked INCOMPLETE and
 *   `--resume` continues it (the report lists it as incomplete).
 * - The final files are written from the per-task JSON files sorted by (point, seed), so they are
 *   byte-identical for any --jobs and for a resumed run. Wall-clock figures go only to timing.csv
 *   and manifest.json.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import cliProgress from 'cli-progress';
import { evaluateTask, loadBackend, prepareExperiment, resolveScenario, taskKey, type PointRecord, type Task } from './evaluate.js';
import { toCsv } from './lib/csv.js';
import { ExpError } from './lib/errors.js';
import { atomicWrite, sha256, stableStringify, sweepTemps } from './lib/fsutil.js';
import { headlineTable } from './lib/headline.js';
import type { SummaryRow } from './lib/rows.js';
import { meanCI } from './lib/stats.js';
import { expandPoints, type Overrides } from './lib/sweep.js';
import { specHash, type NormalizedSpec } from './spec.js';
import type { DefContext, ExperimentDef, Point } from './types.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_SEEDS = 3;
export const INCOMPLETE = 'INCOMPLETE';

export interface RunOptions {
  def: ExperimentDef;
  /** Results root: the run goes to <outDir>/<experiment>/<runId>/. */
  outDir: string;
  quick: boolean;
  seeds?: number;
  jobs?: number;
  runId?: string;
  resume?: boolean;
  overrides?: Overrides;
  /** Keep only the first N points (smoke tests). */
  maxPoints?: number;
  paramsFile?: string;
  calibration?: string;
  /** `--cluster`: a cluster name or file for every scenario. */
  cluster?: string;
  /** Recorded in the manifest. */
  argv?: string[];
  /** `json`: one JSON object per line on stdout for each finished task (the experiment service reads it). */
  progress?: 'auto' | 'bar' | 'lines' | 'json' | 'none';
  /** A user-defined sweep: `def` is specDef(spec) and every task carries the spec. */
  spec?: NormalizedSpec;
  /** Evaluate the tasks on a BullMQ queue (`redis://host:port`) instead of local threads. */
  queue?: string;
  /** Alternative module exporting buildScenario/runScenario (tests). */
  backend?: string;
  /** Test hook: SIGKILL this process after this many tasks were written (to test --resume). */
  killAfter?: number;
  log?: (line: string) => void;
}

export interface RunOutcome {
  runId: string;
  runDir: string;
  points: number;
  tasks: number;
  evaluated: number;
  reused: number;
  wallSeconds: number;
  headline: string;
}

interface RunShape {
  experiment: string;
  quick: boolean;
  seeds: number[];
  overrides: Overrides;
  maxPoints: number | null;
  paramsFile: string | null;
  calibration: string | null;
  backend: string | null;
  points: Point[];
  /** A user-defined sweep's content hash (absent for built-in experiments). */
  spec?: string;
  cluster?: string;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

export function taskFile(index: number, seed: number): string {
  return `p${pad(index, 5)}-s${seed}.json`;
}

export function timestampRunId(d = new Date()): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}-${pad(d.getUTCHours(), 2)}${pad(d.getUTCMinutes(), 2)}${pad(d.getUTCSeconds(), 2)}`;
}

/** `bandwidth=50 mode=faasflow`: a point, for messages. */
function describePoint(p: Point): string {
  return Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/** Prefix of a run folder being created (hidden: listRuns skips names starting with '.'). */
const STAGING = '.staging-';

/** Removes staging folders whose creating process is gone (killed before its run folder appeared). */
function sweepStaging(expDir: string): void {
  if (!fs.existsSync(expDir)) return;
  for (const d of fs.readdirSync(expDir)) {
    if (!d.startsWith(STAGING)) continue;
    const pid = Number(d.slice(d.lastIndexOf('-') + 1));
    let alive = false;
    try {
      if (Number.isInteger(pid) && pid > 0) {
        process.kill(pid, 0);
        alive = true;
      }
    } catch {
      alive = false;
    }
    if (!alive) fs.rmSync(path.join(expDir, d), { recursive: true, force: true });
  }
}

/** Run ids of an experiment, oldest first (timestamp ids sort chronologically). */
export function listRuns(outDir: string, experiment: string): string[] {
  const dir = path.join(outDir, experiment);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => d.name)
    .sort();
}

export async function runExperiment(o: RunOptions): Promise<RunOutcome> {
  const t0 = Date.now();
  const def = o.def;
  const log = o.log ?? ((s: string) => process.stdout.write(`${s}\n`));
  const ctx: DefContext = {
    quick: o.quick,
    ...(o.paramsFile !== undefined ? { paramsFile: path.resolve(o.paramsFile) } : {}),
    ...(o.calibration !== undefined ? { calibration: o.calibration } : {}),
    ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
  };
  const nSeeds = o.seeds ?? o.def.seeds ?? DEFAULT_SEEDS;
  if (!Number.isInteger(nSeeds) || nSeeds < 1 || nSeeds > 1000) throw new ExpError(`--seeds: expected a whole number 1..1000, got ${nSeeds}`);
  const seeds = Array.from({ length: nSeeds }, (_, i) => i + 1);
  let points = expandPoints(def, ctx, o.overrides ?? {});
  if (o.maxPoints !== undefined) points = points.slice(0, o.maxPoints);
  if (points.length === 0) throw new ExpError(`${def.name}: the sweep is empty (check the axis options)`);
  const shape: RunShape = {
    experiment: def.name,
    quick: o.quick,
    seeds,
    overrides: o.overrides ?? {},
    maxPoints: o.maxPoints ?? null,
    paramsFile: ctx.paramsFile ?? null,
    calibration: ctx.calibration ?? 'cluster default (faasflow-7w: faasflow-paper, dataflower-3w: dataflower-paper; per point in params)',
    backend: o.backend ?? null,
    points,
    ...(o.spec ? { spec: specHash(o.spec) } : {}),
    ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
  };

  // 1. Validate every point before anything is written (and the queue, when there is one).
  await validate(def, points, seeds[0], ctx, o.backend);
  if (o.queue) await (await import('./lib/queue.js')).checkQueue(o.queue);

  // 2. The run directory.
  const expDir = path.join(o.outDir, def.name);
  let runId = o.runId;
  sweepStaging(expDir);
  if (o.resume) {
    if (!runId) {
      // the latest run that can be resumed: one with its run.json (a folder without it is not a run)
      const runs = listRuns(o.outDir, def.name).filter((r) => fs.existsSync(path.join(expDir, r, 'run.json')));
      if (runs.length === 0) throw new ExpError(`--resume: no earlier run of '${def.name}' in ${expDir}`);
      runId = runs[runs.length - 1];
    }
    const dir = path.join(expDir, runId);
    if (!fs.existsSync(path.join(dir, 'run.json'))) throw new ExpError(`--resume: ${dir} is not a run directory (no run.json)`);
    const before = JSON.parse(fs.readFileSync(path.join(dir, 'run.json'), 'utf8')) as RunShape;
    if (stableStringify(before) !== stableStringify(shape))
      throw new ExpError(`--resume: run ${runId} was started with different arguments (${describeDiff(before, shape)}); give the same arguments or a new --run-id`);
  } else if (runId) {
    if (!/^[A-Za-z0-9._-]+$/.test(runId) || runId.startsWith('.')) throw new ExpError(`--run-id: use letters, digits, '.', '_' and '-' only, got '${runId}'`);
    if (fs.existsSync(path.join(expDir, runId))) throw new ExpError(`run ${path.join(expDir, runId)} already exists; use --resume to continue it or choose another --run-id`);
  } else {
    runId = timestampRunId();
    for (let i = 2; fs.existsSync(path.join(expDir, runId)); i++) runId = `${timestampRunId()}-${i}`;
  }
  const runDir = path.join(expDir, runId);
  const pointsDir = path.join(runDir, 'points');
  if (o.resume) {
    fs.mkdirSync(pointsDir, { recursive: true });
    sweepTemps(runDir);
    sweepTemps(pointsDir);
    atomicWrite(path.join(runDir, INCOMPLETE), 'this run has not finished; continue it with --resume\n');
  } else {
    // a new run folder becomes visible only once it can be resumed: it is built under a hidden
    // staging name (INCOMPLETE, run.json, points/) and renamed into place
    const staging = path.join(expDir, `${STAGING}${runId}-${process.pid}`);
    fs.mkdirSync(path.join(staging, 'points'), { recursive: true });
    atomicWrite(path.join(staging, INCOMPLETE), 'this run has not finished; continue it with --resume\n');
    atomicWrite(path.join(staging, 'run.json'), `${JSON.stringify(shape, null, 2)}\n`);
    fs.renameSync(staging, runDir);
  }

  // 3. Tasks not done yet.
  const records = new Map<string, PointRecord>();
  const todo: Task[] = [];
  points.forEach((point, index) => {
    for (const seed of seeds) {
      const task: Task = { exp: def.name, index, seed, point, ctx, ...(o.backend ? { backend: o.backend } : {}), ...(o.spec ? { spec: o.spec } : {}) };
      const file = path.join(pointsDir, taskFile(index, seed));
      const prev = readRecord(file);
      if (prev && prev.key === taskKey(task)) records.set(taskFile(index, seed), prev);
      else todo.push(task);
    }
  });
  const total = points.length * seeds.length;
  const reused = records.size;
  log(`${def.name}: ${points.length} points x ${seeds.length} seeds = ${total} runs${reused ? ` (${reused} already done)` : ''} -> ${runDir}`);

  // 4. Evaluate.
  const jobs = Math.max(1, Math.min(o.jobs ?? os.availableParallelism(), todo.length || 1));
  const progress = makeProgress(o.progress ?? 'auto', def.name, total, reused, log);
  let written = 0;
  const onRecord = (r: PointRecord) => {
    const text = JSON.stringify(r);
    atomicWrite(path.join(pointsDir, taskFile(r.index, r.seed)), text);
    // keep the record as a resumed run would read it back (NaN -> null), so both paths plot the same
    records.set(taskFile(r.index, r.seed), JSON.parse(text) as PointRecord);
    progress.tick();
    written++;
    if (o.killAfter !== undefined && written >= o.killAfter) process.kill(process.pid, 'SIGKILL');
  };
  try {
    if (todo.length > 0) {
      if (o.queue) {
        const { runQueue } = await import('./lib/queue.js');
        await runQueue(todo, o.queue, onRecord, { runKey: `${def.name}/${runId}`, log });
      } else if (jobs === 1) for (const t of todo) onRecord(await runInline(t));
      else await runPool(todo, jobs, onRecord);
    }
  } catch (e) {
    progress.stop();
    if (e instanceof ExpError) throw e; // bad input found late (the queue's setup): exit 2, its own message
    const msg = e instanceof Error ? e.message : String(e);
    throw new RunFailed(`${msg}\nthe run directory ${runDir} is kept, marked INCOMPLETE; continue with: --resume --run-id ${runId}`);
  }
  progress.stop();

  // 5. Outputs.
  const sorted = [...records.values()].sort((a, b) => a.index - b.index || a.seed - b.seed);
  // results that measured nothing are said plainly (a '-' in a table is easy to miss)
  const empty = sorted.flatMap((r) => r.rows.filter((row) => row.measured === 0).map((row) => `${describePoint(r.point)} seed ${r.seed} ${row.workflow}`));
  const measuredRows = sorted.reduce((n, r) => n + r.rows.filter((row) => row.measured !== undefined).length, 0);
  const headline = await writeOutputs(def, runDir, runId, sorted, shape, o, Date.now() - t0, empty);
  if (empty.length > 0) {
    log(`${def.name}: WARNING: ${empty.length} of ${measuredRows} results measured no request (every request fell in the warm-up or the window was too short for one): ${empty.slice(0, 5).join('; ')}${empty.length > 5 ? '; ...' : ''}. Their metrics are empty ('-'); a longer window (without --quick) or less warm-up would fix them.`);
    if (empty.length === measuredRows) throw new RunFailed(`${def.name}: no result measured any request; outputs are in ${runDir}, but nothing in them is a measurement`);
  }
  fs.rmSync(path.join(runDir, INCOMPLETE), { force: true });
  return { runId, runDir, points: points.length, tasks: total, evaluated: written, reused, wallSeconds: (Date.now() - t0) / 1000, headline };
}

/** A failure while evaluating points (not bad input): exit code 1, run kept for --resume. */
export class RunFailed extends Error {}

async function validate(def: ExperimentDef, points: Point[], seed: number, ctx: DefContext, backendModule?: string): Promise<void> {
  try {
    await prepareExperiment(def, ctx);
  } catch (e) {
    const err = e as Error & { format?: () => string };
    throw new ExpError(`${def.name}: ${typeof err.format === 'function' ? err.format() : err.message}`);
  }
  const simPoints = points.filter((p) => !def.custom?.applies(p));
  if (simPoints.length === 0) return;
  const backend = await loadBackend(backendModule);
  for (const p of simPoints) {
    try {
      resolveScenario(backend, def, p, seed, ctx);
    } catch (e) {
      // a ConfigError names its file (params file, workflow YAML): that is the whole story
      const err = e as Error & { file?: string; path?: string; format?: () => string };
      const msg = typeof err.format === 'function' ? err.format() : err.message;
      const global = !!err.file || (typeof err.path === 'string' && err.path.startsWith('--'));
      throw new ExpError(global ? msg : `${def.name} point ${JSON.stringify(p)}: ${msg}`);
    }
  }
}

function describeDiff(a: RunShape, b: RunShape): string {
  const keys = Object.keys(b) as Array<keyof RunShape>;
  return keys
    .filter((k) => stableStringify(a[k]) !== stableStringify(b[k]))
.map((k) => (k === 'points' ? 'points differ' : k === 'spec' ? 'the spec file changed' : `${k}: ${JSON.stringify(a[k])} then, ${JSON.stringify(b[k])} now`))
    .join('; ');
}

function readRecord(file: string): PointRecord | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as PointRecord;
  } catch {
    return null;
  }
}

async function runInline(t: Task): Promise<PointRecord> {
  try {
    return await evaluateTask(t);
  } catch (e) {
    throw new Error(`point ${t.index} ${JSON.stringify(t.point)} seed ${t.seed}: ${(e as Error).message}`);
  }
}

function runPool(tasks: Task[], jobs: number, onRecord: (r: PointRecord) => void): Promise<void> {
  const workers = Array.from({ length: jobs }, () => new Worker(new URL('./worker.mjs', import.meta.url)));
  let next = 0;
  let done = 0;
  let failed = false;
  const stop = () => Promise.all(workers.map((w) => w.terminate()));
  return new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      process.off('SIGINT', onSigint);
      stop().then(() => reject(err), () => reject(err));
    };
    const onSigint = () => fail(new Error('interrupted'));
    process.once('SIGINT', onSigint);
    const dispatch = (w: Worker) => {
      if (failed) return;
      if (next >= tasks.length) {
        if (done === tasks.length) {
          failed = true; // from here on, worker exits are expected
          process.off('SIGINT', onSigint);
          stop().then(() => resolve(), reject);
        }
        return;
      }
      const t = tasks[next++];
      w.once('message', (m: { ok: boolean; record?: PointRecord; error?: string }) => {
        if (failed) return;
        if (!m.ok) return fail(new Error(`point ${t.index} ${JSON.stringify(t.point)} seed ${t.seed}: ${m.error}`));
        done++;
        try {
          onRecord(m.record!);
        } catch (e) {
          return fail(e as Error);
        }
        dispatch(w);
      });
      w.postMessage(t);
    };
    for (const w of workers) {
      w.on('error', (e) => fail(e));
      w.on('exit', (code) => {
        if (!failed && code !== 0) fail(new Error(`a worker thread exited with code ${code}`));
      });
      dispatch(w);
    }
  });
}

interface Progress {
  tick(): void;
  stop(): void;
}

function makeProgress(kind: RunOptions['progress'], name: string, total: number, done0: number, log: (s: string) => void): Progress {
  const mode = kind === 'auto' ? (process.stdout.isTTY ? 'bar' : 'lines') : kind;
  if (mode === 'none') return { tick() {}, stop() {} };
  const start = Date.now();
  if (mode === 'json') {
    let done = done0;
    const line = (event: string) => log(JSON.stringify({ progress: { experiment: name, event, done, total, elapsedS: (Date.now() - start) / 1000 } }));
    line('start');
    return {
      tick() {
        done++;
        line('task');
      },
      stop() {},
    };
  }
  if (mode === 'bar') {
    const bar = new cliProgress.SingleBar(
      { format: `${name} [{bar}] {value}/{total} {percentage}% | elapsed {duration_formatted} | ETA {eta_formatted}`, etaBuffer: 20, hideCursor: true, stream: process.stdout },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, done0);
    return { tick: () => bar.increment(), stop: () => bar.stop() };
  }
  let done = done0;
  let lastDecile = Math.floor((10 * done0) / total);
  return {
    tick() {
      done++;
      const decile = Math.floor((10 * done) / total);
      if (decile === lastDecile && done !== total) return;
      lastDecile = decile;
      const el = (Date.now() - start) / 1000;
      const fresh = done - done0;
      const eta = fresh > 0 ? (el / fresh) * (total - done) : NaN;
      log(`${name}: ${done}/${total} (${Math.round((100 * done) / total)}%) elapsed ${el.toFixed(1)}s ETA ${Number.isFinite(eta) ? `${eta.toFixed(1)}s` : '?'}`);
    },
    stop() {},
  };
}

// ---------------------------------------------------------------------------------------------
// Outputs

function axisNames(def: ExperimentDef): string[] {
  return def.axes.map((a) => a.name);
}

/** Across-seed summary rows, grouped by (axes..., workflow) in first-appearance order. */
export function summarize(
  def: ExperimentDef,
  records: PointRecord[],
  metricNames: string[],
  pick: (r: PointRecord, row: PointRecord['rows'][number]) => Record<string, number | null>,
): SummaryRow[] {
  const axes = axisNames(def);
  const groups = new Map<string, { base: SummaryRow; values: Map<string, Array<number | null>> }>();
  for (const r of records) {
    for (const row of r.rows) {
      const base: SummaryRow = {};
      for (const a of axes) base[a] = r.point[a];
      base.workflow = row.workflow;
      const k = JSON.stringify(base);
      if (!groups.has(k)) groups.set(k, { base, values: new Map(metricNames.map((m) => [m, []])) });
      const vals = pick(r, row);
      for (const m of metricNames) groups.get(k)!.values.get(m)!.push(vals[m] ?? null);
    }
  }
  return [...groups.values()].map(({ base, values }) => {
    const out: SummaryRow = { ...base };
    let n = 0;
    for (const [m, xs] of values) {
      const s = meanCI(xs);
      out[`${m}.mean`] = s.mean;
      out[`${m}.ci95`] = s.ci95;
      n = Math.max(n, xs.length);
    }
    out.seeds = n;
    return out;
  });
}

function timingNames(records: PointRecord[]): string[] {
  const names = new Set<string>();
  for (const r of records) for (const k of Object.keys(r.timing)) names.add(k);
  return [...names].sort();
}

async function writeOutputs(
  def: ExperimentDef,
  runDir: string,
  runId: string,
  records: PointRecord[],
  shape: RunShape,
  o: RunOptions,
  wallMs: number,
  measuredNothing: string[] = [],
): Promise<string> {
  const axes = axisNames(def);
  const metrics = def.metrics.map((m) => m.name);
  // points.csv: deterministic values only
  const pointRows = records.flatMap((r) =>
    r.rows.map((row) => [r.index, r.seed, ...axes.map((a) => r.point[a]), row.workflow, r.configHash.slice(0, 16), r.events, ...metrics.map((m) => row.metrics[m] ?? null)]),
  );
  atomicWrite(path.join(runDir, 'points.csv'), toCsv(['point', 'seed', ...axes, 'workflow', 'config', 'events', ...metrics], pointRows));

  const summary = summarize(def, records, metrics, (_r, row) => row.metrics);
  const sumHeader = [...axes, 'workflow', 'seeds', ...metrics.flatMap((m) => [`${m}.mean`, `${m}.ci95`])];
  atomicWrite(path.join(runDir, 'summary.csv'), toCsv(sumHeader, summary.map((s) => sumHeader.map((h) => s[h] ?? null))));

  // timing.csv: wall-clock figures (differ between identical runs)
  const tnames = timingNames(records);
  const timingRows = records.map((r) => [r.index, r.seed, ...axes.map((a) => r.point[a]), r.events, ...tnames.map((t) => r.timing[t] ?? null)]);
  atomicWrite(path.join(runDir, 'timing.csv'), toCsv(['point', 'seed', ...axes, 'events', ...tnames], timingRows));
  const timingSummary = summarize(def, records, tnames, (r) => r.timing);

  // plots (vega, vega-lite and resvg load only here: they cost ~1 s of start-up)
  const { buildSpec, renderSpec } = await import('./lib/plot.js');
  const plots: Array<{ name: string; title: string; files: string[] }> = [];
  const skipped: string[] = [];
  for (const p of def.plots) {
    const spec = buildSpec(p, p.timing ? timingSummary : summary);
    if ((spec.data as { values: unknown[] }).values.length === 0) {
      skipped.push(p.name);
      continue;
    }
    const { svg, png } = await renderSpec(spec);
    atomicWrite(path.join(runDir, `${p.name}.vl.json`), `${JSON.stringify(spec, null, 2)}\n`);
    atomicWrite(path.join(runDir, `${p.name}.svg`), svg);
    atomicWrite(path.join(runDir, `${p.name}.png`), png);
    plots.push({ name: p.name, title: p.title, files: [`${p.name}.vl.json`, `${p.name}.svg`, `${p.name}.png`] });
  }

  // headline tables
  const headline = [...def.headline.map((h) => headlineTable(h, h.timing ? timingSummary : summary)), def.derived ? def.derived(summary) : '']
    .filter((s) => s !== '')
    .join('\n\n');
  atomicWrite(path.join(runDir, 'headline.txt'), `${headline}\n`);

  // manifest
  const events = records.reduce((a, r) => a + r.events, 0);
  const pointWall = records.reduce((a, r) => a + (r.timing.wallSeconds ?? r.timing.groupingWallSeconds ?? 0), 0);
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const configHashes: Record<string, string> = {};
  for (const r of records) configHashes[`p${r.index}-s${r.seed}`] = r.configHash;
  const manifest = {
    experiment: def.name,
    description: def.description,
    source: def.source,
    runId,
    flowsimVersion: pkg.version,
    git: gitInfo(),
    node: process.version,
    finishedAt: new Date().toISOString(),
    argv: o.argv ?? null,
    options: { quick: shape.quick, jobs: o.jobs ?? os.availableParallelism(), overrides: shape.overrides, maxPoints: shape.maxPoints, paramsFile: shape.paramsFile, calibration: shape.calibration, cluster: shape.cluster ?? null, resumed: !!o.resume },
    seeds: shape.seeds,
    points: shape.points.length,
    runs: records.length,
    axes: def.axes.map((a) => a.name),
    metrics: def.metrics,
    configHashes,
    distinctConfigs: new Set(Object.values(configHashes)).size,
    wallSeconds: wallMs / 1000,
    simulationWallSeconds: pointWall,
    simulatedEvents: events,
    eventsPerSecond: pointWall > 0 ? events / pointWall : null,
    files: ['points.csv', 'summary.csv', 'timing.csv', 'headline.txt', ...plots.flatMap((p) => p.files)],
    plots,
    plotsSkipped: skipped,
    configsSha256: sha256(stableStringify(configHashes)),
    /** Point x seed x workflow results with no measured request (their metrics are empty). */
    measuredNothing,
  };
  atomicWrite(path.join(runDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return headline;
}

function gitInfo(): { revision: string | null; dirty: boolean | null } {
  try {
    const revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    let dirty: boolean | null = null;
    try {
      dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    } catch {
      dirty = null;
    }
    return { revision, dirty };
  } catch {
    return { revision: null, dirty: null };
  }
}
