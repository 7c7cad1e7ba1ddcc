/**
 * Workflow variants built from the benchmark specs (scalability, cpu sensitivity). Base specs are loaded once with
 * `loadWorkflow` from loader/load.ts and cached, so `scenario()` can stay synchronous.
 */
import type { WorkflowSpec } from '../../sim/models/workflow.js';

const cache = new Map<string, WorkflowSpec>();

export async function preloadWorkflows(names: string[]): Promise<void> {
  const missing = names.filter((n) => !cache.has(n));
  if (missing.length === 0) return;
  const { loadWorkflow } = await import('../../loader/load.js');
  for (const n of missing) cache.set(n, loadWorkflow(n));
}

export function baseWorkflow(name: string): WorkflowSpec {
  const w = cache.get(name);
  if (!w) throw new Error(`workflow '${name}' was not preloaded (experiment prepare() missing)`);
  return structuredClone(w);
}

/** Every function of the workflow gets `cpu` cores (DataFlower's cpu sensitivity test). */
export function withCpu(w: WorkflowSpec, cpu: number): WorkflowSpec {
  const out = structuredClone(w);
  for (const f of out.functions) if (f.kind === 'function') f.cpu = cpu;
  return out;
}

/**
 * df-wordcount with `files` count instances each reading `totalBytes / files` (the foreach edge
 * out of start). The count function's service time scales with its input relative to the base
 * spec's mean item size [ASSUMPTION: word counting is linear in the text size].
 */
export function wordcountVariant(w: WorkflowSpec, files: number, totalBytes: number): WorkflowSpec {
  const out = structuredClone(w);
  const fe = out.edges.find((e) => e.kind === 'foreach');
  if (!fe) throw new Error(`${w.name}: no foreach edge to vary`);
  const target = out.functions.find((f) => f.name === fe.to)!;
  const baseItem = fe.bytes;
  const item = Math.round(totalBytes / files);
  target.instances = files;
  fe.bytes = item;
  if (baseItem > 0) target.serviceTime = scaleDistribution(target.serviceTime, item / baseItem);
  return out;
}

function scaleDistribution(d: WorkflowSpec['functions'][number]['serviceTime'], k: number): WorkflowSpec['functions'][number]['serviceTime'] {
  switch (d.kind) {
    case 'constant':
      return { kind: 'constant', value: d.value * k };
    case 'uniform':
      return { kind: 'uniform', min: d.min * k, max: d.max * k };
    case 'exponential':
      return { kind: 'exponential', mean: d.mean * k };
    case 'normal':
      return { kind: 'normal', mean: d.mean * k, sd: d.sd * k, ...(d.min !== undefined ? { min: d.min * k } : {}) };
    case 'lognormal':
      return { kind: 'lognormal', mean: d.mean * k, sd: d.sd * k };
    case 'empirical':
      return { kind: 'empirical', values: d.values.map((v) => v * k), ...(d.weights ? { weights: d.weights } : {}) };
  }
}
