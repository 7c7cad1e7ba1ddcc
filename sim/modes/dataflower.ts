/**
 * DataFlower: data-flow triggering with a function unit (FLU) and a data unit (DLU) per
 * container (reference 2.C).
 *
 * - Placement: the benchmark's fixed table (`placement` in its YAML; several entries alternate by
 *   request index, as video's transcode does by request-id parity); functions without an entry
 *   use FaaSFlow's grouping [ASSUMPTION: only DataFlower's own 4 benchmarks have tables].
 * - Triggering: each worker engine counts the input items that have *arrived on its node* for a
 *   function instance and dispatches it when all are present (predecessor completion is not
 *   needed). Remote inputs count as arrived once fully prefetched to the host.
 * - Outputs are posted as they are produced: foreach items one by one while the producer still
 *   computes (item j after (j+1)/K of its compute, `foreachEmit: spread` [ASSUMPTION]), other
 *   outputs when it ends; switch outputs are held to the end and routed by the condition.
 *   For each output item:
 *     <= 16 KB: inline over the container's socket to the host engine, then HTTP to the
 *       consumer's host if remote;
 *     local consumer: written to the node's Redis, then a ready notice (no network);
 *     remote consumer: queued to the container's DLU, which produces it to the remote store
 *       (Kafka) in 256 KB chunks through the container's egress cap (50 MB/s per core, tc HTB),
 *       one output after another; after the first chunk the host sends kafka_data_ready to the
 *       consumer's host, whose prefetcher consumes the chunks (one fetch per consuming node).
 *   The consuming container then reads its inputs from its host (Unix socket: local store link).
 * - Pressure-aware release: after the FLU ends, the container returns to the pool only after
 *   max(0, bytes sent remote / (0.8 x egress cap) - exec time), if that is >= 5 ms.
 * - E2E ends when the first output to $USER (an end function's result) reaches the gateway.
 * Data overhead = the in-container time spent reading inputs and writing local outputs (the
 * FaaSFlow "edge" phase); the DLU's asynchronous streaming is not part of it.
 */
import type { Container } from '../models/container-pool.js';
import type { Stream } from '../models/storage.js';
import type { Mode, ModeContext, AppRuntime, RequestCtx } from './mode.js';
import { nodeFor } from './common.js';
import { newInvocation, runInvocation, type Invocation, type InvocationHooks } from './invocation.js';

const NOOP = () => {};
import { groupWorkflow } from './faasflow-grouping.js';
import { containerEgressCapBps } from '../models/cluster.js';
import type { CompiledWorkflow } from '../models/workflow.js';
import type { Params } from '../params.js';

/**
 * Candidate workers (indices into the worker list) of each function: the benchmark's table, whose
 * names `workerIndex` resolves, else FaaSFlow's grouping [ASSUMPTION: only DataFlower's own 4
 * benchmarks have tables]. Several entries alternate by request index (nodeFor).
 */
export function dataflowerPlacement(cw: CompiledWorkflow, workerCount: number, p: Params['faasflow'], workerIndex: (name: string) => number): number[][] {
  const table = cw.spec.placement ?? {};
  const g = cw.functions.some((fn) => !table[fn.name]) ? groupWorkflow(cw, workerCount, p) : undefined;
  return cw.functions.map((fn, f) => {
    const names = table[fn.name];
    return names && names.length > 0 ? names.map(workerIndex) : [g!.nodeOf[f]];
  });
}

/** A stream that may not have started yet (the DLU is busy with earlier outputs). */
class PendingStream {
  stream?: Stream;
  private firstChunk: Array<() => void> = [];
  private consumers: Array<[number, () => void]> = [];
  attach(s: Stream): void {
    this.stream = s;
    for (const cb of this.firstChunk.splice(0)) s.onFirstChunk(cb);
    for (const [node, cb] of this.consumers.splice(0)) s.consume(node, cb);
  }
  onFirstChunk(cb: () => void): void {
    if (this.stream) this.stream.onFirstChunk(cb);
    else this.firstChunk.push(cb);
  }
  consume(node: number, cb: () => void): void {
    if (this.stream) this.stream.consume(node, cb);
    else this.consumers.push([node, cb]);
  }
}

interface Dlu {
  /** The container's egress cap (tc HTB), nominal bytes/s. */
  egressCapBps: number;
  busy: boolean;
  queue: Array<() => void>;
}

interface RequestState {
  outputs: Map<string, OutputState>;
  userPending: number;
}

interface OutputState {
  pending: PendingStream;
  /** Per consuming node: callbacks waiting for the prefetch, or null once it is done. */
  arrived: Map<number, Array<() => void> | null>;
}

export class DataFlowerMode implements Mode {
  readonly name = 'dataflower' as const;

  /** The FLU and DLU as the invocation pipeline's hooks (one object for every invocation). */
  private readonly hooks: InvocationHooks;

  constructor(private readonly ctx: ModeContext) {
    this.hooks = this.makeHooks();
  }

  prepare(app: AppRuntime): void {
    const { topo } = this.ctx;
    const workers = topo.workers;
    app.nodesOf = dataflowerPlacement(app.cw, workers.length, this.ctx.params.faasflow, (n) => workers.indexOf(topo.index(n))).map((c) => c.map((k) => workers[k]));
  }

  start(req: RequestCtx): void {
    const { control, topo, net, params } = this.ctx;
    req.state = { outputs: new Map(), userPending: 0 } satisfies RequestState;
    req.run.onReady = (f, i) => {
      if (!req.app.isStart[f]) {
        this.execute(req, f, i);
        return;
      }
      // the gateway sends request_info (and the workflow inputs) to the start function's worker
      const node = nodeFor(req, f, i);
      const bytes = params.request.workflowInputs === 'fetch' ? req.app.cw.functions[f].inputBytes : 0;
      if (bytes > params.storage.inlineBytes) {
        net.transfer(topo.route(topo.gatewayNode, node), bytes, () => control.process(node, () => this.execute(req, f, i), undefined, req));
      } else {
        control.request(topo.gatewayNode, node, () => this.execute(req, f, i), req);
      }
    };
    req.run.start();
  }

  /** Every instance that started on `node` left data there (its host's store, its data unit's streams). */
  losesStateOn(req: RequestCtx, node: number): boolean {
    const t = req.times;
    for (let s = 0; s < t.start.length; s++) if (t.node[s] === node && t.start[s] >= 0) return true;
    return false;
  }

  /** A container's egress cap on this cluster (Infinity when the cluster shapes none). */
  private egressCap(cpu: number): number {
    return containerEgressCapBps(this.ctx.topo.cluster, cpu, this.ctx.params.dataflower.sleepQuotaCores);
  }

  private dlu(c: Container, cpu: number): Dlu {
    if (!c.data) {
      // The DLU sends one output at a time, so the egress shaper only ever carries one flow:
      // it is a bound on that flow (Network.transfer's privateCapBps), not a shared link.
      const cap = this.egressCap(cpu);
      c.data = { egressCapBps: cap, busy: false, queue: [] } satisfies Dlu;
    }
    return c.data as Dlu;
  }

  private execute(req: RequestCtx, f: number, i: number): void {
    const { control, sim } = this.ctx;
    const app = req.app;
    const cw = app.cw;
    const fn = cw.functions[f];
    const run = req.run;
    const node = nodeFor(req, f, i);
    const slot = run.base[f] + i;
    const t = req.times;
    t.ready[slot] = t.arrive[slot] = sim.now;
    t.node[slot] = node;
    if (fn.kind === 'switch') {
      control.process(node, () => {
        t.end[slot] = sim.now;
        run.finish(f, i);
        const chosen = run.chooseSwitch(f);
        this.emitEnd(req, f, i, node, undefined, chosen, () => {});
      }, undefined, req);
      return;
    }
    runInvocation(this.ctx, newInvocation(req, f, i, node), this.hooks, NOOP);
  }

  private makeHooks(): InvocationHooks {
    return {
      dispatchPeriodS: this.ctx.params.dataflower.dispatchPeriodS,
      // in-container fetch: every input is on the host now; large ones are read over the socket
      fetch: (inv, next) => {
        const { sim, storage, params } = this.ctx;
        const { req, f, i, node } = inv;
        const cw = req.app.cw;
        const run = req.run;
        const reads: number[] = [];
        for (const e of cw.inEdges[f]) {
          const edge = cw.edges[e];
          if (edge.bytes <= params.storage.inlineBytes) continue;
          const items = run.delivered[run.edgeBase[e] + (edge.kind === 'foreach' ? i : 0)];
          for (let k = 0; k < items; k++) reads.push(edge.bytes);
        }
        const fetchStart = sim.now;
        const readNext = (k: number) => {
          if (k < reads.length) storage.localGet(node, reads[k], () => readNext(k + 1));
          else next(sim.now - fetchStart);
        };
        readNext(0);
      },
      compute: (inv, seconds, next) => this.compute(inv, seconds, next),
      // the FLU posts its end outputs and returns once its local writes are done
      write: (inv, next) => {
        const { sim } = this.ctx;
        const { req, f, i, node } = inv;
        const postStart = sim.now;
        const chosen = req.run.chooseSwitch(f);
        // the bytes are counted when queued, before the FLU's local writes end; the instance is
        // finished once they have ended and its times are complete (the pipeline's release step,
        // run by next), so that a request whose run ends here is accounted with all its times
        this.emitEnd(req, f, i, node, inv, chosen, () => {
          next(sim.now - postStart);
          req.run.finish(f, i);
          this.maybeComplete(req);
        });
      },
      // pressure-aware release: the container is held while the DLU still sends
      holdS: (inv) => {
        const params = this.ctx.params;
        const t = inv.req.times;
        const exec = t.end[inv.slot] - t.start[inv.slot];
        const delay = inv.remoteBytes / (params.dataflower.pressureFactor * this.egressCap(inv.req.app.cw.functions[inv.f].cpu)) - exec;
        return params.dataflower.pressureAware && delay >= 0.005 ? delay : 0;
      },
    };
  }

  /** Computes, emitting foreach items while computing (spread) or at the end. */
  private compute(inv: Invocation, total: number, done: () => void): void {
    const { nodes, params } = this.ctx;
    const { req, f, i, node } = inv;
    const c = inv.container!;
    const cw = req.app.cw;
    const fn = cw.functions[f];
    const foreachEdges = cw.outEdges[f].filter((e) => cw.edges[e].kind === 'foreach');
    if (foreachEdges.length === 0) {
      nodes.compute(node, total, fn.cpu, done);
      return;
    }
    const k = Math.max(...foreachEdges.map((e) => cw.functions[cw.index.get(cw.edges[e].to)!].instances));
    const spread = params.dataflower.foreachEmit === 'spread';
    const segments = spread ? k : 1;
    const emitItem = (j: number) => {
      for (const e of foreachEdges) {
        const to = cw.index.get(cw.edges[e].to)!;
        if (j >= cw.functions[to].instances) continue;
        inv.remoteBytes += this.emit(req, f, i, node, c, e, j, nodeFor(req, to, j), () => {});
      }
    };
    const segment = (s: number) => {
      if (req.cancelled) return; // its request failed (a lost node): nothing more is emitted
      if (s === segments) {
        if (!spread) for (let j = 0; j < k; j++) emitItem(j);
        done();
        return;
      }
      nodes.compute(node, total / segments, fn.cpu, () => {
        if (spread) emitItem(s);
        segment(s + 1);
      });
    };
    segment(0);
  }

  /**
   * The request's results have reached the user: every end function is done or dead and each live
   * one's output has arrived. With one end function (DataFlower's benchmarks) this is the first
   * output to $USER, as DataFlower's gateway measures; with several (the scientific DAGs) the
   * request is not over before the last result arrives [ASSUMPTION].
   */
  private maybeComplete(req: RequestCtx): void {
    const st = req.state as RequestState;
    if (st.userPending === 0 && req.run.done) this.ctx.complete(req);
  }

  /**
   * Posts f's non-foreach outputs at its end (switch edges only along `chosen`), and its result to
   * the user if it is an end function. `localDone` runs when the FLU's local writes are done.
   * Adds the bytes queued for remote consumers to the invocation (pressure-aware release).
   */
  private emitEnd(req: RequestCtx, f: number, i: number, node: number, inv: Invocation | undefined, chosen: number, localDone: () => void): void {
    const c = inv?.container;
    const { control, topo, net, params } = this.ctx;
    const cw = req.app.cw;
    let pendingLocal = 1;
    const oneDone = () => {
      if (--pendingLocal === 0) localDone();
    };
    for (const e of cw.outEdges[f]) {
      const edge = cw.edges[e];
      if (edge.kind === 'foreach') continue;
      if (edge.kind === 'switch' && e !== chosen) continue;
      const to = cw.index.get(edge.to)!;
      pendingLocal++;
      const sent = this.emit(req, f, i, node, c, e, edge.kind === 'merge' ? i : 0, nodeFor(req, to, 0), oneDone);
      if (inv) inv.remoteBytes += sent;
    }
    const isEnd = !cw.outEdges[f].some((e) => cw.edges[e].kind !== 'data');
    const st = req.state as RequestState;
    if (isEnd) {
      const bytes = cw.functions[f].userOutputBytes;
      const gw = topo.gatewayNode;
      st.userPending++;
      const arrived = () => {
        st.userPending--;
        this.maybeComplete(req);
      };
      if (bytes > params.storage.inlineBytes) net.transfer(topo.route(node, gw), bytes, arrived);
      else control.send(node, gw, arrived);
    } else {
      // a switch may have killed the remaining end functions
      this.maybeComplete(req);
    }
    oneDone();
  }

  /**
   * Sends one item of edge e (item index `item`) from `node` to the consumer on `target`.
   * `localDone` runs when the producer's synchronous part is over. Returns bytes sent remote.
   */
  private emit(req: RequestCtx, f: number, i: number, node: number, c: Container | undefined, e: number, item: number, target: number, localDone: () => void): number {
    const { control, storage, params } = this.ctx;
    const run = req.run;
    const edge = req.app.cw.edges[e];
    const deliver = () => run.deliver(e, item);
    if (edge.bytes <= params.storage.inlineBytes || !c) {
      // inline: socket to the host engine, then HTTP to the consumer's host
      control.process(node, () => (target === node ? deliver() : control.request(node, target, deliver, req)), undefined, req);
      localDone();
      return 0;
    }
    if (target === node) {
      storage.localPut(node, edge.bytes, () => {
        localDone();
        control.process(node, deliver, undefined, req);
      });
      return 0;
    }
    localDone();
    // remote: one DLU stream per produced output, one prefetch per consuming node
    const outputs = (req.state as RequestState).outputs;
    const keyIdx = edge.kind === 'foreach' ? `f${e}:${item}` : `b${edge.bytes}`;
    const key = `${f}:${i}:${keyIdx}`;
    let out = outputs.get(key);
    let sent = 0;
    if (!out) {
      const pending = new PendingStream();
      out = { pending, arrived: new Map() };
      outputs.set(key, out);
      sent = edge.bytes;
      const dlu = this.dlu(c, req.app.cw.functions[f].cpu);
      const produce = () => {
        dlu.busy = true;
        const s = storage.stream(node, edge.bytes, dlu.egressCapBps);
        pending.attach(s);
        s.onStored(() => {
          dlu.busy = false;
          const next = dlu.queue.shift();
          if (next) next();
        });
      };
      if (dlu.busy) dlu.queue.push(produce);
      else produce();
    }
    const state = out;
    const waiting = state.arrived.get(target);
    if (waiting === null) {
      control.process(target, deliver, undefined, req);
    } else if (waiting) {
      waiting.push(deliver);
    } else {
      const list: Array<() => void> = [deliver];
      state.arrived.set(target, list);
      state.pending.onFirstChunk(() =>
        control.process(node, () =>
          control.request(node, target, () =>
            state.pending.consume(target, () => {
              state.arrived.set(target, null);
              control.process(target, () => {
                for (const d of list) d();
              }, undefined, req);
            }),
          ),
        ),
      );
    }
    return sent;
  }
}
