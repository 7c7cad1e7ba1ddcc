/**
 * Loaders for the configuration files: workflows, clusters and parameter overrides.
 *
 * Everything from outside is checked here, once, so the simulator never sees a bad value. Errors
 * are `ConfigError`s naming the file, the path inside it (`functions[3].serviceTime.mean`) and
 * what was expected; `format()` gives one line for a CLI to print before exiting with code 2.
 *
 * Built-in configurations live in `configs/workflows/*.yaml` and `configs/clusters/*.yaml`, found
 * relative to this module (not the working directory).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, extname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { makeDistribution } from '../sim/engine/distributions.js';
import type { ClusterSpec, NodeSpec } from '../sim/models/cluster.js';
import { WorkflowError, compileWorkflow, type EdgeSpec, type FunctionSpec, type WorkflowSpec } from '../sim/models/workflow.js';
import type { DeepPartial, Params } from '../sim/params.js';
import type { PriceTable } from '../sim/models/cost.js';
import { NO_FAULTS, type FaultSpec } from '../sim/models/faults.js';
import { KEEP_ALIVE_POLICIES, PLACEMENT_POLICIES, QUEUE_POLICIES } from '../sim/policies/index.js';
import { generateWorkflow } from '../traces/generator.js';
import { importWfFormat, TraceError } from '../traces/wfformat.js';
import {
  type ClusterFile,
  type WorkflowFile,
  clusterFileSchema,
  faultsSchema,
  pricesFileSchema,
  closest,
  issueMessage,
  paramsFileSchema,
  paramsOverrideSchema,
  workflowFileSchema,
} from './schema.js';

// ---------------------------------------------------------------------------------------------
// errors

export class ConfigError extends Error {
  /**
   * @param file the file as the user would name it ('' for a name given on the command line)
   * @param path where inside the file, like `edges[2].to` ('' for the whole file)
   * @param message what was expected and what was found
   * @param line 1-based line in the file, when known
   */
  constructor(
    readonly file: string,
    readonly path: string,
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'ConfigError';
  }

  /** One readable line: `configs/workflows/x.yaml: functions[3].serviceTime.mean: expected ... (line 12)`. */
  format(): string {
    const parts = [this.file, this.path, this.message].filter((s) => s !== '');
    return parts.join(': ') + (this.line !== undefined ? ` (line ${this.line})` : '');
  }

  override toString(): string {
    return this.format();
  }
}

/** `['functions', 3, 'serviceTime']` -> `functions[3].serviceTime`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else {
      const s = String(p);
      out += /^[A-Za-z_$][\w$-]*$/.test(s) ? (out === '' ? s : `.${s}`) : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// files

/** Root of the built-in configurations (`<repo>/configs`). */
export const CONFIG_DIR = fileURLToPath(new URL('../configs/', import.meta.url));
const WORKFLOW_DIR = resolve(CONFIG_DIR, 'workflows');
const CLUSTER_DIR = resolve(CONFIG_DIR, 'clusters');

/** A file name as the user would write it: relative to the working directory when inside it. */
export function displayName(file: string): string {
  const abs = resolve(file);
  const rel = relative(process.cwd(), abs);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

export interface YamlSource {
  file: string;
  data: unknown;
  doc: Document;
  lines: LineCounter;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ConfigError(displayName(file), '', 'no such file');
    if (code === 'EISDIR') throw new ConfigError(displayName(file), '', 'is a directory, expected a YAML file');
    throw new ConfigError(displayName(file), '', `cannot read: ${(e as Error).message}`);
  }
}

/** Parses YAML text; syntax errors become ConfigErrors with line and column. */
export function parseYaml(text: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lines.linePos(e.pos[0]);
    const what = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(file, '', `invalid YAML at line ${pos.line}, column ${pos.col}: ${what}`, undefined);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 10000 });
  } catch (e) {
    // an alias to no anchor, or aliases that expand without bound (a "billion laughs" document)
    const msg = (e as Error).message;
    const why = /Excessive alias count/.test(msg) ? 'its aliases expand to more than 10,000 nodes (a YAML alias bomb?); write the values out' : msg.replace(/^Unresolved alias/, 'an alias with no anchor');
    throw new ConfigError(file, '', `invalid YAML: ${why}`, undefined);
  }
  return { file, data, doc, lines };
}

export function readYaml(file: string): YamlSource {
  return parseYaml(readText(file), displayName(file));
}

/** The line of the deepest node of `path` present in the document. */
function lineOf(src: YamlSource, path: readonly PropertyKey[]): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = src.doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return src.lines.linePos(node.range[0]).line;
  }
  return undefined;
}

export function errorAt(src: YamlSource, path: readonly PropertyKey[], message: string): ConfigError {
  return new ConfigError(src.file, formatPath(path), message, lineOf(src, path));
}

/** Validates `src.data` against a schema; the first problem becomes a ConfigError. */
export function validate<S extends z.ZodType>(schema: S, src: YamlSource): z.output<S> {
  if (src.data === null || typeof src.data !== 'object' || Array.isArray(src.data))
    throw new ConfigError(src.file, '', `expected a mapping (key: value) at the top level, got ${src.data === null ? 'an empty document' : typeof src.data}`);
  const r = schema.safeParse(src.data, { error: issueMessage });
  if (r.success) return r.data;
  const iss = r.error.issues[0];
  let path = iss.path;
  if (iss.code === 'unrecognized_keys' && iss.keys.length > 0) path = [...path, iss.keys[0]];
  const more = r.error.issues.length > 1 ? ` [${r.error.issues.length - 1} more problem${r.error.issues.length > 2 ? 's' : ''} after this one]` : '';
  throw errorAt(src, path, iss.message + more);
}

export function hintList(word: string, valid: readonly string[], noun: string): string {
  const hint = closest(word, valid);
  return `${hint ? `did you mean '${hint}'? ` : ''}${noun}: ${valid.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------
// workflows

/** [ASSUMPTION] A function computes on one core unless it says otherwise (single-threaded Python handlers, no CPU limit in FaaSFlow). */
export const DEFAULT_CPU = 1;
/** [REF] FaaSFlow's grouping assumes 256 MB per container (reference 1.B). */
export const DEFAULT_MEMORY_BYTES = 256 * 1024 * 1024;
/** [REF] DataFlower's default max_containers is 1000 (reference 2.B). */
export const DEFAULT_MAX_CONTAINERS = 1000;

function toWorkflowSpec(f: WorkflowFile, src: YamlSource, fallbackName: string): WorkflowSpec {
  const d = f.defaults ?? {};
  const functions: FunctionSpec[] = f.functions.map((fn, i) => {
    const kind = fn.kind ?? d.kind ?? 'function';
    if (kind === 'switch') {
      for (const k of ['serviceTime', 'cpu', 'instances', 'inputBytes', 'userOutputBytes'] as const)
        if (fn[k] !== undefined)
          throw errorAt(src, ['functions', i, k], `a switch node is evaluated by the engine and runs no code: remove '${k}'`);
      return { name: fn.name, kind, serviceTime: { kind: 'constant', value: 0 }, cpu: 0, memoryBytes: 0, maxContainers: 1, instances: 1, inputBytes: 0, userOutputBytes: 0 };
    }
    const serviceTime = fn.serviceTime ?? d.serviceTime;
    if (serviceTime === undefined)
      throw errorAt(src, ['functions', i, 'serviceTime'], "missing: expected a number of seconds, a duration like '250ms' or a distribution like {kind: lognormal, mean: 1, sd: 0.2} (here or in 'defaults')");
    try {
      makeDistribution(serviceTime);
    } catch (e) {
      throw errorAt(src, ['functions', i, 'serviceTime'], (e as Error).message);
    }
    const spec: FunctionSpec = {
      name: fn.name,
      kind,
      serviceTime,
      cpu: fn.cpu ?? d.cpu ?? DEFAULT_CPU,
      memoryBytes: fn.memory ?? d.memory ?? DEFAULT_MEMORY_BYTES,
      maxContainers: fn.maxContainers ?? d.maxContainers ?? DEFAULT_MAX_CONTAINERS,
      instances: fn.instances ?? d.instances ?? 1,
      inputBytes: fn.inputBytes ?? d.inputBytes ?? 0,
      userOutputBytes: fn.userOutputBytes ?? d.userOutputBytes ?? 0,
    };
    const groupingWeight = fn.groupingWeight ?? d.groupingWeight;
    const scale = fn.scale ?? d.scale;
    const memUsage = fn.memUsage ?? d.memUsage;
    const splitRatio = fn.splitRatio ?? d.splitRatio;
    if (groupingWeight !== undefined) spec.groupingWeight = groupingWeight;
    if (scale !== undefined) spec.scale = scale;
    if (memUsage !== undefined) spec.memUsage = memUsage;
    if (splitRatio !== undefined) spec.splitRatio = splitRatio;
    const unread = fn.unreadOutputBytes ?? d.unreadOutputBytes;
    if (unread !== undefined) spec.unreadOutputBytes = unread;
    const priority = fn.priority ?? d.priority;
    if (priority !== undefined) spec.priority = priority;
    return spec;
  });
  const edges: EdgeSpec[] = f.edges.map((e, i) => {
    if (e.probability !== undefined && e.kind !== 'switch')
      throw errorAt(src, ['edges', i, 'probability'], `only switch edges have a probability (this edge is '${e.kind}')`);
    const edge: EdgeSpec = { from: e.from, to: e.to, kind: e.kind, bytes: e.bytes ?? 0 };
    if (e.probability !== undefined) edge.probability = e.probability;
    return edge;
  });
  const spec: WorkflowSpec = { name: f.name ?? fallbackName, functions, edges };
  if (f.description !== undefined) spec.description = f.description;
  if (f.source !== undefined) spec.source = f.source;
  if (f.defaultCluster !== undefined) spec.defaultCluster = f.defaultCluster;
  if (f.priority !== undefined) spec.priority = f.priority;
  if (f.deadline !== undefined) {
    if (!(f.deadline > 0)) throw errorAt(src, ['deadline'], `expected a positive duration, got ${f.deadline} s`);
    spec.deadlineS = f.deadline;
  }
  if (f.placement !== undefined) {
    const names = functions.map((fn) => fn.name);
    spec.placement = {};
    for (const [fn, where] of Object.entries(f.placement)) {
      if (!names.includes(fn)) throw errorAt(src, ['placement', fn], `no function named '${fn}'; ${hintList(fn, names, 'functions are')}`);
      spec.placement[fn] = typeof where === 'string' ? [where] : where;
    }
  }
  checkWorkflow(spec, src.file, (path) => lineOf(src, parsePath(path)));
  return spec;
}

/** Inverse of formatPath for the simple paths compileWorkflow produces (`edges[3].to`). */
function parsePath(path: string): PropertyKey[] {
  const out: PropertyKey[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
  return out;
}

/**
 * Structural checks (compileWorkflow: duplicate names, edges to missing functions, cycles, edge
 * kinds versus instances, switch probabilities), turned into ConfigErrors with the file and path.
 */
export function checkWorkflow(spec: WorkflowSpec, file: string, lineFor?: (path: string) => number | undefined): void {
  try {
    compileWorkflow(spec);
  } catch (e) {
    if (!(e instanceof WorkflowError)) throw e;
    let message = e.message;
    const missing = /^no function named '(.*)'$/.exec(message);
    if (missing) message += `; ${hintList(missing[1], spec.functions.map((f) => f.name), 'functions are')}`;
    throw new ConfigError(file, e.path, message, lineFor?.(e.path));
  }
}

/**
 * Checks that a workflow's placement names functions of the workflow and workers of the cluster.
 * `file` names the workflow's file in the error.
 */
export function checkPlacement(workflow: WorkflowSpec, cluster: ClusterSpec, file: string): void {
  if (!workflow.placement) return;
  const fnNames = workflow.functions.map((f) => f.name);
  const workers = cluster.nodes.filter((n) => n.role === 'worker').map((n) => n.name);
  for (const [fn, where] of Object.entries(workflow.placement)) {
    if (!fnNames.includes(fn)) throw new ConfigError(file, formatPath(['placement', fn]), `no function named '${fn}'; ${hintList(fn, fnNames, 'functions are')}`);
    where.forEach((node, j) => {
      if (!workers.includes(node))
        throw new ConfigError(
          file,
          formatPath(['placement', fn, j]),
          `no worker named '${node}' in cluster '${cluster.name}'; ${hintList(node, workers, 'workers are')}`,
        );
    });
  }
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ''))
    .sort();
}

/** Names of the built-in workflows (files in configs/workflows). */
export function workflowNames(): string[] {
  return yamlFiles(WORKFLOW_DIR);
}

/** Names of the built-in clusters (files in configs/clusters). */
export function clusterNames(): string[] {
  return yamlFiles(CLUSTER_DIR);
}

function builtinFile(dir: string, name: string): string | undefined {
  for (const ext of ['.yaml', '.yml']) {
    const f = resolve(dir, name + ext);
    if (existsSync(f)) return f;
  }
  return undefined;
}

/** A reference that names a file (a path, or a .yaml/.yml/.json name) rather than a built-in or gen: recipe. */
export function looksLikePath(ref: string): boolean {
  return /[/\\]/.test(ref) || /\.(ya?ml|json)$/i.test(ref);
}

/** Loads a workflow YAML file (any path). */
export function loadWorkflowFile(file: string): WorkflowSpec {
  const src = readYaml(file);
  const parsed = validate(workflowFileSchema, src);
  const base = basename(file, extname(file));
  if (resolve(file).startsWith(WORKFLOW_DIR) && parsed.name !== undefined && parsed.name !== base)
    throw errorAt(src, ['name'], `expected '${base}' (a built-in workflow is named after its file), got '${parsed.name}'`);
  return toWorkflowSpec(parsed, src, base);
}

/**
 * Loads a workflow from:
 * - a built-in name (`genome`, `df-video`: a file in configs/workflows),
 * - a path to a `.yaml`/`.yml` workflow file,
 * - a path to a `.json` WfFormat file (traces/wfformat.ts),
 * - `gen:<recipe>:<tasks>[:seed]` (traces/generator.ts; seed defaults to 1).
 */
export function loadWorkflow(ref: string): WorkflowSpec {
  if (ref.startsWith('gen:')) return loadGenerated(ref);
  if (/\.json$/i.test(ref)) return loadWfFormat(ref);
  if (looksLikePath(ref)) return loadWorkflowFile(ref);
  const file = builtinFile(WORKFLOW_DIR, ref);
  if (file) return loadWorkflowFile(file);
  if (existsSync(ref)) return loadWorkflowFile(ref);
  throw new ConfigError(
    '',
    '',
    `unknown workflow '${ref}'; ${hintList(ref, workflowNames(), 'valid names are')} (or give a .yaml/.json file, or gen:<recipe>:<tasks>[:seed])`,
  );
}

/** The largest generated workflow: about 1 KB of state per task and instance, a few GB at this size. */
export const MAX_TASKS = 1_000_000;
/** The most nodes a cluster file may expand to. */
export const MAX_NODES = 100_000;

function loadGenerated(ref: string): WorkflowSpec {
  const parts = ref.split(':');
  const usage = 'expected gen:<recipe>:<tasks>[:seed], e.g. gen:genome:100:1';
  if (parts.length < 3 || parts.length > 4 || parts[1] === '') throw new ConfigError('', '', `bad workflow '${ref}': ${usage}`);
  const tasks = Number(parts[2]);
  const seed = parts.length === 4 ? Number(parts[3]) : 1;
  if (!Number.isInteger(tasks) || tasks < 1) throw new ConfigError('', '', `bad workflow '${ref}': tasks must be a positive integer, got '${parts[2]}'`);
  if (tasks > MAX_TASKS) throw new ConfigError('', '', `bad workflow '${ref}': at most ${MAX_TASKS.toLocaleString('en-US')} tasks (a request of ${tasks.toLocaleString('en-US')} would not fit in memory; split the workflow)`);
  if (!Number.isInteger(seed)) throw new ConfigError('', '', `bad workflow '${ref}': seed must be an integer, got '${parts[3]}'`);
  let spec: WorkflowSpec;
  try {
    spec = generateWorkflow(parts[1], tasks, seed);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError('', '', `cannot generate workflow '${ref}': ${(e as Error).message}`);
  }
  checkWorkflow(spec, ref);
  return spec;
}

function loadWfFormat(file: string): WorkflowSpec {
  const text = readText(file);
  const shown = displayName(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(shown, '', `invalid JSON: ${(e as Error).message}`);
  }
  let spec: WorkflowSpec;
  try {
    spec = importWfFormat(json, shown);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    if (e instanceof TraceError) throw new ConfigError(shown, e.path, e.detail);
    throw new ConfigError(shown, '', (e as Error).message);
  }
  checkWorkflow(spec, shown);
  return spec;
}

export interface WorkflowInfo {
  name: string;
  description: string;
  defaultCluster: string;
}

/** The built-in workflows with their description and default cluster. */
export function listWorkflows(): WorkflowInfo[] {
  return workflowNames().map((name) => {
    const w = loadWorkflow(name);
    return { name, description: w.description ?? '', defaultCluster: w.defaultCluster ?? '' };
  });
}

// ---------------------------------------------------------------------------------------------
// clusters

function toClusterSpec(c: ClusterFile, src: YamlSource, fallbackName: string): ClusterSpec {
  const d = c.defaults ?? {};
  const nodes: NodeSpec[] = [];
  c.nodes.forEach((n, i) => {
    const need = <T>(v: T | undefined, key: string, what: string): T => {
      if (v === undefined) throw errorAt(src, ['nodes', i, key], `missing: expected ${what} (here or in 'defaults')`);
      return v;
    };
    const base = {
      role: need(n.role ?? d.role, 'role', 'one of worker, storage, gateway'),
      cores: need(n.cores ?? d.cores, 'cores', 'a positive number'),
      memoryBytes: need(n.memory ?? d.memory, 'memory', "a size like '32GiB'"),
      nicBps: need(n.nic ?? d.nic, 'nic', "a rate like '10Gbit/s'"),
      latencyS: need(n.latency ?? d.latency, 'latency', "a duration like '50us'"),
    };
    if (n.count !== undefined && n.count > MAX_NODES) throw errorAt(src, ['nodes', i, 'count'], `at most ${MAX_NODES.toLocaleString('en-US')} nodes per entry, got ${n.count}`);
    const names = n.count === undefined ? [n.name] : Array.from({ length: n.count }, (_, k) => `${n.name}${k}`);
    if (nodes.length + names.length > MAX_NODES) throw errorAt(src, ['nodes', i], `a cluster has at most ${MAX_NODES.toLocaleString('en-US')} nodes`);
    for (const name of names) {
      if (nodes.some((m) => m.name === name)) throw errorAt(src, ['nodes', i, 'name'], `duplicate node name '${name}'`);
      nodes.push({ name, ...base });
    }
  });
  const nodeNames = nodes.map((n) => n.name);
  for (const role of ['storage', 'gateway', 'master'] as const) {
    const ref = c[role];
    if (!nodeNames.includes(ref)) throw errorAt(src, [role], `no node named '${ref}'; ${hintList(ref, nodeNames, 'nodes are')}`);
  }
  const storage = nodes.find((n) => n.name === c.storage)!;
  if (storage.role !== 'storage') throw errorAt(src, ['storage'], `node '${c.storage}' has role '${storage.role}', expected a node with role 'storage'`);
  if (!nodes.some((n) => n.role === 'worker')) throw errorAt(src, ['nodes'], 'expected at least one node with role worker');
  const spec: ClusterSpec = { name: c.name ?? fallbackName, nodes, storage: c.storage, gateway: c.gateway, master: c.master };
  if (c.description !== undefined) spec.description = c.description;
  if (c.source !== undefined) spec.source = c.source;
  if (c.containerEgressPerCore !== undefined) spec.containerEgressBpsPerCore = c.containerEgressPerCore;
  if (c.calibration !== undefined) spec.calibration = c.calibration;
  if (c.policies !== undefined) {
    const regs = { queue: QUEUE_POLICIES, keepAlive: KEEP_ALIVE_POLICIES, placement: PLACEMENT_POLICIES } as const;
    for (const [k, v] of Object.entries(c.policies) as Array<[keyof typeof regs, string | undefined]>) {
      if (v !== undefined && !(v in regs[k])) throw errorAt(src, ['policies', k], `unknown ${k} policy '${v}'; ${hintList(v, Object.keys(regs[k]), 'valid are')}`);
    }
    spec.policies = { ...c.policies };
  }
  return spec;
}

/** Loads a cluster YAML file (any path). */
export function loadClusterFile(file: string): ClusterSpec {
  const src = readYaml(file);
  const parsed = validate(clusterFileSchema, src);
  const base = basename(file, extname(file));
  if (resolve(file).startsWith(CLUSTER_DIR) && parsed.name !== undefined && parsed.name !== base)
    throw errorAt(src, ['name'], `expected '${base}' (a built-in cluster is named after its file), got '${parsed.name}'`);
  return toClusterSpec(parsed, src, base);
}

/** Loads a built-in cluster by name (`faasflow-7w`) or a cluster YAML file by path. */
export function loadCluster(ref: string): ClusterSpec {
  if (looksLikePath(ref)) return loadClusterFile(ref);
  const file = builtinFile(CLUSTER_DIR, ref);
  if (file) return loadClusterFile(file);
  if (existsSync(ref)) return loadClusterFile(ref);
  throw new ConfigError('', '', `unknown cluster '${ref}'; ${hintList(ref, clusterNames(), 'valid names are')} (or give a .yaml file)`);
}

export interface ClusterInfo {
  name: string;
  description: string;
  workers: number;
}

/** The built-in clusters with their description and worker count. */
export function listClusters(): ClusterInfo[] {
  return clusterNames().map((name) => {
    const c = loadCluster(name);
    return { name, description: c.description ?? '', workers: c.nodes.filter((n) => n.role === 'worker').length };
  });
}

// ---------------------------------------------------------------------------------------------
// parameter overrides

/**
 * Loads a params override file: any subset of the Params tree (sim/params.ts), unknown keys
 * rejected, human units accepted for keys ending in S (durations), Bps (rates), Bytes (sizes).
 * Optional top-level `description` and `source` strings are ignored.
 */
const PRICES_DIR = () => resolve(CONFIG_DIR, 'prices');

/** Price tables shipped in configs/prices/. */
export function listPrices(): string[] {
  return existsSync(PRICES_DIR()) ? readdirSync(PRICES_DIR()).filter((f) => f.endsWith('.yaml')).map((f) => basename(f, '.yaml')).sort() : [];
}

/** A price table by name (configs/prices/<name>.yaml) or file path. */
export function loadPrices(ref: string): PriceTable {
  const isFile = ref.endsWith('.yaml') || ref.endsWith('.yml') || ref.includes('/');
  const file = isFile ? ref : resolve(PRICES_DIR(), `${ref}.yaml`);
  if (!isFile && !existsSync(file)) throw new ConfigError('', '--prices', `unknown price table '${ref}'; ${hintList(ref, listPrices(), 'tables are')} (or give a .yaml file)`);
  const src = readYaml(file);
  const p = validate(pricesFileSchema, src);
  return { name: p.name ?? basename(file, extname(file)), source: p.source, perGBSecond: p.perGBSecond, perInvocation: p.perInvocation, perGBTransferred: p.perGBTransferred, memory: p.memory };
}

export function loadParamsFile(file: string): DeepPartial<Params> {
  const src = readYaml(file);
  const { description: _d, source: _s, ...params } = validate(paramsFileSchema, src);
  return params as DeepPartial<Params>;
}

/**
 * Validates a params override given as data (e.g. the `params` key of a calibration profile).
 * `file` and `basePath` name where it came from in errors.
 */
export function parseParamsOverride(data: unknown, file: string, basePath = ''): DeepPartial<Params> {
  const r = paramsOverrideSchema.safeParse(data ?? {}, { error: issueMessage });
  if (r.success) return r.data as DeepPartial<Params>;
  const iss = r.error.issues[0];
  let path: PropertyKey[] = [...iss.path];
  if (iss.code === 'unrecognized_keys' && iss.keys.length > 0) path = [...path, iss.keys[0]];
  const full = [basePath, formatPath(path)].filter((s) => s !== '').join(path.length && typeof path[0] === 'number' ? '' : '.');
  throw new ConfigError(file, full, iss.message);
}

/**
 * A faults file (sim/models/faults.ts): what to inject and how invocations recover. Names of
 * functions and links are checked against the scenario by buildScenario.
 */
export function loadFaults(file: string): FaultSpec {
  const src = readYaml(file);
  const f = validate(faultsSchema, src);
  const spec: FaultSpec = structuredClone(NO_FAULTS);
  if (typeof f.failure === 'number') spec.failure.default = f.failure;
  else if (f.failure) spec.failure = { default: f.failure.default ?? 0, perFunction: { ...(f.failure.functions ?? {}) } };
  if (typeof f.crash === 'number') spec.crash.default = f.crash;
  else if (f.crash) spec.crash = { default: f.crash.default ?? 0, perFunction: { ...(f.crash.functions ?? {}) } };
  if (typeof f.executionTimeout === 'number') spec.executionTimeout.default = f.executionTimeout;
  else if (f.executionTimeout) spec.executionTimeout = { default: f.executionTimeout.default ?? Infinity, perFunction: { ...(f.executionTimeout.functions ?? {}) } };
  if (f.retry) spec.retry = { max: f.retry.max ?? spec.retry.max, backoffS: f.retry.backoff ?? spec.retry.backoffS, factor: f.retry.factor ?? spec.retry.factor };
  (f.links ?? []).forEach((l, i) => {
    if (!l.steps && !l.walk) throw errorAt(src, ['links', i], `link '${l.link}': expected steps or walk (or both)`);
    (l.steps ?? []).forEach((st, j) => {
      if ((st.factor === undefined) === (st.rate === undefined)) throw errorAt(src, ['links', i, 'steps', j], 'expected exactly one of factor (of the nominal capacity) and rate');
    });
    if (l.walk && l.walk.min > l.walk.max) throw errorAt(src, ['links', i, 'walk', 'min'], `expected min <= max, got min ${l.walk.min} and max ${l.walk.max}`);
    spec.links.push({
      link: l.link,
      ...(l.steps ? { steps: l.steps.map((st) => ({ atS: st.at, ...(st.factor !== undefined ? { factor: st.factor } : { bps: st.rate }) })) } : {}),
      ...(l.walk ? { walk: { everyS: l.walk.every, sigma: l.walk.sigma, min: l.walk.min, max: l.walk.max } } : {}),
    });
  });
  spec.storeOutages = (f.storeOutages ?? []).map((o) => ({ atS: o.at, durationS: o.duration }));
  spec.nodeLoss = (f.nodeLoss ?? []).map((l) => ({ node: l.node, atS: l.at, durationS: l.duration }));
  if (f.nodeFailures) {
    const nf = f.nodeFailures;
    if (nf.mtbf === undefined) throw errorAt(src, ['nodeFailures', nf.mttr !== undefined ? 'mttr' : 'nodes'], nf.mttr !== undefined ? 'an mttr needs an mtbf (the mean time between failures)' : 'expected mtbf (and mttr)');
    if (nf.mttr === undefined) throw errorAt(src, ['nodeFailures', 'mtbf'], 'an mtbf needs an mttr (the mean time to repair)');
    // 'workers' is resolved against the cluster by buildScenario
    spec.nodeFailures = { nodes: nf.nodes === 'workers' ? ['*'] : [...nf.nodes], mtbfS: nf.mtbf, mttrS: nf.mttr };
  }
  return spec;
}
