/**
 * throughput: closed-loop client sweeps and peak sustained throughput per mode.
 * Protocol [reference 2.E "Closed loop"]: `clients` concurrent clients started 2 s apart, each
 * sending its next request when the previous one returns; 2 min warm-up, then 5 min measured
 * (the AE measured 5-10 min: we take the lower end). Client lists from sync_test.py; svd from the
 * pressure-aware test. Peak throughput = the highest across-seed mean over the client list.
 */
import type { ExperimentDef } from '../types.js';
import { CLIENTS_CLI, DATAFLOWER_BENCHMARKS, DATAFLOWER_CLUSTER, benchmarkAxis, modeAxis } from '../lib/catalog.js';

export const DATAFLOWER_CLIENTS: Record<string, number[]> = {
  'df-recognizer': [1, 2, 4, 8, 9, 10, 11, 12],
  'df-video': [1, 2, 4, 8, 16, 24, 30, 32],
  'df-wordcount': [1, 2, 4, 8, 16, 19, 20, 21, 22, 23, 24],
  'df-svd': [1, 2, 4, 8, 12, 16, 20, 24],
};

const def: ExperimentDef = {
  name: 'throughput',
  description: "closed-loop client sweeps on DataFlower's benchmarks (its concurrency lists); peak sustained throughput per mode",
  source: 'DataFlower AE sync_test.py (reference 2.E)',
  axes: [
    benchmarkAxis([...DATAFLOWER_BENCHMARKS], ['df-wordcount', 'df-svd'], DATAFLOWER_BENCHMARKS),
    modeAxis(),
    {
      name: 'clients',
      describe: 'concurrent closed-loop clients (comma list)',
      values: (p) => DATAFLOWER_CLIENTS[String(p.benchmark)],
      quick: [1, 4],
      cli: CLIENTS_CLI,
    },
  ],
  metrics: [
    { name: 'throughputRps', label: 'throughput', unit: 'req/s' },
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'e2e.p99', label: 'e2e p99', unit: 's' },
    { name: 'completed', label: 'completed requests' },
    { name: 'timeouts', label: 'timeouts' },
  ],
  scenario(p, ctx) {
    const warmupS = ctx.quick ? 20 : 120;
    return {
      workflows: [String(p.benchmark)],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower',
      cluster: DATAFLOWER_CLUSTER,
      clients: Number(p.clients),
      staggerS: 2, // sync_test.py starts clients 2 s apart
      warmupS,
      warmupRequests: 0,
      durationS: warmupS + (ctx.quick ? 40 : 300),
    };
  },
  plots: [
    {
      name: 'throughput-vs-clients',
      title: 'Throughput vs closed-loop clients',
      mark: 'line',
      x: 'clients',
      xType: 'quantitative',
      y: 'throughputRps',
      yTitle: 'throughput (req/s)',
      color: 'mode',
      column: 'workflow',
    },
    {
      name: 'latency-vs-clients',
      title: 'E2E latency vs closed-loop clients',
      mark: 'line',
      x: 'clients',
      xType: 'quantitative',
      y: 'e2e.mean',
      yTitle: 'e2e mean (s)',
      color: 'mode',
      column: 'workflow',
    },
  ],
  headline: [{ title: 'peak throughput over clients (req/s)', metric: 'throughputRps', col: 'mode', rows: ['workflow'], maxOver: 'clients' }],
};
export default def;
