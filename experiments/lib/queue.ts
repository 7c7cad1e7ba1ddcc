/**
 * Sweeps across machines on BullMQ (https://docs.bullmq.io) over Redis.
 *
 * The coordinator (`npm run exp -- <exp> --queue redis://host:6379`) enqueues the run's tasks on
 * one well-known queue (`flowsim-tasks`, or $FLOWSIM_QUEUE_NAME) and collects the results; workers
 * (`npm run worker -- --queue redis://host:6379`, experiments/queue-worker.ts) on any machine take
 * jobs from that queue, evaluate them with evaluateTask on worker threads and return the
 * PointRecord as the job's return value. See docs/queue.md.
 *
 * - Job ids are deterministic (`<run>.<hash>.p<index>.s<seed>`): enqueueing a task twice adds it
 *   once (BullMQ ignores an add whose job id exists), so a resumed coordinator picks up its own
 *   earlier jobs, finished or not.
 * - A finished job keeps its result in Redis until the coordinator has written it (onRecord) and
 *   then removed the job: a record is delivered exactly once, and a coordinator killed meanwhile
 *   finds the results on --resume.
 * - Completions arrive through QueueEvents (low latency); a slower poll of the pending jobs'
 *   states is the safety net (events missed while reconnecting) and the Redis liveness check.
 * - A worker that dies mid-job stops renewing its lock; BullMQ's stalled-job check (run by the
 *   live workers) moves the job back to the wait list and another worker runs it.
 * - Interrupted or failed runs remove their queued jobs; jobs still running are flagged
 *   `cancelled` and removed by the worker that finishes them.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Job, Queue, QueueEvents } from 'bullmq';
import { taskKey, type PointRecord, type Task } from '../evaluate.js';
import { ExpError } from './errors.js';
import { sha256 } from './fsutil.js';

export const DEFAULT_QUEUE_NAME = 'flowsim-tasks';
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** What a job carries: a self-contained Task, the run it belongs to and the coordinator's code. */
export interface JobData {
  runKey: string;
  task: Task;
  code: CodeIdentity;
  /** Set by a coordinator that gave up on the run: the worker skips or removes the job. */
  cancelled?: boolean;
}

export interface CodeIdentity {
  /** Git revision (+dirty) of the checkout, null outside a git checkout. */
  git: string | null;
  node: string;
}

export interface QueueTarget {
  /** The URL as given (for messages). */
  url: string;
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
}

// ---------------------------------------------------------------------------------------------
// Settings (environment, so tests can shorten them without new CLI options)

function envInt(name: string, dflt: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new ExpError(`${name}: expected a whole number >= ${min}, got '${raw}'`);
  return n;
}

export interface QueueSettings {
  /** Worker lock on a running job, renewed every half of it; a dead worker's job is retried once it expires (ms). */
  lockDurationMs: number;
  /** How often workers look for stalled jobs (ms). */
  stalledIntervalMs: number;
  /** A job whose worker died more than this many times fails the run (a point that kills its worker). */
  maxStalledCount: number;
  /** Coordinator: how often the pending jobs' states are polled (ms). */
  pollMs: number;
  /** Coordinator and workers at start: time to reach Redis before giving up (ms). */
  connectTimeoutMs: number;
  /** Coordinator: Redis unreachable this long during a run fails the run (ms). */
  redisLossMs: number;
}

export function queueSettings(): QueueSettings {
  return {
    lockDurationMs: envInt('FLOWSIM_QUEUE_LOCK_MS', 15_000, 500),
    stalledIntervalMs: envInt('FLOWSIM_QUEUE_STALLED_MS', 5_000, 200),
    maxStalledCount: envInt('FLOWSIM_QUEUE_MAX_STALLED', 2, 0),
    pollMs: envInt('FLOWSIM_QUEUE_POLL_MS', 3_000, 50),
    connectTimeoutMs: envInt('FLOWSIM_QUEUE_CONNECT_TIMEOUT_MS', 3_000, 100),
    redisLossMs: envInt('FLOWSIM_QUEUE_REDIS_LOSS_MS', 60_000, 1_000),
  };
}

export function queueName(given?: string): string {
  const name = given ?? process.env.FLOWSIM_QUEUE_NAME ?? DEFAULT_QUEUE_NAME;
  if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new ExpError(`queue name: use letters, digits, '.', '_' and '-' only, got '${name}'`);
  return name;
}

// ---------------------------------------------------------------------------------------------
// The Redis URL and a fail-fast reachability check

/** Parses `redis://[user:password@]host[:port][/db]`; anything else is an ExpError. */
export function parseQueueUrl(raw: string, option = '--queue'): QueueTarget {
  const bad = (why: string) => new ExpError(`${option}: ${why}; expected a Redis URL such as redis://127.0.0.1:6379 or redis://host:6379/0, got '${raw}'`);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw bad('not a URL');
  }
  if (u.protocol === 'rediss:') throw bad('TLS (rediss://) is not supported');
  if (u.protocol !== 'redis:') throw bad(`the scheme must be redis://, not ${u.protocol}//`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw bad('no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(`bad port '${u.port}'`);
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!/^\d*$/.test(dbText) || !Number.isInteger(db) || db < 0) throw bad(`the path must be a database number, not '/${dbText}'`);
  if (u.search || u.hash) throw bad('no query string or fragment');
  return {
    url: raw,
    host,
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** Connection options for BullMQ (which builds its ioredis clients from them). */
export function connectionOptions(t: QueueTarget): { host: string; port: number; db: number; username?: string; password?: string } {
  return { host: t.host, port: t.port, db: t.db, ...(t.username ? { username: t.username } : {}), ...(t.password ? { password: t.password } : {}) };
}

function startHint(t: QueueTarget): string {
  return (
    `start it with: redis-server --port ${t.port} --save '' --appendonly no` +
    ` (for workers on other machines add --bind 0.0.0.0 --protected-mode no, on a trusted network only; or: docker run -p ${t.port}:6379 redis:7)`
  );
}

/**
 * Connects to Redis and sends PING (AUTH first when the URL has a password), with a timeout: an
 * unreachable server is an ExpError within connectTimeoutMs instead of BullMQ's endless retries.
 */
export function probeRedis(t: QueueTarget, timeoutMs: number): Promise<void> {
  const where = `Redis at ${t.url}`;
  return new Promise<void>((resolve, reject) => {
    const sock = net.connect({ host: t.host, port: t.port });
    let buf = '';
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(new ExpError(`cannot reach ${where}: no answer within ${timeoutMs / 1000} s; is redis-server running and reachable from here? ${startHint(t)}`)), timeoutMs);
    const cmd = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
    const expected = t.password ? 2 : 1;
    sock.on('connect', () => {
      const auth = t.password ? (t.username ? cmd('AUTH', t.username, t.password) : cmd('AUTH', t.password)) : '';
      sock.write(auth + cmd('PING'));
    });
    sock.on('data', (d) => {
      buf += d.toString('utf8');
      const lines = buf.split('\r\n').filter((l) => l !== '');
      const err = lines.find((l) => l.startsWith('-'));
      if (err) return finish(new ExpError(`${where} refused the connection: ${err.slice(1)}${/NOAUTH|WRONGPASS|AUTH/.test(err) ? ' (give the password in the URL: redis://:password@host:port)' : ''}`));
      if (lines.length >= expected) {
        if (lines[expected - 1] === '+PONG') finish();
        else finish(new ExpError(`${where} does not answer like a Redis server (got '${lines[expected - 1].slice(0, 60)}')`));
      }
    });
    sock.on('error', (e: NodeJS.ErrnoException) => finish(new ExpError(`cannot reach ${where} (${e.code ?? e.message}: ${e.message}); ${startHint(t)}`)));
    sock.on('close', () => finish(new ExpError(`cannot reach ${where}: the connection was closed before Redis answered PING`)));
  });
}

/**
 * BullMQ loads its Redis driver (ioredis, an optional peer dependency) lazily and, when it is
 * missing, retries forever reporting the error as an event: check it up front instead.
 */
export function checkRedisDriver(): void {
  try {
    createRequire(import.meta.url).resolve('ioredis');
  } catch {
    throw new ExpError(`BullMQ needs the ioredis package (its Redis driver), which is not installed here: run npm install ioredis@5`);
  }
}

/** Git revision and Node version: workers warn when theirs differ from the coordinator's. */
let identity: CodeIdentity | undefined;
export function codeIdentity(): CodeIdentity {
  if (identity) return identity;
  let git: string | null = null;
  try {
    git = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    if (dirty) git += '+dirty';
  } catch {
    git = null;
  }
  identity = { git, node: process.version };
  return identity;
}

/** Deterministic job id of a task of a run (BullMQ custom ids must not contain ':'). */
export function jobId(runKey: string, t: Task): string {
  const readable = runKey.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  return `${readable}.${sha256(runKey).slice(0, 8)}.p${t.index}.s${t.seed}`;
}

export function describeTask(t: Task): string {
  return `point ${t.index} ${JSON.stringify(t.point)} seed ${t.seed}`;
}

// ---------------------------------------------------------------------------------------------
// The coordinator side

export interface RunQueueOptions {
  /** `<experiment>/<run-id>`: names the run's jobs. */
  runKey: string;
  log: (line: string) => void;
  /** Default: $FLOWSIM_QUEUE_NAME, else flowsim-tasks. */
  queueName?: string;
}

/**
 * The setup checks of runQueue (URL, Redis driver, Redis reachable) on their own, as ExpErrors: a
 * caller can run them before it creates anything (e.g. the runner's validation step).
 */
export async function checkQueue(url: string): Promise<void> {
  const target = parseQueueUrl(url);
  const settings = queueSettings();
  queueName();
  checkRedisDriver();
  await probeRedis(target, settings.connectTimeoutMs);
}

/**
 * A setup error (bad URL, Redis unreachable) is bad input: an ExpError (exit code 2). The runner
 * checks the queue (checkQueue) before it creates the run folder, so this is reached only when
 * Redis went away between that check and the run.
 */
function setupFailure(e: unknown, runKey: string): never {
  const msg = e instanceof Error ? e.message : String(e);
  const runId = runKey.slice(runKey.indexOf('/') + 1);
  const full = `${msg}\nthe run directory is kept, marked INCOMPLETE; once Redis is up, continue with: --resume --run-id ${runId}`;
  throw new ExpError(full);
}

/**
 * Evaluates `todo` on the BullMQ queue at `url` and calls onRecord once per task with its
 * record. Rejects on the first failed task (naming the point), on an onRecord error, on SIGINT /
 * SIGTERM and when Redis stays unreachable; in every case the run's jobs are removed from Redis.
 */
export async function runQueue(todo: Task[], url: string, onRecord: (r: PointRecord) => void, o: RunQueueOptions): Promise<void> {
  let target: QueueTarget;
  let settings: QueueSettings;
  let name: string;
  try {
    target = parseQueueUrl(url);
    settings = queueSettings();
    name = queueName(o.queueName);
    checkRedisDriver();
    await probeRedis(target, settings.connectTimeoutMs);
  } catch (e) {
    setupFailure(e, o.runKey);
  }
  const connection = connectionOptions(target);
  const queue = new Queue<JobData, PointRecord>(name, { connection });
  const events = new QueueEvents(name, { connection });
  // BullMQ reports connection trouble as 'error' events; the poll below decides when to give up
  let lastRedisError = '';
  queue.on('error', (e) => (lastRedisError = e.message));
  events.on('error', (e) => (lastRedisError = e.message));
  try {
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
  } catch (e) {
    await Promise.allSettled([events.close(), queue.close()]);
    setupFailure(new ExpError(`cannot use Redis at ${url}: ${(e as Error).message}`), o.runKey);
  }
  try {
    await coordinate(todo, queue, events, onRecord, { ...o, url, name, settings, lastError: () => lastRedisError });
  } finally {
    const tidy = async () => {
      await events.close().catch(() => {});
      await removeQueueIfEmpty(queue);
      await queue.close().catch(() => {});
    };
    // with Redis gone, BullMQ's commands wait for a reconnection that never comes: drop them
    if (!(await within(tidy(), 5_000))) await within(Promise.allSettled([events.disconnect(), queue.disconnect()]), 2_000);
  }
}

/** Whether `p` settled within `ms` (its outcome is ignored). */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([p.then(() => true, () => true), new Promise<boolean>((res) => (timer = setTimeout(() => res(false), ms)))]);
  clearTimeout(timer);
  return r;
}

/**
 * Once the shared queue holds no job at all (no other run is using it), its bookkeeping keys
 * (meta, id counter, events stream) are deleted too (Queue.obliterate), so a finished run
 * leaves nothing in Redis. obliterate refuses when jobs are active; the queue is then resumed
 * (obliterate pauses it first).
 */
async function removeQueueIfEmpty(queue: Queue<JobData, PointRecord>): Promise<void> {
  try {
    const counts = await queue.getJobCounts();
    if (Object.values(counts).some((n) => n > 0)) return;
    try {
      await queue.obliterate();
    } catch {
      await queue.resume();
    }
  } catch {
    // Redis gone: nothing more to tidy
  }
}

interface CoordinateOptions extends RunQueueOptions {
  url: string;
  name: string;
  settings: QueueSettings;
  lastError: () => string;
}

async function coordinate(
  todo: Task[],
  queue: Queue<JobData, PointRecord>,
  events: QueueEvents,
  onRecord: (r: PointRecord) => void,
  o: CoordinateOptions,
): Promise<void> {
  const { log, runKey, settings } = o;
  const code = codeIdentity();
  const tasks = new Map<string, Task>();
  for (const t of todo) tasks.set(jobId(runKey, t), t);
  const pending = new Set(tasks.keys());
  const dataOf = (t: Task): JobData => ({ runKey, task: t, code });
  const opts = (id: string) => ({ jobId: id, attempts: 1, removeOnComplete: false, removeOnFail: false });

  let failure: Error | undefined;
  let finished!: () => void;
  let failed!: (e: Error) => void;
  const outcome = new Promise<void>((res, rej) => {
    finished = res;
    failed = rej;
  });
  outcome.catch(() => {}); // handled below
  const fail = (e: Error) => {
    if (failure) return;
    failure = e;
    failed(e);
  };
  const onSignal = (sig: NodeJS.Signals) => fail(new Error(sig === 'SIGINT' ? 'interrupted' : `stopped by ${sig}`));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  // checks are serialized per job, so an event and the poll never deliver one record twice
  const checking = new Set<string>();
  let delivered = 0;
  let lastProgress = Date.now();
  const deliver = (id: string, rec: PointRecord | null | undefined): void => {
    const t = tasks.get(id)!;
    if (!rec || typeof rec !== 'object' || rec.index !== t.index || rec.seed !== t.seed || rec.key !== taskKey(t))
      return fail(new Error(
        `${describeTask(t)}: the worker returned a result for other inputs (job ${id}); do the workers run the same flowsim version as this coordinator (${code.git ?? 'no git'})?`,
      ));
    pending.delete(id);
    delivered++;
    lastProgress = Date.now();
    try {
      onRecord(rec);
    } catch (e) {
      fail(e instanceof Error ? e : new Error(String(e)));
      throw e;
    }
  };
  /**
   * Looks at one pending job: delivers a finished one, fails the run on a failed one, re-adds one
   * that vanished. `full` (the first pass) also clears the `cancelled` flag an interrupted
   * coordinator of this run left on queued or running jobs. Redis errors propagate (the poll
   * retries); an onRecord error fails the run at once.
   */
  const check = async (id: string, full = false): Promise<void> => {
    if (!pending.has(id) || checking.has(id) || failure) return;
    checking.add(id);
    try {
      const state = await queue.getJobState(id);
      if (!pending.has(id) || failure) return;
      const t = tasks.get(id)!;
      if (state === 'unknown') {
        // removed behind our back (e.g. by a worker finishing it for an earlier, interrupted
        // coordinator of this run): add it again
        await queue.add(runKey, dataOf(t), opts(id));
      } else if (state === 'completed' || state === 'failed' || full) {
        const job = await Job.fromId<JobData, PointRecord | { cancelled: true }>(queue, id);
        if (!job || !pending.has(id) || failure) return;
        if (state === 'completed') {
          const rv = job.returnvalue;
          if (rv && typeof rv === 'object' && 'cancelled' in rv) {
            // skipped by a worker while flagged cancelled: run it again
            await queue.remove(id);
            await queue.add(runKey, dataOf(t), opts(id));
          } else {
            // (also when flagged cancelled by an interrupted coordinator of this run: the result is usable)
            deliver(id, rv as PointRecord);
            await queue.remove(id);
          }
        } else if (state === 'failed') {
          fail(new Error(`${describeTask(t)}: ${job.failedReason || 'failed on a worker'}`));
        } else if (job.data?.cancelled) {
          await job.updateData({ ...job.data, cancelled: false });
        }
      }
    } finally {
      checking.delete(id);
    }
    if (pending.size === 0) finished();
  };
  const checkAll = async (ids: string[], full = false): Promise<void> => {
    const width = 64;
    for (let i = 0; i < ids.length && !failure; i += width) await Promise.all(ids.slice(i, i + width).map((id) => check(id, full)));
  };
  // a Redis error while looking at an event's job is left to the next poll
  const onEvent = ({ jobId: id }: { jobId: string }) => {
    if (pending.has(id)) void check(id).catch(() => {});
  };
  events.on('completed', onEvent);
  events.on('failed', onEvent);

  let poll: NodeJS.Timeout | undefined;
  let status: NodeJS.Timeout | undefined;
  try {
    // 1. Jobs of this run already in Redis (an earlier coordinator of the run was killed):
    //    finished ones are harvested, failed ones re-queued, queued or running ones kept.
    const ids = [...tasks.keys()];
    const states = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const got = await Promise.all(chunk.map((id) => queue.getJobState(id)));
      chunk.forEach((id, k) => states.set(id, got[k]));
    }
    const toAdd: string[] = [];
    const earlier = { completed: 0, failed: 0, queued: 0 };
    for (const id of ids) {
      const s = states.get(id)!;
      if (s === 'unknown') toAdd.push(id);
      else if (s === 'failed') {
        earlier.failed++;
        await queue.remove(id);
        toAdd.push(id);
      } else if (s === 'completed') earlier.completed++;
      else earlier.queued++;
    }
    // 2. Enqueue (idempotent: a job id that exists is not added again)
    for (let i = 0; i < toAdd.length; i += 500)
      await queue.addBulk(toAdd.slice(i, i + 500).map((id) => ({ name: runKey, data: dataOf(tasks.get(id)!), opts: opts(id) })));
    const workers = await queue.getWorkers().then((w) => w.length, () => -1);
    const again = earlier.completed + earlier.failed + earlier.queued;
    log(
      `queue: ${toAdd.length} tasks queued on '${o.name}' at ${o.url}` +
        (again ? ` (found from an earlier coordinator of this run: ${earlier.completed} finished, ${earlier.queued} queued or running, ${earlier.failed} failed and re-queued)` : '') +
        (workers >= 0 ? `; ${workers} worker connection${workers === 1 ? '' : 's'}` : ''),
    );
    if (workers === 0) log(`queue: no worker is connected yet; start some with: npm run worker -- --queue ${o.url}${o.name !== DEFAULT_QUEUE_NAME ? ` --queue-name ${o.name}` : ''}`);

    // 3. Collect: events, plus a poll (missed events, Redis liveness: while Redis is down the
    //    poll's commands fail or just wait, so the watchdog looks at the last poll that worked)
    let lastPollOk = Date.now();
    let lastPollError = '';
    let polling = false;
    const pollOnce = async () => {
      if (failure) return;
      if (Date.now() - lastPollOk >= settings.redisLossMs)
        return fail(
          new Error(
            `lost the connection to Redis at ${o.url}: no answer for ${Math.round((Date.now() - lastPollOk) / 1000)} s (${o.lastError() || lastPollError || 'timeout'}); ${pending.size} of ${tasks.size} tasks not done`,
          ),
        );
      if (polling) return;
      polling = true;
      try {
        await checkAll([...pending]);
        lastPollOk = Date.now();
      } catch (e) {
        lastPollError = (e as Error).message;
      } finally {
        polling = false;
      }
    };
    await checkAll(ids, true);
    poll = setInterval(() => void pollOnce(), settings.pollMs);
    status = setInterval(() => {
      if (failure || Date.now() - lastProgress < 30_000) return;
      void queue.getWorkers().then(
        (w) =>
          log(
            `queue: waiting, ${pending.size} of ${tasks.size} tasks not done, nothing finished in ${Math.round((Date.now() - lastProgress) / 1000)} s, ${w.length} worker connection${w.length === 1 ? '' : 's'}${w.length === 0 ? ` (start workers with: npm run worker -- --queue ${o.url})` : ''}`,
          ),
        () => {},
      );
    }, 30_000);
    if (pending.size === 0) finished();
    await outcome;
  } finally {
    if (poll) clearInterval(poll);
    if (status) clearInterval(status);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    events.removeAllListeners('completed');
    events.removeAllListeners('failed');
    if (pending.size > 0 && !(await within(cancel(queue, [...pending], log, o.settings), 5_000)))
      log(`queue: Redis at ${o.url} does not answer: the run's unfinished jobs could not be removed; a later --resume of the run reuses or replaces them`);
  }
  if (failure) throw failure;
  if (delivered !== tasks.size) throw new Error(`queue: ${tasks.size - delivered} tasks were not delivered`); // cannot happen
}

/**
 * Removes the given jobs; a job a worker holds cannot be removed, so it is flagged `cancelled`
 * (the worker removes it once it finishes) and removal is tried once more a moment later.
 */
async function cancel(queue: Queue<JobData, PointRecord>, ids: string[], log: (s: string) => void, settings: QueueSettings): Promise<void> {
  const held: string[] = [];
  try {
    for (const id of ids) {
      if ((await queue.remove(id)) === 1) continue;
      const job = await Job.fromId<JobData, PointRecord>(queue, id);
      if (!job) continue;
      await job.updateData({ ...job.data, cancelled: true });
      held.push(id);
    }
    if (held.length > 0) {
      await new Promise((r) => setTimeout(r, Math.min(1000, settings.pollMs)));
      let still = 0;
      for (const id of held) if ((await queue.remove(id)) !== 1 && (await Job.fromId(queue, id))) still++;
      log(`queue: removed the run's ${ids.length - still} unfinished jobs${still ? `; ${still} running on workers are flagged cancelled and will be removed by the worker when it finishes them` : ''}`);
    } else log(`queue: removed the run's ${ids.length} unfinished jobs`);
  } catch (e) {
    log(`queue: could not remove every job of the run from Redis (${(e as Error).message}); a later --resume of the run reuses or replaces them`);
  }
}

/** For the worker's messages. */
export function hostTag(): string {
  return `${os.hostname()}:${process.pid}`;
}
