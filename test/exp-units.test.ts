import test from 'ava';
import { meanCI, tQuantile975 } from '../experiments/lib/stats.js';
import { expandPoints, parseOverride } from '../experiments/lib/sweep.js';
import { parseCsv, toCsv } from '../experiments/lib/csv.js';
import { buildSpec } from '../experiments/lib/plot.js';
import { headlineTable } from '../experiments/lib/headline.js';
import { EXPERIMENTS, getExperiment } from '../experiments/registry.js';
import { ExpError } from '../experiments/lib/errors.js';
import tail from '../experiments/defs/tail.js';
import latency from '../experiments/defs/latency.js';

test('meanCI: mean and Student-t 95% half-width', (t) => {
  // values 1,2,3: mean 2, sd 1, n 3 -> 4.303 * 1/sqrt(3)
  const r = meanCI([1, 2, 3]);
  t.is(r.n, 3);
  t.is(r.mean, 2);
  t.true(Math.abs(r.ci95! - 4.303 / Math.sqrt(3)) < 1e-12);
  t.deepEqual(meanCI([5]), { n: 1, mean: 5, ci95: null });
  t.deepEqual(meanCI([null, null]), { n: 0, mean: null, ci95: null });
  t.is(meanCI([0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2]).ci95, 0);
  t.true(Math.abs(tQuantile975(60) - 2.0003) < 2e-3);
});

test('expandPoints: dependent axes follow FaaSFlow rpm grids', (t) => {
  const pts = expandPoints(tail, { quick: false });
  const genome25 = pts.filter((p) => p.part === 'grid' && p.benchmark === 'genome' && p.bandwidth === 25 && p.mode === 'faasflow');
  t.deepEqual(genome25.map((p) => p.rpm), [2, 4, 6, 8]);
  const video50 = pts.filter((p) => p.part === 'grid' && p.benchmark === 'video' && p.bandwidth === 50 && p.mode === 'faasflow');
  t.deepEqual(video50.map((p) => p.rpm), [8, 16, 24, 32, 40]);
  const all6 = pts.filter((p) => p.part === 'all6');
  t.is(all6.length, 8 * 3);
  t.true(all6.every((p) => p.rpm === 6 && p.bandwidth === 50));
  // overrides replace an axis everywhere
  const o = expandPoints(tail, { quick: false }, { bandwidth: [50], part: ['grid'] });
  t.true(o.every((p) => p.bandwidth === 50));
});

test('latency: 12 benchmarks + co-run per mode and bandwidth', (t) => {
  const pts = expandPoints(latency, { quick: false }, { bandwidth: [50] });
  t.is(pts.length, 13 * 3);
  const corun = latency.scenario(pts.find((p) => p.benchmark === 'corun')!, { quick: false });
  t.is(corun.workflows.length, 8);
  t.is(corun.corunStaggerS, 5);
  t.is(corun.clients, 1);
  t.is(corun.warmupRequests, 2);
});

test('parseOverride: ranges, lists and names', (t) => {
  const bw = latency.axes.find((a) => a.name === 'bandwidth')!;
  t.deepEqual(parseOverride(bw, '25,50'), [25, 50]);
  t.throws(() => parseOverride(bw, '0'), { instanceOf: ExpError, message: /--bandwidth: must be > 0/ });
  t.throws(() => parseOverride(bw, 'fast'), { instanceOf: ExpError, message: /not a number/ });
  const bench = latency.axes.find((a) => a.name === 'benchmark')!;
  t.throws(() => parseOverride(bench, 'genom'), { instanceOf: ExpError, message: /unknown value 'genom'/ });
  const rpm = tail.axes.find((a) => a.name === 'rpm')!;
  t.throws(() => parseOverride(rpm, '-5'), { message: /must be > 0/ });
});

test('registry: thirteen experiments, unknown names rejected', (t) => {
  t.deepEqual(
    EXPERIMENTS.map((e) => e.name),
    ['latency', 'tail', 'throughput', 'colocation', 'overhead', 'scalability', 'dataflower-extras', 'scheduler', 'cost', 'faults', 'node-loss', 'fluctuation', 'adaptive'],
  );
  t.throws(() => getExperiment('nope'), { instanceOf: ExpError, message: /valid: latency/ });
});

test('csv: round trip with quotes and commas', (t) => {
  const text = toCsv(['a', 'b'], [['x,y', 1.5], ['say "hi"', null]]);
  t.deepEqual(parseCsv(text), [['a', 'b'], ['x,y', '1.5'], ['say "hi"', '']]);
});

test('plot spec names the fields it plots and keeps the sweep order', (t) => {
  const rows = [
    { workflow: 'video', mode: 'hyperflow', bandwidth: 50, 'e2e.mean.mean': 2, 'e2e.mean.ci95': 0.5 },
    { workflow: 'video', mode: 'faasflow', bandwidth: 50, 'e2e.mean.mean': 1, 'e2e.mean.ci95': null },
    { workflow: 'genome', mode: 'hyperflow', bandwidth: 50, 'e2e.mean.mean': null, 'e2e.mean.ci95': null },
  ];
  const spec = buildSpec({ name: 'x', title: 'T', mark: 'bar', x: 'workflow', xOffset: 'mode', color: 'mode', y: 'e2e.mean', column: 'bandwidth' }, rows);
  const text = JSON.stringify(spec);
  for (const f of ['"field":"workflow"', '"field":"mode"', '"field":"e2e_mean"', '"field":"e2e_mean_lo"', '"field":"bandwidth"']) t.true(text.includes(f), f);
  const values = (spec.data as { values: Array<Record<string, unknown>> }).values;
  t.is(values.length, 2); // the null mean is left out
  t.deepEqual(values[0], { workflow: 'video', mode: 'hyperflow', bandwidth: 50, e2e_mean: 2, e2e_mean_lo: 1.5, e2e_mean_hi: 2.5 });
});

test('headline table: modes as columns, max over clients', (t) => {
  const rows = [
    { workflow: 'w', mode: 'a', clients: 1, 'x.mean': 1, 'x.ci95': 0.1 },
    { workflow: 'w', mode: 'a', clients: 2, 'x.mean': 3, 'x.ci95': 0.2 },
    { workflow: 'w', mode: 'b', clients: 1, 'x.mean': 2, 'x.ci95': null },
  ];
  const s = headlineTable({ title: 'peak', metric: 'x', col: 'mode', rows: ['workflow'], maxOver: 'clients' }, rows);
  const lines = s.split('\n');
  t.regex(lines[1], /workflow\s+a\s+b/);
  t.regex(lines[2], /w\s+3\.00 ±0\.20\s+2\.00/);
});

test('plot spec: one facet field wraps into rows of two panels; column + row keep their grid', (t) => {
  const rows = [25, 50, 75, 100].flatMap((bandwidth) =>
    ['video', 'genome'].map((workflow) => ({ workflow, mode: 'faasflow', bandwidth, 'e2e.mean.mean': 1, 'e2e.mean.ci95': 0 })),
  );
  const wrapped = buildSpec({ name: 'x', title: 'T', mark: 'bar', x: 'workflow', xOffset: 'mode', color: 'mode', y: 'e2e.mean', column: 'bandwidth' }, rows) as Record<string, any>;
  t.is(wrapped.columns, 2);
  t.is(wrapped.facet.field, 'bandwidth');
  t.deepEqual(wrapped.facet.sort, [25, 50, 75, 100]);
  const grid = buildSpec({ name: 'y', title: 'T', mark: 'line', x: 'bandwidth', color: 'mode', y: 'e2e.mean', column: 'mode', row: 'workflow' }, rows) as Record<string, any>;
  t.is(grid.columns, undefined);
  t.is(grid.facet.column.field, 'mode');
  t.is(grid.facet.row.field, 'workflow');
});

test('headline table: every row field is its own aligned column', (t) => {
  const rows = [
    { workflow: 'genome', bandwidth: 50, mode: 'a', 'x.mean': 1, 'x.ci95': null },
    { workflow: 'gen-genome-50-s7', bandwidth: 100, mode: 'a', 'x.mean': 22.5, 'x.ci95': null },
  ];
  const lines = headlineTable({ title: 'T', metric: 'x', col: 'mode', rows: ['workflow', 'bandwidth'] }, rows).split('\n').slice(1);
  // the bandwidth column starts at the same offset on every line, and so do the values
  const at = (l: string, s: string) => l.indexOf(s);
  t.is(at(lines[1], '50'), at(lines[2], '100'));
  t.is(at(lines[0], 'bandwidth'), at(lines[1], '50'));
  t.is(lines[1].length, lines[2].length); // right-aligned values end together
});

test('plot spec: units on axes and facet headers, distinct line styles, timeouts marked, CI never below 0, own y scale per panel', (t) => {
  const rows = [25, 50].flatMap((bandwidth) =>
    ['hyperflow', 'faasflow'].flatMap((mode) =>
      [2, 6].map((rpm) => ({ workflow: 'video', mode, bandwidth, rpm, 'e2e.mean.mean': rpm, 'e2e.mean.ci95': 10, 'timeouts.mean': mode === 'hyperflow' && rpm === 6 ? 1 : 0 })),
    ),
  );
  const spec = buildSpec({ name: 'x', title: 'T', mark: 'line', x: 'rpm', xType: 'quantitative', color: 'mode', y: 'e2e.mean', column: 'bandwidth' }, rows) as Record<string, any>;
  t.is(spec.facet.header.labelExpr, "(datum.label) + ' MB/s'");
  t.deepEqual(spec.resolve.scale, { x: 'independent', y: 'independent' });
  const layers = spec.spec.layer as Array<Record<string, any>>;
  t.is(layers[0].encoding.x.title, 'rpm (requests/min)');
  t.deepEqual(layers[0].encoding.x.axis.values, [2, 6]); // ticks at the swept rates only
  t.is(layers[0].encoding.strokeDash.field, 'mode'); // dashes and shapes per mode
  t.true(layers.some((l) => l.encoding.shape?.field === 'mode'));
  const cross = layers.find((l) => l.mark.shape === 'cross');
  t.truthy(cross, 'a layer marks the timed-out points');
  t.deepEqual(cross!.transform, [{ filter: 'datum.timedOut' }]);
  t.regex(spec.title.subtitle, /timed out/);
  const values = spec.data.values as Array<Record<string, any>>;
  t.is(values.filter((v) => v.timedOut).length, 2);
  t.true(values.every((v) => v.e2e_mean_lo >= 0)); // mean 2 +- 10 stops at 0
  // no timeouts: no cross layer, no subtitle
  const calm = buildSpec({ name: 'y', title: 'T', mark: 'line', x: 'rpm', xType: 'quantitative', color: 'mode', y: 'e2e.mean' }, rows.map((r) => ({ ...r, 'timeouts.mean': 0 }))) as Record<string, any>;
  t.false((calm.layer as Array<Record<string, any>>).some((l) => l.mark.shape === 'cross'));
  t.is(calm.title, 'T');
});
