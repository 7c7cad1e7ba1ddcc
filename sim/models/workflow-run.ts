/**
 * One request's walk through a workflow DAG: which function instances are ready, running, done
 * or dead. The rules are those documented in workflow.ts (dead-path elimination for switches).
 * Modes decide *when* an edge's item is delivered (after a put to storage, when the data reaches
 * the consumer's node, ...); this class only counts.
 *
 * Items: a foreach edge A->B delivers item i to B's instance i; a merge edge B->C delivers one
 * item per B instance to C's single instance; every other edge delivers one item to instance 0.
 */
import type { Rng } from '../engine/random.js';
import { isTriggering, type CompiledWorkflow } from './workflow.js';

export const enum InstanceState {
  Pending = 0,
  Ready = 1,
  Running = 2,
  Done = 3,
  Dead = 4,
}

export class WorkflowRun {
  /** First instance slot of each function. */
  readonly base: Int32Array;
  readonly state: Uint8Array;
  private readonly needTrig: Int32Array;
  private readonly gotTrig: Int32Array;
  private readonly deadTrig: Int32Array;
  private readonly needData: Int32Array;
  private readonly resolvedData: Int32Array;
  /** Delivered items per (edge, target instance). */
  readonly edgeBase: Int32Array;
  readonly delivered: Int32Array;
  private readonly killed: Uint8Array;
  private readonly deadCount: Int32Array;
  private readonly doneCount: Int32Array;
  remaining: number;
  /** Set by cancel(): nothing more becomes ready and onAllDone never runs. */
  cancelled = false;
  onReady: (f: number, i: number) => void = () => {};
  onDead: (f: number, i: number) => void = () => {};
  /** Runs once, when every instance is done or dead. */
  onAllDone: () => void = () => {};

  constructor(readonly w: CompiledWorkflow, private readonly rng: Rng) {
    const nf = w.functions.length;
    this.base = new Int32Array(nf + 1);
    for (let f = 0; f < nf; f++) this.base[f + 1] = this.base[f] + w.functions[f].instances;
    const n = this.base[nf];
    this.state = new Uint8Array(n);
    this.needTrig = new Int32Array(n);
    this.gotTrig = new Int32Array(n);
    this.deadTrig = new Int32Array(n);
    this.needData = new Int32Array(n);
    this.resolvedData = new Int32Array(n);
    this.deadCount = new Int32Array(nf);
    this.doneCount = new Int32Array(nf);
    this.edgeBase = new Int32Array(w.edges.length + 1);
    for (let e = 0; e < w.edges.length; e++) {
      const edge = w.edges[e];
      const to = w.index.get(edge.to)!;
      this.edgeBase[e + 1] = this.edgeBase[e] + (edge.kind === 'foreach' ? w.functions[to].instances : 1);
    }
    this.delivered = new Int32Array(this.edgeBase[w.edges.length]);
    this.killed = new Uint8Array(w.edges.length);
    for (let e = 0; e < w.edges.length; e++) {
      const edge = w.edges[e];
      const from = w.index.get(edge.from)!;
      const to = w.index.get(edge.to)!;
      const items = edge.kind === 'merge' ? w.functions[from].instances : 1;
      const targets = edge.kind === 'foreach' ? w.functions[to].instances : 1;
      for (let i = 0; i < targets; i++) {
        const s = this.base[to] + i;
        if (isTriggering(edge)) this.needTrig[s] += items;
        else this.needData[s] += items;
      }
    }
    this.remaining = n;
  }

  instances(f: number): number {
    return this.base[f + 1] - this.base[f];
  }

  /** Makes the start functions ready. Call once, after setting onReady. */
  start(): void {
    for (const f of this.w.starts) for (let i = 0; i < this.instances(f); i++) this.check(f, i);
  }

  /** Target instance of item `item` on edge e. */
  target(e: number, item: number): number {
    return this.w.edges[e].kind === 'foreach' ? item : 0;
  }

  /** One item of edge `e` has arrived (`item` = foreach item index, else the producer instance). */
  deliver(e: number, item: number): void {
    const edge = this.w.edges[e];
    const to = this.w.index.get(edge.to)!;
    const ti = this.target(e, item);
    this.delivered[this.edgeBase[e] + ti]++;
    const s = this.base[to] + ti;
    if (isTriggering(edge)) this.gotTrig[s]++;
    else this.resolvedData[s]++;
    this.check(to, ti);
  }

  /** Edge `e` will deliver nothing more (its producer died or its switch branch was not taken). */
  kill(e: number): void {
    if (this.killed[e]) return;
    this.killed[e] = 1;
    const edge = this.w.edges[e];
    const from = this.w.index.get(edge.from)!;
    const to = this.w.index.get(edge.to)!;
    const targets = edge.kind === 'foreach' ? this.instances(to) : 1;
    const items = edge.kind === 'merge' ? this.instances(from) : 1;
    for (let ti = 0; ti < targets; ti++) {
      const s = this.base[to] + ti;
      const missing = items - this.delivered[this.edgeBase[e] + ti];
      if (missing <= 0) continue;
      if (isTriggering(edge)) this.deadTrig[s] += missing;
      else this.resolvedData[s] += missing;
      this.check(to, ti);
    }
  }

  /** Picks the taken branch of f's switch edges and kills the others. Returns the chosen edge, or -1. */
  chooseSwitch(f: number): number {
    const sw = this.w.outEdges[f].filter((e) => this.w.edges[e].kind === 'switch');
    if (sw.length === 0) return -1;
    const u = this.rng();
    let acc = 0;
    let chosen = sw[sw.length - 1];
    for (const e of sw) {
      acc += this.w.edges[e].probability!;
      if (u < acc) {
        chosen = e;
        break;
      }
    }
    for (const e of sw) if (e !== chosen) this.kill(e);
    return chosen;
  }

  markRunning(f: number, i: number): void {
    this.state[this.base[f] + i] = InstanceState.Running;
  }

  /** Instance finished; returns true when it was the function's last instance. */
  finish(f: number, i: number): boolean {
    const s = this.base[f] + i;
    if (this.state[s] === InstanceState.Done) throw new Error(`instance ${this.w.functions[f].name}#${i} finished twice`);
    this.state[s] = InstanceState.Done;
    this.remaining--;
    this.doneCount[f]++;
    const last = this.doneCount[f] === this.instances(f);
    if (this.remaining === 0 && !this.cancelled) this.onAllDone();
    return last;
  }

  /**
   * Stops the run: no instance becomes ready any more (what is running may still finish and
   * deliver, but triggers nothing) and onAllDone never runs.
   */
  cancel(): void {
    this.cancelled = true;
  }

  get done(): boolean {
    return this.remaining === 0;
  }

  private check(f: number, i: number): void {
    const s = this.base[f] + i;
    if (this.state[s] !== InstanceState.Pending) return;
    const need = this.needTrig[s];
    const resolved = this.gotTrig[s] + this.deadTrig[s];
    if (resolved < need || this.resolvedData[s] < this.needData[s]) return;
    if (need > 0 && this.gotTrig[s] === 0) {
      this.state[s] = InstanceState.Dead;
      this.remaining--;
      this.deadCount[f]++;
      this.onDead(f, i);
      if (this.deadCount[f] === this.instances(f)) for (const e of this.w.outEdges[f]) this.kill(e);
      if (this.remaining === 0 && !this.cancelled) this.onAllDone();
      return;
    }
    if (this.cancelled) return;
    this.state[s] = InstanceState.Ready;
    this.onReady(f, i);
  }
}
