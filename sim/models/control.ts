/**
 * Control plane: small messages between engines and the engines' own processing.
 *
 * - A control message (an HTTP request or response, a trigger, a data-ready notice) takes the
 *   one-way latency between the nodes plus its size over the slower of the two interfaces. It is
 *   a pure delay: control messages are too small to matter in bandwidth sharing. [ASSUMPTION]
 *   Left out: queueing behind bulk flows in a shaped interface's qdisc.
 * - Each engine (gateway, master, a worker's engine) is one serial server (a Python/gevent
 *   process): each operation holds it for `engineOverheadS`, in FIFO order, so a busy master
 *   delays triggers. [ASSUMPTION: engineOverheadS per operation, see params.ts]
 * - An HTTP request (`request`, each target of `poll`) also pays `httpRequestS` on the way in:
 *   connection handling and the WSGI server's dispatch, a pure delay that holds no engine; and
 *   `httpClientS` of the sending engine's own time (the Python `requests` client building,
 *   sending and parsing it), which does hold the sender: a gevent engine overlaps the waiting of
 *   many requests but runs their Python code one at a time. Replies and one-way notices do not.
 * - Cancellation (request.onTimeout 'cancel'): an operation may name its owner (the request);
 *   the engines then keep real FIFO queues, and an operation whose owner was cancelled while it
 *   waited is dropped without holding the engine. Without cancellation each engine's queue is
 *   kept as the time it is busy until (the same start times, fewer events).
 */
import type { Simulator } from '../engine/simulator.js';
import type { Params } from '../params.js';
import type { Topology } from './topology.js';

/** Targets per poll are packed with the poll's record index into one event payload. */
const POLL_STRIDE = 1 << 16;

/** Whoever an operation is for: dropped from the queues once cancelled. */
export interface OpOwner {
  cancelled: boolean;
}

/** One queued engine operation (queue mode). */
interface Op {
  costS: number;
  owner: OpOwner | undefined;
  run: () => void;
}

/** A node's engine queue (queue mode): ops[head..] wait, `busy` while one is held. */
interface EngineQueue {
  ops: Op[];
  head: number;
  busy: boolean;
}

export class ControlPlane {
  private readonly busyUntil: number[];
  messages = 0;
  operations = 0;
  /** Operations dropped because their owner was cancelled (queue mode). */
  dropped = 0;
  /** Real FIFO queues per engine, present when operations can be cancelled. */
  private readonly queues: EngineQueue[] | undefined;

  // poll(): one record per poll in flight, recycled; the per-target steps are registered handlers
  // with payload rec * POLL_STRIDE + target index, so a poll of N nodes allocates no closure per node.
  private readonly pollFrom: number[] = [];
  private readonly pollTargets: Array<readonly number[]> = [];
  private readonly pollLeft: number[] = [];
  private readonly pollCb: Array<(() => void) | undefined> = [];
  private readonly pollFree: number[] = [];
  private readonly hArrive: number;
  private readonly hProcessed: number;
  private readonly hReply: number;

  constructor(private readonly sim: Simulator, private readonly topo: Topology, private readonly p: Params['control'], cancellable = false) {
    this.busyUntil = topo.cluster.nodes.map(() => 0);
    this.queues = cancellable ? topo.cluster.nodes.map(() => ({ ops: [], head: 0, busy: false })) : undefined;
    // request at the target: process it (FIFO on the target's engine)
    this.hArrive = sim.register((x) => {
      const rec = Math.floor(x / POLL_STRIDE);
      const to = this.pollTargets[rec][x - rec * POLL_STRIDE];
      this.processAt(to, this.hProcessed, x, this.p.engineOverheadS);
    });
    // processed: the reply goes back
    this.hProcessed = sim.register((x) => {
      const rec = Math.floor(x / POLL_STRIDE);
      const to = this.pollTargets[rec][x - rec * POLL_STRIDE];
      this.messages++;
      sim.schedule(this.messageDelay(to, this.pollFrom[rec]), this.hReply, x);
    });
    // reply arrived: the last one completes the poll
    this.hReply = sim.register((x) => {
      const rec = Math.floor(x / POLL_STRIDE);
      if (--this.pollLeft[rec] > 0) return;
      const cb = this.pollCb[rec]!;
      this.pollCb[rec] = undefined;
      this.pollTargets[rec] = [];
      this.pollFree.push(rec);
      cb();
    });
  }

  /** Delay of one control message from `from` to `to`. */
  messageDelay(from: number, to: number): number {
    if (from === to) return 0;
    const bw = Math.min(this.topo.capacity[from], this.topo.capacity[to]);
    return this.topo.oneWay(from, to) + this.p.messageBytes / bw;
  }

  /** Sends a message; `cb` runs on arrival. */
  send(from: number, to: number, cb: () => void): void {
    this.messages++;
    this.sim.call(this.messageDelay(from, to), cb);
  }

  /** Runs one operation on `node`'s engine (FIFO, `engineOverheadS` each); `cb` when done, unless `owner` was cancelled first. */
  process(node: number, cb: () => void, costS = this.p.engineOverheadS, owner?: OpOwner): void {
    if (this.queues) {
      this.enqueue(node, costS, owner, cb);
      return;
    }
    this.operations++;
    const start = Math.max(this.sim.now, this.busyUntil[node]);
    this.busyUntil[node] = start + costS;
    this.sim.call(this.busyUntil[node] - this.sim.now, cb);
  }

  /** `process` with a registered handler instead of a closure. */
  private processAt(node: number, handler: number, payload: number, costS: number): void {
    this.operations++;
    const start = Math.max(this.sim.now, this.busyUntil[node]);
    this.busyUntil[node] = start + costS;
    this.sim.schedule(this.busyUntil[node] - this.sim.now, handler, payload);
  }

  /**
   * Request/response to every node of `targets` in parallel (`send`, `process` at the target,
   * `send` back, as three chained steps per target); `cb` runs when the last reply has arrived.
   * The same events, in the same order, as chaining `send`/`process`/`send` closures per target.
   */
  poll(from: number, targets: readonly number[], cb: () => void, owner?: OpOwner): void {
    if (targets.length === 0) {
      cb();
      return;
    }
    if (this.queues) {
      let left = targets.length;
      for (const to of targets) {
        this.messages++;
        this.holdThen(from, this.p.httpClientS, owner, () =>
          this.sim.call(this.messageDelay(from, to) + this.p.httpRequestS, () =>
            this.enqueue(to, this.p.engineOverheadS, owner, () => {
              this.messages++;
              this.sim.call(this.messageDelay(to, from), () => {
                if (--left === 0) cb();
              });
            }),
          ),
        );
      }
      return;
    }
    if (targets.length >= POLL_STRIDE) throw new RangeError(`poll of ${targets.length} nodes: at most ${POLL_STRIDE - 1}`);
    const rec = this.pollFree.length > 0 ? this.pollFree.pop()! : this.pollCb.length;
    this.pollFrom[rec] = from;
    this.pollTargets[rec] = targets;
    this.pollLeft[rec] = targets.length;
    this.pollCb[rec] = cb;
    const base = rec * POLL_STRIDE;
    for (let k = 0; k < targets.length; k++) {
      this.messages++;
      // the sender's engine builds the requests one after another (httpClientS each)
      const sent = this.hold(from, this.p.httpClientS);
      this.sim.schedule(sent - this.sim.now + this.messageDelay(from, targets[k]) + this.p.httpRequestS, this.hArrive, base + k);
    }
  }

  /** Holds `node`'s engine for `costS` after what it already has to do; returns when it is free again. */
  private hold(node: number, costS: number): number {
    if (costS <= 0) return this.sim.now;
    const start = Math.max(this.sim.now, this.busyUntil[node]);
    this.busyUntil[node] = start + costS;
    return this.busyUntil[node];
  }

  /** An HTTP request: the sender's client cost, the message, the HTTP cost, then processing at the receiver. */
  request(from: number, to: number, cb: () => void, owner?: OpOwner): void {
    if (this.queues) {
      this.messages++;
      this.holdThen(from, this.p.httpClientS, owner, () =>
        this.sim.call(this.messageDelay(from, to) + this.p.httpRequestS, () => this.enqueue(to, this.p.engineOverheadS, owner, cb)),
      );
      return;
    }
    this.messages++;
    const sent = this.hold(from, this.p.httpClientS);
    this.sim.call(sent - this.sim.now + this.messageDelay(from, to) + this.p.httpRequestS, () => this.process(to, cb));
  }

  // queue mode -------------------------------------------------------------------------------

  /** Holds `node`'s engine for `costS` (queued), then runs `then` (at once when the cost is 0). */
  private holdThen(node: number, costS: number, owner: OpOwner | undefined, then: () => void): void {
    if (costS <= 0) then();
    else this.enqueue(node, costS, owner, then, false);
  }

  private enqueue(node: number, costS: number, owner: OpOwner | undefined, run: () => void, counted = true): void {
    if (counted) this.operations++;
    const q = this.queues![node];
    q.ops.push({ costS, owner, run });
    if (!q.busy) this.startNext(node);
  }

  /** Starts the next operation of `node` whose owner is not cancelled; dropped ones take no time. */
  private startNext(node: number): void {
    const q = this.queues![node];
    q.busy = false;
    while (q.head < q.ops.length) {
      const op = q.ops[q.head];
      q.ops[q.head++] = undefined as unknown as Op;
      if (op.owner?.cancelled) {
        this.dropped++;
        continue;
      }
      q.busy = true;
      // the next one starts when this one ends, before anything this one's callback queues
      this.sim.call(op.costS, () => {
        this.startNext(node);
        op.run();
      });
      break;
    }
    if (q.head > 1024 && q.head * 2 > q.ops.length) {
      q.ops.splice(0, q.head);
      q.head = 0;
    }
  }
}
