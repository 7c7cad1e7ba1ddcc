/**
 * `npm run report [-- --out DIR]`: writes <DIR>/index.html (default results/index.html) linking
 * every run under <DIR>/<experiment>/<run-id>/ with its plots, headline tables and summary table.
 * Runs still marked INCOMPLETE are listed as such (continue them with `npm run exp -- <exp> --resume`).
 */
import fs from 'node:fs';
import path from 'node:path';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { parseCsv } from './lib/csv.js';
import { atomicWrite } from './lib/fsutil.js';
import { ExpError } from './lib/errors.js';
import { INCOMPLETE, REPO_ROOT } from './runner.js';
import { exitQuietlyOnClosedPipe } from '../lib/pipes.js';

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Manifest {
  experiment: string;
  description: string;
  source: string;
  runId: string;
  flowsimVersion: string;
  git: { revision: string | null; dirty: boolean | null };
  finishedAt: string;
  argv: string[] | null;
  options: { quick: boolean };
  seeds: number[];
  points: number;
  runs: number;
  wallSeconds: number;
  simulatedEvents: number;
  eventsPerSecond: number | null;
  plots: Array<{ name: string; title: string; files: string[] }>;
}

function csvTable(file: string, maxRows = 400): string {
  if (!fs.existsSync(file)) return '';
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  if (rows.length === 0) return '';
  const [head, ...body] = rows;
  const num = (s: string) => (s !== '' && Number.isFinite(Number(s)) && !Number.isInteger(Number(s)) ? Number(s).toPrecision(4) : s);
  const more = body.length > maxRows ? `<p>… ${body.length - maxRows} more rows in the CSV.</p>` : '';
  return `<table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body
    .slice(0, maxRows)
    .map((r) => `<tr>${r.map((c) => `<td>${esc(num(c))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>${more}`;
}

export function buildReport(outDir: string): { html: string; runs: number; incomplete: number } {
  const sections: string[] = [];
  const index: string[] = [];
  const others: string[] = [];
  let runs = 0;
  let incomplete = 0;
  const exps = fs.existsSync(outDir)
    ? fs.readdirSync(outDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort()
    : [];
  for (const exp of exps) {
    const expDir = path.join(outDir, exp);
    const ids = fs.readdirSync(expDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('.')).map((d) => d.name).sort().reverse();
    for (const id of ids) {
      const dir = path.join(expDir, id);
      const rel = (f: string) => encodeURI(path.relative(outDir, path.join(dir, f)).split(path.sep).join('/'));
      const anchor = `${exp}-${id}`;
      if (!fs.existsSync(path.join(dir, 'run.json'))) {
        // written by another tool (e.g. calibrate/): link the folder only
        others.push(`<li><a href="${rel('')}">${esc(exp)} / ${esc(id)}</a></li>`);
        continue;
      }
      if (fs.existsSync(path.join(dir, INCOMPLETE)) || !fs.existsSync(path.join(dir, 'manifest.json'))) {
        incomplete++;
        index.push(`<li>${esc(exp)} / ${esc(id)} <em>incomplete</em> (continue: <code>npm run exp -- ${esc(exp)} --resume --run-id ${esc(id)}</code>)</li>`);
        continue;
      }
      runs++;
      const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
      const headline = fs.existsSync(path.join(dir, 'headline.txt')) ? fs.readFileSync(path.join(dir, 'headline.txt'), 'utf8') : '';
      index.push(`<li><a href="#${esc(anchor)}">${esc(exp)} / ${esc(id)}</a>${m.options?.quick ? ' (quick)' : ''} — ${m.runs} runs, ${m.wallSeconds.toFixed(1)} s</li>`);
      sections.push(`<section id="${esc(anchor)}">
<h2>${esc(exp)} <small>${esc(id)}</small></h2>
<p>${esc(m.description)}<br>Protocol: ${esc(m.source)}</p>
<p>flowsim ${esc(m.flowsimVersion)}, git ${esc(m.git?.revision?.slice(0, 12) ?? 'unknown')}${m.git?.dirty ? ' (modified)' : ''}; finished ${esc(m.finishedAt)};
${m.points} points x ${m.seeds.length} seeds = ${m.runs} runs; wall ${m.wallSeconds.toFixed(1)} s; ${m.simulatedEvents.toLocaleString('en-US')} simulated events${m.eventsPerSecond ? ` (${Math.round(m.eventsPerSecond).toLocaleString('en-US')} events/s)` : ''}.
Arguments: <code>${esc((m.argv ?? []).join(' '))}</code></p>
<p>Files: ${['points.csv', 'summary.csv', 'timing.csv', 'manifest.json', 'headline.txt'].map((f) => `<a href="${rel(f)}">${f}</a>`).join(' · ')}</p>
${headline.trim() ? `<pre>${esc(headline)}</pre>` : ''}
${m.plots
  .map((p) => `<figure><a href="${rel(`${p.name}.svg`)}"><img src="${rel(`${p.name}.png`)}" alt="${esc(p.title)}"></a><figcaption>${esc(p.title)} — <a href="${rel(`${p.name}.vl.json`)}">Vega-Lite spec</a> · <a href="${rel(`${p.name}.svg`)}">SVG</a></figcaption></figure>`)
  .join('\n')}
<details><summary>summary.csv</summary>${csvTable(path.join(dir, 'summary.csv'))}</details>
</section>`);
    }
  }
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flowsim experiment results</title>
<style>
body{font-family:'DejaVu Sans',sans-serif;margin:2em;max-width:1400px}
img{max-width:100%;border:1px solid #ddd}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}
th{background:#f3f3f3}pre{background:#f7f7f7;padding:.6em;overflow-x:auto}
section{border-top:2px solid #888;margin-top:2em}figure{margin:1em 0}
</style></head><body>
<h1>flowsim experiment results</h1>
<p>${runs} finished run(s)${incomplete ? `, ${incomplete} incomplete` : ''} under <code>${esc(outDir)}</code>. Values are means across seeds; ± is the 95% confidence half-width (Student's t).</p>
<ul>${index.join('\n')}</ul>
${sections.join('\n')}
${others.length ? `<h2>Other result directories</h2><ul>${others.join('\n')}</ul>` : ''}
</body></html>
`;
  return { html, runs, incomplete };
}

async function main(): Promise<void> {
  const argv = await yargs(hideBin(process.argv))
    .scriptName('npm run report --')
    .usage('$0 [--out DIR]\n\nWrites DIR/index.html linking every experiment run under DIR with its plots and tables.')
    .option('out', { type: 'string', default: path.join(REPO_ROOT, 'results'), defaultDescription: 'results/', describe: 'results root directory' })
    .strict()
    .version(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new ExpError(msg);
    })
    .parseAsync();
  const outDir = path.resolve(argv.out);
  if (!fs.existsSync(outDir)) throw new ExpError(`--out: ${outDir} does not exist`);
  const r = buildReport(outDir);
  atomicWrite(path.join(outDir, 'index.html'), r.html);
  process.stdout.write(`${path.join(outDir, 'index.html')}: ${r.runs} runs${r.incomplete ? `, ${r.incomplete} incomplete` : ''}\n`);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  exitQuietlyOnClosedPipe();
  main().catch((e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof ExpError ? 2 : 1);
  });
}
