/**
 * Sweeps on BullMQ over a real Redis (experiments/lib/queue.ts, experiments/queue-worker.ts):
 * two worker processes give byte-identical outputs to a local --jobs 1 run; a worker SIGKILLed
 * while it holds a job has that job retried by the other (every task delivered exactly once); a
 * task that throws fails the run naming the point; bad or unreachable URLs exit 2 at once; no
 * job is left in Redis. Skipped when redis-server is not installed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { execa, type ResultPromise } from 'execa';
import { closedPort } from './helpers/net.js';
import { runExperiment, RunFailed, taskFile } from '../experiments/runner.js';
import type { PointRecord, Task } from '../experiments/evaluate.js';
import { runQueue } from '../experiments/lib/queue.js';
import { expandPoints } from '../experiments/lib/sweep.js';
import { getExperiment } from '../experiments/registry.js';
import { deterministicFiles, makeTempDirs } from './helpers/files.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const haveRedis = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const rtest = haveRedis ? test.serial : test.serial.skip;
if (!haveRedis) test('redis-server is not installed: the BullMQ queue tests are skipped (apt-get install redis-server)', (t) => t.pass());

const { tmpDir, removeAll } = makeTempDirs();
const tmp = (name: string) => tmpDir(`flowsim-queue-${name}-`);
// short locks so a dead worker's job comes back within a couple of seconds
const ENV = { FLOWSIM_QUEUE_LOCK_MS: '1500', FLOWSIM_QUEUE_STALLED_MS: '500', FLOWSIM_QUEUE_POLL_MS: '500' };

let redis: ResultPromise | undefined;
let port = 0;
let url = '';
const workers: Array<{ p: ResultPromise; out: () => string }> = [];

/** One command to Redis over RESP; returns the reply's bulk strings (enough for KEYS and PING). */
function redisCommand(...args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    s.on('connect', () => s.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    s.on('data', (d) => {
      buf += d.toString();
      const lines = buf.split('\r\n');
      if (lines[0].startsWith('+') || lines[0].startsWith('-')) {
        s.destroy();
        return resolve([lines[0]]);
      }
      if (!lines[0].startsWith('*')) return;
      const n = Number(lines[0].slice(1));
      const vals = lines.slice(1).filter((_, i) => i % 2 === 1);
      if (vals.length >= n && lines.length >= 2 * n + 2) {
        s.destroy();
        resolve(vals.slice(0, n));
      }
    });
    s.on('error', reject);
  });
}

/** Keys other than the queue's bookkeeping (which live workers keep): jobs, lists, results. */
async function leftovers(): Promise<string[]> {
  const keys = await redisCommand('KEYS', '*');
  return keys.filter((k) => !/^bull:flowsim-tasks:(meta|stalled-check|events|id)$/.test(k)).sort();
}

function startWorker(concurrency = 1): { p: ResultPromise; out: () => string; ready: Promise<void> } {
  const p = execa('node', ['--import', 'tsx', 'experiments/queue-worker.ts', '--queue', url, '--concurrency', String(concurrency)], {
    cwd: ROOT,
    env: ENV,
    reject: false,
    buffer: false,
  });
  let out = '';
  let readyResolve!: () => void;
  let readyReject!: (e: Error) => void;
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  p.on('exit', (code) => readyReject(new Error(`the worker exited (code ${code}) before serving:\n${out}`)));
  p.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('serving queue')) readyResolve();
  });
  p.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const w = { p, out: () => out };
  workers.push(w);
  return { ...w, ready };
}

const exp = (args: string[], extraEnv: Record<string, string> = {}) =>
  execa('node', ['--import', 'tsx', 'experiments/cli.ts', ...args], { cwd: ROOT, env: { ...ENV, ...extraEnv }, reject: false });

// tail, quick: genome at 25 and 50 MB/s, 3 modes x 2 rates (about 0.5 s a point)
const SWEEP = ['tail', '--quick', '--part', 'grid', '--benchmark', 'genome', '--progress', 'none'];


let w1: ReturnType<typeof startWorker>;
let w2: ReturnType<typeof startWorker>;

test.before(async () => {
  if (!haveRedis) return;
  port = await closedPort();
  url = `redis://127.0.0.1:${port}`;
  redis = execa('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { reject: false, buffer: false, stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      if ((await redisCommand('PING'))[0] === '+PONG') break;
    } catch {
      if (i > 100) throw new Error(`redis-server did not start on port ${port}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  w1 = startWorker();
  w2 = startWorker();
  await Promise.all([w1.ready, w2.ready]);
});

test.after.always(async () => {
  for (const w of workers) w.p.kill('SIGKILL');
  await Promise.allSettled(workers.map((w) => w.p));
  if (redis) {
    redis.kill('SIGKILL');
    await redis.catch(() => {});
  }
  removeAll();
});

let reference = ''; // run folder of the local --jobs 1 run (test 1), compared with the kill run too
const SAME = [...SWEEP, '--max-points', '8', '--seeds', '2'];

rtest('two workers: points.csv, summary.csv and every deterministic output are byte-identical to a local --jobs 1 run', async (t) => {
  const out = tmp('same');
  const local = await exp([...SAME, '--out', out, '--run-id', 'local', '--jobs', '1']);
  t.is(local.exitCode, 0, local.stderr);
  reference = path.join(out, 'tail', 'local');
  const queued = await exp([...SAME, '--out', out, '--run-id', 'queued', '--queue', url]);
  t.is(queued.exitCode, 0, queued.stderr);
  t.regex(queued.stdout, /queue: 16 tasks queued on 'flowsim-tasks' at redis:\/\/127\.0\.0\.1:\d+; 2 worker connections/);
  const a = deterministicFiles(reference);
  const b = deterministicFiles(path.join(out, 'tail', 'queued'));
  t.deepEqual(Object.keys(b), Object.keys(a));
  t.true(Object.keys(a).includes('points.csv') && Object.keys(a).includes('summary.csv'));
  for (const f of Object.keys(a)) t.true(a[f].equals(b[f]), `${f} differs between the queue and a local run`);
  // the workers print which point they run
  t.regex(w1.out() + w2.out(), /start tail\/queued point \d+ \{.*\} seed \d/);
  t.regex(w1.out() + w2.out(), /done {2}tail\/queued point \d+ seed \d in [\d.]+ s \(\d+ done/);
  t.deepEqual(await leftovers(), [], 'jobs of the run left in Redis');
  t.false(fs.existsSync(path.join(out, 'tail', 'queued', 'INCOMPLETE')));
});

rtest('a task that throws on a worker fails the run with the point named; its jobs are removed', async (t) => {
  // the real simulator, except that seed 2 throws when run (the runner validates with seed 1)
  const dir = tmp('backend');
  const backend = path.join(dir, 'explode.ts');
  fs.writeFileSync(
    backend,
    `import { buildScenario } from ${JSON.stringify(path.join(ROOT, 'loader/build.ts'))};\n` +
      `import { runScenario as run } from ${JSON.stringify(path.join(ROOT, 'sim/run.ts'))};\n` +
      `export { buildScenario };\n` +
      `export function runScenario(s: any, o: any) { if (s.seed === 2) throw new Error('boom at seed 2'); return run(s, o); }\n`,
  );
  const out = tmp('fail');
  Object.assign(process.env, ENV);
  const e = await t.throwsAsync(
    runExperiment({ def: getExperiment('tail'), outDir: out, quick: true, seeds: 2, maxPoints: 2, overrides: { part: ['grid'], benchmark: ['genome'] }, progress: 'none', log: () => {}, runId: 'boom', backend, queue: url }),
  );
  t.true(e instanceof RunFailed);
  t.regex(e!.message, /point [01] \{"part":"grid","benchmark":"genome",.*\} seed 2: boom at seed 2 \(on worker .*:\d+\)/);
  t.regex(e!.message, /--resume --run-id boom/);
  t.true(fs.existsSync(path.join(out, 'tail', 'boom', 'INCOMPLETE')));
  // workers finishing a flagged job remove it: give them a moment
  for (let i = 0; i < 40 && (await leftovers()).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  t.deepEqual(await leftovers(), []);
});

rtest('Ctrl-C of the coordinator: exit 1, its jobs removed from Redis, and --resume through the queue finishes the run identically', async (t) => {
  t.truthy(reference, 'the local reference run (first test) is missing');
  const out = tmp('sigint');
  const args = [...SAME, '--out', out, '--run-id', 'int', '--queue', url];
  const first = exp(args);
  let seen = '';
  first.stdout!.on('data', (d: Buffer) => (seen += d.toString()));
  // interrupt once the coordinator has written a couple of its points
  const pointsDir = path.join(out, 'tail', 'int', 'points');
  const done = () => (fs.existsSync(pointsDir) ? fs.readdirSync(pointsDir).filter((f) => f.endsWith('.json')).length : 0);
  const t0 = Date.now();
  while (done() < 2 && first.exitCode === null && Date.now() - t0 < 60_000) await new Promise((r) => setTimeout(r, 20));
  first.kill('SIGINT');
  const r = await first;
  t.is(r.exitCode, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /error: interrupted\nthe run directory .* is kept, marked INCOMPLETE; continue with: --resume --run-id int/);
  t.regex(seen + r.stdout, /queue: removed the run's \d+ unfinished jobs/);
  for (let i = 0; i < 40 && (await leftovers()).length > 0; i++) await new Promise((res) => setTimeout(res, 100));
  t.deepEqual(await leftovers(), [], 'jobs of the interrupted run left in Redis');
  const kept = done();
  t.true(kept >= 2 && kept < 16, `${kept} points kept`);
  const again = await exp([...args, '--resume']);
  t.is(again.exitCode, 0, again.stderr);
  t.regex(again.stdout, new RegExp(`\\(${kept} already done\\)`));
  t.regex(again.stdout, new RegExp(`queue: ${16 - kept} tasks queued`));
  const a = deterministicFiles(reference);
  const b = deterministicFiles(path.join(out, 'tail', 'int'));
  for (const f of Object.keys(a)) t.true(a[f].equals(b[f]), `${f} differs from the local run`);
});

rtest('a worker SIGKILLed while it holds a job: another worker runs it, every task is delivered exactly once, results as a local run', async (t) => {
  // w1 stops gracefully (exit 0); a fresh worker is the victim, w2 the survivor
  w1.p.kill('SIGTERM');
  const r1 = await w1.p;
  // the last lines may still be in the pipe when the exit is seen
  if (!w1.p.stdout!.readableEnded) await new Promise((r) => w1.p.stdout!.once('end', r));
  t.is(r1.exitCode, 0, w1.out());
  t.regex(w1.out(), /SIGTERM: finishing \d+ running points?, then stopping[^]*stopped \(\d+ done, \d+ failed\)/);
  const victim = startWorker();
  await victim.ready;
  // the coordinator in-process, to count the deliveries: the same 16 tasks as the first test
  const ctx = { quick: true };
  const points = expandPoints(getExperiment('tail'), ctx, { part: ['grid'], benchmark: ['genome'] }).slice(0, 8);
  const todo: Task[] = points.flatMap((point, index) => [1, 2].map((seed) => ({ exp: 'tail', index, seed, point, ctx })));
  const delivered: PointRecord[] = [];
  const logs: string[] = [];
  Object.assign(process.env, ENV);
  let finished = false;
  const run = runQueue(todo, url, (r) => delivered.push(JSON.parse(JSON.stringify(r)) as PointRecord), { runKey: 'tail/killed', log: (l) => logs.push(l) }).finally(() => (finished = true));
  // kill the victim once it has started a point and not finished it
  let held = '';
  const t0 = Date.now();
  while (Date.now() - t0 < 60_000 && !finished) {
    const starts = [...victim.out().matchAll(/start tail\/killed point (\d+) .* seed (\d+)/g)].map((m) => `${m[1]}/${m[2]}`);
    const dones = new Set([...victim.out().matchAll(/done {2}tail\/killed point (\d+) seed (\d+)/g)].map((m) => `${m[1]}/${m[2]}`));
    held = starts.find((x) => !dones.has(x)) ?? '';
    if (held) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  t.truthy(held, `the victim never took a job:\nVICTIM\n${victim.out()}\nSURVIVOR\n${w2.out()}\nCOORDINATOR\n${logs.join('\n')}`);
  victim.p.kill('SIGKILL');
  await run;
  // exactly once
  t.is(delivered.length, 16);
  t.is(new Set(delivered.map((r) => `${r.index}/${r.seed}`)).size, 16);
  // the held job was retried by the survivor
  const [p, s] = held.split('/');
  t.regex(w2.out(), new RegExp(`start tail/killed point ${p} .* seed ${s} \\(retry: its previous worker stopped\\)`), w2.out());
  // every record as the local --jobs 1 run of the first test computed it (timing aside)
  t.truthy(reference, 'the local reference run (first test) is missing');
  const strip = (r: PointRecord) => ({ ...r, timing: {} });
  for (const r of delivered) {
    const ref = JSON.parse(fs.readFileSync(path.join(reference, 'points', taskFile(r.index, r.seed)), 'utf8')) as PointRecord;
    t.deepEqual(strip(r), strip(ref), `point ${r.index} seed ${r.seed}`);
  }
  t.deepEqual(await leftovers(), []);
});

rtest('bad URL and unreachable Redis: exit code 2 at once with the URL and how to start redis-server; same for the worker', async (t) => {
  const out = tmp('err');
  const args = [...SWEEP, '--max-points', '1', '--seeds', '1', '--out', out];
  const dead = await closedPort();
  const worker = (a: string[]) => execa('node', ['--import', 'tsx', 'experiments/queue-worker.ts', ...a], { cwd: ROOT, reject: false, timeout: 30_000 });
  const t0 = Date.now();
  const [bad, gone, wbad, wgone, wnone, help] = await Promise.all([
    exp([...args, '--queue', 'http://localhost:6379']),
    exp([...args, '--queue', `redis://127.0.0.1:${dead}`]),
    worker(['--queue', 'localhost:6379']),
    worker(['--queue', `redis://127.0.0.1:${dead}`]),
    worker([]),
    worker(['--help']),
  ]);
  t.true(Date.now() - t0 < 30_000, 'fails fast');
  t.is(bad.exitCode, 2, bad.stderr);
  t.regex(bad.stderr, /^error: --queue: the scheme must be redis:\/\/, not http:\/\/; expected a Redis URL such as redis:\/\/127\.0\.0\.1:6379/);
  t.is(gone.exitCode, 2, gone.stderr);
  t.regex(gone.stderr, new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${dead} \\(ECONNREFUSED.*start it with: redis-server --port ${dead}`));
  // checked before the run folder is created: nothing is written
  t.deepEqual(fs.readdirSync(out).filter((d) => !d.startsWith('.')), []);
  t.notRegex(gone.stderr, /\n\s+at /, 'no stack trace');
  t.is(wbad.exitCode, 2);
  t.regex(wbad.stderr, /--queue: .*expected a Redis URL/);
  t.is(wgone.exitCode, 2);
  t.regex(wgone.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+ .*redis-server/);
  t.is(wnone.exitCode, 2);
  t.regex(wnone.stderr, /give the Redis URL: --queue redis:\/\/host:6379/);
  t.is(help.exitCode, 0);
  t.regex(help.stdout, /--concurrency/);
  t.regex(help.stdout, /--lock-duration/);
});
