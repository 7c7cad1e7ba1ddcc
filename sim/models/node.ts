/**
 * Worker and storage nodes: cores shared by the functions computing on them, and memory.
 *
 * CPU: processor sharing with per-task caps, as a FairShare with one resource per node
 * (capacity = cores). A task that needs `seconds` of compute at `cpu` cores (its demand, or
 * DataFlower's cgroup quota) is an activity of seconds x cpu core-seconds bounded by cpu cores:
 * alone it takes exactly `seconds`; when the node's demand exceeds its cores, every task is
 * slowed to its max-min share. A task with cpu = 0 only sleeps (FaaSFlow's scientific
 * functions) and is a pure delay.
 *
 * Memory: containers reserve memory; `reserve` refuses what would exceed capacity, so memory is
 * never over capacity (the container pool waits or evicts instead).
 *
 * Left out: CPU frequency, hyper-threading, interference beyond fair sharing, memory bandwidth.
 */
import type { Simulator } from '../engine/simulator.js';
import type { ClusterSpec } from './cluster.js';
import { FairShare } from './sharing.js';

export class Nodes {
  readonly names: string[];
  readonly cores: number[];
  readonly memoryCapacity: number[];
  readonly memoryUsed: number[];
  readonly memoryPeak: number[];
  private readonly cpu: FairShare;
  private readonly cpuRes: number[];
  private readonly byName = new Map<string, number>();

  constructor(private readonly sim: Simulator, cluster: ClusterSpec) {
    this.names = cluster.nodes.map((n) => n.name);
    this.cores = cluster.nodes.map((n) => n.cores);
    this.memoryCapacity = cluster.nodes.map((n) => n.memoryBytes);
    this.memoryUsed = cluster.nodes.map(() => 0);
    this.memoryPeak = cluster.nodes.map(() => 0);
    this.cpu = new FairShare(sim);
    this.cpuRes = cluster.nodes.map((n) => this.cpu.addResource(`${n.name}.cpu`, n.cores));
    this.names.forEach((n, i) => this.byName.set(n, i));
  }

  index(name: string): number {
    const i = this.byName.get(name);
    if (i === undefined) throw new Error(`no node named '${name}'`);
    return i;
  }

  /** Runs `seconds` of compute at `cpu` cores on `node`, slowed by contention. */
  compute(node: number, seconds: number, cpu: number, onDone: () => void): void {
    if (cpu <= 0 || seconds <= 0) {
      this.sim.call(Math.max(0, seconds), onDone);
      return;
    }
    this.cpu.start(seconds * cpu, [this.cpuRes[node]], null, cpu, onDone);
  }

  /** `compute` that can be stopped: returns a function that cancels it (its `onDone` never runs). */
  computeCancellable(node: number, seconds: number, cpu: number, onDone: () => void): () => void {
    if (cpu <= 0 || seconds <= 0) {
      const ev = this.sim.call(Math.max(0, seconds), onDone);
      return () => {
        this.sim.cancel(ev);
      };
    }
    let done = false;
    const a = this.cpu.start(seconds * cpu, [this.cpuRes[node]], null, cpu, () => {
      done = true;
      onDone();
    });
    // activity ids are reused once they end: cancel only the one started here
    return () => {
      if (!done) {
        done = true;
        this.cpu.cancel(a);
      }
    };
  }

  /** Stops everything computing on `node` (it was lost): the tasks' callbacks never run. Returns how many. */
  cancelComputeOn(node: number): number {
    return this.cpu.cancelAllOn(this.cpuRes[node]);
  }

  reserve(node: number, bytes: number): boolean {
    if (this.memoryUsed[node] + bytes > this.memoryCapacity[node]) return false;
    this.memoryUsed[node] += bytes;
    if (this.memoryUsed[node] > this.memoryPeak[node]) this.memoryPeak[node] = this.memoryUsed[node];
    return true;
  }

  release(node: number, bytes: number): void {
    this.memoryUsed[node] -= bytes;
    if (this.memoryUsed[node] < -1e-6) throw new Error(`memory accounting went negative on ${this.names[node]}`);
  }
}
