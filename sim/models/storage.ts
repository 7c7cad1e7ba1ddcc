/**
 * Storage: the remote store on the storage node and each node's local in-memory store.
 *
 * Remote store (FaaSFlow's CouchDB, DataFlower's Kafka; reference 1.C and 2.C):
 * - `put`/`get`: a fixed cost per operation (`remoteOpLatencyS`: request handling, document
 *   revision, fsync), the payload as a flow over the network route between the node and the
 *   storage node, and the server's own handling of the payload (a flow on `storage.write` or
 *   `storage.read`, shared by concurrent operations). With `remotePipelined: false` the two
 *   stages are in sequence (store and forward: a Redis server takes a value only once it has all
 *   of it), so their per-byte costs add, as the netns calibration's SET/GET fits measure. With
 *   `remotePipelined: true` the payload is one flow over the network links and the server stage
 *   together (an HTTP body that CouchDB writes as it arrives), so the slowest of them binds. Under a
 *   wondershaper cap the storage node's interface dominates both ways.
 * - `stream`: Kafka-style chunked streaming. The producer sends `chunkBytes` chunks one after
 *   another (the connection stays open: latency is paid once); a consumer may start after the
 *   first chunk and fetches chunk i once it is stored, in order, so it never overtakes the
 *   producer. Each chunk passes the same two stages as a put or a get. Each consumer is a
 *   separate fetch (one payload transfer per consumer node). Each chunk costs `chunkOpS` on
 *   each side (a Kafka message produced, polled and appended to the prefetch file by Python
 *   code), and a consumer fetches at most `streamConsumerBps` (Kafka's consumer_byte_rate quota,
 *   10 MiB/s in DataFlower's scripts/kafka_limit.txt, if the AE applied it).
 * Local store (Redis on each worker): per-operation cost `localOpLatencyS` plus the bytes over
 * the node's local-store link (shared by concurrent operations on the node); no network.
 *
 * Client side: every payload of a remote `put`/`get` is also bounded by `clientThroughputBps`, the
 * rate one function's store client reaches on its own (FaaSFlow's Python couchdb/requests client
 * serialises and copies each value; reference 1.C, fidelity-training.md "the real stack").
 * CouchDB documents and their revision conflicts are in document-store.ts.
 *
 * Left out: Kafka partitions and batching, disk limits.
 */
import type { Simulator } from '../engine/simulator.js';
import type { Outages } from './faults.js';
import type { Params } from '../params.js';
import type { Network } from './network.js';
import type { Topology } from './topology.js';

/** The databases FaaSFlow's runtime writes: outputs (one document per request), fetch logs, phase times. */
export type StoreDb = 'results' | 'log' | 'latency';

export class Storage {
  remoteOps = 0;
  localOps = 0;
  /** Remote-store outages (faults): an operation issued during one waits until it ends. */
  outages?: Outages;

  constructor(
    private readonly sim: Simulator,
    private readonly net: Network,
    private readonly topo: Topology,
    private readonly p: Params['storage'],
  ) {}

  /** Node `from` writes `bytes` to the remote store. `senderCapBps`: the sender's own shaper (e.g. a container's egress cap). */
  put(from: number, bytes: number, cb: () => void, senderCapBps = Infinity): void {
    this.remoteOps++;
    const cap = Math.min(senderCapBps, this.p.clientThroughputBps);
    this.sim.call(this.opDelay(), () => writeStages(this.net, this.topo, from, bytes, cap, false, cb, this.p.remotePipelined));
  }

  /** Node `to` reads `bytes` from the remote store. */
  get(to: number, bytes: number, cb: () => void): void {
    this.remoteOps++;
    this.sim.call(this.opDelay(), () => readStages(this.net, this.topo, to, bytes, false, cb, this.p.clientThroughputBps, this.p.remotePipelined));
  }

  /**
   * A small request to the remote store and its reply, no payload (a document GET for its
   * revision, a log document save): the operation's cost plus the round trip.
   */
  small(node: number, cb: () => void): void {
    this.remoteOps++;
    this.sim.call(this.opDelay() + 2 * this.topo.oneWay(node, this.topo.storageNode), cb);
  }

  /** A small write (a log document, a document update): the request, then its commit in `db`. */
  smallWrite(node: number, db: StoreDb, cb: () => void): void {
    this.small(node, () => this.commit(db, cb));
  }

  private readonly commitBusy = new Map<StoreDb, number>();

  /**
   * Commits one update to database `db`: every update of a CouchDB database goes through that
   * database's one updater process, which writes and fsyncs it, so commits to one database are
   * served one at a time (`remoteCommitS` each, FIFO) and queue under load.
   */
  commit(db: StoreDb, cb: () => void): void {
    const cost = this.p.remoteCommitS;
    if (cost <= 0) {
      cb();
      return;
    }
    const start = Math.max(this.sim.now, this.commitBusy.get(db) ?? 0);
    this.commitBusy.set(db, start + cost);
    this.sim.call(start + cost - this.sim.now, cb);
  }

  /** A read that finds nothing (FaaSFlow's workflow inputs in the AE): one operation, no payload. */
  miss(cb: () => void): void {
    this.remoteOps++;
    this.sim.call(this.opDelay(), cb);
  }

  /** A remote operation's own latency, after the store is back if it is down now. */
  private opDelay(): number {
    return this.outages ? this.outages.delayUntilUp(this.sim.now) + this.p.remoteOpLatencyS : this.p.remoteOpLatencyS;
  }

  localPut(node: number, bytes: number, cb: () => void): void {
    this.localOps++;
    this.sim.call(this.p.localOpLatencyS, () => this.net.transfer([this.topo.localStore[node]], bytes, cb));
  }

  localGet(node: number, bytes: number, cb: () => void): void {
    this.localPut(node, bytes, cb);
  }

  /** Starts a chunked stream from node `from` into the remote store. */
  stream(from: number, bytes: number, senderCapBps = Infinity): Stream {
    this.remoteOps++;
    return new Stream(this.sim, this.net, this.topo, this.p, from, bytes, senderCapBps);
  }
}

/** Network to the storage node, then the server's write stage. */
export function writeStages(net: Network, topo: Topology, from: number, bytes: number, senderCapBps: number, skipLatency: boolean, cb: () => void, pipelined = false): void {
  const route = topo.route(from, topo.storageNode);
  if (pipelined) {
    net.transfer([...route, topo.storageWrite], bytes, cb, undefined, skipLatency, senderCapBps);
    return;
  }
  const server = () => net.transfer([topo.storageWrite], bytes, cb);
  if (route.length === 0) server();
  else net.transfer(route, bytes, server, undefined, skipLatency, senderCapBps);
}

/** The server's read stage, then the network to the reader. */
function readStages(net: Network, topo: Topology, to: number, bytes: number, skipLatency: boolean, cb: () => void, receiverCapBps = Infinity, pipelined = false): void {
  const route = topo.route(topo.storageNode, to);
  if (pipelined) {
    net.transfer([topo.storageRead, ...route], bytes, cb, undefined, skipLatency, receiverCapBps);
    return;
  }
  net.transfer([topo.storageRead], bytes, () => (route.length === 0 ? cb() : net.transfer(route, bytes, cb, undefined, skipLatency, receiverCapBps)));
}

export class Stream {
  readonly chunks: number;
  private stored = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly firstChunkCbs: Array<() => void> = [];
  private readonly doneCbs: Array<() => void> = [];

  constructor(
    private readonly sim: Simulator,
    private readonly net: Network,
    private readonly topo: Topology,
    private readonly p: Params['storage'],
    from: number,
    readonly bytes: number,
    senderCapBps: number,
  ) {
    this.chunks = Math.max(1, Math.ceil(bytes / p.chunkBytes));
    const sendChunk = (i: number) => {
      const size = i < this.chunks - 1 ? p.chunkBytes : bytes - p.chunkBytes * (this.chunks - 1);
      writeStages(net, topo, from, size, senderCapBps, i > 0, () => {
        this.stored = i + 1;
        if (i === 0) for (const cb of this.firstChunkCbs.splice(0)) cb();
        for (const w of this.waiting.splice(0)) w();
        if (i + 1 < this.chunks) sim.call(p.chunkOpS, () => sendChunk(i + 1));
        else for (const cb of this.doneCbs.splice(0)) cb();
      });
    };
    sim.call(p.remoteOpLatencyS, () => sendChunk(0));
  }

  get storedChunks(): number {
    return this.stored;
  }

  get complete(): boolean {
    return this.stored === this.chunks;
  }

  /** Runs `cb` when the first chunk is in the store (at once if it already is). */
  onFirstChunk(cb: () => void): void {
    if (this.stored > 0) cb();
    else this.firstChunkCbs.push(cb);
  }

  /** Runs `cb` when the whole payload is in the store. */
  onStored(cb: () => void): void {
    if (this.complete) cb();
    else this.doneCbs.push(cb);
  }

  /** Node `to` consumes the stream chunk by chunk; `cb` when it has every byte. */
  consume(to: number, cb: () => void): void {
    const fetch = (i: number) => {
      if (i >= this.chunks) {
        cb();
        return;
      }
      if (i >= this.stored) {
        this.waiting.push(() => fetch(i));
        return;
      }
      const size = i < this.chunks - 1 ? this.p.chunkBytes : this.bytes - this.p.chunkBytes * (this.chunks - 1);
      readStages(this.net, this.topo, to, size, i > 0, () => this.sim.call(this.p.chunkOpS, () => fetch(i + 1)), this.p.streamConsumerBps);
    };
    this.sim.call(this.p.remoteOpLatencyS, () => fetch(0));
  }
}
