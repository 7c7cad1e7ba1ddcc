/**
 * colocation: DataFlower's four workflows together, open loop, at four rate sets.
 * Protocol [reference 2.E]: all 4 workflows open loop at the same time (fixed interval with the
 * start-up ramp), 3 min warm-up excluded, then 300 s measured (the AE: 300-600 s).
 * [ASSUMPTION] The reference does not give the rpm of the low/mid/high/ultraHigh sets. We take
 * "mid" = each workflow's own single-workflow AE rate (video 4, others 10 rpm), "low" = half,
 * "high" = double, "ultraHigh" = triple of mid.
 */
import type { ExperimentDef } from '../types.js';
import { DATAFLOWER_BENCHMARKS, DATAFLOWER_CLUSTER, modeAxis } from '../lib/catalog.js';

/** rpm per workflow for each rate set [ASSUMPTION, see above]. */
export const COLOCATION_RATES: Record<string, Record<string, number>> = {
  low: { 'df-video': 2, 'df-wordcount': 5, 'df-recognizer': 5, 'df-svd': 5 },
  mid: { 'df-video': 4, 'df-wordcount': 10, 'df-recognizer': 10, 'df-svd': 10 },
  high: { 'df-video': 8, 'df-wordcount': 20, 'df-recognizer': 20, 'df-svd': 20 },
  ultraHigh: { 'df-video': 12, 'df-wordcount': 30, 'df-recognizer': 30, 'df-svd': 30 },
};
const SETS = Object.keys(COLOCATION_RATES);

const def: ExperimentDef = {
  name: 'colocation',
  description: "DataFlower's four workflows together, open loop, at the low/mid/high/ultraHigh rate sets",
  source: 'DataFlower AE async_colocation_test.py (reference 2.E); rate sets are an [ASSUMPTION]',
  axes: [
    { name: 'rates', describe: `rate set (${SETS.join(', ')})`, values: SETS, quick: ['low', 'high'], cli: { type: 'string', choices: SETS } },
    modeAxis(),
  ],
  metrics: [
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'e2e.p99', label: 'e2e p99', unit: 's' },
    { name: 'throughputRps', label: 'throughput', unit: 'req/s' },
    { name: 'e2e.count', label: 'measured requests' },
    { name: 'timeouts', label: 'timeouts' },
  ],
  scenario(p, ctx) {
    // quick: 60 s warm-up so video's first ramped interval (4 x 30 s at 2 rpm) is behind us
    const warmupS = ctx.quick ? 60 : 180;
    return {
      workflows: [...DATAFLOWER_BENCHMARKS],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower',
      cluster: DATAFLOWER_CLUSTER,
      rpms: DATAFLOWER_BENCHMARKS.map((b) => COLOCATION_RATES[String(p.rates)][b]),
      ramp: true,
      warmupS,
      warmupRequests: 0,
      durationS: warmupS + (ctx.quick ? 120 : 300),
    };
  },
  plots: [
    {
      name: 'colocation-e2e',
      title: 'Co-located workflows: e2e mean per rate set',
      mark: 'bar',
      x: 'workflow',
      xOffset: 'mode',
      color: 'mode',
      y: 'e2e.mean',
      yTitle: 'e2e latency (s)',
      column: 'rates',
      logY: true,
    },
    {
      name: 'colocation-p99',
      title: 'Co-located workflows: e2e p99 per rate set',
      mark: 'bar',
      x: 'workflow',
      xOffset: 'mode',
      color: 'mode',
      y: 'e2e.p99',
      yTitle: 'p99 latency (s)',
      column: 'rates',
      logY: true,
    },
  ],
  headline: [{ title: 'co-located e2e mean (s)', metric: 'e2e.mean', col: 'mode', rows: ['rates', 'workflow'] }],
};
export default def;
