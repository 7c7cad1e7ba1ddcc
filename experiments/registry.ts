/** Every experiment, in the order `list` and `all` use. */
import colocation from './defs/colocation.js';
import cost from './defs/cost.js';
import dataflowerExtras from './defs/dataflower-extras.js';
import latency from './defs/latency.js';
import overhead from './defs/overhead.js';
import scheduler from './defs/scheduler.js';
import scalability from './defs/scalability.js';
import tail from './defs/tail.js';
import throughput from './defs/throughput.js';
import faults from './defs/faults.js';
import fluctuation from './defs/fluctuation.js';
import adaptive from './defs/adaptive.js';
import nodeLoss from './defs/node-loss.js';
import { ExpError } from './lib/errors.js';
import type { ExperimentDef } from './types.js';

export const EXPERIMENTS: readonly ExperimentDef[] = [latency, tail, throughput, colocation, overhead, scalability, dataflowerExtras, scheduler, cost, faults, nodeLoss, fluctuation, adaptive];

export function experimentNames(): string[] {
  return EXPERIMENTS.map((e) => e.name);
}

export function getExperiment(name: string): ExperimentDef {
  const e = EXPERIMENTS.find((x) => x.name === name);
  if (!e) throw new ExpError(`unknown experiment '${name}'; valid: ${experimentNames().join(', ')}, all, list`);
  return e;
}
