// A function process (the "container" of the testbeds). The runtime forks one per cold start; it is
// ready once it has connected to its stores and says so. Each invocation message runs a synthetic
// function and replies with how long each part took:
//
// - probes ({cpuS, inputs, outputs}): inputs read one after another, a busy loop of cpuS seconds,
//   outputs written one after another;
// - workflow invocations ({wf: true, ...}), as FaaSFlow's container runtime does (Store.py): every
//   input fetched at once (one thread per key there, one pending request each here); a fetch that
//   is not in the local store first misses there, then reads the remote store; then the compute
//   (`sleepS` of sleeping, as FaaSFlow's scientific functions do, or `cpuS` core-seconds of CPU
//   work held to `rate` cores: busy slices of rate x 10 ms in every 10 ms, counted in the
//   process's own CPU time, so that a busy node slows it as it slows a real function); then the
//   outputs one key after another, each to the stores it goes to.
import net from 'node:net';
import readline from 'node:readline';
import { Resp } from './resp.mjs';

// The channel to the agent: the IPC channel of a forked process, or (a function container,
// launcher.mjs) a TCP connection to the agent over the worker's loopback, JSON lines.
let send;
let onMessage;
if (process.env.FS_CONNECT) {
  const [host, port] = process.env.FS_CONNECT.split(':');
  const sock = net.connect({ host, port: Number(port) });
  sock.setNoDelay(true);
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  sock.on('close', () => process.exit(0));
  sock.on('error', () => process.exit(0));
  const rl = readline.createInterface({ input: sock });
  send = (m) => sock.write(JSON.stringify(m) + '\n');
  onMessage = (cb) => rl.on('line', (line) => cb(JSON.parse(line)));
} else {
  send = (m) => process.send(m);
  onMessage = (cb) => process.on('message', cb);
  process.on('disconnect', () => process.exit(0));
}

const local = { host: process.env.FS_LOCAL_HOST ?? '127.0.0.1', port: Number(process.env.FS_LOCAL_PORT ?? 6379) };
const remote = { host: process.env.FS_REMOTE_HOST ?? '127.0.0.1', port: Number(process.env.FS_REMOTE_PORT ?? 6379) };

const stores = {
  local: await Resp.connect(local.host, local.port),
  remote: await Resp.connect(remote.host, remote.port),
};
// parallel fetches need their own connections (one request at a time per connection)
const extra = { local: [], remote: [] };
async function conn(store, k) {
  if (k === 0) return stores[store];
  while (extra[store].length < k) {
    const c = store === 'local' ? local : remote;
    extra[store].push(await Resp.connect(c.host, c.port));
  }
  return extra[store][k - 1];
}

function busy(seconds) {
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  let x = 0;
  while (process.hrtime.bigint() < end) x += Math.sqrt(x + 1);
  return x;
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const sleep = (s) => new Promise((r) => setTimeout(r, Math.max(0, s * 1000)));

/**
 * `cpuS` core-seconds of CPU time at most `rate` cores (rate <= 1: one process is one core): busy
 * slices, each followed by a sleep that holds the time since the start at (CPU used so far) / rate.
 * Pacing by the CPU actually used, not by the slice asked for, keeps the rate right when the
 * kernel's CPU-time counter advances in steps (a tick) larger than a slice.
 */
async function work(cpuS, rate) {
  const r = Math.min(1, Math.max(0.01, rate || 1));
  const SLICE = 0.01;
  const c0 = cpuNow();
  const w0 = Number(process.hrtime.bigint()) / 1e9;
  let x = 0;
  for (;;) {
    const done = cpuNow() - c0;
    if (done >= cpuS) break;
    const c1 = cpuNow();
    const want = Math.min(r * SLICE, cpuS - done);
    while (cpuNow() - c1 < want) x += Math.sqrt(x + 1);
    if (r < 1) {
      const used = cpuNow() - c0;
      await sleep(w0 + used / r - Number(process.hrtime.bigint()) / 1e9);
    }
  }
  return x;
}

const now = () => Number(process.hrtime.bigint()) / 1e9;
const payloads = new Map();
function payload(bytes) {
  // one buffer per size, reused: the function moves real bytes, the content does not matter
  let b = payloads.get(bytes);
  if (!b) {
    b = Buffer.alloc(bytes, 0x61);
    if (payloads.size > 64) payloads.clear();
    payloads.set(bytes, b);
  }
  return b;
}

async function workflowInvocation(msg) {
  const t0 = now();
  if (msg.keysKey) await stores.remote.get(msg.keysKey); // repo.get_keys: one request to the request's document
  const tf = now();
  let readBytes = 0;
  const inputs = msg.inputs ?? [];
  const slots = { local: 0, remote: 0 };
  await Promise.all(
    inputs.map(async (i) => {
      if (i.local) {
        const c = await conn('local', slots.local++);
        const v = await c.get(i.key);
        if (!v) throw new Error(`input ${i.key}: not in the local store`);
        readBytes += v.length;
        return;
      }
      const lc = await conn('local', slots.local++);
      await lc.command(['EXISTS', i.key]); // checks the local store first: a miss
      const rc = await conn('remote', slots.remote++);
      const v = await rc.get(i.key);
      if (i.bytes > 0 && !v) throw new Error(`input ${i.key}: not in the remote store`);
      readBytes += v ? v.length : 0;
    }),
  );
  const t1 = now();
  if (msg.sleepS > 0) await sleep(msg.sleepS);
  if (msg.cpuS > 0) await work(msg.cpuS, msg.rate);
  const t2 = now();
  let wroteBytes = 0;
  for (const o of msg.outputs ?? []) {
    const v = o.bytes > 0 ? payload(o.bytes) : Buffer.from('k');
    for (const s of o.stores) await stores[s].set(o.key, v);
    wroteBytes += v.length * o.stores.length;
  }
  const t3 = now();
  return { ok: true, keysS: tf - t0, fetchS: t1 - tf, computeS: t2 - t1, putS: t3 - t2, readBytes, wroteBytes };
}

// ---------- DataFlower invocations (engine.mjs, dataflower mode) ----------
// The FLU reads its (prefetched) inputs from the local store, computes in `segments` parts and
// posts its outputs: an inline item is a notice to the engine; a local one is written to the
// local store, then noticed; a remote one goes to this process's DLU, which streams it to the
// remote store in `chunkBytes` chunks (`<key>#<n>`), one output after another, paced to the
// container's egress cap, and tells the engine when the first chunk is stored. The FLU replies
// when its local work is done; the DLU streams on.
const dlu = { busy: false, queue: [] };
function dluStream(key, bytes, chunkBytes, capBps, onFirst) {
  const run = async () => {
    dlu.busy = true;
    try {
      const t0 = now();
      const n = Math.max(1, Math.ceil(bytes / chunkBytes));
      for (let c = 0; c < n; c++) {
        const size = Math.min(chunkBytes, bytes - c * chunkBytes);
        await stores.remote.set(`${key}#${c}`, payload(Math.max(1, size)));
        if (c === 0) onFirst();
        if (Number.isFinite(capBps) && capBps > 0) {
          const due = t0 + Math.min(bytes, (c + 1) * chunkBytes) / capBps - now();
          if (due > 0) await sleep(due);
        }
      }
    } finally {
      dlu.busy = false;
      const next = dlu.queue.shift();
      if (next) void next();
    }
  };
  if (dlu.busy) dlu.queue.push(run);
  else void run();
}

async function dataflowerInvocation(msg) {
  const t0 = now();
  let readBytes = 0;
  for (const r of msg.reads ?? []) {
    const v = await stores.local.get(r.key);
    if (!v) throw new Error(`input ${r.key}: not prefetched to the local store`);
    readBytes += v.length;
  }
  const t1 = now();
  let postS = 0;
  let remoteBytes = 0;
  const streamed = new Set();
  const post = async (k) => {
    const e = msg.emits[k];
    if (e.how === 'inline') send({ id: msg.id, ev: 'item', k });
    else if (e.how === 'local') {
      const p0 = now();
      await stores.local.set(e.key, payload(e.bytes));
      postS += now() - p0;
      send({ id: msg.id, ev: 'item', k });
    } else if (!streamed.has(e.key)) {
      streamed.add(e.key);
      remoteBytes += e.bytes;
      dluStream(e.key, e.bytes, msg.chunkBytes, msg.egressCapBps, () => send({ id: msg.id, ev: 'first', key: e.key }));
    }
  };
  const segments = Math.max(1, msg.segments);
  for (let s = 0; s < segments; s++) {
    if (msg.sleepS > 0) await sleep(msg.sleepS / segments);
    if (msg.cpuS > 0) await work(msg.cpuS / segments, msg.rate);
    for (let k = 0; k < msg.emits.length; k++) if (msg.emits[k].segment === s) await post(k);
  }
  const t2 = now();
  for (let k = 0; k < msg.emits.length; k++) if (msg.emits[k].segment < 0) await post(k);
  const t3 = now();
  return { ok: true, fetchS: t1 - t0, computeS: t2 - t1, putS: t3 - t2, localWriteS: postS, remoteBytes, readBytes };
}

onMessage(async (msg) => {
  const t0 = now();
  try {
    if (msg.df) {
      send({ id: msg.id, ...(await dataflowerInvocation(msg)) });
      return;
    }
    if (msg.wf) {
      send({ id: msg.id, ...(await workflowInvocation(msg)) });
      return;
    }
    let readBytes = 0;
    for (const i of msg.inputs ?? []) {
      const v = await stores[i.store].get(i.key);
      readBytes += v ? v.length : 0;
    }
    const t1 = now();
    if (msg.cpuS > 0) busy(msg.cpuS);
    const t2 = now();
    for (const o of msg.outputs ?? []) await stores[o.store].set(o.key, Buffer.alloc(o.bytes, 0x61));
    const t3 = now();
    send({ id: msg.id, ok: true, readS: t1 - t0, cpuS: t2 - t1, writeS: t3 - t2, readBytes });
  } catch (e) {
    send({ id: msg.id, ok: false, error: String(e?.message ?? e) });
  }
});

send({ ready: true, pid: process.pid, token: process.env.FS_TOKEN, rssBytes: process.memoryUsage().rss });
