/**
 * The service's SQLite store (better-sqlite3, synchronous, WAL): the runs and their log lines.
 * The schema is versioned (table schema_version); `migrate` brings any older file up to date,
 * one step per version, each in a transaction.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'done', 'failed', 'cancelled', 'interrupted'];

export interface RunRow {
  id: string;
  experiment: string;
  /** Built-in experiment (`builtin`) or a user-defined sweep spec (`spec`). */
  kind: 'builtin' | 'spec';
  args: Record<string, unknown>;
  spec: unknown;
  status: RunStatus;
  done: number;
  total: number | null;
  runDir: string;
  pid: number | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
  error: string | null;
  /** Times the run was resumed. */
  resumes: number;
}

export interface LogLine {
  seq: number;
  ts: string;
  stream: 'stdout' | 'stderr' | 'service';
  line: string;
}

interface DbRun {
  id: string;
  experiment: string;
  kind: string;
  args: string;
  spec: string | null;
  status: string;
  done: number;
  total: number | null;
  run_dir: string;
  pid: number | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  exit_code: number | null;
  error: string | null;
  resumes: number;
}

/** Migration steps: MIGRATIONS[i] takes the schema from version i to i + 1. */
const MIGRATIONS: Array<(db: Database.Database) => void> = [
  (db) => {
    db.exec(`
      CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        experiment TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('builtin', 'spec')),
        args TEXT NOT NULL,
        spec TEXT,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        done INTEGER NOT NULL DEFAULT 0,
        total INTEGER,
        run_dir TEXT NOT NULL,
        pid INTEGER,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        exit_code INTEGER,
        error TEXT,
        resumes INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX runs_status ON runs(status);
      CREATE TABLE logs (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        ts TEXT NOT NULL,
        stream TEXT NOT NULL,
        line TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
      );
    `);
  },
];
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the database to SCHEMA_VERSION; returns the version it found. */
export function migrate(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
  const row = db.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  const found = row?.version ?? 0;
  if (found > SCHEMA_VERSION) throw new Error(`the database schema is version ${found}, newer than this service knows (${SCHEMA_VERSION}); use a newer flowsim or another --db`);
  for (let v = found; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      MIGRATIONS[v](db);
      db.prepare('DELETE FROM schema_version').run();
      db.prepare('INSERT INTO schema_version (version) VALUES (?)').run(v + 1);
    })();
  }
  return found;
}

const fromDb = (r: DbRun): RunRow => ({
  id: r.id,
  experiment: r.experiment,
  kind: r.kind as RunRow['kind'],
  args: JSON.parse(r.args) as Record<string, unknown>,
  spec: r.spec === null ? null : (JSON.parse(r.spec) as unknown),
  status: r.status as RunStatus,
  done: r.done,
  total: r.total,
  runDir: r.run_dir,
  pid: r.pid,
  createdAt: r.created_at,
  startedAt: r.started_at,
  finishedAt: r.finished_at,
  exitCode: r.exit_code,
  error: r.error,
  resumes: r.resumes,
});

const COLUMNS: Record<string, string> = {
  status: 'status',
  done: 'done',
  total: 'total',
  runDir: 'run_dir',
  pid: 'pid',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  exitCode: 'exit_code',
  error: 'error',
  resumes: 'resumes',
};

export class Store {
  readonly db: Database.Database;
  private seqs = new Map<string, number>();

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    migrate(this.db);
  }

  close(): void {
    this.db.close();
  }

  insert(r: Omit<RunRow, 'done' | 'total' | 'pid' | 'startedAt' | 'finishedAt' | 'exitCode' | 'error' | 'resumes'>): void {
    this.db
      .prepare('INSERT INTO runs (id, experiment, kind, args, spec, status, run_dir, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(r.id, r.experiment, r.kind, JSON.stringify(r.args), r.spec === null || r.spec === undefined ? null : JSON.stringify(r.spec), r.status, r.runDir, r.createdAt);
  }

  get(id: string): RunRow | undefined {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as DbRun | undefined;
    return r ? fromDb(r) : undefined;
  }

  /** Newest first. */
  list(): RunRow[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY created_at DESC, id DESC').all() as DbRun[]).map(fromDb);
  }

  byStatus(status: RunStatus): RunRow[] {
    return (this.db.prepare('SELECT * FROM runs WHERE status = ? ORDER BY created_at, id').all(status) as DbRun[]).map(fromDb);
  }

  update(id: string, fields: Partial<Pick<RunRow, 'status' | 'done' | 'total' | 'runDir' | 'pid' | 'startedAt' | 'finishedAt' | 'exitCode' | 'error' | 'resumes'>>): void {
    const keys = Object.keys(fields).filter((k) => k in COLUMNS);
    if (keys.length === 0) return;
    const sql = `UPDATE runs SET ${keys.map((k) => `${COLUMNS[k]} = @${k}`).join(', ')} WHERE id = @id`;
    this.db.prepare(sql).run({ ...fields, id });
  }

  appendLog(id: string, stream: LogLine['stream'], line: string): LogLine {
    let seq = this.seqs.get(id);
    if (seq === undefined) seq = ((this.db.prepare('SELECT MAX(seq) AS m FROM logs WHERE run_id = ?').get(id) as { m: number | null }).m ?? 0);
    seq++;
    this.seqs.set(id, seq);
    const ts = new Date().toISOString();
    this.db.prepare('INSERT INTO logs (run_id, seq, ts, stream, line) VALUES (?, ?, ?, ?, ?)').run(id, seq, ts, stream, line);
    return { seq, ts, stream, line };
  }

  /** Log lines after `afterSeq`, oldest first (at most `limit`, the latest ones). */
  logs(id: string, afterSeq = 0, limit = 1000): LogLine[] {
    const rows = this.db
      .prepare('SELECT seq, ts, stream, line FROM logs WHERE run_id = ? AND seq > ? ORDER BY seq DESC LIMIT ?')
      .all(id, afterSeq, limit) as LogLine[];
    return rows.reverse();
  }
}
