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
 * - Node loss: a worker is lost at a time for a duration, or again and again with exponential
 *   times between failures (MTBF) and to repair (MTTR) from the node's own stream. Everything on
 *   it stops at once: its containers (memory freed), its computations and its transfers (bytes
 *   counted lost); nothing starts there until it is back, and calls for it wait. An attempt that
 *   was running there fails ('node lost') and is retried as any failed attempt. A request whose
 *   intermediate data lived only on that worker (FaaStore's local memory, DataFlower's host and
 *   data unit; `Mode.losesStateOn`) cannot complete and fails; hyperflow keeps every output in the
 *   remote store and loses only the running attempts [ASSUMPTION: no checkpointing, no re-run of
 *   lost producers; a lost worker's engine is back with it]. Only workers can be lost.
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
  /** Workers lost at a time for a duration. */
  nodeLoss: Array<{ node: string; atS: number; durationS: number }>;
  /** Workers that fail again and again: exponential up times of mean mtbfS, down times of mean mttrS. */
  nodeFailures?: { nodes: string[]; mtbfS: number; mttrS: number };
}

export const NO_FAULTS: FaultSpec = {
  failure: { default: 0, perFunction: {} },
  crash: { default: 0, perFunction: {} },
  executionTimeout: { default: Infinity, perFunction: {} },
  retry: { max: 3, backoffS: 0.1, factor: 2 },
  links: [],
  storeOutages: [],
  nodeLoss: [],
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
    f.storeOutages.length > 0 ||
    f.nodeLoss.length > 0 ||
    (f.nodeFailures !== undefined && f.nodeFailures.nodes.length > 0)
  );
}

/** True when the spec loses nodes (the network must then be cancellable). */
export function losesNodes(f: FaultSpec | undefined): boolean {
  return f !== undefined && (f.nodeLoss.length > 0 || (f.nodeFailures !== undefined && f.nodeFailures.nodes.length > 0));
}

export type FailureCause = 'error' | 'crash' | 'execution timeout' | 'node lost';

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
  readonly failedAttempts: Record<FailureCause, number> = { error: 0, crash: 0, 'execution timeout': 0, 'node lost': 0 };
  /** Node losses that happened, and the seconds nodes were down in all (up to the run's end). */
  nodeLosses = 0;
  /** Attempts running on each node, with what kills each (the pipeline adds and removes them). */
  private readonly running = new Map<number, Map<object, () => void>>();
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

  /** An attempt started on `node`; `kill` stops it if the node is lost. */
  startedOn(node: number, attempt: object, kill: () => void): void {
    let m = this.running.get(node);
    if (!m) {
      m = new Map();
      this.running.set(node, m);
    }
    m.set(attempt, kill);
  }

  /** The attempt ended (done or failed). */
  endedOn(node: number, attempt: object): void {
    this.running.get(node)?.delete(attempt);
  }

  /** Kills every attempt running on `node` (it was lost); returns how many. */
  killOn(node: number): number {
    const m = this.running.get(node);
    if (!m) return 0;
    const kills = [...m.values()];
    m.clear();
    for (const k of kills) k();
    return kills.length;
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

/** A node's down intervals up to `horizonS`: the fixed losses, and MTBF/MTTR draws from `rng`. */
export function nodeDownSpans(spec: FaultSpec, node: string, horizonS: number, rng: Rng): Array<[number, number]> {
  const out: Array<[number, number]> = spec.nodeLoss.filter((l) => l.node === node).map((l) => [l.atS, l.atS + l.durationS] as [number, number]);
  const nf = spec.nodeFailures;
  if (nf && nf.nodes.includes(node)) {
    const exp = (mean: number) => -mean * Math.log(1 - rng());
    for (let t = exp(nf.mtbfS); t < horizonS; ) {
      const d = exp(nf.mttrS);
      out.push([t, t + d]);
      t += d + exp(nf.mtbfS);
    }
  }
  // merge overlaps: a node already down stays down until the later end
  out.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const s of out) {
    const last = merged[merged.length - 1];
    if (last && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  return merged;
}

/** Schedules a link's capacity changes on the simulator. */
export function scheduleLink(sim: Simulator, schedule: Array<[number, number]>, set: (bps: number) => void): void {
  for (const [t, bps] of schedule) sim.call(Math.max(0, t - sim.now), () => set(bps));
}
