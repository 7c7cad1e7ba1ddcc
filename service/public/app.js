// flowsim dashboard: vanilla JS, no build step. Routes: #/ (runs + form), #/run/<id>, #/compare/<id>,<id>...
'use strict';

const $ = (sel, el = document) => el.querySelector(sel);
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const main = () => $('#main');
const ACTIVE = ['queued', 'running'];

async function api(path, opts = {}) {
  const res = await fetch(path, { ...opts, headers: { ...(opts.body ? { 'content-type': 'application/json' } : {}), ...(opts.headers || {}) } });
  const type = res.headers.get('content-type') || '';
  const body = type.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new Error(body && body.message ? body.message : `${res.status} ${res.statusText}`);
  return body;
}

const num = (s) => (s !== '' && s !== null && Number.isFinite(Number(s)) && !Number.isInteger(Number(s)) ? Number(s).toPrecision(4) : s);
const pct = (p) => (p.total ? Math.round((100 * p.done) / p.total) : 0);
function progressBar(r) {
  const p = r.progress || { done: r.done, total: r.total };
  return `<span class="bar ${esc(r.status)}" data-bar="${esc(r.id)}" role="progressbar" aria-valuemin="0" aria-valuemax="${p.total ?? 0}" aria-valuenow="${p.done}"><div style="width:${r.status === 'done' ? 100 : pct(p)}%"></div></span>
    <span class="hint" data-count="${esc(r.id)}">${p.done}/${p.total ?? '?'}</span>`;
}
function updateBar(id, status, done, total) {
  for (const bar of document.querySelectorAll(`[data-bar="${CSS.escape(id)}"]`)) {
    if (status) bar.className = `bar ${status}`;
    if (done !== undefined) {
      bar.setAttribute('aria-valuenow', done);
      bar.setAttribute('aria-valuemax', total ?? 0);
      bar.firstElementChild.style.width = `${status === 'done' ? 100 : total ? Math.round((100 * done) / total) : 0}%`;
    }
  }
  for (const c of document.querySelectorAll(`[data-count="${CSS.escape(id)}"]`)) if (done !== undefined) c.textContent = `${done}/${total ?? '?'}`;
  if (status) for (const s of document.querySelectorAll(`[data-status="${CSS.escape(id)}"]`)) {
    s.textContent = status;
    s.className = `status ${status}`;
  }
}
function table(columns, rows, numeric = () => true) {
  return `<div class="scroll"><table><thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c, i) => `<td class="${numeric(i) && c !== '' && Number.isFinite(Number(c)) ? 'num' : ''}">${esc(num(c))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

// --- live updates: one EventSource per page
let source = null;
function listen(url, handlers) {
  if (source) source.close();
  source = new EventSource(url);
  const conn = $('#conn');
  source.onopen = () => conn.classList.add('on');
  source.onerror = () => conn.classList.remove('on');
  for (const [type, fn] of Object.entries(handlers)) source.addEventListener(type, (e) => fn(JSON.parse(e.data)));
}

// --- #/ : runs and the form
let catalogCache = null;
async function catalog() {
  if (!catalogCache) catalogCache = (await api('/api/catalog')).experiments;
  return catalogCache;
}

async function pageRuns() {
  const [cat, { runs }] = await Promise.all([catalog(), api('/api/experiments')]);
  main().innerHTML = `
  <section><h1>Start an experiment</h1>
    <form id="start">
      <div class="row"><label for="f-exp">experiment</label><select id="f-exp" name="experiment">${cat.map((e) => `<option value="${esc(e.name)}">${esc(e.name)}</option>`).join('')}</select></div>
      <div class="row hint" id="f-desc"></div>
      <div class="row"><label for="f-quick">quick</label><input type="checkbox" id="f-quick" name="quick" checked><span class="hint">smaller grids, shorter simulated durations</span></div>
      <div class="row"><label for="f-seeds">seeds</label><input type="number" id="f-seeds" name="seeds" min="1" max="1000" value="1"></div>
      <div id="f-axes"></div>
      <div class="row"><label for="f-extra">more options</label><textarea id="f-extra" name="extra" placeholder='JSON, e.g. {"jobs": 1, "calibration": "none"}'></textarea></div>
      <div class="row"><button type="submit" id="f-submit">Start</button><span id="f-msg"></span></div>
    </form>
  </section>
  <section><h1>Runs</h1>
    <div class="row"><button class="secondary" id="compare" disabled>Compare selected</button> <span class="hint">select two or more runs of the same experiment</span></div>
    <div id="runs">${runsTable(runs)}</div>
  </section>`;
  const showAxes = () => {
    const e = cat.find((x) => x.name === $('#f-exp').value);
    $('#f-desc').textContent = `${e.description} (source: ${e.source}; default seeds ${e.seeds})`;
    $('#f-axes').innerHTML = e.axes
      .map((a) => {
        const def = a.quickValues ? a.quickValues.join(',') : 'depends on the axes before it';
        if (!a.override) return `<div class="row"><label>${esc(a.name)}</label><span class="hint">fixed: ${esc(a.describe)}; ${esc(def)}</span></div>`;
        const choices = a.override.choices ? ` (${a.override.choices.join(', ')})` : '';
        return `<div class="row"><label for="axis-${esc(a.name)}">${esc(a.name)}</label><input type="text" id="axis-${esc(a.name)}" data-axis="${esc(a.name)}" placeholder="${esc(def)}"><span class="hint">${esc(a.describe)}${esc(choices)}</span></div>`;
      })
      .join('');
  };
  $('#f-exp').addEventListener('change', showAxes);
  showAxes();
  $('#start').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const msg = $('#f-msg');
    msg.className = 'hint';
    msg.textContent = 'checking the options…';
    $('#f-submit').disabled = true;
    try {
      const args = { quick: $('#f-quick').checked };
      if ($('#f-seeds').value) args.seeds = Number($('#f-seeds').value);
      for (const inp of document.querySelectorAll('[data-axis]')) if (inp.value.trim()) args[inp.dataset.axis] = inp.value.trim();
      const extra = $('#f-extra').value.trim();
      if (extra) {
        let more;
        try {
          more = JSON.parse(extra);
        } catch {
          throw new Error('more options: not JSON');
        }
        Object.assign(args, more);
      }
      const r = await api('/api/experiments', { method: 'POST', body: JSON.stringify({ experiment: $('#f-exp').value, args }) });
      msg.textContent = `started ${r.id}`;
      await refreshRuns();
    } catch (e) {
      msg.className = 'error';
      msg.textContent = e.message;
    } finally {
      $('#f-submit').disabled = false;
    }
  });
  wireCompare();
  listen('/api/events', {
    status: (s) => {
      if (!document.querySelector(`[data-bar="${CSS.escape(s.id)}"]`)) return void refreshRuns();
      updateBar(s.id, s.status, s.done, s.total);
    },
    progress: (p) => updateBar(p.id, undefined, p.done, p.total),
  });
}

function runsTable(runs) {
  if (runs.length === 0) return '<p class="hint">No runs yet.</p>';
  return `<table id="runs-table"><thead><tr><th></th><th>run</th><th>experiment</th><th>status</th><th>progress</th><th>options</th><th>created</th></tr></thead><tbody>${runs
    .map(
      (r) => `<tr data-run="${esc(r.id)}"><td><input type="checkbox" class="pick" value="${esc(r.id)}" data-exp="${esc(r.experiment)}" ${r.status === 'done' ? '' : 'disabled'}></td>
      <td><a href="#/run/${esc(r.id)}">${esc(r.id)}</a></td><td>${esc(r.experiment)}${r.kind === 'spec' ? ' <span class="hint">(spec)</span>' : ''}</td>
      <td><span class="status ${esc(r.status)}" data-status="${esc(r.id)}">${esc(r.status)}</span></td><td>${progressBar(r)}</td>
      <td class="hint">${esc(Object.entries(r.args).map(([k, v]) => `${k}=${v}`).join(' '))}</td><td class="hint">${esc(r.createdAt.replace('T', ' ').slice(0, 19))}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}
async function refreshRuns() {
  const el = $('#runs');
  if (!el) return;
  el.innerHTML = runsTable((await api('/api/experiments')).runs);
  wireCompare();
}
function wireCompare() {
  const btn = $('#compare');
  const picked = () => [...document.querySelectorAll('.pick:checked')];
  const check = () => {
    const p = picked();
    btn.disabled = !(p.length >= 2 && new Set(p.map((x) => x.dataset.exp)).size === 1);
  };
  for (const c of document.querySelectorAll('.pick')) c.addEventListener('change', check);
  btn.onclick = () => (location.hash = `#/compare/${picked().map((x) => x.value).join(',')}`);
  check();
}

// --- #/run/<id>
async function pageRun(id) {
  const r = await api(`/api/experiments/${encodeURIComponent(id)}`);
  main().innerHTML = `
  <section><h1>${esc(r.experiment)} · ${esc(r.id)}</h1>
    <div class="row"><span class="status ${esc(r.status)}" data-status="${esc(r.id)}">${esc(r.status)}</span> ${progressBar(r)}
      <button class="secondary" id="cancel">Cancel</button> <button class="secondary" id="resume">Resume</button></div>
    <p class="hint">options: ${esc(JSON.stringify(r.args))} · folder: results/${esc(r.runDir)} · created ${esc(r.createdAt)}${r.finishedAt ? ` · finished ${esc(r.finishedAt)}` : ''}${r.resumes ? ` · resumed ${r.resumes}×` : ''}</p>
    ${r.error ? `<p class="error" id="run-error">${esc(r.error)}</p>` : ''}
  </section>
  <section id="results"></section>
  <section><h2>Log</h2><pre class="log" id="log"></pre></section>`;
  const setButtons = (status) => {
    $('#cancel').disabled = !ACTIVE.includes(status);
    $('#resume').disabled = !['cancelled', 'interrupted', 'failed'].includes(status);
  };
  setButtons(r.status);
  $('#cancel').onclick = () => api(`/api/experiments/${encodeURIComponent(id)}/cancel`, { method: 'POST' }).catch((e) => alert(e.message));
  $('#resume').onclick = () => api(`/api/experiments/${encodeURIComponent(id)}/resume`, { method: 'POST' }).catch((e) => alert(e.message));
  if (r.status === 'done') await showResults(r);
  let last = r.status;
  listen(`/api/experiments/${encodeURIComponent(id)}/events`, {
    status: (s) => {
      updateBar(id, s.status, s.done, s.total);
      setButtons(s.status);
      if (s.status === 'done' && last !== 'done') void pageRun(id);
      last = s.status;
    },
    progress: (p) => updateBar(id, undefined, p.done, p.total),
    log: (l) => {
      const el = $('#log');
      el.textContent += `${l.line}\n`;
      el.scrollTop = el.scrollHeight;
    },
  });
}

async function showResults(r) {
  const el = $('#results');
  const m = r.manifest || {};
  const base = `/api/experiments/${encodeURIComponent(r.id)}/results/`;
  const [headline, summary, files] = await Promise.all([
    fetch(`${base}headline.txt`).then((x) => (x.ok ? x.text() : '')),
    api(`/api/experiments/${encodeURIComponent(r.id)}/summary`).catch(() => null),
    api(`/api/experiments/${encodeURIComponent(r.id)}/results`),
  ]);
  el.innerHTML = `<h2>Plots</h2><div class="plots" id="plots">${(m.plots || [])
    .map((p) => `<div class="plot" title="${esc(p.title)}"><div class="vega" id="plot-${esc(p.name)}" data-plot="${esc(p.name)}"></div></div>`)
    .join('') || '<p class="hint">no plots</p>'}</div>
    <h2>Headline</h2><pre id="headline">${esc(headline)}</pre>
    <h2>summary.csv</h2>${summary ? table(summary.columns, summary.rows) : '<p class="hint">none</p>'}
    <h2>Files</h2><p>${files.files.map((f) => `<a href="${esc(f.url)}" target="_blank">${esc(f.name)}</a> <span class="hint">(${f.size} B)</span>`).join(' · ')}</p>
    <p class="hint">${esc(m.runs)} runs, ${esc(m.points)} points, seeds ${esc((m.seeds || []).join(','))}, ${m.wallSeconds ? m.wallSeconds.toFixed(1) : '?'} s wall, git ${esc(m.git?.revision?.slice(0, 10) ?? '-')}</p>`;
  for (const p of m.plots || []) {
    try {
      const spec = await api(`${base}${encodeURIComponent(p.name)}.vl.json`);
      await vegaEmbed(`#plot-${CSS.escape(p.name)}`, spec, { actions: false, renderer: 'svg' });
    } catch (e) {
      $(`#plot-${CSS.escape(p.name)}`).innerHTML = `<p class="error">${esc(e.message)}</p>`;
    }
  }
}

// --- #/compare/<id>,<id>,...
async function pageCompare(ids) {
  const runs = await Promise.all(ids.map((id) => api(`/api/experiments/${encodeURIComponent(id)}`)));
  const exps = new Set(runs.map((r) => r.experiment));
  if (exps.size !== 1) throw new Error(`compare runs of one experiment (got ${[...exps].join(', ')})`);
  const sums = await Promise.all(ids.map((id) => api(`/api/experiments/${encodeURIComponent(id)}/summary`)));
  const metrics = [...new Set(sums.flatMap((s) => s.columns.filter((c) => c.endsWith('.mean'))))];
  const allKeys = sums[0].columns.filter((c) => !c.endsWith('.mean') && !c.endsWith('.ci95') && c !== 'seeds');
  // label the points by the columns that vary (a column equal in every row says nothing)
  const varying = allKeys.filter((c) => new Set(sums.flatMap((s) => s.rows.map((r) => r[s.columns.indexOf(c)]))).size > 1);
  const keyCols = varying.length ? varying : allKeys;
  main().innerHTML = `<section><h1>Compare ${esc([...exps][0])}: ${ids.map((id) => `<a href="#/run/${esc(id)}">${esc(id)}</a>`).join(', ')}</h1>
    <div class="row"><label for="metric">metric</label><select id="metric">${metrics.map((m) => `<option>${esc(m)}</option>`).join('')}</select>
    <span class="hint">one row per point (${esc(keyCols.join(', '))}), one column per run</span></div>
    <div id="cmp-chart"></div><div id="cmp-table"></div></section>`;
  const draw = async () => {
    const metric = $('#metric').value;
    const keys = [];
    const cells = new Map();
    sums.forEach((s, i) => {
      const ki = keyCols.map((c) => s.columns.indexOf(c));
      const mi = s.columns.indexOf(metric);
      for (const row of s.rows) {
        const key = ki.map((j) => (j >= 0 ? row[j] : '')).join(' · ');
        if (!cells.has(key)) {
          cells.set(key, new Map());
          keys.push(key);
        }
        cells.get(key).set(ids[i], mi >= 0 ? row[mi] : '');
      }
    });
    $('#cmp-table').innerHTML = table([keyCols.join(' · '), ...ids], keys.map((k) => [k, ...ids.map((id) => cells.get(k).get(id) ?? '')]), (i) => i > 0);
    const values = keys.flatMap((k) => ids.map((id) => ({ point: k, run: id, value: cells.get(k).get(id) === '' || cells.get(k).get(id) === undefined ? null : Number(cells.get(k).get(id)) })));
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: Math.min(1000, Math.max(240, keys.length * ids.length * 14)),
      height: 260,
      data: { values },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'point', type: 'nominal', sort: keys, title: keyCols.join(' · '), axis: { labelAngle: -40, labelLimit: 220 } },
        xOffset: { field: 'run', type: 'nominal' },
        y: { field: 'value', type: 'quantitative', title: metric },
        color: { field: 'run', type: 'nominal', title: 'run' },
      },
    };
    await vegaEmbed('#cmp-chart', spec, { actions: false, renderer: 'svg' });
  };
  $('#metric').addEventListener('change', draw);
  await draw();
  if (source) source.close();
}

async function route() {
  const h = location.hash.replace(/^#/, '') || '/';
  try {
    let m;
    if ((m = /^\/run\/([^/]+)$/.exec(h))) await pageRun(decodeURIComponent(m[1]));
    else if ((m = /^\/compare\/(.+)$/.exec(h))) await pageCompare(decodeURIComponent(m[1]).split(',').filter(Boolean).sort()); // ids sort by creation time
    else await pageRuns();
  } catch (e) {
    main().innerHTML = `<section><p class="error">${esc(e.message)}</p><p><a href="#/">back to the runs</a></p></section>`;
  }
}
window.addEventListener('hashchange', route);
route();
