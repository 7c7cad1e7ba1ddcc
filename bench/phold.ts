/**
 * PHOLD, the standard event-engine benchmark, run twice on the same model:
 *
 * - `engine`: on flowsim's `Simulator` (register once, schedule `(delay, handler, payload)`).
 * - `bare`: a hand-written loop over a typed-array binary min-heap keyed by (time, sequence),
 *   with no engine at all. It is the practical limit for this model in Node on this machine.
 *
 * Model (ROSS settings as issue 2 fixes them): N logical processes (LPs), E start events per LP.
 * Each event, when handled, schedules exactly one new event: with probability `remote` to a
 * uniformly chosen *other* LP, else to itself, at `now + lookahead + Exp(mean)`.
 *
 * Fairness of the comparison:
 * - Both draw from the same generator (`makeRng`, seedrandom xor4096) in the same order, and both
 *   order events by (time, insertion sequence), so after K events both reach the same clock and
 *   the same checksum of destination LPs (checked on every run: a mismatch is an error).
 * - The bare loop is a competent heap: keys inline in parallel typed arrays, hole-based sifts,
 *   no per-event allocation, and the same pop-then-push discipline the engine follows.
 *   It does not carry cancellation bookkeeping (slot positions, generations) because it has no
 *   cancel: that bookkeeping is part of what the engine must pay for.
 * - Only the event loop is timed (queue initialisation is excluded in both); each measurement is
 *   preceded by a warm-up run of the same code so the JIT has optimised it.
 */
import { Simulator, makeRng, type Rng } from '../sim/engine/index.js';

export interface PholdConfig {
  lps: number;
  eventsPerLp: number;
  remote: number;
  lookahead: number;
  mean: number;
  seed: number;
}

export interface PholdRun {
  events: number;
  wallS: number;
  eventsPerS: number;
  /** Simulated clock after the last event (must match between engine and bare loop). */
  finalTime: number;
  /** Sum of destination LPs over all executed events (must match too). */
  checksum: number;
}

export const PHOLD_DEFAULTS = { remote: 0.25, lookahead: 0.1, mean: 0.9, seed: 1 } as const;

/** The PHOLD model on the engine. Returns after exactly `events` events have been handled. */
export function pholdEngine(cfg: PholdConfig, events: number): PholdRun {
  const { lps, eventsPerLp, remote, lookahead, mean } = cfg;
  const rng: Rng = makeRng(cfg.seed, 'phold');
  const sim = new Simulator(lps * eventsPerLp);
  let left = events;
  let checksum = 0;
  const lpsMinus1 = lps - 1;
  const onEvent = (lp: number): void => {
    checksum += lp;
    let dest = lp;
    if (rng() < remote) {
      // a uniformly chosen other LP
      dest = Math.floor(rng() * lpsMinus1);
      if (dest >= lp) dest++;
    }
    sim.schedule(lookahead - mean * Math.log(1 - rng()), handler, dest);
    if (--left === 0) sim.stop();
  };
  const handler = sim.register(onEvent);
  for (let lp = 0; lp < lps; lp++) {
    for (let k = 0; k < eventsPerLp; k++) sim.schedule(lookahead - mean * Math.log(1 - rng()), handler, lp);
  }
  const t0 = process.hrtime.bigint();
  sim.run();
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  if (sim.events !== events) throw new Error(`phold engine: ran ${sim.events} events, expected ${events}`);
  return { events, wallS, eventsPerS: events / wallS, finalTime: sim.now, checksum };
}

/** The same model on a bare typed-array binary heap keyed by (time, sequence). */
export function pholdBare(cfg: PholdConfig, events: number): PholdRun {
  const { lps, eventsPerLp, remote, lookahead, mean } = cfg;
  const rng: Rng = makeRng(cfg.seed, 'phold');
  const cap = lps * eventsPerLp;
  const ht = new Float64Array(cap);
  const hs = new Float64Array(cap);
  const hl = new Int32Array(cap);
  let n = 0;
  let seq = 0;

  const push = (t: number, lp: number): void => {
    const s = seq++;
    let i = n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ht[p];
      if (pt < t || (pt === t && hs[p] < s)) break;
      ht[i] = pt;
      hs[i] = hs[p];
      hl[i] = hl[p];
      i = p;
    }
    ht[i] = t;
    hs[i] = s;
    hl[i] = lp;
  };

  for (let lp = 0; lp < lps; lp++) {
    for (let k = 0; k < eventsPerLp; k++) push(lookahead - mean * Math.log(1 - rng()), lp);
  }

  const lpsMinus1 = lps - 1;
  let now = 0;
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (let e = 0; e < events; e++) {
    // pop the minimum: take the root, sift the last element down from the root
    now = ht[0];
    const lp = hl[0];
    const last = --n;
    if (last > 0) {
      const t = ht[last];
      const s = hs[last];
      const l = hl[last];
      let i = 0;
      const half = n >> 1;
      while (i < half) {
        let c = 2 * i + 1;
        let ct = ht[c];
        let cs = hs[c];
        const r = c + 1;
        if (r < n) {
          const rt = ht[r];
          if (rt < ct || (rt === ct && hs[r] < cs)) {
            c = r;
            ct = rt;
            cs = hs[r];
          }
        }
        if (t < ct || (t === ct && s < cs)) break;
        ht[i] = ct;
        hs[i] = cs;
        hl[i] = hl[c];
        i = c;
      }
      ht[i] = t;
      hs[i] = s;
      hl[i] = l;
    }
    // handle it: the same model code as the engine's handler
    checksum += lp;
    let dest = lp;
    if (rng() < remote) {
      dest = Math.floor(rng() * lpsMinus1);
      if (dest >= lp) dest++;
    }
    push(now + (lookahead - mean * Math.log(1 - rng())), dest);
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
  return { events, wallS, eventsPerS: events / wallS, finalTime: now, checksum };
}

export interface PholdCase {
  name: string;
  lps: number;
  eventsPerLp: number;
  events: number;
  engine: PholdRun;
  bare: PholdRun;
  /** Median over the measured pairs of (engine events/s) / (bare-loop events/s) within the pair. */
  ratio: number;
  /** Per-pair ratios, in run order. */
  ratios: number[];
  reps: number;
}

export interface PholdOptions {
  /** Events per measured run; default 1,500,000. */
  events?: number;
  /** Measured pairs (engine run + bare run, back to back) per population; default 7. */
  reps?: number;
  populations?: Array<[lps: number, eventsPerLp: number]>;
  log?: (line: string) => void;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs both implementations at each population in back-to-back pairs (alternating which goes
 * first), so slow drifts in machine load hit both sides of a pair alike. Reports the run with the
 * median events/s of each side and the median of the per-pair ratios.
 */
export function runPhold(opts: PholdOptions = {}): PholdCase[] {
  const events = opts.events ?? 1_500_000;
  const reps = opts.reps ?? 7;
  const populations = opts.populations ?? [
    [1024, 1],
    [16384, 16],
  ];
  const log = opts.log ?? (() => {});
  const out: PholdCase[] = [];
  for (const [lps, eventsPerLp] of populations) {
    const cfg: PholdConfig = { lps, eventsPerLp, ...PHOLD_DEFAULTS };
    // warm-up: the same functions, shorter, so both are optimised before timing
    const warm = Math.min(events, 500_000);
    pholdEngine(cfg, warm);
    pholdBare(cfg, warm);
    const eng: PholdRun[] = [];
    const bare: PholdRun[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < reps; r++) {
      let a: PholdRun;
      let b: PholdRun;
      if (r % 2 === 0) {
        a = pholdEngine(cfg, events);
        b = pholdBare(cfg, events);
      } else {
        b = pholdBare(cfg, events);
        a = pholdEngine(cfg, events);
      }
      if (a.finalTime !== b.finalTime || a.checksum !== b.checksum) {
        throw new Error(
          `phold ${lps}x${eventsPerLp}: engine and bare loop diverged (time ${a.finalTime} vs ${b.finalTime}, checksum ${a.checksum} vs ${b.checksum})`,
        );
      }
      eng.push(a);
      bare.push(b);
      ratios.push(a.eventsPerS / b.eventsPerS);
      log(
        `  ${lps}x${eventsPerLp} pair ${r + 1}/${reps}: engine ${(a.eventsPerS / 1e6).toFixed(2)} M/s, bare ${(b.eventsPerS / 1e6).toFixed(2)} M/s, ratio ${(a.eventsPerS / b.eventsPerS).toFixed(3)}`,
      );
    }
    const pick = (runs: PholdRun[]): PholdRun => {
      const m = median(runs.map((x) => x.eventsPerS));
      return runs.reduce((best, x) => (Math.abs(x.eventsPerS - m) < Math.abs(best.eventsPerS - m) ? x : best));
    };
    out.push({
      name: `phold-${lps}x${eventsPerLp}`,
      lps,
      eventsPerLp,
      events,
      engine: pick(eng),
      bare: pick(bare),
      ratio: median(ratios),
      ratios,
      reps,
    });
  }
  return out;
}
