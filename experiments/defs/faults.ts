/**
 * faults: how each mode copes with failing functions: success rate, latency and cost against the
 * per-attempt failure rate, with and without retries.
 *
 * Every function attempt fails with the given probability (models/faults.ts: a failing attempt
 * computes a random fraction of its service time, writes nothing; the invoking engine retries it
 * after a backoff of 0.1 s x 2^k, at most `retries` times, then the request fails). The draws come
 * from the fault model's own streams, so the three modes see the same failures.
 *
 * Workload [ASSUMPTION]: each benchmark open loop at 6 rpm for 300 s (quick: 120 s) on its own
 * cluster, 50 MB/s on the storage node for FaaSFlow's benchmarks (uncapped on DataFlower's), no
 * warm-up beyond the first 2 requests. The DataFlower experiments' claim of a 95% success rate at
 * a 20% task failure rate (the DataFlower experiments seed) is a reference point, not a target.
 */
import type { ExperimentDef } from '../types.js';
import { benchmarkAxis, clusterOf, modeAxis } from '../lib/catalog.js';

const def: ExperimentDef = {
  name: 'faults',
  description: 'success rate, mean and p99 latency and cost per request against the function failure rate 0-20%, per mode, with and without retries',
  source: "models/faults.ts; the 95%-at-20% reference point is the DataFlower experiments seed's; workload [ASSUMPTION] in experiments/defs/faults.ts",
  axes: [
    { name: 'failure', describe: 'probability that one function attempt fails (comma list)', values: [0, 0.05, 0.1, 0.15, 0.2], quick: [0, 0.1, 0.2], cli: { type: 'number', min: 0, max: 1 } },
    { name: 'retries', describe: 'retries at most per failed invocation (comma list)', values: [0, 3], quick: [3], cli: { type: 'number', min: 0, max: 100, integer: true } },
    modeAxis(),
    benchmarkAxis(['video', 'wordcount', 'genome', 'df-wordcount', 'df-video'], ['video', 'df-wordcount']),
  ],
  seeds: 3,
  metrics: [
    { name: 'successRate', label: 'success rate', unit: 'fraction' },
    { name: 'e2e.mean', label: 'e2e mean (completed and timed out)', unit: 's' },
    { name: 'e2e.p99', label: 'e2e p99', unit: 's' },
    { name: 'cost.usdPerRequest', label: 'cost per request', unit: 'USD' },
    { name: 'run.faults.retries', label: 'retries in the run' },
    { name: 'failed', label: 'failed requests' },
    { name: 'timeouts', label: 'timeouts' },
    { name: 'e2e.count', label: 'measured requests' },
  ],
  scenario(p, ctx) {
    const b = String(p.benchmark);
    return {
      workflows: [b],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower',
      cluster: clusterOf(b),
      ...(b.startsWith('df-') ? {} : { bandwidthMBps: 50 }),
      rpm: 6,
      durationS: ctx.quick ? 120 : 300,
      warmupRequests: 2,
      failureRate: Number(p.failure),
      retries: Number(p.retries),
    };
  },
  plots: [
    { name: 'faults-success', title: 'Success rate against the function failure rate', mark: 'line', x: 'failure', y: 'successRate', color: 'mode', shape: 'mode', column: 'benchmark', row: 'retries', xTitle: 'failure rate per attempt', yTitle: 'success rate (fraction of requests)' },
    { name: 'faults-p99', title: 'p99 latency against the function failure rate', mark: 'line', x: 'failure', y: 'e2e.p99', color: 'mode', shape: 'mode', column: 'benchmark', row: 'retries', xTitle: 'failure rate per attempt', yTitle: 'p99 latency (s)', logY: true },
    { name: 'faults-cost', title: 'Cost per request against the function failure rate', mark: 'line', x: 'failure', y: 'cost.usdPerRequest', color: 'mode', shape: 'mode', column: 'benchmark', row: 'retries', xTitle: 'failure rate per attempt', yTitle: 'USD per request', logY: true },
  ],
  headline: [
    { title: 'success rate', metric: 'successRate', col: 'mode', rows: ['retries', 'benchmark', 'failure'] },
    { title: 'e2e p99 (s)', metric: 'e2e.p99', col: 'mode', rows: ['retries', 'benchmark', 'failure'] },
  ],
};
export default def;
