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
 * Implementation: activities with the same resources, weights and bound always get the same
 * rate, so they are grouped into a *class* and the solver works on classes (on a cluster, routes
 * are few: a node's uplink to the storage node, ...). Each class keeps a virtual service clock S
 * (work done by each of its activities since the class was created) and a min-heap of its
 * activities' finish thresholds (S at start + work), so a rate change reschedules one event per
 * class, not one per activity (the virtual-time technique of processor-sharing queues).
 *
 * Left out: packet-level effects (queueing delay of small messages behind bulk flows, losses).
 */
import type { Simulator } from '../engine/simulator.js';

const EPS = 1e-9;

export interface ActivityObserver {
  (activity: number, rate: number, now: number): void;
}

interface ShareClass {
  id: number;
  key: string;
  res: number[];
  w: number[];
  bound: number;
  /** Sharing penalty: at a bottleneck the class gets level / penalty (SimGrid's LMM sharing penalty). */
  p: number;
  rate: number;
  /** Virtual service (work per activity) at time `last`. */
  S: number;
  last: number;
  /** Min-heap of activity ids by threshold. */
  heap: number[];
  event: number;
  /** True while it has activities (it is then listed on its resources). */
  active: boolean;
  stamp: number;
  /** Index in the solver's current class list. */
  local: number;
}

export class FairShare {
  // resources
  private capacity: number[] = [];
  private resClasses: ShareClass[][] = [];
  private resName: string[] = [];
  private resFree: number[] = [];
  private resStamp: number[] = [];

  // classes
  private readonly classes = new Map<string, ShareClass>();
  private readonly classList: ShareClass[] = [];

  // activities
  private actClass: Array<ShareClass | null> = [];
  private actThreshold: number[] = [];
  private actDone: Array<(() => void) | undefined> = [];
  private actFree: number[] = [];
  /** Activities outside classes (zero work, or no resource and a bound): their own event. */
  private actSolo: number[] = [];
  private active = 0;

  private readonly classHandler: number;
  private readonly soloHandler: number;
  private readonly solveHandler: number;
  private dirty: number[] = [];
  private solveScheduled = false;
  private stamp = 0;

  // scratch buffers for the solver (grown as needed, never shrunk)
  private remCap = new Float64Array(64);
  private wsum = new Float64Array(64);
  private version = new Int32Array(64);
  private localOf: Int32Array = new Int32Array(64);

  /** Statistics: solves, classes and activities in the recomputed components. */
  solves = 0;
  actsTouched = 0;
  classesTouched = 0;
  observer?: ActivityObserver;

  constructor(private readonly sim: Simulator) {
    this.classHandler = sim.register((c) => this.classDue(this.classList[c]));
    this.soloHandler = sim.register((a) => this.finish(a));
    this.solveHandler = sim.register(() => this.solve());
  }

  get activeCount(): number {
    return this.active;
  }

  addResource(name: string, capacity: number): number {
    if (!(capacity > 0)) throw new RangeError(`resource '${name}': capacity must be > 0, got ${capacity}`);
    const id = this.resFree.length > 0 ? this.resFree.pop()! : this.capacity.length;
    this.capacity[id] = capacity;
    this.resClasses[id] = [];
    this.resName[id] = name;
    this.resStamp[id] = 0;
    if (id >= this.localOf.length) this.localOf = grow32(this.localOf, id + 1);
    return id;
  }

  /** Removes an idle resource (no activity on it); its id may be reused. */
  removeResource(id: number): void {
    if (this.resClasses[id].length > 0) throw new Error(`resource '${this.resName[id]}' still has activities`);
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
    const c = this.actClass[activity];
    return c ? c.rate : 0;
  }

  /**
   * Starts an activity of `work` units crossing `resources` with the given weights (default 1),
   * bounded by `bound` units/s (Infinity for none). `onDone` runs when the work is done.
   * Zero work completes at once (in a zero-delay event).
   * `penalty` (> 0, default 1): where activities share a saturated resource, each gets the fair
   * level divided by its penalty (SimGrid's LMM `sharing_penalty`: value = level / penalty), so
   * with penalty = RTT the shares are proportional to 1/RTT. Penalty 1 everywhere is plain max-min.
   */
  start(work: number, resources: readonly number[], weights: readonly number[] | null, bound: number, onDone: () => void, penalty = 1): number {
    if (!(penalty > 0 && penalty < Infinity)) throw new RangeError(`activity penalty must be > 0 and finite, got ${penalty}`);
    if (!(work >= 0)) throw new RangeError(`activity work must be >= 0, got ${work}`);
    const a = this.actFree.length > 0 ? this.actFree.pop()! : this.actClass.length;
    this.actDone[a] = onDone;
    this.actClass[a] = null;
    this.active++;
    const b = bound > 0 ? bound : Infinity;
    if (work <= 0) {
      this.actSolo[a] = this.sim.schedule(0, this.soloHandler, a);
      return a;
    }
    if (resources.length === 0) {
      if (b === Infinity) throw new RangeError('an activity with work needs a resource or a bound');
      this.actSolo[a] = this.sim.schedule(work / b, this.soloHandler, a);
      return a;
    }
    const c = this.classFor(resources, weights, b, penalty);
    this.advance(c);
    this.actClass[a] = c;
    this.actThreshold[a] = c.S + work;
    this.heapPush(c, a);
    if (!c.active) {
      c.active = true;
      for (const r of c.res) this.resClasses[r].push(c);
    }
    this.markDirty(c.res);
    return a;
  }

  private classFor(resources: readonly number[], weights: readonly number[] | null, bound: number, penalty: number): ShareClass {
    let key = bound === Infinity ? '' : `${bound}`;
    if (penalty !== 1) key += `/${penalty}`;
    for (let i = 0; i < resources.length; i++) key += `|${resources[i]}:${weights ? weights[i] : 1}`;
    let c = this.classes.get(key);
    if (!c) {
      c = {
        id: this.classList.length,
        key,
        res: resources.slice(),
        w: weights ? weights.slice() : resources.map(() => 1),
        bound,
        p: penalty,
        rate: 0,
        S: 0,
        last: this.sim.now,
        heap: [],
        event: -1,
        active: false,
        stamp: 0,
        local: -1,
      };
      this.classes.set(key, c);
      this.classList.push(c);
    }
    return c;
  }

  /** Brings a class's virtual clock to now. */
  private advance(c: ShareClass): void {
    const now = this.sim.now;
    if (now > c.last) {
      c.S += c.rate * (now - c.last);
      c.last = now;
    }
  }

  private markDirty(resources: readonly number[]): void {
    for (const r of resources) this.dirty.push(r);
    if (!this.solveScheduled) {
      this.solveScheduled = true;
      this.sim.schedule(0, this.solveHandler, 0);
    }
  }

  private finish(a: number): void {
    const done = this.actDone[a]!;
    this.actDone[a] = undefined;
    this.actClass[a] = null;
    this.active--;
    this.actFree.push(a);
    done();
  }

  /** The earliest activity of class c is due: finish every activity whose threshold is reached. */
  private classDue(c: ShareClass): void {
    c.event = -1;
    this.advance(c);
    const heap = c.heap;
    const top = this.actThreshold[heap[0]];
    // the event was computed for `top`: do not let rounding leave it behind
    if (c.S < top) c.S = top;
    const finished: number[] = [];
    while (heap.length > 0 && this.actThreshold[heap[0]] <= c.S + EPS * Math.max(1, c.S)) finished.push(this.heapPop(c));
    if (heap.length === 0) {
      c.active = false;
      c.rate = 0;
      for (const r of c.res) {
        const list = this.resClasses[r];
        const k = list.indexOf(c);
        list[k] = list[list.length - 1];
        list.pop();
      }
    }
    this.markDirty(c.res);
    for (const a of finished) this.finish(a);
  }

  /** Recomputes rates for the components touched since the last solve. */
  private solve(): void {
    this.solveScheduled = false;
    const stamp = ++this.stamp;
    const resources: number[] = [];
    const cls: ShareClass[] = [];
    const stack = this.dirty;
    this.dirty = [];
    for (const r of stack) {
      if (this.resStamp[r] !== stamp) {
        this.resStamp[r] = stamp;
        resources.push(r);
      }
    }
    for (let i = 0; i < resources.length; i++) {
      const list = this.resClasses[resources[i]];
      for (let j = 0; j < list.length; j++) {
        const c = list[j];
        if (c.stamp === stamp) continue;
        c.stamp = stamp;
        cls.push(c);
        for (const r2 of c.res) {
          if (this.resStamp[r2] !== stamp) {
            this.resStamp[r2] = stamp;
            resources.push(r2);
          }
        }
      }
    }
    this.solves++;
    this.classesTouched += cls.length;
    if (cls.length === 0) return;
    const rates = this.fill(resources, cls);
    const now = this.sim.now;
    for (let i = 0; i < cls.length; i++) {
      const c = cls[i];
      this.actsTouched += c.heap.length;
      this.advance(c);
      const rate = rates[i];
      const changed = rate !== c.rate;
      c.rate = rate;
      // reschedule the class's next completion (its rate or its earliest activity may have changed)
      if (c.event >= 0) this.sim.cancel(c.event);
      c.event = rate > 0 ? this.sim.schedule(Math.max(0, this.actThreshold[c.heap[0]] - c.S) / rate, this.classHandler, c.id) : -1;
      if (changed && this.observer) for (const a of c.heap) this.observer(a, rate, now);
    }
  }

  /**
   * Progressive filling over a set of resources and the classes crossing them. The tightest
   * resource is found with a lazy min-heap of fair levels (remaining capacity / weight): freezing
   * classes at the current minimum level only raises the other resources' levels, so stale heap
   * entries are skipped when popped (version check) and each solve costs O((R + C) log R).
   */
  private fill(resources: number[], cls: ShareClass[]): Float64Array {
    const nr = resources.length;
    const nc = cls.length;
    if (this.remCap.length < nr) {
      this.remCap = new Float64Array(nr * 2);
      this.wsum = new Float64Array(nr * 2);
      this.version = new Int32Array(nr * 2);
    }
    const remCap = this.remCap;
    const wsum = this.wsum;
    const version = this.version;
    const localOf = this.localOf;
    for (let i = 0; i < nr; i++) {
      localOf[resources[i]] = i;
      remCap[i] = this.capacity[resources[i]];
      wsum[i] = 0;
      version[i] = 0;
    }
    const count = new Float64Array(nc);
    for (let j = 0; j < nc; j++) {
      const c = cls[j];
      c.local = j;
      count[j] = c.heap.length;
      for (let k = 0; k < c.res.length; k++) wsum[localOf[c.res[k]]] += (c.w[k] * count[j]) / c.p;
    }
    const frozen = new Uint8Array(nc);
    const rate = new Float64Array(nc);
    const byBound: number[] = [];
    for (let j = 0; j < nc; j++) if (cls[j].bound !== Infinity) byBound.push(j);
    // a bounded class freezes when the level reaches bound x penalty
    byBound.sort((x, y) => cls[x].bound * cls[x].p - cls[y].bound * cls[y].p || x - y);
    const heap = new LevelHeap(nr);
    const level = (i: number) => Math.max(0, remCap[i]) / wsum[i];
    for (let i = 0; i < nr; i++) if (wsum[i] > EPS) heap.push(level(i), i, 0);
    let bi = 0;
    let left = nc;
    const freeze = (j: number, r: number) => {
      frozen[j] = 1;
      rate[j] = r;
      left--;
      const c = cls[j];
      for (let k = 0; k < c.res.length; k++) {
        const i = localOf[c.res[k]];
        remCap[i] -= r * c.w[k] * count[j];
        wsum[i] -= (c.w[k] * count[j]) / c.p;
        version[i]++;
        if (wsum[i] > EPS) heap.push(level(i), i, version[i]);
      }
    };
    while (left > 0) {
      // the tightest live resource
      let best = -1;
      let bestLevel = Infinity;
      while (heap.size > 0) {
        const i = heap.topIndex();
        if (heap.topVersion() !== version[i] || wsum[i] <= EPS) {
          heap.pop();
          continue;
        }
        best = i;
        bestLevel = heap.topLevel();
        break;
      }
      while (bi < byBound.length && frozen[byBound[bi]]) bi++;
      const nextBound = bi < byBound.length ? cls[byBound[bi]].bound * cls[byBound[bi]].p : Infinity;
      if (nextBound <= bestLevel) {
        freeze(byBound[bi], cls[byBound[bi]].bound);
        continue;
      }
      if (best < 0) {
        for (let j = 0; j < nc; j++) if (!frozen[j]) freeze(j, cls[j].bound);
        break;
      }
      heap.pop();
      for (const c of this.resClasses[resources[best]]) {
        if (c.stamp !== this.stamp) continue;
        if (!frozen[c.local]) freeze(c.local, bestLevel / c.p);
      }
      wsum[best] = 0;
      version[best]++;
    }
    return rate;
  }

  // --- per-class heap of activities by threshold (ties by id, for determinism) ---

  private less(a: number, b: number): boolean {
    const ta = this.actThreshold[a];
    const tb = this.actThreshold[b];
    return ta < tb || (ta === tb && a < b);
  }

  private heapPush(c: ShareClass, a: number): void {
    const h = c.heap;
    let i = h.length;
    h.push(a);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = a;
  }

  private heapPop(c: ShareClass): number {
    const h = c.heap;
    const top = h[0];
    const last = h.pop()!;
    if (h.length > 0) {
      let i = 0;
      const n = h.length;
      for (;;) {
        let m = 2 * i + 1;
        if (m >= n) break;
        if (m + 1 < n && this.less(h[m + 1], h[m])) m++;
        if (!this.less(h[m], last)) break;
        h[i] = h[m];
        i = m;
      }
      h[i] = last;
    }
    return top;
  }

  /**
   * Stops an activity before its end (a lost node, a cancelled transfer): its callback never runs
   * and the others' rates are recomputed. Returns the work it had left (0 if it already ended).
   */
  cancel(a: number): number {
    if (this.actDone[a] === undefined) return 0;
    const c = this.actClass[a];
    let left = 0;
    if (c) {
      this.advance(c);
      left = Math.max(0, this.actThreshold[a] - c.S);
      const h = c.heap;
      const k = h.indexOf(a);
      // take it out of the class's heap: rebuild from the others (a cold path)
      const rest = h.filter((_, i) => i !== k);
      h.length = 0;
      for (const x of rest) this.heapPush(c, x);
      if (c.event >= 0) this.sim.cancel(c.event);
      c.event = -1;
      if (h.length === 0) {
        c.active = false;
        c.rate = 0;
        for (const r of c.res) {
          const list = this.resClasses[r];
          const j = list.indexOf(c);
          list[j] = list[list.length - 1];
          list.pop();
        }
      }
      this.markDirty(c.res);
    } else {
      this.sim.cancel(this.actSolo[a]);
    }
    this.actDone[a] = undefined;
    this.actClass[a] = null;
    this.active--;
    this.actFree.push(a);
    return left;
  }

  /** Cancels every activity crossing resource `id` (a lost node's work); returns how many. */
  cancelAllOn(id: number): number {
    const acts: number[] = [];
    for (const c of this.resClasses[id]) acts.push(...c.heap);
    for (const a of acts) this.cancel(a);
    return acts.length;
  }

  /** Changes a resource's capacity from now on (a bandwidth trace step); rates are recomputed. */
  setCapacity(id: number, capacity: number): void {
    if (!(capacity > 0)) throw new RangeError(`resource '${this.resName[id]}': capacity must be > 0, got ${capacity}`);
    if (capacity === this.capacity[id]) return;
    // bring the classes on it to now at their old rates before the change
    for (const c of this.resClasses[id]) this.advance(c);
    this.capacity[id] = capacity;
    this.markDirty([id]);
  }

  /** Remaining work of an activity now (for tests and tracing). */
  remainingOf(a: number): number {
    const c = this.actClass[a];
    if (!c) return 0;
    return Math.max(0, this.actThreshold[a] - (c.S + c.rate * (this.sim.now - c.last)));
  }

  /** Full recomputation of all current rates, per activity (reference for property tests). */
  fullRates(): Map<number, number> {
    const cls = this.classList.filter((c) => c.active);
    const resSet = new Set<number>();
    for (const c of cls) for (const r of c.res) resSet.add(r);
    const stamp = ++this.stamp;
    for (const c of cls) c.stamp = stamp;
    const rates = this.fill([...resSet], cls);
    const out = new Map<number, number>();
    cls.forEach((c, i) => {
      for (const a of c.heap) out.set(a, rates[i]);
    });
    return out;
  }

  /** Current rates of all active activities on resources. */
  currentRates(): Map<number, number> {
    const out = new Map<number, number>();
    for (const c of this.classList) if (c.active) for (const a of c.heap) out.set(a, c.rate);
    return out;
  }
}

function grow32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/** Binary min-heap of (level, resource, version) on typed arrays; ties by resource index. */
class LevelHeap {
  private lv: Float64Array;
  private ix: Int32Array;
  private ver: Int32Array;
  size = 0;
  constructor(capacity: number) {
    const n = Math.max(16, capacity * 2);
    this.lv = new Float64Array(n);
    this.ix = new Int32Array(n);
    this.ver = new Int32Array(n);
  }
  private before(a: number, b: number): boolean {
    return this.lv[a] < this.lv[b] || (this.lv[a] === this.lv[b] && this.ix[a] < this.ix[b]);
  }
  private swap(a: number, b: number): void {
    const l = this.lv[a], i = this.ix[a], v = this.ver[a];
    this.lv[a] = this.lv[b]; this.ix[a] = this.ix[b]; this.ver[a] = this.ver[b];
    this.lv[b] = l; this.ix[b] = i; this.ver[b] = v;
  }
  push(level: number, index: number, version: number): void {
    if (this.size === this.lv.length) {
      const grow = <T extends Float64Array | Int32Array>(a: T): T => {
        const b = new (a.constructor as { new (n: number): T })(a.length * 2);
        b.set(a);
        return b;
      };
      this.lv = grow(this.lv);
      this.ix = grow(this.ix);
      this.ver = grow(this.ver);
    }
    let k = this.size++;
    this.lv[k] = level;
    this.ix[k] = index;
    this.ver[k] = version;
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.before(k, p)) break;
      this.swap(k, p);
      k = p;
    }
  }
  topLevel(): number {
    return this.lv[0];
  }
  topIndex(): number {
    return this.ix[0];
  }
  topVersion(): number {
    return this.ver[0];
  }
  pop(): void {
    const last = --this.size;
    if (last === 0) return;
    this.swap(0, last);
    let k = 0;
    for (;;) {
      const l = 2 * k + 1;
      if (l >= last) break;
      const m = l + 1 < last && this.before(l + 1, l) ? l + 1 : l;
      if (!this.before(m, k)) break;
      this.swap(k, m);
      k = m;
    }
  }
}
