/**
 * `npm run bench -- <case> [options]`: flowsim's benchmark suite (never run as timed tests).
 *
 *   phold     PHOLD on the engine and on a bare typed-array heap loop, events/s and the ratio
 *   network   10,000 concurrent flows over a 100-node cluster, arriving and leaving
 *   workflow  a 10,000-task generated workflow on 100 nodes in each mode; many df-wordcount
 *             requests in dataflower mode with peak RSS per run length
 *   calibrate a fit over each shipped measurements file (configs/measurements), target < 2 min
 *   overload  wordcount/hyperflow at 6,000 rpm with timed-out work continuing or cancelled:
 *             live heap at 60 s and 960 s of sending, target flat
 *   all       every case, each in its own child process (so peak memory is per case); with
 *             --json also writes results/bench/<run-id>.json
 *
 * Bad options end with one line and exit code 2. Wall-clock reads are fine here (outside sim/).
 */
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runPhold, type PholdCase } from './phold.js';
import { runNetworkBench, type NetworkPattern } from './network.js';
import { runLargeWorkflow, runManyRequests, runOverload, type LargeWorkflowResult } from './workflow.js';
import v8 from 'node:v8';
import vm from 'node:vm';
import { loadMeasurements } from '../calibrate/measurements.js';
import { evaluate, fitMeasurements } from '../calibrate/fit-measurements.js';
import { MODE_NAMES, type ModeName } from '../sim/scenario.js';
import { atomicWrite } from '../lib/atomic-write.js';
import { exitQuietlyOnClosedPipe } from '../lib/pipes.js';
import { parseNumberArg, repeatedOption } from '../lib/cli-args.js';

exitQuietlyOnClosedPipe();

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

/** One row of the results table. */
export interface CaseResult {
  case: string;
  status: 'ok' | 'timeout' | 'error';
  error?: string;
  /** Wall seconds of the measured part (the engine's median run for PHOLD). */
  wallS: number;
  events: number;
  eventsPerS: number;
  /** Peak RSS of the process that ran the case (bytes). */
  peakRssBytes: number;
  /** Case-specific figures. */
  detail: Record<string, unknown>;
  note: string;
}

const peakRss = () => process.resourceUsage().maxRSS * 1024;
const M = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0));
const log = (s: string) => process.stderr.write(`${s}\n`);

interface CaseOptions {
  events: number;
  reps: number;
  flows: number;
  completions: number;
  tasks: number;
  requests: number;
  rpm: number;
  overloadS: number;
}

/** Every case `all` runs, in order. */
const CASES = [
  'phold-1024x1',
  'phold-16384x16',
  'network-racks',
  'network-uniform',
  ...MODE_NAMES.map((m) => `workflow-${m}`),
  'conflicts-hyperflow',
  'conflicts-faasflow',
  'calibrate-faasflow-paper',
  'calibrate-dataflower-paper',
  'requests-dataflower',
  'overload-continue',
  'overload-cancel',
] as const;

function largeRow(name: string, r: LargeWorkflowResult, note: string): CaseResult {
  return { case: name, status: 'ok', wallS: r.wallS, events: r.events, eventsPerS: r.eventsPerS, peakRssBytes: peakRss(), detail: { ...r }, note };
}

function pholdRow(c: PholdCase): CaseResult {
  return {
    case: c.name,
    status: 'ok',
    wallS: c.engine.wallS,
    events: c.engine.events,
    eventsPerS: c.engine.eventsPerS,
    peakRssBytes: peakRss(),
    detail: {
      lps: c.lps,
      eventsPerLp: c.eventsPerLp,
      engineEventsPerS: c.engine.eventsPerS,
      bareEventsPerS: c.bare.eventsPerS,
      ratio: c.ratio,
      ratios: c.ratios,
      pairs: c.reps,
    },
    note: `bare ${M(c.bare.eventsPerS)}/s, ratio ${c.ratio.toFixed(3)} (pairs: ${c.ratios.map((r) => r.toFixed(2)).join(' ')})`,
  };
}

/** Runs one case in this process. */
function runCase(name: string, o: CaseOptions): CaseResult {
  if (name.startsWith('phold-')) {
    const m = /^phold-(\d+)x(\d+)$/.exec(name);
    if (!m) fail(`unknown case '${name}'`);
    const [c] = runPhold({ events: o.events, reps: o.reps, populations: [[Number(m[1]), Number(m[2])]], log });
    return pholdRow(c);
  }
  if (name.startsWith('network-')) {
    const pattern = name.slice('network-'.length) as NetworkPattern;
    if (pattern !== 'uniform' && pattern !== 'racks') fail(`unknown case '${name}'`);
    const r = runNetworkBench({ pattern, flows: o.flows, completions: o.completions });
    return {
      case: name,
      status: 'ok',
      wallS: r.wallS,
      events: r.flowEvents,
      eventsPerS: r.flowEventsPerS,
      peakRssBytes: peakRss(),
      detail: { ...r },
      note: `flow events; ${r.recomputations} recomputations touched ${r.meanFlowsTouched.toFixed(0)} of ${r.meanActiveFlows.toFixed(0)} active flows on average (${(100 * r.touchedFraction).toFixed(1)}%)`,
    };
  }
  if (name.startsWith('workflow-')) {
    const mode = name.slice('workflow-'.length) as ModeName;
    if (!MODE_NAMES.includes(mode)) fail(`unknown case '${name}'`);
    const r = runLargeWorkflow(mode, o.tasks);
    return largeRow(name, r, `${r.workflow} on ${r.nodes} nodes, revision conflicts off: ${r.completed} request done, e2e ${r.e2eS.toFixed(2)} s simulated; target < 5 s wall`);
  }
  if (name.startsWith('conflicts-')) {
    const mode = name.slice('conflicts-'.length) as ModeName;
    if (mode !== 'hyperflow' && mode !== 'faasflow') fail(`unknown case '${name}'`);
    const r = runLargeWorkflow(mode, Math.min(o.tasks, 1000), 'genome', 100, true);
    return largeRow(name, r, `${r.workflow} on ${r.nodes} nodes with CouchDB revision conflicts (uploads ~ n^2/2 for n parallel writers): e2e ${r.e2eS.toFixed(2)} s simulated${r.completed === 0 ? ' (the request timed out at 60 s)' : ''}`);
  }
  if (name === 'requests-dataflower') {
    const milestones = [100_000, 300_000, 1_000_000].filter((m) => m < o.requests);
    if (milestones.length === 0) milestones.push(Math.ceil(o.requests / 10), Math.ceil((3 * o.requests) / 10));
    const r = runManyRequests(o.requests, milestones, o.rpm);
    return {
      case: name,
      status: 'ok',
      wallS: r.wallS,
      events: r.events,
      eventsPerS: r.eventsPerS,
      peakRssBytes: peakRss(),
      detail: { ...r },
      note: `${r.requests} df-wordcount requests at ${r.rpm} rpm; peak RSS ${r.peakRssAt.map((p) => `${p.requests}: ${(p.peakRssBytes / 2 ** 20).toFixed(0)} MiB`).join(', ')}`,
    };
  }
  if (name.startsWith('overload-')) {
    const onTimeout = name.slice('overload-'.length);
    if (onTimeout !== 'continue' && onTimeout !== 'cancel') fail(`unknown case '${name}'`);
    // a full GC before each reading, so that the figure is the live set, not V8's lazy growth
    v8.setFlagsFromString('--expose-gc');
    (globalThis as { gc?: unknown }).gc = vm.runInNewContext('gc');
    const durationS = o.overloadS;
    const r = runOverload(onTimeout, durationS, [60, durationS]);
    const at = (t: number) => r.liveHeapAt.find((x) => x.simS === t)?.liveHeapBytes ?? NaN;
    const h60 = at(60);
    const hEnd = at(durationS);
    const ratio = hEnd / h60;
    const flat = ratio < 1.5;
    const MiB = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
    return {
      case: name,
      status: 'ok',
      wallS: r.wallS,
      events: r.events,
      eventsPerS: r.events / r.wallS,
      peakRssBytes: peakRss(),
      detail: { ...r, liveHeap60: h60, liveHeapEnd: hEnd, ratio },
      note: `${r.workflow}/${r.mode} at ${r.rpm} rpm for ${durationS} s, onTimeout ${onTimeout}: live heap ${MiB(h60)} at 60 s, ${MiB(hEnd)} at ${durationS} s (x${ratio.toFixed(2)}; ${r.completed} completed, ${r.timeouts} timed out); target flat (< x1.5): ${flat ? 'met' : 'MISSED'}`,
    };
  }
  if (name.startsWith('calibrate-')) {
    // a whole fit over a shipped measurements file, as `npm run calibrate -- --from` runs it
    const file = join(ROOT, 'configs', 'measurements', `${name.slice('calibrate-'.length)}.yaml`);
    const set = loadMeasurements(file);
    const fit = fitMeasurements(set, { maxIterations: 12 });
    const ev = evaluate(set, fit.values);
    const target = 120;
    return {
      case: name,
      status: 'ok',
      wallS: fit.wallS,
      events: 0,
      eventsPerS: 0,
      peakRssBytes: peakRss(),
      detail: { evaluations: fit.evaluations, iterations: fit.iterations, cells: set.cells.length, free: set.free.length, medianAbsError: ev.summary.medianAbsError, maxAbsError: ev.summary.maxAbsError },
      note: `${set.free.length} free values, ${set.cells.length} cells: ${fit.evaluations} evaluations in ${fit.iterations} iterations; median |error| ${(ev.summary.medianAbsError * 100).toFixed(1)}%; target < ${target} s wall: ${fit.wallS < target ? 'met' : 'MISSED'}`,
    };
  }
  return fail(`unknown case '${name}'; valid cases are ${CASES.join(', ')}`);
}

/** Runs one case in a child process (fresh heap and RSS), with a wall-clock limit. */
function runCaseInChild(name: string, o: CaseOptions, timeoutS: number): CaseResult {
  const args = [
    ...process.execArgv,
    process.argv[1],
    'case',
    name,
    '--events',
    String(o.events),
    '--reps',
    String(o.reps),
    '--flows',
    String(o.flows),
    '--completions',
    String(o.completions),
    '--tasks',
    String(o.tasks),
    '--requests',
    String(o.requests),
    '--rpm',
    String(o.rpm),
    '--overload-s',
    String(o.overloadS),
  ];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: timeoutS * 1000, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const empty = (status: CaseResult['status'], error: string): CaseResult => ({ case: name, status, error, wallS: wall, events: 0, eventsPerS: 0, peakRssBytes: 0, detail: {}, note: error });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return empty('timeout', `no result within the ${timeoutS} s limit (--timeout)`);
  if (r.status !== 0) return empty('error', `child exited with ${r.status ?? r.signal}`);
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as CaseResult;
  } catch {
    return empty('error', `child printed no JSON result`);
  }
}

function table(rows: CaseResult[]): string {
  const head = ['case', 'status', 'wall s', 'events', 'events/s', 'peak RSS MiB', 'notes'];
  const body = rows.map((r) => [
    r.case,
    r.status,
    r.wallS.toFixed(2),
    String(r.events),
    r.status === 'ok' ? M(r.eventsPerS) : '-',
    r.peakRssBytes ? (r.peakRssBytes / 2 ** 20).toFixed(0) : '-',
    r.note,
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => (i === head.length - 1 ? 0 : b[i].length))));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : i >= 2 && i <= 5 ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ');
  return [fmt(head), ...body.map(fmt)].join('\n');
}

function pholdTable(cases: PholdCase[]): string {
  const lines = [`PHOLD (remote 0.25, lookahead 0.1, mean 0.9): median of ${cases[0]?.reps ?? 0} back-to-back pairs of ${cases[0]?.events ?? 0} events`];
  lines.push(`${'population'.padEnd(18)}${'engine ev/s'.padStart(14)}${'bare ev/s'.padStart(14)}${'ratio'.padStart(8)}   target >= 0.70`);
  for (const c of cases) {
    lines.push(
      `${`${c.lps} x ${c.eventsPerLp}`.padEnd(18)}${M(c.engine.eventsPerS).padStart(14)}${M(c.bare.eventsPerS).padStart(14)}${c.ratio.toFixed(3).padStart(8)}   ${c.ratio >= 0.7 ? 'met' : 'NOT met'}`,
    );
  }
  return lines.join('\n');
}

/** The machine and the code measured; call it before the cases run (the tree may change during a long run). */
function machine(): Record<string, unknown> {
  let commit = '';
  try {
    const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    commit = git(['rev-parse', 'HEAD']);
    // uncommitted changes to tracked files: the figures are not those of `commit` alone
    if (git(['status', '--porcelain', '--untracked-files=no']) !== '') commit += '-dirty';
  } catch {
    commit = 'unknown';
  }
  const c = cpus();
  return { cpu: c[0]?.model ?? 'unknown', cores: c.length, memoryBytes: totalmem(), node: process.version, platform: process.platform, commit, loadavg: loadavg() };
}

async function main(): Promise<void> {
  const parser = yargs(hideBin(process.argv))
    .scriptName('npm run bench --')
    .usage('$0 <case> [options]\n\nflowsim benchmarks: engine speed (PHOLD, against a bare heap loop), network sharing, whole workflows.')
    .command('phold', 'PHOLD at 1,024 LPs x 1 event and 16,384 LPs x 16 events on the engine and on a bare typed-array binary-heap loop; events/s and ratio')
    .command('network', '10,000 concurrent flows over 100 nodes (two traffic patterns): flow events/s and flows touched per recomputation')
    .command('workflow', 'a 10,000-task generated workflow on 100 nodes in each mode (revision conflicts off), 1,000 tasks with them on (hyperflow, faasflow); many df-wordcount requests (dataflower) with peak RSS')
    .command('calibrate', 'a fit over each shipped measurements file (configs/measurements), as calibrate --from runs it; target under 2 minutes')
    .command('overload', 'wordcount in hyperflow mode at 6,000 rpm, far past what the cluster serves, with the client timeout continuing and cancelling the work: live heap at 60 s and at --overload-s; target flat')
    .command('all', 'every case, each in a child process; --json also writes results/bench/<run-id>.json')
    .command('case <name>', false) // internal: one case, JSON result on the last stdout line
    .option('json', { type: 'boolean', default: false, describe: 'print the figures as JSON (all: also write results/bench/<run-id>.json)' })
    .option('events', { type: 'string', default: 1_500_000, describe: 'PHOLD: events per measured run' })
    .option('reps', { type: 'string', default: 7, describe: 'PHOLD: measured engine/bare pairs per population (median reported)' })
    .option('flows', { type: 'string', default: 10_000, describe: 'network: concurrent flows' })
    .option('completions', { type: 'string', default: 1_000, describe: 'network: flows that finish before the run stops' })
    .option('tasks', { type: 'string', default: 10_000, describe: 'workflow: tasks of the generated genome workflow' })
    .option('requests', { type: 'string', default: 1_000_000, describe: 'workflow: df-wordcount requests in the long dataflower run' })
    .option('rpm', { type: 'string', default: 1200, describe: 'workflow: open-loop rate of the long run, requests per minute' })
    .option('overload-s', { type: 'string', default: 960, describe: 'overload: seconds of the long send window' })
    .option('timeout', { type: 'string', default: 3600, describe: 'all: wall-clock limit per case in seconds (a case over it is reported as timeout)' })
    .option('out', { type: 'string', default: join(ROOT, 'results', 'bench'), describe: 'all --json: directory for <run-id>.json' })
    .demandCommand(1, 'name a case: phold, network, workflow, calibrate, overload or all')
    .strict()
    .help()
    .fail((msg, err) => {
      if (err) throw err;
      fail(`${msg}\nRun with --help for the options.`);
    });
  const argv = await parser.parse();
  const cmd = String(argv._[0]);
  const repeated = repeatedOption(argv as unknown as Record<string, unknown>);
  if (repeated) fail(repeated);
  const positive = (k: string, raw: unknown, int: boolean): number => {
    const x = parseNumberArg(k, raw, { int, min: int ? 1 : Number.MIN_VALUE });
    return typeof x === 'number' ? x : fail(x.error.replace(/>= [^,]+,/, '> 0,'));
  };
  const o0 = {
    events: positive('events', argv.events, true),
    reps: positive('reps', argv.reps, true),
    flows: positive('flows', argv.flows, true),
    completions: positive('completions', argv.completions, true),
    tasks: positive('tasks', argv.tasks, true),
    requests: positive('requests', argv.requests, true),
    rpm: positive('rpm', argv.rpm, false),
    timeout: positive('timeout', argv.timeout, false),
    overloadS: positive('overload-s', argv['overload-s'], false),
  };
  if (o0.overloadS <= 60) fail(`--overload-s: expected more than 60 (the short window it is compared with), got ${o0.overloadS}`);
  const { timeout, ...o } = o0 satisfies CaseOptions & { timeout: number };

  if (cmd === 'case') {
    const r = runCase(String(argv.name), o);
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  if (cmd === 'phold') {
    const cases = runPhold({ events: o.events, reps: o.reps, log });
    if (argv.json) process.stdout.write(`${JSON.stringify({ phold: cases.map(pholdRow), machine: machine() }, null, 2)}\n`);
    else process.stdout.write(`${pholdTable(cases)}\n`);
    return;
  }
  const names: string[] = cmd === 'calibrate' ? ['calibrate-faasflow-paper', 'calibrate-dataflower-paper'] : cmd === 'network' ? ['network-racks', 'network-uniform'] : cmd === 'workflow' ? [...MODE_NAMES.map((m) => `workflow-${m}`), 'conflicts-hyperflow', 'conflicts-faasflow', 'requests-dataflower'] : cmd === 'overload' ? ['overload-continue', 'overload-cancel'] : [...CASES];
  const started = new Date();
  const measured = machine();
  const rows: CaseResult[] = [];
  for (const name of names) {
    log(`bench: ${name} ...`);
    const r = cmd === 'all' || names.length > 1 ? runCaseInChild(name, o, timeout) : runCase(name, o);
    log(`bench: ${name}: ${r.status}, ${r.wallS.toFixed(2)} s, ${r.note}`);
    rows.push(r);
  }
  const report = { runId: started.toISOString().replace(/[:.]/g, '-'), started: started.toISOString(), finished: new Date().toISOString(), options: o, machine: { ...measured, loadavgEnd: loadavg() }, cases: rows };
  if (argv.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    if (cmd === 'all') {
      const file = join(resolve(argv.out), `${report.runId}.json`);
      atomicWrite(file, `${JSON.stringify(report, null, 2)}\n`);
      log(`bench: wrote ${file}`);
    }
  }
  if (!argv.json || cmd === 'all') process.stderr.write(`\n${table(rows)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
