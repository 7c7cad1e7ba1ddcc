/**
 * `npm run sim -- --workflow genome --mode faasflow [...]`: one simulation, a readable summary
 * or one JSON object. Bad input ends with one line naming what to fix and exit code 2.
 */
import { decideForScenario, explainDecisions } from '../sim/modes/cost-models.js';
import { compileWorkflow } from '../sim/models/workflow.js';
import { parseNumberArg } from '../lib/cli-args.js';
import fs from 'node:fs';
import { atomicWrite, WriteError } from '../lib/atomic-write.js';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { buildScenario, DEFAULTS, type ScenarioOptions } from '../loader/build.js';
import { ConfigError, listClusters, listPrices, listWorkflows } from '../loader/load.js';
import { KEEP_ALIVE_POLICIES, PLACEMENT_POLICIES, QUEUE_POLICIES } from '../sim/policies/index.js';
import { runScenarioDetailed } from '../sim/run.js';
import { ALL_MODE_NAMES, type ModeName, type SimResult } from '../sim/scenario.js';
import { MODES } from '../sim/modes/index.js';
import { exitQuietlyOnClosedPipe } from '../lib/pipes.js';

exitQuietlyOnClosedPipe();

function fail(message: string): never {
  process.stderr.write(`flowsim: ${message}\n`);
  process.exit(2);
}

const fmtS = (x: number) => (Number.isFinite(x) ? `${x.toFixed(3)} s` : '-');
const fmtB = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} kB`);

function fmtUsd(x: number): string {
  return x >= 0.01 ? x.toFixed(4) : x.toExponential(2);
}

/** 'video=10,wordcount=1.5' -> {video: 10, wordcount: 1.5}. */
function parseDeadlines(v: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of v.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const m = /^([^=]+)=(.+)$/.exec(part);
    const s = m ? Number(m[2]) : NaN;
    if (!m || !(Number.isFinite(s) && s > 0)) fail(`--deadline: expected name=seconds with seconds > 0, got '${part}'`);
    out[m![1].trim()] = s;
  }
  if (Object.keys(out).length === 0) fail("--deadline: expected name=seconds,...");
  return out;
}

function summary(r: SimResult, o: ScenarioOptions): string {
  const lines: string[] = [];
  const bw = r.storageBandwidthBps ? `${o.bandwidthMBps} MB/s (${(r.storageBandwidthBps / 1e6).toFixed(1)}e6 B/s)` : 'uncapped';
  const faults = [typeof o.faults === 'string' ? `faults ${o.faults}` : '', o.failureRate !== undefined ? `failure rate ${o.failureRate}` : '', o.retries !== undefined ? `retries ${o.retries}` : ''].filter(Boolean).join(', ');
  lines.push(`flowsim: ${o.workflows.join(', ')} in ${r.mode} mode on ${r.cluster}, storage cap ${bw}, seed ${r.seed}, params ${r.params}${faults ? `, ${faults}` : ''}`);
  lines.push(`  requests measured ${r.requests}: completed ${r.completed}, timed out ${r.timeouts}${r.failed > 0 ? `, failed ${r.failed}` : ""}; throughput ${r.throughputRps.toFixed(3)} req/s`);
  // a percentile says how many samples it stands on; under 100, "p99" is an interpolation near the maximum
  const n = r.e2e.count;
  const p99Note = n === 0 ? '' : n === 1 ? ' (n=1: the one sample)' : n < 100 ? ` (n=${n}, under 100: near the maximum)` : ` (n=${n})`;
  lines.push(`  e2e latency        mean ${fmtS(r.e2e.mean)}  p50 ${fmtS(r.e2e.p50)}  p99 ${fmtS(r.e2e.p99)}${p99Note}  max ${fmtS(r.e2e.max)}`);
  lines.push(`  data overhead      mean ${fmtS(r.dataOverhead.mean)} per request (sum of in-function data I/O)`);
  lines.push(`  scheduling overhd  mean ${fmtS(r.schedulingOverhead.mean)} per request (e2e - critical path of function times)`);
  lines.push(`  containers         ${r.coldStarts} cold starts${r.prewarms ? `, ${r.prewarms} pre-warmed` : ''}, peak ${r.containersPeak} live`);
  if (r.faults) {
    const f = r.faults;
    const causes = Object.entries(f.failedRequests).map(([c, n]) => `${n} ${c}`).join(', ');
    lines.push(`  faults             success ${(100 * f.successRate).toFixed(1)}%: ${r.failed} failed${causes ? ` (${causes})` : ''}; attempts failed ${f.failedAttempts.error} by error, ${f.failedAttempts.crash} by crash, ${f.failedAttempts['execution timeout']} by execution timeout, ${f.failedAttempts['node lost']} by node loss; ${f.retries} retries${f.nodeLosses > 0 ? `; ${f.nodeLosses} node losses, ${fmtB(f.bytesLost)} lost in flight` : ''}`);
  }
  if (r.cancelled.requests > 0)
    lines.push(`  cancelled          ${r.cancelled.requests} requests at their timeout (${r.cancelled.instances} function instances not ended then; ${r.droppedCalls} queued calls and engine operations dropped)`);
  if (r.abandoned.requests > 0)
    lines.push(`  abandoned          ${r.abandoned.requests} timed-out requests still running at the end (${r.abandoned.instances} function instances, ${fmtB(r.abandoned.bytesInFlight)} in flight): not simulated further`);
  lines.push(`  policies           queue ${r.policies.queue}, keep-alive ${r.policies.keepAlive}, placement ${r.policies.placement ?? `${r.mode}'s own`}`);
  const c = r.cost;
  lines.push(`  cost (${c.prices})`.padEnd(21) + `$${fmtUsd(c.usd.total)}: ${c.gbSeconds.toFixed(1)} GB-s $${fmtUsd(c.usd.compute)}, ${c.invocations} invocations $${fmtUsd(c.usd.invocations)}, ${c.transferredGB.toFixed(2)} GB between nodes $${fmtUsd(c.usd.transfer)}`);
  if (r.apps.length > 1) {
    for (const a of r.apps) lines.push(`  ${a.workflow.padEnd(22)} n=${a.completed}/${a.requests}  mean ${fmtS(a.e2e.mean)}  p99 ${fmtS(a.e2e.p99)}  timeouts ${a.timeouts}${a.deadlineS !== null ? `  deadline ${fmtS(a.deadlineS)} missed ${a.deadlineMisses}` : ''}`);
  }
  const busy = r.links.filter((l) => l.bytes > 0).sort((a, b) => b.bytes - a.bytes);
  lines.push(`  bytes per link (busiest first):`);
  for (const l of busy.slice(0, 8)) lines.push(`    ${l.link.padEnd(24)} ${fmtB(l.bytes).padStart(10)}  utilisation ${(l.utilization * 100).toFixed(1)}%`);
  if (busy.length > 8) lines.push(`    ... ${busy.length - 8} more links`);
  lines.push(`  ${r.events} events in ${r.wallSeconds.toFixed(2)} s wall (${Math.round(r.eventsPerSecond)} events/s), ${r.simulatedSeconds.toFixed(1)} s simulated`);
  return lines.join('\n');
}

function parsePhases(text: string): Array<{ rpm: number; durationS: number }> {
  return text.split(',').map((part) => {
    const fields = part.split(':').map((x) => (x.trim() === '' ? NaN : Number(x.trim())));
    const [rpm, dur] = fields;
    if (fields.length !== 2 || !(rpm > 0 && Number.isFinite(rpm)) || !(dur > 0 && Number.isFinite(dur))) fail(`--phases: expected 'rpm:seconds,...' with two positive numbers per phase, got '${part}'`);
    return { rpm, durationS: dur };
  });
}

/** A numeric option: absent, or one finite decimal number (not '', not 'abc', not 1e400, not 0x10). */
function num(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const x = parseNumberArg(name, v);
  return typeof x === 'number' ? x : fail(x.error);
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('npm run sim --')
    .usage('$0 --workflow <name> --mode <mode> [options]\n\nSimulates one workload of serverless workflow requests on a modelled cluster and prints e2e latency, overheads and bytes per link.')
    .option('workflow', { alias: 'w', type: 'string', describe: 'workflow: a built-in name, a .yaml file, a WfFormat .json file, or gen:<recipe>:<tasks>[:seed]; several comma-separated run together (co-run)' })
    .option('mode', { alias: 'm', type: 'string', choices: ALL_MODE_NAMES as unknown as string[], describe: 'orchestration mode' })
    .option('cluster', { alias: 'c', type: 'string', describe: "cluster preset or .yaml file (default: the workflow's own)" })
    .option('bandwidth', { alias: 'b', type: 'string', describe: "storage node cap in MB/s as FaaSFlow's wondershaper labels (25, 50, 75, 100); default uncapped" })
    .option('rpm', { type: 'string', describe: 'open loop: requests per minute (fixed interval); comma-separated: one per co-run workflow' })
    .option('clients', { type: 'string', describe: 'closed loop: concurrent clients (default 1)' })
    .option('stagger', { type: 'string', describe: `seconds between closed-loop clients' starts (default ${DEFAULTS.staggerS})` })
    .option('ramp', { type: 'boolean', describe: "open loop: DataFlower's start-up ramp (x4/x3/x2 intervals in the first minute)" })
    .option('duration', { alias: 'd', type: 'string', describe: `seconds during which requests are sent (default ${DEFAULTS.durationS})` })
    .option('warmup-requests', { type: 'string', describe: `first requests not measured (default ${DEFAULTS.warmupRequests})` })
    .option('warmup', { type: 'string', describe: 'seconds at the start whose requests are not measured (default 0)' })
    .option('min-requests', { type: 'string', describe: 'closed loop: keep sending past --duration until this many requests were sent (FaaSFlow: 3)' })
    .option('phases', { type: 'string', describe: "open loop in rate phases, 'rpm:seconds,...' (e.g. 10:60,100:60, DataFlower's bursty test)" })
    .option('corun-stagger', { type: 'string', describe: 'co-run: seconds between the workflows\' starts (FaaSFlow: 5)' })
    .option('seed', { alias: 's', type: 'string', describe: `random seed (default ${DEFAULTS.seed})` })
    .option('calibration', { type: 'string', describe: "calibration profile name (configs/calibration/<name>.yaml) or path; default: the cluster's own (faasflow-7w: faasflow-paper, dataflower-3w: dataflower-paper); 'none': the bare defaults" })
    .option('params', { type: 'string', describe: 'YAML file overriding model parameters (see sim/params.ts)' })
    .option('json', { type: 'boolean', describe: 'print one JSON object instead of the summary' })
    .option('trace', { type: 'string', describe: 'write one JSON line per function instance to this file' })
    .option('trace-flows', { type: 'string', describe: "write every network flow's rate changes (JSON lines) to this file" })
    .option('queue', { type: 'string', describe: `queue policy for calls waiting on containers: ${Object.keys(QUEUE_POLICIES).join(', ')} (default: the cluster's, else fifo)` })
    .option('keep-alive', { type: 'string', describe: `keep-alive policy: ${Object.keys(KEEP_ALIVE_POLICIES).join(', ')} (default: the cluster's, else fixed)` })
    .option('placement', { type: 'string', describe: `placement policy: ${Object.keys(PLACEMENT_POLICIES).join(', ')} (default: the mode's own; see --list)` })
    .option('deadline', { type: 'string', describe: "per-workflow deadlines for the edf policy and the deadline-miss count, 'name=seconds,...' (default: the workflows' own `deadline`)" })
    .option('faults', { type: 'string', describe: 'YAML file of faults to inject and how invocations recover: function failures, execution timeouts, retries, link capacity traces, remote-store outages (docs/faults.md)' })
    .option('failure-rate', { type: 'string', describe: "every function's probability that one attempt fails, 0..1 (overrides the faults file's default)" })
    .option('retries', { type: 'string', describe: 'retries at most of a failed invocation (default 3, or the faults file\'s)' })
    .option('on-timeout', { type: 'string', choices: ['continue', 'cancel'], describe: "what a client timeout does to the request's work: continue (the engines go on, as the references describe) or cancel (queued and later calls are dropped); default: params request.onTimeout, continue" })
    .option('prices', { type: 'string', describe: `price table: ${listPrices().join(', ')} (configs/prices/) or a .yaml file (default aws-lambda)` })
    .option('explain', { type: 'boolean', describe: "print the cost models' estimate of each mode's e2e for each workflow (compute, data, control along the critical path) and what adaptive mode picks" })
    .option('list', { type: 'boolean', describe: 'list workflows, clusters, modes and policies, then exit' })
    .example('$0 --workflow genome --mode faasflow --bandwidth 50', 'FaaSFlow e2e protocol: one closed-loop client for 120 s')
    .example('$0 -w video -m hyperflow -b 25 --rpm 8 --json', 'open loop at 8 rpm, JSON output')
    .example('$0 -w gen:genome:1000 -m dataflower --trace spans.jsonl', 'a generated 1,000-task workflow, with a trace')
    .strict()
    .fail((msg, err) => {
      if (err) throw err;
      fail(`${msg}\nRun with --help for the options.`);
    })
    .help()
    .parse();

  if (argv.list) {
    console.log('workflows:');
    for (const w of listWorkflows()) console.log(`  ${w.name.padEnd(20)} ${w.defaultCluster.padEnd(15)} ${w.description}`);
    console.log('clusters:');
    for (const c of listClusters()) console.log(`  ${c.name.padEnd(20)} ${c.description}`);
    console.log('modes:');
    for (const m of ALL_MODE_NAMES) console.log(`  ${m.padEnd(20)} ${MODES[m].describe}`);
    console.log('queue policies (--queue):');
    for (const [k, v] of Object.entries(QUEUE_POLICIES)) console.log(`  ${k.padEnd(20)} ${v.describe}`);
    console.log('keep-alive policies (--keep-alive):');
    for (const [k, v] of Object.entries(KEEP_ALIVE_POLICIES)) console.log(`  ${k.padEnd(20)} ${v.describe}`);
    console.log('placement policies (--placement):');
    for (const [k, v] of Object.entries(PLACEMENT_POLICIES)) console.log(`  ${k.padEnd(20)} ${v.describe} [${v.modes.join(', ')}]`);
    console.log('price tables (--prices):');
    for (const p of listPrices()) console.log(`  ${p}`);
    return;
  }
  // an option given twice arrives as a list: say so rather than use one of them
  for (const [k, v] of Object.entries(argv)) if (k !== '_' && k.length > 1 && Array.isArray(v)) fail(`--${k} was given ${v.length} times; give it once${k === 'workflow' ? ' (comma-separate several workflows to co-run them)' : ''}`);
  for (const k of ['faults', 'params', 'calibration', 'cluster', 'prices', 'trace', 'trace-flows', 'queue', 'keep-alive', 'placement', 'deadline', 'phases', 'rpm', 'workflow'] as const)
    if (argv[k] === '') fail(`--${k}: expected a value, got nothing`);
  if (!argv.workflow) fail('missing --workflow (try --list for the names)');
  if (!argv.mode) fail(`missing --mode (one of ${ALL_MODE_NAMES.join(', ')})`);
  const rpms = argv.rpm !== undefined ? String(argv.rpm).split(',').map((x) => { const v = parseNumberArg('rpm', x); return typeof v === 'number' ? v : fail(`--rpm: expected numbers, got '${argv.rpm}'`); }) : undefined;
  const workflows = argv.workflow.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const opts: ScenarioOptions = {
    workflows,
    mode: argv.mode as ModeName,
    cluster: argv.cluster,
    bandwidthMBps: num('bandwidth', argv.bandwidth),
    rpm: rpms && rpms.length === 1 ? rpms[0] : undefined,
    rpms: rpms && rpms.length > 1 ? rpms : undefined,
    clients: num('clients', argv.clients),
    staggerS: num('stagger', argv.stagger),
    ramp: argv.ramp,
    durationS: num('duration', argv.duration),
    warmupRequests: num('warmup-requests', argv['warmup-requests']),
    warmupS: num('warmup', argv.warmup),
    corunStaggerS: num('corun-stagger', argv['corun-stagger']),
    minRequests: num('min-requests', argv['min-requests']),
    phases: argv.phases !== undefined ? parsePhases(argv.phases) : undefined,
    seed: num('seed', argv.seed),
    calibration: argv.calibration,
    paramsFile: argv.params,
    trace: argv.trace !== undefined,
    traceFlows: argv['trace-flows'] !== undefined,
    queue: argv.queue,
    keepAlive: argv['keep-alive'],
    placement: argv.placement,
    prices: argv.prices,
    deadlines: argv.deadline !== undefined ? parseDeadlines(argv.deadline) : undefined,
    faults: argv.faults,
    failureRate: num('failure-rate', argv['failure-rate']),
    retries: num('retries', argv.retries),
    ...(argv['on-timeout'] !== undefined ? { params: { request: { onTimeout: argv['on-timeout'] as 'continue' | 'cancel' } } } : {}),
  };
  if (rpms && rpms.length > 1 && rpms.length !== workflows.length) fail(`--rpm: give one rate, or one per workflow (${workflows.length})`);

  let scenario;
  try {
    scenario = buildScenario(opts);
  } catch (e) {
    if (e instanceof ConfigError) fail(e.format());
    if (e instanceof Error && e.name === 'ProfileError') fail(e.message);
    throw e;
  }
  // trace files are written after the run: refuse a path that cannot take one before spending the run
  for (const k of ['trace', 'trace-flows'] as const) {
    const f = argv[k];
    if (f !== undefined && fs.existsSync(f) && fs.statSync(f).isDirectory()) fail(`--${k}: '${f}' is a directory; give a file name`);
  }
  const tty = process.stderr.isTTY && !argv.json;
  const out = runScenarioDetailed(scenario, {
    clock: () => performance.now(),
    progress: tty ? (t, n) => process.stderr.write(`\r  simulated ${t.toFixed(0)} s, ${n} requests resolved`) : undefined,
  });
  if (tty) process.stderr.write('\r\x1b[K');
  const { result } = out;
  if (argv.trace) {
    const lines = (result.instances ?? []).map((r) => JSON.stringify(r)).join('\n');
    atomicWrite(argv.trace, lines + (lines ? '\n' : ''));
    delete result.instances;
  }
  if (argv['trace-flows']) {
    const lines = (out.flowRates ?? []).map((r) => JSON.stringify(r)).join('\n');
    atomicWrite(argv['trace-flows'], lines + (lines ? '\n' : ''));
  }
  if (argv.explain && !result.adaptive) result.adaptive = decideForScenario(scenario, compileWorkflow);
  if (argv.json) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(summary(result, opts));
    if (argv.explain) console.log(explainDecisions(result.adaptive!));
    else if (result.adaptive) console.log(result.adaptive.map((d) => `  adaptive           ${d.workflow}: CCR ${Number.isFinite(d.ccr) ? d.ccr.toFixed(2) : 'inf'} (${d.kind}) -> ${d.chosen} (--explain for the estimates)`).join('\n'));
  }
  // a run that measured nothing is not a result: say why and what would fix it, and fail
  if (result.requests === 0) {
    const warm = opts.warmupRequests ?? DEFAULTS.warmupRequests;
    process.stderr.write(
      `flowsim: no request was measured: every request sent in the ${opts.durationS ?? DEFAULTS.durationS} s window fell in the warm-up (the first ${warm} requests${opts.warmupS ? ` or the first ${opts.warmupS} s` : ''}). ` +
        `Give --warmup-requests 0, a longer --duration, or more load (--rpm, --clients).\n`,
    );
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  if (e instanceof ConfigError) fail(e.format());
  if (e instanceof WriteError) fail(e.message);
  process.stderr.write(`flowsim: internal error: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
