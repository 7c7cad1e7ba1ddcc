/**
 * WfFormat (WfCommons) import and export.
 *
 * Layouts read (reference: shared/reference/models-and-formats.md, "Workflow and trace formats"):
 * - 1.5 (and 1.6, which only adds optional fields): `workflow.specification.tasks[]` (`name`, `id`,
 *   `parents[]`/`children[]` by task id, `inputFiles[]`/`outputFiles[]` by file id),
 *   `workflow.specification.files[]` (`id`, `sizeInBytes`), `workflow.execution.tasks[]` (`id`,
 *   `runtimeInSeconds`, `coreCount`, `memoryInBytes`, ...).
 * - 1.4 (legacy): `workflow.tasks[]` with `name`, `id`, `runtimeInSeconds`, `cores`, `memoryInBytes`,
 *   `parents[]`/`children[]` (task names, or ids), `files[{name, sizeInBytes, link: input|output}]`.
 * - 1.3 (legacy): `workflow.jobs[]` with `runtime`, `files[{name, size, link}]`.
 *
 * Mapping to flowsim's WorkflowSpec (one function per task; see docs/traces.md):
 * - runtime -> `serviceTime` constant; coreCount/cores -> `cpu` (default 1); memoryInBytes ->
 *   `memoryBytes` (default 256 MiB).
 * - An output file of task A that is an input file of task B -> a `normal` edge A->B whose bytes are
 *   the sum of the sizes of all such files. Parent/child links without files -> a 0-byte edge.
 *   Parallel edges are merged into one.
 * - Input files produced by no task are workflow inputs: their sizes add up to the task's `inputBytes`.
 * - Output files consumed by no task are workflow outputs; flowsim ignores them
 *   [ASSUMPTION: WfFormat outputs go to shared storage, not to a waiting user, so `userOutputBytes` = 0].
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { EdgeSpec, FunctionSpec, WorkflowSpec } from '../sim/models/workflow.js';
import { makeDistribution } from '../sim/engine/distributions.js';

/** A bad trace file: names the file, the path inside it and what was expected. */
export class TraceError extends Error {
  constructor(readonly file: string, readonly path: string, readonly detail: string) {
    super(`${file}: ${path ? `${path}: ` : ''}${detail}`);
    this.name = 'TraceError';
  }
}

export interface ImportOptions {
  /** Cores when a task has no coreCount/cores. Default 1. */
  defaultCores?: number;
  /** Container memory when a task has no memoryInBytes. Default 256 MiB. */
  defaultMemoryBytes?: number;
  /** `maxContainers` of every function. Default 10 [ASSUMPTION: FaaSFlow's largest scientific setting (cycles); each task is its own function, so it only matters for concurrent requests]. */
  maxContainers?: number;
  /** Override the workflow name (default: the file's `name`, else the file's base name). */
  name?: string;
}

export const DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024;
const DEFAULT_MAX_CONTAINERS = 10;

/** One task in a layout-independent form, with the JSON paths used in error messages. */
interface RawTask {
  /** Function name in flowsim (unique). */
  fname: string;
  path: string;
  runtimeS: number;
  cores: number;
  memoryBytes: number;
  parents: { ref: string; path: string }[];
  children: { ref: string; path: string }[];
  inputs: { file: string; sizeBytes: number; path: string }[];
  outputs: { file: string; sizeBytes: number; path: string }[];
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describe(x: unknown): string {
  if (x === undefined) return 'nothing';
  const s = JSON.stringify(x);
  return s === undefined ? String(x) : s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

class Reader {
  constructor(readonly file: string) {}

  fail(path: string, detail: string): never {
    throw new TraceError(this.file, path, detail);
  }

  object(x: unknown, path: string, what = 'an object'): Json {
    if (!isObject(x)) this.fail(path, `expected ${what}, got ${describe(x)}`);
    return x;
  }

  array(x: unknown, path: string, task?: string): unknown[] {
    if (!Array.isArray(x)) this.fail(path, `expected an array, got ${describe(x)}${task ? ` (task '${task}')` : ''}`);
    return x;
  }

  optArray(x: unknown, path: string, task?: string): unknown[] {
    return x === undefined || x === null ? [] : this.array(x, path, task);
  }

  string(x: unknown, path: string, task?: string): string {
    if (typeof x !== 'string' || x.length === 0)
      this.fail(path, `expected a non-empty string, got ${describe(x)}${task ? ` (task '${task}')` : ''}`);
    return x;
  }

  /** A finite number >= min; `undefined` gives `dflt` when one is given, else an error. */
  number(x: unknown, path: string, task: string, min: number, dflt?: number): number {
    if (x === undefined && dflt !== undefined) return dflt;
    if (typeof x !== 'number' || !Number.isFinite(x) || x < min)
      this.fail(path, `expected a number >= ${min}, got ${describe(x)} (task '${task}')`);
    return x;
  }
}

/** Reads and imports a WfFormat JSON file. Throws TraceError for unreadable, non-JSON or bad files. */
export function readWfFormatFile(path: string, opts: ImportOptions = {}): WorkflowSpec {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TraceError(path, '', `cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new TraceError(path, '', `not valid JSON: ${(err as Error).message}`);
  }
  return importWfFormat(json, path, opts);
}

/** Converts a parsed WfFormat document (1.5/1.6, 1.4 or 1.3 layout) into a WorkflowSpec. */
export function importWfFormat(json: unknown, file: string, opts: ImportOptions = {}): WorkflowSpec {
  const r: Reader = new Reader(file);
  const top = r.object(json, '', 'a WfFormat object at the top level');
  const wf = r.object(top.workflow, 'workflow');
  const dflt = {
    cores: opts.defaultCores ?? 1,
    memoryBytes: opts.defaultMemoryBytes ?? DEFAULT_MEMORY_BYTES,
  };
  let tasks: RawTask[];
  let layout: string;
  if (wf.specification !== undefined) {
    tasks = readV15(r, wf, dflt);
    layout = '1.5';
  } else if (wf.tasks !== undefined) {
    tasks = readLegacy(r, wf, 'tasks', dflt);
    layout = '1.4';
  } else if (wf.jobs !== undefined) {
    tasks = readLegacy(r, wf, 'jobs', dflt);
    layout = '1.3';
  } else {
    r.fail('workflow', "expected 'specification' (schema 1.5), 'tasks' (1.4) or 'jobs' (1.3)");
  }
  if (tasks.length === 0) r.fail(layout === '1.5' ? 'workflow.specification.tasks' : `workflow.${layout === '1.4' ? 'tasks' : 'jobs'}`, 'expected at least one task');
  const name = opts.name ?? (typeof top.name === 'string' && top.name ? top.name : basename(file).replace(/\.json$/i, ''));
  return buildSpec(r, tasks, layout, name, typeof top.description === 'string' ? top.description : undefined, file, opts.maxContainers ?? DEFAULT_MAX_CONTAINERS);
}

function readV15(r: Reader, wf: Json, dflt: { cores: number; memoryBytes: number }): RawTask[] {
  const spec = r.object(wf.specification, 'workflow.specification');
  const specTasks = r.array(spec.tasks, 'workflow.specification.tasks');
  // files table (optional in the schema: without it all sizes are 0)
  const sizes = new Map<string, number>();
  const haveFiles = spec.files !== undefined;
  r.optArray(spec.files, 'workflow.specification.files').forEach((f, i) => {
    const p = `workflow.specification.files[${i}]`;
    const fo = r.object(f, p);
    const id = r.string(fo.id ?? fo.name, `${p}.id`);
    const size = fo.sizeInBytes;
    if (typeof size !== 'number' || !Number.isFinite(size) || size < 0)
      r.fail(`${p}.sizeInBytes`, `expected a number >= 0, got ${describe(size)} (file '${id}')`);
    sizes.set(id, size);
  });
  // execution entries by task id
  const exec = new Map<string, { e: Json; path: string }>();
  if (wf.execution !== undefined) {
    const ex = r.object(wf.execution, 'workflow.execution');
    r.array(ex.tasks, 'workflow.execution.tasks').forEach((t, i) => {
      const p = `workflow.execution.tasks[${i}]`;
      const to = r.object(t, p);
      const id = r.string(to.id, `${p}.id`);
      if (exec.has(id)) r.fail(`${p}.id`, `duplicate execution entry for task '${id}'`);
      exec.set(id, { e: to, path: p });
    });
  }
  const ids = new Set<string>();
  const tasks = specTasks.map((t, i): RawTask => {
    const p = `workflow.specification.tasks[${i}]`;
    const to = r.object(t, p);
    const id = r.string(to.id ?? to.name, to.id === undefined ? `${p}.name` : `${p}.id`);
    if (ids.has(id)) r.fail(`${p}.id`, `duplicate task id '${id}'`);
    ids.add(id);
    const refs = (key: 'parents' | 'children') =>
      r.optArray(to[key], `${p}.${key}`, id).map((x, j) => ({ ref: r.string(x, `${p}.${key}[${j}]`, id), path: `${p}.${key}[${j}]` }));
    const files = (key: 'inputFiles' | 'outputFiles') =>
      r.optArray(to[key], `${p}.${key}`, id).map((x, j) => {
        const fp = `${p}.${key}[${j}]`;
        const fid = r.string(x, fp, id);
        const size = sizes.get(fid);
        if (size === undefined && haveFiles) r.fail(fp, `no file '${fid}' in workflow.specification.files (task '${id}')`);
        return { file: fid, sizeBytes: size ?? 0, path: fp };
      });
    const ex = exec.get(id);
    if (!ex) r.fail('workflow.execution.tasks', `no entry for task '${id}'; expected one with runtimeInSeconds`);
    return {
      fname: id,
      path: p,
      runtimeS: r.number(ex.e.runtimeInSeconds, `${ex.path}.runtimeInSeconds`, id, 0),
      cores: r.number(ex.e.coreCount, `${ex.path}.coreCount`, id, 0, dflt.cores),
      memoryBytes: r.number(ex.e.memoryInBytes, `${ex.path}.memoryInBytes`, id, 0, dflt.memoryBytes),
      parents: refs('parents'),
      children: refs('children'),
      inputs: files('inputFiles'),
      outputs: files('outputFiles'),
    };
  });
  for (const [id, { path }] of exec) if (!ids.has(id)) r.fail(`${path}.id`, `no task '${id}' in workflow.specification.tasks`);
  return tasks;
}

function readLegacy(r: Reader, wf: Json, key: 'tasks' | 'jobs', dflt: { cores: number; memoryBytes: number }): RawTask[] {
  const runtimeKey = key === 'tasks' ? 'runtimeInSeconds' : 'runtime';
  const sizeKey = key === 'tasks' ? 'sizeInBytes' : 'size';
  const seen = new Set<string>();
  return r.array(wf[key], `workflow.${key}`).map((t, i): RawTask => {
    const p = `workflow.${key}[${i}]`;
    const to = r.object(t, p);
    const name = r.string(to.name ?? to.id, to.name === undefined ? `${p}.id` : `${p}.name`);
    if (seen.has(name)) r.fail(`${p}.name`, `duplicate task name '${name}'`);
    seen.add(name);
    const rt = to[runtimeKey] ?? to.runtimeInSeconds ?? to.runtime;
    const rtPath = `${p}.${to[runtimeKey] !== undefined ? runtimeKey : to.runtimeInSeconds !== undefined ? 'runtimeInSeconds' : to.runtime !== undefined ? 'runtime' : runtimeKey}`;
    const refs = (k: 'parents' | 'children') =>
      r.optArray(to[k], `${p}.${k}`, name).map((x, j) => ({ ref: r.string(x, `${p}.${k}[${j}]`, name), path: `${p}.${k}[${j}]` }));
    const inputs: RawTask['inputs'] = [];
    const outputs: RawTask['outputs'] = [];
    r.optArray(to.files, `${p}.files`, name).forEach((f, j) => {
      const fp = `${p}.files[${j}]`;
      const fo = r.object(f, fp);
      const fname = r.string(fo.name ?? fo.id, `${fp}.name`, name);
      const rawSize = fo[sizeKey] ?? fo.sizeInBytes ?? fo.size;
      const size = r.number(rawSize, `${fp}.${fo[sizeKey] !== undefined ? sizeKey : fo.sizeInBytes !== undefined ? 'sizeInBytes' : fo.size !== undefined ? 'size' : sizeKey}`, name, 0);
      if (fo.link === 'input') inputs.push({ file: fname, sizeBytes: size, path: fp });
      else if (fo.link === 'output') outputs.push({ file: fname, sizeBytes: size, path: fp });
      else r.fail(`${fp}.link`, `expected 'input' or 'output', got ${describe(fo.link)} (task '${name}')`);
    });
    return {
      fname: name,
      path: p,
      runtimeS: r.number(rt, rtPath, name, 0),
      cores: r.number(to.cores ?? to.coreCount, `${p}.${to.coreCount !== undefined && to.cores === undefined ? 'coreCount' : 'cores'}`, name, 0, dflt.cores),
      memoryBytes: r.number(to.memoryInBytes, `${p}.memoryInBytes`, name, 0, dflt.memoryBytes),
      parents: refs('parents'),
      children: refs('children'),
      inputs,
      outputs,
    };
  });
}

function buildSpec(r: Reader, tasks: RawTask[], layout: string, name: string, description: string | undefined, file: string, maxContainers: number): WorkflowSpec {
  const n = tasks.length;
  // name -> index; legacy layouts may refer to a task by its id, so also index ids when distinct
  const index = new Map<string, number>();
  tasks.forEach((t, i) => index.set(t.fname, i));
  const resolve = (ref: string, path: string, owner: RawTask): number => {
    const i = index.get(ref);
    if (i === undefined) r.fail(path, `no task named '${ref}' (task '${owner.fname}')`);
    if (tasks[i] === owner) r.fail(path, `task '${owner.fname}' names itself`);
    return i;
  };
  const producers = new Map<string, { task: number; sizeBytes: number }[]>();
  tasks.forEach((t, i) => {
    const seen = new Set<string>();
    for (const o of t.outputs) {
      if (seen.has(o.file)) continue;
      seen.add(o.file);
      let list = producers.get(o.file);
      if (!list) producers.set(o.file, (list = []));
      list.push({ task: i, sizeBytes: o.sizeBytes });
    }
  });
  // edges keyed by (from, to); insertion order gives a deterministic edge list
  const edgeBytes = new Map<number, Map<number, number>>();
  const edgeOrder: [number, number][] = [];
  const addEdge = (a: number, b: number, bytes: number) => {
    let m = edgeBytes.get(a);
    if (!m) edgeBytes.set(a, (m = new Map()));
    const prev = m.get(b);
    if (prev === undefined) edgeOrder.push([a, b]);
    m.set(b, (prev ?? 0) + bytes);
  };
  const inputBytes = new Float64Array(n);
  tasks.forEach((t, b) => {
    const seen = new Set<string>();
    for (const inp of t.inputs) {
      if (seen.has(inp.file)) continue;
      seen.add(inp.file);
      const prods = producers.get(inp.file)?.filter((p) => p.task !== b);
      if (!prods || prods.length === 0) inputBytes[b] += inp.sizeBytes;
      else for (const p of prods) addEdge(p.task, b, p.sizeBytes);
    }
    for (const par of t.parents) addEdge(resolve(par.ref, par.path, t), b, 0);
  });
  tasks.forEach((t, a) => {
    for (const ch of t.children) addEdge(a, resolve(ch.ref, ch.path, t), 0);
  });
  checkAcyclic(r, tasks, edgeOrder);

  const functions: FunctionSpec[] = tasks.map((t, i) => ({
    name: t.fname,
    kind: 'function',
    serviceTime: { kind: 'constant', value: t.runtimeS },
    cpu: t.cores,
    memoryBytes: t.memoryBytes,
    maxContainers,
    instances: 1,
    inputBytes: inputBytes[i],
    userOutputBytes: 0,
  }));
  const edges: EdgeSpec[] = edgeOrder.map(([a, b]) => ({
    from: tasks[a].fname,
    to: tasks[b].fname,
    kind: 'normal',
    bytes: edgeBytes.get(a)!.get(b)!,
  }));
  return { name, description, source: `WfFormat ${layout} file ${basename(file)}`, functions, edges };
}

/** Kahn's algorithm; on a cycle, walks back through unfinished predecessors to name one cycle. */
function checkAcyclic(r: Reader, tasks: RawTask[], edges: [number, number][]): void {
  const n = tasks.length;
  const indeg = new Int32Array(n);
  const out: number[][] = Array.from({ length: n }, () => []);
  const inn: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    indeg[b]++;
    out[a].push(b);
    inn[b].push(a);
  }
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) queue.push(i);
  let done = 0;
  for (let q = 0; q < queue.length; q++) {
    done++;
    for (const b of out[queue[q]]) if (--indeg[b] === 0) queue.push(b);
  }
  if (done === n) return;
  // every unfinished task has an unfinished predecessor: walking back must revisit a task
  let cur = indeg.findIndex((d) => d > 0);
  const pos = new Map<number, number>();
  const walk: number[] = [];
  while (!pos.has(cur)) {
    pos.set(cur, walk.length);
    walk.push(cur);
    cur = inn[cur].find((p) => indeg[p] > 0)!;
  }
  const cycle = walk.slice(pos.get(cur)!).reverse(); // forward order
  const names = [...cycle, cycle[0]].map((i) => tasks[i].fname);
  r.fail(`${tasks[cycle[0]].path}.parents`, `the tasks form a cycle: ${names.join(' -> ')}`);
}

// ---------------------------------------------------------------------------------------------
// Export

export interface ExportOptions {
  /** Top-level `createdAt`/`executedAt` (ISO 8601). Default a fixed placeholder so output is reproducible. */
  timestamp?: string;
  description?: string;
}

/** Placeholder timestamp: these files describe synthetic workflows that were never executed. */
const PLACEHOLDER_TIME = '1970-01-01T00:00:00Z';

/** `individuals_00000001` -> `individuals`: the task type WfFormat keeps in a 1.5 task's `name`. */
export function taskType(functionName: string): string {
  return functionName.replace(/_\d+$/, '');
}

/**
 * Writes a WorkflowSpec as a WfFormat 1.5 or 1.4 document (a plain object; JSON.stringify it).
 * Only plain DAGs can be expressed: single-instance functions joined by `normal` edges.
 * Each producer writes one file per distinct outgoing byte count (a broadcast output is one file
 * read by several consumers); 0-byte edges become parent/child links only; `inputBytes` becomes
 * one workflow input file `<name>.in`. Runtimes are the service-time means; `coreCount` is written
 * only when cpu >= 1 (WfFormat requires >= 1), so a cpu of 0 re-imports as the default 1.
 */
export function exportWfFormat(spec: WorkflowSpec, version: '1.5' | '1.4', opts: ExportOptions = {}): Json {
  spec.functions.forEach((f, i) => {
    if (f.instances !== 1 || f.kind !== 'function')
      throw new Error(`exportWfFormat: functions[${i}] ('${f.name}') is a ${f.kind} with ${f.instances} instances; WfFormat holds only single-instance tasks`);
  });
  spec.edges.forEach((e, i) => {
    if (e.kind !== 'normal') throw new Error(`exportWfFormat: edges[${i}] ('${e.from}' -> '${e.to}') is '${e.kind}'; WfFormat holds only plain dependencies`);
  });
  const runtime = new Map<string, number>();
  for (const f of spec.functions) runtime.set(f.name, makeDistribution(f.serviceTime).mean);
  const parents = new Map<string, string[]>(spec.functions.map((f) => [f.name, []]));
  const children = new Map<string, string[]>(spec.functions.map((f) => [f.name, []]));
  const inputs = new Map<string, { id: string; size: number }[]>(spec.functions.map((f) => [f.name, []]));
  const outputs = new Map<string, { id: string; size: number }[]>(spec.functions.map((f) => [f.name, []]));
  // one file per (producer, distinct byte count)
  const fileOf = new Map<string, Map<number, string>>();
  const linked = new Set<string>();
  for (const e of spec.edges) {
    if (!parents.has(e.from) || !parents.has(e.to)) throw new Error(`exportWfFormat: edge '${e.from}' -> '${e.to}' names a missing function`);
    const link = `${e.from}\u0000${e.to}`;
    if (!linked.has(link)) {
      linked.add(link);
      parents.get(e.to)!.push(e.from);
      children.get(e.from)!.push(e.to);
    }
    if (e.bytes <= 0) continue;
    let byBytes = fileOf.get(e.from);
    if (!byBytes) fileOf.set(e.from, (byBytes = new Map()));
    let id = byBytes.get(e.bytes);
    if (id === undefined) {
      id = byBytes.size === 0 ? `${e.from}.out` : `${e.from}.out${byBytes.size}`;
      byBytes.set(e.bytes, id);
      outputs.get(e.from)!.push({ id, size: e.bytes });
    }
    inputs.get(e.to)!.push({ id, size: e.bytes });
  }
  for (const f of spec.functions) if (f.inputBytes > 0) inputs.get(f.name)!.unshift({ id: `${f.name}.in`, size: f.inputBytes });

  // makespan of an uncontended run without data movement: longest runtime path
  const finish = new Map<string, number>();
  const order = topoOrder(spec);
  for (const name of order) {
    let start = 0;
    for (const p of parents.get(name)!) start = Math.max(start, finish.get(p)!);
    finish.set(name, start + runtime.get(name)!);
  }
  const makespan = Math.max(0, ...finish.values());
  const time = opts.timestamp ?? PLACEHOLDER_TIME;
  const head = {
    name: spec.name,
    description: opts.description ?? spec.description ?? `flowsim workflow ${spec.name}`,
    createdAt: time,
    schemaVersion: version,
    author: { name: 'flowsim', email: 'flowsim@localhost' },
  };
  const cores = (f: FunctionSpec) => (f.cpu >= 1 ? { [version === '1.5' ? 'coreCount' : 'cores']: f.cpu } : {});
  if (version === '1.5') {
    const files: { id: string; sizeInBytes: number }[] = [];
    for (const f of spec.functions) {
      for (const i of inputs.get(f.name)!) if (i.id === `${f.name}.in`) files.push({ id: i.id, sizeInBytes: i.size });
      for (const o of outputs.get(f.name)!) files.push({ id: o.id, sizeInBytes: o.size });
    }
    return {
      ...head,
      runtimeSystem: { name: 'flowsim', version: '0.1.0' },
      workflow: {
        specification: {
          tasks: spec.functions.map((f) => ({
            name: taskType(f.name),
            id: f.name,
            parents: parents.get(f.name)!,
            children: children.get(f.name)!,
            inputFiles: inputs.get(f.name)!.map((x) => x.id),
            outputFiles: outputs.get(f.name)!.map((x) => x.id),
          })),
          files,
        },
        execution: {
          makespanInSeconds: makespan,
          executedAt: time,
          tasks: spec.functions.map((f) => ({
            id: f.name,
            runtimeInSeconds: runtime.get(f.name)!,
            ...cores(f),
            memoryInBytes: f.memoryBytes,
          })),
        },
      },
    };
  }
  return {
    ...head,
    wms: { name: 'flowsim', version: '0.1.0' },
    workflow: {
      makespanInSeconds: makespan,
      executedAt: time,
      machines: [],
      tasks: spec.functions.map((f) => ({
        name: f.name,
        type: 'compute',
        category: taskType(f.name),
        runtimeInSeconds: runtime.get(f.name)!,
        ...cores(f),
        memoryInBytes: f.memoryBytes,
        parents: parents.get(f.name)!,
        children: children.get(f.name)!,
        files: [
          ...inputs.get(f.name)!.map((x) => ({ name: x.id, sizeInBytes: x.size, link: 'input' })),
          ...outputs.get(f.name)!.map((x) => ({ name: x.id, sizeInBytes: x.size, link: 'output' })),
        ],
      })),
    },
  };
}

function topoOrder(spec: WorkflowSpec): string[] {
  const indeg = new Map<string, number>(spec.functions.map((f) => [f.name, 0]));
  const out = new Map<string, string[]>(spec.functions.map((f) => [f.name, []]));
  for (const e of spec.edges) {
    indeg.set(e.to, indeg.get(e.to)! + 1);
    out.get(e.from)!.push(e.to);
  }
  const queue = spec.functions.filter((f) => indeg.get(f.name) === 0).map((f) => f.name);
  for (let q = 0; q < queue.length; q++)
    for (const b of out.get(queue[q])!) {
      const d = indeg.get(b)! - 1;
      indeg.set(b, d);
      if (d === 0) queue.push(b);
    }
  if (queue.length !== spec.functions.length) throw new Error(`exportWfFormat: workflow '${spec.name}' has a cycle`);
  return queue;
}
