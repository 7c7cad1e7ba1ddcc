/**
 * Summary statistics as the papers compute them.
 * - p50/p99: linear interpolation between closest ranks (numpy.percentile's default), which
 *   DataFlower's scripts use. FaaSFlow's tail scripts report the maximum when there are fewer
 *   than 100 samples (reference 1.E): that is `max`, reported alongside.
 */
import type { Stats } from '../scenario.js';

export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function summarize(values: ArrayLike<number>): Stats {
  const n = values.length;
  if (n === 0) return { count: 0, mean: NaN, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return { count: n, mean: sum / n, p50: percentileSorted(sorted, 0.5), p99: percentileSorted(sorted, 0.99), max: sorted[n - 1] };
}

/** A growable list of numbers that stores 8 bytes per sample (no object per record). */
export class Samples {
  private data = new Float64Array(64);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const d = new Float64Array(this.data.length * 2);
      d.set(this.data);
      this.data = d;
    }
    this.data[this.length++] = x;
  }
  view(): Float64Array {
    return this.data.subarray(0, this.length);
  }
}
