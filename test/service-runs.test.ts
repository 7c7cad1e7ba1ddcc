/**
 * Service run life cycle: the queue (one at a time), cancel then resume ends byte-identical to an
 * uninterrupted run, persistence across a restart (runs and logs listed again, a run killed midway
 * marked interrupted and resumable to done, queued runs started again), the schema migration, and
 * the real `npm run serve` process killed with its experiment child orphaned.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import test from 'ava';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { SCHEMA_VERSION, Store, migrate } from '../service/db.js';
import { buildService, type Service } from '../service/server.js';
import { get, longArgs, post, smallArgs, tempDirs, until, waitProgress, waitStatus } from '../service/testkit.js';
import { argsToArgv } from '../service/runs.js';

/** True once no process has this pid. */
function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

const ROOT = path.resolve(import.meta.dirname, '..');
const dirs = tempDirs();
const services: Service[] = [];
const pids: number[] = [];
const open = (o: Parameters<typeof buildService>[0]) => {
  const s = buildService({ killGraceMs: 3000, ...o });
  services.push(s);
  return s;
};
test.after.always(async () => {
  for (const s of services) await s.close().catch(() => {});
  for (const pid of pids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  dirs.cleanup();
});

/** points.csv of an uninterrupted run of `longArgs`, straight from the CLI. */
let reference: Promise<Buffer>;
test.before(() => {
  reference = (async () => {
    const out = dirs.make('ref');
    await execa(process.execPath, ['--import', 'tsx', 'experiments/cli.ts', 'tail', '--out', out, '--run-id', 'ref', '--progress', 'none', ...argsToArgv(longArgs())], { cwd: ROOT });
    return fs.readFileSync(path.join(out, 'tail', 'ref', 'points.csv'));
  })();
});

const points = (s: Service, id: string) => fs.readFileSync(path.join(s.resultsDir, 'tail', id, 'points.csv'));

test.serial('cancel midway (SIGINT) then resume: done, points.csv byte-identical to an uninterrupted run', async (t) => {
  const s = open({ resultsDir: dirs.make('cancel') });
  const r = await post(s, '/api/experiments', { experiment: 'tail', args: longArgs() });
  t.is(r.status, 201);
  await waitProgress(s, r.body.id);
  const c = await post(s, `/api/experiments/${r.body.id}/cancel`);
  t.is(c.status, 200);
  const cancelled = await waitStatus(s, r.body.id);
  t.is(cancelled.status, 'cancelled');
  t.true(cancelled.done < 24, `done ${cancelled.done}`);
  t.true(fs.existsSync(path.join(s.resultsDir, 'tail', r.body.id, 'INCOMPLETE')));
  t.is((await get(s, `/api/experiments/${r.body.id}`)).json().incomplete, true);
  t.is((await post(s, `/api/experiments/${r.body.id}/cancel`)).status, 409);

  const res = await post(s, `/api/experiments/${r.body.id}/resume`);
  t.is(res.status, 200);
  const done = await waitStatus(s, r.body.id);
  t.is(done.status, 'done', done.error ?? '');
  t.is(done.resumes, 1);
  t.deepEqual([done.done, done.total], [24, 24]);
  t.false(fs.existsSync(path.join(s.resultsDir, 'tail', r.body.id, 'INCOMPLETE')));
  t.true(points(s, r.body.id).equals(await reference), 'points.csv differs from the uninterrupted run');
  const logs = s.store.logs(r.body.id).map((l) => l.line);
  t.true(logs.some((l) => /started \(resuming\)/.test(l)));
  t.true(logs.some((l) => /already done/.test(l)));
});

test.serial('one run at a time: the next waits queued; a queued run cancels at once and resumes from scratch', async (t) => {
  const s = open({ resultsDir: dirs.make('queue') });
  // the first run is long (24 tasks) so that it is still running while the second is posted and
  // checked, even on a loaded machine (a 3-point run once ended before the second POST returned)
  const a = await post(s, '/api/experiments', { experiment: 'tail', args: longArgs() });
  const b = await post(s, '/api/experiments', { experiment: 'tail', args: smallArgs(1) });
  t.is(s.store.get(a.body.id)!.status, 'running');
  t.is(s.store.get(b.body.id)!.status, 'queued');
  t.is((await post(s, `/api/experiments/${b.body.id}/cancel`)).status, 200);
  t.is(s.store.get(b.body.id)!.status, 'cancelled');
  t.is(s.store.get(b.body.id)!.startedAt, null);
  t.is((await post(s, `/api/experiments/${b.body.id}/resume`)).status, 200);
  await waitStatus(s, b.body.id);
  const [ra, rb] = [s.store.get(a.body.id)!, s.store.get(b.body.id)!];
  t.is(ra.status, 'done');
  t.is(rb.status, 'done', rb.error ?? '');
  t.true(ra.finishedAt! <= rb.startedAt!, 'the second started after the first finished');
});

test.serial('restart: runs and logs survive; a run killed midway is interrupted, resumable to done; queued runs start again', async (t) => {
  const results = dirs.make('restart');
  const db = path.join(results, 'state', 'svc.db');
  const a = open({ resultsDir: results, dbFile: db });
  const done = await post(a, '/api/experiments', { experiment: 'tail', args: smallArgs(1) });
  await waitStatus(a, done.body.id);
  const long = await post(a, '/api/experiments', { experiment: 'tail', args: longArgs() });
  const queued = await post(a, '/api/experiments', { experiment: 'tail', args: smallArgs(2) });
  await waitProgress(a, long.body.id);
  t.is(a.store.get(queued.body.id)!.status, 'queued');
  const pid = a.store.get(long.body.id)!.pid!;
  await a.crash(); // the experiment process is SIGKILLed, the rows stay as they were
  await until('the killed experiment to be gone', () => processGone(pid), 10_000);

  const b = open({ resultsDir: results, dbFile: db });
  t.is(b.store.get(long.body.id)!.status, 'running'); // as the crash left it, until recover()
  b.manager.recover();
  const list = (await get(b, '/api/experiments')).json().runs as Array<{ id: string; status: string }>;
  t.deepEqual(list.map((r) => r.id).sort(), [done.body.id, long.body.id, queued.body.id].sort());
  t.is(list.find((r) => r.id === done.body.id)!.status, 'done');
  const interrupted = (await get(b, `/api/experiments/${long.body.id}`)).json();
  t.is(interrupted.status, 'interrupted');
  t.regex(interrupted.error, /POST resume/);
  t.true(interrupted.incomplete);
  t.true(b.store.logs(done.body.id).some((l) => /tail: 1 points x 1 seeds/.test(l.line)), 'log lines survive');
  t.true(['running', 'done'].includes(b.store.get(queued.body.id)!.status), 'the queued run started again');

  t.is((await post(b, `/api/experiments/${long.body.id}/resume`)).status, 200);
  const resumed = await waitStatus(b, long.body.id);
  t.is(resumed.status, 'done', resumed.error ?? '');
  t.true(points(b, long.body.id).equals(await reference), 'points.csv differs from the uninterrupted run');
  t.is((await waitStatus(b, queued.body.id)).status, 'done');
});

test.serial('the real service process killed: its orphaned experiment is stopped on restart, the run is interrupted and resumes', async (t) => {
  const results = dirs.make('process');
  const child = spawn(process.execPath, ['--import', 'tsx', 'service/cli.ts', '--port', '0', '--results', results], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  pids.push(child.pid!);
  const address = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (l) => {
      const m = /service on (http:\/\/\S+)/.exec(l);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`service exited ${code}`)));
  });
  const r = await fetch(`${address}/api/experiments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ experiment: 'tail', args: longArgs() }) });
  t.is(r.status, 201);
  const { id } = (await r.json()) as { id: string };
  let expPid = 0;
  for (let i = 0; i < 600; i++) {
    const g = (await (await fetch(`${address}/api/experiments/${id}`)).json()) as { progress: { done: number }; pid: number | null; status: string; error: string | null };
    if (!['queued', 'running'].includes(g.status)) throw new Error(`the run ended ${g.status}: ${g.error}`);
    if (g.progress.done >= 1 && g.pid) {
      expPid = g.pid;
      break;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
  t.true(expPid > 0);
  process.kill(child.pid!, 'SIGKILL'); // the service dies; its experiment (own process group) lives on
  await new Promise((res) => child.once('close', res));
  pids.push(expPid);
  t.notThrows(() => process.kill(expPid, 0), 'the orphan still runs');

  const s = open({ resultsDir: results });
  s.manager.recover();
  await until('the orphan to be stopped', () => processGone(expPid), 10_000);
  const row = s.store.get(id)!;
  t.is(row.status, 'interrupted');
  t.regex(row.error!, /orphaned experiment process was stopped/);
  t.is((await post(s, `/api/experiments/${id}/resume`)).status, 200);
  const done = await waitStatus(s, id);
  t.is(done.status, 'done', done.error ?? '');
  t.true(points(s, id).equals(await reference));
});

test('schema: v1 tables with a version row, WAL; migrate is idempotent; a newer schema is refused', (t) => {
  const file = path.join(dirs.make('schema'), 'x.db');
  const s = new Store(file);
  t.is((s.db.prepare('SELECT version FROM schema_version').get() as { version: number }).version, SCHEMA_VERSION);
  t.is(SCHEMA_VERSION, 1);
  t.is(s.db.pragma('journal_mode', { simple: true }), 'wal');
  const tables = (s.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);
  t.deepEqual(tables, ['logs', 'runs', 'schema_version']);
  t.is(migrate(s.db), 1);
  s.close();
  const raw = new Database(file);
  raw.prepare('UPDATE schema_version SET version = 99').run();
  raw.close();
  t.throws(() => new Store(file), { message: /schema is version 99, newer than this service knows/ });
});
