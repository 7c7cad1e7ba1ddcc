/**
 * runScenario: builds the models for a Scenario, lets the mode drive requests from the
 * workloads, and summarises what happened. Reads no files and no clock except for the
 * `wallSeconds` figure, which is the only field that differs between identical runs.
 */
import { Simulator } from './engine/simulator.js';
import { RandomStreams } from './engine/random.js';
import { makeDistribution } from './engine/distributions.js';
import { ContainerPools } from './models/container-pool.js';
import { ControlPlane } from './models/control.js';
import { Network } from './models/network.js';
import { Nodes } from './models/node.js';
import { Storage } from './models/storage.js';
import { DocumentStore } from './models/document-store.js';
import { Topology } from './models/topology.js';
import { WorkflowRun } from './models/workflow-run.js';
import { compileWorkflow } from './models/workflow.js';
import { WorkloadDriver } from './models/workload.js';
import { Recorder } from './recorder.js';
import { createMode } from './modes/index.js';
import { AdaptiveMode } from './modes/adaptive.js';
import type { AppRuntime, InstanceTimes, ModeContext, RequestCtx } from './modes/mode.js';
import type { PolicyNames, Scenario, SimResult } from './scenario.js';
import { AWS_LAMBDA_PRICES, CostMeter } from './models/cost.js';
import { keepAlivePolicy, placementPolicy, queuePolicy } from './policies/index.js';
import { FaultModel, Outages, hasFaults, linkSchedule, losesNodes, nodeDownSpans, scheduleLink } from './models/faults.js';


export interface RunOptions {
  /** Keep running until the event queue is empty (keep-alive expiries included): for invariant tests. */
  drain?: boolean;
  /** Wall-clock reader injected from outside sim/ (the CLI passes performance.now). */
  clock?: () => number;
  /** Called now and then with (simulated time, requests resolved). */
  progress?: (simTime: number, resolved: number) => void;
}

export interface RunOutput {
  result: SimResult;
  /** Present only with scenario.traceFlows. */
  flowRates?: Array<{ t: number; flow: number; rateBps: number }>;
}

function newTimes(n: number): InstanceTimes {
  return {
    ready: new Float64Array(n).fill(NaN),
    arrive: new Float64Array(n).fill(NaN),
    start: new Float64Array(n).fill(NaN),
    computeStart: new Float64Array(n).fill(NaN),
    computeEnd: new Float64Array(n).fill(NaN),
    end: new Float64Array(n).fill(NaN),
    dataS: new Float64Array(n),
    node: new Int32Array(n).fill(-1),
    cold: new Uint8Array(n),
  };
}

export function runScenario(s: Scenario, opts: RunOptions = {}): SimResult {
  return runScenarioDetailed(s, opts).result;
}

export function runScenarioDetailed(s: Scenario, opts: RunOptions = {}): RunOutput {
  const clock = opts.clock;
  const wall0 = clock ? clock() : 0;
  const p = s.params;
  const sim = new Simulator(4096);
  const streams = new RandomStreams(s.seed);
  // a lost node's transfers are cancelled: the network keeps what it needs for that only then
  const net = new Network(sim, p.network, losesNodes(s.faults));
  const flowRates = s.traceFlows ? net.traceRates() : undefined;
  const topo = new Topology(net, s.cluster, p, s.storageBandwidthBps);
  const nodes = new Nodes(sim, s.cluster);
  const policies: PolicyNames = s.policies ?? { queue: 'fifo', keepAlive: 'fixed' };
  const pools = new ContainerPools(
    sim,
    nodes,
    makeDistribution(p.containers.coldStart),
    streams.stream('coldstart'),
    p.containers.keepAliveS,
    queuePolicy(policies.queue),
    keepAlivePolicy(policies.keepAlive, p.containers),
  );
  // queued calls of a request that times out (cancel policy) or fails (faults) can be dropped
  pools.cancellable = p.request.onTimeout === 'cancel' || hasFaults(s.faults);
  const cost = new CostMeter(s.prices ?? AWS_LAMBDA_PRICES);
  const storage = new Storage(sim, net, topo, p.storage);
  const docs = new DocumentStore(storage, p.storage.documentConflicts);
  const faults = hasFaults(s.faults) ? new FaultModel(s.faults, streams) : undefined;
  // a failed request's queued engine work is dropped like a cancelled one's
  const control = new ControlPlane(sim, topo, p.control, p.request.onTimeout === 'cancel' || faults !== undefined);
  if (faults) {
    // capacity traces up to the last send plus the client timeout (nothing measured happens later)
    const horizon = Math.max(0, ...s.apps.map((a) => (a.workload.startS ?? 0) + a.workload.durationS)) + p.request.timeoutS;
    for (const tr of faults.spec.links) {
      const k = net.linkId(tr.link);
      const nominal = net.links()[k].capacityBps;
      scheduleLink(sim, linkSchedule(tr, nominal, horizon, streams.stream(`faults/link/${tr.link}`)), (bps) => net.setCapacity(k, bps));
    }
    if (faults.spec.storeOutages.length > 0) storage.outages = new Outages(faults.spec.storeOutages);
  }

  const rec = new Recorder(sim, p.request.timeoutS, cost, topo, s.traceInstances ?? false, opts.progress);
  const drivers: WorkloadDriver[] = [];
  const cancelOnTimeout = p.request.onTimeout === 'cancel';
  let nextId = 0;

  // The run ends once every request is resolved and no more will be sent, and the runs still
  // going belong to requests that timed out: the real engines would go on with them, but nothing
  // measured depends on them any more, so they are abandoned (counted in `abandoned`) instead of
  // simulated to their end, which keeps an overloaded run bounded in time and memory.
  const maybeStop = () => {
    if (opts.drain) return;
    if (rec.outstanding === 0 && rec.onlyAbandonedLeft() && drivers.every((d) => !d.sending)) sim.stop();
  };

  const resolve = (req: RequestCtx, timedOut: boolean, cause?: string) => {
    if (!rec.resolve(req, timedOut, cause)) return;
    drivers[req.app.index].finished(req.client);
    maybeStop();
  };

  const ctx: ModeContext = {
    sim,
    params: p,
    topo,
    net,
    nodes,
    pools,
    storage,
    docs,
    control,
    streams,
    cost,
    placement: policies.placement ? placementPolicy(policies.placement, s.mode) : undefined,
    complete: (req) => {
      if (req.resolved) return; // the client already gave up (timeout)
      req.e2eEnd = sim.now;
      for (let k = pendingRecovery.length - 1; k >= 0; k--)
        if (req.t0 >= pendingRecovery[k]) {
          recoveries.push(sim.now - pendingRecovery[k]);
          pendingRecovery.splice(k, 1);
        }
      resolve(req, false);
    },
    faults,
    fail: (req, cause) => {
      if (req.cancelled) return;
      // its other branches stop: queued calls and engine operations are dropped, nothing more is triggered
      req.cancelled = true;
      req.run.cancel();
      if (req.resolved) {
        // the client had already given up: the run ends here
        rec.runCancelled(req);
        maybeStop();
        return;
      }
      resolve(req, false, cause);
    },
  };
  const mode = createMode(s.mode, ctx);

  const apps: AppRuntime[] = s.apps.map((app, index) => {
    const cw = compileWorkflow(app.workflow);
    const name = s.apps.filter((x) => x.workflow.name === app.workflow.name).length > 1 ? `${app.workflow.name}#${index}` : app.workflow.name;
    const rt: AppRuntime = {
      index,
      name,
      cw,
      service: cw.functions.map((f) => makeDistribution(f.serviceTime)),
      serviceRng: cw.functions.map((f) => streams.stream(`service/${name}/${f.name}`)),
      switchRng: streams.stream(`switch/${name}`),
      nodesOf: [],
      isStart: cw.functions.map((_, f) => cw.starts.includes(f)),
      priority: cw.functions.map((fn) => fn.priority ?? app.workflow.priority ?? 0),
      deadlineS: app.workflow.deadlineS ?? Infinity,
    };
    mode.prepare(rt);
    faults?.addApp(name, cw.functions.map((f) => f.name));
    return rt;
  });

  const onRunDone = (req: RequestCtx) => {
    live.delete(req);
    docs.close(req.id);
    rec.runFinished(req);
    maybeStop();
  };

  // node loss (faults): everything on the node stops; requests whose data lived only there fail
  const live = new Set<RequestCtx>();
  // recovery time of a loss: until the first request sent after it completes
  const pendingRecovery: number[] = [];
  const recoveries: number[] = [];
  if (faults && losesNodes(s.faults)) {
    const horizon = Math.max(0, ...s.apps.map((a) => (a.workload.startS ?? 0) + a.workload.durationS)) + p.request.timeoutS;
    const down = (n: number) => {
      faults.nodeLosses++;
      pendingRecovery.push(sim.now);
      pools.nodeDown(n);
      nodes.cancelComputeOn(n);
      net.cancelTouching([topo.up[n], topo.down[n], topo.localStore[n]]);
      for (const req of live) {
        if (req.cancelled || req.run.done) {
          live.delete(req);
          continue;
        }
        if (mode.losesStateOn?.(req, n)) ctx.fail(req, `node lost: ${topo.name(n)}`);
      }
      faults.killOn(n);
    };
    for (const n of topo.workers) {
      const name = topo.name(n);
      for (const [a, b] of nodeDownSpans(faults.spec, name, horizon, streams.stream(`faults/node/${name}`))) {
        sim.call(Math.max(0, a), () => down(n));
        sim.call(Math.max(0, b), () => pools.nodeUp(n));
      }
    }
  }

  for (const app of apps) {
    rec.addApp();
    const spec = s.apps[app.index].workload;
    const driver = new WorkloadDriver(sim, spec, (index, client, measured) => {
      const run = new WorkflowRun(app.cw, app.switchRng);
      const req: RequestCtx = {
        id: nextId++,
        index,
        client,
        measured,
        app,
        run,
        t0: sim.now,
        times: newTimes(run.base[app.cw.functions.length]),
        resolved: false,
        timedOut: false,
        cancelled: false,
        failed: false,
        e2eEnd: NaN,
      };
      rec.started(req);
      if (faults && losesNodes(s.faults)) live.add(req);
      run.onAllDone = () => onRunDone(req);
      sim.call(p.request.timeoutS, () => {
        if (req.resolved) return;
        if (cancelOnTimeout) {
          // before resolve(), so that the stop rule sees this run as ended
          req.cancelled = true;
          run.cancel();
        }
        resolve(req, true);
      });
      mode.start(req);
    });
    drivers.push(driver);
  }

  sim.run();

  const appResults = rec.appResults(apps);
  const links = net
    .links()
    .filter((l) => !l.name.startsWith('ctr'))
    .map((l) => ({ link: l.name, bytes: l.bytes, capacityBps: l.capacityBps, utilization: sim.now > 0 ? l.bytes / (l.capacityBps * sim.now) : 0 }));
  const wallSeconds = clock ? (clock() - wall0) / 1000 : 0;
  const result: SimResult = {
    mode: s.mode,
    cluster: s.cluster.name,
    ...(mode instanceof AdaptiveMode ? { adaptive: mode.decisions } : {}),
    seed: s.seed,
    params: s.paramsSource,
    storageBandwidthBps: s.storageBandwidthBps ?? null,
    requests: appResults.reduce((x, a) => x + a.requests, 0),
    completed: appResults.reduce((x, a) => x + a.completed, 0),
    timeouts: appResults.reduce((x, a) => x + a.timeouts, 0),
    failed: appResults.reduce((x, a) => x + a.failed, 0),
    e2e: rec.overall((a) => a.e2e),
    dataOverhead: rec.overall((a) => a.data),
    schedulingOverhead: rec.overall((a) => a.sched),
    throughputRps: appResults.reduce((x, a) => x + a.throughputRps, 0),
    coldStarts: pools.coldStarts,
    prewarms: pools.prewarms,
    abandoned: { ...rec.abandoned(), bytesInFlight: net.bytesInFlight },
    cancelled: rec.cancelled,
    droppedCalls: pools.dropped + control.dropped,
    ...(faults
      ? {
          faults: {
            failedAttempts: { ...faults.failedAttempts },
            retries: faults.retries,
            failedRequests: Object.fromEntries([...rec.failureCauses].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
            successRate: appResults.reduce((x, a) => x + a.requests, 0) > 0 ? appResults.reduce((x, a) => x + a.completed, 0) / appResults.reduce((x, a) => x + a.requests, 0) : 0,
            bytesLost: net.bytesLost,
            nodeLosses: faults.nodeLosses,
            meanRecoveryS: recoveries.length > 0 ? recoveries.reduce((a, b) => a + b, 0) / recoveries.length : null,
            unrecovered: pendingRecovery.length,
          },
        }
      : {}),
    containersPeak: pools.peak,
    policies,
    cost: cost.result(net.bytesSent),
    controlMessages: control.messages,
    engineOperations: control.operations,
    remoteStoreOps: storage.remoteOps,
    localStoreOps: storage.localOps,
    memory: nodes.names.map((node, i) => ({ node, peakBytes: nodes.memoryPeak[i], capacityBytes: nodes.memoryCapacity[i] })),
    simulatedSeconds: sim.now,
    events: sim.events,
    wallSeconds,
    eventsPerSecond: wallSeconds > 0 ? sim.events / wallSeconds : 0,
    apps: appResults,
    links,
    bytesSent: net.bytesSent,
    bytesReceived: net.bytesReceived,
  };
  if (rec.instances) result.instances = rec.instances;
  return { result, flowRates };
}
