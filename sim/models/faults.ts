/**
 * Faults and recovery (issue 12): what can go wrong in a run, when, and how an invocation is
 * retried. Every random draw comes from the fault model's own named streams (`faults/...`), so
 * that adding faults shifts no other stream; with no faults declared nothing here runs.
 *
 * - Function failure: each attempt of function f fails with probability p_f (its own, else the
 *   default). A failing attempt computes a fraction u ~ U(0,1) of a service time drawn from the
 *   function's distribution (with the fault stream), writes nothing and raises: the container
 *   survives the exception (a Flask handler returns 500) [ASSUMPTION].
 * - Container crash: each attempt's container dies with probability c_f, at a fraction u ~ U(0,1)
 *   of a drawn service time; the container is gone (the retry may need a cold start).
 * - Execution timeout: an attempt whose compute would exceed T_f seconds is killed after T_f of
 *   compute (T_f counted in compute time at its own CPU share, not slowed by contention)
 *   [ASSUMPTION: a simplification of a wall-clock limit].
 * - Recovery: the engine that invoked the container retries a failed attempt after a backoff
 *   (backoffS x factor^(attempt-1)), at most `max` times; a function still failing then fails
 *   its request, which is reported as failed with the cause and stops (its queued work is
 *   dropped as a cancelled request's) [ASSUMPTION: the references describe no retry policy;
 *   DataFlower's experiments report 95% success at a 20% task failure rate, which needs retries].
 * - Link capacity over time: steps (at t, a factor of the nominal capacity or a rate) or a random
 *   walk (every interval, the factor is multiplied by exp(N(0, sigma)) and clipped to
 *   [min, max]), pre-drawn up to the run's horizon from the link's own stream.
 * - Remote store outages: intervals during which the remote store accepts no operation; an
 *   operation issued then waits until the store is back (clients retry until it answers)
 *   [ASSUMPTION]. Left out: DataFlower's streams already open, node loss (not modelled yet).
 */
import type { Simulator } from '../engine/simulator.js';
import type { RandomStreams, Rng } from '../engine/random.js';
import type { Distribution } from '../engine/distributions.js';

export interface LinkStep {
  atS: number;
  /** Capacity from then on: a factor of the nominal capacity, or a rate in bytes/s. */
  factor?: number;
  bps?: number;
}

export interface LinkWalk {
  everyS: number;
  sigma: number;
  min: number;
  max: number;
}

export interface LinkTrace {
  /** A network link name (`storage.down`, `w0.up`, ...: `npm run sim` lists them). */
  link: string;
  steps?: LinkStep[];
  walk?: LinkWalk;
}

export interface FaultSpec {
  /** Probability that one attempt fails: `default` for every function, `perFunction` by name. */
  failure: { default: number; perFunction: Record<string, number> };
  /** Probability that one attempt's container crashes: `default`, `perFunction` by name. */
  crash: { default: number; perFunction: Record<string, number> };
  /** Compute-time limit of one attempt, seconds (Infinity: none). */
  executionTimeout: { default: number; perFunction: Record<string, number> };
  retry: { max: number; backoffS: number; factor: number };
  links: LinkTrace[];
  storeOutages: Array<{ atS: number; durationS: number }>;
}

export const NO_FAULTS: FaultSpec = {
  failure: { default: 0, perFunction: {} },
  crash: { default: 0, perFunction: {} },
  executionTimeout: { default: Infinity, perFunction: {} },
  retry: { max: 3, backoffS: 0.1, factor: 2 },
  links: [],
  storeOutages: [],
};

/** True when the spec injects anything (recovery options alone do not). */
export function hasFaults(f: FaultSpec | undefined): f is FaultSpec {
  if (!f) return false;
  return (
    f.failure.default > 0 ||
    Object.values(f.failure.perFunction).some((p) => p > 0) ||
    f.crash.default > 0 ||
    Object.values(f.crash.perFunction).some((p) => p > 0) ||
    Number.isFinite(f.executionTimeout.default) ||
    Object.values(f.executionTimeout.perFunction).some((t) => Number.isFinite(t)) ||
    f.links.length > 0 ||
    f.storeOutages.length > 0
  );
}

export type FailureCause = 'error' | 'crash' | 'execution timeout';

/** What happens to one attempt's compute. */
export interface AttemptFate {
  /** Compute seconds the attempt runs before it ends or fails. */
  computeS: number;
  /** Why it fails after computing, or undefined when it succeeds. */
  fails?: FailureCause;
}

/** Per-function fault state of one application. */
interface AppFaults {
  p: number[];
  crash: number[];
  limitS: number[];
  rng: Rng[];
}

export class FaultModel {
  private readonly apps: AppFaults[] = [];
  /** Attempts that failed, by cause; attempts retried; requests failed. */
  readonly failedAttempts: Record<FailureCause, number> = { error: 0, crash: 0, 'execution timeout': 0 };
  retries = 0;

  constructor(
    readonly spec: FaultSpec,
    private readonly streams: RandomStreams,
  ) {}

  /** Registers an application's functions (names resolved to their probabilities and limits). */
  addApp(appName: string, functionNames: readonly string[]): void {
    const s = this.spec;
    this.apps.push({
      p: functionNames.map((n) => s.failure.perFunction[n] ?? s.failure.default),
      crash: functionNames.map((n) => s.crash.perFunction[n] ?? s.crash.default),
      limitS: functionNames.map((n) => s.executionTimeout.perFunction[n] ?? s.executionTimeout.default),
      rng: functionNames.map((n) => this.streams.stream(`faults/function/${appName}/${n}`)),
    });
  }

  /**
   * The fate of one attempt of function f of app `app` whose successful compute would take
   * `serviceS` (drawn by the caller from the function's own stream); `dist` draws a failing
   * attempt's own service time.
   */
  attempt(app: number, f: number, serviceS: number, dist: Distribution): AttemptFate {
    const a = this.apps[app];
    const p = a.p[f];
    const c = a.crash[f];
    const limit = a.limitS[f];
    if (p > 0 || c > 0) {
      const rng = a.rng[f];
      // one draw decides: error with probability p, else crash with probability c
      const x = rng();
      const cause: FailureCause | undefined = x < p ? 'error' : x < p + (1 - p) * c ? 'crash' : undefined;
      if (cause) {
        const u = rng();
        const s = Math.max(0, dist.sample(rng)) * u;
        if (s > limit) return { computeS: limit, fails: 'execution timeout' };
        return { computeS: s, fails: cause };
      }
    }
    if (serviceS > limit) return { computeS: limit, fails: 'execution timeout' };
    return { computeS: serviceS };
  }

  /** Seconds before retry number `attempt` (1 for the first retry), or -1 when no retry is left. */
  backoff(attempt: number): number {
    const r = this.spec.retry;
    if (attempt > r.max) return -1;
    return r.backoffS * Math.pow(r.factor, attempt - 1);
  }
}

/**
 * The capacity changes of one link up to `horizonS`: [time, nominal bytes/s] pairs in time order.
 * `nominalBps` is the link's capacity as built.
 */
export function linkSchedule(trace: LinkTrace, nominalBps: number, horizonS: number, rng: Rng): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const s of trace.steps ?? []) out.push([s.atS, s.bps ?? (s.factor ?? 1) * nominalBps]);
  if (trace.walk) {
    const w = trace.walk;
    let factor = 1;
    for (let t = w.everyS; t <= horizonS; t += w.everyS) {
      // Box-Muller from two uniforms of the link's own stream
      const z = Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
      factor = Math.min(w.max, Math.max(w.min, factor * Math.exp(w.sigma * z)));
      out.push([t, factor * nominalBps]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Remote-store outages as sorted [start, end) intervals; `delayUntilUp(now)` is the wait for an operation issued now. */
export class Outages {
  private readonly spans: Array<[number, number]>;

  constructor(list: ReadonlyArray<{ atS: number; durationS: number }>) {
    this.spans = list.map((o) => [o.atS, o.atS + o.durationS] as [number, number]).sort((a, b) => a[0] - b[0]);
  }

  get any(): boolean {
    return this.spans.length > 0;
  }

  delayUntilUp(now: number): number {
    let t = now;
    for (const [a, b] of this.spans) if (t >= a && t < b) t = b;
    return t - now;
  }
}

/** Schedules a link's capacity changes on the simulator. */
export function scheduleLink(sim: Simulator, schedule: Array<[number, number]>, set: (bps: number) => void): void {
  for (const [t, bps] of schedule) sim.call(Math.max(0, t - sim.now), () => set(bps));
}
