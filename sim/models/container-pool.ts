/**
 * Container pools: one pool per (function, node), as both systems' function managers keep them
 * (reference 1.B "Containers and timeouts", 2.B "Containers").
 *
 * - Dispatch: a call is looked at by the dispatch loop, which runs every `dispatchPeriodS`
 *   (FaaSFlow 5 ms, DataFlower 3 ms): a call waits until the next tick. Queued calls are served
 *   in the queue policy's order (policies/queue.ts; FIFO by default, as both systems), within a
 *   pool and across the pools waiting for memory on a node.
 * - Warm start: an idle container of the function on that node is reused (most recently used
 *   first, so the least recently used ones expire).
 * - Cold start: if the pool has fewer than `maxContainers` containers and the node has memory
 *   for one more, a container starts and is ready after a cold-start time drawn from the
 *   configured distribution. Without memory, idle containers of other functions on the node are
 *   evicted, least recently used first; if that is not enough the call waits for memory.
 * - Keep-alive: the keep-alive policy (policies/keep-alive.ts) says how long an idle container is
 *   kept, or that it is removed and a fresh one pre-warmed later (fixed 600 s by default, both
 *   systems; their 5 s cleaning period is not modelled). A pre-warmed container starts like a cold
 *   one (memory, cold-start time) and serves the pool's queued calls first.
 *
 * Left out: image pulls (images are pre-built on every node in both papers), FaaSFlow's
 * off-by-one limit (max+1 containers) and its lock bug under load (reference 1.B).
 */
import type { Simulator } from '../engine/simulator.js';
import type { Distribution } from '../engine/distributions.js';
import type { Rng } from '../engine/random.js';
import type { Nodes } from './node.js';
import type { KeepAlivePolicy } from '../policies/keep-alive.js';
import type { QueuePolicy, WaitingCall } from '../policies/queue.js';
import { fifo } from '../policies/queue-fifo.js';
import { fixedKeepAlive } from '../policies/keep-alive-fixed.js';

export interface Container {
  id: number;
  pool: Pool;
  node: number;
  memoryBytes: number;
  lastUsed: number;
  expiry: number;
  busy: boolean;
  /** Gone with its node (faults): a later release or discard of it does nothing. */
  dead?: boolean;
  /** Extra per-container state a mode may attach (e.g. DataFlower's egress link). */
  data?: unknown;
}

type Waiter = (c: Container, cold: boolean) => void;

/** What the queue policy may know about a call (the rest of WaitingCall is the pool's). */
export type CallInfo = Omit<WaitingCall, 'seq' | 'arrival'> & { req?: { cancelled: boolean } };

interface Pool {
  key: string;
  /** `key@node`: the keep-alive policy's name for the pool. */
  id: string;
  node: number;
  count: number;
  idle: Container[];
  /** Queued calls, in the policy's order, and what each was queued with (for dropping cancelled ones). */
  waiters: Waiter[];
  calls: CallInfo[];
  /** What the policy orders by, index for index with `waiters` (kept only for a non-FIFO policy). */
  waitInfo: WaitingCall[];
  memoryBytes: number;
  maxContainers: number;
  /** Pre-warmed containers still starting (they will serve queued calls). */
  prewarming: number;
}

const NO_INFO: CallInfo = { requestStart: 0, app: 0, f: 0, predictedS: 0, priority: 0, deadline: Infinity };

export interface AcquireOptions {
  memoryBytes: number;
  maxContainers: number;
  dispatchPeriodS: number;
}

export class ContainerPools {
  coldStarts = 0;
  warmStarts = 0;
  prewarms = 0;
  live = 0;
  peak = 0;
  evictions = 0;
  /** Queued calls dropped because their request was cancelled. */
  dropped = 0;
  /** Set when requests can be cancelled (a timeout policy, faults): queued calls are then kept with their info. */
  cancellable = false;
  private nextId = 0;
  private seq = 0;
  private readonly pools = new Map<string, Pool>();
  private readonly idleByNode: Set<Container>[];
  /** Containers on each node (busy, idle or starting). */
  private readonly liveOn: number[];
  /** Pools on each node with calls waiting for memory to start a container, in arrival order. */
  private readonly memoryWaiting: Set<Pool>[];
  /** Every live container per node, and the nodes that are down (faults: node loss). */
  private readonly allOn: Set<Container>[];
  private readonly down: boolean[];
  /** Pools per node (for a node's return). */
  private readonly poolsOn: Pool[][];
  /** Called when a container is created or destroyed (modes attach/free per-container state). */
  onCreate?: (c: Container) => void;
  onDestroy?: (c: Container) => void;

  constructor(
    private readonly sim: Simulator,
    private readonly nodes: Nodes,
    private readonly coldStart: Distribution,
    private readonly rng: Rng,
    keepAliveS: number,
    private readonly queue: QueuePolicy = fifo,
    private readonly keepAlive: KeepAlivePolicy = fixedKeepAlive(keepAliveS),
  ) {
    this.idleByNode = nodes.names.map(() => new Set());
    this.liveOn = nodes.names.map(() => 0);
    this.memoryWaiting = nodes.names.map(() => new Set());
    this.allOn = nodes.names.map(() => new Set());
    this.down = nodes.names.map(() => false);
    this.poolsOn = nodes.names.map(() => []);
  }

  private pool(key: string, node: number, o: AcquireOptions): Pool {
    const k = `${key}@${node}`;
    let p = this.pools.get(k);
    if (!p) {
      if (o.memoryBytes > this.nodes.memoryCapacity[node])
        throw new Error(`a container of '${key}' needs ${o.memoryBytes} bytes of memory, more than node ${this.nodes.names[node]} has (${this.nodes.memoryCapacity[node]})`);
      p = { key, id: k, node, count: 0, idle: [], waiters: [], calls: [], waitInfo: [], memoryBytes: o.memoryBytes, maxContainers: o.maxContainers, prewarming: 0 };
      this.pools.set(k, p);
      this.poolsOn[node].push(p);
    }
    return p;
  }

  /** Containers on `node` that are not idle (serving a call or starting). */
  busyOn(node: number): number {
    return this.liveOn[node] - this.idleByNode[node].size;
  }

  /** Gets a container of function `key` on `node`; `cb(container, cold)` runs when it is ready. `info`: what the queue policy orders by. */
  acquire(key: string, node: number, o: AcquireOptions, cb: Waiter, info: CallInfo = NO_INFO): void {
    const p = this.pool(key, node, o);
    const tick = o.dispatchPeriodS > 0 ? Math.ceil(this.sim.now / o.dispatchPeriodS - 1e-9) * o.dispatchPeriodS - this.sim.now : 0;
    this.sim.call(Math.max(0, tick), () => this.dispatch(p, cb, info));
  }

  private dispatch(p: Pool, cb: Waiter, info: CallInfo): void {
    this.keepAlive.onArrival(p.id, this.sim.now, p.count - p.idle.length - p.prewarming === 0 && p.waiters.length === 0);
    const c = p.idle.pop();
    if (c) {
      this.take(c);
      this.warmStarts++;
      cb(c, false);
      return;
    }
    this.enqueue(p, cb, info);
    if (p.count < p.maxContainers) this.startForWaiters(p);
  }

  /** Queues a call in the policy's order (ties and FIFO: arrival order). */
  private enqueue(p: Pool, cb: Waiter, info: CallInfo): void {
    if (this.queue === fifo) {
      p.waiters.push(cb);
      if (this.cancellable) p.calls.push(info);
      return;
    }
    const q: WaitingCall = { requestStart: info.requestStart, app: info.app, f: info.f, predictedS: info.predictedS, priority: info.priority, deadline: info.deadline, seq: this.seq++, arrival: this.sim.now };
    const w = p.waitInfo;
    let lo = 0;
    let hi = w.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.queue.compare(q, w[mid]) < 0) hi = mid;
      else lo = mid + 1;
    }
    w.splice(lo, 0, q);
    p.waiters.splice(lo, 0, cb);
    p.calls.splice(lo, 0, info);
  }

  /** The first queued call that is not cancelled, out of the queue (cancelled ones are dropped on the way). */
  private dequeue(p: Pool): Waiter | undefined {
    const fifoQueue = this.queue === fifo;
    if (fifoQueue && !this.cancellable) return p.waiters.shift();
    while (p.waiters.length > 0) {
      if (!fifoQueue) p.waitInfo.shift();
      const info = p.calls.shift()!;
      const cb = p.waiters.shift()!;
      if (info.req?.cancelled) {
        this.dropped++;
        continue;
      }
      this.lastInfo = info;
      return cb;
    }
    return undefined;
  }

  /** What the last dequeued call was queued with (to queue it again: a container lost while starting). */
  private lastInfo: CallInfo = NO_INFO;

  private take(c: Container): void {
    if (c.expiry >= 0) this.sim.cancel(c.expiry);
    c.expiry = -1;
    c.busy = true;
    this.idleByNode[c.node].delete(c);
  }

  /**
   * Starts containers for the pool's queued calls while it is under its limit and the node has
   * (or can free, by evicting idle containers) memory. Calls that cannot start wait in the
   * pool's FIFO and the pool is noted as waiting for memory.
   */
  private startForWaiters(p: Pool): void {
    while (p.waiters.length > p.prewarming && p.count < p.maxContainers) {
      if (this.down[p.node]) {
        // a lost node starts nothing until it is back (its calls wait: nodeUp serves them)
        this.memoryWaiting[p.node].add(p);
        return;
      }
      if (!this.nodes.reserve(p.node, p.memoryBytes)) {
        this.evictFor(p.node, p.memoryBytes);
        if (!this.nodes.reserve(p.node, p.memoryBytes)) {
          this.memoryWaiting[p.node].add(p);
          return;
        }
      }
      const cb = this.dequeue(p);
      if (!cb) {
        // every queued call was cancelled: give the memory back
        this.nodes.release(p.node, p.memoryBytes);
        break;
      }
      this.startContainer(p, cb);
    }
    this.memoryWaiting[p.node].delete(p);
  }

  private startContainer(p: Pool, cb: Waiter | undefined): void {
    p.count++;
    this.live++;
    this.liveOn[p.node]++;
    if (this.live > this.peak) this.peak = this.live;
    const c: Container = { id: this.nextId++, pool: p, node: p.node, memoryBytes: p.memoryBytes, lastUsed: this.sim.now, expiry: -1, busy: true };
    this.allOn[p.node].add(c);
    this.onCreate?.(c);
    const t = Math.max(0, this.coldStart.sample(this.rng));
    if (cb) {
      this.coldStarts++;
      const info = this.cancellable ? this.lastInfo : NO_INFO;
      this.sim.call(t, () => {
        // lost with its node while starting: the call queues again (served when the node is back)
        if (c.dead) this.enqueue(p, cb, info);
        else cb(c, true);
      });
    } else {
      // a pre-warmed container: ready after its cold start, then it serves the queue or idles
      p.prewarming++;
      this.sim.call(t, () => {
        p.prewarming--;
        this.release(c, true);
      });
    }
  }

  /** Starts a container of pool `p` ahead of its calls, if the pool and the node have room. */
  private prewarm(p: Pool): void {
    if (p.count >= p.maxContainers || p.waiters.length > 0 || this.down[p.node]) return;
    if (!this.nodes.reserve(p.node, p.memoryBytes)) {
      this.evictFor(p.node, p.memoryBytes);
      if (!this.nodes.reserve(p.node, p.memoryBytes)) return;
    }
    this.prewarms++; // counted apart from coldStarts: a pre-warm is not a call's cold start
    this.startContainer(p, undefined);
  }

  private evictFor(node: number, bytes: number): void {
    const idle = [...this.idleByNode[node]].sort((a, b) => a.lastUsed - b.lastUsed || a.id - b.id);
    for (const c of idle) {
      if (this.nodes.memoryCapacity[node] - this.nodes.memoryUsed[node] >= bytes) break;
      this.evictions++;
      this.destroy(c, false);
    }
  }

  /**
   * Returns a container after use: to the next queued call, or idle as the keep-alive policy
   * says. `prewarmed`: a pre-warmed container just became ready (kept for the policy's window).
   */
  release(c: Container, prewarmed = false): void {
    if (c.dead) return;
    const p = c.pool;
    c.lastUsed = this.sim.now;
    const next = this.dequeue(p);
    if (next) {
      this.warmStarts++;
      next(c, prewarmed);
      return;
    }
    c.busy = false;
    // a pre-warmed container is kept for the policy's window, never pre-warmed again at once
    const d = this.keepAlive.onIdle(p.id, this.sim.now, !prewarmed && p.count - p.idle.length - p.prewarming === 1);
    const prewarmS = prewarmed ? 0 : d.prewarmS;
    if (prewarmS > 0 || d.keepS <= 0) {
      // unloaded now; a fresh container later if the policy pre-warms
      this.destroy(c, true);
      if (prewarmS > 0) this.sim.call(prewarmS, () => this.prewarm(p));
      return;
    }
    p.idle.push(c);
    this.idleByNode[c.node].add(c);
    c.expiry = this.sim.call(d.keepS, () => this.destroy(c, true));
    // calls of other functions waiting for memory on this node may now evict it
    if (this.memoryWaiting[c.node].size > 0) this.serveMemoryWaiters(c.node);
  }

  /** A busy container that died (a crash): it is gone, and the pool starts another for its queued calls if it can. */
  discard(c: Container): void {
    if (c.dead) return;
    const p = c.pool;
    c.busy = false;
    this.destroy(c, true);
    if (p.waiters.length > p.prewarming && p.count < p.maxContainers) this.startForWaiters(p);
  }

  private serveMemoryWaiters(node: number): void {
    let waiting = [...this.memoryWaiting[node]];
    // FIFO: the pools in the order they began waiting; other policies: by each pool's first call
    // (a pool whose calls were all served by released containers meanwhile just leaves the set)
    if (this.queue !== fifo) {
      for (const p of waiting) if (p.waiters.length === 0) this.memoryWaiting[node].delete(p);
      waiting = waiting.filter((p) => p.waiters.length > 0);
      waiting.sort((a, b) => this.queue.compare(a.waitInfo[0], b.waitInfo[0]) || a.waitInfo[0].seq - b.waitInfo[0].seq);
    }
    for (const p of waiting) {
      this.startForWaiters(p);
      if (this.memoryWaiting[node].has(p)) break; // still short of memory: keep the order
    }
  }

  /**
   * Node `node` is lost: every container on it is gone at once (idle, busy or starting; their
   * memory is freed), and nothing starts there until `nodeUp`. Calls keep waiting in its pools.
   */
  nodeDown(node: number): number {
    this.down[node] = true;
    const gone = [...this.allOn[node]];
    for (const c of gone) {
      this.destroy(c, false);
      c.dead = true;
    }
    return gone.length;
  }

  /** Node `node` is back: its pools start containers for the calls that waited. */
  nodeUp(node: number): void {
    this.down[node] = false;
    for (const p of this.poolsOn[node]) if (p.waiters.length > p.prewarming && p.count < p.maxContainers) this.startForWaiters(p);
    this.serveMemoryWaiters(node);
  }

  isDown(node: number): boolean {
    return this.down[node];
  }

  private destroy(c: Container, serve: boolean): void {
    if (c.dead) return;
    this.allOn[c.node].delete(c);
    const p = c.pool;
    if (c.expiry >= 0) this.sim.cancel(c.expiry);
    c.expiry = -1;
    const i = p.idle.indexOf(c);
    if (i >= 0) p.idle.splice(i, 1);
    this.idleByNode[c.node].delete(c);
    p.count--;
    this.live--;
    this.liveOn[c.node]--;
    this.nodes.release(c.node, c.memoryBytes);
    this.onDestroy?.(c);
    if (serve) this.serveMemoryWaiters(c.node);
  }
}
