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
 */
import type { Simulator } from '../engine/simulator.js';
import type { Params } from '../params.js';
import type { Topology } from './topology.js';

export class ControlPlane {
  private readonly busyUntil: number[];
  messages = 0;
  operations = 0;

  constructor(private readonly sim: Simulator, private readonly topo: Topology, private readonly p: Params['control']) {
    this.busyUntil = topo.cluster.nodes.map(() => 0);
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

  /** Runs one operation on `node`'s engine (FIFO, `engineOverheadS` each); `cb` when done. */
  process(node: number, cb: () => void, costS = this.p.engineOverheadS): void {
    this.operations++;
    const start = Math.max(this.sim.now, this.busyUntil[node]);
    this.busyUntil[node] = start + costS;
    this.sim.call(this.busyUntil[node] - this.sim.now, cb);
  }

  /** A message followed by processing at the receiver. */
  request(from: number, to: number, cb: () => void): void {
    this.send(from, to, () => this.process(to, cb));
  }
}
