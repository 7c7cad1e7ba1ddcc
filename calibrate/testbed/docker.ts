/**
 * The same testbed roles as containers on a Docker host, through dockerode (DOCKER_HOST or the
 * local socket): one container per node on an `--internal` bridge network of its own (nothing can
 * leave the machine), each with a CPU and memory limit (`--cpus`, `--memory`), shaped with tc
 * inside the container (egress tbf on eth0, ingress redirected to an ifb device with tbf, as
 * wondershaper does), redis-server as the remote store (storage) and the local store (each
 * worker), runtime.mjs as the agent. The controller talks to the agents over `docker exec`
 * streams, never over the network.
 *
 * The image is built here from this machine's binaries (image.ts): no registry is contacted.
 * `--docker-image` may name another image that already has node, redis-server and iproute2.
 * Containers get CAP_NET_ADMIN; ingress shaping needs the host kernel's ifb module.
 * Everything created (containers, network, image) carries the labels `flowsim.testbed` (this
 * testbed's id) and `flowsim.owner` (host:pid); close() removes it, and every start first removes
 * what runs whose owner pid is gone left behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough, type Duplex } from 'node:stream';
import Docker from 'dockerode';
import { AGENT_FILES, ensureTestbedImage } from './image.js';
import { createPool, listPools, removePool, unavailableReason as poolsUnavailable } from './cgroups.js';
import { AgentClient, TestbedUnavailableError, type NodeInfo, type Role, type Testbed } from './types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const LABEL = 'flowsim.testbed';
const OWNER_LABEL = 'flowsim.owner';

export interface DockerOptions {
  workers?: number;
  rateBps: number;
  delayS?: number;
  /** An image that has node, redis-server and iproute2; default: built here (image.ts). */
  image?: string;
  /** Which interfaces are shaped: every node's (probes), or the storage node's only (FaaSFlow's wondershaper). */
  shape?: 'all' | 'storage';
  /** CPU limit per container (`--cpus`); default none. */
  cpus?: { worker?: number; storage?: number; gateway?: number };
  /** Memory limit per container, bytes (`--memory`); default none. */
  memoryBytes?: number;
  /**
   * How workers start function instances: 'container' (default): `docker run` through the Docker
   * socket mounted into each worker container, in the worker's network namespace and cgroup;
   * 'process': a forked process inside the worker container.
   */
  functionLauncher?: 'container' | 'process';
  log?: (m: string) => void;
  /** For tests: a preconfigured client. Default: `new Docker()` (DOCKER_HOST or /var/run/docker.sock). */
  docker?: Docker;
  pingTimeoutMs?: number;
}

/** Where dockerode will connect, for messages. */
export function dockerEndpoint(): string {
  return process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : 'the local socket /var/run/docker.sock';
}

const NO_ENGINE_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'EACCES', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNRESET', 'EPIPE']);

/** Resolves when an engine answers `ping`; otherwise throws TestbedUnavailableError saying how to point at one. */
export async function checkDockerEngine(docker: Docker, timeoutMs = 5000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, rej) => {
        timer = setTimeout(() => rej(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })), timeoutMs);
      }),
    ]);
  } catch (e) {
    const code = (e as { code?: string }).code ?? '';
    const detail = (e as Error).message;
    const how =
      'Start a Docker engine here, or point at one with DOCKER_HOST (e.g. DOCKER_HOST=tcp://host:2375 or DOCKER_HOST=ssh://user@host), ' +
      'then rerun `npm run calibrate -- --testbed docker`. On Linux as root, `--testbed netns` needs no Docker.';
    if (NO_ENGINE_CODES.has(code)) {
      throw new TestbedUnavailableError(`no Docker engine: nothing answers at ${dockerEndpoint()} (${code}: ${detail}). ${how}`);
    }
    throw new TestbedUnavailableError(`the Docker engine at ${dockerEndpoint()} did not answer ping (${code || 'error'}: ${detail}). ${how}`);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

function tbfArgs(rateBps: number): string[] {
  const burst = Math.max(64 * 1024, Math.round(rateBps * 0.001)); // same as netns.ts (measured there)
  return ['tbf', 'rate', `${Math.round(rateBps * 8)}bit`, 'burst', String(burst), 'latency', '100ms'];
}

class DockerTestbed implements Testbed {
  readonly kind = 'docker' as const;
  gateway!: NodeInfo;
  storage!: NodeInfo;
  workers: NodeInfo[] = [];
  rateBps: number;
  delaySupported = false;
  delayNote = 'no delay requested';
  private readonly containers = new Map<string, Docker.Container>();
  private readonly agents = new Map<string, AgentClient>();
  private network?: Docker.Network;
  private builtImage?: string;
  private runImage = '';
  /** Per worker: the cgroup its function containers share (cgroups.ts), when the host allows. */
  private readonly pools = new Map<string, string>();
  private poolNote = '';
  private closed = false;
  private readonly hooks: Array<[string, () => void]> = [];

  constructor(
    private readonly docker: Docker,
    readonly id: string,
    private readonly nWorkers: number,
    rateBps: number,
    private image: string | undefined,
    private readonly log: (m: string) => void,
    private readonly shape: 'all' | 'storage' = 'all',
    private readonly cpus: { worker?: number; storage?: number; gateway?: number } = {},
    private readonly memoryBytes?: number,
    private readonly functionLauncher: 'container' | 'process' = 'container',
  ) {
    this.rateBps = rateBps;
  }

  private labels(): Record<string, string> {
    return { [LABEL]: this.id, [OWNER_LABEL]: `${os.hostname()}:${process.pid}` };
  }

  /** Runs a command in a container; resolves with exit code and output. */
  async exec(name: string, cmd: string[], timeoutMs = 600_000): Promise<{ code: number; out: string }> {
    const c = this.containers.get(name)!;
    const ex = await c.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = (await ex.start({ hijack: true, stdin: false })) as Duplex;
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text = (text + d.toString()).slice(-20_000)));
    this.docker.modem.demuxStream(stream, out, out);
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${name}: ${cmd.join(' ')}: timeout after ${timeoutMs} ms`)), timeoutMs);
      stream.on('end', () => {
        clearTimeout(t);
        resolve();
      });
      stream.on('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
    const info = await ex.inspect();
    return { code: info.ExitCode ?? -1, out: text };
  }

  async must(name: string, cmd: string[], timeoutMs?: number): Promise<string> {
    const r = await this.exec(name, cmd, timeoutMs);
    if (r.code !== 0) throw new Error(`${name}: \`${cmd.join(' ')}\` exited ${r.code}: ${r.out.trim().slice(-500)}`);
    return r.out;
  }

  installHooks(): void {
    const onSignal = (sig: string) => () => {
      this.log(`\n${sig}: removing the docker testbed ${this.id}`);
      void this.close().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
    };
    for (const [ev, fn] of [
      ['SIGINT', onSignal('SIGINT')],
      ['SIGTERM', onSignal('SIGTERM')],
    ] as Array<[string, () => void]>) {
      process.on(ev, fn);
      this.hooks.push([ev, fn]);
    }
  }

  /** The image to run: the one given (it must exist: nothing is pulled), else one built here. */
  async ensureImage(): Promise<string> {
    if (this.image) {
      try {
        await this.docker.getImage(this.image).inspect();
      } catch {
        throw new TestbedUnavailableError(
          `docker image ${this.image} is not on the engine at ${dockerEndpoint()}, and no registry is reachable from here to pull it: ` +
            'leave out --docker-image to build one from this machine, or load the image first (docker load / docker import)',
        );
      }
      return this.image;
    }
    const { name, built } = await ensureTestbedImage(this.docker, this.labels(), this.log);
    if (built) this.builtImage = name;
    return name;
  }

  async build(delayS: number): Promise<void> {
    const image = await this.ensureImage();
    this.network = await this.docker.createNetwork({ Name: this.id, Driver: 'bridge', Internal: true, Labels: this.labels() });
    const specs: Array<{ name: string; role: Role }> = [
      { name: 'gw', role: 'gateway' },
      { name: 'st', role: 'storage' },
      ...Array.from({ length: this.nWorkers }, (_, i) => ({ name: `w${i}`, role: 'worker' as Role })),
    ];
    const nodes: NodeInfo[] = [];
    // function containers share a per-worker pool with the worker's limits; the worker's own
    // processes stay outside it (cgroups.ts). Without host cgroups: the worker container's limits
    // cover both (noted in describe()).
    const why = this.functionLauncher === 'container' ? poolsUnavailable() : 'function processes run in the worker container';
    if (!why) {
      for (const s of specs)
        if (s.role === 'worker') {
          const pool = `flowsim-${this.id}-${s.name}`;
          createPool(pool, this.cpus.worker, this.memoryBytes);
          this.pools.set(s.name, pool);
        }
      this.poolNote = `function containers of each worker share a cgroup with its limits (${this.cpus.worker ?? 'no'} CPUs); the worker's engine and Redis run outside it`;
    } else this.poolNote = `the worker container's limits cover its engine, Redis and functions (${why})`;
    for (const s of specs) {
      const pooled = this.pools.has(s.name);
      const cpus = pooled ? undefined : s.role === 'worker' ? this.cpus.worker : s.role === 'storage' ? this.cpus.storage : this.cpus.gateway;
      const c = await this.docker.createContainer({
        Image: image,
        name: `${this.id}-${s.name}`,
        Hostname: s.name,
        Cmd: ['node', '-e', 'setInterval(() => {}, 1 << 30)'],
        Labels: this.labels(),
        HostConfig: {
          CapAdd: ['NET_ADMIN'],
          NetworkMode: this.id,
          // workers start their function containers through the engine's socket (launcher.mjs)
          ...(s.role === 'worker' && this.functionLauncher === 'container' ? { Binds: ['/var/run/docker.sock:/var/run/docker.sock'] } : {}),
          ...(cpus ? { NanoCpus: Math.round(cpus * 1e9) } : {}),
          ...(this.memoryBytes && !pooled ? { Memory: this.memoryBytes } : {}),
        },
      });
      this.containers.set(s.name, c);
      await c.start();
      const info = await c.inspect();
      const addr = info.NetworkSettings.Networks[this.id]?.IPAddress;
      if (!addr) throw new Error(`container ${s.name}: no address on network ${this.id}`);
      nodes.push({ name: s.name, role: s.role, addr });
    }
    this.runImage = image;
    this.gateway = nodes[0]!;
    this.storage = nodes[1]!;
    this.workers = nodes.slice(2);
    this.log(`docker testbed ${this.id}: ${nodes.length} containers on network ${this.id}`);

    // provision: tools, runtime files
    await Promise.all(
      nodes.map(async (n) => {
        if (this.image) {
          // a user's image: copy the agent in (the built image has it already)
          for (const f of AGENT_FILES) {
            const b64 = fs.readFileSync(path.join(HERE, f)).toString('base64');
            await this.must(n.name, ['sh', '-c', `mkdir -p /opt/fsim && echo '${b64}' | base64 -d > /opt/fsim/${f}`]);
          }
        }
        if (!this.shaped(n.name)) return;
        await this.must(n.name, ['ip', 'link', 'add', 'ifb0', 'type', 'ifb']);
        await this.must(n.name, ['ip', 'link', 'set', 'ifb0', 'up']);
        await this.must(n.name, ['tc', 'qdisc', 'add', 'dev', 'eth0', 'handle', 'ffff:', 'ingress']);
        await this.must(n.name, ['tc', 'filter', 'add', 'dev', 'eth0', 'parent', 'ffff:', 'protocol', 'all', 'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb0']);
      }),
    );
    await this.setRate(this.rateBps);
    if (delayS > 0) {
      const r = await this.exec('gw', ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', `${delayS * 1000}ms`]);
      if (r.code !== 0) {
        this.delayNote = `delay requested but netem is unavailable on the Docker host (${r.out.trim()}); no added delay`;
        this.log(`warning: ${this.delayNote}`);
      } else {
        await this.exec('gw', ['tc', 'qdisc', 'del', 'dev', 'lo', 'root']);
        for (const n of nodes) await this.must(n.name, ['tc', 'qdisc', 'add', 'dev', 'eth0', 'parent', '1:1', 'handle', '10:', 'netem', 'delay', `${delayS * 1000}ms`]);
        this.delaySupported = true;
        this.delayNote = `netem delay ${delayS * 1000} ms on every container's egress`;
      }
    }
    // services
    await this.must('st', ['redis-server', '--bind', '0.0.0.0', '--protected-mode', 'no', '--save', '', '--appendonly', 'no', '--daemonize', 'yes']);
    for (const w of this.workers) await this.must(w.name, ['redis-server', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'yes']);
    for (const n of nodes) await this.startAgent(n);
    await Promise.all(nodes.map((n) => this.agents.get(n.name)!.waitReady(30_000)));
    this.log(`docker testbed ${this.id}: agents ready`);
  }

  private async startAgent(n: NodeInfo): Promise<void> {
    const c = this.containers.get(n.name)!;
    const ex = await c.exec({
      Cmd: [
        'node',
        '/opt/fsim/runtime.mjs',
        `--role=${n.role}`,
        `--addr=${n.addr}`,
        `--remote-host=${this.storage.addr}`,
        ...(n.role === 'worker' && this.functionLauncher === 'container'
          ? [
              '--launcher=container',
              `--container=${this.containerName(n.name)}`,
              `--fn-image=${this.runImage}`,
              `--labels=${JSON.stringify(this.labels())}`,
              ...(this.pools.has(n.name) ? [`--cgroup-parent=/${this.pools.get(n.name)}`] : []),
            ]
          : []),
      ],
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
    });
    const stream = (await ex.start({ hijack: true, stdin: true })) as Duplex;
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stderr.resume();
    this.docker.modem.demuxStream(stream, stdout, stderr);
    stream.on('end', () => stdout.end());
    this.agents.set(n.name, new AgentClient(`agent ${n.name}`, stream, stdout));
  }

  call<T = unknown>(node: NodeInfo, op: string, args: Record<string, unknown> = {}, timeoutMs?: number): Promise<T> {
    const a = this.agents.get(node.name);
    if (!a) return Promise.reject(new Error(`no agent on ${node.name}`));
    return a.call<T>(op, args, timeoutMs);
  }

  async setRate(rateBps: number): Promise<void> {
    await Promise.all(
      [...this.containers.keys()].filter((name) => this.shaped(name)).map(async (name) => {
        for (const dev of ['eth0', 'ifb0']) await this.must(name, ['tc', 'qdisc', 'replace', 'dev', dev, 'root', 'handle', '1:', ...tbfArgs(rateBps)]);
      }),
    );
    this.rateBps = rateBps;
  }

  private shaped(name: string): boolean {
    return this.shape === 'all' || name === 'st';
  }

  /** The container of a node (for tests and the validation's byte counters). */
  containerName(node: string): string {
    return `${this.id}-${node}`;
  }

  describe(): Record<string, unknown> {
    return {
      kind: 'docker',
      id: this.id,
      endpoint: dockerEndpoint(),
      image: this.image ?? this.builtImage ?? 'built here',
      workers: this.workers.length,
      cpus: this.cpus,
      functions: this.functionLauncher === 'container' ? "docker run per function container, in the worker's network namespace" : 'forked processes in the worker container',
      cpuPools: this.poolNote,
      memoryBytes: this.memoryBytes ?? null,
      network: 'internal bridge (no route out of the machine)',
      shaping: `tc tbf on ${this.shape === 'all' ? "every container's" : "the storage container's"} eth0 (egress) + ingress redirected to an ifb with tbf`,
      delay: this.delayNote,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [ev, fn] of this.hooks) process.off(ev, fn);
    for (const a of this.agents.values()) a.fail(new Error('testbed closed'));
    // every container of this testbed: its nodes and the function containers its workers started
    const mine = await this.docker.listContainers({ all: true, filters: { label: [`${LABEL}=${this.id}`] } }).catch(() => []);
    const all = [...mine.map((c) => this.docker.getContainer(c.Id)), ...(mine.length ? [] : this.containers.values())];
    await Promise.all(all.map((c) => c.remove({ force: true }).catch(() => {})));
    if (this.network) await this.network.remove().catch(() => {});
    if (this.builtImage) await this.docker.getImage(this.builtImage).remove({ force: true }).catch(() => {});
    for (const pool of this.pools.values()) removePool(pool);
  }
}

/** Removes containers and networks a killed run on this host left behind (owner pid gone). */
export async function cleanupDockerLeftovers(docker: Docker): Promise<number> {
  const me = os.hostname();
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  let removed = 0;
  const stale = (labels: Record<string, string> | undefined) => {
    const owner = labels?.[OWNER_LABEL] ?? '';
    const [host, pid] = owner.split(':');
    return host === me && !alive(Number(pid));
  };
  for (const c of await docker.listContainers({ all: true, filters: { label: [LABEL] } })) {
    if (stale(c.Labels)) {
      await docker.getContainer(c.Id).remove({ force: true }).catch(() => {});
      removed++;
    }
  }
  for (const n of await docker.listNetworks({ filters: { label: [LABEL] } })) {
    if (stale(n.Labels)) await docker.getNetwork(n.Id).remove().catch(() => {});
  }
  // CPU pools of dead runs: flowsim-fsim-<pid>-<stamp>-<worker>
  for (const pool of listPools('flowsim-fsim-')) {
    const pid = Number(/^flowsim-fsim-(\d+)-/.exec(pool)?.[1]);
    if (pid && !alive(pid)) removePool(pool);
  }
  for (const im of await docker.listImages({ filters: { label: [LABEL] } })) {
    // not forced: an image a live testbed still runs stays
    if (stale(im.Labels)) await docker.getImage(im.Id).remove().catch(() => {});
  }
  return removed;
}

export async function startDockerTestbed(o: DockerOptions): Promise<Testbed> {
  const docker = o.docker ?? new Docker();
  await checkDockerEngine(docker, o.pingTimeoutMs ?? 5000);
  const log = o.log ?? (() => {});
  const n = await cleanupDockerLeftovers(docker);
  if (n) log(`removed ${n} containers left by killed runs`);
  const workers = o.workers ?? 3;
  const tb = new DockerTestbed(docker, `fsim-${process.pid}-${Date.now().toString(36)}`, workers, o.rateBps, o.image, log, o.shape, o.cpus, o.memoryBytes, o.functionLauncher);
  tb.installHooks();
  try {
    await tb.build(o.delayS ?? 0);
  } catch (e) {
    await tb.close();
    throw e;
  }
  return tb;
}
