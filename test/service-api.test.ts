/**
 * The experiment service's REST API (service/): happy paths through fastify.inject, every error
 * (unknown experiment, bad args with the CLI's own message, bad specs, unknown ids, paths leaving
 * the run folder, tokens, refusing a non-loopback host without one) and SSE on a real socket.
 */
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { parseServeArgs } from '../service/cli.js';
import { buildService, type Service } from '../service/server.js';
import { TERMINAL, get, post, readSse, smallArgs, tempDirs, waitStatus } from '../service/testkit.js';
import type { RunStatus } from '../service/db.js';
import { experimentNames } from '../experiments/registry.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const dirs = tempDirs();
let svc: Service;
/** One finished run shared by the read-only tests. */
let finished: Promise<string>;

test.before(() => {
  svc = buildService({ resultsDir: dirs.make('api'), killGraceMs: 2000 });
  svc.manager.recover();
  finished = (async () => {
    const r = await post(svc, '/api/experiments', { experiment: 'tail', args: smallArgs(2) });
    if (r.status !== 201) throw new Error(`POST failed: ${JSON.stringify(r.body)}`);
    await waitStatus(svc, r.body.id);
    return r.body.id;
  })();
});
test.after.always(async () => {
  await svc?.close();
  dirs.cleanup();
});

/** The experiment CLI's own message for these arguments (stderr without 'error: ', exit 2). */
async function cliMessage(args: string[]): Promise<string> {
  const out = dirs.make('cli');
  const r = await execa(process.execPath, ['--import', 'tsx', 'experiments/cli.ts', ...args, '--out', out], { cwd: ROOT, reject: false });
  if (r.exitCode !== 2) throw new Error(`expected exit 2, got ${r.exitCode}: ${r.stderr}`);
  return r.stderr.trim().replace(/^error: /, '');
}

test('POST a built-in experiment: 201, runs to done, manifest, results with their content types', async (t) => {
  const id = await finished;
  const run = (await get(svc, `/api/experiments/${id}`)).json();
  t.is(run.status, 'done', run.error ?? '');
  t.is(run.experiment, 'tail');
  t.deepEqual(run.progress, { done: 2, total: 2 });
  t.is(run.exitCode, 0);
  t.is(run.incomplete, false);
  t.is(run.manifest.runId, id);
  t.is(run.manifest.runs, 2);
  t.true(run.startedAt <= run.finishedAt);

  const list = (await get(svc, '/api/experiments')).json();
  t.true(list.runs.some((r: { id: string }) => r.id === id));

  const files = (await get(svc, `/api/experiments/${id}/results`)).json().files as Array<{ name: string; contentType: string }>;
  const names = files.map((f) => f.name);
  for (const f of ['points.csv', 'summary.csv', 'timing.csv', 'manifest.json', 'headline.txt', 'p99-vs-rpm.vl.json', 'p99-vs-rpm.svg', 'p99-vs-rpm.png']) t.true(names.includes(f), f);
  t.false(names.includes('INCOMPLETE'));

  const types: Record<string, string> = { 'points.csv': 'text/csv', 'manifest.json': 'application/json', 'p99-vs-rpm.svg': 'image/svg+xml', 'p99-vs-rpm.png': 'image/png', 'headline.txt': 'text/plain' };
  for (const [f, type] of Object.entries(types)) {
    const r = await get(svc, `/api/experiments/${id}/results/${f}`);
    t.is(r.statusCode, 200, f);
    t.true(String(r.headers['content-type']).startsWith(type), `${f}: ${r.headers['content-type']}`);
    t.true(r.rawPayload.equals(fs.readFileSync(path.join(svc.resultsDir, 'tail', id, f))), `${f} bytes`);
  }
  const png = (await get(svc, `/api/experiments/${id}/results/p99-vs-rpm.png`)).rawPayload;
  t.is(png.subarray(1, 4).toString(), 'PNG');

  const sum = (await get(svc, `/api/experiments/${id}/summary`)).json();
  t.true(sum.columns.includes('e2e.max.mean'));
  t.is(sum.rows.length, 2);
  t.deepEqual(sum.axes, ['part', 'benchmark', 'bandwidth', 'mode', 'rpm']);
});

test('catalog lists every built-in experiment with its axes; the OpenAPI document covers the endpoints', async (t) => {
  const cat = (await get(svc, '/api/catalog')).json().experiments as Array<{ name: string; axes: Array<{ name: string; override: unknown }> }>;
  t.deepEqual(cat.map((e) => e.name), experimentNames());
  const tail = cat.find((e) => e.name === 'tail')!;
  t.deepEqual(tail.axes.map((a) => a.name), ['part', 'benchmark', 'bandwidth', 'mode', 'rpm']);
  t.deepEqual(tail.axes[0].override, { type: 'string', choices: ['grid', 'all6'] });

  const doc = (await get(svc, '/api/openapi.json')).json();
  t.is(doc.openapi, '3.1.0');
  for (const p of ['/api/experiments', '/api/experiments/{id}', '/api/experiments/{id}/results', '/api/experiments/{id}/results/{file}', '/api/experiments/{id}/cancel', '/api/experiments/{id}/resume', '/api/experiments/{id}/events', '/api/catalog'])
    t.truthy(doc.paths[p], p);
  t.deepEqual(doc.components.schemas.CreateRun.oneOf[0].properties.experiment.enum, experimentNames());
});

test('unknown experiment and malformed bodies: 400 with a message', async (t) => {
  const r = await post(svc, '/api/experiments', { experiment: 'latencyy' });
  t.is(r.status, 400);
  t.regex(r.body.message, /unknown experiment 'latencyy'; valid: latency, tail, throughput/);
  for (const [body, re] of [
    [{}, /either 'experiment'/],
    [{ experiment: 'tail', spec: { name: 'x' } }, /either 'experiment'/],
    [{ experiment: 'tail', args: [1] }, /'args' must be an object/],
    [{ experiment: 'tail', args: { out: '/tmp' } }, /'out' is set by the service/],
    [{ experiment: 'tail', args: { 'run-id': 'x' } }, /'run-id' is set by the service/],
    [{ experiment: 'tail', args: { 'kill-after': 1 } }, /'kill-after' is set by the service/],
    [{ experiment: 'tail', args: { 'bad name': 1 } }, /not an option name/],
    [{ experiment: 'tail', args: { bandwidth: { a: 1 } } }, /must be a string, a number/],
    [{ experiment: 'tail', extra: 1 }, /unknown field 'extra'/],
  ] as const) {
    const x = await post(svc, '/api/experiments', body);
    t.is(x.status, 400, JSON.stringify(body));
    t.regex(x.body.message, re, JSON.stringify(body));
  }
  const bad = await svc.app.inject({ method: 'POST', url: '/api/experiments', payload: '{"experiment": ', headers: { 'content-type': 'application/json' } });
  t.is(bad.statusCode, 400);
  const arr = await svc.app.inject({ method: 'POST', url: '/api/experiments', payload: '[]', headers: { 'content-type': 'application/json' } });
  t.is(arr.statusCode, 400);
  t.is(svc.store.list().filter((x) => x.experiment === 'latencyy').length, 0);
});

test('bad args: 400 with exactly the message the experiment CLI gives, nothing recorded', async (t) => {
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ bandwidth: 'abc' }, ['--bandwidth=abc']],
    [{ bogus: 1 }, ['--bogus=1']],
    [{ seeds: 0 }, ['--seeds=0']],
  ];
  const messages = await Promise.all(
    cases.map(async ([args, argv]) => {
      const [r, cli] = await Promise.all([post(svc, '/api/experiments', { experiment: 'tail', args }), cliMessage(['tail', ...argv])]);
      return { args, r, cli };
    }),
  );
  for (const { args, r, cli } of messages) {
    t.is(r.status, 400, JSON.stringify(args));
    t.is(r.body.message, cli, JSON.stringify(args));
  }
  t.regex(messages[0].r.body.message, /--bandwidth: 'abc' is not a number/);
  t.regex(messages[1].r.body.message, /Unknown argument: bogus/);
  const recorded = svc.store.list().filter((x) => x.args.bandwidth === 'abc' || 'bogus' in x.args || x.args.seeds === 0);
  t.deepEqual(recorded, []);
});

const cliHasRun = fs.readFileSync(path.join(ROOT, 'experiments', 'cli.ts'), 'utf8').includes('loadSpecFile');
const specTest = cliHasRun ? test : test.todo;

specTest('a user-defined sweep spec: 201, written as YAML, runs to <results>/<name>/<id>/', async (t) => {
  const spec = { name: 'svc-sweep', workflows: ['genome'], modes: ['faasflow'], seeds: 1, scenario: { cluster: 'faasflow-7w', rpm: 6, durationS: 40, warmupRequests: 2 }, axes: [{ name: 'bandwidth', values: [50, 100] }], metrics: ['e2e.mean', 'e2e.count'], plots: [{ y: 'e2e.mean', x: 'bandwidth', color: 'mode' }] };
  const r = await post(svc, '/api/experiments', { spec, args: { jobs: 1 } });
  t.is(r.status, 201, JSON.stringify(r.body));
  t.true(fs.existsSync(path.join(svc.resultsDir, '.service', 'specs', `${r.body.id}.yaml`)));
  const run = await waitStatus(svc, r.body.id);
  t.is(run.status, 'done', run.error ?? '');
  t.is(run.experiment, 'svc-sweep');
  t.true(fs.existsSync(path.join(svc.resultsDir, 'svc-sweep', r.body.id, 'points.csv')));
  const g = (await get(svc, `/api/experiments/${r.body.id}`)).json();
  t.is(g.kind, 'spec');
  t.is(g.manifest.points, 2);
});

specTest('bad specs: 400 (not an object, no name, and what the CLI finds wrong), nothing recorded', async (t) => {
  for (const [spec, re] of [
    ['x', /'spec' must be an object/],
    [[1], /'spec' must be an object/],
    [{ workflows: ['genome'] }, /'spec.name'/],
    [{ name: '../up' }, /'spec.name'/],
  ] as const) {
    const r = await post(svc, '/api/experiments', { spec });
    t.is(r.status, 400, JSON.stringify(spec));
    t.regex(r.body.message, re);
  }
  const r = await post(svc, '/api/experiments', { spec: { name: 'bad-sweep', workflows: ['genome'], modes: ['nomode'], axes: [{ name: 'bandwidth', values: [50] }] } });
  t.is(r.status, 400);
  t.regex(r.body.message, /nomode/);
  t.deepEqual(svc.store.list().filter((x) => x.experiment === 'bad-sweep'), []);
  const specs = path.join(svc.resultsDir, '.service', 'specs');
  t.deepEqual(fs.readdirSync(specs).filter((f) => fs.readFileSync(path.join(specs, f), 'utf8').includes('bad-sweep')), [], 'the spec file of a refused spec is removed');
});

test('unknown id: 404 on every run endpoint', async (t) => {
  for (const [method, url] of [
    ['GET', '/api/experiments/nope'],
    ['GET', '/api/experiments/nope/results'],
    ['GET', '/api/experiments/nope/results/points.csv'],
    ['GET', '/api/experiments/nope/summary'],
    ['GET', '/api/experiments/nope/events'],
    ['POST', '/api/experiments/nope/cancel'],
    ['POST', '/api/experiments/nope/resume'],
  ] as const) {
    const r = await svc.app.inject({ method, url });
    t.is(r.statusCode, 404, url);
    t.regex(r.json().message, /no run 'nope'/, url);
  }
  t.is((await get(svc, '/api/nothing')).statusCode, 404);
});

test('results paths that leave the run folder: 400 or 404, never the file', async (t) => {
  const id = await finished;
  const runDir = path.join(svc.resultsDir, 'tail', id);
  fs.symlinkSync('/etc/passwd', path.join(runDir, 'evil.csv'));
  fs.symlinkSync('/etc', path.join(runDir, 'evildir'));
  fs.writeFileSync(path.join(svc.resultsDir, 'secret.txt'), 'secret');
  const cases: Array<[string, number[]]> = [
    ['..%2F..%2Fsecret.txt', [400]],
    ['%2e%2e%2f%2e%2e%2fsecret.txt', [400]],
    ['%2e%2e/%2e%2e/secret.txt', [400, 404]],
    ['../../secret.txt', [400, 404]],
    ['points/..%2F..%2F..%2Fsecret.txt', [400]],
    ['%2Fetc%2Fpasswd', [400]],
    ['%2F%2Fetc%2Fpasswd', [400]],
    ['evil.csv', [400]],
    ['evildir/passwd', [400]],
    ['points', [404]],
    ['nope.csv', [404]],
    ['%00', [400]],
    ['%252e%252e%252fsecret.txt', [404]],
  ];
  for (const [f, codes] of cases) {
    const r = await get(svc, `/api/experiments/${id}/results/${f}`);
    t.true(codes.includes(r.statusCode), `${f}: ${r.statusCode}`);
    t.false(r.body.includes('secret') && !r.body.includes('secret.txt'), f);
    t.false(r.body.includes('root:'), f);
  }
  // a file in a subfolder of the run is fine
  const sub = fs.readdirSync(path.join(runDir, 'points'))[0];
  t.is((await get(svc, `/api/experiments/${id}/results/points/${sub}`)).statusCode, 200);
  fs.rmSync(path.join(runDir, 'evil.csv'));
  fs.rmSync(path.join(runDir, 'evildir'));
});

test('cancel or resume a finished run: 409', async (t) => {
  const id = await finished;
  const c = await post(svc, `/api/experiments/${id}/cancel`);
  t.is(c.status, 409);
  t.regex(c.body.message, /is done/);
  const r = await post(svc, `/api/experiments/${id}/resume`);
  t.is(r.status, 409);
});

test('the dashboard and the vendor builds of vega, vega-lite and vega-embed are served', async (t) => {
  const page = await get(svc, '/');
  t.is(page.statusCode, 200);
  t.regex(String(page.headers['content-type']), /text\/html/);
  t.regex(page.body, /vega-embed\.min\.js/);
  for (const f of ['vega.min.js', 'vega-lite.min.js', 'vega-embed.min.js']) {
    const r = await get(svc, `/vendor/${f}`);
    t.is(r.statusCode, 200, f);
    t.regex(String(r.headers['content-type']), /javascript/);
    t.true(r.rawPayload.length > 10_000);
  }
  t.is((await get(svc, '/static/app.js')).statusCode, 200);
  t.is((await get(svc, '/static/..%2Fserver.ts')).statusCode, 400);
  t.is((await get(svc, '/vendor/..%2Fpackage.json')).statusCode, 404);
});

test('with a token: 401 without it or with a wrong one, 200 with Bearer, ?token= or the cookie it sets', async (t) => {
  const s = buildService({ resultsDir: dirs.make('token'), token: 'correct-horse-battery' });
  t.teardown(() => s.close());
  for (const url of ['/', '/api/experiments', '/api/catalog', '/vendor/vega.min.js', '/api/experiments/x/events']) {
    const none = await get(s, url);
    t.is(none.statusCode, 401, url);
    t.regex(none.json().message, /needs a token/);
    t.is((await get(s, url, { authorization: 'Bearer wrong' })).statusCode, 401, url);
    t.is((await get(s, `${url}?token=wrong`)).statusCode, 401, url);
  }
  t.regex((await get(s, '/api/experiments', { authorization: 'Bearer wrong' })).json().message, /wrong token/);
  t.is((await get(s, '/api/experiments', { authorization: 'Bearer correct-horse-battery' })).statusCode, 200);
  t.is((await get(s, '/api/experiments', { authorization: 'Basic correct-horse-battery' })).statusCode, 401);
  const q = await get(s, '/?token=correct-horse-battery');
  t.is(q.statusCode, 200);
  const cookie = String(q.headers['set-cookie']).split(';')[0];
  t.regex(cookie, /^flowsim_token=/);
  t.is((await get(s, '/api/catalog', { cookie })).statusCode, 200);
  t.is((await post(s, '/api/experiments', { experiment: 'nope' })).status, 401);
  t.is((await post(s, '/api/experiments', { experiment: 'nope' }, { authorization: 'Bearer correct-horse-battery' })).status, 400);
});

test('a non-loopback host without a token is refused; with --token or FLOWSIM_TOKEN it is allowed', async (t) => {
  await t.throwsAsync(parseServeArgs(['--host', '0.0.0.0'], {}), { message: /refusing to listen on 0\.0\.0\.0 without a token/ });
  await t.throwsAsync(parseServeArgs(['--host', '192.168.1.5'], {}), { message: /--token/ });
  t.is((await parseServeArgs(['--host', '0.0.0.0', '--token', 'a-long-token'], {}))!.token, 'a-long-token');
  t.is((await parseServeArgs(['--host', '0.0.0.0'], { FLOWSIM_TOKEN: 'from-the-env' }))!.token, 'from-the-env');
  await t.throwsAsync(parseServeArgs(['--host', '0.0.0.0', '--token', 'short'], {}), { message: /at least 8/ });
  for (const host of ['127.0.0.1', '::1', 'localhost']) t.is((await parseServeArgs(['--host', host], {}))!.token, undefined);
  const d = (await parseServeArgs([], {}))!;
  t.is(d.host, '127.0.0.1');
  t.is(d.port, 8642);
  t.is(d.db, path.join(ROOT, 'results', '.service', 'flowsim.db'));
  await t.throwsAsync(parseServeArgs(['--bogus'], {}), { message: /Unknown argument: bogus/ });
  // the real command: exit 2 and the message, nothing listening
  const r = await execa(process.execPath, ['--import', 'tsx', 'service/cli.ts', '--host', '0.0.0.0', '--results', dirs.make('refuse')], { cwd: ROOT, reject: false, env: { FLOWSIM_TOKEN: '' } });
  t.is(r.exitCode, 2);
  t.regex(r.stderr, /refusing to listen on 0\.0\.0\.0 without a token/);
});

test('SSE: a run streams its status, progress and log lines live', async (t) => {
  const s = buildService({ resultsDir: dirs.make('sse') });
  t.teardown(() => s.close());
  const address = await s.app.listen({ host: '127.0.0.1', port: 0 });
  const r = await post(s, '/api/experiments', { experiment: 'tail', args: smallArgs(3) });
  t.is(r.status, 201);
  const { events, contentType } = await readSse(`${address}/api/experiments/${r.body.id}/events`, (e) => e.event === 'status' && TERMINAL.includes(e.data.status as RunStatus));
  t.regex(String(contentType), /text\/event-stream/);
  const last = events[events.length - 1].data;
  t.is(last.status, 'done', String(last.error ?? ''));
  const progress = events.filter((e) => e.event === 'progress');
  t.true(progress.length >= 3, `progress events: ${progress.length}`);
  t.is(progress[progress.length - 1].data.done, 3);
  t.is(progress[progress.length - 1].data.total, 3);
  t.true(events.some((e) => e.event === 'log' && /3 points x 1 seeds/.test(String(e.data.line))));
  t.is(events[0].event, 'status');
  // the all-runs stream replays the current status of every run
  const all = await readSse(`${address}/api/events`, (e) => e.event === 'status' && e.data.id === r.body.id);
  t.is(all.events.find((e) => e.data.id === r.body.id)!.data.status, 'done');
});
