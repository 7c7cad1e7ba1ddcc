/**
 * The recorder: owns every request's lifecycle and what is measured of it, so that run.ts only
 * wires models together.
 *
 * A request is `started`, then `resolve`d once (its e2e latency ends, or the client times out),
 * and `runFinished` once every function instance has ended (which may come after a timeout, or
 * never within the run). Its data and scheduling overhead, its bill and its trace lines are taken
 * when both have happened; e2e, timeouts and deadline misses when it resolves. Only measured
 * requests (past the warm-up) enter the statistics; every request is counted for the stop rule.
 */
import type { Simulator } from './engine/simulator.js';
import { Samples, summarize } from './models/metrics.js';
import type { CostMeter } from './models/cost.js';
import type { Topology } from './models/topology.js';
import type { WorkflowRun } from './models/workflow-run.js';
import { criticalPath, type CompiledWorkflow } from './models/workflow.js';
import type { AppRuntime, InstanceTimes, RequestCtx } from './modes/mode.js';
import type { AppResult, InstanceRecord, Stats } from './scenario.js';

export interface AppAccum {
  e2e: Samples;
  data: Samples;
  sched: Samples;
  gbs: Samples;
  usd: Samples;
  deadlineMisses: number;
  requests: number;
  completed: number;
  timeouts: number;
  failed: number;
  firstMeasured: number;
  lastMeasuredEnd: number;
}

/**
 * Critical path of the per-function 'all' time (from arrival at the worker to the end of the
 * function, data I/O included; the longest instance), over triggering edges between executed
 * functions: the reference's critical path for scheduling overhead (1.E).
 */
function criticalExecTime(cw: CompiledWorkflow, run: WorkflowRun, t: InstanceTimes): number {
  return criticalPath(cw, (f) => {
    let own = -1;
    for (let i = run.base[f]; i < run.base[f + 1]; i++) {
      const all = t.end[i] - t.arrive[i];
      if (all >= 0 && all > own) own = all;
    }
    return own;
  });
}

export class Recorder {
  private readonly accum: AppAccum[] = [];
  /** Requests resolved but not finished, and finished but not resolved. */
  private readonly finishedFirst = new Set<RequestCtx>();
  readonly instances: InstanceRecord[] | undefined;
  /** Requests not yet resolved / whose runs have not finished. */
  outstanding = 0;
  unfinished = 0;
  /** Runs of timed-out requests still going (the real engines keep running them; nobody waits). */
  private readonly timedOutRunning = new Set<RequestCtx>();
  private resolvedCount = 0;
  /** Requests cancelled at their timeout (request.onTimeout 'cancel') and their instances not ended then. */
  readonly cancelled = { requests: 0, instances: 0 };
  /** Measured requests that failed (faults), by cause. */
  readonly failureCauses = new Map<string, number>();

  constructor(
    private readonly sim: Simulator,
    private readonly timeoutS: number,
    private readonly cost: CostMeter,
    private readonly topo: Topology,
    trace: boolean,
    private readonly progress?: (simTime: number, resolved: number) => void,
  ) {
    this.instances = trace ? [] : undefined;
  }

  addApp(): void {
    this.accum.push({ e2e: new Samples(), data: new Samples(), sched: new Samples(), gbs: new Samples(), usd: new Samples(), deadlineMisses: 0, requests: 0, completed: 0, timeouts: 0, failed: 0, firstMeasured: Infinity, lastMeasuredEnd: 0 });
  }

  started(req: RequestCtx): void {
    const a = this.accum[req.app.index];
    if (req.measured) {
      a.requests++;
      a.firstMeasured = Math.min(a.firstMeasured, this.sim.now);
    }
    this.outstanding++;
    this.unfinished++;
  }

  /**
   * The request's e2e ends now, or it timed out, or it failed (`cause`: a fault it could not
   * recover from; not a latency sample). False if it had already resolved.
   */
  resolve(req: RequestCtx, timedOut: boolean, cause?: string): boolean {
    if (req.resolved) return false;
    const now = this.sim.now;
    req.resolved = true;
    req.timedOut = timedOut;
    req.failed = cause !== undefined;
    this.outstanding--;
    this.resolvedCount++;
    const a = this.accum[req.app.index];
    if (req.measured) {
      if (cause !== undefined) {
        a.failed++;
        this.failureCauses.set(cause, (this.failureCauses.get(cause) ?? 0) + 1);
      } else if (timedOut) {
        a.timeouts++;
        a.e2e.push(this.timeoutS);
      } else {
        a.completed++;
        a.e2e.push(now - req.t0);
      }
      if (timedOut || cause !== undefined || now - req.t0 > req.app.deadlineS) a.deadlineMisses++;
      a.lastMeasuredEnd = Math.max(a.lastMeasuredEnd, now);
    }
    if (this.finishedFirst.delete(req)) this.account(req);
    else if (req.cancelled) {
      // its run ends here: what never ran is counted, what still runs is billed to the total only
      this.unfinished--;
      if (cause === undefined) {
        this.cancelled.requests++;
        const end = req.times.end;
        for (let i = 0; i < end.length; i++) if (!(end[i] >= 0)) this.cancelled.instances++;
      }
      this.account(req);
    } else if (timedOut) this.timedOutRunning.add(req);
    if (this.progress && (this.resolvedCount & 255) === 0) this.progress(now, this.resolvedCount);
    return true;
  }

  /** A request that had already resolved (timed out) is stopped by a fault: its run ends now. */
  runCancelled(req: RequestCtx): void {
    if (!this.timedOutRunning.delete(req)) return;
    this.unfinished--;
    this.account(req);
  }

  /** Every function instance of the request has ended. */
  runFinished(req: RequestCtx): void {
    if (req.cancelled) return; // already ended at its timeout
    this.unfinished--;
    this.timedOutRunning.delete(req);
    if (req.resolved) this.account(req);
    else this.finishedFirst.add(req);
  }

  /** Data and scheduling overhead, the bill and the trace, once the request is both resolved and finished. */
  private account(req: RequestCtx): void {
    const a = this.accum[req.app.index];
    const t = req.times;
    const bill = this.cost.take(req.id);
    if (req.measured) {
      a.gbs.push(bill.gbSeconds);
      a.usd.push(this.cost.usd(bill));
      let data = 0;
      for (let i = 0; i < t.dataS.length; i++) data += t.dataS[i];
      a.data.push(data);
      if (!req.timedOut && !req.failed) {
        const e2e = req.e2eEnd - req.t0;
        a.sched.push(Math.max(0, e2e - criticalExecTime(req.app.cw, req.run, t)));
      }
    }
    if (this.instances) {
      const cw = req.app.cw;
      for (let f = 0; f < cw.functions.length; f++) {
        for (let i = req.run.base[f]; i < req.run.base[f + 1]; i++) {
          if (!(t.end[i] >= 0)) continue;
          this.instances.push({
            app: req.app.name,
            request: req.index,
            requestStart: req.t0,
            measured: req.measured,
            fn: cw.functions[f].name,
            instance: i - req.run.base[f],
            node: t.node[i] >= 0 ? this.topo.name(t.node[i]) : '',
            cold: t.cold[i] === 1,
            ready: t.ready[i],
            start: t.start[i],
            computeStart: t.computeStart[i],
            computeEnd: t.computeEnd[i],
            end: t.end[i],
            dataS: t.dataS[i],
          });
        }
      }
    }
  }

  /** True when every run still going belongs to a request that timed out. */
  onlyAbandonedLeft(): boolean {
    return this.unfinished === this.timedOutRunning.size;
  }

  /** What the run stops without simulating: timed-out requests still running and their unfinished instances. */
  abandoned(): { requests: number; instances: number } {
    let instances = 0;
    for (const req of this.timedOutRunning) {
      const t = req.times.end;
      for (let i = 0; i < t.length; i++) if (!(t[i] >= 0)) instances++;
    }
    return { requests: this.timedOutRunning.size, instances };
  }

  appResults(apps: readonly AppRuntime[]): AppResult[] {
    return apps.map((app, i) => {
      const a = this.accum[i];
      const window = a.lastMeasuredEnd - (a.firstMeasured === Infinity ? 0 : a.firstMeasured);
      return {
        workflow: app.name,
        requests: a.requests,
        completed: a.completed,
        timeouts: a.timeouts,
        failed: a.failed,
        successRate: a.requests > 0 ? a.completed / a.requests : null,
        e2e: summarize(a.e2e.view()),
        dataOverhead: summarize(a.data.view()),
        schedulingOverhead: summarize(a.sched.view()),
        throughputRps: window > 0 ? a.completed / window : 0,
        cost: { gbSecondsPerRequest: summarize(a.gbs.view()).mean, usdPerRequest: summarize(a.usd.view()).mean },
        deadlineS: Number.isFinite(app.deadlineS) ? app.deadlineS : null,
        deadlineMisses: a.deadlineMisses,
        deadlineMissRate: Number.isFinite(app.deadlineS) && a.requests > 0 ? a.deadlineMisses / a.requests : null,
      };
    });
  }

  /** One statistic over every app's samples. */
  overall(pick: (a: AppAccum) => Samples): Stats {
    const out = new Samples();
    for (const a of this.accum) {
      const v = pick(a).view();
      for (let i = 0; i < v.length; i++) out.push(v[i]);
    }
    return summarize(out.view());
  }
}
