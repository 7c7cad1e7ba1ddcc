import test from 'ava';
import { compileWorkflow, criticalPathLength, totalEdgeBytes, type WorkflowSpec } from '../sim/models/workflow.js';
import { generateWorkflow, generateWorkflowDetailed, RECIPES } from '../traces/generator.js';
import { taskType } from '../traces/wfformat.js';

const SCIENTIFIC = ['genome', 'epigenomics', 'cycles', 'soykb'] as const;
const ALL = Object.keys(RECIPES);

/** Parents and children by task type, for shape checks. */
function graph(spec: WorkflowSpec) {
  const parents = new Map<string, string[]>(spec.functions.map((f) => [f.name, []]));
  const children = new Map<string, string[]>(spec.functions.map((f) => [f.name, []]));
  for (const e of spec.edges) {
    parents.get(e.to)!.push(e.from);
    children.get(e.from)!.push(e.to);
  }
  const ofType = (type: string) => spec.functions.filter((f) => taskType(f.name) === type).map((f) => f.name);
  const types = (names: string[]) => names.map(taskType).sort();
  return { parents, children, ofType, types };
}

test('RECIPES lists every recipe with a description', (t) => {
  t.deepEqual(ALL.sort(), ['chain', 'cycles', 'epigenomics', 'fanout', 'genome', 'soykb']);
  for (const d of Object.values(RECIPES)) t.true(d.length > 10);
});

test('unknown recipe: the error lists the valid ones', (t) => {
  const err = t.throws(() => generateWorkflow('montage', 100, 1));
  t.regex(err!.message, /unknown workflow recipe 'montage'; expected one of: genome, epigenomics, cycles, soykb, chain, fanout/);
  t.throws(() => generateWorkflow('genome', 0, 1), { message: /tasks must be an integer >= 1/ });
  t.throws(() => generateWorkflow('genome', 10.5, 1), { message: /tasks must be an integer >= 1/ });
});

for (const recipe of ALL) {
  test(`${recipe}: deterministic per seed, different seeds differ`, (t) => {
    const a = JSON.stringify(generateWorkflow(recipe, 500, 42));
    const b = JSON.stringify(generateWorkflow(recipe, 500, 42));
    const c = JSON.stringify(generateWorkflow(recipe, 500, 43));
    t.is(a, b);
    t.not(a, c);
  });

  test(`${recipe}: exact task count, unique names, compileWorkflow accepts 10, 100, 1000, 10000`, (t) => {
    for (const n of [10, 100, 1000, 10000]) {
      const spec = generateWorkflow(recipe, n, 3);
      t.is(spec.functions.length, n);
      t.is(new Set(spec.functions.map((f) => f.name)).size, n);
      const c = compileWorkflow(spec);
      t.true(c.starts.length >= 1 && c.ends.length >= 1);
      t.true(spec.edges.every((e) => e.kind === 'normal' && Number.isInteger(e.bytes) && e.bytes >= 0));
    }
    for (let n = 1; n <= 60; n++) t.is(generateWorkflow(recipe, n, n).functions.length, n, `size ${n}`);
  });
}

test('defaults follow FaaSFlow (1 s constant, cpu 0, 256 MiB); options override them', (t) => {
  const d = generateWorkflow('cycles', 46, 1);
  t.true(d.functions.every((f) => f.serviceTime.kind === 'constant' && f.serviceTime.value === 1 && f.cpu === 0));
  t.true(d.functions.every((f) => f.memoryBytes === 256 * 1024 * 1024 && f.maxContainers === 10 && f.inputBytes === 0));
  t.is(generateWorkflow('genome', 50, 1).functions[0].maxContainers, 1);
  const o = generateWorkflow('genome', 50, 1, { serviceTimeS: 0.25, cpu: 1, memoryBytes: 1e9, maxContainers: 4, inputs: true });
  t.true(o.functions.every((f) => f.cpu === 1 && f.memoryBytes === 1e9 && f.maxContainers === 4));
  t.deepEqual(o.functions[0].serviceTime, { kind: 'constant', value: 0.25 });
  t.true(o.functions.filter((f) => taskType(f.name) === 'individuals').every((f) => f.inputBytes > 0));
});

test('every size above 21 is a complete recipe instance (no trimming)', (t) => {
  for (const recipe of SCIENTIFIC) {
    for (let n = 22; n <= 400; n++) t.is(generateWorkflowDetailed(recipe, n, 1).trimmed, 0, `${recipe} ${n}`);
    for (const n of [1000, 4321, 10000]) t.is(generateWorkflowDetailed(recipe, n, 1).trimmed, 0, `${recipe} ${n}`);
  }
  // below, the prefix of a larger instance
  const small = generateWorkflowDetailed('soykb', 10, 1);
  t.true(small.trimmed > 0);
  t.regex(small.workflow.description!, /dropped/);
});

// FaaSFlow's scientific DAGs (reference 1.A A5-A8): nodes/edges and critical paths
const FAASFLOW: Record<(typeof SCIENTIFIC)[number], [number, number, number, number]> = {
  genome: [50, 74, 3, 177e6],
  epigenomics: [45, 50, 9, 39e6],
  cycles: [46, 52, 4, 1.43e9],
  soykb: [45, 77, 11, 46e6],
};
for (const recipe of SCIENTIFIC)
  test(`${recipe} at FaaSFlow's size has FaaSFlow's nodes, edges, critical path and about its bytes`, (t) => {
    const [nodes, edges, cp, bytes] = FAASFLOW[recipe];
    const totals: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const c = compileWorkflow(generateWorkflow(recipe, nodes, seed));
      t.is(c.functions.length, nodes);
      t.is(c.edges.length, edges);
      t.is(criticalPathLength(c), cp);
      totals.push(totalEdgeBytes(c));
    }
    // per-edge means come from the reference, so the mean total over seeds lands near its total
    const mean = totals.reduce((a, b) => a + b, 0) / totals.length;
    t.true(Math.abs(mean / bytes - 1) < 0.25, `mean total ${mean} vs reference ${bytes}`);
  });

test('genome shape: each mutation_overlap/frequency reads exactly one merge and one sifting', (t) => {
  for (const n of [50, 333, 5000]) {
    const g = graph(generateWorkflow('genome', n, 5));
    for (const type of ['mutation_overlap', 'frequency'])
      for (const x of g.ofType(type)) t.deepEqual(g.types(g.parents.get(x)!), ['individuals_merge', 'sifting']);
    for (const x of g.ofType('individuals')) t.deepEqual(g.types(g.children.get(x)!), ['individuals_merge']);
    for (const x of g.ofType('individuals_merge')) t.true(g.types(g.parents.get(x)!).every((p) => p === 'individuals'));
    t.is(g.ofType('individuals_merge').length, g.ofType('sifting').length);
  }
});

test('epigenomics shape: lanes of 4-stage pipelines merged, then chr21 -> pileup', (t) => {
  for (const n of [45, 200, 5000]) {
    const g = graph(generateWorkflow('epigenomics', n, 5));
    const chain = ['fastqsplit', 'filtercontams', 'sol2sanger', 'fast2bfq', 'map'];
    for (let i = 1; i < chain.length; i++)
      for (const x of g.ofType(chain[i])) t.deepEqual(g.types(g.parents.get(x)!), [chain[i - 1]]);
    for (const x of g.ofType('map')) t.deepEqual(g.types(g.children.get(x)!), ['mapmerge']);
    t.is(g.ofType('chr21').length, 1);
    t.is(g.ofType('pileup').length, 1);
    t.deepEqual(g.types(g.parents.get(g.ofType('chr21')[0])!), ['mapmerge']);
    t.deepEqual(g.types(g.parents.get(g.ofType('pileup')[0])!), ['chr21']);
    t.is(g.ofType('filtercontams').length, g.ofType('map').length);
  }
});

test('cycles shape: baseline -> {cycles, fertilizer} -> parser -> summaries -> plots', (t) => {
  for (const n of [46, 210, 5000]) {
    const g = graph(generateWorkflow('cycles', n, 5));
    for (const b of g.ofType('baseline_cycles')) {
      const ch = g.types(g.children.get(b)!);
      t.is(ch.filter((x) => x === 'fertilizer_increase_cycles').length, 1);
      t.true(ch.filter((x) => x === 'cycles').length >= 1);
    }
    for (const f of g.ofType('fertilizer_increase_cycles')) t.deepEqual(g.types(g.children.get(f)!), ['cycles_fertilizer_increase_output_parser']);
    for (const c of g.ofType('cycles')) t.deepEqual(g.types(g.children.get(c)!), ['cycles_output_summary']);
    for (const p of g.ofType('cycles_fertilizer_increase_output_parser')) t.deepEqual(g.types(g.children.get(p)!), ['cycles_fertilizer_increase_output_summary']);
    for (const p of g.ofType('cycles_plots')) t.deepEqual(g.types(g.parents.get(p)!), ['cycles_output_summary']);
    t.is(g.ofType('cycles_plots').length, g.ofType('cycles_output_summary').length);
    t.is(criticalPathLength(compileWorkflow(generateWorkflow('cycles', n, 5))), 4);
  }
});

test('soykb shape: alignment chains -> haplotype_caller fan -> genotype/merge -> combine -> select -> filter', (t) => {
  for (const n of [45, 300, 5000]) {
    const spec = generateWorkflow('soykb', n, 5);
    const g = graph(spec);
    const chain = ['alignment_to_reference', 'sort_sam', 'dedup', 'add_replace', 'realign_target_creator', 'indel_realign', 'haplotype_caller'];
    for (let i = 1; i < chain.length; i++)
      for (const x of g.ofType(chain[i])) t.deepEqual(g.types(g.parents.get(x)!), [chain[i - 1]]);
    for (const hc of g.ofType('haplotype_caller')) t.deepEqual(g.types(g.children.get(hc)!), ['genotype_gvcfs', 'merge_gcvf']);
    t.is(g.parents.get(g.ofType('merge_gcvf')[0])!.length, g.ofType('haplotype_caller').length);
    t.true(g.ofType('genotype_gvcfs').every((x) => g.parents.get(x)!.length >= 1));
    for (const type of ['combine_variants', 'select_variants_indel', 'select_variants_snp', 'filtering_indel', 'filtering_snp'])
      t.is(g.ofType(type).length, 1);
    t.deepEqual(g.types(g.children.get(g.ofType('combine_variants')[0])!), ['select_variants_indel', 'select_variants_snp']);
    t.is(criticalPathLength(compileWorkflow(spec)), 11);
  }
});

test('broadcast outputs carry the same bytes on every edge (one file, many readers)', (t) => {
  const g = generateWorkflow('genome', 500, 9);
  const bySource = new Map<string, Set<number>>();
  for (const e of g.edges) {
    if (taskType(e.from) !== 'sifting' && taskType(e.from) !== 'individuals_merge') continue;
    if (!bySource.has(e.from)) bySource.set(e.from, new Set());
    bySource.get(e.from)!.add(e.bytes);
  }
  t.true(bySource.size > 0);
  for (const s of bySource.values()) t.is(s.size, 1);
});

test('50,000 tasks build and compile (every recipe)', (t) => {
  for (const recipe of ALL) {
    const spec = generateWorkflow(recipe, 50_000, 1);
    t.is(spec.functions.length, 50_000);
    t.is(compileWorkflow(spec).topo.length, 50_000);
  }
});
