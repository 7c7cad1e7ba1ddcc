/**
 * Synthetic scientific workflows shaped like the WfCommons/Pegasus recipes that FaaSFlow's
 * scientific benchmarks were generated from (reference: systems-and-benchmarks.md 1.A, A5-A8, and
 * faasflow-scientific-dags.txt). At the FaaSFlow sizes (genome 50, epigenomics 45, cycles 46,
 * soykb 45) the generator reproduces those DAGs' structure exactly (same task types, counts and
 * edges); larger or smaller sizes scale the recipe's repeated parts (see docs/traces.md).
 *
 * Every size is exact: `tasks` functions come out. Where no complete instance of the recipe has
 * exactly that many tasks (only at small sizes), the generator builds the smallest complete
 * instance above it and drops its last tasks in topological order (always sinks), i.e. a prefix
 * of the workflow; `GeneratedWorkflow.trimmed` says how many.
 *
 * Edge sizes: lognormal with the per-edge mean of the reference DAG for that (producer type,
 * consumer type) and a coefficient of variation equal to the spread in the reference DAG, floored
 * at 0.1 [ASSUMPTION: the reference holds 1-18 samples per edge type; many are identical copies,
 * which would give cv 0]. A producer whose one output feeds several consumers in the recipe
 * (sifting, individuals_merge, baseline_cycles, indel_realign, haplotype_caller, combine_variants)
 * draws it once and sends the same bytes on each edge.
 *
 * Randomness: one seeded stream `makeRng(seed, 'gen:<recipe>')` (never Math.random); the same
 * (recipe, tasks, seed, options) gives the same workflow, byte for byte.
 */
import { makeRng, type Rng } from '../sim/engine/random.js';
import { LogNormal } from '../sim/engine/distributions.js';
import type { EdgeSpec, FunctionSpec, WorkflowSpec } from '../sim/models/workflow.js';

export type RecipeName = 'genome' | 'epigenomics' | 'cycles' | 'soykb' | 'chain' | 'fanout';

/** Recipe names with a one-line description. */
export const RECIPES: Readonly<Record<RecipeName, string>> = {
  genome: '1000Genome: individuals -> individuals_merge per chromosome, sifting; each mutation_overlap/frequency reads one merge + one sifting',
  epigenomics: 'Epigenomics: fastqsplit lanes -> parallel filtercontams->sol2sanger->fast2bfq->map pipelines -> mapmerge -> global mapmerge -> chr21 -> pileup',
  cycles: 'Cycles: baseline_cycles -> {cycles, fertilizer_increase_cycles} -> parsers -> output summaries -> plots',
  soykb: 'SoyKB: per-sample alignment chains -> haplotype_caller fan -> genotype_gvcfs + merge_gcvf -> combine_variants -> select -> filtering',
  chain: 'a sequence of tasks, each feeding the next (1 MB mean per edge)',
  fanout: 'split -> N parallel workers -> join (1 MB mean out, 100 KB mean back)',
};

export interface GeneratorOptions {
  /** Constant service time of every task, seconds. Default 1 (FaaSFlow's scientific benchmarks: runtime = 1, a sleep). */
  serviceTimeS?: number;
  /** Cores busy while computing. Default 0 (FaaSFlow's generic main.py sleeps). */
  cpu?: number;
  /** Container memory, bytes. Default 256 MiB (FaaSFlow's container slot). */
  memoryBytes?: number;
  /** maxContainers per function. Default FaaSFlow's: cycles 10, the others 1. */
  maxContainers?: number;
  /**
   * Draw workflow-level input bytes (`inputBytes`) around the reference's per-type means. Default
   * false: FaaSFlow's AE never preloads the INPUT files, so reading them is a cheap miss.
   */
  inputs?: boolean;
}

export interface GeneratedWorkflow {
  workflow: WorkflowSpec;
  /** Sinks dropped from the smallest complete instance above the requested size (0 = complete). */
  trimmed: number;
  /** The recipe's scale parameters, e.g. {chromosomes: 2, individuals: 18, populations: 14}. */
  shape: Record<string, number>;
}

const MiB = 1024 * 1024;

/** Per-edge size (mean bytes, coefficient of variation), from faasflow-scientific-dags.txt. */
type SizeTable = Record<string, { mean: number; cv: number }>;

const SIZES: Record<RecipeName, SizeTable> = {
  genome: {
    individuals: { mean: 137_238, cv: 0.61 }, // individuals -> individuals_merge
    merge: { mean: 94_388, cv: 0.6 }, // individuals_merge -> mutation_overlap/frequency (one file)
    sifting: { mean: 6_139_244, cv: 0.1 }, // sifting -> mutation_overlap/frequency (one file); ref cv 0.02
  },
  epigenomics: {
    split: { mean: 353_543, cv: 0.29 }, // fastqsplit -> filtercontams (one chunk each)
    filtercontams: { mean: 243_418, cv: 0.53 },
    sol2sanger: { mean: 232_857, cv: 0.31 },
    fast2bfq: { mean: 49_733, cv: 0.42 },
    map: { mean: 23_516, cv: 0.43 },
    mapmerge: { mean: 6_114_753, cv: 0.1 }, // lane mapmerge -> global mapmerge; ref cv 0.02
    global: { mean: 6_032_565, cv: 0.1 }, // global mapmerge -> chr21; 1 sample
    chr21: { mean: 6_858_857, cv: 0.1 }, // chr21 -> pileup; 1 sample
  },
  cycles: {
    baseline: { mean: 31_713_959, cv: 0.31 }, // baseline -> cycles and fertilizer_increase_cycles (one file)
    cycles: { mean: 39_941_626, cv: 0.29 },
    fertilizer: { mean: 39_488_592, cv: 0.38 },
    parser: { mean: 32_294, cv: 0.58 },
    summary: { mean: 2_573_660, cv: 0.1 }, // cycles_output_summary -> cycles_plots; 2 identical samples
  },
  soykb: {
    alignment: { mean: 562_805, cv: 0.1 },
    sort: { mean: 820_000, cv: 0.1 },
    dedup: { mean: 824_469, cv: 0.1 },
    addreplace: { mean: 656_098, cv: 0.1 },
    rtc: { mean: 200, cv: 0.1 },
    realign: { mean: 828_209, cv: 0.1 }, // indel_realign -> haplotype_caller (one file); ref cv 0.03
    hc: { mean: 474_795, cv: 0.1 }, // haplotype_caller -> genotype_gvcfs and merge_gcvf (one file)
    gg: { mean: 558_663, cv: 0.1 },
    combine: { mean: 1_173_023, cv: 0.1 }, // combine_variants -> both selects (one file)
    selindel: { mean: 364_020, cv: 0.1 },
    selsnp: { mean: 432_844, cv: 0.1 },
  },
  // [ASSUMPTION] simple shapes: 1 MB out, 100 KB back, cv 0.5
  chain: { step: { mean: 1 * MiB, cv: 0.5 } },
  fanout: { out: { mean: 1 * MiB, cv: 0.5 }, back: { mean: 100 * 1024, cv: 0.5 } },
};

/** Workflow-level input bytes per task type (reference `gin`, mean and cv floored at 0.1); used with `inputs: true`. */
const INPUTS: Record<RecipeName, SizeTable> = {
  genome: {
    individuals: { mean: 5_173_384, cv: 0.38 },
    sifting: { mean: 1_531_944, cv: 0.67 },
    mutation_overlap: { mean: 24, cv: 1.07 },
    frequency: { mean: 24, cv: 1.07 },
  },
  epigenomics: {
    fastqsplit: { mean: 606_916, cv: 0.7 },
    sol2sanger: { mean: 868, cv: 0.1 },
    fast2bfq: { mean: 868, cv: 0.1 },
    map: { mean: 141_701, cv: 0.1 },
    mapmerge: { mean: 868, cv: 0.1 },
    chr21: { mean: 868, cv: 0.1 },
    pileup: { mean: 141_701, cv: 0.1 },
  },
  cycles: {
    baseline_cycles: { mean: 1_032_045, cv: 0.15 },
    cycles: { mean: 1_019_531, cv: 0.1 },
    fertilizer_increase_cycles: { mean: 1_089_759, cv: 0.11 },
  },
  soykb: {
    alignment_to_reference: { mean: 1_406_319, cv: 0.1 },
    sort_sam: { mean: 54_494, cv: 0.1 },
    dedup: { mean: 54_494, cv: 0.1 },
    add_replace: { mean: 54_494, cv: 0.1 },
    realign_target_creator: { mean: 1_406_297, cv: 0.1 },
    indel_realign: { mean: 1_406_370, cv: 0.1 },
    haplotype_caller: { mean: 1_406_296, cv: 0.1 },
    genotype_gvcfs: { mean: 1_406_296, cv: 0.1 },
    merge_gcvf: { mean: 1_406_323, cv: 0.1 },
    combine_variants: { mean: 1_406_312, cv: 0.1 },
    select_variants_indel: { mean: 1_406_297, cv: 0.1 },
    select_variants_snp: { mean: 1_406_296, cv: 0.1 },
    filtering_indel: { mean: 1_406_343, cv: 0.1 },
    filtering_snp: { mean: 1_406_298, cv: 0.1 },
  },
  chain: {},
  fanout: {},
};

const MAX_CONTAINERS: Record<RecipeName, number> = { genome: 1, epigenomics: 1, cycles: 10, soykb: 1, chain: 1, fanout: 1 };

/** Collects functions (in topological order) and edges, drawing sizes from one stream. */
class Builder {
  readonly functions: FunctionSpec[] = [];
  readonly edges: EdgeSpec[] = [];
  private readonly sizes = new Map<string, LogNormal>();
  private readonly inputSizes = new Map<string, LogNormal>();

  constructor(
    private readonly rng: Rng,
    private readonly recipe: RecipeName,
    private readonly o: Required<GeneratorOptions>,
  ) {
    for (const [k, v] of Object.entries(SIZES[recipe])) this.sizes.set(k, new LogNormal(v.mean, v.cv * v.mean));
    for (const [k, v] of Object.entries(INPUTS[recipe])) this.inputSizes.set(k, new LogNormal(v.mean, v.cv * v.mean));
  }

  /** Adds a task of this type; names are `<type>_<8-digit sequence>` like WfCommons ids. */
  task(type: string): string {
    const name = `${type}_${String(this.functions.length + 1).padStart(8, '0')}`;
    const inp = this.o.inputs ? this.inputSizes.get(type) : undefined;
    this.functions.push({
      name,
      kind: 'function',
      serviceTime: { kind: 'constant', value: this.o.serviceTimeS },
      cpu: this.o.cpu,
      memoryBytes: this.o.memoryBytes,
      maxContainers: this.o.maxContainers,
      instances: 1,
      inputBytes: inp ? Math.round(inp.sample(this.rng)) : 0,
      userOutputBytes: 0,
    });
    return name;
  }

  /** Draws one output size of the given edge type, bytes (integer). */
  size(kind: string): number {
    const d = this.sizes.get(kind);
    if (!d) throw new Error(`generator: no size for edge type '${kind}' in recipe ${this.recipe}`);
    return Math.max(0, Math.round(d.sample(this.rng)));
  }

  edge(from: string, to: string, bytes: number): void {
    this.edges.push({ from, to, kind: 'normal', bytes });
  }

  /** Drops the last `k` functions (sinks, since functions are in topological order) and their edges. */
  trim(k: number): void {
    if (k <= 0) return;
    const dropped = new Set(this.functions.splice(this.functions.length - k, k).map((f) => f.name));
    const kept = this.edges.filter((e) => !dropped.has(e.from) && !dropped.has(e.to));
    this.edges.length = 0;
    this.edges.push(...kept);
  }
}

/** Splits `total` into `parts` near-equal positive integers (the first ones get the extra). */
function spread(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  const extra = total % parts;
  return Array.from({ length: parts }, (_, i) => base + (i < extra ? 1 : 0));
}

/** Candidates around `target`, nearest first: t, t-1, t+1, t-2, ... within [lo, hi]. */
function around(target: number, lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let d = 0; out.length < hi - lo + 1 && d <= hi - lo + Math.abs(target); d++) {
    if (target - d >= lo && target - d <= hi) out.push(target - d);
    if (d > 0 && target + d >= lo && target + d <= hi) out.push(target + d);
  }
  return out;
}

// ---- plans: the recipe's scale parameters for exactly n tasks, or null when none fits --------

interface GenomePlan { chromosomes: number[] /* task budget per chromosome */ }
function planGenome(n: number): GenomePlan | null {
  if (n < 5) return null;
  // FaaSFlow's 50 tasks = 2 chromosomes x (9 individuals + merge + sifting + 7 + 7); the chromosome
  // count grows with sqrt(size), at most 22 (the autosomes) [ASSUMPTION]
  const c = Math.max(1, Math.min(22, Math.floor(n / 5), Math.round(Math.sqrt(n / 12.5))));
  return { chromosomes: spread(n, c) };
}

interface EpiPlan { lanes: number; pipelines: number; merges: number }
function planEpigenomics(n: number): EpiPlan | null {
  // tasks = lanes (fastqsplit) + 4 x pipelines + lanes (mapmerge) + merges (global mapmerge tree) + 2
  // FaaSFlow's 45 = 3 lanes x 3 pipelines; lanes and pipelines per lane both grow with sqrt(size)
  const target = Math.max(1, Math.round(Math.sqrt(n / 4)));
  for (const lanes of around(target, 1, Math.max(1, Math.floor(n / 6)))) {
    // merges - 1 intermediate mapmerges take lane pairs, so 2 (merges - 1) <= lanes and the root keeps >= 2 inputs
    const maxMerges = Math.min(4, Math.floor(lanes / 2) + 1, lanes - 1);
    const mergeOptions = lanes === 1 ? [1, 0] : Array.from({ length: maxMerges }, (_, i) => i + 1);
    for (const merges of mergeOptions) {
      const rest = n - 2 - 2 * lanes - merges;
      if (rest >= 4 * lanes && rest % 4 === 0) return { lanes, pipelines: rest / 4, merges };
    }
  }
  return null;
}

interface CyclesPlan { baselines: number; groups: number; extraCycles: number }
function planCycles(n: number): CyclesPlan | null {
  // tasks = 4 x baselines (baseline, cycles, fertilizer_increase_cycles, parser) + 3 x groups
  // (output summary, fertilizer summary, plots) + extra cycles tasks (0-3)
  // FaaSFlow's 46 = 10 baselines in 2 groups; groups grow with sqrt(size) [ASSUMPTION]
  const target = Math.max(1, Math.round(Math.sqrt(n) / 3.4));
  for (let groups = target; groups >= 1; groups--) {
    const baselines = Math.floor((n - 3 * groups) / 4);
    if (baselines >= groups) return { baselines, groups, extraCycles: n - 3 * groups - 4 * baselines };
  }
  return null;
}

interface SoykbPlan { samples: number; regions: number; callers: number[] /* haplotype callers per sample */ }
function planSoykb(n: number): SoykbPlan | null {
  // tasks = 6 x samples (alignment chain) + sum(callers) + regions (genotype_gvcfs) + 6
  // (merge_gcvf, combine, 2 select, 2 filtering). FaaSFlow's 45 = 2 samples x 9 regions.
  // Exactness: later samples may lack callers for their last regions (sample 0 has them all).
  const target = Math.max(1, Math.round(Math.sqrt(n) / 3.35));
  for (const samples of around(target, 1, Math.max(1, Math.floor((n - 8) / 7)))) {
    const regions = Math.ceil((n - 6 - 6 * samples) / (samples + 1));
    if (regions < 1) continue;
    let excess = 6 * samples + (samples + 1) * regions + 6 - n;
    if (excess > (samples - 1) * (regions - 1)) continue;
    const callers = new Array<number>(samples).fill(regions);
    while (excess > 0)
      for (let s = samples - 1; s >= 1 && excess > 0; s--)
        if (callers[s] > 1) {
          callers[s]--;
          excess--;
        }
    return { samples, regions, callers };
  }
  return null;
}

// ---- builders -------------------------------------------------------------------------------

function buildGenome(b: Builder, p: GenomePlan): Record<string, number> {
  let individuals = 0;
  let populations = 0;
  for (const budget of p.chromosomes) {
    const pops = Math.min(7, Math.floor((budget - 3) / 2)); // mutation_overlap and frequency each
    const ind = budget - 2 - 2 * pops;
    individuals += ind;
    populations += pops;
    const inds = Array.from({ length: ind }, () => b.task('individuals'));
    const merge = b.task('individuals_merge');
    for (const i of inds) b.edge(i, merge, b.size('individuals'));
    const sifting = b.task('sifting');
    const mergeOut = b.size('merge');
    const siftOut = b.size('sifting');
    for (const type of ['mutation_overlap', 'frequency'])
      for (let k = 0; k < pops; k++) {
        const t = b.task(type);
        b.edge(merge, t, mergeOut);
        b.edge(sifting, t, siftOut);
      }
  }
  return { chromosomes: p.chromosomes.length, individuals, populations };
}

function buildEpigenomics(b: Builder, p: EpiPlan): Record<string, number> {
  const laneMerges: string[] = [];
  for (const k of spread(p.pipelines, p.lanes)) {
    const split = b.task('fastqsplit');
    const maps: string[] = [];
    for (let j = 0; j < k; j++) {
      const fc = b.task('filtercontams');
      b.edge(split, fc, b.size('split'));
      const s2s = b.task('sol2sanger');
      b.edge(fc, s2s, b.size('filtercontams'));
      const f2b = b.task('fast2bfq');
      b.edge(s2s, f2b, b.size('sol2sanger'));
      const map = b.task('map');
      b.edge(f2b, map, b.size('fast2bfq'));
      maps.push(map);
    }
    const mm = b.task('mapmerge');
    for (const m of maps) b.edge(m, mm, b.size('map'));
    laneMerges.push(mm);
  }
  let last: string;
  if (p.merges === 0) last = laneMerges[0];
  else {
    // merges - 1 intermediate mapmerges over lane pairs (0,1), (2,3), ...; the root takes them and the other lanes
    const rootInputs: string[] = [];
    for (let j = 0; j < p.merges - 1; j++) {
      const mid = b.task('mapmerge');
      for (const lm of [laneMerges[2 * j], laneMerges[2 * j + 1]]) b.edge(lm, mid, b.size('mapmerge'));
      rootInputs.push(mid);
    }
    const root = b.task('mapmerge');
    for (const x of rootInputs) b.edge(x, root, b.size('mapmerge'));
    for (const lm of laneMerges.slice(2 * (p.merges - 1))) b.edge(lm, root, b.size('mapmerge'));
    last = root;
  }
  const chr = b.task('chr21');
  b.edge(last, chr, b.size('global'));
  const pileup = b.task('pileup');
  b.edge(chr, pileup, b.size('chr21'));
  return { lanes: p.lanes, pipelines: p.pipelines, globalMerges: p.merges };
}

function buildCycles(b: Builder, p: CyclesPlan): Record<string, number> {
  const summaries: string[] = [];
  const extra = spread(p.extraCycles, p.baselines);
  let unit = 0;
  for (const size of spread(p.baselines, p.groups)) {
    const cyc: string[] = [];
    const parsers: string[] = [];
    for (let u = 0; u < size; u++, unit++) {
      const base = b.task('baseline_cycles');
      const out = b.size('baseline');
      const nCycles = 1 + extra[unit];
      for (let c = 0; c < nCycles; c++) {
        const c1 = b.task('cycles');
        b.edge(base, c1, out);
        cyc.push(c1);
      }
      const fert = b.task('fertilizer_increase_cycles');
      b.edge(base, fert, out);
      const parser = b.task('cycles_fertilizer_increase_output_parser');
      b.edge(fert, parser, b.size('fertilizer'));
      parsers.push(parser);
    }
    const sum = b.task('cycles_output_summary');
    for (const c of cyc) b.edge(c, sum, b.size('cycles'));
    const fsum = b.task('cycles_fertilizer_increase_output_summary');
    for (const x of parsers) b.edge(x, fsum, b.size('parser'));
    summaries.push(sum);
  }
  for (const s of summaries) b.edge(s, b.task('cycles_plots'), b.size('summary'));
  return { baselines: p.baselines, groups: p.groups, extraCycles: p.extraCycles };
}

function buildSoykb(b: Builder, p: SoykbPlan): Record<string, number> {
  const chain: [string, string][] = [
    ['alignment_to_reference', 'alignment'],
    ['sort_sam', 'sort'],
    ['dedup', 'dedup'],
    ['add_replace', 'addreplace'],
    ['realign_target_creator', 'rtc'],
  ];
  const callers: string[][] = [];
  for (let s = 0; s < p.samples; s++) {
    let prev = '';
    let prevKind = '';
    for (const [type, kind] of chain) {
      const t = b.task(type);
      if (prev) b.edge(prev, t, b.size(prevKind));
      prev = t;
      prevKind = kind;
    }
    const ir = b.task('indel_realign');
    b.edge(prev, ir, b.size(prevKind));
    const irOut = b.size('realign');
    const hcs: string[] = [];
    for (let j = 0; j < p.callers[s]; j++) {
      const hc = b.task('haplotype_caller');
      b.edge(ir, hc, irOut);
      hcs.push(hc);
    }
    callers.push(hcs);
  }
  const hcOut = new Map<string, number>();
  for (const hcs of callers) for (const hc of hcs) hcOut.set(hc, b.size('hc'));
  const ggs: string[] = [];
  for (let j = 0; j < p.regions; j++) {
    const gg = b.task('genotype_gvcfs');
    for (const hcs of callers) if (j < hcs.length) b.edge(hcs[j], gg, hcOut.get(hcs[j])!);
    ggs.push(gg);
  }
  const merge = b.task('merge_gcvf');
  for (const hcs of callers) for (const hc of hcs) b.edge(hc, merge, hcOut.get(hc)!);
  const combine = b.task('combine_variants');
  for (const gg of ggs) b.edge(gg, combine, b.size('gg'));
  const combineOut = b.size('combine');
  const si = b.task('select_variants_indel');
  b.edge(combine, si, combineOut);
  const ss = b.task('select_variants_snp');
  b.edge(combine, ss, combineOut);
  b.edge(si, b.task('filtering_indel'), b.size('selindel'));
  b.edge(ss, b.task('filtering_snp'), b.size('selsnp'));
  return { samples: p.samples, regions: p.regions, haplotypeCallers: p.callers.reduce((a, x) => a + x, 0) };
}

function buildChain(b: Builder, n: number): Record<string, number> {
  let prev = b.task('task');
  for (let i = 1; i < n; i++) {
    const t = b.task('task');
    b.edge(prev, t, b.size('step'));
    prev = t;
  }
  return { length: n };
}

function buildFanout(b: Builder, n: number): Record<string, number> {
  const split = b.task('split');
  if (n === 1) return { workers: 0 };
  const workers = Array.from({ length: Math.max(0, n - 2) }, () => b.task('worker'));
  const join = b.task('join');
  if (workers.length === 0) b.edge(split, join, b.size('out'));
  for (const w of workers) {
    b.edge(split, w, b.size('out'));
    b.edge(w, join, b.size('back'));
  }
  return { workers: workers.length };
}

type Plan = { build: (b: Builder) => Record<string, number> };

function plan(recipe: RecipeName, n: number): Plan | null {
  switch (recipe) {
    case 'genome': {
      const p = planGenome(n);
      return p && { build: (b) => buildGenome(b, p) };
    }
    case 'epigenomics': {
      const p = planEpigenomics(n);
      return p && { build: (b) => buildEpigenomics(b, p) };
    }
    case 'cycles': {
      const p = planCycles(n);
      return p && { build: (b) => buildCycles(b, p) };
    }
    case 'soykb': {
      const p = planSoykb(n);
      return p && { build: (b) => buildSoykb(b, p) };
    }
    case 'chain':
      return { build: (b) => buildChain(b, n) };
    case 'fanout':
      return { build: (b) => buildFanout(b, n) };
  }
}

export function isRecipe(name: string): name is RecipeName {
  return Object.prototype.hasOwnProperty.call(RECIPES, name);
}

/** Generates a workflow and reports its shape parameters and any trimming. */
export function generateWorkflowDetailed(recipe: string, tasks: number, seed: number, options: GeneratorOptions = {}): GeneratedWorkflow {
  if (!isRecipe(recipe))
    throw new Error(`unknown workflow recipe '${recipe}'; expected one of: ${Object.keys(RECIPES).join(', ')}`);
  if (!Number.isInteger(tasks) || tasks < 1) throw new Error(`generator: tasks must be an integer >= 1, got ${tasks}`);
  if (!Number.isFinite(seed)) throw new Error(`generator: seed must be a number, got ${seed}`);
  const o: Required<GeneratorOptions> = {
    serviceTimeS: options.serviceTimeS ?? 1,
    cpu: options.cpu ?? 0,
    memoryBytes: options.memoryBytes ?? 256 * MiB,
    maxContainers: options.maxContainers ?? MAX_CONTAINERS[recipe],
    inputs: options.inputs ?? false,
  };
  if (!(o.serviceTimeS >= 0)) throw new Error(`generator: serviceTimeS must be >= 0, got ${o.serviceTimeS}`);
  if (!(o.cpu >= 0)) throw new Error(`generator: cpu must be >= 0, got ${o.cpu}`);
  let size = tasks;
  let p = plan(recipe, size);
  while (!p) p = plan(recipe, ++size); // complete instances exist for every size above a small bound (genome 5, cycles 7, epigenomics 37, soykb about 30)
  const b = new Builder(makeRng(seed, `gen:${recipe}`), recipe, o);
  const shape = p.build(b);
  if (b.functions.length !== size) throw new Error(`generator bug: ${recipe} built ${b.functions.length} tasks, planned ${size}`);
  b.trim(size - tasks);
  const trimmed = size - tasks;
  const workflow: WorkflowSpec = {
    name: `gen-${recipe}-${tasks}-s${seed}`,
    description: `${RECIPES[recipe]}. ${Object.entries(shape).map(([k, v]) => `${k} ${v}`).join(', ')}${trimmed ? `; last ${trimmed} tasks of a ${size}-task instance dropped` : ''}`,
    source: `flowsim traces/generator.ts, recipe ${recipe}, seed ${seed}; shapes and per-edge byte means from FaaSFlow's scientific DAGs (systems-and-benchmarks.md 1.A A5-A8)`,
    functions: b.functions,
    edges: b.edges,
  };
  return { workflow, trimmed, shape };
}

/** A workflow of exactly `tasks` functions shaped like `recipe` (see RECIPES), seeded. */
export function generateWorkflow(recipe: string, tasks: number, seed: number, options: GeneratorOptions = {}): WorkflowSpec {
  return generateWorkflowDetailed(recipe, tasks, seed, options).workflow;
}
