/** The registry of orchestration modes: adding a mode is one file plus one line here. */
import type { ModeName } from '../scenario.js';
import type { Mode, ModeContext } from './mode.js';
import { HyperFlowMode } from './hyperflow.js';
import { FaaSFlowMode } from './faasflow.js';
import { DataFlowerMode } from './dataflower.js';
import { AdaptiveMode } from './adaptive.js';

export const MODES: Record<ModeName, { describe: string; create: (ctx: ModeContext) => Mode }> = {
  hyperflow: { describe: 'HyperFlow-serverless: central master (MasterSP), every intermediate result through remote storage', create: (c) => new HyperFlowMode(c) },
  faasflow: { describe: 'FaaSFlow-FaaStore: worker-side scheduling (WorkerSP) with grouping, same-node data in local memory', create: (c) => new FaaSFlowMode(c) },
  dataflower: { describe: 'DataFlower: data-flow triggering, per-container data unit streaming outputs while computing', create: (c) => new DataFlowerMode(c) },
  adaptive: { describe: "per workflow, the mode whose cost models (compute, data, control along the critical path) estimate the lowest e2e; --explain prints them", create: (c) => new AdaptiveMode(c) },
};

export function createMode(name: ModeName, ctx: ModeContext): Mode {
  const m = MODES[name];
  if (!m) throw new Error(`unknown mode '${name}'`);
  return m.create(ctx);
}
