/**
 * Runner behaviour on real (quick) simulations: byte-identical outputs for --jobs 1 and 2, a run
 * killed midway and resumed equals an uninterrupted one, plots are valid files, the report links runs.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { Resvg } from '@resvg/resvg-js';
import { runExperiment, INCOMPLETE, type RunOptions } from '../experiments/runner.js';
import { buildReport } from '../experiments/report.js';
import { getExperiment } from '../experiments/registry.js';
import { deterministicFiles, makeTempDirs } from './helpers/files.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const { tmpDir, removeAll } = makeTempDirs();
const tmp = (name: string) => tmpDir(`flowsim-exp-${name}-`);
test.after.always(removeAll);
const quiet = { progress: 'none' as const, log: () => {} };


// tail, quick: genome at 25 and 50 MB/s, 3 modes, first 4 points x 2 seeds
const tailOpts = (outDir: string, extra: Partial<RunOptions> = {}): RunOptions => ({
  def: getExperiment('tail'),
  outDir,
  quick: true,
  seeds: 2,
  maxPoints: 4,
  overrides: { part: ['grid'], benchmark: ['genome'] },
  runId: 'r1',
  ...quiet,
  ...extra,
});

test('points.csv and every deterministic output are byte-identical for --jobs 1 and --jobs 2', async (t) => {
  const a = tmp('j1');
  const b = tmp('j2');
  const ra = await runExperiment(tailOpts(a, { jobs: 1 }));
  const rb = await runExperiment(tailOpts(b, { jobs: 2 }));
  t.is(ra.tasks, 8);
  const fa = deterministicFiles(ra.runDir);
  const fb = deterministicFiles(rb.runDir);
  t.deepEqual(Object.keys(fa), Object.keys(fb));
  t.true(Object.keys(fa).includes('points.csv'));
  for (const f of Object.keys(fa)) t.true(fa[f].equals(fb[f]), `${f} differs between --jobs 1 and 2`);
  // one row per point x seed (single-workflow points), no wall-clock columns
  const csv = fs.readFileSync(path.join(ra.runDir, 'points.csv'), 'utf8').trim().split('\n');
  t.is(csv.length, 1 + 8);
  t.false(/wall/i.test(csv[0]));
  t.regex(csv[0], /^point,seed,part,benchmark,bandwidth,mode,rpm,workflow,config,events,e2e\.max/);
  // the manifest carries provenance
  const m = JSON.parse(fs.readFileSync(path.join(rb.runDir, 'manifest.json'), 'utf8'));
  t.is(m.flowsimVersion, JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version);
  t.deepEqual(m.seeds, [1, 2]);
  t.is(Object.keys(m.configHashes).length, 8);
  t.regex(Object.values(m.configHashes)[0] as string, /^[0-9a-f]{64}$/);
  t.true(m.simulatedEvents > 0);
  t.true(m.eventsPerSecond > 0);
  t.false(fs.existsSync(path.join(rb.runDir, INCOMPLETE)));
});

test('a run killed midway and resumed gives the same files as an uninterrupted one', async (t) => {
  const killed = tmp('kill');
  const whole = tmp('whole');
  const args = ['tail', '--quick', '--seeds', '2', '--max-points', '4', '--part', 'grid', '--benchmark', 'genome', '--jobs', '1', '--run-id', 'r1', '--progress', 'none'];
  const first = await execa('node', ['--import', 'tsx', 'experiments/cli.ts', ...args, '--out', killed, '--kill-after', '3'], { cwd: ROOT, reject: false });
  t.is(first.signal, 'SIGKILL');
  const runDir = path.join(killed, 'tail', 'r1');
  t.true(fs.existsSync(path.join(runDir, INCOMPLETE)), 'an interrupted run is marked INCOMPLETE');
  t.false(fs.existsSync(path.join(runDir, 'points.csv')));
  t.is(fs.readdirSync(path.join(runDir, 'points')).filter((f) => f.endsWith('.json')).length, 3);
  // the latest run is picked when --run-id is left out
  const resumeArgs = args.filter((a, i) => a !== '--run-id' && args[i - 1] !== '--run-id');
  const second = await execa('node', ['--import', 'tsx', 'experiments/cli.ts', ...resumeArgs, '--out', killed, '--resume'], { cwd: ROOT, reject: false });
  t.is(second.exitCode, 0, second.stderr);
  t.regex(second.stdout, /3 already done/);
  t.regex(second.stdout, /8 runs \(5 evaluated, 3 reused\)/);
  t.false(fs.existsSync(path.join(runDir, INCOMPLETE)));
  const ref = await runExperiment(tailOpts(whole, { jobs: 1 }));
  const fa = deterministicFiles(runDir);
  const fb = deterministicFiles(ref.runDir);
  t.deepEqual(Object.keys(fa), Object.keys(fb));
  for (const f of Object.keys(fa)) t.true(fa[f].equals(fb[f]), `${f} differs after resume`);
  // resuming with other arguments is refused, and changes nothing
  const otherSeeds = resumeArgs.map((a, i) => (resumeArgs[i - 1] === '--seeds' ? '3' : a));
  const third = await execa('node', ['--import', 'tsx', 'experiments/cli.ts', ...otherSeeds, '--out', killed, '--resume'], { cwd: ROOT, reject: false });
  t.is(third.exitCode, 2);
  t.regex(third.stderr, /different arguments/);
});

test('plots: SVG parses, PNG has its signature and a plausible size, the report links them', async (t) => {
  const out = tmp('plots');
  const r = await runExperiment({
    def: getExperiment('overhead'),
    outDir: out,
    quick: true,
    seeds: 2,
    jobs: 1,
    overrides: { benchmark: ['wordcount', 'genome'], mode: ['hyperflow', 'faasflow'] },
    ...quiet,
  });
  const m = JSON.parse(fs.readFileSync(path.join(r.runDir, 'manifest.json'), 'utf8'));
  t.deepEqual(
    m.plots.map((p: { name: string }) => p.name),
    ['scheduling-overhead', 'data-overhead'],
  );
  for (const p of m.plots as Array<{ name: string }>) {
    const svg = fs.readFileSync(path.join(r.runDir, `${p.name}.svg`), 'utf8');
    t.regex(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    t.notThrows(() => new Resvg(svg), 'resvg parses the SVG as XML');
    t.true(svg.includes('wordcount') && svg.includes('hyperflow'), 'axis labels and legend are in the SVG');
    const png = fs.readFileSync(path.join(r.runDir, `${p.name}.png`));
    t.true(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])));
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    t.true(width > 300 && width < 10000 && height > 200 && height < 5000, `${width}x${height}`);
    t.true(png.length > 5000);
    const spec = JSON.parse(fs.readFileSync(path.join(r.runDir, `${p.name}.vl.json`), 'utf8'));
    const fields = JSON.stringify(spec);
    t.true(fields.includes('"field":"workflow"') && fields.includes('"field":"mode"'));
    t.true(spec.data.values.length === 4, 'one bar per workflow x mode');
  }
  // a report over the results root links the run's plots and tables
  fs.mkdirSync(path.join(out, 'calibration', 'foreign-run'), { recursive: true }); // another tool's output
  const { html, runs, incomplete } = buildReport(out);
  t.is(runs, 1);
  t.is(incomplete, 0);
  t.regex(html, /Other result directories.*calibration \/ foreign-run/s);
  t.true(html.includes('overhead/') && html.includes('scheduling-overhead.png') && html.includes('summary.csv'));
  const rep = await execa('node', ['--import', 'tsx', 'experiments/report.ts', '--out', out], { cwd: ROOT, reject: false });
  t.is(rep.exitCode, 0, rep.stderr);
  t.true(fs.existsSync(path.join(out, 'index.html')));
});

test('a run folder appears only when it can be resumed; --resume skips folders without run.json; stale staging is swept', async (t) => {
  const out = tmp('stage');
  const opts = (extra: Partial<RunOptions> = {}): RunOptions => ({ def: getExperiment('tail'), outDir: out, quick: true, seeds: 1, jobs: 1, maxPoints: 1, overrides: { part: ['grid'] }, ...quiet, ...extra });
  const first = await runExperiment(opts({ runId: '20260101-000000' }));
  const expDir = path.dirname(first.runDir);
  // what a kill between mkdir and run.json used to leave: a newer folder with no run.json
  fs.mkdirSync(path.join(expDir, '20990101-000000', 'points'), { recursive: true });
  // and what a kill before the rename leaves now: a hidden staging folder of a dead process
  fs.mkdirSync(path.join(expDir, '.staging-20990101-000001-999999999'), { recursive: true });
  const resumed = await runExperiment(opts({ resume: true }));
  t.is(path.basename(resumed.runDir), '20260101-000000', '--resume picks the latest run that has run.json');
  t.false(fs.existsSync(path.join(expDir, '.staging-20990101-000001-999999999')), 'stale staging removed');
  // a fresh run is not blocked, and while running nothing half-made is listed
  const fresh = await runExperiment(opts());
  t.true(fs.existsSync(path.join(fresh.runDir, 'run.json')));
  t.deepEqual(fs.readdirSync(expDir).filter((d) => d.startsWith('.staging-')), []);
});

test('an experiment whose results measured no request says so, lists them in the manifest, and fails', async (t) => {
  const out = tmp('empty');
  const logs: string[] = [];
  const e = await t.throwsAsync(
    runExperiment({ def: getExperiment('tail'), outDir: out, quick: true, seeds: 1, jobs: 1, maxPoints: 2, overrides: { part: ['grid'] }, progress: 'none', log: (s) => logs.push(s), backend: path.join(ROOT, 'test/fixtures/backend-warmup-only.ts'), runId: 'empty' }),
  );
  t.regex(e!.message, /no result measured any request/);
  t.true(logs.some((l) => /WARNING: 2 of 2 results measured no request/.test(l)), logs.join('\n'));
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'tail', 'empty', 'manifest.json'), 'utf8'));
  t.is(manifest.measuredNothing.length, 2);
  t.regex(manifest.measuredNothing[0], /seed 1 genome/);
});
