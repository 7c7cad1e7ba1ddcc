/**
 * Cluster description: nodes with cores, memory and a network interface, and the roles that the
 * orchestration modes look for (workers, the remote storage node, the gateway, the master).
 *
 * Every node has one uplink and one downlink (full duplex) with capacity `nicBps` and a one-way
 * latency `latencyS`; a transfer from A to B crosses A's uplink and B's downlink. Bandwidth caps
 * (wondershaper on FaaSFlow's storage node) replace a node's capacities in both directions.
 */
export type NodeRole = 'worker' | 'storage' | 'gateway';

export interface NodeSpec {
  name: string;
  role: NodeRole;
  cores: number;
  memoryBytes: number;
  /** Interface capacity each way, bytes/s. */
  nicBps: number;
  /** One-way latency of this node's links, seconds (a hop A->B pays A's plus B's). */
  latencyS: number;
}

export interface ClusterSpec {
  name: string;
  description?: string;
  source?: string;
  nodes: NodeSpec[];
  /** Node holding remote storage (CouchDB / Kafka). */
  storage: string;
  /** Node receiving requests and timing them. */
  gateway: string;
  /** Node running MasterSP's central engine (HyperFlow-serverless). */
  master: string;
}

export function workerNames(c: ClusterSpec): string[] {
  return c.nodes.filter((n) => n.role === 'worker').map((n) => n.name);
}
