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
  /**
   * Egress shaping of every function container, bytes/s per core of its cpu quota (DataFlower's
   * tc HTB at 400 Mbit/s per core, reference 2.B). A property of the cluster's containers, so it
   * applies in every mode run on the cluster. Undefined: no container shaping.
   */
  containerEgressBpsPerCore?: number;
  /** Calibration profile the cluster uses by default (configs/calibration/<name>.yaml). */
  calibration?: string;
  /** Policies the cluster runs by default, by name (sim/policies/index.ts). */
  policies?: { queue?: string; keepAlive?: string; placement?: string };
}

/**
 * A container's egress cap on this cluster, bytes/s: the per-core rate x its cpu quota; a function
 * that only sleeps (cpu 0) gets `sleepQuotaCores`. Infinity when the cluster shapes no container.
 */
export function containerEgressCapBps(c: ClusterSpec, cpu: number, sleepQuotaCores: number): number {
  if (c.containerEgressBpsPerCore === undefined) return Infinity;
  return c.containerEgressBpsPerCore * (cpu > 0 ? cpu : sleepQuotaCores);
}

export function workerNames(c: ClusterSpec): string[] {
  return c.nodes.filter((n) => n.role === 'worker').map((n) => n.name);
}
