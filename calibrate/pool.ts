/**
 * A synchronous pool of worker threads that simulates cell sets for the fit: the optimiser
 * (ml-levenberg-marquardt) calls its model synchronously, so the main thread hands a batch of
 * parameter points to the workers and blocks in Atomics.wait until they have written every
 * residual vector into shared memory. On 2 cores this halves the time of a Jacobian.
 */
import { Worker } from 'node:worker_threads';
import type { MeasurementSet } from './measurements.js';
import type { FreeValues } from './cells.js';

export interface PoolJob {
  values: FreeValues;
}

export class SyncPool {
  private readonly workers: Worker[];
  private readonly done: Int32Array;
  private readonly out: Float64Array;
  private readonly maxJobs: number;

  /** `cells`: the indices of the cells every job simulates (their residuals, in that order). */
  constructor(
    set: MeasurementSet,
    private readonly cells: number[],
    size: number,
    seed: number | undefined,
    maxJobs = 64,
  ) {
    this.maxJobs = maxJobs;
    this.done = new Int32Array(new SharedArrayBuffer(8));
    this.out = new Float64Array(new SharedArrayBuffer(8 * cells.length * maxJobs));
    this.workers = Array.from(
      { length: size },
      () => new Worker(new URL('./pool-worker.mjs', import.meta.url), { workerData: { set, cells, seed, done: this.done.buffer, out: this.out.buffer } }),
    );
  }

  /** Residual vectors (weighted) of every job, computed by the workers in parallel. */
  run(jobs: PoolJob[]): Float64Array[] {
    if (jobs.length > this.maxJobs) throw new RangeError(`at most ${this.maxJobs} jobs per batch`);
    Atomics.store(this.done, 0, 0);
    Atomics.store(this.done, 1, 0);
    jobs.forEach((j, k) => this.workers[k % this.workers.length].postMessage({ slot: k, values: j.values }));
    for (;;) {
      const n = Atomics.load(this.done, 0);
      if (n >= jobs.length) break;
      Atomics.wait(this.done, 0, n, 600_000);
    }
    if (Atomics.load(this.done, 1) !== 0) throw new Error('a calibration worker failed (run with one job to see why: --jobs 1)');
    const m = this.cells.length;
    return jobs.map((_, k) => this.out.slice(k * m, (k + 1) * m));
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
