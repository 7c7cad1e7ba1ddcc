/**
 * adaptive: the adaptive mode (modes/adaptive.ts) against the three fixed modes, across the 12
 * benchmarks and the storage bandwidths 25-100 MB/s: where its cost models pick the fastest mode,
 * and its regret (its e2e over the best fixed mode's, minus 1) where they do not.
 *
 * FaaSFlow's e2e protocol (reference 1.E): one closed-loop client for 120 s (quick: 40 s) on the
 * benchmark's own cluster, first 2 requests not measured, at least 3 sent. A workflow runs under
 * one mode per request, so adaptive can at best match the best fixed mode here.
 */
import type { ExperimentDef } from '../types.js';
import type { SummaryRow } from '../lib/rows.js';
import { ALL_BENCHMARKS, FAASFLOW_BANDWIDTHS, bandwidthAxis, benchmarkAxis, clusterOf, modeAxis } from '../lib/catalog.js';

const FIXED = ['hyperflow', 'faasflow', 'dataflower'];

/** Per benchmark and bandwidth: the best fixed mode, the one adaptive ran (matched by its result), the regret. */
export function regretTable(rows: readonly SummaryRow[]): string {
  const key = (r: SummaryRow) => `${r.benchmark}|${r.bandwidth}`;
  const cells = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const v = r['e2e.mean.mean'];
    if (typeof v !== 'number') continue;
    const m = cells.get(key(r)) ?? new Map<string, number>();
    m.set(String(r.mode), v);
    cells.set(key(r), m);
  }
  const lines = ['adaptive against the best fixed mode (e2e mean, s; regret = adaptive / best - 1)', `${'benchmark'.padEnd(20)}${'MB/s'.padStart(6)}  ${'best'.padEnd(11)}${'best e2e'.padStart(10)}  ${'adaptive ran'.padEnd(13)}${'its e2e'.padStart(9)}${'regret'.padStart(9)}`];
  const regrets: number[] = [];
  let matched = 0;
  for (const [k, m] of cells) {
    const a = m.get('adaptive');
    const fixed = FIXED.filter((f) => m.has(f));
    if (a === undefined || fixed.length === 0) continue;
    const best = fixed.reduce((x, y) => (m.get(y)! < m.get(x)! ? y : x));
    const ran = fixed.find((f) => Math.abs(m.get(f)! - a) <= 1e-9 * Math.max(1, a)) ?? '?';
    const regret = a / m.get(best)! - 1;
    regrets.push(regret);
    if (regret <= 1e-9) matched++;
    const [b, bw] = k.split('|');
    lines.push(`${b.padEnd(20)}${bw.padStart(6)}  ${best.padEnd(11)}${m.get(best)!.toFixed(3).padStart(10)}  ${ran.padEnd(13)}${a.toFixed(3).padStart(9)}${`${(100 * regret).toFixed(1)}%`.padStart(9)}`);
  }
  if (regrets.length === 0) return '';
  const sorted = [...regrets].sort((x, y) => x - y);
  const mean = regrets.reduce((x, y) => x + y, 0) / regrets.length;
  lines.push(`matched the best fixed mode in ${matched} of ${regrets.length} cells; regret mean ${(100 * mean).toFixed(1)}%, median ${(100 * sorted[Math.floor(sorted.length / 2)]).toFixed(1)}%, max ${(100 * sorted[sorted.length - 1]).toFixed(1)}%`);
  return lines.join('\n');
}

const def: ExperimentDef = {
  name: 'adaptive',
  description: 'the adaptive mode (per workflow, the mode its cost models pick) against the three fixed modes: e2e per benchmark and bandwidth, its choices and its regret',
  source: 'modes/adaptive.ts and modes/cost-models.ts; protocol: FaaSFlow AE e2e test (reference 1.E)',
  axes: [
    bandwidthAxis(FAASFLOW_BANDWIDTHS, [50]),
    modeAxis([...FIXED, 'adaptive']),
    benchmarkAxis(
      ALL_BENCHMARKS.filter((b) => b !== 'corun'),
      ['video', 'genome', 'wordcount', 'df-svd'],
    ),
  ],
  seeds: 1,
  metrics: [
    { name: 'e2e.mean', label: 'e2e mean', unit: 's' },
    { name: 'e2e.p99', label: 'e2e p99', unit: 's' },
    { name: 'e2e.count', label: 'measured requests' },
  ],
  scenario(p, ctx) {
    const b = String(p.benchmark);
    return {
      workflows: [b],
      mode: p.mode as 'hyperflow' | 'faasflow' | 'dataflower' | 'adaptive',
      cluster: clusterOf(b),
      bandwidthMBps: Number(p.bandwidth),
      clients: 1,
      durationS: ctx.quick ? 40 : 120,
      warmupRequests: 2,
      minRequests: 3,
    };
  },
  plots: [{ name: 'adaptive-e2e', title: 'e2e mean: adaptive against the fixed modes', mark: 'bar', x: 'benchmark', xOffset: 'mode', color: 'mode', y: 'e2e.mean', row: 'bandwidth', logY: true, yTitle: 'e2e mean (s)' }],
  headline: [{ title: 'e2e mean (s)', metric: 'e2e.mean', col: 'mode', rows: ['bandwidth', 'benchmark'] }],
  derived: (rows) => regretTable(rows),
};
export default def;
