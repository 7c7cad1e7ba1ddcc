/**
 * FaaSFlow-FaaStore = WorkerSP control + optimized data (reference 1.C).
 *
 * - Placement: FaaSFlow's critical-path grouping (faasflow-grouping.ts); each group on one worker.
 * - Control: the gateway triggers each start function on its worker directly. Each worker
 *   engine keeps per-request parent counters; when a function finishes, its engine triggers the
 *   successors: a local successor by a direct call (one engine operation), a remote one by one
 *   HTTP POST /request to that worker's engine, which counts it and runs the function when all
 *   parents are in. Switch (`virtual*`) nodes are evaluated by the engine of the worker they are
 *   placed on.
 * - Data (FaaStore): a function stores its outputs to local memory (`MEM`) if all its successors
 *   are in its group, to the remote store (`DB`) if none are, to both if mixed; an end function's
 *   results go to the remote store [ASSUMPTION: results must outlive the request]. Consumers read
 *   local memory when the producer is on their node and stored to memory, else the remote store.
 * - E2E ends when the last function has finished and its worker has answered the gateway
 *   [ASSUMPTION: stands for the return of the nested synchronous trigger calls, 1.C].
 */
import type { Mode, ModeContext, AppRuntime, RequestCtx } from './mode.js';
import { nodeFor } from './mode.js';
import { forEachOutItem, runContainerFunction, type DataPlacement } from './faas-function.js';
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
      if (req.app.isStart[f]) control.request(topo.gatewayNode, nodeFor(req, f, i), () => this.execute(req, f, i));
      else this.execute(req, f, i);
    };
    req.run.start();
  }

  /** Runs on the function's worker once its parent counter is complete. */
  private execute(req: RequestCtx, f: number, i: number): void {
    const { control, sim } = this.ctx;
    const node = nodeFor(req, f, i);
    const slot = req.run.base[f] + i;
    req.times.ready[slot] = sim.now;
    if (req.app.cw.functions[f].kind === 'switch') {
      control.process(node, () => {
        req.times.arrive[slot] = req.times.end[slot] = sim.now;
        req.times.node[slot] = node;
        this.finished(req, f, i, node);
      });
      return;
    }
    runContainerFunction(this.ctx, req, f, i, node, this.placements.get(req.app.index)!, () =>
      control.process(node, () => this.finished(req, f, i, node)),
    );
  }

  private finished(req: RequestCtx, f: number, i: number, node: number): void {
    const { control, topo } = this.ctx;
    const run = req.run;
    run.finish(f, i);
    const chosen = run.chooseSwitch(f);
    forEachOutItem(req, f, i, chosen, (e, item, target) => {
      if (target === node) control.process(node, () => run.deliver(e, item));
      else control.request(node, target, () => run.deliver(e, item));
    });
    if (run.done) control.send(node, topo.gatewayNode, () => this.ctx.complete(req));
  }
}
