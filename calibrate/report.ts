/**
 * The calibration report: markdown with plots of measured against fitted (vega-lite -> vega
 * View.toSVG() -> @resvg/resvg-js PNG, see toolchain.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';
import type { Fits } from './fit.js';
import type { HoldoutResult } from './holdout.js';
import type { Measurements, ProbePlan } from './probes.js';
import { atomicWrite } from '../lib/atomic-write.js';

const MBf = (bps: number) => (bps / 1e6).toFixed(2);
const ms = (s: number) => (s * 1000).toFixed(3);
const pct = (x: number) => (x * 100).toFixed(1) + '%';

async function renderPlot(spec: TopLevelSpec, file: string): Promise<void> {
  const vg = compile(spec).spec;
  const view = new vega.View(vega.parse(vg), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  fs.writeFileSync(`${file}.svg`, svg);
  const png = new Resvg(svg, { font: { sansSerifFamily: 'DejaVu Sans', loadSystemFonts: true }, fitTo: { mode: 'zoom', value: 1.5 } }).render().asPng();
  fs.writeFileSync(`${file}.png`, png);
}

function line(values: Array<Record<string, unknown>>, x: string, y: string, color: string, title: string, xTitle: string, yTitle: string, log = false, colorType: 'nominal' | 'ordinal' = 'nominal'): TopLevelSpec {
  const scale = log ? { type: 'log' as const } : {};
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 420,
    height: 260,
    data: { values },
    layer: [
      {
        transform: [{ filter: "datum.kind === 'measured'" }],
        mark: { type: 'point', filled: true, size: 40, opacity: 0.7 },
        encoding: { x: { field: x, type: 'quantitative', title: xTitle, scale }, y: { field: y, type: 'quantitative', title: yTitle, scale }, color: { field: color, type: colorType } },
      },
      {
        transform: [{ filter: "datum.kind === 'fitted'" }],
        mark: { type: 'line' },
        encoding: { x: { field: x, type: 'quantitative', scale }, y: { field: y, type: 'quantitative', scale }, color: { field: color, type: colorType } },
      },
    ],
  } as TopLevelSpec;
}

export interface ReportInput {
  name: string;
  dir: string;
  profilePath: string;
  plan: ProbePlan;
  quick: boolean;
  testbed: Record<string, unknown>;
  host: Record<string, unknown>;
  measuredAt: string;
  wallS: number;
  m: Measurements;
  fits: Fits;
  holdout: HoldoutResult;
  params: unknown;
}

export async function writeReport(r: ReportInput): Promise<string> {
  fs.mkdirSync(r.dir, { recursive: true });
  const f = r.fits;
  const plots: string[] = [];
  const tryPlot = async (spec: TopLevelSpec, base: string, caption: string) => {
    try {
      await renderPlot(spec, path.join(r.dir, base));
      plots.push(`![${caption}](${base}.svg)`);
    } catch (e) {
      plots.push(`(plot ${base} failed: ${(e as Error).message})`);
    }
  };

  // 1. transfers: measured points and the global affine fit per cap
  const tv: Array<Record<string, unknown>> = [];
  for (const g of r.m.transfers) for (const fl of g.flows) tv.push({ kind: 'measured', 'cap (MB/s)': g.capBps / 1e6, MB: fl.bytes / 2 ** 20, s: fl.seconds });
  for (const c of f.perCap) {
    const maxB = Math.max(...r.plan.transferSizes);
    for (const b of [0, maxB / 4, maxB / 2, maxB]) tv.push({ kind: 'fitted', 'cap (MB/s)': c.capBps / 1e6, MB: b / 2 ** 20, s: f.transfer.interceptS + (b / c.capBps) * f.transfer.slope });
  }
  await tryPlot(line(tv, 'MB', 's', 'cap (MB/s)', 'Transfer time vs size (points: measured, lines: fit)', 'size (MiB)', 'seconds', false, 'ordinal'), 'transfer', 'transfer');

  // 2. stores: log-log
  const sv: Array<Record<string, unknown>> = [];
  for (const s of r.m.store) sv.push({ kind: 'measured', op: `${s.store} ${s.action}`, KB: s.bytes / 1024, s: s.seconds });
  const sizes = [...new Set(r.m.store.map((s) => s.bytes))].sort((a, b) => a - b);
  for (const [label, fit] of [
    ['remote set', f.remote.set],
    ['remote get', f.remote.get],
    ['local set', f.local.set],
    ['local get', f.local.get],
  ] as const) {
    for (const b of sizes) sv.push({ kind: 'fitted', op: label, KB: b / 1024, s: Math.max(1e-6, fit.interceptS + fit.slope * b) });
  }
  await tryPlot(line(sv, 'KB', 's', 'op', 'Store SET/GET time vs object size (log-log)', 'object size (KiB)', 'seconds', true), 'store', 'store');

  // 3. cold start Q-Q
  const qv: Array<Record<string, unknown>> = [];
  for (const q of f.coldStart.qq) {
    qv.push({ kind: 'measured', series: 'cold start', z: q.x, s: q.y });
    qv.push({ kind: 'fitted', series: 'cold start', z: q.x, s: q.fitted });
  }
  await tryPlot(line(qv, 'z', 's', 'series', 'Cold start: measured quantiles vs fitted lognormal', 'standard normal quantile', 'seconds'), 'coldstart', 'cold start');

  // 4. held-out: predicted vs measured
  const hv: Array<Record<string, unknown>> = r.holdout.rows.map((x) => ({ kind: 'measured', case: x.case.replace(/ \(.*\)$/, ''), measured: x.measuredS, predicted: x.predictedS }));
  const maxS = Math.max(...r.holdout.rows.map((x) => Math.max(x.measuredS, x.predictedS)));
  hv.push({ kind: 'fitted', case: 'y = x', measured: 0, predicted: 0 }, { kind: 'fitted', case: 'y = x', measured: maxS, predicted: maxS });
  await tryPlot(line(hv, 'measured', 'predicted', 'case', 'Held-out: flowsim prediction vs fresh measurement', 'measured (s)', 'predicted by flowsim (s)'), 'holdout', 'held-out');

  const L: string[] = [];
  L.push(`# Calibration report: ${r.name}`, '');
  L.push(`Measured ${r.measuredAt} on \`${String(r.host.hostname)}\` (${String(r.host.kernel)}, ${String(r.host.cpus)} CPUs), testbed \`${String(r.testbed.kind)}\` with ${String(r.testbed.workers)} workers; ${r.quick ? '--quick plan' : 'full plan'}; wall time ${r.wallS.toFixed(1)} s.`);
  L.push(`Profile: \`${path.relative(process.cwd(), r.profilePath)}\`. Delay: ${String(r.testbed.delay)}.`, '');
  L.push('## Fitted parameters', '', '```yaml', JSON.stringify(r.params, null, 2), '```', '');
  L.push('## Bandwidth at each cap', '', 'Rates in MB/s = 1e6 bytes/s. The caps are wondershaper\'s n MB/s = n x 1.024e6 bytes/s (the conversion `npm run sim -- --bandwidth n` uses).', '');
  L.push('| cap (MB/s) | bulk: largest size / time (MB/s) | bulk / cap | asymptotic rate, per-cap OLS slope (MB/s) | slope / cap | per-cap R² | fixed cost (ms) |');
  L.push('|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of f.perCap) L.push(`| ${MBf(c.capBps)} | ${MBf(c.bulkBps)} | ${(c.bulkBps / c.capBps).toFixed(4)} | ${MBf(c.achievedBps)} | ${c.factor.toFixed(4)} | ${c.fit.r2.toFixed(5)} | ${ms(c.fit.interceptS)} |`);
  L.push('');
  L.push(`Global fit \`${f.transfer.model}\`: f = bandwidthFactor = **${f.bandwidthFactor.toFixed(4)}**, a = ${ms(f.transfer.interceptS)} ms, R² = ${f.transfer.r2.toFixed(5)}, n = ${f.transfer.n}, residual RMSE ${ms(f.transfer.residuals.rmseS)} ms, max |residual| ${ms(f.transfer.residuals.maxAbsS)} ms, median relative ${pct(f.transfer.residuals.medianRelative)}.`);
  L.push(`RTT (w0 <-> st, idle): median ${ms(f.rttS.median)} ms, p95 ${ms(f.rttS.p95)} ms (n = ${f.rttS.n}); link latency = RTT/4 = ${ms(f.linkLatencyS)} ms; latencyFactor = a / (RTT/2) = ${f.latencyFactor.toFixed(2)}.`, '');
  L.push('## Concurrent flows through one cap (fairness)', '');
  L.push('| cap (MB/s) | flows | shares | Jain index | aggregate (MB/s) | aggregate / cap |');
  L.push('|---:|---:|---|---:|---:|---:|');
  for (const x of f.fairness) L.push(`| ${MBf(x.capBps)} | ${x.flows} | ${x.shares.map((s) => s.toFixed(3)).join(', ')} | ${x.jain.toFixed(4)} | ${MBf(x.aggregateBps)} | ${x.aggregateFactor.toFixed(4)} |`);
  L.push('');
  L.push('## Stores', '');
  L.push('| fit | fixed cost (ms) | throughput (MB/s) | R² | n | RMSE (ms) | median rel. residual |');
  L.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const [label, fit] of [
    ['remote SET', f.remote.set],
    ['remote GET', f.remote.get],
    ['local SET', f.local.set],
    ['local GET', f.local.get],
  ] as const) {
    L.push(`| ${label} | ${ms(fit.interceptS)} | ${MBf(1 / fit.slope)} | ${fit.r2.toFixed(5)} | ${fit.n} | ${ms(fit.residuals.rmseS)} | ${pct(fit.residuals.medianRelative)} |`);
  }
  L.push('');
  L.push(`Remote store at ${MBf(f.remote.capBps)} MB/s, network part removed: remoteOpLatencyS = ${ms(f.remote.opLatencyS)} ms, remoteWriteThroughputBps = ${MBf(f.remote.writeBps)} MB/s, remoteReadThroughputBps = ${MBf(f.remote.readBps)} MB/s (${f.remote.throughputNote}).`);
  L.push(`Local store: localOpLatencyS = ${ms(f.local.opLatencyS)} ms, localThroughputBps = ${MBf(f.local.throughputBps)} MB/s.`, '');
  L.push('## Function runtime', '');
  const c = f.coldStart;
  L.push(`Cold start (fork of a node function process until it has connected to both stores and reports ready), n = ${c.n}: median ${ms(c.median)} ms, p95 ${ms(c.p95)} ms; lognormal fit mean ${ms(c.mean)} ms, sd ${ms(c.sd)} ms (mu ${c.mu.toFixed(3)}, sigma ${c.sigma.toFixed(3)}), Q-Q R² ${c.r2.toFixed(4)}, RMSE ${ms(c.residuals.rmseS)} ms.`);
  L.push(`Warm invocation of an empty function from the gateway (TCP request to the worker runtime, IPC to a warm process, reply), n = ${f.warm.n}: median round trip ${ms(f.warm.medianRoundTripS)} ms, of which ${ms(f.warm.medianRuntimeS)} ms inside the runtime; engineOverheadS = round trip - RTT = ${ms(f.warm.engineOverheadS)} ms.`);
  L.push(`CPU work: ${f.cpu.map((x) => `requested ${ms(x.requestedS)} ms -> ${ms(x.measuredS)} ms`).join('; ')}.`, '');
  L.push('## Held-out check (sizes and concurrency levels not used in the fit)', '');
  L.push('flowsim predicts each case with `Simulator` + `Network` (uplink and downlink per node at the cap, latency RTT/4, the profile\'s network params) and the fitted store cost. Error = |sim - real| / real.', '');
  L.push('| case | cap (MB/s) | flow | size (MiB) | measured (s) | flowsim (s) | error |');
  L.push('|---|---:|---|---:|---:|---:|---:|');
  for (const x of r.holdout.rows) L.push(`| ${x.case} | ${MBf(x.capBps)} | ${x.flow} | ${(x.bytes / 2 ** 20).toFixed(2)} | ${x.measuredS.toFixed(4)} | ${x.predictedS.toFixed(4)} | ${pct(x.error)} |`);
  L.push('');
  L.push(`**Median error ${pct(r.holdout.medianError)}** (max ${pct(r.holdout.maxError)}, n = ${r.holdout.rows.length}; target: median within 5%).`, '');
  L.push('## Plots (points: measured; lines: fitted)', '', ...plots.map((p) => p + '\n'));
  L.push('## Limits', '');
  L.push('Single host: every namespace shares this machine\'s CPUs and the kernel\'s veth (loopback-speed) path, so RTT is tens of microseconds and CPU contention from other processes shows up as noise; no netem, so no added delay or loss. See docs/calibration.md.');
  const file = path.join(r.dir, 'report.md');
  atomicWrite(file, L.join('\n') + '\n');
  fs.writeFileSync(path.join(r.dir, 'measurements.json'), JSON.stringify({ plan: r.plan, measurements: r.m, holdout: r.holdout }, null, 1));
  return file;
}
