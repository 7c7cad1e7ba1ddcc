/**
 * npm run calibrate -- --testbed netns --bandwidth 25,50,75,100 [--workers 3] [--quick] [--name local]
 *
 * Builds a live testbed, runs the probes, fits flowsim's parameters, measures held-out cases afresh
 * and compares them with flowsim's prediction, then writes the profile
 * (configs/calibration/<name>.yaml) and a report (results/calibration/<name>-<timestamp>/report.md).
 *
 * npm run calibrate -- --from configs/measurements/faasflow-paper.yaml [--holdout other.yaml] [--loo]
 *
 * Fits the free parameters a measurements file names to what a real cluster measured
 * (from-measurements.ts) and writes the profile and a report the same way.
 * Exit codes: 0 done; 2 bad arguments, a bad measurements file, or the testbed cannot run here;
 * 1 a failure during the run (or, with --strict, missed fidelity targets).
 */
import os from 'node:os';
import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { fitAll, paramsFromFits, round, type AffineFit, type Fits } from './fit.js';
import { compareHoldout } from './holdout.js';
import { makePlan, runHoldout, runProbes } from './probes.js';
import { CALIBRATION_DIR, REPO_ROOT, writeProfile, type Profile } from './profile.js';
import { writeReport } from './report.js';
import { startDockerTestbed } from './testbed/docker.js';
import { startNetnsTestbed } from './testbed/netns.js';
import { runTestbedCli } from './testbed/cli-run.js';
import type { Testbed } from './testbed/types.js';
import { wondershaperCapBps } from '../loader/units.js';
import { ConfigError } from '../loader/load.js';
import { loadMeasurements } from './measurements.js';
import { runFromMeasurements } from './from-measurements.js';
import { readProfile } from './profile.js';
import { exitQuietlyOnClosedPipe } from '../lib/pipes.js';
import { emptyOption, givenOnCommandLine, parseNumberArg, repeatedOption } from '../lib/cli-args.js';

exitQuietlyOnClosedPipe();

class UsageError extends Error {}

function parseBandwidth(s: string): number[] {
  const parts = String(s)
    .split(',')
    .map((x) => x.trim());
  if (parts.some((p) => p === '')) throw new UsageError(`--bandwidth: expected a comma-separated list of MB/s values, got '${s}' (an empty item)`);
  const out = parts.map((p) => {
    const v = parseNumberArg('bandwidth', p);
    if (!(typeof v === 'number' && v > 0 && v <= 10_000)) throw new UsageError(`--bandwidth: expected a comma-separated list of MB/s values in (0, 10000], got '${p}'`);
    return v;
  });
  if (out.length === 0) throw new UsageError('--bandwidth: expected at least one value (MB/s)');
  return [...new Set(out)].sort((a, b) => a - b);
}

function fitSummary(f: AffineFit): Record<string, unknown> {
  return { model: f.model, interceptS: round(f.interceptS), slope: round(f.slope), r2: round(f.r2), n: f.n, residuals: { rmseS: round(f.residuals.rmseS), maxAbsS: round(f.residuals.maxAbsS), medianRelative: round(f.residuals.medianRelative) } };
}

function fitsForProfile(f: Fits, holdout: ReturnType<typeof compareHoldout>): Record<string, unknown> {
  return {
    transfer: { ...fitSummary(f.transfer), bandwidthFactor: round(f.bandwidthFactor) },
    perCap: f.perCap.map((c) => ({ capBps: c.capBps, achievedBps: round(c.achievedBps), factor: round(c.factor), bulkBps: round(c.bulkBps), r2: round(c.fit.r2), interceptS: round(c.fit.interceptS) })),
    fairness: f.fairness.map((x) => ({ capBps: x.capBps, flows: x.flows, shares: x.shares.map((s) => round(s, 4)), jain: round(x.jain, 5), aggregateFactor: round(x.aggregateFactor, 5) })),
    rtt: { medianS: round(f.rttS.median), p95S: round(f.rttS.p95), n: f.rttS.n, linkLatencyS: round(f.linkLatencyS), latencyFactorFrom: 'transfer intercept / (RTT / 2)' },
    remoteStore: { capBps: f.remote.capBps, set: fitSummary(f.remote.set), get: fitSummary(f.remote.get), note: f.remote.throughputNote },
    localStore: { set: fitSummary(f.local.set), get: fitSummary(f.local.get) },
    coldStart: { kind: 'lognormal', n: f.coldStart.n, mu: round(f.coldStart.mu), sigma: round(f.coldStart.sigma), medianS: round(f.coldStart.median), p95S: round(f.coldStart.p95), qqR2: round(f.coldStart.r2), residuals: { rmseS: round(f.coldStart.residuals.rmseS), maxAbsS: round(f.coldStart.residuals.maxAbsS) } },
    warmInvocation: { n: f.warm.n, medianRoundTripS: round(f.warm.medianRoundTripS), medianRuntimeS: round(f.warm.medianRuntimeS) },
    holdout: { medianError: round(holdout.medianError, 4), maxError: round(holdout.maxError, 4), n: holdout.rows.length },
  };
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('npm run calibrate --')
    .usage('$0 [options]\n\nMeasure a live testbed, fit flowsim\'s network/storage/cold-start parameters, write a calibration profile and a report.')
    .option('testbed', { choices: ['netns', 'docker'] as const, default: 'netns' as const, describe: 'netns: namespaces + tc on this host (root); docker: containers on a Docker engine (DOCKER_HOST or /var/run/docker.sock)' })
    .option('bandwidth', { type: 'string', default: '25,50,75,100', describe: 'caps to measure, MB/s as wondershaper and `npm run sim -- --bandwidth` read them (x 1.024e6 bytes/s), each node both ways' })
    .option('workers', { type: 'string', default: 3, describe: 'worker nodes (each: local redis + function runtime)' })
    .option('quick', { type: 'boolean', default: false, describe: 'fewer and smaller probes (about a minute)' })
    .option('name', { type: 'string', describe: 'profile name (default <testbed>-local, or <testbed>-local-quick with --quick)' })
    .option('delay', { type: 'string', default: 0, describe: 'added one-way delay per interface, ms (needs netem; reported as unsupported when missing)' })
    .option('out', { type: 'string', default: path.join(REPO_ROOT, 'results', 'calibration'), describe: 'directory for reports' })
    .option('profile-dir', { type: 'string', default: CALIBRATION_DIR, describe: 'directory for the profile' })
    .option('docker-image', { type: 'string', describe: 'an image on the engine with node, redis-server and iproute2 for the docker testbed (default: built here from this machine\'s binaries; nothing is pulled)' })
    .option('from', { type: 'string', describe: 'fit to a measurements file instead of probing a testbed (configs/measurements/*.yaml; schema in docs/calibration.md)' })
    .option('holdout', { type: 'string', describe: 'with --from: a second measurements file, evaluated with the fitted values and reported apart' })
    .option('loo', { type: 'boolean', default: false, describe: 'with --from: leave-one-benchmark-out cross-validation (one fit per benchmark)' })
    .option('evaluate', { type: 'string', describe: 'with --from: evaluate this calibration profile on the cells instead of fitting' })
    .option('start', { type: 'string', describe: 'with --from: start the fit from this profile (name or file) instead of the defaults' })
    .option('jobs', { type: 'string', describe: 'with --from: worker threads for the fit (default: the cores)' })
    .option('max-iterations', { type: 'string', default: 12, describe: 'with --from: Levenberg-Marquardt iterations at most' })
    .option('strict', { type: 'boolean', default: false, describe: 'with --from: exit 1 when the fidelity targets are missed (median <= 10%, every cell <= 25%)' })
    .option('verbose', { type: 'boolean', default: false, describe: 'stack traces on failure' })
    .strict()
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .example('$0 --testbed netns --quick', 'a quick calibration on this host (as root)')
    .example('$0 --from configs/measurements/faasflow-paper.yaml --loo', 'fit to what a real cluster measured, with leave-one-benchmark-out errors')
    .example('$0 --testbed netns --bandwidth 25,50,75,100 --workers 3 --name local', 'the full plan')
    .help()
    .parseAsync();

  const raw = argv as unknown as Record<string, unknown>;
  const repeated = repeatedOption(raw);
  if (repeated) throw new UsageError(repeated);
  const empty = emptyOption(raw, ['from', 'holdout', 'evaluate', 'start', 'name', 'out', 'profile-dir', 'docker-image', 'bandwidth']);
  if (empty) throw new UsageError(empty);
  const number = (name: string, o: { int?: boolean; min: number; max: number }): number | undefined => {
    if (raw[name] === undefined) return undefined;
    const x = parseNumberArg(name, raw[name], o);
    if (typeof x !== 'number') throw new UsageError(x.error);
    return x;
  };
  const workers = number('workers', { int: true, min: 3, max: 32 })!;
  const delay = number('delay', { min: 0, max: 10_000 })!;
  const jobs = number('jobs', { int: true, min: 1, max: 64 });
  const maxIterations = number('max-iterations', { int: true, min: 1, max: 1000 })!;
  const args = hideBin(process.argv);

  if (argv.from !== undefined) {
    // options of a live calibration mean nothing here: say so rather than ignore them
    for (const k of ['testbed', 'workers', 'delay', 'quick', 'bandwidth', 'docker-image'])
      if (givenOnCommandLine(args, k)) throw new UsageError(`--${k} applies to a live testbed calibration, not to --from (which fits a measurements file)`);
    await fromMeasurements({ ...argv, jobs, maxIterations });
    return;
  }
  for (const k of ['holdout', 'evaluate', 'start', 'jobs', 'loo', 'strict', 'max-iterations'] as const)
    if (givenOnCommandLine(args, k)) throw new UsageError(`--${k} needs --from <measurements.yaml>`);

  // the same conversion as the simulator's --bandwidth (wondershaper: MB/s x 8192 kbit/s), so a cap
  // measured here is the cap flowsim simulates for the same number
  const caps = parseBandwidth(argv.bandwidth).map((m) => wondershaperCapBps(m));
  const name = argv.name ?? `${argv.testbed}-local${argv.quick ? '-quick' : ''}`;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UsageError(`--name: expected letters, digits, . _ - only, got '${name}'`);
  const log = (s: string) => process.stderr.write(s + '\n');
  const t0 = Date.now();
  const measuredAt = new Date().toISOString();

  log(`calibrate: testbed ${argv.testbed}, caps ${parseBandwidth(argv.bandwidth).join('/')} MB/s (${caps.map((c) => c / 1e6).join('/')} x 1e6 B/s), ${workers} workers, ${argv.quick ? 'quick' : 'full'} plan`);
  let tb: Testbed | undefined;
  try {
    tb =
      argv.testbed === 'netns'
        ? await startNetnsTestbed({ workers: workers, rateBps: caps[0]!, delayS: delay / 1000, log })
        : await startDockerTestbed({ workers: workers, rateBps: caps[0]!, delayS: delay / 1000, image: argv.dockerImage, log });
    log(`testbed up: ${tb.id}`);
    const plan = makePlan(caps, argv.quick);
    const m = await runProbes(tb, plan, log);
    const fits = fitAll(m);
    const params = paramsFromFits(fits);
    log(`fitted: bandwidthFactor ${fits.bandwidthFactor.toFixed(4)}, latencyFactor ${fits.latencyFactor.toFixed(2)}, remote op ${(fits.remote.opLatencyS * 1e3).toFixed(3)} ms, cold start mean ${(fits.coldStart.mean * 1e3).toFixed(1)} ms`);
    const h = await runHoldout(tb, plan, log);
    const holdout = compareHoldout(h, params, fits.linkLatencyS);
    log(`held-out: median error ${(holdout.medianError * 100).toFixed(2)}%, max ${(holdout.maxError * 100).toFixed(2)}% over ${holdout.rows.length} cases`);
    const testbed = { ...tb.describe(), capsBps: caps, plan: argv.quick ? 'quick' : 'full' };
    const host = { hostname: os.hostname(), kernel: `${os.type()} ${os.release()}`, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), node: process.version, loadavg: os.loadavg().map((x) => round(x, 3)) };
    await tb.close();
    const profile: Profile = {
      name,
      measuredAt,
      testbed,
      host,
      units: 'seconds, bytes, bytes/s; capsBps = wondershaper MB/s x 1.024e6 (loader/units.ts wondershaperCapBps)',
      params,
      fits: fitsForProfile(fits, holdout),
    };
    const profilePath = writeProfile(profile, argv.profileDir);
    const stamp = measuredAt.replace(/[:.]/g, '-');
    const dir = path.join(argv.out, `${name}-${stamp}`);
    const report = await writeReport({ name, dir, profilePath, plan, quick: argv.quick, testbed, host, measuredAt, wallS: (Date.now() - t0) / 1000, m, fits, holdout, params });
    log(`profile: ${path.relative(process.cwd(), profilePath)}`);
    log(`report:  ${path.relative(process.cwd(), report)}`);
    log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    if (!(holdout.medianError <= HOLDOUT_TARGET)) {
      log(`target MISSED: the held-out median error ${(holdout.medianError * 100).toFixed(2)}% is over ${HOLDOUT_TARGET * 100}% (see the report); exit 1`);
      process.exitCode = 1;
    } else log(`target met: held-out median error ${(holdout.medianError * 100).toFixed(2)}% <= ${HOLDOUT_TARGET * 100}%`);
  } finally {
    if (tb) await tb.close();
  }
}

/** The live calibration's own target: flowsim predicts held-out transfers within 5% (median). */
const HOLDOUT_TARGET = 0.05;

async function fromMeasurements(argv: { from?: string; holdout?: string; loo: boolean; evaluate?: string; start?: string; jobs?: number; maxIterations: number; strict: boolean; name?: string; out: string; profileDir: string }): Promise<void> {
  if (!argv.from) throw new UsageError('--from: expected a measurements file (configs/measurements/*.yaml)');
  const load = (f: string) => {
    try {
      return loadMeasurements(f);
    } catch (e) {
      if (e instanceof ConfigError) throw new UsageError(e.format());
      throw e;
    }
  };
  const set = load(argv.from);
  const holdout = argv.holdout ? load(argv.holdout) : undefined;
  const name = argv.name ?? set.name;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new UsageError(`--name: expected letters, digits, . _ - only, got '${name}'`);
  for (const k of ['evaluate', 'start'] as const) {
    if (argv[k] === undefined) continue;
    try {
      readProfile(argv[k]!);
    } catch (e) {
      throw new UsageError(`--${k}: ${(e as Error).message}`);
    }
  }
  const r = await runFromMeasurements({
    set,
    holdout,
    evaluateProfile: argv.evaluate,
    startProfile: argv.start,
    jobs: argv.jobs,
    loo: argv.loo,
    name,
    profileDir: argv.profileDir,
    outDir: argv.out,
    maxIterations: argv.maxIterations,
    log: (s) => process.stderr.write(s + '\n'),
  });
  if (argv.strict && !r.ok) process.exitCode = 1;
}

runTestbedCli('calibrate', main, (e) => e instanceof UsageError);
