/** The compact table of headline figures printed when an experiment ends. */
import type { HeadlineDef } from '../types.js';
import { matches, type SummaryRow } from './rows.js';

export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  if (a === 0) return '0';
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(2);
}

export function headlineTable(h: HeadlineDef, rows: SummaryRow[]): string {
  const sel = rows.filter((r) => matches(r, h.where) && r[`${h.metric}.mean`] !== undefined);
  if (sel.length === 0) return '';
  const cols: string[] = [];
  const cells = new Map<string, { parts: string[]; values: Map<string, { mean: number | null; ci: number | null }> }>();
  for (const r of sel) {
    const c = String(r[h.col]);
    if (!cols.includes(c)) cols.push(c);
    const parts = h.rows.map((f) => String(r[f]));
    const label = JSON.stringify(parts);
    if (!cells.has(label)) cells.set(label, { parts, values: new Map() });
    const mean = r[`${h.metric}.mean`] as number | null;
    const ci = (r[`${h.metric}.ci95`] ?? null) as number | null;
    const prev = cells.get(label)!.values.get(c);
    // maxOver: keep the largest mean over the reduced field (peak throughput over clients)
    if (!prev || (h.maxOver && mean !== null && (prev.mean === null || mean > prev.mean))) cells.get(label)!.values.set(c, { mean, ci });
  }
  // one column per row field (left-aligned) and per value column (right-aligned), so that every
  // row lines up in a terminal and in the HTML report's <pre>
  const header = [...h.rows, ...cols];
  const body = [...cells.values()].map(({ parts, values }) => [
    ...parts,
    ...cols.map((c) => {
      const v = values.get(c);
      if (!v || v.mean === null) return '-';
      if (v.ci === null) return fmt(v.mean);
      // floating-point residue between seeds that agree is shown as 0
      return `${fmt(v.mean)} ±${v.ci <= 1e-9 * Math.abs(v.mean) ? '0' : fmt(v.ci)}`;
    }),
  ]);
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((r) => r[i].length)));
  const nLabel = h.rows.length;
  const line = (r: string[]) => r.map((s, i) => (i < nLabel ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join('  ').trimEnd();
  const title = `${h.title}${h.maxOver ? ` (max over ${h.maxOver})` : ''}; mean ±95% CI across seeds`;
  return [title, line(header), ...body.map(line)].join('\n');
}
