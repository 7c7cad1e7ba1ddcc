/**
 * Helpers for flowsim's notebooks (notebooks/*.ipynb, TypeScript kernel tslab): find runs under
 * results/, read their CSV and manifests, and draw Vega-Lite charts with the same renderer as the
 * experiments' plots (experiments/lib/plot.ts). The kernel launcher (.jupyter/tslab-kernel.cjs)
 * loads this module as the global `flowsim`, since tslab's cells are CommonJS and the project is ESM.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { geometricMean, median as ssMedian } from 'simple-statistics';
import { renderSpec } from '../experiments/lib/plot.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The results folder: FLOWSIM_RESULTS, else the repository's results/. */
export function resultsDir(): string {
  return path.resolve(process.env.FLOWSIM_RESULTS ?? path.join(REPO, 'results'));
}

export class NotebookInputError extends Error {}

/** The newest finished run of an experiment (no INCOMPLETE marker), or the one FLOWSIM_RUN names. */
export function latestRun(experiment: string, root = resultsDir()): { id: string; dir: string; manifest: Record<string, unknown> } {
  const expDir = path.join(root, experiment);
  const wanted = process.env.FLOWSIM_RUN;
  const runs = fs.existsSync(expDir)
    ? fs
        .readdirSync(expDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.') && fs.existsSync(path.join(expDir, d.name, 'manifest.json')) && !fs.existsSync(path.join(expDir, d.name, 'INCOMPLETE')))
        .map((d) => d.name)
        .sort()
    : [];
  const id = wanted ?? runs[runs.length - 1];
  if (!id || !runs.includes(id))
    throw new NotebookInputError(
      `no finished run of '${experiment}'${wanted ? ` named '${wanted}'` : ''} in ${expDir}; run one first, e.g. npm run exp -- ${experiment} --quick (or set FLOWSIM_RESULTS to another results folder)`,
    );
  const dir = path.join(expDir, id);
  return { id, dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Record<string, unknown> };
}

/** The newest folder under results/<sub>/ holding `file` (calibration reports are named <profile>-<time>). */
export function latestFolderWith(sub: string, file: string, root = resultsDir()): string {
  const dir = path.join(root, sub);
  const found = fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, file)))
        .map((d) => path.join(dir, d.name))
        .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs || a.localeCompare(b))
    : [];
  if (found.length === 0) throw new NotebookInputError(`no ${file} under ${dir}; produce one first (see the notebook's first cell)`);
  return found[found.length - 1];
}

export type Row = Record<string, string | number | null>;

/** A CSV file as objects; numeric fields become numbers, empty fields null. */
export function readCsv(file: string): Row[] {
  const rows = parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(v) ? Number(v) : v])));
}

/** Geometric mean of the positive numbers (speedups), null when there are none. */
export function geomean(xs: number[]): number | null {
  const ok = xs.filter((x) => Number.isFinite(x) && x > 0);
  return ok.length ? geometricMean(ok) : null;
}

/** Median of the finite numbers, null when there are none. */
export function median(xs: number[]): number | null {
  const ok = xs.filter(Number.isFinite);
  return ok.length ? ssMedian(ok) : null;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** An HTML table; numbers shown with `digits` significant digits. */
export function htmlTable(rows: Row[], cols: string[], digits = 3): string {
  const cell = (v: Row[string]) => (v === null || v === undefined ? '-' : typeof v === 'number' ? Number(v.toPrecision(digits)).toString() : esc(String(v)));
  return `<table><thead><tr>${cols.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${cols.map((c) => `<td${typeof r[c] === 'number' ? ' style="text-align:right"' : ''}>${cell(r[c])}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** A Vega-Lite spec as SVG (the experiments' renderer and fonts). */
export async function svg(spec: Record<string, unknown>): Promise<string> {
  return (await renderSpec(spec)).svg;
}

/** A Vega-Lite spec as PNG (shown the same in Jupyter, exported HTML and on code hosts). */
export async function png(spec: Record<string, unknown>): Promise<Uint8Array> {
  return new Uint8Array((await renderSpec(spec)).png);
}
