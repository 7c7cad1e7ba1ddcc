/**
 * Adaptive: per workflow, the mode its cost models say is fastest (the DataFlower orchestrator
 * seed's "cost models -> mode classifier -> scheduling policy"). At `prepare` it estimates, from
 * the workflow, the cluster and the parameters, each fixed mode's e2e latency on an idle cluster
 * (cost-models.ts: compute, data and control along the critical path), classifies the workflow by
 * its computation-to-communication ratio (CCR), and runs every request of that workflow with the
 * chosen mode's control and data path: the chosen mode's own object does the work, so adaptive
 * adds no mechanism of its own. `decisions` holds what was chosen and why (`--explain`).
 *
 * Left out [ASSUMPTION]: choosing per sub-DAG (a request runs under one mode), and revising a
 * choice from what the run measures.
 */
import type { AppRuntime, Mode, ModeContext, RequestCtx } from './mode.js';
import { HyperFlowMode } from './hyperflow.js';
import { FaaSFlowMode } from './faasflow.js';
import { DataFlowerMode } from './dataflower.js';
import { decideMode, type CostDecision, type FixedMode } from './cost-models.js';

export class AdaptiveMode implements Mode {
  readonly name = 'adaptive' as const;
  readonly decisions: CostDecision[] = [];
  private readonly modes = new Map<FixedMode, Mode>();
  private readonly byApp = new Map<number, Mode>();

  constructor(private readonly ctx: ModeContext) {}

  /** The fixed mode's object, made on first use (a mode made but never used changes nothing). */
  private mode(name: FixedMode): Mode {
    let m = this.modes.get(name);
    if (!m) {
      m = name === 'hyperflow' ? new HyperFlowMode(this.ctx) : name === 'faasflow' ? new FaaSFlowMode(this.ctx) : new DataFlowerMode(this.ctx);
      this.modes.set(name, m);
    }
    return m;
  }

  prepare(app: AppRuntime): void {
    const { topo, params } = this.ctx;
    const d = decideMode({ cw: app.cw, cluster: topo.cluster, params, storageBps: topo.capacity[topo.storageNode] });
    this.decisions.push({ ...d, workflow: app.name });
    const m = this.mode(d.chosen);
    this.byApp.set(app.index, m);
    m.prepare(app);
  }

  start(req: RequestCtx): void {
    this.byApp.get(req.app.index)!.start(req);
  }

  losesStateOn(req: RequestCtx, node: number): boolean {
    return this.byApp.get(req.app.index)!.losesStateOn?.(req, node) ?? false;
  }
}
