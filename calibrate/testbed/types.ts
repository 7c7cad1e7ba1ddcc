/**
 * What every testbed backend (netns on this host, Docker hosts) offers the probes: named nodes with
 * an agent (runtime.mjs) that answers JSON-line requests, and a way to change the shaped rate.
 */
import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export type Role = 'gateway' | 'storage' | 'worker';

export interface NodeInfo {
  /** Short name: gw, st, w0, w1, ... */
  name: string;
  role: Role;
  /** Address of the node inside the testbed network (private range, only inside the testbed). */
  addr: string;
}

export interface Testbed {
  readonly kind: 'netns' | 'docker';
  /** Unique id of this testbed instance (prefix of its namespaces / containers). */
  readonly id: string;
  readonly gateway: NodeInfo;
  readonly storage: NodeInfo;
  readonly workers: NodeInfo[];
  /** Current shaping rate of every node interface, each way, bytes/s. */
  readonly rateBps: number;
  /** Whether an added one-way delay (netem) is available; `delayNote` says why not. */
  readonly delaySupported: boolean;
  readonly delayNote: string;
  /** Sends one request to a node's agent and resolves with its result. */
  call<T = unknown>(node: NodeInfo, op: string, args?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  /** Re-shapes every node interface, both ways, to `rateBps`. */
  setRate(rateBps: number): Promise<void>;
  /** Facts for the profile (`testbed:` key). */
  describe(): Record<string, unknown>;
  /** Removes everything the testbed created. Safe to call twice. */
  close(): Promise<void>;
}

/** A testbed backend cannot run here (not root, no `ip netns`, no Docker engine). CLIs exit 2. */
export class TestbedUnavailableError extends Error {
  override name = 'TestbedUnavailableError';
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** JSON-lines client of one runtime.mjs agent (over a child's stdio or a Docker exec stream). */
export class AgentClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readyResolve!: (v: Record<string, unknown>) => void;
  private readyReject!: (e: Error) => void;
  readonly ready: Promise<Record<string, unknown>>;
  private closed = false;

  constructor(
    readonly label: string,
    private readonly input: Writable,
    output: Readable,
  ) {
    this.ready = new Promise((res, rej) => {
      this.readyResolve = res;
      this.readyReject = rej;
    });
    this.ready.catch(() => {});
    const rl = readline.createInterface({ input: output });
    rl.on('line', (line) => {
      let msg: { id?: number; ok?: boolean; result?: unknown; error?: string; ready?: boolean };
      try {
        msg = JSON.parse(line);
      } catch {
        return; // not ours
      }
      if (msg.ready) {
        this.readyResolve(msg as Record<string, unknown>);
        return;
      }
      const p = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
      if (!p) return;
      this.pending.delete(msg.id!);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`${label}: ${msg.error}`));
    });
    rl.on('close', () => this.fail(new Error(`${label}: agent exited`)));
    input.on('error', () => {});
  }

  fail(e: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.readyReject(e);
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
      this.pending.delete(id);
    }
  }

  waitReady(timeoutMs: number): Promise<Record<string, unknown>> {
    let t: NodeJS.Timeout;
    return Promise.race([
      this.ready.finally(() => clearTimeout(t)),
      new Promise<never>((_, rej) => {
        t = setTimeout(() => rej(new Error(`${this.label}: agent not ready after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  }

  call<T>(op: string, args: Record<string, unknown> = {}, timeoutMs = 180_000): Promise<T> {
    if (this.closed) return Promise.reject(new Error(`${this.label}: agent is gone`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: ${op} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.input.write(JSON.stringify({ ...args, id, op }) + '\n');
    });
  }
}
