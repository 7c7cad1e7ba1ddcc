/**
 * Probes: measurements on a live testbed. Every transfer crosses the shaped links for real (TCP
 * between agents in different namespaces/containers); every store operation is a real redis SET/GET;
 * every cold start is a real process start.
 *
 * Directions used (w = worker, st = storage node): single flows w0 -> st (w0's uplink and st's
 * downlink, both shaped at the cap); concurrent flows from one worker share its uplink; held-out
 * cross-node flows from several workers share the storage node's downlink.
 */
import type { NodeInfo, Testbed } from './testbed/types.js';

export const KB = 1024;
export const MB = 1024 * 1024;

export interface RttSample {
  capBps: number;
  samplesS: number[];
}
export interface FlowSample {
  src: string;
  dst: string;
  bytes: number;
  seconds: number;
}
/** One run of one or more flows started together at the same cap. */
export interface FlowGroup {
  capBps: number;
  label: string;
  flows: FlowSample[];
}
export interface StoreSample {
  store: 'remote' | 'local';
  action: 'set' | 'get';
  /** Cap the remote path was shaped to; null for the local store (loopback, unshaped). */
  capBps: number | null;
  bytes: number;
  seconds: number;
}
export interface WarmSample {
  roundTripS: number;
  runtimeS: number;
}

export interface Measurements {
  rtt: RttSample[];
  transfers: FlowGroup[];
  concurrent: FlowGroup[];
  store: StoreSample[];
  coldStartS: number[];
  warm: WarmSample[];
  cpu: Array<{ requestedS: number; measuredS: number }>;
}

export interface HoldoutMeasurements {
  groups: FlowGroup[];
  store: StoreSample[];
}

export interface ProbePlan {
  capsBps: number[];
  transferSizes: number[];
  reps: number;
  concurrencyLevels: number[];
  concurrencyBytes: number;
  storeSizes: number[];
  storeReps: number;
  coldStarts: number;
  warmInvocations: number;
  holdout: {
    sizes: number[];
    /** Each case: flows started together; src/dst are node names. */
    cases: Array<{ label: string; flows: Array<{ src: string; dst: string; bytes: number }> }>;
    storeSizes: number[];
  };
}

export function makePlan(capsBps: number[], quick: boolean): ProbePlan {
  const storeSizes = quick ? [1 * KB, 16 * KB, 256 * KB, 1 * MB, 4 * MB, 16 * MB] : [1 * KB, 4 * KB, 16 * KB, 64 * KB, 256 * KB, 1 * MB, 4 * MB, 16 * MB, 64 * MB];
  return {
    capsBps,
    transferSizes: quick ? [256 * KB, 1 * MB, 4 * MB, 16 * MB] : [64 * KB, 256 * KB, 1 * MB, 4 * MB, 16 * MB, 64 * MB],
    reps: quick ? 3 : 5,
    concurrencyLevels: quick ? [2, 4] : [2, 4, 8],
    concurrencyBytes: quick ? 4 * MB : 8 * MB,
    storeSizes,
    storeReps: quick ? 3 : 5,
    coldStarts: quick ? 12 : 40,
    warmInvocations: quick ? 40 : 200,
    holdout: {
      // sizes and concurrency levels the fit never sees
      sizes: quick ? [3 * MB, 10 * MB] : [3 * MB, 10 * MB, 40 * MB],
      cases: [
        { label: '3 flows, mixed sizes, one uplink (w0 -> st)', flows: [2, 5, 9].map((m) => ({ src: 'w0', dst: 'st', bytes: m * MB })) },
        { label: '3 flows from 3 workers into the storage downlink', flows: [4, 4, 8].map((m, i) => ({ src: `w${i}`, dst: 'st', bytes: m * MB })) },
      ],
      storeSizes: quick ? [3 * MB, 6 * MB] : [3 * MB, 12 * MB, 48 * MB],
    },
  };
}

type Log = (msg: string) => void;

function node(tb: Testbed, name: string): NodeInfo {
  const n = [tb.gateway, tb.storage, ...tb.workers].find((x) => x.name === name);
  if (!n) throw new Error(`no node named ${name} in the testbed (workers: ${tb.workers.length})`);
  return n;
}

async function flows(tb: Testbed, capBps: number, label: string, spec: Array<{ src: string; dst: string; bytes: number }>): Promise<FlowGroup> {
  // flows from the same source are started by one agent call (simultaneously); different sources
  // are started by parallel calls (within a few hundred microseconds of each other)
  const bySrc = new Map<string, Array<{ src: string; dst: string; bytes: number }>>();
  for (const f of spec) bySrc.set(f.src, [...(bySrc.get(f.src) ?? []), f]);
  const results = await Promise.all(
    [...bySrc.entries()].map(async ([src, fs]) => {
      const r = await tb.call<Array<{ bytes: number; seconds: number }>>(node(tb, src), 'send', {
        flows: fs.map((f) => ({ host: node(tb, f.dst).addr, bytes: f.bytes })),
      });
      return r.map((x, i) => ({ src, dst: fs[i]!.dst, bytes: x.bytes, seconds: x.seconds }));
    }),
  );
  return { capBps, label, flows: results.flat() };
}

async function storeOps(tb: Testbed, store: 'remote' | 'local', capBps: number | null, sizes: number[], reps: number): Promise<StoreSample[]> {
  const w0 = tb.workers[0]!;
  const host = store === 'remote' ? tb.storage.addr : '127.0.0.1';
  const out: StoreSample[] = [];
  for (const bytes of sizes) {
    for (const action of ['set', 'get'] as const) {
      const times = await tb.call<number[]>(w0, 'redis', { host, port: 6379, action, bytes, n: reps });
      for (const seconds of times) out.push({ store, action, capBps, bytes, seconds });
    }
  }
  return out;
}

export async function runProbes(tb: Testbed, plan: ProbePlan, log: Log): Promise<Measurements> {
  const m: Measurements = { rtt: [], transfers: [], concurrent: [], store: [], coldStartS: [], warm: [], cpu: [] };
  const w0 = tb.workers[0]!;
  const st = tb.storage;
  const steps = plan.reps + 4;
  let step = 0;
  const progress = (what: string) => log(`[${++step}/${steps}] ${what}`);

  // warm-up: the first connection in a fresh namespace pays ARP and page faults
  await tb.call(w0, 'send', { flows: [{ host: st.addr, bytes: 256 * KB }] });

  // Repetitions are the outer loop and caps the inner one, so a burst of CPU contention from other
  // processes on the host spreads over all caps instead of skewing one cap's fit.
  for (const cap of plan.capsBps) {
    await tb.setRate(cap);
    m.rtt.push({ capBps: cap, samplesS: await tb.call<number[]>(w0, 'ping', { host: st.addr, n: 20 }) });
  }
  for (let r = 0; r < plan.reps; r++) {
    progress(`transfers, repetition ${r + 1}/${plan.reps}: caps ${plan.capsBps.map((c) => (c / 1e6).toFixed(1)).join('/')} x 1e6 B/s x ${plan.transferSizes.length} sizes, concurrency ${plan.concurrencyLevels.join('/')}`);
    for (const cap of plan.capsBps) {
      await tb.setRate(cap);
      for (const bytes of plan.transferSizes) {
        m.transfers.push(await flows(tb, cap, 'single', [{ src: 'w0', dst: 'st', bytes }]));
      }
      if (r === 0) {
        for (const k of plan.concurrencyLevels) {
          const spec = Array.from({ length: k }, () => ({ src: 'w0', dst: 'st', bytes: plan.concurrencyBytes }));
          m.concurrent.push(await flows(tb, cap, `${k} flows`, spec));
        }
      }
    }
  }

  const maxCap = Math.max(...plan.capsBps);
  await tb.setRate(maxCap);
  progress(`remote store (redis on st) SET/GET, ${plan.storeSizes.length} sizes at ${(maxCap / 1e6).toFixed(1)}e6 B/s`);
  m.store.push(...(await storeOps(tb, 'remote', maxCap, plan.storeSizes, plan.storeReps)));
  progress('local store (redis on the worker, loopback) SET/GET');
  m.store.push(...(await storeOps(tb, 'local', null, plan.storeSizes, plan.storeReps)));

  progress(`cold starts x ${plan.coldStarts}, warm invocations x ${plan.warmInvocations}`);
  for (let i = 0; i < plan.coldStarts; i++) {
    const w = tb.workers[i % tb.workers.length]!;
    const [s] = await tb.call<number[]>(w, 'coldStarts', { n: 1 });
    m.coldStartS.push(s!);
  }
  // one invocation first so a warm function process exists
  await tb.call(w0, 'invoke', { cpuS: 0 });
  const warm = await tb.call<Array<{ roundTripS: number; totalS: number }>>(tb.gateway, 'remoteInvoke', { host: w0.addr, n: plan.warmInvocations, spec: { cpuS: 0 } });
  m.warm = warm.map((x) => ({ roundTripS: x.roundTripS, runtimeS: x.totalS }));
  for (const cpuS of [0.02, 0.1]) {
    const r = await tb.call<{ cpuS: number }>(w0, 'invoke', { cpuS });
    m.cpu.push({ requestedS: cpuS, measuredS: r.cpuS });
  }
  await tb.call(w0, 'stopFunctions');
  progress('probes done');
  return m;
}

/** A fresh measurement of cases the fit did not use. */
export async function runHoldout(tb: Testbed, plan: ProbePlan, log: Log): Promise<HoldoutMeasurements> {
  const h: HoldoutMeasurements = { groups: [], store: [] };
  const need = Math.max(...plan.holdout.cases.flatMap((c) => c.flows.map((f) => (f.src.startsWith('w') ? Number(f.src.slice(1)) + 1 : 0))));
  for (const cap of plan.capsBps) {
    await tb.setRate(cap);
    log(`held-out at ${(cap / 1e6).toFixed(1)}e6 B/s: sizes ${plan.holdout.sizes.map((b) => b / MB + ' MB').join(', ')}; ${plan.holdout.cases.length} concurrency cases`);
    for (const bytes of plan.holdout.sizes) h.groups.push(await flows(tb, cap, 'single (held-out size)', [{ src: 'w0', dst: 'st', bytes }]));
    for (const c of plan.holdout.cases) {
      if (need > tb.workers.length && c.flows.some((f) => Number(f.src.slice(1)) >= tb.workers.length)) continue;
      h.groups.push(await flows(tb, cap, c.label, c.flows));
    }
  }
  const maxCap = Math.max(...plan.capsBps);
  await tb.setRate(maxCap);
  log(`held-out remote store SET/GET at ${(maxCap / 1e6).toFixed(1)}e6 B/s: ${plan.holdout.storeSizes.map((b) => b / MB + ' MB').join(', ')}`);
  h.store.push(...(await storeOps(tb, 'remote', maxCap, plan.holdout.storeSizes, 2)));
  return h;
}
