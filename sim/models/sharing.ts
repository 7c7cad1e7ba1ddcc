/**
 * Max-min fair sharing of resources among activities (progressive filling), the model SimGrid's
 * LMM solver and faas-sim's Ether use for flow-level networks (models-and-formats.md), and that
 * flowsim also uses for processor sharing on a node's cores.
 *
 * - A resource has a capacity (bytes/s for a link, cores for a CPU).
 * - An activity has an amount of work (bytes, core-seconds), an optional rate bound (TCP window,
 *   a container's CPU quota) and consumes `weight x rate` on each resource it crosses.
 * - Rates: raise all unfrozen activities' rates together; when a resource saturates, freeze the
 *   activities crossing it; when an activity reaches its bound, freeze it; repeat.
 * - Rates are recomputed only when an activity starts or ends, and only for the connected
 *   component (activities linked through shared resources) of the change: activities outside it
 *   keep their rates exactly, so the result equals a full recomputation.
 * - Several changes at one instant are coalesced into one recomputation (a zero-delay event), so
 *   a fan-out of k flows costs one solve, not k.
 *
 * Left out: packet-level effects (queueing delay of small messages behind bulk flows, losses).
 */
import type { Simulator } from '../engine/simulator.js';

const EPS = 1e-9;

export interface ActivityObserver {
  (activity: number, rate: number, now: number): void;
}

export class FairShare {
  // resources
  private capacity: number[] = [];
  private resActs: number[][] = [];
  private resName: string[] = [];
  private resFree: number[] = [];
  private resStamp: number[] = [];

  // activities
  private actRes: number[][] = [];
  private actWeight: number[][] = [];
  private actBound: number[] = [];
  private actRemaining: number[] = [];
  private actRate: number[] = [];
  private actLast: number[] = [];
  private actEvent: number[] = [];
  private actDone: Array<(() => void) | undefined> = [];
  private actStamp: number[] = [];
  private actFree: number[] = [];
  private active = 0;

  private readonly completeHandler: number;
  private readonly solveHandler: number;
  private dirty: number[] = [];
  private solveScheduled = false;
  private stamp = 0;

  /** Statistics: solves, activities and resources visited. */
  solves = 0;
  actsTouched = 0;
  observer?: ActivityObserver;

  constructor(private readonly sim: Simulator) {
    this.completeHandler = sim.register((a) => this.complete(a));
    this.solveHandler = sim.register(() => this.solve());
  }

  get activeCount(): number {
    return this.active;
  }

  addResource(name: string, capacity: number): number {
    if (!(capacity > 0)) throw new RangeError(`resource '${name}': capacity must be > 0, got ${capacity}`);
    const id = this.resFree.length > 0 ? this.resFree.pop()! : this.capacity.length;
    this.capacity[id] = capacity;
    this.resActs[id] = [];
    this.resName[id] = name;
    this.resStamp[id] = 0;
    return id;
  }

  /** Removes an idle resource (no activity on it); its id may be reused. */
  removeResource(id: number): void {
    if (this.resActs[id].length > 0) throw new Error(`resource '${this.resName[id]}' still has activities`);
    this.resActs[id] = [];
    this.resFree.push(id);
  }

  resourceName(id: number): string {
    return this.resName[id];
  }

  resourceCapacity(id: number): number {
    return this.capacity[id];
  }

  get resourceCount(): number {
    return this.capacity.length;
  }

  rateOf(activity: number): number {
    return this.actRate[activity];
  }

  /**
   * Starts an activity of `work` units crossing `resources` with the given weights (default 1),
   * bounded by `bound` units/s (Infinity for none). `onDone` runs when the work is done.
   * Zero work completes at once (in a zero-delay event).
   */
  start(work: number, resources: readonly number[], weights: readonly number[] | null, bound: number, onDone: () => void): number {
    if (!(work >= 0)) throw new RangeError(`activity work must be >= 0, got ${work}`);
    const a = this.actFree.length > 0 ? this.actFree.pop()! : this.actRes.length;
    this.actRes[a] = resources.slice();
    this.actWeight[a] = weights ? weights.slice() : resources.map(() => 1);
    this.actBound[a] = bound > 0 ? bound : Infinity;
    this.actRemaining[a] = work;
    this.actRate[a] = 0;
    this.actLast[a] = this.sim.now;
    this.actEvent[a] = -1;
    this.actDone[a] = onDone;
    this.actStamp[a] = 0;
    this.active++;
    if (work <= 0 || resources.length === 0) {
      if (resources.length === 0 && work > 0 && this.actBound[a] !== Infinity) {
        // unconstrained except by its bound
        this.actRate[a] = this.actBound[a];
        this.actEvent[a] = this.sim.schedule(work / this.actBound[a], this.completeHandler, a);
      } else if (resources.length === 0 && work > 0) {
        throw new RangeError('an activity with work needs a resource or a bound');
      } else {
        this.actEvent[a] = this.sim.schedule(0, this.completeHandler, a);
      }
      return a;
    }
    for (const r of resources) this.resActs[r].push(a);
    this.markDirty(resources);
    return a;
  }

  private markDirty(resources: readonly number[]): void {
    for (const r of resources) this.dirty.push(r);
    if (!this.solveScheduled) {
      this.solveScheduled = true;
      this.sim.schedule(0, this.solveHandler, 0);
    }
  }

  private complete(a: number): void {
    this.actEvent[a] = -1;
    const res = this.actRes[a];
    for (let i = 0; i < res.length; i++) {
      const r = res[i];
      const list = this.resActs[r];
      const k = list.indexOf(a);
      if (k >= 0) {
        list[k] = list[list.length - 1];
        list.pop();
      }
    }
    const done = this.actDone[a]!;
    this.actDone[a] = undefined;
    this.actRate[a] = 0;
    this.active--;
    this.actFree.push(a);
    if (res.length > 0) this.markDirty(res);
    done();
  }

  /** Recomputes rates for the components touched since the last solve. */
  private solve(): void {
    this.solveScheduled = false;
    const now = this.sim.now;
    const stamp = ++this.stamp;
    // collect the component(s) of the dirty resources
    const resources: number[] = [];
    const acts: number[] = [];
    const stack = this.dirty;
    this.dirty = [];
    for (const r of stack) {
      if (this.resStamp[r] !== stamp) {
        this.resStamp[r] = stamp;
        resources.push(r);
      }
    }
    for (let i = 0; i < resources.length; i++) {
      const list = this.resActs[resources[i]];
      for (let j = 0; j < list.length; j++) {
        const a = list[j];
        if (this.actStamp[a] === stamp) continue;
        this.actStamp[a] = stamp;
        acts.push(a);
        const ar = this.actRes[a];
        for (let k = 0; k < ar.length; k++) {
          const r2 = ar[k];
          if (this.resStamp[r2] !== stamp) {
            this.resStamp[r2] = stamp;
            resources.push(r2);
          }
        }
      }
    }
    this.solves++;
    this.actsTouched += acts.length;
    if (acts.length === 0) return;
    const newRate = this.fill(resources, acts);
    // apply: advance remaining work at the old rate, reschedule where the rate changed
    for (let i = 0; i < acts.length; i++) {
      const a = acts[i];
      const rate = newRate[i];
      const old = this.actRate[a];
      if (rate === old && this.actEvent[a] >= 0) continue;
      this.actRemaining[a] = Math.max(0, this.actRemaining[a] - old * (now - this.actLast[a]));
      this.actLast[a] = now;
      this.actRate[a] = rate;
      if (this.actEvent[a] >= 0) this.sim.cancel(this.actEvent[a]);
      this.actEvent[a] = rate > 0 ? this.sim.schedule(this.actRemaining[a] / rate, this.completeHandler, a) : -1;
      if (this.observer) this.observer(a, rate, now);
    }
  }

  /** Progressive filling over one set of resources and the activities crossing them. */
  private fill(resources: number[], acts: number[]): Float64Array {
    const nr = resources.length;
    const na = acts.length;
    const local = new Map<number, number>();
    for (let i = 0; i < nr; i++) local.set(resources[i], i);
    const remCap = new Float64Array(nr);
    const wsum = new Float64Array(nr);
    for (let i = 0; i < nr; i++) remCap[i] = this.capacity[resources[i]];
    const frozen = new Uint8Array(na);
    const rate = new Float64Array(na);
    // local resource indices per activity
    const aRes: Int32Array[] = new Array(na);
    for (let j = 0; j < na; j++) {
      const a = acts[j];
      const ar = this.actRes[a];
      const aw = this.actWeight[a];
      const idx = new Int32Array(ar.length);
      for (let k = 0; k < ar.length; k++) {
        idx[k] = local.get(ar[k])!;
        wsum[idx[k]] += aw[k];
      }
      aRes[j] = idx;
    }
    const actsOfRes: number[][] = Array.from({ length: nr }, () => []);
    for (let j = 0; j < na; j++) for (const r of aRes[j]) actsOfRes[r].push(j);
    // activities sorted by bound for bound-freezing
    const byBound = Array.from({ length: na }, (_, j) => j)
      .filter((j) => this.actBound[acts[j]] !== Infinity)
      .sort((x, y) => this.actBound[acts[x]] - this.actBound[acts[y]] || x - y);
    let bi = 0;
    let left = na;
    const freeze = (j: number, r: number) => {
      frozen[j] = 1;
      rate[j] = r;
      left--;
      const a = acts[j];
      const aw = this.actWeight[a];
      const idx = aRes[j];
      for (let k = 0; k < idx.length; k++) {
        remCap[idx[k]] -= r * aw[k];
        wsum[idx[k]] -= aw[k];
      }
    };
    while (left > 0) {
      // the tightest resource
      let best = -1;
      let bestLevel = Infinity;
      for (let i = 0; i < nr; i++) {
        if (wsum[i] <= EPS) continue;
        const l = Math.max(0, remCap[i]) / wsum[i];
        if (l < bestLevel) {
          bestLevel = l;
          best = i;
        }
      }
      while (bi < byBound.length && frozen[byBound[bi]]) bi++;
      const nextBound = bi < byBound.length ? this.actBound[acts[byBound[bi]]] : Infinity;
      if (nextBound <= bestLevel) {
        freeze(byBound[bi], nextBound);
        continue;
      }
      if (best < 0) {
        // remaining activities cross only resources with no weight: unbounded (should not happen)
        for (let j = 0; j < na; j++) if (!frozen[j]) freeze(j, this.actBound[acts[j]]);
        break;
      }
      for (const j of actsOfRes[best]) if (!frozen[j]) freeze(j, bestLevel);
      wsum[best] = 0;
    }
    return rate;
  }

  /** Remaining work of an activity now (for tests and tracing). */
  remainingOf(a: number): number {
    return Math.max(0, this.actRemaining[a] - this.actRate[a] * (this.sim.now - this.actLast[a]));
  }

  /** Full recomputation of all current rates (reference for property tests). */
  fullRates(): Map<number, number> {
    const resources: number[] = [];
    for (let r = 0; r < this.capacity.length; r++) if (this.resActs[r] && this.resActs[r].length > 0) resources.push(r);
    const actsSet = new Set<number>();
    for (const r of resources) for (const a of this.resActs[r]) actsSet.add(a);
    const acts = [...actsSet].sort((x, y) => x - y);
    const rates = this.fill(resources, acts);
    const out = new Map<number, number>();
    acts.forEach((a, i) => out.set(a, rates[i]));
    return out;
  }

  /** Current rates of all active activities on resources. */
  currentRates(): Map<number, number> {
    const out = new Map<number, number>();
    for (let r = 0; r < this.capacity.length; r++) for (const a of this.resActs[r] ?? []) out.set(a, this.actRate[a]);
    return out;
  }
}
