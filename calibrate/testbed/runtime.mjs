// The testbed agent, one per node (gateway, storage, each worker), started inside the node's
// network namespace (or container). Plain JavaScript with no dependencies, so it starts fast and can
// be copied anywhere.
//
// Control: JSON lines on stdin -> JSON lines on stdout ({id, ok, result | error}); the same ops are
// served on TCP port 7000 of the node's address (the gateway uses it to invoke functions on workers).
// Data: port 7001 is a sink (8-byte big-endian length, then that many bytes; replies one byte when
// all arrived); port 7002 echoes single bytes (round-trip time).
//
// On workers it is the function runtime: `invoke` runs a synthetic function in a function process
// (function.mjs), reusing an idle one (warm) or forking a new one (cold start = process start until
// the process has connected to its stores and says it is ready).
import fs from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Resp } from './resp.mjs';
import { createEngine } from './engine.mjs';
import { createLauncher } from './launcher.mjs';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => {
    const [k, ...v] = a.replace(/^--/, '').split('=');
    return [k, v.join('=')];
  }),
);
const role = args.role ?? 'worker';
const addr = args.addr ?? '127.0.0.1';
const remoteHost = args['remote-host'] ?? '127.0.0.1';
const remotePort = Number(args['remote-port'] ?? 6379);
const CONTROL_PORT = 7000;
const SINK_PORT = 7001;
const ECHO_PORT = 7002;
const CHUNK = 1 << 20;
const here = path.dirname(fileURLToPath(import.meta.url));
const FUNCTION_SCRIPT = path.join(here, 'function.mjs');

const now = () => Number(process.hrtime.bigint()) / 1e9;
const log = (...m) => process.stderr.write(`[runtime ${role}] ${m.join(' ')}\n`);

function withTimeout(p, ms, what) {
  let t;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise((_, rej) => {
      t = setTimeout(() => rej(new Error(`${what}: timeout after ${ms} ms`)), ms);
    }),
  ]);
}

// ---------- data servers ----------
function sinkServer() {
  return net.createServer((sock) => {
    sock.setNoDelay(true);
    let header = Buffer.alloc(0);
    let expected = -1;
    let got = 0;
    sock.on('data', (d) => {
      if (expected < 0) {
        header = Buffer.concat([header, d]);
        if (header.length < 8) return;
        expected = Number(header.readBigUInt64BE(0));
        got = header.length - 8;
      } else got += d.length;
      if (got >= expected && expected >= 0) {
        sock.write(Buffer.from([1]));
        expected = -1;
        header = Buffer.alloc(0);
        got = 0;
      }
    });
    sock.on('error', () => {});
  });
}

function echoServer() {
  return net.createServer((sock) => {
    sock.setNoDelay(true);
    sock.on('data', (d) => sock.write(d));
    sock.on('error', () => {});
  });
}

const payload = Buffer.alloc(CHUNK, 0x62);

/** Opens a connection, sends `bytes`, resolves when the sink acknowledges all of them. */
function sendOnce(host, bytes, timeoutMs) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const t0 = now();
      const sock = net.connect({ host, port: SINK_PORT });
      sock.setNoDelay(true);
      sock.on('error', reject);
      sock.once('connect', async () => {
        const tc = now();
        const h = Buffer.alloc(8);
        h.writeBigUInt64BE(BigInt(bytes));
        sock.write(h);
        let left = bytes;
        while (left > 0) {
          const n = Math.min(left, CHUNK);
          left -= n;
          if (!sock.write(n === CHUNK ? payload : payload.subarray(0, n))) {
            await new Promise((r) => sock.once('drain', r));
          }
        }
      });
      sock.once('data', () => {
        const t1 = now();
        sock.destroy();
        resolve({ bytes, seconds: t1 - t0 });
      });
    }),
    timeoutMs,
    `send ${bytes} B to ${host}`,
  );
}

async function ping(host, n) {
  const sock = await withTimeout(
    new Promise((resolve, reject) => {
      const s = net.connect({ host, port: ECHO_PORT }, () => resolve(s));
      s.on('error', reject);
    }),
    5000,
    `connect ${host}:${ECHO_PORT}`,
  );
  sock.setNoDelay(true);
  const rtts = [];
  try {
    for (let i = 0; i < n + 2; i++) {
      const t0 = now();
      await withTimeout(
        new Promise((r) => {
          sock.once('data', r);
          sock.write(Buffer.from([7]));
        }),
        5000,
        'echo',
      );
      if (i >= 2) rtts.push(now() - t0); // the first two warm up the path
    }
  } finally {
    sock.destroy();
  }
  return rtts;
}

// ---------- stores ----------
async function redisTimes({ host, port, action, bytes, n, key }) {
  const c = await Resp.connect(host, port ?? 6379);
  const value = Buffer.alloc(bytes, 0x63);
  const out = [];
  try {
    const k = key ?? `probe:${process.pid}:${bytes}`;
    if (action === 'get') await c.set(k, value);
    for (let i = 0; i < n; i++) {
      const t0 = now();
      if (action === 'set') await c.set(k, value);
      else {
        const v = await c.get(k);
        if (!v || v.length !== bytes) throw new Error(`GET ${k}: expected ${bytes} B, got ${v ? v.length : 'nil'}`);
      }
      out.push(now() - t0);
    }
    await c.command(['DEL', k]);
  } finally {
    c.close();
  }
  return out;
}

// ---------- function processes ----------
const idle = [];
const all = new Set();
let nextMsg = 1;

// how this node starts a function's "container" (launcher.mjs): a forked process, or a Docker
// container in this worker's network namespace and cgroup
const launcherKind = args.launcher === 'container' ? 'container' : 'process';
const launcher = createLauncher({
  kind: launcherKind,
  functionScript: launcherKind === 'container' ? '/opt/fsim/function.mjs' : FUNCTION_SCRIPT,
  env: { FS_REMOTE_HOST: remoteHost, FS_REMOTE_PORT: String(remotePort), FS_LOCAL_HOST: '127.0.0.1', FS_LOCAL_PORT: '6379' },
  log,
  docker:
    launcherKind === 'container'
      ? { socketPath: args['docker-socket'] ?? '/var/run/docker.sock', image: args['fn-image'], labels: JSON.parse(args.labels ?? '{}'), workerContainer: args.container, port: 7003, namePrefix: args.container, cgroupParent: args['cgroup-parent'] }
      : undefined,
});

async function startFunction() {
  const r = await withTimeout(launcher.start(), 60000, 'function cold start');
  all.add(r.child);
  r.child.once('exit', () => {
    all.delete(r.child);
    const i = idle.indexOf(r.child);
    if (i >= 0) idle.splice(i, 1);
  });
  return r;
}

function runIn(child, spec) {
  const id = nextMsg++;
  return withTimeout(
    new Promise((resolve, reject) => {
      const onMsg = (m) => {
        if (m.id !== id) return;
        child.off('message', onMsg);
        if (m.ok) resolve(m);
        else reject(new Error(m.error));
      };
      child.on('message', onMsg);
      child.send({ id, cpuS: spec.cpuS ?? 0, inputs: spec.inputs ?? [], outputs: spec.outputs ?? [] });
    }),
    spec.timeoutMs ?? 120000,
    'invocation',
  );
}

async function invoke(spec) {
  const t0 = now();
  let child;
  let coldStartS = null;
  if (spec.cold || idle.length === 0) {
    ({ child, coldS: coldStartS } = await startFunction());
  } else child = idle.pop();
  const r = await runIn(child, spec);
  const totalS = now() - t0;
  if (spec.keep === false) child.kill('SIGKILL');
  else idle.push(child);
  return { coldStartS, totalS, readS: r.readS, cpuS: r.cpuS, writeS: r.writeS, readBytes: r.readBytes };
}

async function coldStarts(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const { child, coldS: coldStartS } = await startFunction();
    out.push(coldStartS);
    child.kill('SIGKILL');
    await new Promise((r) => (child.exitCode !== null || child.signalCode ? r() : child.once('exit', r)));
  }
  return out;
}

/** From the gateway: invoke a function on a worker's runtime over TCP, n times, one at a time. */
async function remoteInvoke({ host, n, spec }) {
  const sock = await withTimeout(
    new Promise((resolve, reject) => {
      const s = net.connect({ host, port: CONTROL_PORT }, () => resolve(s));
      s.on('error', reject);
    }),
    5000,
    `connect ${host}:${CONTROL_PORT}`,
  );
  sock.setNoDelay(true);
  const rl = readline.createInterface({ input: sock });
  const lines = [];
  let wake = null;
  rl.on('line', (l) => {
    lines.push(l);
    if (wake) wake();
  });
  const out = [];
  try {
    for (let i = 0; i < n; i++) {
      const t0 = now();
      sock.write(JSON.stringify({ ...spec, id: i, op: 'invoke' }) + '\n');
      await withTimeout(
        new Promise((r) => {
          if (lines.length) r();
          else wake = r;
        }),
        30000,
        'remote invoke',
      );
      wake = null;
      const reply = JSON.parse(lines.shift());
      if (!reply.ok) throw new Error(reply.error);
      out.push({ roundTripS: now() - t0, ...reply.result });
    }
  } finally {
    rl.close();
    sock.destroy();
  }
  return out;
}

// ---------- interface counters ----------
// Bytes received and sent by this node's interfaces (its namespace's or container's), from
// /proc/net/dev: every interface but loopback and the ifb used for ingress shaping (an ifb
// counts the same packets again). Function containers share their worker's namespace, so their
// traffic is counted here too.
function netBytes() {
  let rx = 0;
  let tx = 0;
  for (const line of fs.readFileSync('/proc/net/dev', 'utf8').split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo' || m[1].startsWith('ifb')) continue;
    const f = m[2].trim().split(/\s+/).map(Number);
    rx += f[0];
    tx += f[8];
  }
  return { rxBytes: rx, txBytes: tx };
}

// ---------- workflow engines (engine.mjs) ----------
const engine = createEngine({ role, addr, remoteHost, remotePort, launcher, controlPort: CONTROL_PORT, log, sendBytes: (host, bytes) => sendOnce(host, bytes, 120000) });

// ---------- dispatcher ----------
async function handle(msg) {
  if (typeof msg.op === 'string' && (msg.op.startsWith('wf') || msg.op.startsWith('df'))) {
    const r = await engine.handle(msg);
    if (r === undefined) throw new Error(`unknown op ${JSON.stringify(msg.op)}`);
    return r;
  }
  switch (msg.op) {
    case 'info':
      return { role, addr, pid: process.pid };
    case 'ping':
      return ping(msg.host, msg.n ?? 10);
    case 'send':
      // concurrent flows, all started at once
      return Promise.all(msg.flows.map((f) => sendOnce(f.host, f.bytes, msg.timeoutMs ?? 120000)));
    case 'redis':
      return redisTimes(msg);
    case 'invoke':
      return invoke(msg);
    case 'coldStarts':
      return coldStarts(msg.n ?? 5);
    case 'netBytes':
      return netBytes();
    case 'functionRss': {
      // resident memory of a fresh function process (what one "container" of the testbed takes)
      const { child, rssBytes } = await startFunction();
      child.kill('SIGKILL');
      return { rssBytes, launcher: launcherKind };
    }
    case 'remoteInvoke':
      return remoteInvoke(msg);
    case 'stopFunctions':
      for (const c of all) c.kill('SIGKILL');
      return { stopped: all.size };
    default:
      throw new Error(`unknown op ${JSON.stringify(msg.op)}`);
  }
}

function serveLines(input, write) {
  const rl = readline.createInterface({ input });
  rl.on('line', async (line) => {
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      write({ id: null, ok: false, error: 'bad JSON' });
      return;
    }
    try {
      write({ id: msg.id, ok: true, result: await handle(msg) });
    } catch (e) {
      write({ id: msg.id, ok: false, error: String(e?.message ?? e) });
    }
  });
  return rl;
}

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
}

const control = net.createServer((sock) => {
  sock.setNoDelay(true);
  sock.on('error', () => {});
  serveLines(sock, (o) => sock.write(JSON.stringify(o) + '\n'));
});
await listen(control, CONTROL_PORT, addr);
await listen(sinkServer(), SINK_PORT, addr);
await listen(echoServer(), ECHO_PORT, addr);

const stdinRl = serveLines(process.stdin, (o) => process.stdout.write(JSON.stringify(o) + '\n'));
stdinRl.on('close', () => shutdown(0)); // the controller went away: leave no function process behind

function shutdown(code) {
  for (const c of all) c.kill('SIGKILL');
  engine.stop();
  launcher.close();
  process.exit(code);
}
process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
process.stdout.write(JSON.stringify({ ready: true, role, addr, pid: process.pid }) + '\n');
log('ready on', addr);
