/**
 * zod schemas of the three YAML file kinds: workflows, clusters and parameter overrides.
 *
 * The schemas check shapes and single values and convert human units (see units.ts); structural
 * checks that need the whole document (edges naming functions, cycles, switch probabilities,
 * placement and role names) are done by load.ts after parsing. Every object is strict: an unknown
 * field is an error, reported with the valid field names.
 *
 * Messages are written by `issueMessage` below (one readable "expected ..., got ..." sentence per
 * issue); the loader adds the file and the path.
 */
import { z } from 'zod';
import { PARAM_SPEC, isParamLeaf, type NumberParam } from '../sim/params.js';
import { makeDistribution, type DistributionSpec } from '../sim/engine/distributions.js';
import { MAX_SECONDS, UnitError, describeValue, parseDuration, parseRate, parseSize } from './units.js';

// ---------------------------------------------------------------------------------------------
// value helpers (numbers and units with uniform messages)

type Unit = 'size' | 'rate' | 'duration';
const PARSERS: Record<Unit, (v: unknown) => number> = { size: parseSize, rate: parseRate, duration: parseDuration };

/** A value in human units, converted to bytes, bytes/s or seconds. */
export function unit(kind: Unit) {
  return z.unknown().transform((v, ctx): number => {
    if (v === undefined) {
      ctx.issues.push({ code: 'custom', message: `missing: expected a ${kind}`, input: v });
      return z.NEVER;
    }
    try {
      return PARSERS[kind](v);
    } catch (e) {
      ctx.issues.push({ code: 'custom', message: e instanceof UnitError ? e.message : String(e), input: v });
      return z.NEVER;
    }
  });
}

const size = () => unit('size');
const rate = () => unit('rate');
const duration = () => unit('duration');

const positive = () => z.number().positive();
const nonNegative = () => z.number().nonnegative();
const fraction = () => z.number().min(0).max(1);
const posInt = () => z.number().int().positive();
/** Seconds in a distribution, bounded as durations are (loader/units.ts MAX_SECONDS). */
const secs = () => z.number().nonnegative().max(MAX_SECONDS);
const posSecs = () => z.number().positive().max(MAX_SECONDS);
const name = () => z.string().min(1);
const finite = () => z.number().refine((x) => Number.isFinite(x), 'expected a finite number');

// ---------------------------------------------------------------------------------------------
// distributions (service times, cold starts), all values in seconds

const distributionObject = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant'), value: secs() }),
  z.strictObject({ kind: z.literal('uniform'), min: secs(), max: secs() }),
  z.strictObject({ kind: z.literal('exponential'), mean: posSecs() }),
  z.strictObject({ kind: z.literal('normal'), mean: posSecs(), sd: secs(), min: secs().optional() }),
  z.strictObject({ kind: z.literal('lognormal'), mean: posSecs(), sd: secs() }),
  z.strictObject({ kind: z.literal('empirical'), values: z.array(secs()).min(1), weights: z.array(secs()).optional() }),
]);

const DISTRIBUTION_HINT = "a number of seconds, a duration like '250ms' or a distribution like {kind: lognormal, mean: 1, sd: 0.2}";

/**
 * A distribution of seconds: a distribution object, or a shorthand number of seconds / duration
 * string (`1`, `250ms`) meaning a constant.
 */
export const distribution = z.unknown().transform((v, ctx): DistributionSpec => {
  const fail = (message: string): never => {
    ctx.issues.push({ code: 'custom', message, input: v });
    return z.NEVER as never;
  };
  if (v === undefined) return fail(`missing: expected ${DISTRIBUTION_HINT}`);
  if (typeof v === 'number') {
    if (!(v >= 0) || !Number.isFinite(v) || v > MAX_SECONDS) return fail(`expected a number of seconds from 0 to 1e9, got ${describeValue(v)}`);
    return { kind: 'constant', value: v };
  }
  if (typeof v === 'string') {
    try {
      return { kind: 'constant', value: parseDuration(v) };
    } catch (e) {
      return fail(e instanceof UnitError ? e.message : String(e));
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(`expected ${DISTRIBUTION_HINT}, got ${describeValue(v)}`);
  const r = distributionObject.safeParse(v, { error: issueMessage });
  if (r.success) {
    const d = r.data as DistributionSpec;
    if (d.kind === 'uniform' && !(d.max >= d.min)) {
      ctx.issues.push({ code: 'custom', message: `expected max >= min (${d.min}), got ${d.max}`, path: ['max'], input: d.max });
      return z.NEVER as never;
    }
    if (d.kind === 'empirical' && d.weights && d.weights.length !== d.values.length) {
      ctx.issues.push({ code: 'custom', message: `expected ${d.values.length} weights (one per value), got ${d.weights.length}`, path: ['weights'], input: d.weights });
      return z.NEVER as never;
    }
    if (d.kind === 'empirical' && d.weights && !(d.weights.reduce((a, b) => a + b, 0) > 0)) {
      ctx.issues.push({ code: 'custom', message: 'expected weights that sum to more than 0', path: ['weights'], input: d.weights });
      return z.NEVER as never;
    }
    // whatever else the distribution itself refuses
    try {
      makeDistribution(d);
    } catch (e) {
      return fail((e as Error).message);
    }
    return d;
  }
  for (const i of r.error.issues) ctx.issues.push({ code: 'custom', message: i.message, path: i.path as PropertyKey[], input: undefined });
  return z.NEVER as never;
});

// ---------------------------------------------------------------------------------------------
// workflows

export const FUNCTION_KINDS = ['function', 'switch'] as const;
export const EDGE_KINDS = ['normal', 'foreach', 'merge', 'switch', 'data'] as const;

/** Fields a function may set, also allowed (except name) in the workflow's `defaults` block. */
const functionFields = {
  kind: z.enum(FUNCTION_KINDS).optional(),
  /** Seconds of compute at `cpu` cores; a number, a duration or a distribution. */
  serviceTime: distribution.optional(),
  /** Cores while computing; at most 1,000 (no node has more). */
  cpu: nonNegative().max(1000).optional(),
  memory: size().optional(),
  maxContainers: posInt().max(1_000_000).optional(),
  instances: posInt().max(1_000_000).optional(),
  inputBytes: size().optional(),
  userOutputBytes: size().optional(),
  /** Bytes the function writes to storage that no function reads (FaaSFlow video's preview gif). */
  unreadOutputBytes: size().optional(),
  groupingWeight: nonNegative().optional(),
  scale: posInt().optional(),
  memUsage: fraction().optional(),
  splitRatio: positive().optional(),
  /** Queue priority (the `priority` queue policy): higher first. */
  priority: finite().optional(),
};

export const functionFileSchema = z.strictObject({ name: name(), ...functionFields });
export const functionDefaultsSchema = z.strictObject({ ...functionFields });

export const edgeFileSchema = z.strictObject({
  from: name(),
  to: name(),
  kind: z.enum(EDGE_KINDS).default('normal'),
  /** Per item (foreach), per producer instance (merge), else the whole output. */
  bytes: size().optional(),
  probability: fraction().optional(),
});

export const workflowFileSchema = z.strictObject({
  name: name().optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  defaultCluster: name().optional(),
  defaults: functionDefaultsSchema.optional(),
  functions: z.array(functionFileSchema).min(1),
  edges: z.array(edgeFileSchema).default([]),
  /** function -> worker name(s); with several, request r uses entry r % length. */
  placement: z.record(z.string(), z.union([name(), z.array(name()).min(1)])).optional(),
  /** Queue priority of every function without its own (the `priority` queue policy). */
  priority: finite().optional(),
  /** Time a request has from its start (the `edf` queue policy), e.g. '10s'. */
  deadline: duration().optional(),
});

export type WorkflowFile = z.output<typeof workflowFileSchema>;
export type FunctionFile = z.output<typeof functionFileSchema>;

// ---------------------------------------------------------------------------------------------
// clusters

export const NODE_ROLES = ['worker', 'storage', 'gateway'] as const;

const nodeFields = {
  role: z.enum(NODE_ROLES).optional(),
  cores: positive().max(1e6).optional(),
  memory: size().optional(),
  /** Interface capacity each way. */
  nic: rate().optional(),
  /** One-way latency of the node's links. */
  latency: duration().optional(),
};

export const nodeFileSchema = z.strictObject({
  name: name(),
  /** With count k, the entry expands to nodes `<name>0` ... `<name>{k-1}`. */
  count: posInt().optional(),
  ...nodeFields,
});

export const clusterFileSchema = z.strictObject({
  name: name().optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  defaults: z.strictObject(nodeFields).optional(),
  nodes: z.array(nodeFileSchema).min(1),
  storage: name(),
  gateway: name(),
  master: name(),
  /** Every function container's egress is shaped to this rate per core of its cpu quota (DataFlower's tc HTB). */
  containerEgressPerCore: rate().optional(),
  /** Calibration profile used by default on this cluster ('none' for the bare defaults). */
  calibration: z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected a profile name (letters, digits, . _ -)').optional(),
  /** Policies by name (sim/policies/index.ts); the command line overrides them. */
  policies: z.strictObject({ queue: name().optional(), keepAlive: name().optional(), placement: name().optional() }).optional(),
});

/** A price table (sim/models/cost.ts). */
export const pricesFileSchema = z.strictObject({
  name: name().optional(),
  source: z.string().min(1, 'expected where the prices come from'),
  perGBSecond: nonNegative(),
  perInvocation: nonNegative(),
  perGBTransferred: nonNegative(),
  memory: z.enum(['container', 'dataflower-cpu']).default('container'),
});

export type ClusterFile = z.output<typeof clusterFileSchema>;

// ---------------------------------------------------------------------------------------------
// parameter overrides: the tree of sim/params.ts, every key optional, unknown keys rejected.
// Keys ending in S accept durations, in Bps rates, in Bytes sizes.

/** The schema of one parameter or group of PARAM_SPEC: units accepted, ranges enforced. */
function paramSchema(spec: unknown): z.ZodType {
  if (isParamLeaf(spec)) {
    if ('distribution' in spec) return distribution;
    if ('choices' in spec) return z.enum(spec.choices as unknown as [string, ...string[]]);
    if (typeof spec.default === 'boolean') return z.boolean();
    const n = spec as NumberParam;
    const what = n.integer ? 'a whole number' : n.unit === 'none' ? 'a number' : `a ${n.unit}`;
    // a number without a stated maximum is still bounded, so that products of parameters stay finite
    const max = n.max ?? (n.unit === 'none' ? 1e9 : undefined);
    const range = `${n.minExclusive ? '>' : '>='} ${n.min}${max !== undefined ? ` and <= ${max}` : ''}`;
    const base: z.ZodType<number> = n.unit === 'none' ? z.number() : (unit(n.unit) as unknown as z.ZodType<number>);
    return base.superRefine((x, ctx) => {
      const ok = Number.isFinite(x) && (n.minExclusive ? x > n.min : x >= n.min) && (max === undefined || x <= max) && (!n.integer || Number.isInteger(x));
      if (!ok) ctx.addIssue({ code: 'custom', message: `expected ${what} ${range}, got ${x}` });
    });
  }
  const shape: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(spec as Record<string, unknown>)) shape[k] = paramSchema(v).optional();
  return z.strictObject(shape);
}

/**
 * Any subset of the parameter tree, derived from PARAM_SPEC (sim/params.ts): `--params` files,
 * calibration profiles' `params` and measurements files' `params` all use it.
 */
export const paramsOverrideSchema = paramSchema(PARAM_SPEC) as z.ZodObject<Record<string, z.ZodType>>;

/** A params file: the override tree, plus optional `description` and `source` strings. */
export const paramsFileSchema = paramsOverrideSchema.extend({
  description: z.string().optional(),
  source: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------
// messages

const TYPE_WORDS: Record<string, string> = {
  number: 'a number',
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
  int: 'an integer',
};

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++)
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[n];
}

/** The closest candidate if it is plausibly a typo of `word`. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(w));
  if (w.length >= 3 && prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function shapeKeys(inst: unknown): string[] {
  const shape = (inst as { shape?: Record<string, unknown> } | undefined)?.shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}

/** One readable sentence for a zod issue, given the offending input. Used as zod's error map. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function issueMessage(iss: any): string | undefined {
  const got = describeValue(iss.input);
  switch (iss.code) {
    case 'invalid_type': {
      const want = TYPE_WORDS[iss.expected] ?? iss.expected;
      if (iss.input === undefined) return `missing: expected ${want}`;
      return `expected ${want}, got ${got}`;
    }
    case 'too_small': {
      if (iss.origin === 'number') {
        const min = Number(iss.minimum);
        if (min === 0 && !iss.inclusive) return `expected a positive number, got ${got}`;
        if (min === 0 && iss.inclusive) return `expected a number >= 0, got ${got}`;
        return `expected a number ${iss.inclusive ? '>=' : '>'} ${min}, got ${got}`;
      }
      if (iss.origin === 'array')
        return `expected at least ${iss.minimum} item${iss.minimum === 1 ? '' : 's'}, got ${Array.isArray(iss.input) ? iss.input.length : 0}`;
      if (iss.origin === 'string') return 'expected a non-empty string';
      return undefined;
    }
    case 'too_big':
      if (iss.origin === 'number') return `expected a number ${iss.inclusive ? '<=' : '<'} ${iss.maximum}, got ${got}`;
      return undefined;
    case 'invalid_value': {
      const values = (iss.values as unknown[]).map(String);
      const hint = typeof iss.input === 'string' ? closest(iss.input, values) : undefined;
      return `expected one of ${values.join(', ')}, got ${got}${hint ? ` (did you mean '${hint}'?)` : ''}`;
    }
    case 'invalid_union': {
      if (iss.discriminator) {
        const options = (iss.options as unknown[]).map(String);
        const value = (iss.input as Record<string, unknown> | undefined)?.[iss.discriminator];
        const hint = typeof value === 'string' ? closest(value, options) : undefined;
        return `expected one of ${options.join(', ')}, got ${describeValue(value)}${hint ? ` (did you mean '${hint}'?)` : ''}`;
      }
      return `expected ${describeUnion(iss)}, got ${got}`;
    }
    case 'unrecognized_keys': {
      const valid = shapeKeys(iss.inst);
      const keys = iss.keys as string[];
      const hint = keys.length === 1 ? closest(keys[0], valid) : undefined;
      return (
        `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `'${k}'`).join(', ')}` +
        (hint ? ` (did you mean '${hint}'?)` : '') +
        (valid.length ? `; expected one of: ${valid.join(', ')}` : '')
      );
    }
    case 'not_multiple_of':
      return `expected a multiple of ${iss.divisor}, got ${got}`;
    case 'custom':
      return iss.message;
    default:
      return undefined;
  }
}

function describeUnion(iss: { errors?: Array<Array<{ expected?: string }>> }): string {
  const wants = new Set<string>();
  for (const branch of iss.errors ?? []) for (const e of branch) if (e.expected) wants.add(TYPE_WORDS[e.expected] ?? e.expected);
  return wants.size ? [...wants].join(' or ') : 'a valid value';
}

// ---------------------------------------------------------------------------------------------
// faults (sim/models/faults.ts): what to inject and how invocations recover

const probability = () => z.number().min(0).max(1);
const posDuration = () => duration().pipe(z.number().positive());

/** A faults file (`--faults`), or a cluster file's `faults:` section. */
export const faultsSchema = z.strictObject({
  description: z.string().optional(),
  /** Probability that one attempt of a function fails: one number for every function, or per function. */
  failure: z.union([probability(), z.strictObject({ default: probability().optional(), functions: z.record(z.string(), probability()).optional() })]).optional(),
  /** Probability that one attempt's container crashes (it is gone; the retry may start cold). */
  crash: z.union([probability(), z.strictObject({ default: probability().optional(), functions: z.record(z.string(), probability()).optional() })]).optional(),
  /** Compute-time limit of one attempt. */
  executionTimeout: z.union([posDuration(), z.strictObject({ default: posDuration().optional(), functions: z.record(z.string(), posDuration()).optional() })]).optional(),
  retry: z.strictObject({ max: z.number().int().min(0).max(100).optional(), backoff: duration().optional(), factor: z.number().min(1).max(100).optional() }).optional(),
  links: z
    .array(
      z.strictObject({
        link: name(),
        steps: z.array(z.strictObject({ at: duration(), factor: z.number().positive().max(1000).optional(), rate: rate().pipe(z.number().positive()).optional() })).optional(),
        walk: z.strictObject({ every: posDuration(), sigma: z.number().min(0).max(10), min: z.number().positive().max(1000), max: z.number().positive().max(1000) }).optional(),
      }),
    )
    .optional(),
  storeOutages: z.array(z.strictObject({ at: duration(), duration: posDuration() })).optional(),
  /** Workers lost at a time for a duration. */
  nodeLoss: z.array(z.strictObject({ node: name(), at: duration(), duration: posDuration() })).optional(),
  /** Workers failing again and again: mean time between failures and to repair. */
  nodeFailures: z.strictObject({ nodes: z.union([z.literal('workers'), z.array(name()).min(1)]), mtbf: posDuration().optional(), mttr: posDuration().optional() }).optional(),
});

export type FaultsFile = z.output<typeof faultsSchema>;
