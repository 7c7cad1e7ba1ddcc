/**
 * `npm run worker -- --queue redis://host:6379`: a worker for sweeps run with
 * `npm run exp -- <experiment> --queue redis://host:6379` (see docs/queue.md).
 *
 * Takes jobs from the BullMQ queue (`flowsim-tasks` unless --queue-name), evaluates each Task with
 * evaluateTask on a pool of worker threads (experiments/worker.mjs, one per core unless
 * --concurrency) and returns the PointRecord as the job's result. It serves any run of any
 * experiment: a Task is self-contained. The main thread only talks to Redis, so the job locks are
 * renewed on time however long a point takes; if this process dies, its jobs' locks expire and
 * another worker runs them (BullMQ stalled jobs).
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import { Queue, Worker, type Job } from 'bullmq';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { emptyOption, parseNumberArg, repeatedOption } from '../lib/cli-args.js';
import type { PointRecord, Task } from './evaluate.js';
import { ExpError } from './lib/errors.js';
import {
  DEFAULT_QUEUE_NAME,
  checkRedisDriver,
  codeIdentity,
  connectionOptions,
  describeTask,
  hostTag,
  parseQueueUrl,
  probeRedis,
  queueName,
  queueSettings,
  type JobData,
} from './lib/queue.js';

type Outcome = { ok: true; record: PointRecord } | { ok: false; error: string };

/** N worker threads running experiments/worker.mjs; a thread that crashes is replaced. */
class ThreadPool {
  private idle: Thread[] = [];
  private waiting: Array<(t: Thread) => void> = [];
  private closing = false;
  private readonly all = new Set<Thread>();

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.release(this.spawn());
  }

  private spawn(): Thread {
    const t = new Thread(new URL('./worker.mjs', import.meta.url));
    this.all.add(t);
    return t;
  }

  private release(t: Thread): void {
    const w = this.waiting.shift();
    if (w) w(t);
    else this.idle.push(t);
  }

  private acquire(): Promise<Thread> {
    const t = this.idle.pop();
    return t ? Promise.resolve(t) : new Promise((r) => this.waiting.push(r));
  }

  async run(task: Task): Promise<PointRecord> {
    const t = await this.acquire();
    const out = await new Promise<Outcome>((resolve) => {
      const cleanup = () => {
        t.off('message', onMessage);
        t.off('error', onError);
        t.off('exit', onExit);
      };
      const onMessage = (m: Outcome) => {
        cleanup();
        resolve(m);
      };
      const onError = (e: Error) => {
        cleanup();
        resolve({ ok: false, error: `the evaluation thread crashed: ${e.message}` });
      };
      const onExit = (code: number) => {
        cleanup();
        resolve({ ok: false, error: `the evaluation thread exited with code ${code}` });
      };
      t.on('message', onMessage);
      t.once('error', onError);
      t.once('exit', onExit);
      t.postMessage(task);
    });
    if (out.ok) this.release(t);
    else if (!this.closing) {
      // a thread that reported an error is still usable; one that crashed is replaced
      if (out.error.startsWith('the evaluation thread')) {
        this.all.delete(t);
        void t.terminate();
        this.release(this.spawn());
      } else this.release(t);
    }
    if (!out.ok) throw new Error(out.error);
    return out.record;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.all].map((t) => t.terminate()));
  }
}

const stamp = () => new Date().toISOString().slice(11, 19);

async function main(args: string[]): Promise<number> {
  const argv = await yargs(args)
    .scriptName('npm run worker --')
    .usage(
      '$0 --queue redis://host:6379 [options]\n\n' +
        'Runs flowsim sweep points from a BullMQ queue in Redis, as many at a time as this machine has cores. ' +
        'Start any number of workers on any machines that reach the Redis server and run the same flowsim checkout ' +
        '(same git revision and Node version), then the coordinator:\n  npm run exp -- <experiment> [options] --queue redis://host:6379\n' +
        'A worker serves every run on the queue, of any experiment, until stopped (Ctrl-C: finishes its running points; twice: leaves them to other workers).',
    )
    .option('queue', { type: 'string', describe: 'Redis URL: redis://[:password@]host[:port][/db]', demandOption: 'give the Redis URL: --queue redis://host:6379' })
    .option('queue-name', { type: 'string', describe: `BullMQ queue to serve (env FLOWSIM_QUEUE_NAME; must match the coordinator's)`, defaultDescription: DEFAULT_QUEUE_NAME })
    .option('concurrency', { alias: 'c', type: 'string', describe: 'points evaluated at once (worker threads)', defaultDescription: `number of cores, here ${os.availableParallelism()}` })
    .option('lock-duration', {
      type: 'string',
      describe: 'ms a job stays locked without a heartbeat: if this worker dies, its points are retried by another worker after about this long (env FLOWSIM_QUEUE_LOCK_MS)',
      defaultDescription: '15000',
    })
    .option('stalled-interval', { type: 'string', describe: 'ms between checks for jobs of dead workers (env FLOWSIM_QUEUE_STALLED_MS)', defaultDescription: '5000' })
    .option('max-stalled', { type: 'string', describe: 'a point whose worker died more than this many times fails its run (env FLOWSIM_QUEUE_MAX_STALLED)', defaultDescription: '2' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no line per point (start, stop and errors only)' })
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new ExpError(`${msg}\n(see: npm run worker -- --help)`);
    })
    .parseAsync();
  const a = argv as unknown as Record<string, unknown>;
  const repeated = repeatedOption(a);
  if (repeated) throw new ExpError(repeated);
  const empty = emptyOption(a, ['queue', 'queue-name']);
  if (empty) throw new ExpError(empty);
  const int = (name: string, min: number, max?: number): number | undefined => {
    if (a[name] === undefined) return undefined;
    const x = parseNumberArg(name, a[name], { int: true, min, ...(max !== undefined ? { max } : {}) });
    if (typeof x !== 'number') throw new ExpError(x.error);
    return x;
  };
  const target = parseQueueUrl(String(argv.queue));
  const name = queueName(argv['queue-name']);
  const env = queueSettings();
  const concurrency = int('concurrency', 1, 256) ?? os.availableParallelism();
  const lockDuration = int('lock-duration', 500) ?? env.lockDurationMs;
  const stalledInterval = int('stalled-interval', 200) ?? env.stalledIntervalMs;
  const maxStalledCount = int('max-stalled', 0) ?? env.maxStalledCount;
  const quiet = argv.quiet;
  const me = hostTag();
  const log = (s: string) => process.stdout.write(`[${stamp()}] worker ${me}: ${s}\n`);

  checkRedisDriver();
  await probeRedis(target, env.connectTimeoutMs);
  const connection = connectionOptions(target);
  const code = codeIdentity();
  const pool = new ThreadPool(concurrency);
  const lookups = new Queue<JobData, PointRecord>(name, { connection });
  let done = 0;
  let failed = 0;
  let running = 0;
  const warned = new Set<string>();

  const processor = async (job: Job<JobData, PointRecord | { cancelled: true }>): Promise<PointRecord | { cancelled: true }> => {
    const d = job.data;
    if (!d || typeof d !== 'object' || !d.task || typeof d.runKey !== 'string') throw new Error(`job ${job.id} is not a flowsim task (is another application using queue '${name}'?)`);
    if (d.cancelled) return { cancelled: true };
    if (!warned.has(d.runKey)) {
      warned.add(d.runKey);
      if (d.code && (d.code.git !== code.git || d.code.node !== code.node))
        log(
          `WARNING: run ${d.runKey} comes from a coordinator on flowsim ${d.code.git ?? '(no git)'} / Node ${d.code.node}, this worker runs ${code.git ?? '(no git)'} / Node ${code.node}: results may differ from a local run`,
        );
    }
    running++;
    const t0 = Date.now();
    if (!quiet) log(`start ${d.runKey} ${describeTask(d.task)}${job.attemptsStarted > 1 || job.stalledCounter > 0 ? ' (retry: its previous worker stopped)' : ''}`);
    try {
      const record = await pool.run(d.task);
      done++;
      if (!quiet) log(`done  ${d.runKey} point ${d.task.index} seed ${d.task.seed} in ${((Date.now() - t0) / 1000).toFixed(2)} s (${done} done${failed ? `, ${failed} failed` : ''}, ${running - 1} running)`);
      return record;
    } catch (e) {
      failed++;
      const msg = (e as Error).message;
      log(`FAILED ${d.runKey} ${describeTask(d.task)}: ${msg}`);
      throw new Error(`${msg} (on worker ${me})`);
    } finally {
      running--;
    }
  };

  const worker = new Worker<JobData, PointRecord | { cancelled: true }>(name, processor, {
    connection,
    concurrency,
    lockDuration,
    stalledInterval,
    maxStalledCount,
    // seconds an idle worker blocks waiting for a job before it looks again (BullMQ default 5)
    drainDelay: 2,
    name: me,
    autorun: false,
  });
  // jobs of a run whose coordinator gave up are removed once finished (see cancel() in lib/queue.ts)
  const removeIfCancelled = async (job: Job<JobData> | undefined) => {
    if (!job?.id) return;
    try {
      const fresh = await lookups.getJob(job.id);
      if (fresh?.data?.cancelled) await lookups.remove(job.id);
    } catch {
      // the coordinator's next --resume replaces it
    }
  };
  worker.on('completed', (job) => void removeIfCancelled(job));
  worker.on('failed', (job) => void removeIfCancelled(job));
  let lastError = 0;
  worker.on('error', (e) => {
    if (Date.now() - lastError < 10_000) return;
    lastError = Date.now();
    log(`Redis error (${e.message}); retrying`);
  });

  let stopping = false;
  const stop = async (sig: string) => {
    if (stopping) {
      log(`${sig} again: leaving ${running} running points to other workers (retried after the ${lockDuration / 1000} s lock expires)`);
      process.exit(130);
    }
    stopping = true;
    log(`${sig}: finishing ${running} running point${running === 1 ? '' : 's'}, then stopping (${sig === 'SIGINT' ? 'Ctrl-C' : sig} again to leave them to other workers)`);
    await worker.close();
    await Promise.allSettled([pool.close(), lookups.close()]);
    log(`stopped (${done} done, ${failed} failed)`);
  };
  const closed = new Promise<void>((resolve) => {
    const on = (sig: NodeJS.Signals) => void stop(sig).then(resolve);
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });

  log(
    `serving queue '${name}' at ${target.url} with ${concurrency} thread${concurrency === 1 ? '' : 's'} (flowsim ${code.git ?? '(no git)'}, Node ${code.node}; lock ${lockDuration / 1000} s, stalled check every ${stalledInterval / 1000} s); Ctrl-C to stop`,
  );
  void worker.run().catch((e: unknown) => log(`stopped on an error: ${(e as Error).message}`));
  await worker.waitUntilReady();
  await closed;
  return 0;
}

const isMain = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  try {
    process.exitCode = await main(hideBin(process.argv));
  } catch (e) {
    if (e instanceof ExpError) {
      process.stderr.write(`error: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`internal error: ${e instanceof Error ? (process.env.FLOWSIM_DEBUG ? e.stack : e.message) : String(e)}\n`);
      process.exitCode = 1;
    }
    process.exit();
  }
}
