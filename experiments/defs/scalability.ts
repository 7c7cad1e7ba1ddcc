/**
 * scalability:
 * - part `grouping`: the cost of FaaSFlow's graph grouping as the DAG grows (wall time and heap
 *   of flowsim's own `groupWorkflow` from sim/modes/faasflow.ts, 7 workers) on genome-like DAGs
 *   of 10..200 functions from the recipe generator (`gen:genome:<n>:<seed>`: each seed draws
 *   other edge sizes). Wall time and memory are wall-clock measurements: they go to timing.csv, never to
 *   points.csv; points.csv keeps the deterministic outcome (number of groups).
 * - parts `fanout` and `datasize`: DataFlower's wordcount scalability variant (reference 2.A):
 *   fan-out {2,4,8,12,16} files of 4.13 MB in total; data size {1,2,4,8,16}: 4 files of about
 *   k x 1.04 MB in total. Open loop at 10 rpm with the ramp, 3 min warm-up, 300 s measured
 *   (DataFlower's async protocol, reference 2.E) [ASSUMPTION: the AE does not say which protocol
 *   the scalability test used].
 */
import type { ExperimentDef, Point } from '../types.js';
import { DATAFLOWER_CLUSTER, MODES, modeAxis } from '../lib/catalog.js';
import { baseWorkflow, preloadWorkflows, wordcountVariant } from '../lib/workflows.js';
import { groupingCost } from '../lib/grouping.js';

const PARTS = ['grouping', 'fanout', 'datasize'];
const SIZES: Record<string, number[]> = {
  grouping: [10, 25, 50, 100, 150, 200],
  fanout: [2, 4, 8, 12, 16],
  datasize: [1, 2, 4, 8, 16],
};
const QUICK_SIZES: Record<string, number[]> = { grouping: [10, 50], fanout: [2, 8], datasize: [1, 4] };
const FANOUT_TOTAL_BYTES = 4.13e6;
const DATASIZE_UNIT_BYTES = 1.04e6;

const def: ExperimentDef = {
  name: 'scalability',
  description: 'FaaSFlow grouping cost on genome-like DAGs of 10..200 functions; DataFlower wordcount fan-out {2..16} and data size {1..16}',
  source: 'FaaSFlow grouping (reference 1.C); DataFlower wordcount__start_scalability (reference 2.A, 2.E)',
  axes: [
    { name: 'part', describe: `part of the experiment (${PARTS.join(', ')})`, values: PARTS, cli: { type: 'string', choices: PARTS } },
    {
      name: 'size',
      describe: 'functions (grouping), files (fanout) or data-size multiple (datasize)',
      values: (p) => SIZES[String(p.part)],
      quick: (p) => QUICK_SIZES[String(p.part)],
      cli: { type: 'number', min: 1, max: 10000, integer: true },
    },
    { ...modeAxis(), values: (p: Point) => (p.part === 'grouping' ? ['faasflow'] : [...MODES]) },
  ],
  metrics: [
    { name: 'groups', label: 'groups after grouping' },
    { name: 'merges', label: 'merges' },
    { name: 'iterations', label: 'grouping iterations' },
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'e2e.p99', label: 'e2e p99', unit: 's' },
    { name: 'dataOverhead.mean', label: 'data overhead', unit: 's' },
    { name: 'e2e.count', label: 'measured requests' },
  ],
  timingMetrics: [
    { name: 'groupingWallSeconds', label: 'grouping wall time', unit: 's' },
    { name: 'groupingWallSecondsPerIteration', label: 'grouping wall time per merge iteration', unit: 's' },
    { name: 'groupingHeapBytes', label: 'grouping heap growth', unit: 'B' },
  ],
  async prepare() {
    await preloadWorkflows(['df-wordcount']);
  },
  custom: {
    applies: (p) => p.part === 'grouping',
    run: async (p, seed) => groupingCost(Number(p.size), seed),
  },
  scenario(p, ctx) {
    const base = baseWorkflow('df-wordcount');
    const k = Number(p.size);
    const wf = p.part === 'fanout' ? wordcountVariant(base, k, FANOUT_TOTAL_BYTES) : wordcountVariant(base, 4, k * DATASIZE_UNIT_BYTES);
    wf.name = `${base.name}-${p.part}-${k}`;
    const warmupS = ctx.quick ? 20 : 180;
    return {
      workflows: [wf],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower',
      cluster: DATAFLOWER_CLUSTER,
      rpm: 10,
      ramp: true,
      warmupS,
      warmupRequests: 0,
      durationS: warmupS + (ctx.quick ? 60 : 300),
    };
  },
  plots: [
    {
      name: 'grouping-cost',
      title: 'FaaSFlow grouping wall time vs DAG size (genome-like)',
      mark: 'line',
      x: 'size',
      xType: 'quantitative',
      xTitle: 'functions',
      y: 'groupingWallSeconds',
      yTitle: 'grouping wall time (s)',
      timing: true,
      where: { part: 'grouping' },
    },
    {
      name: 'grouping-iterations',
      title: 'FaaSFlow grouping: merge-loop iterations and groups left vs DAG size',
      mark: 'line',
      x: 'size',
      xType: 'quantitative',
      xTitle: 'functions',
      y: 'iterations',
      yTitle: 'iterations of the merge loop',
      where: { part: 'grouping' },
    },
    {
      name: 'fanout',
      title: 'DataFlower wordcount: e2e vs fan-out (4.13 MB in total)',
      mark: 'line',
      x: 'size',
      xType: 'quantitative',
      xTitle: 'files (fan-out)',
      y: 'e2e.mean',
      yTitle: 'e2e mean (s)',
      color: 'mode',
      where: { part: 'fanout' },
    },
    {
      name: 'datasize',
      title: 'DataFlower wordcount: e2e vs data size (4 files, k x 1.04 MB)',
      mark: 'line',
      x: 'size',
      xType: 'quantitative',
      xTitle: 'data size multiple k',
      y: 'e2e.mean',
      yTitle: 'e2e mean (s)',
      color: 'mode',
      where: { part: 'datasize' },
    },
  ],
  headline: [
    { title: 'grouping wall time (s)', metric: 'groupingWallSeconds', col: 'mode', rows: ['size'], where: { part: 'grouping' }, timing: true },
    { title: 'grouping wall time per merge iteration (s)', metric: 'groupingWallSecondsPerIteration', col: 'mode', rows: ['size'], where: { part: 'grouping' }, timing: true },
    { title: 'grouping: merge-loop iterations', metric: 'iterations', col: 'mode', rows: ['size'], where: { part: 'grouping' } },
    { title: 'grouping: groups left', metric: 'groups', col: 'mode', rows: ['size'], where: { part: 'grouping' } },
    { title: 'fan-out: e2e mean (s)', metric: 'e2e.mean', col: 'mode', rows: ['size'], where: { part: 'fanout' } },
    { title: 'data size: e2e mean (s)', metric: 'e2e.mean', col: 'mode', rows: ['size'], where: { part: 'datasize' } },
  ],
};
export default def;
