/**
 * Compiles one workflow request into the plan the testbed's engines execute for real
 * (calibrate/testbed/engine.mjs), from flowsim's own workflow model and the mode's own placement,
 * so that the real run and the simulation execute the same workflow the same way:
 *
 * - placement: the modes' own (rawPlacement, groupWorkflow with faastorePlacement,
 *   dataflowerPlacement);
 * - triggering: a function runs once all the functions that trigger it are done (one trigger per
 *   function, whatever its instances), as both FaaSFlow engines do; switch choices are taken from
 *   the workflow (only certain branches, probability 0 or 1, are supported: a real run and a
 *   simulation cannot draw the same random branch);
 * - data, as faas-function.ts moves it: instance i of g reads, per in-edge e with bytes, item i of a
 *   foreach edge, every producer instance of a merge or normal edge; a read is local when the
 *   producer stored to memory on the same worker, else a local miss then a remote read; outputs are
 *   written key after key (FaaSFlow's put_keys document update first for foreach producers that
 *   store remotely), to the remote store and/or local memory; workflow-level inputs are remote
 *   misses (`request.workflowInputs: miss`, as in the authors' runs);
 * - compute: `cpu > 0` functions do `serviceTime x cpu` core-seconds of CPU work at `cpu` cores
 *   (the node model's definition, node.ts); `cpu: 0` functions sleep `serviceTime`.
 */
import { makeDistribution } from '../sim/engine/distributions.js';
import { makeRng, type Rng } from '../sim/engine/random.js';
import type { Params } from '../sim/params.js';
import { compileWorkflow, isTriggering, type CompiledWorkflow, type WorkflowSpec } from '../sim/models/workflow.js';
import type { AppRuntime } from '../sim/modes/mode.js';
import { outputKeys } from '../sim/modes/common.js';
import { rawPlacement } from '../sim/modes/hyperflow.js';
import { dataflowerPlacement } from '../sim/modes/dataflower.js';
import { extraOutputBytes } from '../sim/modes/faas-function.js';
import { groupWorkflow } from '../sim/modes/faasflow-grouping.js';
import { faastorePlacement } from '../sim/modes/faasflow.js';

export type PlanMode = 'hyperflow' | 'faasflow' | 'dataflower';

export interface PlanInput {
  key: string;
  bytes: number;
  /** Read from the worker's own store (the producer stored to memory on this worker). */
  local: boolean;
}

export interface PlanOutput {
  key: string;
  bytes: number;
  stores: Array<'remote' | 'local'>;
}

export interface PlanInstance {
  inputs: PlanInput[];
  sleepS: number;
  cpuS: number;
  rate: number;
  outputs: PlanOutput[];
}

export interface PlanFunction {
  name: string;
  kind: 'function' | 'switch';
  /** Index into `workers`. */
  node: number;
  pool: string;
  maxContainers: number;
  /** Functions that trigger this one (distinct). */
  parents: number;
  succ: number[];
  /** Foreach/merge consumers read the request's keys first (repo.get_keys). */
  keysKey?: string;
  instances: PlanInstance[];
}

export interface Plan {
  req: string;
  mode: PlanMode;
  gateway: string;
  workers: string[];
  starts: number[];
  functions: PlanFunction[];
  remoteKeys: string[];
  localKeys: Record<string, string[]>;
}

export class PlanError extends Error {
  override name = 'PlanError';
}

/** What a compiled workflow needs once per cell: placement and the live part of the DAG. */
export interface PlanTemplate {
  spec: WorkflowSpec;
  cw: CompiledWorkflow;
  mode: PlanMode;
  nodeOf: number[];
  /** DataFlower: candidate workers per function (alternating by request index). */
  nodesOf?: number[][];
  toMem: boolean[];
  toDb: boolean[];
  alive: boolean[];
  liveEdge: boolean[];
  service: Array<{ sample(rng: Rng): number }>;
}

export function planTemplate(spec: WorkflowSpec, mode: PlanMode, workerCount: number, params: Params): PlanTemplate {
  const cw = compileWorkflow(spec);
  const n = cw.functions.length;
  let nodeOf: number[];
  let toMem: boolean[];
  let toDb: boolean[];
  let nodesOf: number[][] | undefined;
  if (mode === 'hyperflow') {
    nodeOf = rawPlacement(cw, workerCount);
    toMem = new Array(n).fill(false);
    toDb = new Array(n).fill(true);
  } else if (mode === 'dataflower') {
    // the testbed's workers are w0, w1, ... in order
    nodesOf = dataflowerPlacement(cw, workerCount, params.faasflow, (nm) => {
      const k = Number(/^w(\d+)$/.exec(nm)?.[1] ?? NaN);
      if (!(k >= 0 && k < workerCount)) throw new PlanError(`${spec.name}: its placement names '${nm}'; the testbed has workers w0..w${workerCount - 1}`);
      return k;
    });
    nodeOf = nodesOf.map((c) => c[0]!);
    toMem = new Array(n).fill(false);
    toDb = new Array(n).fill(false);
  } else {
    const g = groupWorkflow(cw, workerCount, params.faasflow);
    nodeOf = Array.from(g.nodeOf);
    ({ toMem, toDb } = faastorePlacement({ cw } as AppRuntime, g));
  }
  // certain switch branches only
  const liveEdge = new Array(cw.edges.length).fill(false);
  const alive = new Array(n).fill(false);
  for (const f of cw.topo) {
    const trig = cw.inEdges[f].filter((e) => isTriggering(cw.edges[e]));
    alive[f] = trig.length === 0 || trig.some((e) => liveEdge[e]);
    if (!alive[f]) continue;
    const sw = cw.outEdges[f].filter((e) => cw.edges[e].kind === 'switch');
    for (const e of sw) {
      const p = cw.edges[e].probability ?? 0;
      if (p > 0 && p < 1)
        throw new PlanError(`${spec.name}: switch ${cw.functions[f].name} -> ${cw.edges[e].to} has probability ${p}; the testbed runs only certain branches (0 or 1)`);
    }
    for (const e of cw.outEdges[f]) liveEdge[e] = cw.edges[e].kind !== 'switch' || (cw.edges[e].probability ?? 0) >= 1;
  }
  const service = cw.functions.map((fn) => makeDistribution(fn.serviceTime));
  return { spec, cw, mode, nodeOf, nodesOf, toMem, toDb, alive, liveEdge, service };
}

/** The plan of one request; `rng` draws the service times. */
export function compilePlan(t: PlanTemplate, req: string, gateway: string, workers: string[], rng: Rng): Plan {
  const { cw } = t;
  const index = new Map<number, number>(); // function -> plan index
  cw.topo.forEach((f) => {
    if (t.alive[f]) index.set(f, index.size);
  });
  const remoteKeys = new Set<string>();
  const localKeys: Record<string, Set<string>> = {};
  const keyOf = (f: number, i: number, k: number, j: number) => `${req}/${f}/${i}/${k}/${j}`;
  const docKey = `${req}/keys`;
  // which key carries edge e, item j of the producer's instance i
  const edgeKey = new Map<number, number>();
  for (let f = 0; f < cw.functions.length; f++) outputKeys(cw, f).forEach((k, ki) => k.edges.forEach((e) => edgeKey.set(e, ki)));

  const functions: PlanFunction[] = [];
  for (const f of cw.topo) {
    if (!t.alive[f]) continue;
    const fn = cw.functions[f];
    const node = t.nodeOf[f];
    const succ = new Set<number>();
    for (const e of cw.outEdges[f]) {
      const to = cw.index.get(cw.edges[e].to)!;
      if (t.liveEdge[e] && isTriggering(cw.edges[e]) && t.alive[to]) succ.add(index.get(to)!);
    }
    const parents = new Set<number>();
    for (const e of cw.inEdges[f]) {
      const from = cw.index.get(cw.edges[e].from)!;
      if (t.liveEdge[e] && isTriggering(cw.edges[e]) && t.alive[from]) parents.add(from);
    }
    const readsKeys = cw.inEdges[f].some((e) => cw.edges[e].kind === 'foreach' || cw.edges[e].kind === 'merge');
    const instances: PlanInstance[] = [];
    if (fn.kind !== 'switch') {
      for (let i = 0; i < fn.instances; i++) {
        const inputs: PlanInput[] = [];
        if (fn.inputBytes > 0) inputs.push({ key: `${req}/input/${f}`, bytes: 0, local: false });
        for (const e of cw.inEdges[f]) {
          const edge = cw.edges[e];
          if (edge.bytes <= 0 || !t.liveEdge[e]) continue;
          const from = cw.index.get(edge.from)!;
          if (!t.alive[from]) continue;
          const ki = edgeKey.get(e);
          if (ki === undefined) continue;
          const local = t.toMem[from] && t.nodeOf[from] === node;
          const producers = cw.functions[from].instances;
          if (edge.kind === 'foreach') inputs.push({ key: keyOf(from, 0, ki, i), bytes: edge.bytes, local });
          else for (let k = 0; k < producers; k++) inputs.push({ key: keyOf(from, k, ki, 0), bytes: edge.bytes, local });
        }
        const outputs: PlanOutput[] = [];
        const stores: Array<'remote' | 'local'> = [...(t.toDb[f] ? (['remote'] as const) : []), ...(t.toMem[f] ? (['local'] as const) : [])];
        const note = (key: string) => {
          if (t.toDb[f]) remoteKeys.add(key);
          if (t.toMem[f]) (localKeys[workers[node]] ??= new Set()).add(key);
        };
        if (t.toDb[f] && cw.outEdges[f].some((e) => cw.edges[e].kind === 'foreach')) {
          outputs.push({ key: docKey, bytes: 0, stores: ['remote'] });
          remoteKeys.add(docKey);
        }
        outputKeys(cw, f).forEach((k, ki) => {
          const e = cw.edges[k.edges[0]];
          if (k.bytes <= 0) return;
          const count = e.kind === 'foreach' ? cw.functions[cw.index.get(e.to)!].instances : 1;
          for (let j = 0; j < count; j++) {
            const key = keyOf(f, i, ki, j);
            outputs.push({ key, bytes: k.bytes, stores });
            note(key);
          }
        });
        const extra = extraOutputBytes({ cw }, f);
        if (extra > 0) {
          const key = `${req}/${f}/${i}/extra`;
          outputs.push({ key, bytes: extra, stores });
          note(key);
        }
        const s = Math.max(0, t.service[f].sample(rng));
        instances.push(fn.cpu > 0 ? { inputs, sleepS: 0, cpuS: s * fn.cpu, rate: fn.cpu, outputs } : { inputs, sleepS: s, cpuS: 0, rate: 0, outputs });
      }
    }
    functions.push({
      name: fn.name,
      kind: fn.kind,
      node,
      pool: `${t.spec.name}/${fn.name}`,
      maxContainers: fn.maxContainers,
      parents: parents.size,
      succ: [...succ],
      ...(readsKeys ? { keysKey: docKey } : {}),
      instances,
    });
  }
  const starts = functions.map((fn, k) => (fn.parents === 0 ? k : -1)).filter((k) => k >= 0);
  return {
    req,
    mode: t.mode,
    gateway,
    workers,
    starts,
    functions,
    remoteKeys: [...remoteKeys],
    localKeys: Object.fromEntries(Object.entries(localKeys).map(([a, s]) => [a, [...s]])),
  };
}

/** A stream for the service times of the real runs of one cell. */
export function planRng(seed: number, cell: string): Rng {
  return makeRng(seed, `validate:${cell}`);
}

/** Scales every byte count of a workflow by `factor` (edges, inputs, outputs); the scaled spec is simulated too. */
export function scaleWorkflowBytes(spec: WorkflowSpec, factor: number): WorkflowSpec {
  if (factor === 1) return spec;
  const s = structuredClone(spec);
  const r = (x: number) => Math.round(x * factor);
  for (const e of s.edges) e.bytes = r(e.bytes);
  for (const fn of s.functions) {
    fn.inputBytes = r(fn.inputBytes);
    fn.userOutputBytes = r(fn.userOutputBytes);
    if (fn.outputBytes !== undefined) fn.outputBytes = r(fn.outputBytes);
    if (fn.unreadOutputBytes !== undefined) fn.unreadOutputBytes = r(fn.unreadOutputBytes);
  }
  s.description = `${spec.description ?? spec.name} [bytes scaled x${factor} for the testbed]`;
  return s;
}

// ---------------------------------------------------------------------------------------------
// DataFlower plans

/** One output item an instance posts (DataFlowerMode.emit). */
export interface DfEmit {
  /** Foreach segment after which it is posted (spread), or -1 at the end of the compute. */
  segment: number;
  /** Target function (plan index) and instance. */
  fn: number;
  inst: number;
  node: number;
  bytes: number;
  /** inline: <= inlineBytes, with the notice; local: the node's store; remote: streamed. */
  how: 'inline' | 'local' | 'remote';
  /** The stored value's key (local, remote); several items of one output share it. */
  key: string;
}

export interface DfInstance {
  /** Input items it waits for (triggering and data, live edges). */
  need: number;
  /** Local reads of its large inputs (after their prefetch). */
  reads: Array<{ key: string; bytes: number }>;
  sleepS: number;
  cpuS: number;
  rate: number;
  segments: number;
  emits: DfEmit[];
  /** End functions: the result's bytes to the gateway (-1: not an end function). */
  userBytes: number;
  /** The container's egress cap (bytes/s; Infinity: none). */
  egressCapBps: number;
}

export interface DfFunction {
  name: string;
  kind: 'function' | 'switch';
  node: number;
  pool: string;
  maxContainers: number;
  instances: DfInstance[];
}

export interface DfPlan {
  req: string;
  mode: 'dataflower';
  gateway: string;
  workers: string[];
  functions: DfFunction[];
  /** End functions whose results the gateway waits for. */
  ends: number;
  inlineBytes: number;
  chunkBytes: number;
  pressureFactor: number;
  pressureAware: boolean;
  remoteKeys: string[];
  localKeys: Record<string, string[]>;
}

export interface DfOptions {
  inlineBytes: number;
  chunkBytes: number;
  pressureFactor: number;
  pressureAware: boolean;
  foreachSpread: boolean;
  /** Per function's cpu: its container's egress cap (containerEgressCapBps). */
  egressCapBps: (cpu: number) => number;
}

/** The plan of request number `index` (its placement alternates by it) in DataFlower mode. */
export function compileDataflowerPlan(t: PlanTemplate, req: string, index: number, gateway: string, workers: string[], rng: Rng, o: DfOptions): DfPlan {
  const { cw } = t;
  const idx = new Map<number, number>();
  cw.topo.forEach((f) => {
    if (t.alive[f]) idx.set(f, idx.size);
  });
  const nodeOfF = (f: number) => {
    const c = t.nodesOf![f]!;
    return c.length === 1 ? c[0]! : c[index % c.length]!;
  };
  const remoteKeys = new Set<string>();
  const localKeys: Record<string, Set<string>> = {};
  const functions: DfFunction[] = [];
  let ends = 0;
  for (const f of cw.topo) {
    if (!t.alive[f]) continue;
    const fn = cw.functions[f];
    const node = nodeOfF(f);
    const instances: DfInstance[] = [];
    const n = fn.instances;
    const foreachEdges = cw.outEdges[f].filter((e) => cw.edges[e].kind === 'foreach' && t.liveEdge[e]);
    const k = foreachEdges.length ? Math.max(...foreachEdges.map((e) => cw.functions[cw.index.get(cw.edges[e].to)!].instances)) : 0;
    const isEnd = !cw.outEdges[f].some((e) => cw.edges[e].kind !== 'data');
    if (isEnd) ends++;
    for (let i = 0; i < n; i++) {
      // what it waits for: one item per live in-edge (per producer instance for a merge)
      let need = 0;
      const reads: DfInstance['reads'] = [];
      for (const e of cw.inEdges[f]) {
        const edge = cw.edges[e];
        const from = cw.index.get(edge.from)!;
        if (!t.liveEdge[e] || !t.alive[from]) continue;
        // an edge other than a foreach delivers to instance 0 only (WorkflowRun's item rule)
        if (edge.kind !== 'foreach' && i > 0) continue;
        const items = edge.kind === 'merge' ? cw.functions[from].instances : 1;
        need += items;
        if (edge.bytes > o.inlineBytes) {
          for (let p = 0; p < items; p++) {
            const pi = edge.kind === 'merge' ? p : 0;
            const keyIdx = edge.kind === 'foreach' ? `f${e}:${i}` : `b${edge.bytes}`;
            reads.push({ key: `${req}/${from}/${pi}/${keyIdx}`, bytes: edge.bytes });
          }
        }
      }
      const emits: DfEmit[] = [];
      const emit = (e: number, item: number, segment: number) => {
        const edge = cw.edges[e];
        const to = cw.index.get(edge.to)!;
        if (!t.alive[to]) return;
        const ti = edge.kind === 'foreach' ? item : 0;
        const target = nodeOfF(to);
        const keyIdx = edge.kind === 'foreach' ? `f${e}:${item}` : `b${edge.bytes}`;
        const key = `${req}/${f}/${i}/${keyIdx}`;
        const how = edge.bytes <= o.inlineBytes ? 'inline' : target === node ? 'local' : 'remote';
        if (how !== 'inline') (localKeys[workers[target]!] ??= new Set()).add(key);
        if (how === 'remote') remoteKeys.add(key);
        emits.push({ segment, fn: idx.get(to)!, inst: ti, node: target, bytes: edge.bytes, how, key });
      };
      if (fn.kind !== 'switch') {
        for (let j = 0; j < k; j++) for (const e of foreachEdges) if (j < cw.functions[cw.index.get(cw.edges[e].to)!].instances) emit(e, j, o.foreachSpread ? j : -1);
      }
      for (const e of cw.outEdges[f]) {
        const edge = cw.edges[e];
        if (edge.kind === 'foreach' || !t.liveEdge[e]) continue;
        emit(e, edge.kind === 'merge' ? i : 0, -1);
      }
      const s = fn.kind === 'switch' ? 0 : Math.max(0, t.service[f].sample(rng));
      instances.push({
        need,
        reads,
        sleepS: fn.cpu > 0 ? 0 : s,
        cpuS: fn.cpu > 0 ? s * fn.cpu : 0,
        rate: fn.cpu,
        segments: o.foreachSpread && k > 0 ? k : 1,
        emits,
        userBytes: isEnd ? fn.userOutputBytes : -1,
        egressCapBps: o.egressCapBps(fn.cpu),
      });
    }
    functions.push({ name: fn.name, kind: fn.kind, node, pool: `${t.spec.name}/${fn.name}`, maxContainers: fn.maxContainers, instances });
  }
  return {
    req,
    mode: 'dataflower',
    gateway,
    workers,
    functions,
    ends,
    inlineBytes: o.inlineBytes,
    chunkBytes: o.chunkBytes,
    pressureFactor: o.pressureFactor,
    pressureAware: o.pressureAware,
    remoteKeys: [...remoteKeys],
    localKeys: Object.fromEntries(Object.entries(localKeys).map(([a, st]) => [a, [...st]])),
  };
}

/** A workflow spec back in the workflow file format (for the scaled copies the cells name). */
export function workflowToFile(spec: WorkflowSpec): Record<string, unknown> {
  return {
    name: spec.name,
    description: spec.description,
    source: spec.source ?? 'validate',
    functions: spec.functions.map((f) => {
      if (f.kind === 'switch') return { name: f.name, kind: 'switch' };
      const o: Record<string, unknown> = { name: f.name, serviceTime: f.serviceTime, cpu: f.cpu, memory: `${f.memoryBytes}B`, maxContainers: f.maxContainers, instances: f.instances };
      if (f.inputBytes) o.inputBytes = f.inputBytes;
      if (f.outputBytes !== undefined) o.outputBytes = f.outputBytes;
      if (f.unreadOutputBytes) o.unreadOutputBytes = f.unreadOutputBytes;
      if (f.userOutputBytes) o.userOutputBytes = f.userOutputBytes;
      for (const k of ['groupingWeight', 'scale', 'memUsage', 'splitRatio'] as const) if (f[k] !== undefined) o[k] = f[k];
      return o;
    }),
    edges: spec.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind, bytes: e.bytes, ...(e.probability !== undefined ? { probability: e.probability } : {}) })),
    ...(spec.placement ? { placement: Object.fromEntries(Object.entries(spec.placement).map(([k, v]) => [k, v.length === 1 ? v[0] : v])) } : {}),
  };
}

