/**
 * `npm run calibrate -- --from <measurements.yaml>`: fit the free parameters a measurements file
 * names, write the profile (configs/calibration/<name>.yaml) with every fitted value's source,
 * and a report (results/calibration/<name>-<time>/): per-cell residuals, training and held-out
 * cells apart, mode orderings, leave-one-benchmark-out errors, a parity plot on log axes.
 */
import fs from 'node:fs';
import path from 'node:path';
import { renderSpec } from '../experiments/lib/plot.js';
import { atomicWrite } from '../lib/atomic-write.js';
import { mergeParams, DEFAULT_PARAMS, type DeepPartial, type Params } from '../sim/params.js';
import { describeFree, scaledWorkflows, TIMEOUT_CALLS, type CellResult, type FreeValues } from './cells.js';
import { evaluate, fitMeasurements, leaveOneBenchmarkOut, startValue, type Evaluation, type LooRow } from './fit-measurements.js';
import { paramAt, setParam, type MeasurementSet } from './measurements.js';
import { writeProfile, readProfile, type Profile } from './profile.js';

export interface FromOptions {
  set: MeasurementSet;
  holdout?: MeasurementSet;
  /** Evaluate this profile instead of fitting. */
  evaluateProfile?: string;
  /** Start the fit from this profile's values (default: the parameters' defaults). */
  startProfile?: string;
  /** Worker threads for the fit (default: the machine's cores). */
  jobs?: number;
  loo: boolean;
  name: string;
  profileDir: string;
  outDir: string;
  maxIterations: number;
  log: (s: string) => void;
}

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : String(x));
const num = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(1) : Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3));
const meas = (m: CellResult['measured']) => (m === 'timeout' ? 'timeout' : Array.isArray(m) ? `${num(m[0])}-${num(m[1])}` : num(m));

function round(x: number): number {
  return Number(x.toPrecision(6));
}

export function cellTable(rows: CellResult[]): string {
  const out = ['| cell | measured | flowsim | error |', '|---|---:|---:|---:|'];
  for (const r of rows) {
    const err = r.measured === 'timeout' ? (r.ok ? `timeout (${r.timeouts} timed out)` : `MISSED (${r.timeouts} timed out)`) : pct(r.error);
    out.push(`| ${r.id} | ${meas(r.measured)} | ${r.timeouts >= TIMEOUT_CALLS && r.metric.startsWith('e2e') ? `${num(r.simulated)} (${r.timeouts} t/o)` : num(r.simulated)} | ${err} |`);
  }
  return out.join('\n');
}

function summaryLines(label: string, ev: Evaluation): string[] {
  const s = ev.summary;
  const numeric = s.cells - s.timeoutCells;
  return [
    `${label}: ${s.cells} cells; median |error| ${pct(s.medianAbsError)}, max ${pct(s.maxAbsError)}, ${s.within25}/${numeric} within 25%` +
      (s.timeoutCells ? `, timeouts ${s.timeoutsHeld}/${s.timeoutCells}` : '') +
      (s.orderings ? `, mode orderings ${s.orderingsHeld}/${s.orderings}` : ''),
  ];
}

/** Targets of the fidelity issue: median <= 10%, every cell <= 25%, every ordering and timeout holds. */
export function targetsMet(ev: Evaluation): boolean {
  const s = ev.summary;
  return s.medianAbsError <= 0.1 && s.maxAbsError <= 0.25 && s.orderingsHeld === s.orderings && s.timeoutsHeld === s.timeoutCells;
}

export async function parityPlot(train: CellResult[], held: CellResult[], file: string): Promise<void> {
  const pt = (r: CellResult, set: string) => {
    const m = r.measured === 'timeout' ? 60 : Array.isArray(r.measured) ? (r.measured[0] + r.measured[1]) / 2 : r.measured;
    return { cell: r.id, set, metric: r.metric, measured: Math.max(m, 1e-4), flowsim: Math.max(r.simulated, 1e-4) };
  };
  const values = [...train.map((r) => pt(r, 'training')), ...held.map((r) => pt(r, 'held out'))];
  const all = values.flatMap((v) => [v.measured, v.flowsim]);
  const lo = Math.min(...all) / 1.5;
  const hi = Math.max(...all) * 1.5;
  const scale = { type: 'log', domain: [lo, hi] };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'flowsim against measured, per cell (log axes; dashed: 25% band)',
    width: 420,
    height: 420,
    layer: [
      { data: { values: [{ x: lo, y: lo }, { x: hi, y: hi }] }, mark: { type: 'line', color: '#888' }, encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale } } },
      { data: { values: [{ x: lo, y: lo * 1.25 }, { x: hi, y: hi * 1.25 }] }, mark: { type: 'line', color: '#bbb', strokeDash: [4, 4] }, encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale } } },
      { data: { values: [{ x: lo, y: lo * 0.75 }, { x: hi, y: hi * 0.75 }] }, mark: { type: 'line', color: '#bbb', strokeDash: [4, 4] }, encoding: { x: { field: 'x', type: 'quantitative', scale }, y: { field: 'y', type: 'quantitative', scale } } },
      {
        data: { values },
        mark: { type: 'point', filled: true, size: 60, opacity: 0.8 },
        encoding: {
          x: { field: 'measured', type: 'quantitative', scale, title: 'measured (s, or req/s)' },
          y: { field: 'flowsim', type: 'quantitative', scale, title: 'flowsim' },
          color: { field: 'set', type: 'nominal', title: null },
          shape: { field: 'metric', type: 'nominal' },
          tooltip: [{ field: 'cell' }, { field: 'measured' }, { field: 'flowsim' }],
        },
      },
    ],
  };
  const { svg, png } = await renderSpec(spec);
  atomicWrite(`${file}.vl.json`, JSON.stringify(spec, null, 2));
  atomicWrite(`${file}.svg`, svg);
  atomicWrite(`${file}.png`, png);
}

/** The provenance tag of a value fitted on this file's cells (all of them are fitted together). */
function tagFor(set: MeasurementSet): string {
  return `[CALIBRATED: ${path.basename(set.file)} (${set.cells.length} cells: ${set.source.replace(/\s+/g, ' ')})]`;
}

export async function runFromMeasurements(o: FromOptions): Promise<{ ok: boolean; profilePath?: string; reportPath: string }> {
  const { set, log } = o;
  const t0 = Date.now();
  let values: FreeValues;
  let fitInfo: Record<string, unknown> = {};
  let baseParams: DeepPartial<Params> | undefined;
  if (o.evaluateProfile) {
    // evaluate a profile as it is: its params replace the file's free values
    baseParams = readProfile(o.evaluateProfile).params;
    values = set.free.map((f) => (f.kind === 'param' ? (paramAt(f.path, mergeParams(DEFAULT_PARAMS, baseParams)) ?? startValue(f)) : 1));
    log(`evaluating profile '${o.evaluateProfile}' on ${set.cells.length} cells`);
  } else if (set.free.length === 0) {
    values = [];
    log('no free parameters: evaluating the file as it is');
  } else {
    log(`fitting ${set.free.length} free values to ${set.cells.length} cells of ${set.file} (Levenberg-Marquardt, at most ${o.maxIterations} iterations)`);
    const startParams = o.startProfile ? readProfile(o.startProfile).params : undefined;
    if (o.startProfile) log(`starting from profile '${o.startProfile}'`);
    const fit = fitMeasurements(set, { log, maxIterations: o.maxIterations, startParams, jobs: o.jobs });
    values = fit.values;
    fitInfo = { optimizer: 'ml-levenberg-marquardt (log residuals, bounds mapped to [0, 1])', startedFrom: o.startProfile ?? 'defaults', evaluations: fit.evaluations, iterations: fit.iterations, objective: round(fit.objective), wallS: round(fit.wallS) };
    log(`fit: ${fit.evaluations} simulations of the cell set, ${fit.wallS.toFixed(1)} s`);
    for (const [k, f] of set.free.entries()) log(`  ${describeFree(f, values[k])}`);
  }
  const ev = evaluate(set, values, {}, baseParams);
  for (const l of summaryLines('training', ev)) log(l);
  let held: Evaluation | undefined;
  if (o.holdout) {
    // the fitted values (parameters and inferred sizes) under the held-out file's own fixed params
    const h = { ...o.holdout, free: set.free, params: mergeParams(mergeParams(DEFAULT_PARAMS, baseParams), set.params, o.holdout.params) as DeepPartial<Params> };
    held = evaluate(h, values, {}, baseParams);
    for (const l of summaryLines('held out', held)) log(l);
  }
  let loo: LooRow[] = [];
  if (o.loo && set.free.length > 0 && !o.evaluateProfile) {
    const startParams = o.startProfile ? readProfile(o.startProfile).params : undefined;
    loo = leaveOneBenchmarkOut(set, { log, maxIterations: o.maxIterations, startParams, jobs: o.jobs });
    for (const r of loo) log(`  without ${r.benchmark}: its ${r.cells} cells median |error| ${pct(r.medianAbsError)}, max ${pct(r.maxAbsError)}`);
  }
  const ok = targetsMet(ev);

  // the profile: every fitted value with its source; the file's fixed params as they are
  let profilePath: string | undefined;
  if (!o.evaluateProfile) {
    const params = structuredClone(set.params) as Record<string, unknown>;
    const sources: Record<string, string> = {};
    const tag = tagFor(set);
    set.free.forEach((f, k) => {
      if (f.kind !== 'param') return;
      setParam(params, f.path, round(values[k]));
      sources[f.path] = `${tag}${f.source ? ` ${f.source}` : ''}; bounds [${f.min}, ${f.max}]`;
    });
    const inferred: Record<string, unknown> = {};
    const scaled = scaledWorkflows(set, values);
    set.free.forEach((f, k) => {
      if (f.kind !== 'workflow') return;
      const spec = scaled.get(f.workflow)!;
      inferred[`${f.workflow}/${f.name}`] = {
        scale: round(values[k]),
        edges: Object.fromEntries(f.edges.map((e) => [`${e.from}->${e.to}`, spec.edges.find((x) => x.from === e.from && x.to === e.to)!.bytes])),
        source: `${tag}${f.source ? ` ${f.source}` : ''}`,
      };
    });
    const profile: Profile = {
      name: o.name,
      measuredAt: new Date().toISOString(),
      testbed: { kind: 'measurements', file: set.file, cluster: set.cluster, description: set.description ?? '', source: set.source },
      host: {},
      params: params as DeepPartial<Params>,
      fits: {
        ...fitInfo,
        sources,
        inferredSizes: inferred,
        training: { cells: ev.summary.cells, medianAbsError: round(ev.summary.medianAbsError), maxAbsError: round(ev.summary.maxAbsError), orderings: `${ev.summary.orderingsHeld}/${ev.summary.orderings}`, targetsMet: ok },
        ...(held ? { heldOut: { cells: held.summary.cells, medianAbsError: round(held.summary.medianAbsError), maxAbsError: round(held.summary.maxAbsError) } } : {}),
        ...(loo.length ? { leaveOneBenchmarkOut: Object.fromEntries(loo.map((r) => [r.benchmark, { cells: r.cells, medianAbsError: round(r.medianAbsError), maxAbsError: round(r.maxAbsError) }])) } : {}),
      },
    };
    profilePath = writeProfile(profile, o.profileDir);
  }

  // the report
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.join(o.outDir, `${o.evaluateProfile ? `eval-${path.basename(o.evaluateProfile, '.yaml')}` : o.name}-${stamp}`);
  fs.mkdirSync(dir, { recursive: true });
  await parityPlot(ev.results, held?.results ?? [], path.join(dir, 'parity'));
  const csvRows = [['set', 'cell', 'benchmark', 'mode', 'metric', 'function', 'measured', 'flowsim', 'error', 'ok', 'source']];
  const addCsv = (label: string, rows: CellResult[]) => {
    for (const r of rows) csvRows.push([label, r.id, r.benchmark, r.mode, r.metric, r.function ?? '', meas(r.measured), String(r.simulated), Number.isFinite(r.error) ? String(r.error) : '', String(r.ok), r.source]);
  };
  addCsv('training', ev.results);
  if (held) addCsv('held-out', held.results);
  for (const r of loo) addCsv(`loo-without-${r.benchmark}`, r.results);
  atomicWrite(path.join(dir, 'cells.csv'), csvRows.map((r) => r.map((x) => (/[",\n]/.test(x) ? `"${x.replace(/"/g, '""')}"` : x)).join(',')).join('\n') + '\n');
  const md: string[] = [
    `# Calibration from measurements: ${o.evaluateProfile ?? o.name}`,
    '',
    `- measurements: \`${set.file}\` (${set.source})`,
    `- cluster: ${set.cluster}`,
    profilePath ? `- profile: \`${path.relative(process.cwd(), profilePath)}\`` : `- profile evaluated: ${o.evaluateProfile}`,
    `- wall time: ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    `- targets (median |error| <= 10%, every cell <= 25%, mode orderings and timeouts hold): **${ok ? 'met' : 'MISSED'}**`,
    '',
    ...summaryLines('Training', ev),
    ...(held ? ['', ...summaryLines('Held out', held)] : []),
    '',
    '## Free values',
    '',
    ...(set.free.length ? set.free.map((f, k) => `- ${describeFree(f, round(values[k]))}  (bounds ${f.min} .. ${f.max})`) : ['(none)']),
    '',
    '## Training cells',
    '',
    cellTable(ev.results),
    '',
    '## Mode orderings (the mode that measured faster must be faster in flowsim)',
    '',
    ...(ev.orderings.length ? ev.orderings.map((x) => `- ${x.holds ? 'holds' : 'FAILS'}: ${x.what}: ${x.faster} (${meas(x.measured[0])} measured, ${num(x.simulated[0])} flowsim) < ${x.slower} (${meas(x.measured[1])}, ${num(x.simulated[1])})`) : ['(no pair of cells differs only in the mode)']),
    ...(held ? ['', '## Held-out cells', '', cellTable(held.results)] : []),
    ...(loo.length
      ? ['', '## Leave one benchmark out', '', '| left out | cells | median abs error | max abs error |', '|---|---:|---:|---:|', ...loo.map((r) => `| ${r.benchmark} | ${r.cells} | ${pct(r.medianAbsError)} | ${pct(r.maxAbsError)} |`)]
      : []),
    '',
    '![parity](parity.png)',
    '',
  ];
  const reportPath = path.join(dir, 'report.md');
  atomicWrite(reportPath, md.join('\n'));
  log(`targets (median <= 10%, max <= 25%, orderings): ${ok ? 'met' : 'MISSED'}`);
  if (profilePath) log(`profile: ${path.relative(process.cwd(), profilePath)}`);
  log(`report:  ${path.relative(process.cwd(), reportPath)}`);
  return { ok, profilePath, reportPath };
}
