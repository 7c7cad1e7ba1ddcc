/**
 * fluctuation: throughput under a fluctuating storage-node bandwidth, per mode (the FaaSFlow
 * paper's "throughput degradation under fluctuating bandwidth").
 *
 * The storage node's interface is capped at the given bandwidth both ways (wondershaper, reference
 * 1.B). `steady` keeps the cap; `fluctuating` moves it every 10 s by a factor exp(N(0, 0.3)),
 * clipped to [0.2, 1] of the cap (a random walk from the fault model's own stream,
 * models/faults.ts) [ASSUMPTION: the paper gives no trace; this one is flowsim's own]. Closed loop:
 * 4 clients for 300 s (quick: 120 s), first 2 requests not measured; throughput is completed
 * requests per second.
 */
import type { ExperimentDef } from '../types.js';
import type { FaultSpec } from '../../sim/models/faults.js';
import { NO_FAULTS } from '../../sim/models/faults.js';
import { bandwidthAxis, benchmarkAxis, clusterOf, modeAxis } from '../lib/catalog.js';

export const FLUCTUATION_WALK = { everyS: 10, sigma: 0.3, min: 0.2, max: 1 };
const TRACES = ['steady', 'fluctuating'];

function walkSpec(): FaultSpec {
  return { ...structuredClone(NO_FAULTS), links: ['storage.up', 'storage.down'].map((link) => ({ link, walk: { ...FLUCTUATION_WALK } })) };
}

const def: ExperimentDef = {
  name: 'fluctuation',
  description: 'throughput per mode with the storage-node bandwidth steady or fluctuating (a random walk between 20% and 100% of the cap), 4 closed-loop clients',
  source: "FaaSFlow paper's fluctuating-bandwidth claim; the trace is [ASSUMPTION] in experiments/defs/fluctuation.ts (models/faults.ts random walk)",
  axes: [
    { name: 'trace', describe: `bandwidth trace (${TRACES.join(', ')})`, values: TRACES, cli: { type: 'string', choices: TRACES } },
    bandwidthAxis([25, 50, 100], [50]),
    modeAxis(),
    benchmarkAxis(['genome', 'video', 'cycles', 'wordcount'], ['video', 'wordcount']),
  ],
  seeds: 3,
  metrics: [
    { name: 'throughputRps', label: 'throughput', unit: 'req/s' },
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'e2e.p99', label: 'e2e p99', unit: 's' },
    { name: 'timeouts', label: 'timeouts' },
    { name: 'e2e.count', label: 'measured requests' },
  ],
  scenario(p, ctx) {
    const b = String(p.benchmark);
    return {
      workflows: [b],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower',
      cluster: clusterOf(b),
      bandwidthMBps: Number(p.bandwidth),
      clients: 4,
      durationS: ctx.quick ? 120 : 300,
      warmupRequests: 2,
      ...(p.trace === 'fluctuating' ? { faults: walkSpec() } : {}),
    };
  },
  plots: [
    { name: 'fluctuation-throughput', title: 'Throughput with a steady and a fluctuating storage bandwidth', mark: 'bar', x: 'mode', xOffset: 'trace', color: 'trace', y: 'throughputRps', column: 'benchmark', row: 'bandwidth', yTitle: 'throughput (req/s)' },
    { name: 'fluctuation-p99', title: 'p99 latency with a steady and a fluctuating storage bandwidth', mark: 'bar', x: 'mode', xOffset: 'trace', color: 'trace', y: 'e2e.p99', column: 'benchmark', row: 'bandwidth', yTitle: 'p99 latency (s)', logY: true },
  ],
  headline: [{ title: 'throughput (req/s)', metric: 'throughputRps', col: 'trace', rows: ['bandwidth', 'benchmark', 'mode'] }],
};
export default def;
