/**
 * The experiment service: a Fastify app with the REST API (runs, their results, SSE events,
 * OpenAPI), the dashboard (service/public/) and the Vega browser builds under /vendor/.
 * `buildService` returns the app without listening (tests use `app.inject`); service/cli.ts listens.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { EXPERIMENTS, experimentNames } from '../experiments/registry.js';
import { parseCsv } from '../experiments/lib/csv.js';
import type { AxisValues } from '../experiments/types.js';
import { Store, type RunRow } from './db.js';
import { openapi } from './openapi.js';
import { InputError, RunManager, type RunEvent } from './runs.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '..');
const PUBLIC = path.join(HERE, 'public');

export interface ServiceOptions {
  /** Results root (default <repo>/results). */
  resultsDir?: string;
  /** SQLite file (default <results>/.service/flowsim.db). */
  dbFile?: string;
  /** Required on every request when set (Bearer header, ?token= or the cookie the dashboard gets). */
  token?: string;
  /** Experiments run at the same time (default 1). */
  parallel?: number;
  /** Fastify logger (default off). */
  logger?: boolean;
  /** Ms between SIGINT and SIGKILL when stopping a child. */
  killGraceMs?: number;
}

export interface Service {
  app: FastifyInstance;
  manager: RunManager;
  store: Store;
  resultsDir: string;
  /** Closes the HTTP side, stops the children (interrupted) and the database. */
  close(): Promise<void>;
  /** Tests: kill the children without bookkeeping and close the database, as a crash would. */
  crash(): Promise<void>;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/i;
export const isLoopback = (host: string): boolean => LOOPBACK.test(host.replace(/^\[|\]$/g, ''));

const CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.yaml': 'text/yaml; charset=utf-8',
};
const contentType = (f: string) => CONTENT_TYPES[path.extname(f).toLowerCase()] ?? 'application/octet-stream';

const VENDOR: Record<string, string> = {
  'vega.min.js': 'vega/build/vega.min.js',
  'vega-lite.min.js': 'vega-lite/build/vega-lite.min.js',
  'vega-embed.min.js': 'vega-embed/build/vega-embed.min.js',
};

function axisValues(v: AxisValues | undefined): unknown[] | null {
  return Array.isArray(v) ? v : null;
}

/** The built-in experiments with their axes (GET /api/catalog). */
export function catalog() {
  return EXPERIMENTS.map((e) => ({
    name: e.name,
    description: e.description,
    source: e.source,
    seeds: e.seeds ?? 3,
    axes: e.axes.map((a) => ({
      name: a.name,
      describe: a.describe,
      values: axisValues(a.values),
      quickValues: axisValues(a.quick ?? a.values),
      /** How `args.<name>` is parsed; null: the axis is fixed. */
      override: a.cli ?? null,
    })),
    metrics: e.metrics,
    plots: e.plots.map((p) => ({ name: p.name, title: p.title })),
  }));
}

const sha = (s: string) => crypto.createHash('sha256').update(s).digest();
function tokenOk(expected: string, given: string | undefined): boolean {
  return given !== undefined && crypto.timingSafeEqual(sha(expected), sha(given));
}
function cookie(req: FastifyRequest, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

/** Resolves `file` inside `dir`, refusing anything that leaves it (.., absolute paths, symlinks out). */
export function safeJoin(dir: string, file: string): { path: string } | { status: 400 | 404; message: string } {
  if (file === '' || file.includes('\0')) return { status: 400, message: 'bad file name' };
  if (path.isAbsolute(file) || file.startsWith('\\') || /^[A-Za-z]:/.test(file)) return { status: 400, message: 'absolute paths are not allowed' };
  if (file.split(/[\\/]/).some((s) => s === '..')) return { status: 400, message: "'..' is not allowed in a results path" };
  const full = path.resolve(dir, file);
  if (!full.startsWith(dir + path.sep)) return { status: 400, message: 'the path leaves the run folder' };
  let real: string;
  let realDir: string;
  try {
    realDir = fs.realpathSync(dir);
    real = fs.realpathSync(full);
  } catch {
    return { status: 404, message: `no file '${file}' in this run` };
  }
  if (!real.startsWith(realDir + path.sep)) return { status: 400, message: 'the path leaves the run folder (symlink)' };
  if (!fs.statSync(real).isFile()) return { status: 404, message: `'${file}' is not a file` };
  return { path: real };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  } catch {
    return null;
  }
}

export function buildService(o: ServiceOptions = {}): Service {
  const resultsDir = path.resolve(o.resultsDir ?? path.join(REPO_ROOT, 'results'));
  const serviceDir = path.join(resultsDir, '.service');
  const store = new Store(o.dbFile ?? path.join(serviceDir, 'flowsim.db'));
  const manager = new RunManager({ store, resultsDir, serviceDir, repoRoot: REPO_ROOT, parallel: o.parallel ?? 1, killGraceMs: o.killGraceMs });
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: 1024 * 1024 });
  const names = experimentNames();
  const streams = new Set<ServerResponse>();

  const view = (r: RunRow) => {
    const rel = path.relative(resultsDir, r.runDir);
    const exists = fs.existsSync(r.runDir);
    return {
      id: r.id,
      experiment: r.experiment,
      kind: r.kind,
      args: r.args,
      ...(r.kind === 'spec' ? { spec: r.spec } : {}),
      status: r.status,
      progress: { done: r.done, total: r.total },
      runDir: rel,
      incomplete: exists ? fs.existsSync(path.join(r.runDir, 'INCOMPLETE')) : null,
      pid: r.pid,
      createdAt: r.createdAt,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      exitCode: r.exitCode,
      error: r.error,
      resumes: r.resumes,
    };
  };
  const getRun = (id: string): RunRow => {
    const r = store.get(id);
    if (!r) throw new InputError(`no run '${id}'`, 404);
    return r;
  };

  // --- security: the token, when set, on every request
  if (o.token) {
    const token = o.token;
    app.addHook('onRequest', async (req, reply) => {
      const auth = req.headers.authorization;
      const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
      const q = (req.query as Record<string, unknown> | undefined)?.token;
      const fromQuery = typeof q === 'string' ? q : undefined;
      if (tokenOk(token, bearer) || tokenOk(token, fromQuery) || tokenOk(token, cookie(req, 'flowsim_token'))) {
        // the dashboard opened with ?token= keeps working for its scripts, plots and SSE
        if (fromQuery !== undefined) reply.header('set-cookie', `flowsim_token=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
        return;
      }
      reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized', message: auth || fromQuery ? 'wrong token' : 'this service needs a token: Authorization: Bearer <token> (or ?token=<token>)' });
      return reply;
    });
  }

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    if (err instanceof InputError) return reply.code(err.status).send({ error: err.status === 404 ? 'not found' : err.status === 409 ? 'conflict' : 'bad request', message: err.message });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    return reply.code(status).send({ error: status === 500 ? 'internal error' : 'bad request', message: err.message });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not found', message: `no route ${req.method} ${req.url.split('?')[0]}` }));

  // --- dashboard and vendor scripts
  const sendFile = (reply: FastifyReply, file: string) => reply.header('content-type', contentType(file)).header('cache-control', 'no-cache').send(fs.readFileSync(file));
  app.get('/', async (_req, reply) => sendFile(reply, path.join(PUBLIC, 'index.html')));
  app.get('/static/:file', async (req, reply) => {
    const f = (req.params as { file: string }).file;
    const p = safeJoin(PUBLIC, f);
    if (!('path' in p)) return reply.code(p.status).send({ error: 'not found', message: p.message });
    return sendFile(reply, p.path);
  });
  app.get('/vendor/:file', async (req, reply) => {
    const rel = VENDOR[(req.params as { file: string }).file];
    if (!rel) return reply.code(404).send({ error: 'not found', message: `vendor files: ${Object.keys(VENDOR).join(', ')}` });
    return reply.header('content-type', contentType(rel)).header('cache-control', 'max-age=3600').send(fs.readFileSync(path.join(REPO_ROOT, 'node_modules', rel)));
  });

  // --- API
  app.get('/api/openapi.json', async () => openapi(names));
  app.get('/api/catalog', async () => ({ experiments: catalog() }));

  app.post('/api/experiments', async (req, reply) => {
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new InputError('the body must be a JSON object: { "experiment": "<name>", "args": { ... } } or { "spec": { ... } }');
    const extra = Object.keys(body).filter((k) => !['experiment', 'args', 'spec'].includes(k));
    if (extra.length) throw new InputError(`unknown field${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')}; the body has 'experiment' and 'args', or 'spec' and 'args'`);
    const r = await manager.create(body as { experiment?: unknown; args?: unknown; spec?: unknown }, names);
    return reply.code(201).header('location', `/api/experiments/${r.id}`).send({ id: r.id, status: r.status });
  });

  app.get('/api/experiments', async () => ({ runs: store.list().map(view) }));

  app.get('/api/experiments/:id', async (req) => {
    const r = getRun((req.params as { id: string }).id);
    return { ...view(r), manifest: r.status === 'done' ? readJson(path.join(r.runDir, 'manifest.json')) : null };
  });

  app.get('/api/experiments/:id/results', async (req) => {
    const r = getRun((req.params as { id: string }).id);
    if (!fs.existsSync(r.runDir)) return { files: [] };
    const files = fs
      .readdirSync(r.runDir, { withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => {
        const st = fs.statSync(path.join(r.runDir, d.name));
        return { name: d.name, size: st.size, contentType: contentType(d.name), url: `/api/experiments/${r.id}/results/${encodeURIComponent(d.name)}` };
      })
      .sort((a, b) => a.name.localeCompare(b.name));
    return { files };
  });

  app.get('/api/experiments/:id/results/*', async (req, reply) => {
    const params = req.params as { id: string; '*': string };
    const r = getRun(params.id);
    const p = safeJoin(path.resolve(r.runDir), params['*']);
    if (!('path' in p)) return reply.code(p.status).send({ error: p.status === 404 ? 'not found' : 'bad request', message: p.message });
    return reply.header('content-type', contentType(p.path)).send(fs.readFileSync(p.path));
  });

  /** summary.csv parsed, for the dashboard's tables and comparisons. */
  app.get('/api/experiments/:id/summary', async (req) => {
    const r = getRun((req.params as { id: string }).id);
    const f = path.join(r.runDir, 'summary.csv');
    if (!fs.existsSync(f)) throw new InputError(`run '${r.id}' has no summary.csv yet (${r.status})`, 404);
    const [columns = [], ...rows] = parseCsv(fs.readFileSync(f, 'utf8'));
    const manifest = readJson(path.join(r.runDir, 'manifest.json')) as { axes?: string[]; metrics?: unknown[] } | null;
    return { columns, rows, axes: manifest?.axes ?? null, metrics: manifest?.metrics ?? null };
  });

  app.post('/api/experiments/:id/cancel', async (req) => ({ ...view(manager.cancel((req.params as { id: string }).id)) }));
  app.post('/api/experiments/:id/resume', async (req) => ({ ...view(manager.resume((req.params as { id: string }).id)) }));

  /** Server-sent events: `status`, `progress`, `log` for one run, or for every run (GET /api/events). */
  const sse = (req: FastifyRequest, reply: FastifyReply, id: string | null) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    streams.add(res);
    const send = (type: string, data: unknown) => res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    res.write('retry: 2000\n\n');
    if (id) {
      const r = store.get(id)!;
      send('status', { id, status: r.status, done: r.done, total: r.total, exitCode: r.exitCode, error: r.error });
      const after = Number((req.query as { after?: string }).after ?? 0);
      for (const l of store.logs(id, Number.isFinite(after) ? after : 0, 200)) send('log', { id, ...l });
    } else for (const r of store.list()) send('status', { id: r.id, status: r.status, done: r.done, total: r.total, exitCode: r.exitCode, error: r.error });
    const onEvent = (e: RunEvent) => {
      if (id && e.id !== id) return;
      if (!id && e.type === 'log') return; // the all-runs stream carries status and progress only
      send(e.type, { id: e.id, ...(e.data as object) });
    };
    manager.on('event', onEvent);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    const done = () => {
      clearInterval(beat);
      manager.off('event', onEvent);
      streams.delete(res);
    };
    req.raw.on('close', done);
    res.on('close', done);
  };
  app.get('/api/experiments/:id/events', async (req, reply) => {
    getRun((req.params as { id: string }).id);
    sse(req, reply, (req.params as { id: string }).id);
  });
  app.get('/api/events', async (req, reply) => sse(req, reply, null));

  app.addHook('preClose', async () => {
    for (const s of streams) s.end();
  });

  let closed = false;
  return {
    app,
    manager,
    store,
    resultsDir,
    async close() {
      if (closed) return;
      closed = true;
      await manager.close();
      await app.close();
      store.close();
    },
    async crash() {
      if (closed) return;
      closed = true;
      manager.crash();
      await app.close();
      store.close();
    },
  };
}
