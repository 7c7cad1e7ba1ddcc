/** Across-seed aggregation: mean and the 95% confidence half-width from Student's t. */

/** t(0.975, df) for df = 1..30 (standard table values). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[df - 1];
  // Cornish-Fisher expansion around the normal quantile; error < 1e-3 for df > 30.
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df * df);
}

export interface MeanCI {
  n: number;
  mean: number | null;
  /** Half-width of the 95% CI; null with fewer than 2 values. */
  ci95: number | null;
}

export function meanCI(values: Array<number | null>): MeanCI {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { n, mean: null, ci95: null };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { n, mean, ci95: null };
  // identical values (deterministic service times): exactly 0, not rounding residue
  if (xs.every((x) => x === xs[0])) return { n, mean: xs[0], ci95: 0 };
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
  return { n, mean, ci95: tQuantile975(n - 1) * Math.sqrt(variance / n) };
}
