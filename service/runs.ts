/**
 * Runs experiments as child processes of the experiment CLI (`experiments/cli.ts`), at most
 * `parallel` at a time (the others wait, queued), reading its `--progress json` lines, and keeps
 * every run and its log lines in the Store. Events (progress, log, status) are emitted for SSE.
 *
 * Status rules:
 * - exit 0: done; exit 1: failed (the run folder stays INCOMPLETE, resumable); exit 2: failed (bad input).
 * - cancelled (POST cancel): a SIGINT to the child; the folder stays INCOMPLETE and resumable.
 * - interrupted: the child died of a signal the service did not send, the service shut down while
 *   it ran, or the service found it `running` on start with its process gone. Resumable.
 * - A run is (re)started with `--resume` whenever its folder already holds run.json, so a resumed
 *   run skips the points already written and ends byte-identical to an uninterrupted one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { stringify as toYaml } from 'yaml';
import type { RunRow, RunStatus, Store } from './db.js';

export const RESUMABLE: readonly RunStatus[] = ['cancelled', 'interrupted', 'failed'];
/** Options the service sets itself: a client may not pass them. */
export const RESERVED_ARGS = ['out', 'run-id', 'resume', 'progress', 'kill-after', 'queue', 'help', 'h', 'version'];

export class InputError extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface ManagerOptions {
  store: Store;
  /** Absolute results root (children get it as --out). */
  resultsDir: string;
  /** Folder for the service's own files (specs); default <resultsDir>/.service. */
  serviceDir: string;
  repoRoot: string;
  parallel: number;
  /** The experiment CLI (default <repoRoot>/experiments/cli.ts). */
  cliPath?: string;
  /** Ms to wait after SIGINT before SIGKILL. */
  killGraceMs?: number;
}

export interface RunEvent {
  id: string;
  type: 'progress' | 'log' | 'status';
  data: unknown;
}

/** `{ quick: true, bandwidth: "50", seeds: 1 }` -> `--quick --bandwidth=50 --seeds=1`. */
export function argsToArgv(args: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(args)) {
    if (!/^[A-Za-z][A-Za-z0-9-]*$/.test(k)) throw new InputError(`args: '${k}' is not an option name (letters, digits and '-')`);
    if (RESERVED_ARGS.includes(k)) throw new InputError(`args: '${k}' is set by the service; leave it out`);
    if (v === null || v === undefined) continue;
    if (typeof v === 'boolean') out.push(v ? `--${k}` : `--no-${k}`);
    else if (typeof v === 'number' || typeof v === 'string') out.push(`--${k}=${v}`);
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) out.push(`--${k}=${v.join(',')}`);
    else throw new InputError(`args: '${k}' must be a string, a number, a boolean or a list of strings and numbers`);
  }
  return out;
}

const stripError = (s: string) => s.trim().replace(/^error: /, '');

/** A run id: sortable by creation time, unique, a valid --run-id. */
export function newRunId(d = new Date()): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const rand = Math.random().toString(36).slice(2, 6).padEnd(4, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}-${rand}`;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}

interface Live {
  child: ChildProcess;
  cancelRequested: boolean;
  shuttingDown: boolean;
  stderrTail: string[];
  exited: Promise<void>;
}

export class RunManager extends EventEmitter {
  readonly store: Store;
  readonly resultsDir: string;
  readonly serviceDir: string;
  readonly repoRoot: string;
  readonly cliPath: string;
  parallel: number;
  private live = new Map<string, Live>();
  private validators = new Set<ChildProcess>();
  private closing = false;
  private crashed = false;
  private killGraceMs: number;

  constructor(o: ManagerOptions) {
    super();
    this.setMaxListeners(0);
    this.store = o.store;
    this.resultsDir = path.resolve(o.resultsDir);
    this.serviceDir = path.resolve(o.serviceDir);
    this.repoRoot = o.repoRoot;
    this.cliPath = o.cliPath ?? path.join(o.repoRoot, 'experiments', 'cli.ts');
    this.parallel = Math.max(1, o.parallel);
    this.killGraceMs = o.killGraceMs ?? 10_000;
  }

  specFile(id: string): string {
    return path.join(this.serviceDir, 'specs', `${id}.yaml`);
  }

  /** The CLI words before the common options: `<experiment>` or `run <spec.yaml>`. */
  private command(r: Pick<RunRow, 'id' | 'kind' | 'experiment'>): string[] {
    return r.kind === 'spec' ? ['run', this.specFile(r.id)] : [r.experiment];
  }

  private spawnCli(argv: string[]): ChildProcess {
    return spawn(process.execPath, ['--import', 'tsx', this.cliPath, ...argv], {
      cwd: this.repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group: the service decides when it gets a signal
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
  }

  /**
   * Checks a run's inputs with the experiment CLI itself: it is started on a scratch results
   * folder and stopped as soon as it has validated them (its first line on stdout, printed once
   * every point's scenario was built); an exit with code 2 is bad input, its message is returned.
   */
  async validate(r: Pick<RunRow, 'id' | 'kind' | 'experiment' | 'args'>): Promise<{ total: number | null }> {
    const extra = argsToArgv(r.args);
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsim-service-validate-'));
    try {
      const child = this.spawnCli([...this.command(r), '--out', scratch, '--run-id', 'validate', '--progress', 'json', ...extra]);
      this.validators.add(child);
      let stderr = '';
      child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
      return await new Promise<{ total: number | null }>((resolve, reject) => {
        let settled = false;
        let total: number | null = null;
        const rl = readline.createInterface({ input: child.stdout! });
        const ok = () => {
          if (settled) return;
          settled = true;
          killGroup(child.pid!, 'SIGKILL');
          resolve({ total });
        };
        const timer = setTimeout(ok, 120_000);
        rl.on('line', (line) => {
          const m = / = (\d+) runs/.exec(line);
          if (m) total = Number(m[1]);
          ok();
        });
        child.on('error', (e) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(e);
        });
        child.on('close', (code) => {
          clearTimeout(timer);
          this.validators.delete(child);
          if (settled) return;
          settled = true;
          if (code === 0) resolve({ total });
          else if (code === 2) reject(new InputError(stripError(stderr) || 'invalid input'));
          else reject(new InputError(`the experiment CLI failed while checking the input (exit ${code}): ${stripError(stderr)}`, 500));
        });
      });
    } finally {
      // the child is killed; remove its scratch output once it has exited
      setTimeout(() => fs.rmSync(scratch, { recursive: true, force: true }), 500).unref();
    }
  }

  /** Validates and queues a new run; returns its row. */
  async create(input: { experiment?: unknown; args?: unknown; spec?: unknown }, experiments: readonly string[]): Promise<RunRow> {
    if (this.closing) throw new InputError('the service is shutting down', 503);
    const hasSpec = input.spec !== undefined;
    if (hasSpec === (input.experiment !== undefined)) throw new InputError("give either 'experiment' (a built-in name) or 'spec' (a sweep spec object), not both");
    const args = input.args ?? {};
    if (typeof args !== 'object' || args === null || Array.isArray(args)) throw new InputError("'args' must be an object of CLI options, e.g. { \"quick\": true, \"seeds\": 1 }");
    const id = newRunId();
    let row: RunRow;
    const base = { id, args: args as Record<string, unknown>, status: 'queued' as const, done: 0, total: null, pid: null, createdAt: new Date().toISOString(), startedAt: null, finishedAt: null, exitCode: null, error: null, resumes: 0 };
    if (hasSpec) {
      const spec = input.spec;
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) throw new InputError("'spec' must be an object (a sweep spec, as in a spec YAML file)");
      const name = (spec as { name?: unknown }).name;
      if (typeof name !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new InputError("'spec.name' must be a name of letters, digits, '.', '_' and '-' (the results go to <results>/<name>/<run-id>/)");
      row = { ...base, experiment: name, kind: 'spec', spec, runDir: path.join(this.resultsDir, name, id) };
      fs.mkdirSync(path.dirname(this.specFile(id)), { recursive: true });
      fs.writeFileSync(this.specFile(id), toYaml(spec));
    } else {
      const name = input.experiment;
      if (typeof name !== 'string' || !experiments.includes(name)) throw new InputError(`unknown experiment '${String(name)}'; valid: ${experiments.join(', ')}`);
      row = { ...base, experiment: name, kind: 'builtin', spec: null, runDir: path.join(this.resultsDir, name, id) };
    }
    try {
      if (this.live.size < this.parallel && this.store.byStatus('queued').length === 0) {
        // a free slot: the run itself checks its inputs (the row is recorded once it has)
        await new Promise<void>((resolve, reject) => this.start(row, { resolve, reject }));
        return this.store.get(id)!;
      }
      const v = await this.validate(row);
      row.total = v.total;
    } catch (e) {
      if (hasSpec) fs.rmSync(this.specFile(id), { force: true });
      throw e;
    }
    if (this.closing) throw new InputError('the service is shutting down', 503);
    this.store.insert(row);
    if (row.total !== null) this.store.update(id, { total: row.total });
    this.store.appendLog(id, 'service', `queued: ${[...this.command(row), ...argsToArgv(row.args)].join(' ')}`);
    this.emitStatus(id);
    this.pump();
    return this.store.get(id)!;
  }

  private emitStatus(id: string): void {
    const r = this.store.get(id);
    if (r) this.emit('event', { id, type: 'status', data: { status: r.status, done: r.done, total: r.total, exitCode: r.exitCode, error: r.error } } satisfies RunEvent);
  }

  private log(id: string, stream: 'stdout' | 'stderr' | 'service', line: string): void {
    if (this.crashed) return;
    const l = this.store.appendLog(id, stream, line);
    this.emit('event', { id, type: 'log', data: l } satisfies RunEvent);
  }

  /** Starts queued runs while there is a free slot. */
  pump(): void {
    if (this.closing) return;
    for (const r of this.store.byStatus('queued')) {
      if (this.live.size >= this.parallel) return;
      if (this.live.has(r.id)) continue;
      this.start(r);
    }
  }

  /**
   * Starts a run's process. With `fresh`, the run is not recorded yet: its inputs are checked by
   * the process itself, and the row is inserted when its first line on stdout says they are fine
   * (`fresh.resolve`); an exit before that rejects (code 2: bad input, with the CLI's message).
   */
  private start(r: RunRow, fresh?: { resolve: () => void; reject: (e: Error) => void }): void {
    const resume = fs.existsSync(path.join(r.runDir, 'run.json'));
    const argv = [...this.command(r), '--out', this.resultsDir, '--run-id', r.id, '--progress', 'json', ...(resume ? ['--resume'] : []), ...argsToArgv(r.args)];
    const child = this.spawnCli(argv);
    let resolveExit!: () => void;
    const live: Live = { child, cancelRequested: false, shuttingDown: false, stderrTail: [], exited: new Promise((res) => (resolveExit = res)) };
    this.live.set(r.id, live);
    const startedAt = new Date().toISOString();
    let recorded = !fresh;
    const held: Array<['stdout' | 'stderr', string]> = [];
    const record = () => {
      if (recorded) return;
      recorded = true;
      this.store.insert({ ...r, status: 'running' });
      this.store.update(r.id, { pid: child.pid ?? null, startedAt });
      this.log(r.id, 'service', `started: ${[...this.command(r), ...argsToArgv(r.args)].join(' ')} (pid ${child.pid})`);
      for (const [stream, line] of held) this.log(r.id, stream, line);
      this.emitStatus(r.id);
      fresh!.resolve();
    };
    if (!fresh) {
      this.store.update(r.id, { status: 'running', pid: child.pid ?? null, startedAt, finishedAt: null, exitCode: null, error: null });
      this.log(r.id, 'service', `started${resume ? ' (resuming)' : ''}: pid ${child.pid}`);
      this.emitStatus(r.id);
    }

    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (this.crashed) return;
      record();
      this.onStdout(r.id, line);
    });
    readline.createInterface({ input: child.stderr! }).on('line', (line) => {
      live.stderrTail.push(line);
      if (live.stderrTail.length > 20) live.stderrTail.shift();
      if (recorded) this.log(r.id, 'stderr', line);
      else held.push(['stderr', line]);
    });
    child.on('error', (e) => {
      if (recorded) this.log(r.id, 'service', `could not start: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      this.live.delete(r.id);
      if (recorded) this.finish(r.id, live, code, signal);
      else {
        const msg = held.filter(([stream]) => stream === 'stderr').map(([, line]) => line).join('\n');
        if (live.shuttingDown) fresh!.reject(new InputError('the service is shutting down', 503));
        else if (code === 2) fresh!.reject(new InputError(stripError(msg) || 'invalid input'));
        else fresh!.reject(new InputError(`the experiment CLI failed while checking the input (exit ${code ?? signal}): ${stripError(msg)}`, 500));
      }
      resolveExit();
      this.pump();
    });
  }

  private onStdout(id: string, line: string): void {
    if (this.crashed) return;
    if (line.startsWith('{"progress"')) {
      try {
        const p = (JSON.parse(line) as { progress: { done: number; total: number; event: string; elapsedS: number } }).progress;
        this.store.update(id, { done: p.done, total: p.total });
        this.emit('event', { id, type: 'progress', data: p } satisfies RunEvent);
        return;
      } catch {
        /* a log line after all */
      }
    }
    // the runner's first line names the run folder: "<exp>: N points x S seeds = T runs -> <dir>"
    const m = / = (\d+) runs.* -> (.+)$/.exec(line);
    if (m) {
      const dir = path.resolve(m[2]);
      const r = this.store.get(id);
      if (r && r.total === null) this.store.update(id, { total: Number(m[1]) });
      if (dir.startsWith(this.resultsDir + path.sep)) this.store.update(id, { runDir: dir });
    }
    this.log(id, 'stdout', line);
  }

  private finish(id: string, live: Live, code: number | null, signal: NodeJS.Signals | null): void {
    const r = this.store.get(id);
    if (!r) return;
    let status: RunStatus;
    let error: string | null = null;
    const incomplete = fs.existsSync(path.join(r.runDir, 'INCOMPLETE'));
    if (code === 0 && !incomplete) status = 'done';
    else if (live.shuttingDown) {
      status = 'interrupted';
      error = 'the service shut down while the run was going; POST resume to continue it';
    } else if (live.cancelRequested) status = 'cancelled';
    else if (signal) {
      status = 'interrupted';
      error = `the experiment process was killed (${signal}); POST resume to continue it`;
    } else {
      status = 'failed';
      error = live.stderrTail.map(stripError).join('\n') || `exit code ${code}`;
    }
    this.store.update(id, { status, exitCode: code, error, pid: null, finishedAt: new Date().toISOString() });
    this.log(id, 'service', `${status}${code !== null ? ` (exit ${code})` : ` (${signal})`}`);
    this.emitStatus(id);
  }

  cancel(id: string): RunRow {
    const r = this.store.get(id);
    if (!r) throw new InputError(`no run '${id}'`, 404);
    if (r.status === 'queued') {
      this.store.update(id, { status: 'cancelled', finishedAt: new Date().toISOString() });
      this.log(id, 'service', 'cancelled while queued');
      this.emitStatus(id);
    } else if (r.status === 'running') {
      const live = this.live.get(id);
      if (live && !live.cancelRequested) {
        live.cancelRequested = true;
        this.log(id, 'service', 'cancel: SIGINT to the experiment process');
        killGroup(live.child.pid!, 'SIGINT');
        const t = setTimeout(() => killGroup(live.child.pid!, 'SIGKILL'), this.killGraceMs);
        t.unref();
        void live.exited.then(() => clearTimeout(t));
      }
    } else throw new InputError(`run '${id}' is ${r.status}; only a queued or running run can be cancelled`, 409);
    return this.store.get(id)!;
  }

  resume(id: string): RunRow {
    const r = this.store.get(id);
    if (!r) throw new InputError(`no run '${id}'`, 404);
    if (!RESUMABLE.includes(r.status)) throw new InputError(`run '${id}' is ${r.status}; only a ${RESUMABLE.join(', ')} run can be resumed`, 409);
    if (this.closing) throw new InputError('the service is shutting down', 503);
    this.store.update(id, { status: 'queued', resumes: r.resumes + 1, exitCode: null, error: null, finishedAt: null });
    this.log(id, 'service', 'resume requested: queued');
    this.emitStatus(id);
    this.pump();
    return this.store.get(id)!;
  }

  /** Waits until a run's process has exited (tests, shutdown). */
  async waitExit(id: string): Promise<void> {
    await this.live.get(id)?.exited;
  }

  /**
   * On start: a run found `running` belongs to a service that is gone. Its process, if somehow
   * still alive (it is one of ours: its command line names the run), is stopped; the run is
   * marked interrupted (resumable). Queued runs are started again.
   */
  recover(): void {
    for (const r of this.store.byStatus('running')) {
      let note = "the service restarted and the run's process was gone";
      if (r.pid && alive(r.pid)) {
        let cmd = '';
        try {
          cmd = fs.readFileSync(`/proc/${r.pid}/cmdline`, 'utf8');
        } catch {
          cmd = '';
        }
        if (cmd.includes(r.id)) {
          killGroup(r.pid, 'SIGKILL');
          note = 'the service restarted; the orphaned experiment process was stopped';
        }
      }
      this.store.update(r.id, { status: 'interrupted', pid: null, error: `${note}; POST resume to continue it`, finishedAt: new Date().toISOString() });
      this.log(r.id, 'service', `interrupted: ${note}`);
    }
    this.pump();
  }

  /** Stops the running children (they become interrupted; queued runs stay queued for the next start). */
  async close(): Promise<void> {
    this.closing = true;
    for (const v of this.validators) killGroup(v.pid!, 'SIGKILL');
    const waits: Promise<void>[] = [];
    for (const live of this.live.values()) {
      live.shuttingDown = true;
      killGroup(live.child.pid!, 'SIGINT');
      const t = setTimeout(() => killGroup(live.child.pid!, 'SIGKILL'), this.killGraceMs);
      waits.push(live.exited.then(() => clearTimeout(t)));
    }
    await Promise.all(waits);
  }

  /** Hard stop without bookkeeping (tests simulating a crash): children killed, rows left as they are. */
  crash(): void {
    this.closing = true;
    this.crashed = true;
    for (const v of this.validators) killGroup(v.pid!, 'SIGKILL');
    for (const [id, live] of this.live) {
      live.child.removeAllListeners('close');
      killGroup(live.child.pid!, 'SIGKILL');
      this.live.delete(id);
    }
  }
}
