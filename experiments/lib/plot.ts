/**
 * Plots shaped like the papers' figures, as Vega-Lite specs rendered to SVG (vega, headless) and
 * PNG (@resvg/resvg-js with DejaVu Sans; see shared/reference/toolchain.md).
 * Data points are the across-seed means; the 95% CI is drawn as a rule (error bar).
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { PlotDef } from '../types.js';

/** Vega-Lite reads dots in field names as nested access: plotted fields use `_` instead. */
export function fieldName(name: string): string {
  return name.replace(/[.\s]/g, '_');
}

import { matches, type SummaryRow } from './rows.js';

export type { SummaryRow };

/** Panels per row when one field facets a plot. */
const FACET_COLUMNS = 2;

/**
 * Builds the Vega-Lite spec. `rows` are summary rows carrying `<metric>.mean` and `<metric>.ci95`.
 */
export function buildSpec(def: PlotDef, rows: SummaryRow[]): Record<string, unknown> {
  const y = fieldName(def.y);
  const selected = rows.filter((r) => matches(r, def.where));
  const values = selected
    .filter((r) => typeof r[`${def.y}.mean`] === 'number' && (!def.xMetric || typeof r[`${def.xMetric}.mean`] === 'number'))
    .map((r) => {
      const mean = r[`${def.y}.mean`] as number;
      const ci = typeof r[`${def.y}.ci95`] === 'number' ? (r[`${def.y}.ci95`] as number) : 0;
      const o: Record<string, unknown> = {};
      for (const f of [def.x, def.color, def.xOffset, def.column, def.row, def.shape]) if (f) o[fieldName(f)] = r[f];
      if (def.xMetric) o[fieldName(def.xMetric)] = r[`${def.xMetric}.mean`];
      let lo = mean - ci;
      if (def.logY && lo <= 0) lo = mean / 10;
      Object.assign(o, { [y]: mean, [`${y}_lo`]: lo, [`${y}_hi`]: mean + ci });
      return o;
    });
  const enc = (f: string | undefined, type: 'nominal' | 'ordinal' | 'quantitative', title?: string) =>
    f ? { field: fieldName(f), type, title: title ?? f } : undefined;
  const xType = def.xType ?? (def.mark === 'bar' ? 'nominal' : 'quantitative');
  const yScale = def.logY ? { type: 'log' } : { zero: def.mark === 'bar' };
  // nominal fields keep the sweep's order (benchmarks, then modes as declared), not alphabetical
  const order = (f: string) => [...new Set(selected.map((v) => v[f]))];
  const x = { ...enc(def.x, xType, def.xTitle)!, ...(xType === 'quantitative' ? {} : { sort: null }), ...(def.mark === 'bar' ? { axis: { labelAngle: -40 } } : {}) };
  const common: Record<string, unknown> = def.xMetric
    ? { x: { field: fieldName(def.xMetric), type: 'quantitative', title: def.xTitle ?? def.xMetric, scale: def.logX ? { type: 'log' } : { zero: false } } }
    : { x };
  // the shape goes on the marks only (the CI rules would draw it at both ends)
  const shape = def.shape ? { shape: { ...enc(def.shape, 'nominal'), scale: { domain: order(def.shape) } } } : {};
  if (def.color) common.color = { ...enc(def.color, 'nominal'), scale: { domain: order(def.color) } };
  if (def.xOffset) common.xOffset = { ...enc(def.xOffset, 'nominal'), scale: { domain: order(def.xOffset) } };
  const layer = [
    {
      mark: def.mark === 'bar' ? { type: 'bar' } : def.mark === 'point' ? { type: 'point', filled: true, size: 60 } : { type: 'line', point: true },
      encoding: { ...common, ...shape, y: { field: y, type: 'quantitative', title: def.yTitle ?? def.y, scale: yScale, ...(def.mark === 'bar' ? { stack: null } : {}) } },
    },
    {
      mark: { type: 'rule', color: 'black', ...(def.mark === 'bar' ? {} : { opacity: 0.6 }) },
      encoding: {
        ...common,
        ...(def.mark === 'bar' ? { color: { value: 'black' } } : {}),
        y: { field: `${y}_lo`, type: 'quantitative', scale: yScale },
        y2: { field: `${y}_hi` },
      },
    },
  ];
  // One facet field alone wraps into rows of at most FACET_COLUMNS panels (4 bandwidths make 2 x 2,
  // not one strip many thousand pixels wide); column + row keep the grid they ask for.
  const facetDef = (f: string) => ({ field: fieldName(f), type: 'ordinal', title: f, sort: order(f) });
  const wrap = def.column !== undefined && def.row === undefined;
  const facet: Record<string, unknown> = wrap ? facetDef(def.column!) : {};
  if (!wrap && def.column) facet.column = facetDef(def.column);
  if (def.row) facet.row = facetDef(def.row);
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: def.title,
    data: { values },
    config: { font: 'DejaVu Sans', background: 'white' },
  };
  // bars: a fixed step per bar (per mode within a group when there is an xOffset)
  const inner = { width: def.mark === 'bar' ? (def.xOffset ? { step: 12, for: 'offset' } : { step: 20 }) : 220, height: 200, layer };
  if (def.column || def.row) {
    const columns = wrap ? { columns: Math.min(FACET_COLUMNS, order(def.column!).length) } : {};
    return { ...base, facet, ...columns, spec: inner, resolve: { scale: { x: 'independent' } } };
  }
  return { ...base, ...inner };
}

export async function renderSpec(spec: Record<string, unknown>): Promise<{ svg: string; png: Buffer }> {
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec, { logger: vega.logger(vega.None) }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
  })
    .render()
    .asPng();
  return { svg, png };
}
