/**
 * Container pools: one pool per (function, node), as both systems' function managers keep them
 * (reference 1.B "Containers and timeouts", 2.B "Containers").
 *
 * - Dispatch: a call is looked at by the dispatch loop, which runs every `dispatchPeriodS`
 *   (FaaSFlow 5 ms, DataFlower 3 ms): a call waits until the next tick. Queued calls are served
 *   FIFO per function.
 * - Warm start: an idle container of the function on that node is reused (most recently used
 *   first, so the least recently used ones expire).
 * - Cold start: if the pool has fewer than `maxContainers` containers and the node has memory
 *   for one more, a container starts and is ready after a cold-start time drawn from the
 *   configured distribution. Without memory, idle containers of other functions on the node are
 *   evicted, least recently used first; if that is not enough the call waits for memory.
 * - Keep-alive: an idle container is removed `keepAliveS` after its last use (both systems:
 *   600 s; their 5 s cleaning period is not modelled).
 *
 * Left out: image pulls (images are pre-built on every node in both papers), FaaSFlow's
 * off-by-one limit (max+1 containers) and its lock bug under load (reference 1.B).
 */
import type { Simulator } from '../engine/simulator.js';
import type { Distribution } from '../engine/distributions.js';
import type { Rng } from '../engine/random.js';
import type { Nodes } from './node.js';

export interface Container {
  id: number;
  pool: Pool;
  node: number;
  memoryBytes: number;
  lastUsed: number;
  expiry: number;
  busy: boolean;
  /** Extra per-container state a mode may attach (e.g. DataFlower's egress link). */
  data?: unknown;
}

type Waiter = (c: Container, cold: boolean) => void;

interface Pool {
  key: string;
  node: number;
  count: number;
  idle: Container[];
  waiters: Waiter[];
  memoryBytes: number;
  maxContainers: number;
}

export interface AcquireOptions {
  memoryBytes: number;
  maxContainers: number;
  dispatchPeriodS: number;
}

export class ContainerPools {
  coldStarts = 0;
  warmStarts = 0;
  live = 0;
  peak = 0;
  evictions = 0;
  private nextId = 0;
  private readonly pools = new Map<string, Pool>();
  private readonly idleByNode: Set<Container>[];
  /** Pools on each node with calls waiting for memory to start a container, in arrival order. */
  private readonly memoryWaiting: Set<Pool>[];
  /** Called when a container is created or destroyed (modes attach/free per-container state). */
  onCreate?: (c: Container) => void;
  onDestroy?: (c: Container) => void;

  constructor(
    private readonly sim: Simulator,
    private readonly nodes: Nodes,
    private readonly coldStart: Distribution,
    private readonly rng: Rng,
    private readonly keepAliveS: number,
  ) {
    this.idleByNode = nodes.names.map(() => new Set());
    this.memoryWaiting = nodes.names.map(() => new Set());
  }

  private pool(key: string, node: number, o: AcquireOptions): Pool {
    const k = `${key}@${node}`;
    let p = this.pools.get(k);
    if (!p) {
      if (o.memoryBytes > this.nodes.memoryCapacity[node])
        throw new Error(`a container of '${key}' needs ${o.memoryBytes} bytes of memory, more than node ${this.nodes.names[node]} has (${this.nodes.memoryCapacity[node]})`);
      p = { key, node, count: 0, idle: [], waiters: [], memoryBytes: o.memoryBytes, maxContainers: o.maxContainers };
      this.pools.set(k, p);
    }
    return p;
  }

  /** Gets a container of function `key` on `node`; `cb(container, cold)` runs when it is ready. */
  acquire(key: string, node: number, o: AcquireOptions, cb: Waiter): void {
    const p = this.pool(key, node, o);
    const tick = o.dispatchPeriodS > 0 ? Math.ceil(this.sim.now / o.dispatchPeriodS - 1e-9) * o.dispatchPeriodS - this.sim.now : 0;
    this.sim.call(Math.max(0, tick), () => this.dispatch(p, cb));
  }

  private dispatch(p: Pool, cb: Waiter): void {
    const c = p.idle.pop();
    if (c) {
      this.take(c);
      this.warmStarts++;
      cb(c, false);
      return;
    }
    p.waiters.push(cb);
    if (p.count < p.maxContainers) this.startForWaiters(p);
  }

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
    while (p.waiters.length > 0 && p.count < p.maxContainers) {
      if (!this.nodes.reserve(p.node, p.memoryBytes)) {
        this.evictFor(p.node, p.memoryBytes);
        if (!this.nodes.reserve(p.node, p.memoryBytes)) {
          this.memoryWaiting[p.node].add(p);
          return;
        }
      }
      this.startContainer(p, p.waiters.shift()!);
    }
    this.memoryWaiting[p.node].delete(p);
  }

  private startContainer(p: Pool, cb: Waiter): void {
    p.count++;
    this.live++;
    if (this.live > this.peak) this.peak = this.live;
    this.coldStarts++;
    const c: Container = { id: this.nextId++, pool: p, node: p.node, memoryBytes: p.memoryBytes, lastUsed: this.sim.now, expiry: -1, busy: true };
    this.onCreate?.(c);
    const t = Math.max(0, this.coldStart.sample(this.rng));
    this.sim.call(t, () => cb(c, true));
  }

  private evictFor(node: number, bytes: number): void {
    const idle = [...this.idleByNode[node]].sort((a, b) => a.lastUsed - b.lastUsed || a.id - b.id);
    for (const c of idle) {
      if (this.nodes.memoryCapacity[node] - this.nodes.memoryUsed[node] >= bytes) break;
      this.evictions++;
      this.destroy(c, false);
    }
  }

  /** Returns a container after use: to the next queued call, or idle with a keep-alive timer. */
  release(c: Container): void {
    const p = c.pool;
    c.lastUsed = this.sim.now;
    const next = p.waiters.shift();
    if (next) {
      this.warmStarts++;
      next(c, false);
      return;
    }
    c.busy = false;
    p.idle.push(c);
    this.idleByNode[c.node].add(c);
    c.expiry = this.sim.call(this.keepAliveS, () => this.destroy(c, true));
    // calls of other functions waiting for memory on this node may now evict it
    if (this.memoryWaiting[c.node].size > 0) this.serveMemoryWaiters(c.node);
  }

  private serveMemoryWaiters(node: number): void {
    for (const p of [...this.memoryWaiting[node]]) {
      this.startForWaiters(p);
      if (this.memoryWaiting[node].has(p)) break; // still short of memory: keep FIFO order
    }
  }

  private destroy(c: Container, serve: boolean): void {
    const p = c.pool;
    if (c.expiry >= 0) this.sim.cancel(c.expiry);
    c.expiry = -1;
    const i = p.idle.indexOf(c);
    if (i >= 0) p.idle.splice(i, 1);
    this.idleByNode[c.node].delete(c);
    p.count--;
    this.live--;
    this.nodes.release(c.node, c.memoryBytes);
    this.onDestroy?.(c);
    if (serve) this.serveMemoryWaiters(c.node);
  }
}
