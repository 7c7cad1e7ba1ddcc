/**
 * npm run validate -- docker|netns [--benchmarks ...] [--modes ...] [--bandwidth 25,50] [--rpm ...]
 *
 * Whole workflows, real against simulated, cell by cell. Starts a testbed (Docker containers on an
 * internal network, or network namespaces), probes it with the calibration probes and writes its
 * profile, runs every cell for real (validate/real.ts: the testbed's engines execute the workflow
 * in the mode's control and data paths) and in flowsim with that profile and the testbed's
 * runtime definition (runtimeParams below), and writes results/validate/<run-id>/: report.md
 * (per cell real and simulated e2e mean and p99 and data overhead, the relative errors, median and
 * worst), cells.csv, a parity plot, the raw real requests (requests.csv), and the real results as
 * a measurements file (measurements.yaml) that `npm run calibrate -- --from` takes.
 *
 * Exit codes: 0 targets met; 1 a target missed (median |e2e error| over 5% or a cell over 15%)
 * or a failure during the run; 2 bad arguments or a testbed that cannot run here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import YAML from 'yaml';
import { stringify as csvStringify } from 'csv-stringify/sync';
import { fitAll, paramsFromFits } from '../calibrate/fit.js';
import { makePlan, runProbes } from '../calibrate/probes.js';
import { writeProfile, type Profile } from '../calibrate/profile.js';
import { startDockerTestbed } from '../calibrate/testbed/docker.js';
import { startNetnsTestbed } from '../calibrate/testbed/netns.js';
import type { Testbed } from '../calibrate/testbed/types.js';
import { runTestbedCli } from '../calibrate/testbed/cli-run.js';
import { evaluateCells, type CellResult } from '../calibrate/cells.js';
import { loadMeasurements } from '../calibrate/measurements.js';
import { parityPlot } from '../calibrate/from-measurements.js';
import { ConfigError, loadCluster, loadWorkflow, workflowNames } from '../loader/load.js';
import { wondershaperCapBps } from '../loader/units.js';
import { DEFAULT_PARAMS, mergeParams, type DeepPartial, type Params } from '../sim/params.js';
import { summarize } from '../sim/models/metrics.js';
import { PlanError, planTemplate, scaleWorkflowBytes, workflowToFile, type PlanMode } from './plan.js';
import { runRealCell, type RealResult } from './real.js';
import { exitQuietlyOnClosedPipe } from '../lib/pipes.js';

exitQuietlyOnClosedPipe();

class UsageError extends Error {}

/** Benchmarks run by default, with the byte scale that fits them on one 2-core machine. */
export const DEFAULT_SCALES: Record<string, number> = {
  wordcount: 1,
  epigenomics: 1,
  soykb: 1,
  genome: 0.25,
  video: 0.25,
  cycles: 0.05,
  'file-processing': 1,
  'illegal-recognizer': 1,
};
const DEFAULT_BENCHMARKS = ['wordcount', 'epigenomics', 'genome', 'soykb', 'video', 'cycles'];
const SUPPORTED_MODES = ['hyperflow', 'faasflow', 'dataflower'] as const;
/** DataFlower's containers' egress cap per core of quota (configs/clusters/dataflower-3w.yaml). */
const DF_EGRESS_PER_CORE = '400Mbit/s';
/** Validation targets (issue: median e2e error at most 5%, no cell over 15%). */
export const TARGET_MEDIAN = 0.05;
export const TARGET_MAX = 0.15;

/**
 * What the testbed's runtime does, as flowsim parameters: it is not FaaSFlow's Python stack (no
 * CouchDB documents, logs or Store() set-up; Redis as the remote store; processes dispatched at
 * once), so those costs are zero by construction, not by fitting. The network, the stores' costs,
 * cold starts and the engine's per-message cost come from the probes' profile.
 */
export function runtimeParams(): DeepPartial<Params> {
  return {
    storage: { documentConflicts: false, remotePipelined: true, remoteCommitS: 0, fetchLogOps: 0, fetchMissOps: 0, clientThroughputBps: 1e12 },
    containers: { invocationOverheadS: 0, storeOpenOps: 0, phaseLogOps: 0, dispatchPeriodS: 0, keepAliveS: 600 },
    dataflower: { dispatchPeriodS: 0 },
    control: { httpRequestS: 0, httpClientS: 0, localCallS: 0 },
    request: { workflowInputs: 'miss' },
  };
}

function list(v: unknown): string[] {
  const raw = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return raw.flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
}

function numbers(option: string, v: unknown, integer = false): number[] {
  return list(v).map((s) => {
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UsageError(`--${option}: expected positive ${integer ? 'integers' : 'numbers'}, got '${s}'`);
    return n;
  });
}

/** The testbed as a flowsim cluster: 3 workers with the containers' CPU limit, a gateway, a storage node. */
function clusterYaml(o: { workers: number; workerCpus: number; memoryGiB: number; latencyS: number; kind: string; egressPerCore?: string }): string {
  return YAML.stringify({
    name: `testbed-${o.kind}`,
    description: `the ${o.kind} testbed of npm run validate: ${o.workers} workers with ${o.workerCpus} CPUs each, a gateway, a storage node`,
    source: 'validate/cli.ts (the testbed it starts); link latency from the probes (RTT/4)',
    defaults: { nic: '10Gbit/s', latency: `${(o.latencyS * 1e6).toFixed(1)}us` },
    nodes: [
      { name: 'w', count: o.workers, role: 'worker', cores: o.workerCpus, memory: `${o.memoryGiB}GiB` },
      { name: 'gateway', role: 'gateway', cores: 1, memory: '4GiB' },
      { name: 'storage', role: 'storage', cores: 1, memory: '4GiB' },
    ],
    storage: 'storage',
    gateway: 'gateway',
    master: 'gateway',
    ...(o.egressPerCore ? { containerEgressPerCore: o.egressPerCore } : {}),
  });
}

async function main(): Promise<void> {
  const argv0 = await yargs(hideBin(process.argv))
    .scriptName('npm run validate --')
    .usage('$0 <docker|netns> [options]\n\nRuns whole workflows on a live testbed and in flowsim, and compares them cell by cell.')
    .command('$0 <testbed>', false)
    .positional('testbed', { choices: ['docker', 'netns'] as const, describe: 'docker: containers on a Docker engine (DOCKER_HOST or /var/run/docker.sock); netns: network namespaces on this host (root)' })
    .option('benchmarks', { alias: 'b', type: 'string', array: true, describe: `benchmarks (default ${DEFAULT_BENCHMARKS.join(',')})` })
    .option('modes', { alias: 'm', type: 'string', array: true, describe: `modes (default ${SUPPORTED_MODES.join(',')})` })
    .option('bandwidth', { type: 'string', array: true, default: ['50', '100'], describe: "storage node cap(s), FaaSFlow's wondershaper MB/s" })
    .option('rpm', { type: 'string', array: true, describe: 'also open-loop rows at these request rates (per minute)' })
    .option('requests', { type: 'number', default: 3, describe: 'measured requests per cell' })
    .option('warmup', { type: 'number', default: 1, describe: 'requests discarded first in each cell (cold starts)' })
    .option('workers', { type: 'number', default: 3, describe: 'worker containers' })
    .option('cpus', { type: 'number', default: 0.5, describe: 'CPU limit per worker container (docker --cpus)' })
    .option('memory', { type: 'number', default: 3, describe: 'memory limit per worker container, GiB (docker --memory)' })
    .option('scale', { type: 'string', array: true, describe: 'byte scale per benchmark, name=factor (defaults fit a 2-core machine: cycles=0.05, genome=0.25, video=0.25)' })
    .option('seed', { type: 'number', default: 1 })
    .option('out', { type: 'string', default: 'results/validate', describe: 'results folder' })
    .option('docker-image', { type: 'string', describe: 'an image with node, redis-server and iproute2 (default: built here; nothing is pulled)' })
    .option('function-launcher', { choices: ['container', 'process'] as const, default: 'container' as const, describe: "docker: a function instance's container is a `docker run` in its worker's network namespace and cgroup (container), or a process in the worker container (process)" })
    .strict()
    .help()
    .fail((msg, err) => {
      if (!err && /Not enough non-option arguments/.test(msg)) throw new UsageError('expected a testbed: docker or netns (npm run validate -- docker --help)');
      throw err ?? new UsageError(msg);
    })
    .parse();
  const argv = { ...argv0, testbed: argv0.testbed as 'docker' | 'netns' };
  if (!argv.testbed) throw new UsageError('expected a testbed: docker or netns');

  const benchmarks = list(argv.benchmarks).length ? list(argv.benchmarks) : DEFAULT_BENCHMARKS;
  const known = workflowNames();
  for (const b of benchmarks) if (!known.includes(b) && !fs.existsSync(b)) throw new UsageError(`--benchmarks: unknown benchmark '${b}'; valid names are ${known.join(', ')} (or a workflow .yaml file)`);
  const modes = list(argv.modes).length ? list(argv.modes) : [...SUPPORTED_MODES];
  for (const m of modes) {
    if (!(SUPPORTED_MODES as readonly string[]).includes(m)) throw new UsageError(`--modes: unknown mode '${m}'; valid modes are ${SUPPORTED_MODES.join(', ')}`);
  }
  const bandwidths = numbers('bandwidth', argv.bandwidth);
  if (bandwidths.length === 0) throw new UsageError('--bandwidth: expected at least one cap in MB/s');
  const rpms = numbers('rpm', argv.rpm);
  for (const [k, v] of [['requests', argv.requests], ['workers', argv.workers]] as const)
    if (!(Number.isInteger(v) && v >= 1 && v <= 1000)) throw new UsageError(`--${k}: expected an integer in 1..1000, got ${v}`);
  if (!(Number.isInteger(argv.warmup) && argv.warmup >= 0)) throw new UsageError(`--warmup: expected an integer >= 0, got ${argv.warmup}`);
  if (!(argv.cpus > 0 && argv.cpus <= os.cpus().length)) throw new UsageError(`--cpus: expected a number in (0, ${os.cpus().length}], got ${argv.cpus}`);
  if (!(argv.memory > 0)) throw new UsageError(`--memory: expected a positive number of GiB, got ${argv.memory}`);
  const scales: Record<string, number> = { ...DEFAULT_SCALES };
  for (const s of list(argv.scale)) {
    const m = /^([^=]+)=(.+)$/.exec(s);
    const f = m ? Number(m[2]) : NaN;
    if (!m || !(f > 0 && f <= 1)) throw new UsageError(`--scale: expected name=factor with 0 < factor <= 1, got '${s}'`);
    scales[m[1]!] = f;
  }
  const base = mergeParams(DEFAULT_PARAMS, runtimeParams());
  // every workflow must be runnable before a testbed is started
  const specs = new Map(
    benchmarks.map((b) => {
      let spec;
      try {
        spec = structuredClone(scaleWorkflowBytes(loadWorkflow(b), scales[b] ?? 1));
        for (const m of modes) planTemplate(spec, m as PlanMode, argv.workers, base);
      } catch (e) {
        if (e instanceof PlanError) throw new UsageError(`--benchmarks: ${e.message}`);
        if (e instanceof ConfigError) throw new UsageError(e.format());
        throw e;
      }
      return [b, spec] as const;
    }),
  );

  const log = (m: string) => process.stderr.write(m + '\n');
  const t0 = Date.now();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runId = `${argv.testbed}-${stamp}`;
  const dir = path.resolve(argv.out, runId);
  const caps = bandwidths.map(wondershaperCapBps);
  log(`validate: testbed ${argv.testbed}, ${benchmarks.length} benchmarks x ${modes.length} modes x ${bandwidths.length} caps (${bandwidths.join('/')} MB/s), ${argv.requests} requests per cell after ${argv.warmup} warm-up; results in ${path.relative(process.cwd(), dir)}`);
  let tb: Testbed | undefined;
  const results: RealResult[] = [];
  const failed: Array<{ id: string; error: string }> = [];
  try {
    tb =
      argv.testbed === 'netns'
        ? await startNetnsTestbed({ workers: argv.workers, rateBps: caps[0]!, log, shape: 'storage' })
        : await startDockerTestbed({ workers: argv.workers, rateBps: caps[0]!, log, shape: 'storage', cpus: { worker: argv.cpus }, memoryBytes: argv.memory * 2 ** 30, image: argv.dockerImage, functionLauncher: argv.functionLauncher });
    fs.mkdirSync(dir, { recursive: true });
    log('[probes] calibration probes (quick plan) ...');
    const m = await runProbes(tb, makePlan(caps, true), log);
    const fits = fitAll(m);
    const probeParams = paramsFromFits(fits);
    const profile: Profile = {
      name: `validate-${argv.testbed}`,
      measuredAt: new Date().toISOString(),
      testbed: { ...tb.describe(), capsBps: caps, plan: 'quick' },
      host: { hostname: os.hostname(), cpus: os.cpus().length, node: process.version, loadavg: os.loadavg() },
      units: 'seconds, bytes, bytes/s',
      params: probeParams,
      fits: { bandwidthFactor: fits.bandwidthFactor, latencyFactor: fits.latencyFactor, linkLatencyS: fits.linkLatencyS },
    };
    // what one function process takes on this testbed: the memory each function is simulated with
    // (the workflows' 256 MiB is FaaSFlow's assumption for Docker containers, not these processes)
    const rss = (await tb.call<{ rssBytes: number }>(tb.workers[0]!, 'functionRss')).rssBytes;
    if (!(rss > 0)) throw new Error('could not read the resident memory of a function process on the testbed');
    log(`function process: ${(rss / 2 ** 20).toFixed(1)} MiB resident; functions are simulated with it`);
    for (const spec of specs.values()) for (const fn of spec.functions) fn.memoryBytes = rss;
    (profile.fits as Record<string, unknown>).functionRssBytes = rss;
    const profilePath = writeProfile(profile, dir);
    const clusterPath = path.join(dir, 'cluster.yaml');
    // namespaces have no CPU limit: every worker may use the whole host [ASSUMPTION: no other load]
    const workerCpus = argv.testbed === 'netns' ? os.cpus().length : argv.cpus;
    fs.writeFileSync(clusterPath, clusterYaml({ workers: argv.workers, workerCpus, memoryGiB: argv.memory, latencyS: fits.linkLatencyS, kind: argv.testbed }));
    // DataFlower's runs pace every container's stream to its egress cap; the other modes' runtimes do not
    const dfClusterPath = path.join(dir, 'cluster-dataflower.yaml');
    fs.writeFileSync(dfClusterPath, clusterYaml({ workers: argv.workers, workerCpus, memoryGiB: argv.memory, latencyS: fits.linkLatencyS, kind: `${argv.testbed}-dataflower`, egressPerCore: DF_EGRESS_PER_CORE }));
    const wfDir = path.join(dir, 'workflows');
    fs.mkdirSync(wfDir, { recursive: true });
    for (const [b, spec] of specs) fs.writeFileSync(path.join(wfDir, `${b}.yaml`), YAML.stringify(workflowToFile(spec)));

    const cluster = loadCluster(clusterPath);
    const dfCluster = loadCluster(dfClusterPath);
    const loads: Array<number | undefined> = [undefined, ...rpms];
    const total = bandwidths.length * benchmarks.length * modes.length * loads.length;
    let k = 0;
    // one stored chunk is one store request on this runtime (a SET per chunk)
    probeParams.storage = { ...(probeParams.storage ?? {}), chunkOpS: probeParams.storage?.remoteOpLatencyS ?? DEFAULT_PARAMS.storage.remoteOpLatencyS };
    const params = mergeParams(base, probeParams);
    for (const [bi, bw] of bandwidths.entries()) {
      await tb.setRate(caps[bi]!);
      for (const b of benchmarks)
        for (const mode of modes)
          for (const rpm of loads) {
            k++;
            const id = `${b}/${mode}/${bw}MBps/${rpm === undefined ? '1client' : `${rpm}rpm`}`;
            log(`[${k}/${total}] ${id}`);
            try {
              const r = await runRealCell(
                tb,
                { id, spec: specs.get(b)!, mode: mode as PlanMode, bandwidthMBps: bw, rpm, requests: argv.requests, warmup: argv.warmup, cluster: mode === 'dataflower' ? dfCluster : cluster },
                params,
                argv.seed,
                log,
              );
              results.push(r);
              // kept as it comes: an interrupted run loses no finished cell
              fs.appendFileSync(path.join(dir, 'real-cells.jsonl'), JSON.stringify({ cell: id, wallS: r.wallS, requests: r.requests.map(({ instances: _i, ...q }) => q) }) + '\n');
            } catch (e) {
              const msg = (e as Error).message ?? String(e);
              failed.push({ id, error: msg });
              log(`  ${id}: FAILED (${msg}); going on with the next cell`);
              fs.appendFileSync(path.join(dir, 'real-cells.jsonl'), JSON.stringify({ cell: id, failed: msg }) + '\n');
              await Promise.all(tb.workers.map((w) => tb!.call(w, 'wfStop').catch(() => {})));
            }
          }
    }
    await tb.close();
    tb = undefined;
    if (results.length === 0) throw new Error(`every cell failed for real (${failed.map((f) => `${f.id}: ${f.error}`).join('; ')}); see real-cells.jsonl`);

    // the real results as a measurements file, then flowsim on the same cells
    const cells = results.flatMap((r) => {
      const e2e = summarize(r.requests.map((x) => x.e2eS));
      const data = summarize(r.requests.map((x) => x.dataS));
      const c = r.cell;
      const common = {
        workflow: path.relative(process.cwd(), path.join(wfDir, `${path.basename(c.spec.name)}.yaml`)),
        mode: c.mode,
        ...(c.mode === 'dataflower' ? { cluster: path.relative(process.cwd(), dfClusterPath) } : {}),
        bandwidth: c.bandwidthMBps,
        ...(c.rpm !== undefined ? { rpm: c.rpm, durationS: (c.warmup + c.requests) * (60 / c.rpm) } : { clients: 1, maxRequests: c.warmup + c.requests }),
        source: `npm run validate -- ${argv.testbed}, run ${runId}, ${r.requests.length} requests`,
      };
      return [
        { id: `${c.id}/e2e.mean`, ...common, metric: 'e2e.mean', measured: round(e2e.mean) },
        // FaaSFlow's "P99" is the maximum under 100 samples (reference 1.E): compared as e2e.max
        { id: `${c.id}/e2e.max`, ...common, metric: 'e2e.max', measured: round(e2e.max) },
        { id: `${c.id}/data`, ...common, metric: 'dataOverhead.mean', measured: round(Math.max(data.mean, 1e-6)), weight: 0 },
        { id: `${c.id}/sched`, ...common, metric: 'schedulingOverhead.mean', measured: round(Math.max(summarize(r.requests.map((x) => x.schedS)).mean, 1e-6)), weight: 0 },
        // whole cell, warm-up included: containers started cold, and bytes per link from the
        // interface counters (the storage node's and the workers' links that moved 1 MiB or more: below
        // that the counters hold mostly control traffic, which flowsim keeps off the links)
        { id: `${c.id}/cold`, ...common, metric: 'coldStarts', measured: r.coldStarts, weight: 0 },
        ...Object.entries(r.linkBytes)
          .filter(([l, b]) => /^(storage|w\d+)\./.test(l) && b >= 2 ** 20)
          .map(([l, b]) => ({ id: `${c.id}/bytes/${l}`, ...common, metric: 'linkBytes', link: l, measured: Math.max(b, 1), weight: 0 })),
      ];
    });
    const measurementsPath = path.join(dir, 'measurements.yaml');
    fs.writeFileSync(
      measurementsPath,
      '# Real runs of `npm run validate`, in the measurements format of `npm run calibrate -- --from`.\n' +
        YAML.stringify({
          name: `validate-${argv.testbed}`,
          source: `npm run validate -- ${argv.testbed} (${runId}) on ${os.hostname()}`,
          cluster: path.relative(process.cwd(), clusterPath),
          defaults: { durationS: 3600, warmupRequests: argv.warmup },
          params: runtimeParams(),
          cells,
        }),
    );
    log('[flowsim] simulating every cell with the probes\' profile ...');
    const set = loadMeasurements(measurementsPath);
    const sim = evaluateCells(set, [], { seed: argv.seed }, probeParams);
    const report = writeReport(dir, runId, argv.testbed, results, sim, profilePath, (Date.now() - t0) / 1000, failed);
    await parityPlot(sim.filter((r) => r.metric !== 'coldStarts' && r.metric !== 'linkBytes'), [], path.join(dir, 'parity'));
    const e2eErr = sim.filter((r) => r.metric.startsWith('e2e')).map((r) => Math.abs(r.error));
    const med = median(e2eErr);
    const worst = Math.max(...e2eErr);
    log(`e2e error over ${e2eErr.length} cells: median ${(med * 100).toFixed(1)}%, worst ${(worst * 100).toFixed(1)}%`);
    log(`report: ${path.relative(process.cwd(), report)}`);
    if (failed.length) log(`${failed.length} cells FAILED for real: ${failed.map((f) => f.id).join(', ')}`);
    if (med > TARGET_MEDIAN || worst > TARGET_MAX || failed.length > 0) {
      log(`targets (median <= ${TARGET_MEDIAN * 100}%, every cell <= ${TARGET_MAX * 100}%): MISSED; exit 1`);
      process.exitCode = 1;
    } else log('targets met');
  } finally {
    if (tb) await tb.close();
  }
}

function round(x: number): number {
  return Number(x.toPrecision(6));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function writeReport(dir: string, runId: string, testbed: string, real: RealResult[], sim: CellResult[], profilePath: string, wallS: number, failed: Array<{ id: string; error: string }>): string {
  const rows = sim.map((r) => ({ cell: r.id, metric: r.metric, real: r.measured as number, flowsim: r.simulated, error: r.error }));
  fs.writeFileSync(path.join(dir, 'cells.csv'), csvStringify(rows, { header: true }));
  fs.writeFileSync(
    path.join(dir, 'requests.csv'),
    csvStringify(
      real.flatMap((r) => r.requests.map((q) => ({ cell: r.cell.id, req: q.req, e2eS: q.e2eS, dataS: q.dataS, schedS: q.schedS, coldStarts: q.coldStarts, bytesRead: q.bytesRead, bytesWritten: q.bytesWritten }))),
      { header: true },
    ),
  );
  fs.writeFileSync(
    path.join(dir, 'functions.csv'),
    csvStringify(
      real.flatMap((r) => r.requests.flatMap((q) => q.instances.map((i) => ({ cell: r.cell.id, req: q.req, ...i })))),
      { header: true },
    ),
  );
  const e2e = sim.filter((r) => r.metric.startsWith('e2e'));
  const counted = sim.filter((r) => r.metric === 'coldStarts' || r.metric === 'linkBytes');
  const timed = sim.filter((r) => !counted.includes(r));
  const errs = e2e.map((r) => Math.abs(r.error));
  const med = median(errs);
  const worst = Math.max(...errs);
  const missed = med > TARGET_MEDIAN || worst > TARGET_MAX || failed.length > 0;
  const fmt = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : String(x));
  const lines = [
    `# Validation: real ${testbed} testbed against flowsim (${runId})`,
    '',
    `**Targets (median e2e error <= ${TARGET_MEDIAN * 100}%, every cell <= ${TARGET_MAX * 100}%, every cell runs): ${missed ? 'MISSED' : 'met'}** — median ${(med * 100).toFixed(1)}%, worst ${(worst * 100).toFixed(1)}% over ${errs.length} e2e cells.`,
    '',
    ...(failed.length ? [`**${failed.length} cells failed for real** (not compared):`, ...failed.map((f) => `- ${f.id}: ${f.error}`), ''] : []),
    `- profile from the probes: \`${path.relative(process.cwd(), profilePath)}\`; the testbed's runtime definition: \`runtimeParams()\` in validate/cli.ts`,
    `- wall time ${wallS.toFixed(0)} s; raw requests in requests.csv, every real function instance in functions.csv; the real results as a measurements file: measurements.yaml`,
    '- data overhead (sum of fetch and put phases over a request\'s instances) and scheduling overhead (e2e minus the critical path of the functions\' times, as flowsim computes it) are reported, not targets',
    '',
    '| cell | metric | real | flowsim | error |',
    '|---|---|---:|---:|---:|',
    ...timed.map((r) => `| ${r.id.replace(/\/(e2e\.mean|e2e\.max|data|sched)$/, '')} | ${r.metric} | ${fmt(r.measured as number)} | ${fmt(r.simulated)} | ${(r.error * 100).toFixed(1)}% |`),
    '',
    '## Cold starts and bytes per link (whole cell, warm-up included; reported, not targets)',
    '',
    'Real bytes are interface counters: they include TCP/IP headers (about 3% of a full-size',
    'segment), the control messages and the store protocol, which flowsim does not put on links.',
    '',
    '| cell | metric | real | flowsim | error |',
    '|---|---|---:|---:|---:|',
    ...counted.map((r) => `| ${r.id.replace(/\/(cold|bytes\/.*)$/, '')} | ${r.metric === 'linkBytes' ? `bytes ${r.id.split('/bytes/')[1]} (MB)` : 'cold starts'} | ${r.metric === 'linkBytes' ? ((r.measured as number) / 1e6).toFixed(2) : r.measured} | ${r.metric === 'linkBytes' ? (r.simulated / 1e6).toFixed(2) : r.simulated} | ${(r.error * 100).toFixed(1)}% |`),
    '',
    '![parity](parity.png)',
    '',
  ];
  const file = path.join(dir, 'report.md');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

runTestbedCli('validate', main, (e) => e instanceof UsageError);
