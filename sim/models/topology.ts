/**
 * The cluster's links, built once per simulation:
 * - every node: an uplink and a downlink (`<node>.up`, `<node>.down`) at its NIC rate and latency;
 *   the storage node's pair is capped at `storageBandwidthBps` when given (wondershaper on
 *   FaaSFlow's storage node, both directions);
 * - `storage.write`, `storage.read`: the remote store server's own throughput for writes and
 *   reads (CouchDB/Kafka server side), no latency;
 * - `<node>.localstore`: each node's in-memory store (Redis) throughput, no latency.
 * A route from A to B is [A.up, B.down]; from a node to itself it is empty. A.up and A.down are
 * paired (Network.pairLinks), so the ACKs of a flow from A to B take [B.up, A.down].
 */
import type { ClusterSpec } from './cluster.js';
import type { Network } from './network.js';
import type { Params } from '../params.js';

export class Topology {
  readonly up: number[];
  readonly down: number[];
  readonly localStore: number[];
  readonly storageWrite: number;
  readonly storageRead: number;
  readonly storageNode: number;
  readonly gatewayNode: number;
  readonly masterNode: number;
  readonly workers: number[];
  readonly latency: number[];
  readonly capacity: number[];
  private readonly byName = new Map<string, number>();

  constructor(readonly net: Network, readonly cluster: ClusterSpec, params: Params, storageBandwidthBps?: number) {
    cluster.nodes.forEach((n, i) => this.byName.set(n.name, i));
    this.storageNode = this.index(cluster.storage);
    this.gatewayNode = this.index(cluster.gateway);
    this.masterNode = this.index(cluster.master);
    this.capacity = cluster.nodes.map((n, i) => (i === this.storageNode && storageBandwidthBps ? Math.min(storageBandwidthBps, n.nicBps) : n.nicBps));
    this.latency = cluster.nodes.map((n) => n.latencyS);
    this.up = cluster.nodes.map((n, i) => net.addLink(`${n.name}.up`, this.capacity[i], n.latencyS));
    this.down = cluster.nodes.map((n, i) => net.addLink(`${n.name}.down`, this.capacity[i], n.latencyS));
    // a NIC is full duplex: a flow's ACKs from B to A go B.up -> A.down (only with ackWeight > 0)
    cluster.nodes.forEach((_, i) => net.pairLinks(this.up[i], this.down[i]));
    this.storageWrite = net.addLink('storage.write', params.storage.remoteWriteThroughputBps, 0);
    this.storageRead = net.addLink('storage.read', params.storage.remoteReadThroughputBps, 0);
    this.localStore = cluster.nodes.map((n) => net.addLink(`${n.name}.localstore`, params.storage.localThroughputBps, 0));
    this.workers = cluster.nodes.map((n, i) => (n.role === 'worker' ? i : -1)).filter((i) => i >= 0);
  }

  index(name: string): number {
    const i = this.byName.get(name);
    if (i === undefined) throw new Error(`cluster '${this.cluster.name}' has no node '${name}'`);
    return i;
  }

  name(node: number): string {
    return this.cluster.nodes[node].name;
  }

  route(from: number, to: number): number[] {
    return from === to ? [] : [this.up[from], this.down[to]];
  }

  /** One-way latency between two nodes. */
  oneWay(from: number, to: number): number {
    return from === to ? 0 : this.latency[from] + this.latency[to];
  }
}
