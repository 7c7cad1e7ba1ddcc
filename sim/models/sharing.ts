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
 * class, not one per activity (the virtual-time technique of processor-sharing queues). A large
 * solve (many classes, e.g. any-to-any traffic) re-times its classes with one event for the
 * earliest of them (SolveGroup). Class data lives in typed arrays indexed by class id, so a solve
 * over thousands of classes walks contiguous memory.
 *
 * Left out: packet-level effects (queueing delay of small messages behind bulk flows, losses).
 */
import type { Simulator } from '../engine/simulator.js';

const EPS = 1e-9;

export interface ActivityObserver {
  (activity: number, rate: number, now: number): void;
}

/**
 * The classes of one large solve, with one engine event at the earliest of their completions
 * instead of one event each (a solve of C classes then costs O(C) to re-time, not O(C log C)).
 * A later solve always covers whole connected components, so a class leaves its group when it is
 * re-solved, finishes or is cancelled; the group's event then serves the members that are left.
 * Members due at the same instant are served in solve order, the order their own events had.
 */
interface SolveGroup {
  id: number;
  members: Int32Array;
  /** Members still attached. */
  alive: number;
  event: number;
}

/** Solves of at least this many classes re-time them with one group event (see SolveGroup). */
const GROUP_MIN = 64;

export class FairShare {
  // resources
  private capacity: number[] = [];
  private resClasses: number[][] = [];
  private resName: string[] = [];
  private resFree: number[] = [];
  private resStamp: Int32Array = new Int32Array(64);

  // classes (ids index the arrays below; a class is never deleted, only inactive)
  private readonly classes = new Map<string, number>();
  private nClasses = 0;
  private cResOff = new Int32Array(65); // class c's resources: resPool[cResOff[c] .. cResOff[c + 1])
  private resPool = new Int32Array(128);
  private wPool = new Float64Array(128);
  private cBound = new Float64Array(64);
  /** Sharing penalty: at a bottleneck the class gets level / penalty (SimGrid's LMM sharing penalty). */
  private cP = new Float64Array(64);
  private cRate = new Float64Array(64);
  /** Virtual service (work per activity) at time cLast. */
  private cS = new Float64Array(64);
  private cLast = new Float64Array(64);
  /** Threshold of the class's earliest activity (Infinity when none). */
  private cTop = new Float64Array(64);
  /** Activities in the class. */
  private cN = new Int32Array(64);
  /** With a group: the time of its next completion (Infinity for none). */
  private cDue = new Float64Array(64);
  private cStamp = new Int32Array(64);
  /** Index in the solver's current class list. */
  private cLocal = new Int32Array(64);
  /** Its own completion event (small solves), or -1 (engine handles go up to 2^53: not an Int32Array). */
  private cEvent = new Float64Array(64);
  /** The group standing for its completion (large solves), or -1. */
  private cGroup = new Int32Array(64);
  /** 1 while it has activities (it is then listed on its resources). */
  private cActive = new Uint8Array(64);
  /** Min-heap of activity ids by threshold, per class. */
  private cHeap: number[][] = [];

  // activities
  private actClass: number[] = [];
  private actThreshold: number[] = [];
  private actDone: Array<(() => void) | undefined> = [];
  private actFree: number[] = [];
  /** Activities outside classes (zero work, or no resource and a bound): their own event. */
  private actSolo: number[] = [];
  private active = 0;

  private readonly classHandler: number;
  private readonly soloHandler: number;
  private readonly solveHandler: number;
  private readonly groupHandler: number;
  private readonly groups: SolveGroup[] = [];
  private readonly groupFree: number[] = [];
  private dirty: number[] = [];
  private solveScheduled = false;
  private stamp = 0;

  // scratch buffers for the solver (grown as needed, never shrunk)
  private remCap = new Float64Array(64);
  private wsum = new Float64Array(64);
  private version = new Int32Array(64);
  private localOf: Int32Array = new Int32Array(64);
  private touched = new Int32Array(64);
  private tickList = new Int32Array(64);
  private tickCount = 0;
  private resList = new Int32Array(64);
  private clsList = new Int32Array(64);
  private rateBuf = new Float64Array(64);
  private countBuf = new Float64Array(64);
  private frozenBuf = new Uint8Array(64);
  private boundHeap = new Int32Array(64);
  private boundKey = new Float64Array(64);
  private readonly levelTree = new LevelTree();

  /** Statistics: solves, classes and activities in the recomputed components. */
  solves = 0;
  actsTouched = 0;
  classesTouched = 0;
  observer?: ActivityObserver;
  /**
   * 0 (default): rates are recomputed at the instant of every change (exact). q > 0, an
   * approximation: changes wait for the next multiple of q seconds and are solved together, so
   * a new activity runs at 0 (or, in an existing class, at the class's rate) and a finished one's
   * share stays idle for up to q.
   */
  quantum = 0;

  constructor(private readonly sim: Simulator) {
    this.classHandler = sim.register((c) => this.classDue(c));
    this.soloHandler = sim.register((a) => this.finish(a));
    this.solveHandler = sim.register(() => this.solve());
    this.groupHandler = sim.register((g) => this.groupDue(this.groups[g]));
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
    if (id >= this.resStamp.length) this.resStamp = grow32(this.resStamp, id + 1);
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
    return c >= 0 ? this.cRate[c] : 0;
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
    this.actClass[a] = -1;
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
    this.actThreshold[a] = this.cS[c] + work;
    this.heapPush(c, a);
    if (!this.cActive[c]) {
      this.cActive[c] = 1;
      for (let k = this.cResOff[c]; k < this.cResOff[c + 1]; k++) this.resClasses[this.resPool[k]].push(c);
    }
    this.markDirty(c);
    return a;
  }

  private classFor(resources: readonly number[], weights: readonly number[] | null, bound: number, penalty: number): number {
    let key = bound === Infinity ? '' : `${bound}`;
    if (penalty !== 1) key += `/${penalty}`;
    for (let i = 0; i < resources.length; i++) key += `|${resources[i]}:${weights ? weights[i] : 1}`;
    let c = this.classes.get(key);
    if (c === undefined) {
      c = this.nClasses++;
      if (c + 1 >= this.cBound.length) this.growClasses(c + 2);
      const off = this.cResOff[c];
      const end = off + resources.length;
      if (end > this.resPool.length) {
        const n = Math.max(end, this.resPool.length * 2);
        this.resPool = grow32(this.resPool, n);
        this.wPool = growF64(this.wPool, n);
      }
      for (let i = 0; i < resources.length; i++) {
        this.resPool[off + i] = resources[i];
        this.wPool[off + i] = weights ? weights[i] : 1;
      }
      this.cResOff[c + 1] = end;
      this.cBound[c] = bound;
      this.cP[c] = penalty;
      this.cRate[c] = 0;
      this.cS[c] = 0;
      this.cLast[c] = this.sim.now;
      this.cTop[c] = Infinity;
      this.cN[c] = 0;
      this.cDue[c] = Infinity;
      this.cStamp[c] = 0;
      this.cLocal[c] = -1;
      this.cEvent[c] = -1;
      this.cGroup[c] = -1;
      this.cActive[c] = 0;
      this.cHeap[c] = [];
      this.classes.set(key, c);
    }
    return c;
  }

  private growClasses(n: number): void {
    const m = Math.max(n, this.cBound.length * 2);
    this.cResOff = grow32(this.cResOff, m + 1);
    this.cBound = growF64(this.cBound, m);
    this.cP = growF64(this.cP, m);
    this.cRate = growF64(this.cRate, m);
    this.cS = growF64(this.cS, m);
    this.cLast = growF64(this.cLast, m);
    this.cTop = growF64(this.cTop, m);
    this.cN = grow32(this.cN, m);
    this.cDue = growF64(this.cDue, m);
    this.cStamp = grow32(this.cStamp, m);
    this.cLocal = grow32(this.cLocal, m);
    this.cEvent = growF64(this.cEvent, m);
    this.cGroup = grow32(this.cGroup, m);
    const act = new Uint8Array(m);
    act.set(this.cActive);
    this.cActive = act;
  }

  /** Brings a class's virtual clock to now. */
  private advance(c: number): void {
    const now = this.sim.now;
    if (now > this.cLast[c]) {
      this.cS[c] += this.cRate[c] * (now - this.cLast[c]);
      this.cLast[c] = now;
    }
  }

  private markDirty(c: number): void {
    for (let k = this.cResOff[c]; k < this.cResOff[c + 1]; k++) this.dirty.push(this.resPool[k]);
    this.scheduleSolve();
  }

  private scheduleSolve(): void {
    if (!this.solveScheduled) {
      this.solveScheduled = true;
      const q = this.quantum;
      if (q > 0) {
        const now = this.sim.now;
        this.sim.scheduleAt(Math.max(now, Math.ceil(now / q) * q), this.solveHandler, 0);
      } else this.sim.schedule(0, this.solveHandler, 0);
    }
  }

  private finish(a: number): void {
    const done = this.actDone[a]!;
    this.actDone[a] = undefined;
    this.actClass[a] = -1;
    this.active--;
    this.actFree.push(a);
    done();
  }

  /** Takes class c off its resources' lists (it has no activity left). */
  private deactivate(c: number): void {
    this.cActive[c] = 0;
    this.cRate[c] = 0;
    for (let k = this.cResOff[c]; k < this.cResOff[c + 1]; k++) {
      const list = this.resClasses[this.resPool[k]];
      const j = list.indexOf(c);
      list[j] = list[list.length - 1];
      list.pop();
    }
  }

  /** The earliest activity of class c is due: finish every activity whose threshold is reached. */
  private classDue(c: number): void {
    this.cEvent[c] = -1;
    this.detach(c);
    this.advance(c);
    const heap = this.cHeap[c];
    const top = this.actThreshold[heap[0]];
    // the event was computed for `top`: do not let rounding leave it behind
    if (this.cS[c] < top) this.cS[c] = top;
    const S = this.cS[c];
    const finished: number[] = [];
    while (heap.length > 0 && this.actThreshold[heap[0]] <= S + EPS * Math.max(1, S)) finished.push(this.heapPop(c));
    if (heap.length === 0) this.deactivate(c);
    this.markDirty(c);
    for (const a of finished) this.finish(a);
  }

  /** Recomputes rates for the components touched since the last solve. */
  private solve(): void {
    this.solveScheduled = false;
    const stamp = ++this.stamp;
    const stack = this.dirty;
    this.dirty = [];
    const resStamp = this.resStamp;
    const cStamp = this.cStamp;
    const resPool = this.resPool;
    const cResOff = this.cResOff;
    if (this.resList.length < this.capacity.length) this.resList = new Int32Array(this.capacity.length * 2);
    if (this.clsList.length < this.nClasses) this.clsList = new Int32Array(this.nClasses * 2);
    const resources = this.resList;
    const cls = this.clsList;
    // the component walk also sets up the filling (the same values, added in the same order, as fill())
    this.ensureScratch(this.capacity.length, this.nClasses);
    const remCap = this.remCap;
    const wsum = this.wsum;
    const version = this.version;
    const touched = this.touched;
    const localOf = this.localOf;
    const capacity = this.capacity;
    const wPool = this.wPool;
    const cP = this.cP;
    const cN = this.cN;
    const cBound = this.cBound;
    const cLocal = this.cLocal;
    const count = this.countBuf;
    const frozen = this.frozenBuf;
    const rate0 = this.rateBuf;
    const bh = this.boundHeap;
    const bkey = this.boundKey;
    let nr = 0;
    let nc = 0;
    let nb = 0;
    for (const r of stack) {
      if (resStamp[r] !== stamp) {
        resStamp[r] = stamp;
        localOf[r] = nr;
        remCap[nr] = capacity[r];
        wsum[nr] = 0;
        version[nr] = 0;
        touched[nr] = 0;
        resources[nr++] = r;
      }
    }
    for (let i = 0; i < nr; i++) {
      const list = this.resClasses[resources[i]];
      for (let j = 0; j < list.length; j++) {
        const c = list[j];
        if (cStamp[c] === stamp) continue;
        cStamp[c] = stamp;
        cLocal[c] = nc;
        const n = cN[c];
        count[nc] = n;
        frozen[nc] = 0;
        rate0[nc] = 0;
        const p = cP[c];
        for (let k = cResOff[c]; k < cResOff[c + 1]; k++) {
          const r2 = resPool[k];
          if (resStamp[r2] !== stamp) {
            resStamp[r2] = stamp;
            localOf[r2] = nr;
            remCap[nr] = capacity[r2];
            wsum[nr] = 0;
            version[nr] = 0;
            touched[nr] = 0;
            resources[nr++] = r2;
          }
          // x / 1 is x exactly: skip the division for plain max-min
          wsum[localOf[r2]] += p === 1 ? wPool[k] * n : (wPool[k] * n) / p;
        }
        if (cBound[c] !== Infinity) {
          bkey[nc] = cBound[c] * p;
          bh[nb++] = nc;
        }
        cls[nc++] = c;
      }
    }
    this.solves++;
    this.classesTouched += nc;
    if (nc === 0) return;
    const rates = this.fillPrepared(resources, nr, cls, nc, nb);
    const now = this.sim.now;
    const g = nc >= GROUP_MIN ? this.newGroup(cls.slice(0, nc)) : null;
    let next = Infinity;
    const cRate = this.cRate;
    const cS = this.cS;
    const cTop = this.cTop;
    for (let i = 0; i < nc; i++) {
      const c = cls[i];
      this.actsTouched += this.cN[c];
      this.advance(c);
      const rate = rates[i];
      const changed = rate !== cRate[c];
      cRate[c] = rate;
      // reschedule the class's next completion (its rate or its earliest activity may have changed)
      this.detach(c);
      if (g) {
        this.cGroup[c] = g.id;
        g.alive++;
        // the time schedule() would give: now + delay
        const due = rate > 0 ? now + Math.max(0, cTop[c] - cS[c]) / rate : Infinity;
        this.cDue[c] = due;
        if (due < next) next = due;
      } else {
        this.cEvent[c] = rate > 0 ? this.sim.schedule(Math.max(0, cTop[c] - cS[c]) / rate, this.classHandler, c) : -1;
      }
      if (changed && this.observer) for (const a of this.cHeap[c]) this.observer(a, rate, now);
    }
    if (g) g.event = next < Infinity ? this.sim.scheduleAt(next, this.groupHandler, g.id) : -1;
  }

  private newGroup(members: Int32Array): SolveGroup {
    const id = this.groupFree.length > 0 ? this.groupFree.pop()! : this.groups.length;
    const g: SolveGroup = { id, members, alive: 0, event: -1 };
    this.groups[id] = g;
    return g;
  }

  /** Takes a class off its pending completion: its own event or its group's. */
  private detach(c: number): void {
    if (this.cEvent[c] >= 0) {
      this.sim.cancel(this.cEvent[c]);
      this.cEvent[c] = -1;
    }
    const gid = this.cGroup[c];
    if (gid >= 0) {
      const g = this.groups[gid];
      this.cGroup[c] = -1;
      this.cDue[c] = Infinity;
      if (--g.alive === 0) {
        if (g.event >= 0) this.sim.cancel(g.event);
        g.event = -1;
        this.groupFree.push(g.id);
      }
    }
  }

  /** A group's earliest completion is due: serve its members due now (in solve order), then re-arm. */
  private groupDue(g: SolveGroup): void {
    g.event = -1;
    const t = this.sim.now;
    const members = g.members;
    const id = g.id;
    const due: number[] = [];
    for (let i = 0; i < members.length; i++) {
      const c = members[i];
      if (this.cGroup[c] === id && this.cDue[c] === t) due.push(c);
    }
    // hold the group while serving (a member's callbacks may detach every other member)
    g.alive++;
    for (const c of due) if (this.cGroup[c] === id && this.cDue[c] === t) this.classDue(c);
    let next = Infinity;
    for (let i = 0; i < members.length; i++) {
      const c = members[i];
      if (this.cGroup[c] === id && this.cDue[c] < next) next = this.cDue[c];
    }
    if (--g.alive === 0) this.groupFree.push(id);
    else if (next < Infinity) g.event = this.sim.scheduleAt(next, this.groupHandler, id);
  }

  /**
   * Progressive filling over a set of resources and the classes crossing them. The tightest
   * resource (smallest fair level, remaining capacity / weight; ties by index) is the root of a
   * tournament tree over the solve's resources: a step updates each resource it changed once
   * (after all the classes of the saturated resource are frozen), so a solve costs
   * O(R + C log R). Bounded classes are taken from a heap by bound x penalty (ties by index).
   */
  private ensureScratch(nr: number, nc: number): void {
    if (this.remCap.length < nr) {
      this.remCap = new Float64Array(nr * 2);
      this.wsum = new Float64Array(nr * 2);
      this.version = new Int32Array(nr * 2);
      this.touched = new Int32Array(nr * 2);
    }
    if (this.rateBuf.length < nc) {
      this.rateBuf = new Float64Array(nc * 2);
      this.countBuf = new Float64Array(nc * 2);
      this.frozenBuf = new Uint8Array(nc * 2);
      this.boundHeap = new Int32Array(nc * 2);
      this.boundKey = new Float64Array(nc * 2);
    }
  }

  private fill(resources: Int32Array | number[], nr: number, cls: Int32Array | number[], nc: number): Float64Array {
    this.ensureScratch(nr, nc);
    const remCap = this.remCap;
    const wsum = this.wsum;
    const version = this.version;
    const touched = this.touched;
    const localOf = this.localOf;
    const resPool = this.resPool;
    const wPool = this.wPool;
    const cResOff = this.cResOff;
    const cP = this.cP;
    const cBound = this.cBound;
    const cLocal = this.cLocal;
    for (let i = 0; i < nr; i++) {
      localOf[resources[i]] = i;
      remCap[i] = this.capacity[resources[i]];
      wsum[i] = 0;
      version[i] = 0;
      touched[i] = 0;
    }
    const count = this.countBuf;
    const frozen = this.frozenBuf;
    const rate = this.rateBuf;
    const bh = this.boundHeap;
    const bkey = this.boundKey;
    let nb = 0;
    for (let j = 0; j < nc; j++) {
      const c = cls[j];
      cLocal[c] = j;
      const n = this.cN[c];
      count[j] = n;
      frozen[j] = 0;
      rate[j] = 0;
      const p = cP[c];
      for (let k = cResOff[c]; k < cResOff[c + 1]; k++) wsum[localOf[resPool[k]]] += (wPool[k] * n) / p;
      if (cBound[c] !== Infinity) {
        bkey[j] = cBound[c] * p;
        bh[nb++] = j;
      }
    }
    return this.fillPrepared(resources, nr, cls, nc, nb);
  }

  /** The filling proper, once fill() or solve() has set up the solve's scratch arrays. */
  private fillPrepared(resources: Int32Array | number[], nr: number, cls: Int32Array | number[], nc: number, nb: number): Float64Array {
    const remCap = this.remCap;
    const wsum = this.wsum;
    const version = this.version;
    const touched = this.touched;
    const stamp = this.stamp;
    const cP = this.cP;
    const cBound = this.cBound;
    const cLocal = this.cLocal;
    const cStamp = this.cStamp;
    const frozen = this.frozenBuf;
    const rate = this.rateBuf;
    const bh = this.boundHeap;
    const bkey = this.boundKey;
    // a bounded class freezes when the level reaches bound x penalty: heap of them by that key
    for (let k = (nb >> 1) - 1; k >= 0; k--) boundSiftDown(bh, bkey, k, nb);
    const tree = this.levelTree;
    tree.reset(nr);
    for (let i = 0; i < nr; i++) if (wsum[i] > EPS) tree.setLeaf(i, Math.max(0, remCap[i]) / wsum[i]);
    tree.build();
    let left = nc;
    let tick = 0;
    while (left > 0) {
      // the tightest live resource
      const best = tree.minIndex();
      const bestLevel = best >= 0 ? tree.minLevel() : Infinity;
      // the smallest bound of the unfrozen classes, looked for only when the heap's top (which
      // may be frozen, and is then no larger) could be reached: usually no bound binds
      if (nb > 0 && bkey[bh[0]] <= bestLevel) {
        while (nb > 0 && frozen[bh[0]]) {
          bh[0] = bh[--nb];
          boundSiftDown(bh, bkey, 0, nb);
        }
      }
      const nextBound = nb > 0 ? bkey[bh[0]] : Infinity;
      tick++;
      if (nextBound <= bestLevel) {
        const j = bh[0];
        bh[0] = bh[--nb];
        boundSiftDown(bh, bkey, 0, nb);
        this.freezeClass(cls[j], j, cBound[cls[j]], tick);
        left--;
      } else if (best < 0) {
        for (let j = 0; j < nc; j++) if (!frozen[j]) this.freezeClass(cls[j], j, cBound[cls[j]], tick);
        break;
      } else {
        const list = this.resClasses[resources[best]];
        for (let q = 0; q < list.length; q++) {
          const c = list[q];
          if (cStamp[c] !== stamp || frozen[cLocal[c]]) continue;
          const p = cP[c];
          this.freezeClass(c, cLocal[c], p === 1 ? bestLevel : bestLevel / p, tick);
          left--;
        }
        wsum[best] = 0;
        version[best]++;
        if (touched[best] !== tick) tree.clearLeaf(best, true);
      }
      // update the levels the step changed, once each: leaf by leaf, or the whole tree at once
      // when that is cheaper (the tree's content depends only on its leaves)
      const tl = this.tickList;
      const nt = this.tickCount;
      const whole = nt * tree.depth > tree.leaves;
      for (let q = 0; q < nt; q++) {
        const i = tl[q];
        if (wsum[i] > EPS) tree.setLeaf(i, Math.max(0, remCap[i]) / wsum[i], !whole);
        else tree.clearLeaf(i, !whole);
      }
      if (whole) tree.build();
      this.tickCount = 0;
    }
    this.tickCount = 0;
    return rate;
  }

  /** Freezes class c (local index j) at rate r: takes its use off its resources' remaining capacity. */
  private freezeClass(c: number, j: number, r: number, tick: number): void {
    this.frozenBuf[j] = 1;
    this.rateBuf[j] = r;
    const n = this.countBuf[j];
    const p = this.cP[c];
    const remCap = this.remCap;
    const wsum = this.wsum;
    const version = this.version;
    const touched = this.touched;
    const localOf = this.localOf;
    const resPool = this.resPool;
    const wPool = this.wPool;
    for (let k = this.cResOff[c]; k < this.cResOff[c + 1]; k++) {
      const i = localOf[resPool[k]];
      remCap[i] -= r * wPool[k] * n;
      wsum[i] -= p === 1 ? wPool[k] * n : (wPool[k] * n) / p;
      version[i]++;
      if (touched[i] !== tick) {
        touched[i] = tick;
        if (this.tickCount === this.tickList.length) this.tickList = grow32(this.tickList, this.tickCount + 1);
        this.tickList[this.tickCount++] = i;
      }
    }
  }

  // --- per-class heap of activities by threshold (ties by id, for determinism) ---

  private less(a: number, b: number): boolean {
    const ta = this.actThreshold[a];
    const tb = this.actThreshold[b];
    return ta < tb || (ta === tb && a < b);
  }

  private heapPush(c: number, a: number): void {
    const h = this.cHeap[c];
    let i = h.length;
    h.push(a);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(a, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = a;
    this.cN[c] = h.length;
    this.cTop[c] = this.actThreshold[h[0]];
  }

  private heapPop(c: number): number {
    const h = this.cHeap[c];
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
    this.cN[c] = h.length;
    this.cTop[c] = h.length > 0 ? this.actThreshold[h[0]] : Infinity;
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
    if (c >= 0) {
      this.advance(c);
      left = Math.max(0, this.actThreshold[a] - this.cS[c]);
      const h = this.cHeap[c];
      const k = h.indexOf(a);
      // take it out of the class's heap: rebuild from the others (a cold path)
      const rest = h.filter((_, i) => i !== k);
      h.length = 0;
      for (const x of rest) this.heapPush(c, x);
      this.cN[c] = h.length;
      this.cTop[c] = h.length > 0 ? this.actThreshold[h[0]] : Infinity;
      this.detach(c);
      if (h.length === 0) this.deactivate(c);
      this.markDirty(c);
    } else {
      this.sim.cancel(this.actSolo[a]);
    }
    this.actDone[a] = undefined;
    this.actClass[a] = -1;
    this.active--;
    this.actFree.push(a);
    return left;
  }

  /** Cancels every activity crossing resource `id` (a lost node's work); returns how many. */
  cancelAllOn(id: number): number {
    const acts: number[] = [];
    for (const c of this.resClasses[id]) acts.push(...this.cHeap[c]);
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
    this.dirty.push(id);
    this.scheduleSolve();
  }

  /** Remaining work of an activity now (for tests and tracing). */
  remainingOf(a: number): number {
    const c = this.actClass[a];
    if (c === undefined || c < 0) return 0;
    return Math.max(0, this.actThreshold[a] - (this.cS[c] + this.cRate[c] * (this.sim.now - this.cLast[c])));
  }

  private activeClasses(): number[] {
    const out: number[] = [];
    for (let c = 0; c < this.nClasses; c++) if (this.cActive[c]) out.push(c);
    return out;
  }

  /** Full recomputation of all current rates, per activity (reference for property tests). */
  fullRates(): Map<number, number> {
    const cls = this.activeClasses();
    const resSet = new Set<number>();
    for (const c of cls) for (let k = this.cResOff[c]; k < this.cResOff[c + 1]; k++) resSet.add(this.resPool[k]);
    const stamp = ++this.stamp;
    for (const c of cls) this.cStamp[c] = stamp;
    const res = [...resSet];
    const rates = this.fill(res, res.length, cls, cls.length);
    const out = new Map<number, number>();
    cls.forEach((c, i) => {
      for (const a of this.cHeap[c]) out.set(a, rates[i]);
    });
    return out;
  }

  /** Current rates of all active activities on resources. */
  currentRates(): Map<number, number> {
    const out = new Map<number, number>();
    for (const c of this.activeClasses()) for (const a of this.cHeap[c]) out.set(a, this.cRate[c]);
    return out;
  }
}

/** Sift-down in a binary min-heap of class indices keyed by key[] (ties by index). */
function boundSiftDown(h: Int32Array, key: Float64Array, k: number, n: number): void {
  const x = h[k];
  const kx = key[x];
  for (;;) {
    let m = 2 * k + 1;
    if (m >= n) break;
    if (m + 1 < n) {
      const a = h[m + 1];
      const b = h[m];
      if (key[a] < key[b] || (key[a] === key[b] && a < b)) m++;
    }
    const y = h[m];
    if (!(key[y] < kx || (key[y] === kx && y < x))) break;
    h[k] = y;
    k = m;
  }
  h[k] = x;
}

function grow32(a: Int32Array, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

function growF64(a: Float64Array, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/**
 * Tournament tree (min segment tree) over resource indices 0..n-1 of their levels; the root is
 * the smallest level, ties by smaller index, the order the old lazy heap popped them in. A removed
 * resource is +Infinity with index NONE, behind every live one.
 */
const NONE = 0x7fffffff;
class LevelTree {
  private lv = new Float64Array(2);
  private ix = new Int32Array(2);
  private size = 1;
  /** Leaves (a power of two) and levels above them. */
  leaves = 1;
  depth = 0;

  reset(n: number): void {
    let p = 1;
    let d = 0;
    while (p < n) {
      p <<= 1;
      d++;
    }
    this.leaves = p;
    this.depth = d;
    if (this.lv.length < 2 * p) {
      this.lv = new Float64Array(2 * p);
      this.ix = new Int32Array(2 * p);
    }
    this.size = p;
    this.lv.fill(Infinity, p, 2 * p);
    this.ix.fill(NONE, p, 2 * p);
  }

  /** Sets leaf i; `propagate`: also its ancestors (else call build() after the leaves). */
  setLeaf(i: number, level: number, propagate = false): void {
    const k = this.size + i;
    this.lv[k] = level;
    this.ix[k] = i;
    if (propagate) this.up(k);
  }

  /** Removes leaf i (its resource is saturated or has no weight left). */
  clearLeaf(i: number, propagate = false): void {
    const k = this.size + i;
    if (this.ix[k] === NONE) return;
    this.lv[k] = Infinity;
    this.ix[k] = NONE;
    if (propagate) this.up(k);
  }

  build(): void {
    for (let k = this.size - 1; k >= 1; k--) this.pull(k);
  }

  private pull(k: number): void {
    const lv = this.lv;
    const ix = this.ix;
    const a = 2 * k;
    const b = a + 1;
    const m = lv[b] < lv[a] || (lv[b] === lv[a] && ix[b] < ix[a]) ? b : a;
    lv[k] = lv[m];
    ix[k] = ix[m];
  }

  /** Re-pulls the ancestors of node k, stopping where a node does not change. */
  private up(k: number): void {
    const lv = this.lv;
    const ix = this.ix;
    for (k >>= 1; k >= 1; k >>= 1) {
      const a = 2 * k;
      const b = a + 1;
      const m = lv[b] < lv[a] || (lv[b] === lv[a] && ix[b] < ix[a]) ? b : a;
      if (lv[k] === lv[m] && ix[k] === ix[m]) break;
      lv[k] = lv[m];
      ix[k] = ix[m];
    }
  }

  minIndex(): number {
    const i = this.ix[1];
    return i === NONE ? -1 : i;
  }

  minLevel(): number {
    return this.lv[1];
  }
}
