/**
 * A function invocation as FaaSFlow's container runtime performs it (reference 1.A/1.C,
 * `src/container/main.py` and `Store.py`), shared by the hyperflow and faasflow modes:
 *
 * 1. the call is dispatched to a container of the function on the node (warm, or a cold start);
 * 2. the runtime's per-invocation cost (`containers.invocationOverheadS`) and the store set-up:
 *    Store() opens three CouchDB databases, one request each (`containers.storeOpenOps`);
 * 3. inputs are fetched, one thread per key, all keys in parallel (Store.py `fetch`): from the
 *    node's Redis when the producer ran on this node and stored to memory, else Redis is checked
 *    (a miss) and the value is read from the remote store, after `storage.fetchMissOps` reads that
 *    miss (a JSON value is stored under `<key>.json`); each thread then saves a data-transfer
 *    log document to CouchDB (`storage.fetchLogOps`). Workflow-level inputs are CouchDB misses in
 *    the authors' runs (`workflowInputs: 'miss'`) or real reads;
 *    after the fetch phase and after the put phase Store.py saves the phase's time to CouchDB
 *    (`containers.phaseLogOps` each, outside the timed phases);
 * 4. the function computes (node CPU model);
 * 5. outputs are written one key after another: remote ones as attachments of the request's
 *    CouchDB document (document-store.ts: revision read, PUT, retry on conflict) through the
 *    container's egress cap when the cluster shapes containers, local ones to Redis, as the
 *    mode's data placement says;
 * 6. the container is released.
 * Steps 3 and 5 are the "edge" phase: their duration is the instance's data overhead.
 */
import type { RequestCtx, ModeContext } from './mode.js';
import { nodeFor, outputKeys } from './common.js';
import { newInvocation, runInvocation, type Invocation, type InvocationHooks } from './invocation.js';
import { containerEgressCapBps } from '../models/cluster.js';
import type { StoreDb } from '../models/storage.js';

/** Where each function's outputs go. */
export interface DataPlacement {
  toMem: boolean[];
  toDb: boolean[];
}

type Step = (next: () => void) => void;

/** Runs every step at once; `done` when the last has finished. */
function parallel(steps: Step[], done: () => void): void {
  let left = steps.length;
  if (left === 0) {
    done();
    return;
  }
  for (const s of steps) s(() => {
    if (--left === 0) done();
  });
}

function series(steps: Step[], done: () => void): void {
  let k = 0;
  const next = () => {
    if (k < steps.length) steps[k++](next);
    else done();
  };
  next();
}

/**
 * Bytes a function writes beyond what its edges carry: `outputBytes` minus the edge outputs when
 * given, else its results for the user (`userOutputBytes`), which FaaSFlow also stores remotely,
 * and what it writes that nobody reads (`unreadOutputBytes`).
 */
export function extraOutputBytes(ctx: { cw: RequestCtx['app']['cw'] }, f: number): number {
  const fn = ctx.cw.functions[f];
  if (fn.outputBytes === undefined) return fn.userOutputBytes + (fn.unreadOutputBytes ?? 0);
  let keyed = 0;
  for (const k of outputKeys(ctx.cw, f)) {
    const e = ctx.cw.edges[k.edges[0]];
    keyed += e.kind === 'foreach' ? k.bytes * ctx.cw.functions[ctx.cw.index.get(e.to)!].instances : k.bytes;
  }
  return Math.max(0, fn.outputBytes - keyed);
}

/** An invocation of FaaSFlow's container runtime: where the function's outputs go. */
interface FaasInvocation extends Invocation {
  place: DataPlacement;
}

/** `count` small requests to the remote store one after another; writes are committed in `db`. */
function smalls(storage: ModeContext['storage'], node: number, count: number, next: () => void, db?: StoreDb): void {
  const one = (k: number): void => (k < count ? (db ? storage.smallWrite(node, db, () => one(k + 1)) : storage.small(node, () => one(k + 1))) : next());
  one(0);
}

/** FaaSFlow's container runtime as the pipeline's hooks: one object per simulation. */
const HOOKS = new WeakMap<ModeContext, InvocationHooks>();

function faasHooks(ctx: ModeContext): InvocationHooks {
  let h = HOOKS.get(ctx);
  if (h) return h;
  const { sim, storage, docs, params } = ctx;
  const logOps = Math.round(params.storage.fetchLogOps);
  const missOps = Math.round(params.storage.fetchMissOps);
  const openOps = Math.round(params.containers.storeOpenOps);
  const phaseOps = Math.round(params.containers.phaseLogOps);
  h = {
    dispatchPeriodS: params.containers.dispatchPeriodS,
    // the runtime's own cost, then Store() opening its databases
    prepare: (inv, next) => sim.call(params.containers.invocationOverheadS, () => smalls(storage, inv.node, openOps, next)),
    // one thread per input key (Store.py fetch): the keys are fetched in parallel; each thread
    // then saves its data-transfer log document
    fetch: (inv, next) => {
      const { req, f, i, node } = inv;
      const place = (inv as FaasInvocation).place;
      const cw = req.app.cw;
      const fn = cw.functions[f];
      const run = req.run;
      const fetch: Step[] = [];
      if (fn.inputBytes > 0) {
        fetch.push((done) => (params.request.workflowInputs === 'miss' ? storage.miss(done) : storage.get(node, fn.inputBytes, done)));
      }
      for (const e of cw.inEdges[f]) {
        const edge = cw.edges[e];
        if (edge.bytes <= 0) continue;
        const from = cw.index.get(edge.from)!;
        const ti = edge.kind === 'foreach' ? i : 0;
        const items = run.delivered[run.edgeBase[e] + ti];
        for (let k = 0; k < items; k++) {
          const producerInstance = edge.kind === 'merge' ? k : 0;
          const producerNode = nodeFor(req, from, producerInstance);
          if (place.toMem[from] && producerNode === node) fetch.push((done) => storage.localGet(node, edge.bytes, () => smalls(storage, node, logOps, done, 'log')));
          else fetch.push((done) => storage.localGet(node, 0, () => smalls(storage, node, missOps, () => storage.get(node, edge.bytes, () => smalls(storage, node, logOps, done, 'log')))));
        }
      }
      const t0 = sim.now;
      parallel(fetch, () => {
        const fetchS = sim.now - t0;
        smalls(storage, node, fetch.length > 0 ? phaseOps : 0, () => next(fetchS), 'latency');
      });
    },
    // outputs one key after another (Store.py put): to the request's document, to memory, or both
    write: (inv, next) => {
      const { req, f, node } = inv;
      const place = (inv as FaasInvocation).place;
      const cw = req.app.cw;
      const fn = cw.functions[f];
      const egressCap = containerEgressCapBps(ctx.topo.cluster, fn.cpu, params.dataflower.sleepQuotaCores);
      const put: Step[] = [];
      // a foreach producer first saves its keys into the request's document (put_keys: db.save, no retry)
      if (place.toDb[f] && cw.outEdges[f].some((e) => cw.edges[e].kind === 'foreach')) put.push((done) => docs.update(node, req.id, done));
      const write = (bytes: number) => {
        if (bytes <= 0) return;
        if (place.toDb[f]) put.push((done) => docs.putAttachment(node, req.id, bytes, done, egressCap));
        if (place.toMem[f]) put.push((done) => storage.localPut(node, bytes, done));
      };
      for (const k of outputKeys(cw, f)) {
        const e = cw.edges[k.edges[0]];
        const count = e.kind === 'foreach' ? cw.functions[cw.index.get(e.to)!].instances : 1;
        for (let j = 0; j < count; j++) write(k.bytes);
      }
      write(extraOutputBytes({ cw }, f));
      const t0 = sim.now;
      series(put, () => {
        const putS = sim.now - t0;
        smalls(storage, node, phaseOps, () => next(putS), 'latency');
      });
    },
  };
  HOOKS.set(ctx, h);
  return h;
}

export function runContainerFunction(ctx: ModeContext, req: RequestCtx, f: number, i: number, node: number, place: DataPlacement, done: () => void): void {
  const slot = req.run.base[f] + i;
  const t = req.times;
  if (!(t.arrive[slot] >= 0)) t.arrive[slot] = ctx.sim.now;
  const inv = newInvocation(req, f, i, node) as FaasInvocation;
  inv.place = place;
  runInvocation(ctx, inv, faasHooks(ctx), done);
}

/**
 * FaaSFlow's engines run a function as a whole (workersp.py / mastersp.py `run_function`): one
 * trigger per function, however many instances; a foreach or merge function first reads the
 * request's keys from its document (`repo.get_keys`, one store request), then every instance runs
 * at once (`run_foreach` spawns them and joins them all). `done` runs when the last has finished.
 * The function's "all" time starts before the key read, as the AE's timing does.
 */
export function runFunctionInstances(ctx: ModeContext, req: RequestCtx, f: number, node: number, place: DataPlacement, done: () => void): void {
  const cw = req.app.cw;
  const run = req.run;
  const n = run.instances(f);
  for (let i = 0; i < n; i++) req.times.arrive[run.base[f] + i] = ctx.sim.now;
  const readsKeys = cw.inEdges[f].some((e) => cw.edges[e].kind === 'foreach' || cw.edges[e].kind === 'merge');
  const go = () => {
    let left = n;
    for (let i = 0; i < n; i++) runContainerFunction(ctx, req, f, i, node, place, () => --left === 0 && done());
  };
  if (readsKeys) ctx.storage.small(node, go);
  else go();
}

/** Per request: how many instances of each function are ready, so a function starts once all are. */
const readyCounts = new WeakMap<RequestCtx, Int32Array>();

/**
 * True when instance i's readiness completes function f's set of ready instances (FaaSFlow
 * triggers a function once; its foreach items all arrive with the one trigger).
 */
export function allInstancesReady(req: RequestCtx, f: number): boolean {
  const n = req.run.instances(f);
  if (n === 1) return true;
  let c = readyCounts.get(req);
  if (!c) {
    c = new Int32Array(req.app.cw.functions.length);
    readyCounts.set(req, c);
  }
  return ++c[f] === n;
}

/** Delivers every item of f's instance i along its out edges (after a switch choice). */
export function forEachOutItem(req: RequestCtx, f: number, i: number, chosenSwitch: number, visit: (e: number, item: number, targetNode: number) => void): void {
  const cw = req.app.cw;
  for (const e of cw.outEdges[f]) {
    const edge = cw.edges[e];
    if (edge.kind === 'switch' && e !== chosenSwitch) continue;
    const to = cw.index.get(edge.to)!;
    if (edge.kind === 'foreach') {
      for (let k = 0; k < cw.functions[to].instances; k++) visit(e, k, nodeFor(req, to, k));
    } else {
      visit(e, edge.kind === 'merge' ? i : 0, nodeFor(req, to, 0));
    }
  }
}
