/**
 * Human units, parsed once at the edge (configuration files, command line). Inside the simulator
 * everything is seconds, bytes and bytes per second.
 *
 * - Sizes: `256KiB`, `50MB`, `1.5GB`, `8B`, plain numbers = bytes. Decimal prefixes are powers of
 *   1000 (kB/KB, MB, GB, TB), binary ones powers of 1024 (KiB, MiB, GiB, TiB). Bits are accepted
 *   too (`8Mbit`, `8Mb`), divided by 8.
 * - Rates: a size per second: `50MB/s`, `1GiB/s`, or bits per second: `400Mbit/s`, `10Gbps`,
 *   `204800kbit` (tc's `kbit` = 1000 bit/s), plain numbers = bytes/s.
 * - Durations: `600s`, `5ms`, `50us` / `50µs`, `2min`, `1h`, `1.5d`, plain numbers = seconds.
 *
 * Parsers throw `UnitError` (message: what was expected and what was given); the config loader
 * turns it into a ConfigError that names the file and the path.
 */

export class UnitError extends Error {}

const SIZE_FACTORS: Record<string, number> = {
  b: 1,
  byte: 1,
  bytes: 1,
  k: 1e3,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Bit units (case-sensitive forms handled below): bit, kbit, Mbit, Gbit, Kibit, Mibit, Gibit; kb/Mb/Gb with a lower-case b. */
const BIT_FACTORS: Record<string, number> = {
  bit: 1,
  kbit: 1e3,
  mbit: 1e6,
  gbit: 1e9,
  tbit: 1e12,
  kibit: 1024,
  mibit: 1024 ** 2,
  gibit: 1024 ** 3,
};

/** Seconds per unit, as a multiplier (>= 1 s) or a divisor (sub-second units, so 50us is exactly 50 / 1e6). */
const DURATION_UNITS: Record<string, { mul: number } | { div: number }> = {
  ns: { div: 1e9 },
  us: { div: 1e6 },
  'µs': { div: 1e6 },
  'μs': { div: 1e6 },
  ms: { div: 1e3 },
  s: { mul: 1 },
  sec: { mul: 1 },
  min: { mul: 60 },
  m: { mul: 60 },
  h: { mul: 3600 },
  d: { mul: 86400 },
};

const NUMBER_UNIT = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-zµμ/]*)\s*$/;

export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return typeof v;
}

function split(v: unknown, what: string, example: string): { n: number; unit: string } {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new UnitError(`expected ${what} like ${example}, got ${v}`);
    return { n: v, unit: '' };
  }
  if (typeof v !== 'string') throw new UnitError(`expected ${what} like ${example}, got ${describeValue(v)}`);
  const m = NUMBER_UNIT.exec(v);
  if (!m) throw new UnitError(`expected ${what} like ${example}, got ${describeValue(v)}`);
  const n = Number(m[1]);
  if (!Number.isFinite(n)) throw new UnitError(`expected ${what} like ${example}, got ${describeValue(v)} (the number overflows)`);
  return { n, unit: m[2] };
}

/** Bytes per unit of a size unit (empty = bytes); undefined if it is not a size unit. */
function sizeFactor(unit: string): number | undefined {
  if (unit === '') return 1;
  // a lower-case 'b' after a prefix means bits (Mb, Gb, kb is ambiguous: treat 'kb' as kilobytes
  // only when written 'kB'/'KB'; 'kb' alone is kilobits as in networking usage)
  if (/^[kKMGT]b$/.test(unit)) return (SIZE_FACTORS[unit[0].toLowerCase() + 'b'] ?? NaN) / 8;
  const lower = unit.toLowerCase();
  if (lower in BIT_FACTORS) return BIT_FACTORS[lower] / 8;
  if (lower in SIZE_FACTORS) return SIZE_FACTORS[lower];
  return undefined;
}

/**
 * The largest values flowsim takes: far beyond any cluster (a petabyte, 30 years, a petabyte per
 * second), small enough that sums of simulated times and bytes stay finite.
 */
export const MAX_BYTES = 1e15;
export const MAX_SECONDS = 1e9;
export const MAX_RATE = 1e15;

/** Parses a size into bytes. Negative sizes are rejected. */
export function parseSize(v: unknown): number {
  const example = "'256KiB', '50MB' or a number of bytes";
  const { n, unit } = split(v, 'a size', example);
  const f = sizeFactor(unit);
  if (f === undefined) throw new UnitError(`expected a size like ${example}, got ${describeValue(v)} (unknown unit '${unit}')`);
  const bytes = n * f;
  if (!(bytes >= 0)) throw new UnitError(`expected a non-negative size like ${example}, got ${describeValue(v)}`);
  if (!Number.isFinite(bytes)) throw new UnitError(`expected a finite size like ${example}, got ${describeValue(v)} (it overflows)`);
  if (bytes > MAX_BYTES) throw new UnitError(`expected a size of at most 1 PB (1e15 bytes), got ${describeValue(v)}`);
  return bytes;
}

/** Parses a rate into bytes per second. Must be positive. */
export function parseRate(v: unknown): number {
  const example = "'50MB/s', '400Mbit/s' or a number of bytes/s";
  const { n, unit } = split(v, 'a rate', example);
  let u = unit;
  if (u.endsWith('/s')) u = u.slice(0, -2);
  else if (u.endsWith('Bps')) u = u.slice(0, -3) + 'B'; // MBps = MB/s
  else if (u.endsWith('bps')) u = u.slice(0, -3) + 'bit'; // Mbps, Gbps, kbps
  else if (u !== '' && !/bit$/i.test(u))
    throw new UnitError(`expected a rate like ${example}, got ${describeValue(v)} (a rate needs '/s' or 'bit')`);
  const f = sizeFactor(u);
  if (f === undefined) throw new UnitError(`expected a rate like ${example}, got ${describeValue(v)} (unknown unit '${unit}')`);
  const bps = n * f;
  if (!(bps > 0)) throw new UnitError(`expected a positive rate like ${example}, got ${describeValue(v)}`);
  if (!Number.isFinite(bps)) throw new UnitError(`expected a finite rate like ${example}, got ${describeValue(v)} (it overflows)`);
  if (bps > MAX_RATE) throw new UnitError(`expected a rate of at most 1 PB/s (1e15 bytes/s), got ${describeValue(v)}`);
  return bps;
}

/** Parses a duration into seconds. Negative durations are rejected. */
export function parseDuration(v: unknown): number {
  const example = "'600s', '5ms', '2min' or a number of seconds";
  const { n, unit } = split(v, 'a duration', example);
  const u = unit === '' ? { mul: 1 } : DURATION_UNITS[unit] ?? DURATION_UNITS[unit.toLowerCase()];
  if (u === undefined) throw new UnitError(`expected a duration like ${example}, got ${describeValue(v)} (unknown unit '${unit}')`);
  const s = 'div' in u ? n / u.div : n * u.mul;
  if (!(s >= 0)) throw new UnitError(`expected a non-negative duration like ${example}, got ${describeValue(v)}`);
  if (!Number.isFinite(s)) throw new UnitError(`expected a finite duration like ${example}, got ${describeValue(v)} (it overflows)`);
  if (s > MAX_SECONDS) throw new UnitError(`expected a duration of at most 1e9 s (about 30 years), got ${describeValue(v)}`);
  return s;
}

/**
 * The bandwidth cap FaaSFlow's README sets for a label of `mbps` "MB/s", in bytes/s.
 *
 * FaaSFlow shapes the storage node's docker0 with wondershaper, whose arguments are kbit/s:
 * 25/50/75/100 MB/s are 204800/409600/614400/819200 kbit, i.e. label x 8192 (x 1024 x 8).
 * wondershaper hands that number to tc as `kbit`, and tc's `kbit` is 1000 bit/s, so the real cap
 * is label x 8192 x 1000 bit/s = label x 1,024,000 bytes/s (50 MB/s -> 51.2e6 B/s, 2.4 % above
 * 50e6 and 2.3 % below 50 MiB/s).
 */
export function wondershaperCapBps(mbps: number): number {
  if (!(mbps > 0)) throw new UnitError(`expected a positive bandwidth in MB/s, got ${mbps}`);
  return (mbps * 8192 * 1000) / 8;
}

/** Bytes as a short human string (decimal units), for messages and docs. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}
