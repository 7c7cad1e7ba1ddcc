/**
 * A function invocation as FaaSFlow's container runtime performs it (reference 1.A/1.C,
 * `src/container/main.py` and `Store.py`), shared by the hyperflow and faasflow modes:
 *
 * 1. the call is dispatched to a container of the function on the node (warm, or a cold start);
 * 2. the runtime's per-invocation cost (`containers.invocationOverheadS`);
 * 3. inputs are fetched, one thread per key, all keys in parallel (Store.py `fetch`): from the
 *    node's Redis when the producer ran on this node and stored to memory, else Redis is checked
 *    (a miss) and the value is read from the remote store; each thread then saves a data-transfer
 *    log document to CouchDB (`storage.fetchLogOps`). Workflow-level inputs are CouchDB misses in
 *    the authors' runs (`workflowInputs: 'miss'`) or real reads;
 * 4. the function computes (node CPU model);
 * 5. outputs are written one key after another: remote ones as attachments of the request's
 *    CouchDB document (document-store.ts: revision read, PUT, retry on conflict) through the
 *    container's egress cap when the cluster shapes containers, local ones to Redis, as the
 *    mode's data placement says;
 * 6. the container is released.
 * Steps 3 and 5 are the "edge" phase: their duration is the instance's data overhead.
 */
import type { RequestCtx, ModeContext } from './mode.js';
import { nodeFor, outputKeys, poolKey, serviceTime } from './mode.js';
import { containerEgressCapBps } from '../models/cluster.js';

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
 * given, else its results for the user (`userOutputBytes`), which FaaSFlow also stores remotely.
 */
export function extraOutputBytes(ctx: { cw: RequestCtx['app']['cw'] }, f: number): number {
  const fn = ctx.cw.functions[f];
  if (fn.outputBytes === undefined) return fn.userOutputBytes;
  let keyed = 0;
  for (const k of outputKeys(ctx.cw, f)) {
    const e = ctx.cw.edges[k.edges[0]];
    keyed += e.kind === 'foreach' ? k.bytes * ctx.cw.functions[ctx.cw.index.get(e.to)!].instances : k.bytes;
  }
  return Math.max(0, fn.outputBytes - keyed);
}

export function runContainerFunction(
  ctx: ModeContext,
  req: RequestCtx,
  f: number,
  i: number,
  node: number,
  place: DataPlacement,
  done: () => void,
): void {
  const { sim, storage, docs, pools, nodes, params } = ctx;
  const app = req.app;
  const cw = app.cw;
  const fn = cw.functions[f];
  const run = req.run;
  const slot = run.base[f] + i;
  const t = req.times;
  const egressCap = containerEgressCapBps(ctx.topo.cluster, fn.cpu, params.dataflower.sleepQuotaCores);
  const logOps = Math.round(params.storage.fetchLogOps);
  t.arrive[slot] = sim.now;
  t.node[slot] = node;
  pools.acquire(poolKey(app, f), node, { memoryBytes: fn.memoryBytes, maxContainers: fn.maxContainers, dispatchPeriodS: params.containers.dispatchPeriodS }, (c, cold) => {
    t.start[slot] = sim.now;
    t.cold[slot] = cold ? 1 : 0;
    // one thread per input key (Store.py fetch): the keys are fetched in parallel; each thread
    // then saves its data-transfer log document
    const fetch: Step[] = [];
    const withLog = (step: Step): Step => (next) => step(() => series(Array.from({ length: logOps }, () => (n: () => void) => storage.small(node, n)), next));
    if (fn.inputBytes > 0) {
      fetch.push((next) => (params.request.workflowInputs === 'miss' ? storage.miss(next) : storage.get(node, fn.inputBytes, next)));
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
        if (place.toMem[from] && producerNode === node) fetch.push(withLog((next) => storage.localGet(node, edge.bytes, next)));
        else fetch.push(withLog((next) => storage.localGet(node, 0, () => storage.get(node, edge.bytes, next))));
      }
    }
    sim.call(params.containers.invocationOverheadS, () => {
      const fetchStart = sim.now;
      parallel(fetch, () => {
        const fetchS = sim.now - fetchStart;
        t.computeStart[slot] = sim.now;
        nodes.compute(node, serviceTime(app, f), fn.cpu, () => {
          t.computeEnd[slot] = sim.now;
          // outputs one key after another (Store.py put): to the request's document, to memory, or both
          const put: Step[] = [];
          const write = (bytes: number) => {
            if (bytes <= 0) return;
            if (place.toDb[f]) put.push((next) => docs.putAttachment(node, req.id, bytes, next, egressCap));
            if (place.toMem[f]) put.push((next) => storage.localPut(node, bytes, next));
          };
          for (const k of outputKeys(cw, f)) {
            const e = cw.edges[k.edges[0]];
            const count = e.kind === 'foreach' ? cw.functions[cw.index.get(e.to)!].instances : 1;
            for (let j = 0; j < count; j++) write(k.bytes);
          }
          write(extraOutputBytes({ cw }, f));
          const putStart = sim.now;
          series(put, () => {
            t.dataS[slot] = fetchS + (sim.now - putStart);
            t.end[slot] = sim.now;
            pools.release(c);
            done();
          });
        });
      });
    });
  });
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
