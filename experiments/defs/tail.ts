/**
 * tail: p99 latency against request rate (FaaSFlow's tail-latency tests).
 * Protocol [reference 1.B "Request rates", 1.E]: open loop at a fixed interval 60/rpm; 2 prewarm
 * requests, then 120 s, so 2 x rpm requests are measured. Genome: 25 MB/s {2,4,6,8} rpm,
 * 50/75/100 MB/s {2..10}; video: 25 MB/s {4,8,16,24}, else {8..40}; and all 8 benchmarks at
 * 6 rpm, 50 MB/s. "P99" follows the AE: with fewer than 100 samples (always the case here) it is
 * the maximum, so the plotted metric is e2e.max; numpy-style e2e.p99 is kept alongside.
 */
import type { ExperimentDef, Point } from '../types.js';
import { FAASFLOW_BANDWIDTHS, FAASFLOW_BENCHMARKS, FAASFLOW_CLUSTER, RPM_CLI, bandwidthAxis, benchmarkAxis, modeAxis } from '../lib/catalog.js';

export function faasflowRpmGrid(benchmark: string, bandwidthMBps: number): number[] {
  if (benchmark === 'video') return bandwidthMBps <= 25 ? [4, 8, 16, 24] : [8, 16, 24, 32, 40];
  return bandwidthMBps <= 25 ? [2, 4, 6, 8] : [2, 4, 6, 8, 10];
}

const grid = (p: Point) => p.part === 'grid';

const def: ExperimentDef = {
  name: 'tail',
  description: "p99 vs rpm for genome and video at each bandwidth (FaaSFlow's rpm grids), and all benchmarks at 6 rpm, 50 MB/s",
  source: 'FaaSFlow AE all_tail_latency and config RPMs (reference 1.B, 1.E)',
  axes: [
    { name: 'part', describe: "'grid' (p99 vs rpm) or 'all6' (all benchmarks at 6 rpm)", values: ['grid', 'all6'], cli: { type: 'string', choices: ['grid', 'all6'] } },
    benchmarkAxis(
      (p) => (grid(p) ? ['genome', 'video'] : [...FAASFLOW_BENCHMARKS]),
      (p) => (grid(p) ? ['genome', 'video'] : ['genome', 'wordcount']),
      FAASFLOW_BENCHMARKS,
    ),
    bandwidthAxis([], []),
    modeAxis(),
    {
      name: 'rpm',
      describe: 'requests per minute (comma list)',
      values: (p) => (grid(p) ? faasflowRpmGrid(String(p.benchmark), Number(p.bandwidth)) : [6]),
      quick: (p) => (grid(p) ? faasflowRpmGrid(String(p.benchmark), Number(p.bandwidth)).filter((_, i) => i % 2 === 0).slice(0, 2) : [6]),
      cli: RPM_CLI,
    },
  ],
  metrics: [
    { name: 'e2e.max', label: 'p99 (AE: max of < 100 samples)', unit: 's' },
    { name: 'e2e.p99', label: 'e2e p99 (interpolated)', unit: 's' },
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'e2e.count', label: 'measured requests' },
    { name: 'timeouts', label: 'timeouts' },
  ],
  scenario(p, ctx) {
    const rpm = Number(p.rpm);
    const measuredS = ctx.quick ? 40 : 120;
    return {
      workflows: [String(p.benchmark)],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower',
      cluster: FAASFLOW_CLUSTER,
      bandwidthMBps: Number(p.bandwidth),
      rpm,
      // 2 prewarm requests, then `measuredS` of requests: 2 + rpm*measuredS/60 requests in all
      // (the k-th request is sent at exactly k x 60/rpm, so the window holds exactly that many).
      durationS: measuredS + (2 * 60) / rpm,
      warmupRequests: 2,
      warmupS: 0,
    };
  },
  plots: [
    {
      name: 'p99-vs-rpm',
      title: 'P99 latency vs request rate (AE p99 = max of < 100 samples)',
      mark: 'line',
      x: 'rpm',
      xType: 'quantitative',
      y: 'e2e.max',
      yTitle: 'p99 latency (s)',
      color: 'mode',
      column: 'bandwidth',
      row: 'workflow',
      where: { part: 'grid' },
    },
    {
      name: 'p99-all-6rpm',
      title: 'P99 latency of every benchmark at 6 rpm',
      mark: 'bar',
      x: 'workflow',
      xOffset: 'mode',
      color: 'mode',
      y: 'e2e.max',
      yTitle: 'p99 latency (s)',
      column: 'bandwidth',
      where: { part: 'all6' },
      logY: true,
    },
  ],
  headline: [
    { title: 'p99 (AE max) at 6 rpm (s)', metric: 'e2e.max', col: 'mode', rows: ['bandwidth', 'workflow'], where: { part: 'all6' } },
    { title: 'p99 (AE max) vs rpm (s)', metric: 'e2e.max', col: 'mode', rows: ['workflow', 'bandwidth', 'rpm'], where: { part: 'grid' } },
  ],
};

// The bandwidth axis depends on the part: the grid sweeps FaaSFlow's four caps, all6 is at 50 MB/s.
def.axes[2] = {
  ...def.axes[2],
  values: (p) => (grid(p) ? FAASFLOW_BANDWIDTHS : [50]),
  quick: (p) => (grid(p) ? [25, 50] : [50]),
};

export default def;
