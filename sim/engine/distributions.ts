import type { Rng } from './random.js';

/** A distribution of non-negative or real values drawn from a uniform stream. */
export interface Distribution {
  sample(rng: Rng): number;
  readonly mean: number;
  describe(): string;
}

export class Constant implements Distribution {
  constructor(readonly value: number) {}
  sample(): number {
    return this.value;
  }
  get mean(): number {
    return this.value;
  }
  describe(): string {
    return `constant(${this.value})`;
  }
}

export class Uniform implements Distribution {
  constructor(readonly min: number, readonly max: number) {
    if (!(max >= min)) throw new RangeError(`uniform: max (${max}) must be >= min (${min})`);
  }
  sample(rng: Rng): number {
    return this.min + (this.max - this.min) * rng();
  }
  get mean(): number {
    return (this.min + this.max) / 2;
  }
  describe(): string {
    return `uniform(${this.min}, ${this.max})`;
  }
}

export class Exponential implements Distribution {
  constructor(readonly meanValue: number) {
    if (!(meanValue > 0)) throw new RangeError(`exponential: mean must be > 0, got ${meanValue}`);
  }
  sample(rng: Rng): number {
    // 1 - u lies in (0, 1], so the log is finite
    return -this.meanValue * Math.log(1 - rng());
  }
  get mean(): number {
    return this.meanValue;
  }
  describe(): string {
    return `exponential(mean=${this.meanValue})`;
  }
}

/** Box-Muller without caching the second value, so each draw consumes exactly two uniforms. */
function standardNormal(rng: Rng): number {
  const u1 = 1 - rng();
  const u2 = rng();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/** Normal distribution, optionally truncated below at `min` by resampling (default: no truncation). */
export class Normal implements Distribution {
  constructor(readonly mu: number, readonly sd: number, readonly min = -Infinity) {
    if (!(sd >= 0)) throw new RangeError(`normal: sd must be >= 0, got ${sd}`);
  }
  sample(rng: Rng): number {
    for (let i = 0; i < 1000; i++) {
      const x = this.mu + this.sd * standardNormal(rng);
      if (x >= this.min) return x;
    }
    return Math.max(this.min, this.mu);
  }
  get mean(): number {
    return this.mu;
  }
  describe(): string {
    return `normal(${this.mu}, ${this.sd})`;
  }
}

/** Lognormal given the mean and standard deviation of the variable itself (not of its log). */
export class LogNormal implements Distribution {
  readonly mu: number;
  readonly sigma: number;
  constructor(readonly meanValue: number, readonly sd: number) {
    if (!(meanValue > 0)) throw new RangeError(`lognormal: mean must be > 0, got ${meanValue}`);
    if (!(sd >= 0)) throw new RangeError(`lognormal: sd must be >= 0, got ${sd}`);
    const v = Math.log(1 + (sd * sd) / (meanValue * meanValue));
    this.sigma = Math.sqrt(v);
    this.mu = Math.log(meanValue) - v / 2;
  }
  sample(rng: Rng): number {
    return Math.exp(this.mu + this.sigma * standardNormal(rng));
  }
  get mean(): number {
    return this.meanValue;
  }
  describe(): string {
    return `lognormal(mean=${this.meanValue}, sd=${this.sd})`;
  }
}

/** Empirical distribution: picks one of the values, with optional weights. */
export class Empirical implements Distribution {
  private readonly cumulative: Float64Array;
  constructor(readonly values: readonly number[], weights?: readonly number[]) {
    if (values.length === 0) throw new RangeError('empirical: needs at least one value');
    const w = weights ?? values.map(() => 1);
    if (w.length !== values.length) throw new RangeError('empirical: weights and values differ in length');
    this.cumulative = new Float64Array(values.length);
    let total = 0;
    for (let i = 0; i < w.length; i++) {
      if (!(w[i] >= 0)) throw new RangeError(`empirical: weight ${i} must be >= 0`);
      total += w[i];
      this.cumulative[i] = total;
    }
    if (!(total > 0)) throw new RangeError('empirical: weights sum to 0');
    for (let i = 0; i < w.length; i++) this.cumulative[i] /= total;
  }
  sample(rng: Rng): number {
    const u = rng();
    const c = this.cumulative;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < c[mid]) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo];
  }
  get mean(): number {
    let m = 0;
    let prev = 0;
    for (let i = 0; i < this.values.length; i++) {
      m += this.values[i] * (this.cumulative[i] - prev);
      prev = this.cumulative[i];
    }
    return m;
  }
  describe(): string {
    return `empirical(${this.values.length} values)`;
  }
}

/** Plain-data form of a distribution, as it appears in configuration. */
export type DistributionSpec =
  | { kind: 'constant'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'exponential'; mean: number }
  | { kind: 'normal'; mean: number; sd: number; min?: number }
  | { kind: 'lognormal'; mean: number; sd: number }
  | { kind: 'empirical'; values: number[]; weights?: number[] };

export function makeDistribution(spec: DistributionSpec): Distribution {
  switch (spec.kind) {
    case 'constant':
      return new Constant(spec.value);
    case 'uniform':
      return new Uniform(spec.min, spec.max);
    case 'exponential':
      return new Exponential(spec.mean);
    case 'normal':
      return new Normal(spec.mean, spec.sd, spec.min ?? -Infinity);
    case 'lognormal':
      return new LogNormal(spec.mean, spec.sd);
    case 'empirical':
      return new Empirical(spec.values, spec.weights);
  }
}
