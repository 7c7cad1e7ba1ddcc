/**
 * overhead: scheduling overhead and data overhead per benchmark x mode.
 * Protocol [reference 1.E]: data overhead = sum of the "edge" (put/fetch) phase times over all
 * function instances of a request, averaged over requests 3..<=102 within 120 s; scheduling
 * overhead = e2e minus the per-function times along the critical path. Closed loop, one client,
 * 50 MB/s. [ASSUMPTION] One 120 s window serves both metrics (the AE used 180 s for scheduling);
 * flowsim computes both per request, see SimResult.dataOverhead / schedulingOverhead.
 */
import type { ExperimentDef } from '../types.js';
import { ALL_BENCHMARKS, bandwidthAxis, benchmarkAxis, clusterOf, modeAxis } from '../lib/catalog.js';

const def: ExperimentDef = {
  name: 'overhead',
  description: 'scheduling overhead and data overhead per benchmark x mode (closed loop, 1 client, 50 MB/s)',
  source: 'FaaSFlow AE data_overhead and schedule_overhead (reference 1.E)',
  axes: [bandwidthAxis([50]), modeAxis(), benchmarkAxis([...ALL_BENCHMARKS], ['genome', 'video', 'wordcount', 'df-svd'])],
  metrics: [
    { name: 'schedulingOverhead.mean', label: 'scheduling overhead', unit: 's' },
    { name: 'dataOverhead.mean', label: 'data overhead', unit: 's' },
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'e2e.count', label: 'measured requests' },
  ],
  scenario(p, ctx) {
    const b = String(p.benchmark);
    return {
      workflows: [b],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower',
      cluster: clusterOf(b),
      bandwidthMBps: Number(p.bandwidth),
      clients: 1,
      durationS: ctx.quick ? 40 : 120,
      warmupRequests: 2,
      warmupS: 0,
      maxRequests: 102, // requests 3..102: 2 warm-up + at most 100 measured
    };
  },
  plots: [
    {
      name: 'scheduling-overhead',
      title: 'Scheduling overhead per request',
      mark: 'bar',
      x: 'workflow',
      xOffset: 'mode',
      color: 'mode',
      y: 'schedulingOverhead.mean',
      yTitle: 'scheduling overhead (s)',
    },
    {
      name: 'data-overhead',
      title: 'Data overhead per request (sum of put/fetch times)',
      mark: 'bar',
      x: 'workflow',
      xOffset: 'mode',
      color: 'mode',
      y: 'dataOverhead.mean',
      yTitle: 'data overhead (s)',
    },
  ],
  headline: [
    { title: 'scheduling overhead (s)', metric: 'schedulingOverhead.mean', col: 'mode', rows: ['workflow'] },
    { title: 'data overhead (s)', metric: 'dataOverhead.mean', col: 'mode', rows: ['workflow'] },
  ],
};
export default def;
