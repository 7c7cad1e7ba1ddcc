// The testbed's workflow engines: real executions of a workflow request in the control and data
// paths of flowsim's hyperflow and faasflow modes (reference 1.C), run by the agents of
// runtime.mjs. Plain JavaScript with no dependencies, like the agent.
//
// A request arrives as a plan (validate/plan.ts compiles it from flowsim's own workflow model and
// the mode's placement): per function its worker, its successors, how many parents trigger it, and
// per instance the keys it reads (from the local store or the remote one), its compute and the
// keys it writes (to memory, to the remote store or both). The plan is handed to every node before
// the request's clock starts (as FaaSFlow creates the request's document before timing it).
//
// - hyperflow (MasterSP): the master engine (on the gateway node here) runs the request. For every
//   function whose parents are all done it asks every worker for /info in parallel and waits for
//   all replies (the result is unused, as in the authors' node_select()), then sends the function
//   to its worker and holds that request until every instance has returned; then it triggers the
//   successors.
// - faasflow (WorkerSP): the gateway triggers the start functions on their workers. Each worker
//   engine counts parents per request; when a function's count is complete it runs (all
//   instances), then its engine triggers each successor function: a local one by a direct call, a
//   remote one by one request to that worker's engine. A worker tells the gateway when an end
//   function is done; the request ends when all have.
//
// Function instances run in function processes (function.mjs) of a pool per function and node:
// an idle one is reused (warm), else the node's launcher starts one (launcher.mjs: a forked
// process, or a Docker container; the cold start lasts until it has connected to its stores), at
// most `maxContainers` at once per function and node (the others wait in FIFO order). Idle processes are kept until the testbed stops (FaaSFlow's keep-alive is
// 600 s, longer than a validation cell).
import net from 'node:net';
import readline from 'node:readline';
import { Resp } from './resp.mjs';

const now = () => Number(process.hrtime.bigint()) / 1e9;

/** A JSON-lines connection to another agent's control port, requests multiplexed by id. */
class Peer {
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.next = 1;
    this.pending = new Map();
    this.sock = null;
    this.connecting = null;
  }
  connect() {
    if (this.sock) return Promise.resolve(this.sock);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise((resolve, reject) => {
      const s = net.connect({ host: this.host, port: this.port }, () => {
        s.setNoDelay(true);
        this.sock = s;
        this.connecting = null;
        resolve(s);
      });
      s.on('error', (e) => {
        this.connecting = null;
        reject(e);
        this.failAll(e);
      });
      s.on('close', () => {
        this.sock = null;
        this.failAll(new Error(`connection to ${this.host} closed`));
      });
      readline.createInterface({ input: s }).on('line', (line) => {
        let m;
        try {
          m = JSON.parse(line);
        } catch {
          return;
        }
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (m.ok) p.resolve(m.result);
        else p.reject(new Error(`${this.host}: ${m.error}`));
      });
    });
    return this.connecting;
  }
  failAll(e) {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
  async call(op, args = {}) {
    const s = await this.connect();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      s.write(JSON.stringify({ ...args, id, op }) + '\n');
    });
  }
  close() {
    this.sock?.destroy();
  }
}

export function createEngine({ role, addr, remoteHost, remotePort, launcher, controlPort, log, sendBytes }) {
  const peers = new Map();
  const peer = (host) => {
    let p = peers.get(host);
    if (!p) peers.set(host, (p = new Peer(host, controlPort)));
    return p;
  };
  const plans = new Map(); // req -> plan
  const counters = new Map(); // req -> Int32Array of parents left (workers, faasflow)
  const waiting = new Map(); // req -> {left, resolve, reject, times} (gateway, faasflow)
  const kept = new Map(); // req -> function times of this worker (faasflow)
  // the engine's own store connections (key reads, prefetches, clean-up): one command at a time
  // each, so a pool that lends an idle one or opens another
  const storeConns = { remote: { host: remoteHost, port: remotePort, idle: [], all: [] }, local: { host: '127.0.0.1', port: 6379, idle: [], all: [] } };
  async function withStore(which, fn) {
    const p = storeConns[which];
    let c = p.idle.pop();
    if (!c) {
      c = await Resp.connect(p.host, p.port);
      p.all.push(c);
    }
    try {
      return await fn(c);
    } finally {
      p.idle.push(c);
    }
  }

  // ---------- function processes ----------
  const pools = new Map(); // pool key -> {idle: [], busy: number, queue: []}
  const all = new Set();
  let nextMsg = 1;

  async function startProcess() {
    const r = await launcher.start();
    all.add(r.child);
    r.child.once('exit', () => all.delete(r.child));
    return r;
  }

  async function acquire(key, max) {
    let p = pools.get(key);
    if (!p) pools.set(key, (p = { idle: [], busy: 0, queue: [] }));
    if (p.idle.length > 0) {
      p.busy++;
      return { child: p.idle.pop(), coldS: 0 };
    }
    if (p.busy < max) {
      p.busy++;
      try {
        return await startProcess();
      } catch (e) {
        p.busy--;
        throw e;
      }
    }
    // FIFO wait for a process of this function to come back
    return new Promise((resolve) => p.queue.push(resolve));
  }

  function release(key, child) {
    const p = pools.get(key);
    const w = p.queue.shift();
    if (w) w({ child, coldS: 0 });
    else {
      p.busy--;
      p.idle.push(child);
    }
  }

  /**
   * Runs one invocation in a function process; `onEvent` gets its events (DataFlower's posts),
   * which arrive until its DLU has stored the first chunk of each of its `firsts` remote outputs,
   * also after the reply.
   */
  function runIn(child, spec, kind = 'wf', onEvent = () => {}, firsts = 0) {
    const id = nextMsg++;
    return new Promise((resolve, reject) => {
      let replied = false;
      let left = firsts;
      const onMsg = (m) => {
        if (m.id !== id) return;
        if (m.ev) {
          onEvent(m);
          if (m.ev === 'first' && --left === 0 && replied) child.off('message', onMsg);
          return;
        }
        replied = true;
        if (left <= 0 || !m.ok) child.off('message', onMsg);
        if (m.ok) resolve(m);
        else reject(new Error(m.error));
      };
      child.on('message', onMsg);
      child.send({ ...spec, id, [kind]: true });
    });
  }

  /** Runs every instance of function f of a request on this worker; resolves with their times. */
  async function execFunction(req, f) {
    const plan = plans.get(req);
    if (!plan) throw new Error(`no plan for request ${req} on ${addr}`);
    const fn = plan.functions[f];
    const arrive = now();
    if (fn.keysKey) await withStore('remote', (c) => c.get(fn.keysKey)); // repo.get_keys: one request
    const inst = await Promise.all(
      fn.instances.map(async (spec) => {
        const a = now();
        const { child, coldS } = await acquire(fn.pool, fn.maxContainers);
        const s = now();
        try {
          const r = await runIn(child, spec);
          return { arrive: a, start: s, end: now(), coldS, fetchS: r.fetchS, computeS: r.computeS, putS: r.putS, readBytes: r.readBytes, wroteBytes: r.wroteBytes };
        } finally {
          release(fn.pool, child);
        }
      }),
    );
    return { f, node: addr, arrive, end: now(), instances: inst };
  }

  // ---------- hyperflow: the master engine ----------
  async function runHyperflow(plan) {
    const n = plan.functions.length;
    const left = Int32Array.from(plan.functions.map((fn) => fn.parents));
    const times = [];
    const t0 = now();
    let doneCount = 0;
    await new Promise((resolve, reject) => {
      const launch = async (f) => {
        const fn = plan.functions[f];
        try {
          if (fn.kind === 'switch') times.push({ f, node: 'master', arrive: now(), end: now(), instances: [] });
          else {
            // node_select(): /info to every worker, all replies awaited
            await Promise.all(plan.workers.map((w) => peer(w).call('info')));
            times.push(await peer(plan.workers[fn.node]).call('wfExec', { req: plan.req, f }));
          }
          doneCount++;
          for (const s of fn.succ) if (--left[s] === 0) void launch(s);
          if (doneCount === n) resolve();
        } catch (e) {
          reject(e);
        }
      };
      for (const f of plan.starts) void launch(f);
    });
    return { e2eS: now() - t0, t0, functions: times };
  }

  // ---------- faasflow: worker engines ----------
  async function trigger(req, f) {
    const plan = plans.get(req);
    if (!plan) throw new Error(`no plan for request ${req} on ${addr}`);
    let c = counters.get(req);
    if (!c) counters.set(req, (c = Int32Array.from(plan.functions.map((fn) => fn.parents))));
    if (--c[f] > 0) return; // parents still missing
    const fn = plan.functions[f];
    const r = fn.kind === 'switch' ? { f, node: addr, arrive: now(), end: now(), instances: [] } : await execFunction(req, f);
    // one call per successor function: local ones directly, remote ones by a request
    await Promise.all(
      fn.succ.map((s) => {
        const target = plan.workers[plan.functions[s].node];
        return target === addr ? trigger(req, s) : peer(target).call('wfTrigger', { req, f: s });
      }),
    );
    if (fn.succ.length === 0) await peer(plan.gateway).call('wfDone', { req, times: r });
    else {
      // kept here, collected by the clean-up after the request (no extra traffic during it)
      let list = kept.get(req);
      if (!list) kept.set(req, (list = []));
      list.push(r);
    }
  }

  async function runFaasflow(plan) {
    const ends = plan.functions.filter((fn) => fn.succ.length === 0).length;
    const t0 = now();
    const done = new Promise((resolve, reject) => waiting.set(plan.req, { left: ends, resolve, reject, times: [] }));
    await Promise.all(plan.starts.map((f) => peer(plan.workers[plan.functions[f].node]).call('wfTrigger', { req: plan.req, f })));
    const w = await done;
    waiting.delete(plan.req);
    return { e2eS: w.end - t0, t0, functions: w.times };
  }

  // ---------- dataflower: data-flow triggering on every worker ----------
  const dfArrived = new Map(); // req -> Map("fn:inst" -> count)
  const dfPrefetch = new Map(); // req -> Map(key -> Promise)
  const sleep = (s) => new Promise((r) => setTimeout(r, Math.max(0, s * 1000)));

  function dfArrive(req, fn, inst) {
    const plan = plans.get(req);
    if (!plan) throw new Error(`no plan for request ${req} on ${addr}`);
    let m = dfArrived.get(req);
    if (!m) dfArrived.set(req, (m = new Map()));
    const k = `${fn}:${inst}`;
    const got = (m.get(k) ?? 0) + 1;
    m.set(k, got);
    if (got === plan.functions[fn].instances[inst].need) void dfDispatch(req, fn, inst).catch((e) => dfFail(plan, e));
  }

  function dfFail(plan, e) {
    log(`request ${plan.req}: ${e?.message ?? e}`);
    void peer(plan.gateway).call('wfFail', { req: plan.req, error: String(e?.message ?? e) }).catch(() => {});
  }

  /** Delivers one posted item to its consumer's worker. */
  function dfDeliver(plan, e) {
    if (plan.workers[e.node] === addr) dfArrive(plan.req, e.fn, e.inst);
    else void peer(plan.workers[e.node]).call('dfItem', { req: plan.req, fn: e.fn, inst: e.inst }).catch((x) => dfFail(plan, x));
  }

  async function dfDispatch(req, fn, inst) {
    const plan = plans.get(req);
    const f = plan.functions[fn];
    const spec = f.instances[inst];
    const arrive = now();
    let r;
    if (f.kind === 'switch') {
      for (const e of spec.emits) dfDeliver(plan, e);
      r = { f: fn, node: addr, arrive, end: now(), instances: [] };
    } else {
      const { child, coldS } = await acquire(f.pool, f.maxContainers);
      const start = now();
      // the first chunk of a remote output is stored: one kafka_data_ready per consuming worker
      const onEvent = (m) => {
        if (m.ev === 'item') dfDeliver(plan, spec.emits[m.k]);
        else if (m.ev === 'first') {
          const byNode = new Map();
          for (const e of spec.emits) if (e.how === 'remote' && e.key === m.key) (byNode.get(e.node) ?? byNode.set(e.node, []).get(e.node)).push({ fn: e.fn, inst: e.inst });
          const bytes = spec.emits.find((e) => e.key === m.key).bytes;
          for (const [node, items] of byNode) void peer(plan.workers[node]).call('dfData', { req, key: m.key, bytes, items }).catch((x) => dfFail(plan, x));
        }
      };
      let res;
      try {
        const firsts = new Set(spec.emits.filter((e) => e.how === 'remote').map((e) => e.key)).size;
        res = await runIn(child, { ...spec, chunkBytes: plan.chunkBytes }, 'df', onEvent, firsts);
      } catch (e) {
        release(f.pool, child);
        throw e;
      }
      const end = now();
      // pressure-aware release: hold the container while its DLU still has data to send
      const exec = end - start;
      const delay = Number.isFinite(spec.egressCapBps) ? res.remoteBytes / (plan.pressureFactor * spec.egressCapBps) - exec : 0;
      if (plan.pressureAware && delay >= 0.005) setTimeout(() => release(f.pool, child), delay * 1000);
      else release(f.pool, child);
      r = { f: fn, node: addr, arrive, end, instances: [{ arrive, start, end, coldS, fetchS: res.fetchS, computeS: res.computeS, putS: res.putS, readBytes: res.readBytes, wroteBytes: res.remoteBytes }] };
    }
    let list = kept.get(req);
    if (!list) kept.set(req, (list = []));
    list.push(r);
    if (spec.userBytes >= 0) {
      // the result to the user: bytes over the network when large, else a message
      if (spec.userBytes > plan.inlineBytes) await sendBytes(plan.gateway, spec.userBytes);
      await peer(plan.gateway).call('wfDone', { req, times: { f: fn, node: addr, arrive, end: now(), instances: [] } });
    }
  }

  /** The consumer side's prefetcher: reads every chunk of `key` as it is stored, keeps the value locally. */
  async function dfData(req, key, bytes, items) {
    const plan = plans.get(req);
    let m = dfPrefetch.get(req);
    if (!m) dfPrefetch.set(req, (m = new Map()));
    let p = m.get(key);
    if (!p) {
      p = (async () => {
        const n = Math.max(1, Math.ceil(bytes / plan.chunkBytes));
        const parts = await withStore('remote', async (rs) => {
          const got = [];
          for (let c = 0; c < n; c++) {
            let v = await rs.get(`${key}#${c}`);
            // a chunk not yet produced: poll, as a Kafka consumer's fetch waits for data
            while (!v) {
              await sleep(0.001);
              v = await rs.get(`${key}#${c}`);
            }
            got.push(v);
          }
          return got;
        });
        await withStore('local', (c) => c.set(key, Buffer.concat(parts).subarray(0, bytes)));
      })();
      m.set(key, p);
    }
    await p;
    for (const it of items) dfArrive(req, it.fn, it.inst);
  }

  async function runDataflower(plan) {
    const t0 = now();
    const done = new Promise((resolve, reject) => waiting.set(plan.req, { left: plan.ends, resolve, reject, times: [] }));
    const starts = [];
    plan.functions.forEach((f, fn) => f.instances.forEach((inst, i) => inst.need === 0 && starts.push([fn, i, f.node])));
    // request_info from the gateway to each start function's worker
    await Promise.all(starts.map(([fn, inst, node]) => peer(plan.workers[node]).call('dfStart', { req: plan.req, fn, inst })));
    const w = await done;
    waiting.delete(plan.req);
    return { e2eS: w.end - t0, t0, functions: w.times };
  }

  async function cleanup(req) {
    const plan = plans.get(req);
    const times = kept.get(req) ?? [];
    plans.delete(req);
    counters.delete(req);
    kept.delete(req);
    dfArrived.delete(req);
    dfPrefetch.delete(req);
    if (!plan) return { deleted: 0, times };
    let deleted = 0;
    let remoteKeys = plan.remoteKeys;
    if (plan.mode === 'dataflower') {
      // streamed outputs live as chunks <key>#<n>
      const chunks = new Set();
      for (const f of plan.functions)
        for (const inst of f.instances)
          for (const e of inst.emits)
            if (e.how === 'remote') for (let c = 0; c < Math.max(1, Math.ceil(e.bytes / plan.chunkBytes)); c++) chunks.add(`${e.key}#${c}`);
      remoteKeys = [...chunks];
    }
    if (role === 'gateway' && remoteKeys.length) deleted += Number(await withStore('remote', (c) => c.command(['DEL', ...remoteKeys])));
    if (role === 'worker') {
      const mine = plan.localKeys[addr] ?? [];
      if (mine.length) deleted += Number(await withStore('local', (c) => c.command(['DEL', ...mine])));
    }
    return { deleted, times };
  }

  async function handle(msg) {
    switch (msg.op) {
      case 'wfPlan':
        plans.set(msg.plan.req, msg.plan);
        return { ok: true };
      case 'wfRun': {
        const plan = plans.get(msg.req);
        if (!plan) throw new Error(`wfRun: no plan for request ${msg.req}`);
        return plan.mode === 'hyperflow' ? runHyperflow(plan) : plan.mode === 'dataflower' ? runDataflower(plan) : runFaasflow(plan);
      }
      case 'dfStart': {
        // a start function instance: nothing to wait for
        const plan = plans.get(msg.req);
        if (!plan) throw new Error(`dfStart: no plan for request ${msg.req}`);
        void dfDispatch(msg.req, msg.fn, msg.inst).catch((e) => dfFail(plan, e));
        return { ok: true };
      }
      case 'dfItem':
        dfArrive(msg.req, msg.fn, msg.inst);
        return { ok: true };
      case 'dfData':
        // answered at once; the prefetch runs on
        void dfData(msg.req, msg.key, msg.bytes, msg.items).catch((e) => {
          const plan = plans.get(msg.req);
          if (plan) dfFail(plan, e);
        });
        return { ok: true };
      case 'wfExec':
        return execFunction(msg.req, msg.f);
      case 'wfTrigger':
        // answered at once (the trigger's HTTP reply); the function runs on
        void trigger(msg.req, msg.f).catch((e) => {
          log(`request ${msg.req} function ${msg.f}: ${e?.message ?? e}`);
          const plan = plans.get(msg.req);
          if (plan) void peer(plan.gateway).call('wfFail', { req: msg.req, error: String(e?.message ?? e) }).catch(() => {});
        });
        return { ok: true };
      case 'wfDone': {
        const w = waiting.get(msg.req);
        if (!w) return { ok: false };
        w.times.push(msg.times);
        if (--w.left === 0) {
          w.end = now();
          w.resolve(w);
        }
        return { ok: true };
      }
      case 'wfFail': {
        waiting.get(msg.req)?.reject(new Error(msg.error));
        return { ok: true };
      }
      case 'wfCleanup':
        return cleanup(msg.req);
      case 'wfStop': {
        const n = all.size;
        for (const c of all) c.kill('SIGKILL');
        pools.clear();
        return { stopped: n };
      }
      default:
        return undefined;
    }
  }

  function stop() {
    for (const c of all) c.kill('SIGKILL');
    for (const p of peers.values()) p.close();
    for (const p of Object.values(storeConns)) for (const c of p.all) c.close();
  }

  return { handle, stop };
}
