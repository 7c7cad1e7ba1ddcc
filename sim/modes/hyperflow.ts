/**
 * HyperFlow-serverless = FaaSFlow's MasterSP control + raw data (reference 1.C).
 *
 * - Placement: `hash(name) % workers` (raw placement; a stable FNV-1a hash stands in for
 *   Python's randomised string hash, so placement is fixed per function name).
 * - Control: the gateway sends the request to the master engine (on `cluster.master`). For every
 *   function whose inputs are ready (once per function, whatever its instances: the worker's
 *   run_foreach starts them all and answers when the last is done) the master (1) selects a node: an HTTP GET /info to every
 *   worker in parallel, waiting for all replies (the result is unused, as in the authors' code),
 *   then (2) sends a synchronous POST /request to the function's worker, held until the function
 *   returns. The master then updates its state and triggers successors. Switch (`virtual*`)
 *   nodes are evaluated on the master.
 * - Data: every output is written to the remote store and every input read from it, even when
 *   producer and consumer share a node (consumers check local Redis first: a miss).
 * - E2E ends when the master has seen the last function finish and replied to the gateway.
 */
import type { Mode, ModeContext, AppRuntime, RequestCtx } from './mode.js';
import { nodeFor } from './common.js';
import { allInstancesReady, forEachOutItem, runFunctionInstances, type DataPlacement } from './faas-function.js';
import { hashPlacement } from '../policies/placement-hash.js';
import type { PlacementPolicy, PlacementState } from '../policies/placement.js';

export { rawPlacement } from '../policies/placement-hash.js';

export class HyperFlowMode implements Mode {
  readonly name = 'hyperflow' as const;
  private readonly placements = new Map<number, DataPlacement>();

  private readonly placement: PlacementPolicy;
  private state?: PlacementState;

  constructor(private readonly ctx: ModeContext) {
    this.placement = ctx.placement ?? hashPlacement;
  }

  prepare(app: AppRuntime): void {
    const workers = this.ctx.topo.workers;
    // a dynamic policy chooses per request; until then (and for nothing else) the hash stands
    app.nodesOf = (this.placement.prepare ?? hashPlacement.prepare!)(app.cw, workers.length, this.ctx.params).map((c) => c.map((k) => workers[k]));
    const n = app.cw.functions.length;
    this.placements.set(app.index, { toMem: new Array(n).fill(false), toDb: new Array(n).fill(true) });
  }

  start(req: RequestCtx): void {
    const { control, topo } = this.ctx;
    req.run.onReady = (f, i) => this.onReady(req, f, i);
    control.request(topo.gatewayNode, topo.masterNode, () => req.run.start(), req);
  }

  /** A function is runnable (all its instances: one trigger per function, as mastersp.py). */
  private onReady(req: RequestCtx, f: number, i: number): void {
    const { control, topo, sim } = this.ctx;
    if (!allInstancesReady(req, f)) return;
    const master = topo.masterNode;
    const run = req.run;
    for (let k = 0; k < run.instances(f); k++) req.times.ready[run.base[f] + k] = sim.now;
    const fn = req.app.cw.functions[f];
    if (fn.kind === 'switch') {
      const slot = run.base[f] + i;
      control.process(
        master,
        () => {
          req.times.arrive[slot] = req.times.end[slot] = sim.now;
          this.finished(req, f);
        },
        this.ctx.params.control.localCallS,
        req,
      );
      return;
    }
    // node_select(): GET /info to all workers in parallel, wait for every reply
    control.poll(master, topo.workers, () => {
      // a dynamic placement policy chooses now, with the replies in
      if (this.placement.choose) {
        req.placed ??= new Int32Array(req.app.cw.functions.length).fill(-1);
        req.placed[f] = this.placement.choose(req, f, this.placementState());
      }
      // POST /request to the owner, held until the function (all its instances) returns
      const node = nodeFor(req, f, 0);
      control.request(master, node, () =>
        runFunctionInstances(this.ctx, req, f, node, this.placements.get(req.app.index)!, () =>
          control.send(node, master, () => control.process(master, () => this.finished(req, f), undefined, req)),
        ),
        req,
      );
    }, req);
  }

  private placementState(): PlacementState {
    if (!this.state) {
      const { pools, topo, streams } = this.ctx;
      this.state = { workers: topo.workers, busyOn: (n) => pools.busyOn(n), nodeOf: (req, f) => nodeFor(req, f, 0), rng: streams.stream('placement') };
    }
    return this.state;
  }

  private finished(req: RequestCtx, f: number): void {
    const run = req.run;
    const n = run.instances(f);
    for (let i = 0; i < n; i++) run.finish(f, i);
    const chosen = run.chooseSwitch(f);
    for (let i = 0; i < n; i++) forEachOutItem(req, f, i, chosen, (e, item) => run.deliver(e, item));
    if (run.done) this.ctx.control.send(this.ctx.topo.masterNode, this.ctx.topo.gatewayNode, () => this.ctx.complete(req));
  }
}
