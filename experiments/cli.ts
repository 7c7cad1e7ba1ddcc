/**
 * `npm run exp -- <experiment> [options]`: runs an experiment's sweep and writes
 * results/<experiment>/<run-id>/. `list` prints the experiments, `all` runs every one.
 * Bad input: a clear message on stderr and exit code 2, nothing written under results/.
 */
import { WriteError } from '../lib/atomic-write.js';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXPERIMENTS, experimentNames, getExperiment } from './registry.js';
import { ExpError } from './lib/errors.js';
import { parseOverride, type Overrides } from './lib/sweep.js';
import { DEFAULT_SEEDS, REPO_ROOT, RunFailed, listRuns, runExperiment, type RunOptions } from './runner.js';
import type { ExperimentDef } from './types.js';
import { exitQuietlyOnClosedPipe } from '../lib/pipes.js';
import { ConfigError, loadCluster, loadWorkflow, looksLikePath } from '../loader/load.js';
import { loadSpecFile, specDef, type NormalizedSpec } from './spec.js';
import { emptyOption, parseNumberArg, repeatedOption } from '../lib/cli-args.js';

function commonOptions<T>(y: Argv<T>) {
  return y
    .option('jobs', { alias: 'j', type: 'string', describe: 'worker threads', default: os.availableParallelism(), defaultDescription: 'number of cores' })
    .option('quick', { type: 'boolean', default: false, describe: 'smaller grids and shorter simulated durations (smoke run)' })
    .option('seeds', { type: 'string', describe: `seeds per point (1..N); mean and 95% CI across them (default: the experiment's own, else ${DEFAULT_SEEDS})` })
    .option('out', { type: 'string', default: path.join(REPO_ROOT, 'results'), defaultDescription: 'results/', describe: 'results root directory' })
    .option('run-id', { type: 'string', describe: 'name of the run directory (default: a UTC timestamp)' })
    .option('resume', { type: 'boolean', default: false, describe: 'continue a run: the given --run-id, or the latest run of the experiment; finished points are skipped' })
    .option('params', { type: 'string', describe: 'YAML file of parameter overrides for every scenario' })
    .option('calibration', { type: 'string', describe: "calibration profile name (configs/calibration/<name>.yaml); default: each cluster's own profile; 'none': the bare defaults" })
    .option('workflow', { alias: 'w', type: 'string', describe: "run the sweep on these workflows instead of the experiment's benchmarks (comma list: names, .yaml/.json files, WfFormat files, gen:<recipe>:<tasks>)" })
    .option('cluster', { type: 'string', describe: "run every point on this cluster (a name or a .yaml file) instead of the experiment's own" })
    .option('progress', { choices: ['auto', 'bar', 'lines', 'json', 'none'] as const, default: 'auto' as const, describe: 'progress display (auto: a bar on a terminal, lines otherwise; json: one JSON line per finished run)' })
    .option('queue', { type: 'string', describe: 'run the points on a BullMQ queue at this Redis URL (redis://host:6379); start workers with: npm run worker -- --queue URL' })
    .option('max-points', { type: 'string', hidden: true, describe: 'keep only the first N points (tests)' })
    .option('kill-after', { type: 'number', hidden: true, describe: 'test hook: SIGKILL itself after N runs are written' });
}

function axisValuesText(def: ExperimentDef): string {
  return def.axes
    .map((a) => {
      const v = Array.isArray(a.values) ? a.values.join(', ') : 'depends on the axes before it';
      return `  ${a.name.padEnd(10)} ${a.describe}; default: ${v}${a.cli ? '' : ' (fixed)'}`;
    })
    .join('\n');
}

function experimentCommand(y: Argv, def: ExperimentDef, io: Io): Argv {
  return y.command(
    def.name,
    def.description,
    (yy) => {
      let c = commonOptions(yy);
      for (const a of def.axes) if (a.cli) c = c.option(a.name, { type: 'string', describe: `${a.describe} (overrides the sweep)` });
      return c.epilog(`${def.description}\nProtocol source: ${def.source}\n\nAxes (cartesian product, x seeds):\n${axisValuesText(def)}\n\nOutputs: <out>/${def.name}/<run-id>/{points.csv, summary.csv, timing.csv, manifest.json, headline.txt, *.vl.json, *.svg, *.png}`);
    },
    async (argv) => {
      await runOne(io, def, argv as unknown as Record<string, unknown>);
    },
  );
}

function runOptions(def: ExperimentDef, argv: Record<string, unknown>, overrides: Overrides): RunOptions {
  const repeated = repeatedOption(argv);
  if (repeated) throw new ExpError(repeated);
  const empty = emptyOption(argv, ['run-id', 'params', 'calibration', 'out', 'queue', 'workflow', 'cluster']);
  if (empty) throw new ExpError(empty);
  const number = (name: string, o: { min: number; max?: number }): number | undefined => {
    if (argv[name] === undefined) return undefined;
    const x = parseNumberArg(name, argv[name], { int: true, ...o });
    if (typeof x !== 'number') throw new ExpError(x.error);
    return x;
  };
  const jobs = number('jobs', { min: 1, max: 256 })!;
  const seeds = number('seeds', { min: 1, max: 1000 });
  const maxPoints = number('max-points', { min: 1 });
  return {
    def,
    outDir: path.resolve(argv.out as string),
    quick: argv.quick as boolean,
    seeds,
    jobs,
    runId: argv['run-id'] as string | undefined,
    resume: argv.resume as boolean,
    overrides,
    maxPoints,
    paramsFile: argv.params as string | undefined,
    calibration: argv.calibration as string | undefined,
    ...(argv.cluster !== undefined ? { cluster: checkedRef('--cluster', String(argv.cluster), loadCluster) } : {}),
    progress: argv.progress as RunOptions['progress'],
    ...(argv.queue !== undefined ? { queue: String(argv.queue) } : {}),
    killAfter: argv['kill-after'] as number | undefined,
    argv: process.argv.slice(2),
  };
}

function overridesOf(def: ExperimentDef, argv: Record<string, unknown>): Overrides {
  const o: Overrides = {};
  for (const a of def.axes) if (a.cli && argv[a.name] !== undefined) o[a.name] = parseOverride(a, argv[a.name]);
  if (argv.workflow !== undefined) {
    if (!def.axes.some((a) => a.name === 'benchmark')) throw new ExpError(`--workflow: ${def.name} has no workflow axis (its points are not per benchmark)`);
    if (argv.benchmark !== undefined) throw new ExpError('--workflow and --benchmark both choose the workflows; give one of them');
    o.benchmark = workflowArg(String(argv.workflow));
  }
  return o;
}

/** A workflow or cluster reference, checked now (a clear error before anything runs); files made absolute. */
function checkedRef(option: string, raw: string, load: (ref: string) => unknown): string {
  const ref = looksLikePath(raw) ? path.resolve(raw) : raw;
  try {
    load(ref);
  } catch (e) {
    throw new ExpError(`${option}: ${e instanceof ConfigError ? e.format() : (e as Error).message}`);
  }
  return ref;
}

function workflowArg(raw: string): string[] {
  const refs = raw.split(',').map((s) => s.trim());
  if (refs.some((r) => r === '')) throw new ExpError(`--workflow: expected a comma-separated list, got '${raw}'`);
  return [...new Set(refs)].map((r) => checkedRef('--workflow', r, loadWorkflow));
}

export interface Io {
  out(s: string): void;
  err(s: string): void;
}
const processIo: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

/**
 * With --workflow, plots and tables that keep "the benchmarks" (a `where` listing benchmark
 * names) keep the given workflows instead; a `where` naming one value (the co-run) is left alone.
 */
function withWorkflows(def: ExperimentDef, refs: string[]): ExperimentDef {
  const fix = <T extends { where?: Record<string, unknown> }>(x: T): T =>
    x.where && Array.isArray(x.where.benchmark) ? { ...x, where: { ...x.where, benchmark: refs } } : x;
  return { ...def, plots: def.plots.map(fix), headline: def.headline.map(fix) };
}

async function runOne(io: Io, def0: ExperimentDef, argv: Record<string, unknown>, opts?: Partial<RunOptions>): Promise<void> {
  const overrides = overridesOf(def0, argv);
  const def = argv.workflow !== undefined && overrides.benchmark ? withWorkflows(def0, overrides.benchmark.map(String)) : def0;
  const o = { ...runOptions(def, argv, overrides), log: (line: string) => io.out(`${line}\n`), ...opts };
  const r = await runExperiment(o);
  io.out(
    `\n${r.headline}\n\n${def.name}: ${r.tasks} runs (${r.evaluated} evaluated${r.reused ? `, ${r.reused} reused` : ''}) in ${r.wallSeconds.toFixed(1)} s -> ${r.runDir}\n`,
  );
}

/** A sweep spec, checked; its name must not shadow a built-in experiment (they share results/). */
function readSpec(file: string): NormalizedSpec {
  if (file === '') throw new ExpError('run: name a sweep spec file (YAML), e.g. npm run exp -- run configs/sweeps/example.yaml');
  let spec: NormalizedSpec;
  try {
    spec = loadSpecFile(file);
  } catch (e) {
    if (e instanceof ConfigError) throw new ExpError(e.format());
    throw e;
  }
  if ([...experimentNames(), 'all', 'list', 'run'].includes(spec.name))
    throw new ExpError(`${file}: name: '${spec.name}' is a built-in experiment's name (their results share results/<name>/); choose another name`);
  return spec;
}

function list(io: Io): void {
  const w = Math.max(...EXPERIMENTS.map((e) => e.name.length));
  for (const e of EXPERIMENTS) io.out(`${e.name.padEnd(w)}  ${e.description}\n`);
  io.out(`${'all'.padEnd(w)}  every experiment above, in this order\n`);
  io.out(`${'run'.padEnd(w)}  run <spec.yaml>: a sweep of your own (workflows, cluster, modes, any axis; docs/experiments.md)\n`);
}

/** The first word must be an experiment, `all` or `list` (checked before yargs, for a clear message). */
function checkCommand(args: string[]): void {
  const first = args[0];
  if (first === undefined || first.startsWith('-')) return;
  const known = [...experimentNames(), 'all', 'list', 'run', 'help'];
  if (!known.includes(first)) {
    const near = known.find((k) => k.startsWith(first.slice(0, 3)));
    throw new ExpError(`unknown experiment '${first}'${near ? ` (did you mean '${near}'?)` : ''}; valid: ${known.filter((k) => k !== 'help').join(', ')}`);
  }
}

async function main(args: string[], io: Io): Promise<void> {
  checkCommand(args);
  let y = yargs(args)
    .scriptName('npm run exp --')
    .usage('$0 <experiment> [options]\n\nRuns one of the papers\' experiments as a sweep of flowsim simulations and writes CSV, plots and a manifest under results/<experiment>/<run-id>/.')
    .command('list', 'print the experiments with a one-line description', {}, () => list(io))
    .command(
      'run <spec>',
      'run a user-defined sweep described in a YAML file (docs/experiments.md, configs/sweeps/)',
      (yy) => commonOptions(yy).positional('spec', { type: 'string', describe: 'the sweep spec, a YAML file' }),
      async (argv) => {
        const a = argv as unknown as Record<string, unknown>;
        const spec = readSpec(String(a.spec ?? ''));
        await runOne(io, specDef(spec), a, { spec });
      },
    )
    .command(
      'all',
      'run every experiment in turn (common options only)',
      (yy) => commonOptions(yy),
      async (argv) => {
        const a = argv as unknown as Record<string, unknown>;
        for (const def of EXPERIMENTS) {
          const runId = a['run-id'] as string | undefined;
          const resume = (a.resume as boolean) && (runId ? listRuns(path.resolve(a.out as string), def.name).includes(runId) : listRuns(path.resolve(a.out as string), def.name).length > 0);
          await runOne(io, def, a, { resume });
        }
      },
    );
  for (const def of EXPERIMENTS) y = experimentCommand(y, def, io);
  y = y
    .command(
      '$0 [experiment]',
      false,
      (yy) => yy.positional('experiment', { type: 'string' }),
      (argv) => {
        if (argv.experiment) getExperiment(String(argv.experiment)); // throws: unknown experiment
        throw new ExpError(`name an experiment: ${experimentNames().join(', ')}, all or list (see --help)`);
      },
    )
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .exitProcess(io === processIo)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new ExpError(`${msg}\n(see: npm run exp -- --help)`);
    });
  await y.parseAsync();
}

/** Runs the CLI on `args`; returns the exit code (0 ok, 1 failure while running, 2 bad input). */
export async function cli(args: string[], io: Io = processIo): Promise<number> {
  try {
    await main(args, io);
    return 0;
  } catch (e: unknown) {
    if (e instanceof ExpError) {
      io.err(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof RunFailed) {
      io.err(`error: ${e.message}\n`);
      return 1;
    }
    // a results root that cannot be written: say so (a temp file is never left behind)
    const code = (e as NodeJS.ErrnoException)?.code;
    if (e instanceof WriteError || code === 'EACCES' || code === 'EROFS' || code === 'EPERM' || code === 'ENOSPC' || code === 'ENOTDIR') {
      io.err(`error: ${e instanceof WriteError ? e.message : `cannot write the results (${code}: ${(e as Error).message}); choose another --out or free some space`}\n`);
      return 2;
    }
    io.err(`internal error: ${e instanceof Error ? (process.env.FLOWSIM_DEBUG ? e.stack : e.message) : String(e)}\n`);
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  exitQuietlyOnClosedPipe();
  process.exitCode = await cli(hideBin(process.argv));
}
