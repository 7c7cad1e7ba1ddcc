/** Worker side of calibrate/pool.ts: simulates the cells at each point it is sent. */
import { parentPort, workerData } from 'node:worker_threads';
import { evaluateCells } from './cells.js';
import type { MeasurementSet } from './measurements.js';

const { set, cells, seed, done, out } = workerData as { set: MeasurementSet; cells: number[]; seed?: number; done: SharedArrayBuffer; out: SharedArrayBuffer };
const flags = new Int32Array(done);
const results = new Float64Array(out);
const only = new Set(cells);
parentPort!.on('message', (m: { slot: number; values: number[] }) => {
  try {
    const r = evaluateCells(set, m.values, { only: (_c, i) => only.has(i), seed });
    r.forEach((c, k) => (results[m.slot * cells.length + k] = c.residual * Math.sqrt(c.weight)));
  } catch {
    Atomics.store(flags, 1, 1);
  }
  Atomics.add(flags, 0, 1);
  Atomics.notify(flags, 0);
});
