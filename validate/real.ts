/**
 * Runs validation cells for real on a testbed (Docker containers or network namespaces): each
 * request is compiled into a plan (plan.ts), handed to every node, run by the testbed's engines
 * (calibrate/testbed/engine.mjs), and its keys are removed afterwards. One client in a closed
 * loop (FaaSFlow's e2e protocol) or an open loop at a fixed rate (its tail-latency protocol); the
 * first `warmup` requests are discarded, as FaaSFlow's AE discards 2.
 */
import type { NodeInfo, Testbed } from '../calibrate/testbed/types.js';
import type { Params } from '../sim/params.js';
import { containerEgressCapBps, type ClusterSpec } from '../sim/models/cluster.js';
import { criticalPath, type CompiledWorkflow, type WorkflowSpec } from '../sim/models/workflow.js';
import { compileDataflowerPlan, compilePlan, planRng, planTemplate, type DfPlan, type Plan, type PlanMode } from './plan.js';

export interface RealCell {
  id: string;
  /** The (scaled) workflow, as simulated too. */
  spec: WorkflowSpec;
  mode: PlanMode;
  bandwidthMBps: number;
  /** Closed loop (1 client) when undefined. */
  rpm?: number;
  requests: number;
  warmup: number;
  /** The cluster the cell is simulated on (its containers' egress cap applies for real too). */
  cluster: ClusterSpec;
}

interface FunctionTimes {
  f: number;
  node: string;
  arrive: number;
  end: number;
  instances: Array<{ arrive: number; start: number; end: number; coldS: number; fetchS: number; computeS: number; putS: number; readBytes: number; wroteBytes: number }>;
}

/** One real instance, times relative to the request's start (s). */
export interface RealInstance {
  fn: string;
  instance: number;
  node: string;
  arriveS: number;
  startS: number;
  endS: number;
  coldS: number;
  fetchS: number;
  computeS: number;
  putS: number;
}

export interface RealRequest {
  req: string;
  instances: RealInstance[];
  /** e2e minus the critical path of the functions' "all" times (as flowsim measures it, sim/run.ts). */
  schedS: number;
  e2eS: number;
  dataS: number;
  coldStarts: number;
  bytesRead: number;
  bytesWritten: number;
}

export interface RealResult {
  cell: RealCell;
  requests: RealRequest[];
  wallS: number;
  /** Cold starts over the whole cell, warm-up requests included (as flowsim counts a run's). */
  coldStarts: number;
  /**
   * Bytes per link over the whole cell, warm-up included, from the nodes' interface counters,
   * named as flowsim names links: `<node>.up` (sent by the node), `<node>.down` (received).
   */
  linkBytes: Record<string, number>;
}

/** flowsim's node names for the testbed's (validate's cluster.yaml). */
export function simNodeName(real: NodeInfo): string {
  return real.role === 'gateway' ? 'gateway' : real.role === 'storage' ? 'storage' : real.name;
}

async function netCounters(tb: Testbed): Promise<Map<NodeInfo, { rxBytes: number; txBytes: number }>> {
  const nodes: NodeInfo[] = [tb.gateway, tb.storage, ...tb.workers];
  const got = await Promise.all(nodes.map((n) => tb.call<{ rxBytes: number; txBytes: number }>(n, 'netBytes')));
  return new Map(nodes.map((n, k) => [n, got[k]!]));
}

const nowS = () => Number(process.hrtime.bigint()) / 1e9;

async function runOne(tb: Testbed, plan: Plan | DfPlan, timeoutMs: number, cw: CompiledWorkflow): Promise<RealRequest> {
  const nodes: NodeInfo[] = [tb.gateway, ...tb.workers];
  await Promise.all(nodes.map((n) => tb.call(n, 'wfPlan', { plan })));
  let run: { e2eS: number; t0: number; functions: FunctionTimes[] } | undefined;
  let failure: unknown;
  try {
    run = await tb.call<{ e2eS: number; t0: number; functions: FunctionTimes[] }>(tb.gateway, 'wfRun', { req: plan.req }, timeoutMs);
  } catch (e) {
    failure = e;
  }
  // the request's keys and state go, whether it completed or not
  const cleaned = await Promise.all(nodes.map((n) => tb.call<{ times: FunctionTimes[] }>(n, 'wfCleanup', { req: plan.req }).catch(() => ({ times: [] as FunctionTimes[] }))));
  if (!run) throw failure;
  const all = [...run.functions, ...cleaned.flatMap((c) => c.times ?? [])];
  let dataS = 0;
  let cold = 0;
  let rd = 0;
  let wr = 0;
  const instances: RealInstance[] = [];
  // per function: its longest instance from the function's (FaaSFlow engines) or the instance's
  // (DataFlower) arrival to its end
  const own = new Map<string, number>();
  for (const ft of all) {
    if (ft.instances.length === 0) continue;
    const name = plan.functions[ft.f]!.name;
    const o = Math.max(...ft.instances.map((i) => i.end - (plan.mode === 'dataflower' ? i.arrive : ft.arrive)));
    own.set(name, Math.max(own.get(name) ?? 0, o));
  }
  for (const ft of all)
    ft.instances.forEach((i, k) => {
      instances.push({
        fn: plan.functions[ft.f]!.name,
        instance: k,
        node: ft.node,
        arriveS: i.arrive - run!.t0,
        startS: i.start - run!.t0,
        endS: i.end - run!.t0,
        coldS: i.coldS,
        fetchS: i.fetchS,
        computeS: i.computeS,
        putS: i.putS,
      });
      dataS += i.fetchS + i.putS;
      if (i.coldS > 0) cold++;
      rd += i.readBytes;
      wr += i.wroteBytes;
    });
  return { req: plan.req, instances, schedS: Math.max(0, run.e2eS - criticalPath(cw, (f) => own.get(cw.functions[f].name) ?? -1)), e2eS: run.e2eS, dataS, coldStarts: cold, bytesRead: rd, bytesWritten: wr };
}

/** Runs one cell; the testbed must already be shaped at the cell's bandwidth. */
export async function runRealCell(tb: Testbed, cell: RealCell, params: Params, seed: number, log: (m: string) => void): Promise<RealResult> {
  const t0 = nowS();
  // every cell starts with no function process, as a simulation starts with no container
  await Promise.all(tb.workers.map((w) => tb.call(w, 'wfStop')));
  const template = planTemplate(cell.spec, cell.mode, tb.workers.length, params);
  const rng = planRng(seed, cell.id);
  const workers = tb.workers.map((w) => w.addr);
  const total = cell.warmup + cell.requests;
  const timeoutMs = params.request.timeoutS * 1000 * 3;
  const out: RealRequest[] = [];
  let coldAll = 0;
  const before = await netCounters(tb);
  const reqId = (k: number) => `${cell.id.replace(/[^A-Za-z0-9_-]/g, '_')}-${k}`;
  const df = params.dataflower;
  const plans: Array<Plan | DfPlan> = Array.from({ length: total }, (_, k) =>
    cell.mode === 'dataflower'
      ? compileDataflowerPlan(template, reqId(k), k, tb.gateway.addr, workers, rng, {
          inlineBytes: params.storage.inlineBytes,
          chunkBytes: params.storage.chunkBytes,
          pressureFactor: df.pressureFactor,
          pressureAware: df.pressureAware,
          foreachSpread: df.foreachEmit === 'spread',
          egressCapBps: (cpu) => containerEgressCapBps(cell.cluster, cpu, df.sleepQuotaCores),
        })
      : compilePlan(template, reqId(k), tb.gateway.addr, workers, rng),
  );
  if (cell.rpm === undefined) {
    for (let k = 0; k < total; k++) {
      const r = await runOne(tb, plans[k]!, timeoutMs, template.cw);
      coldAll += r.coldStarts;
      if (k >= cell.warmup) out.push(r);
      log(`  ${cell.id}: request ${k + 1}/${total}${k < cell.warmup ? ' (warm-up)' : ''}: ${r.e2eS.toFixed(3)} s`);
    }
  } else {
    const gap = 60 / cell.rpm;
    const start = nowS();
    const pending = plans.map(async (p, k) => {
      const wait = start + k * gap - nowS();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait * 1000));
      const r = await runOne(tb, p, timeoutMs, template.cw);
      log(`  ${cell.id}: request ${k + 1}/${total}${k < cell.warmup ? ' (warm-up)' : ''}: ${r.e2eS.toFixed(3)} s`);
      return [k, r] as const;
    });
    for (const [k, r] of await Promise.all(pending)) {
      coldAll += r.coldStarts;
      if (k >= cell.warmup) out.push(r);
    }
  }
  const after = await netCounters(tb);
  const linkBytes: Record<string, number> = {};
  for (const [n, a] of after) {
    const b = before.get(n)!;
    linkBytes[`${simNodeName(n)}.up`] = a.txBytes - b.txBytes;
    linkBytes[`${simNodeName(n)}.down`] = a.rxBytes - b.rxBytes;
  }
  return { cell, requests: out, wallS: nowS() - t0, coldStarts: coldAll, linkBytes };
}
