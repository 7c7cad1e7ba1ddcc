import seedrandom from 'seedrandom';

/** A source of uniform numbers in [0, 1). */
export interface Rng {
  (): number;
}

/**
 * Named random streams: each consumer draws from its own stream derived from (seed, name), so
 * adding a consumer never shifts the numbers another one sees. Streams use seedrandom's
 * xor4096 generator (long period, fast, identical on every platform).
 */
export class RandomStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: number | string) {}

  stream(name: string): Rng {
    let s = this.streams.get(name);
    if (!s) {
      const prng = seedrandom.xor4096(`${this.seed}\u0000${name}`);
      s = () => prng();
      this.streams.set(name, s);
    }
    return s;
  }
}

/** A standalone stream, for tools outside a simulation (generators, benchmarks). */
export function makeRng(seed: number | string, name = 'default'): Rng {
  return new RandomStreams(seed).stream(name);
}
