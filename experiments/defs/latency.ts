/**
 * latency: end-to-end latency (mean and tail) per benchmark x mode, solo and co-run.
 * Protocol [reference 1.E, FaaSFlow test/asplos e2e]: closed loop, one client per workflow, 120 s
 * (at least 3 requests: minRequests 3), first 2 requests discarded. Co-run: FaaSFlow's 8 workflows started 5 s
 * apart on the same cluster, one client each. Bandwidth = wondershaper cap on the storage node.
 * DataFlower's 4 benchmarks run with the same closed-loop protocol on their own 3-worker cluster
 * (so every benchmark is measured the same way) [ASSUMPTION].
 */
import type { ExperimentDef } from '../types.js';
import {
  ALL_BENCHMARKS,
  FAASFLOW_BANDWIDTHS,
  FAASFLOW_BENCHMARKS,
  FAASFLOW_CLUSTER,
  bandwidthAxis,
  benchmarkAxis,
  clusterOf,
  modeAxis,
} from '../lib/catalog.js';

export const CORUN = 'corun';

const def: ExperimentDef = {
  name: 'latency',
  description: 'e2e mean and p99 per benchmark x mode at each bandwidth, solo (1 closed-loop client) and co-run (8 workflows, 5 s apart)',
  source: 'FaaSFlow AE e2e test (reference 1.B, 1.E)',
  axes: [
    bandwidthAxis(FAASFLOW_BANDWIDTHS, [50]),
    modeAxis(),
    benchmarkAxis(
      [...ALL_BENCHMARKS, CORUN],
      ['genome', 'wordcount', 'df-wordcount', CORUN],
      [...ALL_BENCHMARKS, CORUN],
    ),
  ],
  metrics: [
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'e2e.p50', label: 'e2e p50', unit: 's' },
    { name: 'e2e.p99', label: 'e2e p99', unit: 's' },
    { name: 'e2e.max', label: 'e2e max', unit: 's' },
    { name: 'e2e.count', label: 'measured requests' },
    { name: 'timeouts', label: 'timeouts' },
  ],
  scenario(p, ctx) {
    const corun = p.benchmark === CORUN;
    const b = String(p.benchmark);
    return {
      workflows: corun ? [...FAASFLOW_BENCHMARKS] : [b],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower',
      cluster: corun ? FAASFLOW_CLUSTER : clusterOf(b),
      bandwidthMBps: Number(p.bandwidth),
      clients: 1,
      durationS: ctx.quick ? 40 : 120,
      warmupRequests: 2,
      minRequests: 3,
      warmupS: 0,
      ...(corun ? { corunStaggerS: 5 } : {}),
    };
  },
  plots: [
    {
      name: 'e2e-solo',
      title: 'E2E latency, solo (mean, 95% CI over seeds)',
      mark: 'bar',
      x: 'workflow',
      xOffset: 'mode',
      color: 'mode',
      y: 'e2e.mean',
      yTitle: 'e2e latency (s)',
      column: 'bandwidth',
      where: { benchmark: [...ALL_BENCHMARKS] },
      logY: true,
    },
    {
      name: 'e2e-corun',
      title: 'E2E latency, co-run of 8 workflows (mean, 95% CI)',
      mark: 'bar',
      x: 'workflow',
      xOffset: 'mode',
      color: 'mode',
      y: 'e2e.mean',
      yTitle: 'e2e latency (s)',
      column: 'bandwidth',
      where: { benchmark: CORUN },
      logY: true,
    },
    {
      name: 'p99-solo',
      title: 'E2E p99, solo',
      mark: 'bar',
      x: 'workflow',
      xOffset: 'mode',
      color: 'mode',
      y: 'e2e.p99',
      yTitle: 'p99 latency (s)',
      column: 'bandwidth',
      where: { benchmark: [...ALL_BENCHMARKS] },
      logY: true,
    },
  ],
  headline: [
    { title: 'solo e2e mean (s)', metric: 'e2e.mean', col: 'mode', rows: ['bandwidth', 'workflow'], where: { benchmark: [...ALL_BENCHMARKS] } },
    { title: 'solo e2e p99 (s)', metric: 'e2e.p99', col: 'mode', rows: ['bandwidth', 'workflow'], where: { benchmark: [...ALL_BENCHMARKS] } },
    { title: 'co-run e2e mean (s)', metric: 'e2e.mean', col: 'mode', rows: ['bandwidth', 'workflow'], where: { benchmark: CORUN } },
  ],
};
export default def;
