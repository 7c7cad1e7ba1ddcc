/**
 * cost: what each mode costs per request against its latency, per benchmark, at two price tables.
 *
 * One closed-loop client per benchmark and mode (FaaSFlow's e2e protocol, reference 1.E) on the
 * benchmark's own cluster, uncapped; the bill of models/cost.ts: container memory x time from
 * hand-over to release (DataFlower's containers held by pressure-aware release included), per
 * invocation, and per GB between nodes. `aws-lambda` bills the containers' memory; `dataflower-gbs`
 * bills 1.25 GB per core of the cpu quota, as DataFlower's test scripts do (reference 2.A).
 */
import type { ExperimentDef } from '../types.js';
import { ALL_BENCHMARKS, benchmarkAxis, clusterOf, modeAxis } from '../lib/catalog.js';

const PRICES = ['aws-lambda', 'dataflower-gbs'];

const def: ExperimentDef = {
  name: 'cost',
  description: 'cost per request against e2e latency per mode and benchmark (1 closed-loop client), at AWS Lambda prices and with DataFlower GB-s rule',
  source: 'models/cost.ts; prices in configs/prices/ (AWS Lambda pricing page; DataFlower AE scripts, reference 2.A)',
  axes: [
    { name: 'prices', describe: `price tables (${PRICES.join(', ')})`, values: PRICES, quick: ['aws-lambda'], cli: { type: 'string', choices: PRICES } },
    modeAxis(),
    benchmarkAxis([...ALL_BENCHMARKS], ['wordcount', 'video', 'df-wordcount', 'genome']),
  ],
  seeds: 2,
  metrics: [
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'cost.gbSecondsPerRequest', label: 'GB-s per request', unit: 'GB-s' },
    { name: 'cost.usdPerRequest', label: 'compute + invocations per request', unit: 'USD' },
    { name: 'run.cost.usd.transfer', label: 'transfer cost of the run', unit: 'USD' },
    { name: 'run.cost.transferredGB', label: 'GB between nodes in the run', unit: 'GB' },
    { name: 'e2e.count', label: 'measured requests' },
  ],
  scenario(p, ctx) {
    const b = String(p.benchmark);
    return {
      workflows: [b],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower',
      cluster: clusterOf(b),
      prices: String(p.prices),
      clients: 1,
      durationS: ctx.quick ? 40 : 120,
      warmupRequests: 2,
      minRequests: 3,
    };
  },
  plots: [
    {
      name: 'cost-vs-latency',
      title: 'Cost per request against e2e latency (compute + invocations)',
      mark: 'point',
      x: 'benchmark',
      xMetric: 'e2e.mean',
      y: 'cost.usdPerRequest',
      color: 'mode',
      shape: 'mode',
      column: 'prices',
      logX: true,
      logY: true,
      xTitle: 'e2e mean (s)',
      yTitle: 'USD per request',
    },
    { name: 'cost-gbs', title: 'GB-s per request', mark: 'bar', x: 'benchmark', xOffset: 'mode', color: 'mode', y: 'cost.gbSecondsPerRequest', column: 'prices', logY: true, yTitle: 'GB-s per request' },
  ],
  headline: [
    { title: 'GB-s per request', metric: 'cost.gbSecondsPerRequest', col: 'mode', rows: ['prices', 'benchmark'] },
    { title: 'e2e mean (s)', metric: 'e2e.mean', col: 'mode', rows: ['benchmark'], where: { prices: 'aws-lambda' } },
  ],
};
export default def;
