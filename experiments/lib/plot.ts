/**
 * Plots shaped like the papers' figures, as Vega-Lite specs rendered to SVG (vega, headless) and
 * PNG (@resvg/resvg-js with DejaVu Sans, Debian's fonts-dejavu-core).
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

/** Units of the sweep fields, for axis titles and facet headers (`50 MB/s`, not `bandwidth / 50`). */
export const FIELD_UNITS: Record<string, string> = { bandwidth: 'MB/s', rpm: 'requests/min', mttr: 's', durationS: 's', chunk: 'B' };

/** A field's title with its unit: `bandwidth (MB/s)`. */
export function fieldTitle(f: string): string {
  return FIELD_UNITS[f] ? `${f} (${FIELD_UNITS[f]})` : f;
}

/** Ticks exactly at the swept values when there are few (no "1.5 clients" between 1 and 2). */
const MAX_EXPLICIT_TICKS = 12;

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
      // the metrics are latencies, rates, counts and costs: a CI never reaches below 0
      let lo = mean >= 0 ? Math.max(0, mean - ci) : mean - ci;
      if (def.logY && lo <= 0) lo = mean / 10;
      Object.assign(o, { [y]: mean, [`${y}_lo`]: lo, [`${y}_hi`]: mean + ci });
      // requests that hit the client timeout: their latency is the timeout, drawn as such
      if (typeof r['timeouts.mean'] === 'number') o.timedOut = (r['timeouts.mean'] as number) > 0;
      return o;
    });
  const anyTimeouts = values.some((v) => v.timedOut === true);
  const enc = (f: string | undefined, type: 'nominal' | 'ordinal' | 'quantitative', title?: string) =>
    f ? { field: fieldName(f), type, title: title ?? f } : undefined;
  const xType = def.xType ?? (def.mark === 'bar' ? 'nominal' : 'quantitative');
  const yScale = def.logY ? { type: 'log' } : { zero: def.mark === 'bar' };
  // nominal fields keep the sweep's order (benchmarks, then modes as declared), not alphabetical
  const order = (f: string) => [...new Set(selected.map((v) => v[f]))];
  const xValues = [...new Set(values.map((v) => v[fieldName(def.x)]))];
  const explicitTicks = xType === 'quantitative' && xValues.length <= MAX_EXPLICIT_TICKS && xValues.every((v) => typeof v === 'number');
  const x = {
    ...enc(def.x, xType, def.xTitle ?? fieldTitle(def.x))!,
    ...(xType === 'quantitative' ? {} : { sort: null }),
    ...(def.mark === 'bar' ? { axis: { labelAngle: -40 } } : explicitTicks ? { axis: { values: (xValues as number[]).sort((a, b) => a - b), format: '~g', labelFlush: false } } : {}),
    ...(def.logX && !def.xMetric && xType === 'quantitative' ? { scale: { type: 'log' } } : {}),
  };
  const common: Record<string, unknown> = def.xMetric
    ? { x: { field: fieldName(def.xMetric), type: 'quantitative', title: def.xTitle ?? def.xMetric, scale: def.logX ? { type: 'log' } : { zero: false } } }
    : { x };
  // the shape goes on the marks only (the CI rules would draw it at both ends)
  // lines: each series also gets its own point shape and dash, so that they stay apart in
  // grayscale and one drawn over another (faasflow under dataflower) still shows
  const shapeField = def.shape ?? (def.mark === 'line' ? def.color : undefined);
  const shape = shapeField ? { shape: { ...enc(shapeField, 'nominal'), scale: { domain: order(shapeField) } } } : {};
  const dash = def.mark === 'line' && def.color ? { strokeDash: { ...enc(def.color, 'nominal'), scale: { domain: order(def.color) } } } : {};
  if (def.color) common.color = { ...enc(def.color, 'nominal'), scale: { domain: order(def.color) } };
  if (def.xOffset) common.xOffset = { ...enc(def.xOffset, 'nominal'), scale: { domain: order(def.xOffset) } };
  const layer = [
    {
      mark: def.mark === 'bar' ? { type: 'bar' } : def.mark === 'point' ? { type: 'point', filled: true, size: 60 } : { type: 'line', opacity: 0.85 },
      encoding: { ...common, ...(def.mark === 'line' ? dash : shape), y: { field: y, type: 'quantitative', title: def.yTitle ?? def.y, scale: yScale, ...(def.mark === 'bar' ? { stack: null } : {}) } },
    },
    ...(def.mark === 'line'
      ? [{ mark: { type: 'point', filled: true, size: 50, opacity: 0.9 }, encoding: { ...common, ...shape, y: { field: y, type: 'quantitative', scale: yScale } } }]
      : []),
    {
      mark: { type: 'rule', color: 'black', ...(def.mark === 'bar' ? {} : { opacity: 0.6 }) },
      encoding: {
        ...common,
        ...(def.mark === 'bar' ? { color: { value: 'black' } } : {}),
        y: { field: `${y}_lo`, type: 'quantitative', scale: yScale },
        y2: { field: `${y}_hi` },
      },
    },
    ...(anyTimeouts
      ? [
          {
            transform: [{ filter: 'datum.timedOut' }],
            mark: { type: 'point', shape: 'cross', angle: 45, size: 160, strokeWidth: 2, color: 'black', filled: false },
            encoding: { ...(common.x ? { x: common.x } : {}), ...(common.xOffset ? { xOffset: common.xOffset } : {}), y: { field: y, type: 'quantitative', scale: yScale } },
          },
        ]
      : []),
  ];
  // One facet field alone wraps into rows of at most FACET_COLUMNS panels (4 bandwidths make 2 x 2,
  // not one strip many thousand pixels wide); column + row keep the grid they ask for.
  const facetDef = (f: string) => ({
    field: fieldName(f),
    type: 'ordinal',
    title: f,
    sort: order(f),
    // (parenthesized: Vega-Lite 6 substitutes datum.label with an unparenthesized conditional)
    ...(FIELD_UNITS[f] ? { header: { labelExpr: `(datum.label) + ' ${FIELD_UNITS[f]}'` } } : {}),
  });
  const wrap = def.column !== undefined && def.row === undefined;
  const facet: Record<string, unknown> = wrap ? facetDef(def.column!) : {};
  if (!wrap && def.column) facet.column = facetDef(def.column);
  if (def.row) facet.row = facetDef(def.row);
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: anyTimeouts ? { text: def.title, subtitle: '×: some requests timed out (their latency is the client timeout)' } : def.title,
    data: { values },
    // category colours far apart in lightness (dark blue, orange, light blue, ...), so that bars
    // of the three modes stay apart in grayscale print
    config: { font: 'DejaVu Sans', background: 'white', range: { category: ['#1f3f7a', '#e69f00', '#9ecae1', '#7b3294', '#b35806', '#4d9221'] } },
  };
  // bars: a fixed step per bar (per mode within a group when there is an xOffset)
  const inner = { width: def.mark === 'bar' ? (def.xOffset ? { step: 12, for: 'offset' } : { step: 20 }) : 220, height: 200, layer };
  if (def.column || def.row) {
    const columns = wrap ? { columns: Math.min(FACET_COLUMNS, order(def.column!).length) } : {};
    // each panel its own y scale: one slow panel must not flatten the others
    return { ...base, facet, ...columns, spec: inner, resolve: { scale: { x: 'independent', y: 'independent' } } };
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
