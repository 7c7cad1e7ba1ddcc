/**
 * node-loss: what each mode loses when workers fail, and how long it takes to serve again.
 *
 * Every worker of the benchmark's cluster fails again and again with exponential times between
 * failures (mean 120 s) and to repair (mean 10, 30 or 60 s), drawn from each node's own fault
 * stream (models/faults.ts): everything on a lost worker stops (containers, computations,
 * transfers); a running attempt is retried once the worker is back; a request whose data lived
 * only on it fails (FaaStore's local memory, DataFlower's host store and data unit), while
 * hyperflow keeps every output in the remote store. Open loop at 20 rpm for 600 s (quick: 300 s)
 * [ASSUMPTION: flowsim's own protocol; the papers measure no node loss].
 *
 * An MTTR of 0 is the baseline without failures (the load alone: hyperflow is near its capacity
 * on video and genome at this rate). Metrics: success rate, p99, recovery time (per loss, until the first request sent after it
 * completes), lost work (attempts killed, bytes lost in flight) and cost per request.
 */
import type { ExperimentDef } from '../types.js';
import { NO_FAULTS } from '../../sim/models/faults.js';
import { benchmarkAxis, clusterOf, modeAxis } from '../lib/catalog.js';

export const NODE_LOSS_MTBF_S = 120;

const def: ExperimentDef = {
  name: 'node-loss',
  description: 'workers failing (MTBF 120 s, MTTR 10/30/60 s) per mode: success rate, p99, recovery time and lost work',
  source: "models/faults.ts node loss; flowsim's own protocol [ASSUMPTION] in experiments/defs/node-loss.ts",
  axes: [
    { name: 'mttr', describe: 'mean time to repair a worker, s (comma list; 0: no worker fails, the baseline)', values: [0, 10, 30, 60], quick: [0, 30], cli: { type: 'number', min: 0, max: 3600, unit: 's' } },
    modeAxis(),
    benchmarkAxis(['video', 'genome', 'wordcount', 'df-wordcount', 'df-video'], ['video', 'df-wordcount']),
  ],
  seeds: 3,
  metrics: [
    { name: 'successRate', label: 'success rate', unit: 'fraction' },
    { name: 'e2e.p99', label: 'e2e p99', unit: 's' },
    { name: 'run.faults.meanRecoveryS', label: 'recovery time', unit: 's' },
    { name: 'run.faults.nodeLosses', label: 'worker losses' },
    { name: 'run.faults.failedAttempts.node lost', label: 'attempts killed and retried' },
    { name: 'run.faults.bytesLost', label: 'bytes lost in flight', unit: 'B' },
    { name: 'cost.usdPerRequest', label: 'cost per request', unit: 'USD' },
    { name: 'failed', label: 'failed requests' },
    { name: 'e2e.count', label: 'measured requests' },
  ],
  scenario(p, ctx) {
    const b = String(p.benchmark);
    return {
      workflows: [b],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower',
      cluster: clusterOf(b),
      ...(b.startsWith('df-') ? {} : { bandwidthMBps: 50 }),
      rpm: 20,
      durationS: ctx.quick ? 300 : 600,
      warmupRequests: 2,
      ...(Number(p.mttr) > 0 ? { faults: { ...structuredClone(NO_FAULTS), nodeFailures: { nodes: ['*'], mtbfS: NODE_LOSS_MTBF_S, mttrS: Number(p.mttr) } } } : {}),
    };
  },
  plots: [
    { name: 'node-loss-success', title: 'Success rate with failing workers', mark: 'bar', x: 'benchmark', xOffset: 'mode', color: 'mode', y: 'successRate', column: 'mttr', yTitle: 'success rate (fraction of requests)' },
    { name: 'node-loss-recovery', title: 'Recovery time after a worker loss', mark: 'bar', x: 'benchmark', xOffset: 'mode', color: 'mode', y: 'run.faults.meanRecoveryS', column: 'mttr', yTitle: 'recovery time (s)' },
    { name: 'node-loss-p99', title: 'p99 latency with failing workers', mark: 'bar', x: 'benchmark', xOffset: 'mode', color: 'mode', y: 'e2e.p99', column: 'mttr', logY: true, yTitle: 'p99 latency (s)' },
  ],
  headline: [
    { title: 'success rate', metric: 'successRate', col: 'mode', rows: ['mttr', 'benchmark'] },
    { title: 'recovery time (s)', metric: 'run.faults.meanRecoveryS', col: 'mode', rows: ['mttr', 'benchmark'] },
    { title: 'attempts killed and retried', metric: 'run.faults.failedAttempts.node lost', col: 'mode', rows: ['mttr', 'benchmark'] },
  ],
};
export default def;
