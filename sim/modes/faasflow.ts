/**
 * FaaSFlow-FaaStore = WorkerSP control + optimized data (reference 1.C).
 *
 * - Placement: FaaSFlow's critical-path grouping (faasflow-grouping.ts); each group on one worker.
 * - Control: the gateway triggers each start function on its worker directly. Each worker
 *   engine keeps per-request parent counters; when a function finishes (all its instances:
 *   run_foreach joins them), its engine triggers the successors: a local successor by a direct
 *   call (one engine operation), a remote one by one HTTP POST /request to that worker's engine,
 *   which counts it and runs the function (all its instances) when all parents are in. Switch (`virtual*`) nodes are evaluated by the engine of the worker they are
 *   placed on.
 * - Data (FaaStore): a function stores its outputs to local memory (`MEM`) if all its successors
 *   are in its group, to the remote store (`DB`) if none are, to both if mixed; an end function's
 *   results go to the remote store [ASSUMPTION: results must outlive the request]. Consumers read
 *   local memory when the producer is on their node and stored to memory, else the remote store.
 * - E2E ends when the last function has finished and its worker has answered the gateway
 *   [ASSUMPTION: stands for the return of the nested synchronous trigger calls, 1.C].
 */
import type { Mode, ModeContext, AppRuntime, RequestCtx } from './mode.js';
import { nodeFor } from './common.js';
import { allInstancesReady, forEachOutItem, runFunctionInstances, type DataPlacement } from './faas-function.js';
import { groupWorkflow, type Grouping } from './faasflow-grouping.js';

export { groupWorkflow } from './faasflow-grouping.js';

/** FaaStore's `to` per function from a grouping. */
export function faastorePlacement(app: AppRuntime, grouping: Grouping): DataPlacement {
  const cw = app.cw;
  const toMem: boolean[] = [];
  const toDb: boolean[] = [];
  for (let f = 0; f < cw.functions.length; f++) {
    const succ = cw.outEdges[f].map((e) => cw.index.get(cw.edges[e].to)!);
    const inGroup = succ.filter((s) => grouping.groupOf[s] === grouping.groupOf[f]).length;
    toMem.push(inGroup > 0);
    toDb.push(succ.length === 0 || inGroup < succ.length);
  }
  return { toMem, toDb };
}

export class FaaSFlowMode implements Mode {
  readonly name = 'faasflow' as const;
  private readonly placements = new Map<number, DataPlacement>();
  readonly groupings = new Map<number, Grouping>();

  constructor(private readonly ctx: ModeContext) {}

  prepare(app: AppRuntime): void {
    const workers = this.ctx.topo.workers;
    const g = groupWorkflow(app.cw, workers.length, this.ctx.params.faasflow);
    this.groupings.set(app.index, g);
    app.nodesOf = app.cw.functions.map((_, f) => [workers[g.nodeOf[f]]]);
    this.placements.set(app.index, faastorePlacement(app, g));
  }

  start(req: RequestCtx): void {
    const { control, topo } = this.ctx;
    req.run.onReady = (f, i) => {
      if (!allInstancesReady(req, f)) return;
      if (req.app.isStart[f]) control.request(topo.gatewayNode, nodeFor(req, f, i), () => this.execute(req, f), req);
      else this.execute(req, f);
    };
    req.run.start();
  }

  /** FaaStore keeps a function's output in its worker's memory when a successor is in its group. */
  losesStateOn(req: RequestCtx, node: number): boolean {
    const place = this.placements.get(req.app.index)!;
    const t = req.times;
    const run = req.run;
    for (let f = 0; f < req.app.cw.functions.length; f++) {
      if (!place.toMem[f]) continue;
      for (let s = run.base[f]; s < run.base[f + 1]; s++) if (t.node[s] === node && t.end[s] >= 0) return true;
    }
    return false;
  }

  /** Runs on the function's worker once its parent counter is complete: all its instances. */
  private execute(req: RequestCtx, f: number): void {
    const { control, sim } = this.ctx;
    const run = req.run;
    const node = nodeFor(req, f, 0);
    for (let i = 0; i < run.instances(f); i++) req.times.ready[run.base[f] + i] = sim.now;
    if (req.app.cw.functions[f].kind === 'switch') {
      const slot = run.base[f];
      // a switch is evaluated in the engine's own process: a local call
      control.process(node, () => {
        req.times.arrive[slot] = req.times.end[slot] = sim.now;
        req.times.node[slot] = node;
        this.finished(req, f, node);
      }, this.ctx.params.control.localCallS, req);
      return;
    }
    runFunctionInstances(this.ctx, req, f, node, this.placements.get(req.app.index)!, () => control.process(node, () => this.finished(req, f, node), undefined, req));
  }

  /**
   * Every instance of f is done: its engine triggers the successors, one call per successor
   * function (a local call, or one HTTP POST /request to the worker that owns it).
   */
  private finished(req: RequestCtx, f: number, node: number): void {
    const { control, topo } = this.ctx;
    const run = req.run;
    const n = run.instances(f);
    for (let i = 0; i < n; i++) run.finish(f, i);
    const chosen = run.chooseSwitch(f);
    const calls = new Map<number, Array<[number, number]>>();
    for (let i = 0; i < n; i++)
      forEachOutItem(req, f, i, chosen, (e, item, target) => {
        const to = req.app.cw.index.get(req.app.cw.edges[e].to)!;
        const key = to * 65536 + target;
        const list = calls.get(key) ?? [];
        list.push([e, item]);
        calls.set(key, list);
      });
    for (const [key, items] of calls) {
      const target = key % 65536;
      const deliver = () => {
        for (const [e, item] of items) run.deliver(e, item);
      };
      if (target === node) control.process(node, deliver, this.ctx.params.control.localCallS, req);
      else control.request(node, target, deliver, req);
    }
    if (run.done) control.send(node, topo.gatewayNode, () => this.ctx.complete(req));
  }
}
