/**
 * One function invocation, the same sequence in every mode:
 *
 *   acquire a container (warm, cold, or wait: container-pool.ts and its queue policy)
 *   -> prepare (the runtime's per-invocation costs)
 *   -> fetch the inputs
 *   -> compute (node CPU model)
 *   -> write the outputs
 *   -> hold the container (DataFlower's pressure-aware release), then release it.
 *
 * With faults (models/faults.ts) an attempt may fail during its compute: it writes nothing, its
 * container is released, and the invocation starts again from the acquire after a backoff, or,
 * out of retries, fails its request.
 *
 * A mode contributes only its data plane and its runtime's costs, as `InvocationHooks`; this file
 * records the instance's times, its data overhead (fetch + write, as the hooks account them) and
 * bills the container (cost.ts) from the moment it is ready to its release.
 */
import type { Container } from '../models/container-pool.js';
import type { ModeContext, RequestCtx } from './mode.js';
import { poolKey, serviceTime } from './common.js';
import type { FailureCause } from '../models/faults.js';

export interface Invocation {
  req: RequestCtx;
  /** Function index, instance index and the instance's slot in the request's time arrays. */
  f: number;
  i: number;
  slot: number;
  node: number;
  container?: Container;
  cold: boolean;
  /** Bytes this invocation sent to remote consumers (DataFlower's pressure-aware release). */
  remoteBytes: number;
  /** When its container was handed over (billing), and its fetch phase's data seconds. */
  billedFrom: number;
  fetchS: number;
  /** What the queue policy orders by (container-pool.ts CallInfo). */
  requestStart: number;
  app: number;
  predictedS: number;
  priority: number;
  deadline: number;
  /** Attempts that failed before this one (faults). */
  attempt: number;
  /** Bumped when the attempt is killed (its node was lost): callbacks of an older epoch do nothing. */
  epoch: number;
}

export interface InvocationHooks {
  /** The runtime's dispatch loop period (FaaSFlow 5 ms, DataFlower 3 ms). */
  dispatchPeriodS: number;
  /** The runtime's per-invocation costs before the fetch. */
  prepare?(inv: Invocation, next: () => void): void;
  /** Reads the inputs; `next(dataS)` with the seconds that count as data overhead. */
  fetch(inv: Invocation, next: (dataS: number) => void): void;
  /** Computes `seconds` of the function's service time (drawn by the pipeline); default: on the node's CPU. */
  compute?(inv: Invocation, seconds: number, next: () => void): void;
  /** Writes the outputs; `next(dataS)` with the seconds that count as data overhead. */
  write(inv: Invocation, next: (dataS: number) => void): void;
  /** Seconds the container stays held after the function ends (default 0). */
  holdS?(inv: Invocation): number;
}

export function newInvocation(req: RequestCtx, f: number, i: number, node: number): Invocation {
  const app = req.app;
  return {
    req,
    f,
    i,
    slot: req.run.base[f] + i,
    node,
    container: undefined,
    cold: false,
    remoteBytes: 0,
    billedFrom: 0,
    fetchS: 0,
    requestStart: req.t0,
    app: app.index,
    predictedS: app.service[f].mean,
    priority: app.priority[f],
    deadline: req.t0 + app.deadlineS,
    attempt: 0,
    epoch: 0,
  };
}

/**
 * Kills the attempt running `inv` (its node was lost): its pending steps will do nothing, and it
 * fails with cause 'node lost' (retried as any failed attempt, once the node is back).
 */
export function killInvocation(ctx: ModeContext, inv: Invocation, hooks: InvocationHooks, done: () => void): void {
  inv.epoch++;
  failStep(ctx, inv, hooks, done, 'node lost');
}

/** Runs `inv` through the pipeline; `done` once the function's part is over (the container may still be held). */
export function runInvocation(ctx: ModeContext, inv: Invocation, hooks: InvocationHooks, done: () => void): void {
  const { req, f, slot, node } = inv;
  if (req.cancelled) return; // dropped: it never runs (request.onTimeout 'cancel')
  const app = req.app;
  const fn = app.cw.functions[f];
  req.times.node[slot] = node;
  // every step is a module function and each callback an inline arrow: no named closure per
  // invocation (they cost an allocation and, under tsx, a name assignment each)
  ctx.pools.acquire(
    poolKey(app, f),
    node,
    { memoryBytes: fn.memoryBytes, maxContainers: fn.maxContainers, dispatchPeriodS: hooks.dispatchPeriodS },
    (c, cold) => {
      inv.container = c;
      inv.cold = cold;
      const t = req.times;
      t.start[slot] = ctx.sim.now;
      t.cold[slot] = cold ? 1 : 0;
      inv.billedFrom = ctx.sim.now;
      if (ctx.faults) ctx.faults.startedOn(node, inv, () => killInvocation(ctx, inv, hooks, done));
      const e = inv.epoch;
      if (hooks.prepare) hooks.prepare(inv, () => inv.epoch === e && fetchStep(ctx, inv, hooks, done));
      else fetchStep(ctx, inv, hooks, done);
    },
    inv,
  );
}

function fetchStep(ctx: ModeContext, inv: Invocation, hooks: InvocationHooks, done: () => void): void {
  const e = inv.epoch;
  hooks.fetch(inv, (fetchS) => {
    if (inv.epoch !== e) return;
    inv.fetchS = fetchS;
    inv.req.times.computeStart[inv.slot] = ctx.sim.now;
    const app = inv.req.app;
    const seconds = serviceTime(app, inv.f);
    if (ctx.faults) {
      const fate = ctx.faults.attempt(app.index, inv.f, seconds, app.service[inv.f]);
      if (fate.fails) {
        const cause = fate.fails;
        ctx.nodes.compute(inv.node, fate.computeS, app.cw.functions[inv.f].cpu, () => inv.epoch === e && failStep(ctx, inv, hooks, done, cause));
        return;
      }
    }
    if (hooks.compute) hooks.compute(inv, seconds, () => inv.epoch === e && writeStep(ctx, inv, hooks, done));
    else ctx.nodes.compute(inv.node, seconds, app.cw.functions[inv.f].cpu, () => inv.epoch === e && writeStep(ctx, inv, hooks, done));
  });
}

/** A failed attempt: bill and release its container, then retry after the backoff or fail the request. */
function failStep(ctx: ModeContext, inv: Invocation, hooks: InvocationHooks, done: () => void, cause: FailureCause): void {
  const { sim, pools } = ctx;
  const faults = ctx.faults!;
  const req = inv.req;
  const fn = req.app.cw.functions[inv.f];
  faults.endedOn(inv.node, inv);
  if (req.cancelled) {
    // its request already failed (or was cancelled): nothing to retry
    ctx.cost?.container(req, fn.memoryBytes, fn.cpu > 0 ? fn.cpu : ctx.params.dataflower.sleepQuotaCores, sim.now - inv.billedFrom);
    pools.release(inv.container!);
    return;
  }
  faults.failedAttempts[cause]++;
  ctx.cost?.container(req, fn.memoryBytes, fn.cpu > 0 ? fn.cpu : ctx.params.dataflower.sleepQuotaCores, sim.now - inv.billedFrom);
  // an exception leaves the container serving; a crash takes it away (a lost node's are gone already)
  if (cause === 'crash' || cause === 'node lost') pools.discard(inv.container!);
  else pools.release(inv.container!);
  inv.container = undefined;
  const wait = faults.backoff(inv.attempt + 1);
  if (wait < 0) {
    ctx.fail(req, `${fn.name}: ${cause}`);
    return;
  }
  faults.retries++;
  sim.call(wait, () => {
    inv.attempt++;
    inv.cold = false;
    inv.remoteBytes = 0;
    runInvocation(ctx, inv, hooks, done);
  });
}

function writeStep(ctx: ModeContext, inv: Invocation, hooks: InvocationHooks, done: () => void): void {
  inv.req.times.computeEnd[inv.slot] = ctx.sim.now;
  const e = inv.epoch;
  hooks.write(inv, (writeS) => inv.epoch === e && releaseStep(ctx, inv, hooks, done, writeS));
}

function releaseStep(ctx: ModeContext, inv: Invocation, hooks: InvocationHooks, done: () => void, writeS: number): void {
  const { sim, pools } = ctx;
  const t = inv.req.times;
  const fn = inv.req.app.cw.functions[inv.f];
  t.dataS[inv.slot] = inv.fetchS + writeS;
  t.end[inv.slot] = sim.now;
  const hold = hooks.holdS ? hooks.holdS(inv) : 0;
  // billed now up to the release, so that a request's bill is complete when it ends; a function
  // that only sleeps (cpu 0) still holds a container with a quota: the one DataFlower gives it
  // (dataflower.sleepQuotaCores), for the per-core billing rule
  ctx.cost?.container(inv.req, fn.memoryBytes, fn.cpu > 0 ? fn.cpu : ctx.params.dataflower.sleepQuotaCores, sim.now - inv.billedFrom + hold);
  const c = inv.container!;
  if (ctx.faults) ctx.faults.endedOn(inv.node, inv);
  if (hold > 0) sim.call(hold, () => pools.release(c));
  else pools.release(c);
  done();
}
