/**
 * The live testbed on this host: network namespaces joined by veth pairs on a bridge, shaped with tc
 * the way wondershaper does, running real services.
 *
 * Layout (prefix P = `fsim<pid>`, pid of the process that owns the testbed):
 *   P-br   bridge namespace: bridge br0 and the bridge ends of the veth pairs (p-gw, p-st, p-w0, ...)
 *   P-gw   gateway    10.77.0.1   agent (runtime.mjs)
 *   P-st   storage    10.77.0.2   redis-server (remote store) + agent
 *   P-wI   worker I   10.77.0.(10+I)  redis-server on 127.0.0.1 (local store) + agent = function runtime
 * Addresses exist only inside these namespaces; each testbed has its own bridge namespace, so two
 * testbeds never see each other. Nothing is created in the root namespace.
 *
 * Shaping (per node, both ways, like wondershaper): egress `tbf` on eth0; ingress is redirected
 * (ingress qdisc + u32 match-all + mirred) to an `ifb0` device in the same namespace whose egress
 * carries another `tbf`. An optional added delay needs netem, which this kernel lacks: it is detected
 * and reported as unsupported, never a crash.
 *
 * Cleanup: `close()` on success or error, signal handlers for SIGINT/SIGTERM, an `exit` hook, and
 * `cleanupLeftovers()` (run at every start) removes what a killed run left: every namespace named
 * `fsim<pid>-*` whose owner pid is gone, after killing the processes inside it (`ip netns pids`), and
 * the processes listed in state files under /tmp/flowsim-testbed/.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AgentClient, TestbedUnavailableError, type NodeInfo, type Role, type Testbed } from './types.js';
import { atomicWrite, TMP_MARK } from '../../lib/atomic-write.js';

export const NS_PREFIX = 'fsim';
export const STATE_DIR = path.join(os.tmpdir(), 'flowsim-testbed');
const HERE = path.dirname(fileURLToPath(import.meta.url));
export const RUNTIME_SCRIPT = path.join(HERE, 'runtime.mjs');
const SUBNET = '10.77.0';

export interface NetnsOptions {
  workers?: number;
  /** Initial shaping rate, bytes/s, each way on every node interface. */
  rateBps: number;
  /** Optional added one-way delay per interface (needs netem). */
  delayS?: number;
  log?: (msg: string) => void;
  /** Install SIGINT/SIGTERM/exit hooks that remove the testbed (default true). */
  signalHooks?: boolean;
  /** Which interfaces are shaped: every node's (probes, default), or the storage node's only (FaaSFlow's wondershaper). */
  shape?: 'all' | 'storage';
}

interface StateFile {
  ownerPid: number;
  prefix: string;
  createdAt: string;
  namespaces: string[];
  pids: number[];
}

function run(cmd: string, args: string[], timeoutMs = 10_000): string {
  return execFileSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
}

function tryRun(cmd: string, args: string[]): { ok: boolean; out: string; err: string } {
  try {
    return { ok: true, out: run(cmd, args), err: '' };
  } catch (e) {
    const x = e as { stderr?: string; message: string };
    return { ok: false, out: '', err: String(x.stderr ?? x.message).trim() };
  }
}

/** Why this host cannot run the netns testbed, or null when it can. */
export function netnsUnavailableReason(): string | null {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the netns testbed needs root (network namespaces, veth, tc); run as root or use --testbed docker';
  }
  for (const tool of ['ip', 'tc']) {
    const r = tryRun(tool, ['-V']);
    if (!r.ok) return `\`${tool}\` is not available (install iproute2)`;
  }
  const r = tryRun('ip', ['netns', 'list']);
  if (!r.ok) return `\`ip netns\` does not work here: ${r.err}`;
  if (!tryRun('redis-server', ['--version']).ok) return '`redis-server` is not installed (apt-get install -y redis-server)';
  return null;
}

export function listNamespaces(): string[] {
  const r = tryRun('ip', ['netns', 'list']);
  if (!r.ok) return [];
  return r.out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.length > 0);
}

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** An owner is alive if its pid exists and is a node process (a reused pid of something else is not). */
function ownerAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  return /node|tsx/.test(cmdline(pid));
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function nsPids(ns: string): number[] {
  const r = tryRun('ip', ['netns', 'pids', ns]);
  if (!r.ok) return [];
  return r.out
    .split('\n')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

function waitGone(pids: number[], maxMs: number): void {
  const end = Date.now() + maxMs;
  for (let i = 0; i < 1000 && Date.now() < end; i++) {
    if (pids.every((p) => !fs.existsSync(`/proc/${p}`) || /\(Z\)|zombie/.test(stat(p)))) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
  }
}

function stat(pid: number): string {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.includes(') Z ') ? '(Z)' : s;
  } catch {
    return '';
  }
}

/** Kills every process inside the namespace, then deletes it (its links, ifbs and qdiscs go with it). */
function removeNamespace(ns: string): number[] {
  const killed: number[] = [];
  for (let round = 0; round < 3; round++) {
    const pids = nsPids(ns);
    if (pids.length === 0) break;
    pids.forEach(killPid);
    killed.push(...pids);
    waitGone(pids, 2000);
  }
  tryRun('ip', ['netns', 'del', ns]);
  return killed;
}

export interface CleanupReport {
  namespaces: string[];
  pids: number[];
  stateFiles: string[];
}

/**
 * Removes what killed runs left behind: namespaces `fsim<pid>-*` whose owner is gone, processes
 * listed in their state files, the state files themselves. Never touches a live owner's testbed.
 */
export function cleanupLeftovers(): CleanupReport {
  const rep: CleanupReport = { namespaces: [], pids: [], stateFiles: [] };
  const re = new RegExp(`^${NS_PREFIX}(\\d+)-`);
  if (fs.existsSync(STATE_DIR)) {
    for (const f of fs.readdirSync(STATE_DIR)) {
      if (!f.endsWith('.json')) continue;
      const file = path.join(STATE_DIR, f);
      let st: StateFile;
      try {
        st = JSON.parse(fs.readFileSync(file, 'utf8')) as StateFile;
      } catch {
        // a state file half-written by a writer that was killed (atomicWrite's temp name carries its pid)
        const writer = f.startsWith(TMP_MARK) ? Number(f.slice(TMP_MARK.length).split('-')[0]) : NaN;
        if (Number.isInteger(writer) && !ownerAlive(writer)) fs.rmSync(file, { force: true });
        continue;
      }
      if (ownerAlive(st.ownerPid)) continue;
      for (const pid of st.pids ?? []) {
        // only processes the testbed starts: pids may have been reused since
        if (/redis-server|runtime\.mjs|function\.mjs/.test(cmdline(pid))) {
          killPid(pid);
          rep.pids.push(pid);
        }
      }
      for (const ns of st.namespaces ?? []) {
        if (listNamespaces().includes(ns)) {
          rep.pids.push(...removeNamespace(ns));
          rep.namespaces.push(ns);
        }
      }
      fs.rmSync(file, { force: true });
      fs.rmSync(path.join(STATE_DIR, st.prefix), { recursive: true, force: true });
      rep.stateFiles.push(file);
    }
  }
  for (const ns of listNamespaces()) {
    const m = re.exec(ns);
    if (!m) continue;
    if (ownerAlive(Number(m[1]))) continue;
    rep.pids.push(...removeNamespace(ns));
    rep.namespaces.push(ns);
  }
  return rep;
}

function tbfArgs(rateBps: number): string[] {
  // burst: max(64 KiB, 1 ms at the rate). Measured here (1/8/32 MB transfers at 25/50/100 MB/s):
  // 16 KiB/0.5 ms loses up to 25% of the rate at 100 MB/s; 64 KiB/4 ms lets a 1 MB transfer beat
  // the cap by 35% (the bucket's initial burst); a burst below 64 KiB (one GSO super-packet) makes
  // tbf segment packets in software, which cost up to 10% at 50 MB/s under CPU load. With 64 KiB
  // / 1 ms, 1 MB and 16 MB transfers hold 0.92-0.99 of nominal at every cap.
  const burst = Math.max(64 * 1024, Math.round(rateBps * 0.001));
  return ['tbf', 'rate', `${Math.round(rateBps * 8)}bit`, 'burst', String(burst), 'latency', '100ms'];
}

class NetnsTestbed implements Testbed {
  readonly kind = 'netns' as const;
  readonly gateway: NodeInfo;
  readonly storage: NodeInfo;
  readonly workers: NodeInfo[];
  rateBps: number;
  delaySupported = false;
  delayNote = 'no delay requested';
  private readonly agents = new Map<string, AgentClient>();
  private readonly children: ChildProcess[] = [];
  private readonly state: StateFile;
  private readonly stateFile: string;
  private closed = false;
  private readonly hooks: Array<[string, (...a: unknown[]) => void]> = [];
  readonly createdAt = new Date().toISOString();

  constructor(
    readonly id: string,
    workers: number,
    rateBps: number,
    private readonly log: (m: string) => void,
  ) {
    this.rateBps = rateBps;
    this.gateway = { name: 'gw', role: 'gateway', addr: `${SUBNET}.1` };
    this.storage = { name: 'st', role: 'storage', addr: `${SUBNET}.2` };
    this.workers = Array.from({ length: workers }, (_, i) => ({ name: `w${i}`, role: 'worker' as Role, addr: `${SUBNET}.${10 + i}` }));
    this.state = { ownerPid: process.pid, prefix: id, createdAt: this.createdAt, namespaces: [], pids: [] };
    this.stateFile = path.join(STATE_DIR, `${id}.json`);
  }

  get nodes(): NodeInfo[] {
    return [this.gateway, this.storage, ...this.workers];
  }

  ns(node: NodeInfo | string): string {
    return `${this.id}-${typeof node === 'string' ? node : node.name}`;
  }

  private saveState(): void {
    atomicWrite(this.stateFile, JSON.stringify(this.state, null, 2));
  }

  private addNamespace(ns: string): void {
    this.state.namespaces.push(ns); // record first: a kill between the two lines still gets cleaned
    this.saveState();
    run('ip', ['netns', 'add', ns]);
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  }

  private track(child: ChildProcess): void {
    this.children.push(child);
    if (child.pid) {
      this.state.pids.push(child.pid);
      this.saveState();
    }
  }

  installHooks(): void {
    const onSignal = (sig: string) => () => {
      this.log(`\n${sig}: removing the testbed ${this.id}`);
      this.closeSync();
      // let libuv reap the killed children (no zombies under an init that does not reap), <= 2 s
      const waits = this.children.map((c) => (c.exitCode !== null || c.signalCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r))));
      const t = setTimeout(() => process.exit(sig === 'SIGINT' ? 130 : 143), 2000);
      void Promise.all(waits).then(() => {
        clearTimeout(t);
        process.exit(sig === 'SIGINT' ? 130 : 143);
      });
    };
    const onExit = () => this.closeSync();
    for (const [ev, fn] of [
      ['SIGINT', onSignal('SIGINT')],
      ['SIGTERM', onSignal('SIGTERM')],
      ['exit', onExit],
    ] as Array<[string, () => void]>) {
      process.on(ev, fn);
      this.hooks.push([ev, fn]);
    }
  }

  async build(delayS: number): Promise<void> {
    fs.mkdirSync(path.join(STATE_DIR, this.id), { recursive: true });
    const br = this.ns('br');
    this.addNamespace(br);
    run('ip', ['-n', br, 'link', 'add', 'br0', 'type', 'bridge']);
    run('ip', ['-n', br, 'link', 'set', 'br0', 'up']);
    for (const node of this.nodes) {
      const ns = this.ns(node);
      this.addNamespace(ns);
      run('ip', ['-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `p-${node.name}`, 'netns', br]);
      run('ip', ['-n', br, 'link', 'set', `p-${node.name}`, 'master', 'br0', 'up']);
      run('ip', ['-n', ns, 'addr', 'add', `${node.addr}/24`, 'dev', 'eth0']);
      run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      run('ip', ['-n', ns, 'link', 'add', 'ifb0', 'type', 'ifb']);
      run('ip', ['-n', ns, 'link', 'set', 'ifb0', 'up']);
      run('tc', ['-n', ns, 'qdisc', 'add', 'dev', 'eth0', 'handle', 'ffff:', 'ingress']);
      run('tc', ['-n', ns, 'filter', 'add', 'dev', 'eth0', 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0']);
    }
    this.applyRate(this.rateBps);
    if (delayS > 0) this.applyDelay(delayS);
    this.log(`testbed ${this.id}: ${this.nodes.length} namespaces, shaped at ${(this.rateBps / 1e6).toFixed(1)} MB/s each way`);

    // services
    this.startRedis(this.storage, [this.storage.addr, '127.0.0.1']);
    for (const w of this.workers) this.startRedis(w, ['127.0.0.1']);
    await Promise.all([this.waitRedis(this.storage, this.storage.addr), ...this.workers.map((w) => this.waitRedis(w, '127.0.0.1'))]);
    for (const node of this.nodes) this.startAgent(node);
    await Promise.all(this.nodes.map((n) => this.agents.get(n.name)!.waitReady(20_000)));
    this.log(`testbed ${this.id}: redis on st + ${this.workers.length} workers, ${this.nodes.length} agents ready`);
  }

  /** 'storage': only the storage node is shaped; the others get a plain FIFO (unshaped). */
  shape: 'all' | 'storage' = 'all';

  private applyRate(rateBps: number): void {
    for (const node of this.nodes) {
      const ns = this.ns(node);
      const shaped = this.shape === 'all' || node === this.storage;
      for (const dev of ['eth0', 'ifb0']) run('tc', ['-n', ns, 'qdisc', 'replace', 'dev', dev, 'root', 'handle', '1:', ...(shaped ? tbfArgs(rateBps) : ['pfifo', 'limit', '10000'])]);
    }
    this.rateBps = rateBps;
  }

  private applyDelay(delayS: number): void {
    const ns = this.ns(this.gateway);
    const probe = tryRun('tc', ['-n', ns, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', `${delayS * 1000}ms`]);
    if (!probe.ok) {
      this.delaySupported = false;
      this.delayNote = `delay ${delayS * 1000} ms requested but netem is unavailable in this kernel (${probe.err}); links have no added delay`;
      this.log(`warning: ${this.delayNote}`);
      return;
    }
    tryRun('tc', ['-n', ns, 'qdisc', 'del', 'dev', 'lo', 'root']);
    for (const node of this.nodes) {
      run('tc', ['-n', this.ns(node), 'qdisc', 'add', 'dev', 'eth0', 'parent', '1:1', 'handle', '10:', 'netem', 'delay', `${delayS * 1000}ms`]);
    }
    this.delaySupported = true;
    this.delayNote = `netem delay ${delayS * 1000} ms on every node's egress`;
  }

  private startRedis(node: NodeInfo, bind: string[]): void {
    const dir = path.join(STATE_DIR, this.id, node.name);
    fs.mkdirSync(dir, { recursive: true });
    const child = spawn(
      'ip',
      ['netns', 'exec', this.ns(node), 'redis-server', '--bind', ...bind, '--port', '6379', '--save', '', '--appendonly', 'no', '--protected-mode', 'no', '--dir', dir, '--logfile', path.join(dir, 'redis.log')],
      { stdio: 'ignore' },
    );
    child.on('error', (e) => this.log(`redis on ${node.name}: ${e.message}`));
    this.track(child);
  }

  private async waitRedis(node: NodeInfo, host: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const r = tryRun('ip', ['netns', 'exec', this.ns(node), 'redis-cli', '-h', host, 'ping']);
      if (r.ok && r.out.includes('PONG')) return;
      await new Promise((res) => setTimeout(res, 50));
    }
    throw new Error(`redis-server on ${node.name} (${host}) did not answer within 5 s`);
  }

  private startAgent(node: NodeInfo): void {
    const child = spawn(
      'ip',
      ['netns', 'exec', this.ns(node), process.execPath, RUNTIME_SCRIPT, `--role=${node.role}`, `--addr=${node.addr}`, `--remote-host=${this.storage.addr}`],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.track(child);
    const agent = new AgentClient(`agent ${node.name}`, child.stdin!, child.stdout!);
    let errTail = '';
    child.stderr!.on('data', (d: Buffer) => {
      errTail = (errTail + d.toString()).slice(-2000);
    });
    child.on('exit', (code, sig) => agent.fail(new Error(`agent ${node.name} exited (${code ?? sig}): ${errTail.trim().split('\n').slice(-3).join(' | ')}`)));
    this.agents.set(node.name, agent);
  }

  call<T = unknown>(node: NodeInfo, op: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<T> {
    const a = this.agents.get(node.name);
    if (!a) return Promise.reject(new Error(`no agent on ${node.name}`));
    return a.call<T>(op, args, timeoutMs);
  }

  async setRate(rateBps: number): Promise<void> {
    this.applyRate(rateBps);
  }

  describe(): Record<string, unknown> {
    return {
      kind: 'netns',
      id: this.id,
      workers: this.workers.length,
      shaping: `tc tbf on ${this.shape === 'all' ? 'each node veth' : "the storage node's veth"} (egress) + ingress redirected to an ifb with tbf (wondershaper style)`,
      delay: this.delayNote,
      stores: 'redis-server (remote: storage ns; local: one per worker on 127.0.0.1)',
      runtime: 'calibrate/testbed/runtime.mjs; function processes are node child processes (function.mjs)',
    };
  }

  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    for (const [ev, fn] of this.hooks) process.off(ev, fn);
    for (const c of this.children) if (c.pid && c.exitCode === null) killPid(c.pid);
    for (const ns of [...this.state.namespaces].reverse()) removeNamespace(ns);
    fs.rmSync(this.stateFile, { force: true });
    fs.rmSync(path.join(STATE_DIR, this.id), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    this.closeSync();
  }
}

/** Builds and starts a netns testbed. Throws TestbedUnavailableError when this host cannot. */
export async function startNetnsTestbed(o: NetnsOptions): Promise<Testbed & { ns(node: NodeInfo | string): string }> {
  const why = netnsUnavailableReason();
  if (why) throw new TestbedUnavailableError(why);
  const log = o.log ?? (() => {});
  const left = cleanupLeftovers();
  if (left.namespaces.length || left.pids.length) {
    log(`removed leftovers of killed runs: ${left.namespaces.length} namespaces, ${left.pids.length} processes`);
  }
  const workers = o.workers ?? 3;
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 64)) throw new RangeError(`workers must be an integer in 1..64, got ${workers}`);
  const tb = new NetnsTestbed(`${NS_PREFIX}${process.pid}`, workers, o.rateBps, log);
  if (o.shape) tb.shape = o.shape;
  if (listNamespaces().some((n) => n.startsWith(`${tb.id}-`))) {
    throw new Error(`a testbed ${tb.id} already exists in this process; close it first`);
  }
  if (o.signalHooks !== false) tb.installHooks();
  try {
    await tb.build(o.delayS ?? 0);
  } catch (e) {
    tb.closeSync();
    throw e;
  }
  return tb;
}
