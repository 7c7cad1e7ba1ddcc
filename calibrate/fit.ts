/**
 * Fitting measured probes to flowsim's parameters (simple-statistics).
 *
 * - Transfers: one affine model over all caps, seconds = a + bytes / (f x cap), i.e. a linear
 *   regression of seconds on x = bytes / cap: slope 1/f gives network.bandwidthFactor, the intercept
 *   a is the fixed cost of a transfer (connection setup, slow start), which flowsim charges as
 *   route latency x latencyFactor: latencyFactor = a / routeLatency with routeLatency = RTT / 2
 *   (two links each way, each RTT / 4).
 * - Remote store: seconds = a + bytes * s at the highest cap; the network part (fixed cost above,
 *   bytes / (f x cap)) is subtracted: remoteOpLatencyS = a - a_net, remoteThroughputBps =
 *   1 / (s - 1 / (f x cap)).
 * - Local store (loopback): seconds = a + bytes / b gives localOpLatencyS and localThroughputBps.
 * - Cold start: lognormal by maximum likelihood on log(seconds); reported as the distribution's mean
 *   and sd (the parameters `LogNormal(mean, sd)` takes); quality = R^2 of its Q-Q line.
 * - Warm invocation: control.engineOverheadS = median(round trip of an empty invocation from the
 *   gateway) - median(RTT). [ASSUMPTION] one invocation = one engine overhead.
 * Every fit reports n, R^2 and its residuals.
 */
import * as ss from 'simple-statistics';
import type { DeepPartial, Params } from '../sim/params.js';
import type { FlowGroup, Measurements, StoreSample } from './probes.js';

export interface AffineFit {
  model: string;
  /** Fixed cost, seconds. */
  interceptS: number;
  /** Seconds per unit of x. */
  slope: number;
  r2: number;
  n: number;
  residuals: ResidualSummary;
  points: Array<{ x: number; y: number; fitted: number }>;
}

export interface ResidualSummary {
  rmseS: number;
  maxAbsS: number;
  /** Median of |residual| / measured. */
  medianRelative: number;
}

export function summarize(points: Array<{ y: number; fitted: number }>): ResidualSummary {
  if (points.length === 0) return { rmseS: 0, maxAbsS: 0, medianRelative: 0 };
  const res = points.map((p) => p.y - p.fitted);
  return {
    rmseS: Math.sqrt(ss.mean(res.map((r) => r * r))),
    maxAbsS: Math.max(...res.map(Math.abs)),
    medianRelative: ss.median(points.map((p) => Math.abs(p.y - p.fitted) / p.y)),
  };
}

/**
 * Affine fit y = a + m x, in two stages. Repeated measurements of the same key are first reduced to
 * their median (robust to a burst of contention from other processes on the host). The slope (the
 * per-byte cost, i.e. the rate) comes from ordinary least squares, which the largest sizes dominate;
 * with `twoStage` the intercept (the fixed cost) is then re-estimated with that slope fixed by least
 * squares weighted by 1/y^2 (relative error), which the smallest sizes dominate. A single weighted
 * fit would let small transfers set the slope too, and those are distorted by the token bucket's
 * burst (a transfer smaller than the burst is not rate-limited at all).
 * R^2 is the ordinary (unweighted) one of the final line over the medians.
 */
export function affine(model: string, raw: Array<[number, number]>, keys?: string[], twoStage = true): AffineFit {
  const groups = new Map<string, { x: number; ys: number[] }>();
  raw.forEach(([x, y], i) => {
    const k = keys ? keys[i]! : String(x);
    const g = groups.get(k) ?? { x, ys: [] };
    g.ys.push(y);
    groups.set(k, g);
  });
  const data: Array<[number, number]> = [...groups.values()].map((g) => [g.x, ss.median(g.ys)]);
  if (data.length < 2) throw new Error(`${model}: need at least 2 distinct points, got ${data.length}`);
  const ols = ss.linearRegression(data);
  const m = ols.m;
  let b = ols.b;
  if (twoStage) {
    let sw = 0;
    let swr = 0;
    for (const [x, y] of data) {
      const w = y > 0 ? 1 / (y * y) : 1;
      sw += w;
      swr += w * (y - m * x);
    }
    b = swr / sw;
  }
  const line = ss.linearRegressionLine({ m, b });
  const points = data.map(([x, y]) => ({ x, y, fitted: line(x) }));
  const ys = data.map((d) => d[1]);
  const r2 = ss.variance(ys) === 0 ? 1 : ss.rSquared(data, line);
  return { model, interceptS: b, slope: m, r2, n: raw.length, residuals: summarize(points), points };
}

export interface CapSummary {
  capBps: number;
  /** Bytes/s from the per-cap affine fit (1 / slope). */
  achievedBps: number;
  factor: number;
  /** Largest single transfer: bytes / seconds, fixed cost included. */
  bulkBps: number;
  fit: AffineFit;
}

export interface FairnessSummary {
  capBps: number;
  flows: number;
  /** Each flow's share of the aggregate throughput (bytes / seconds normalised). */
  shares: number[];
  jain: number;
  aggregateBps: number;
  aggregateFactor: number;
}

export interface ColdStartFit {
  kind: 'lognormal';
  mean: number;
  sd: number;
  mu: number;
  sigma: number;
  n: number;
  r2: number;
  median: number;
  p95: number;
  residuals: ResidualSummary;
  qq: Array<{ x: number; y: number; fitted: number }>;
}

export interface Fits {
  transfer: AffineFit;
  perCap: CapSummary[];
  fairness: FairnessSummary[];
  rttS: { median: number; p95: number; n: number };
  linkLatencyS: number;
  bandwidthFactor: number;
  latencyFactor: number;
  remote: { set: AffineFit; get: AffineFit; capBps: number; opLatencyS: number; throughputBps: number; writeBps: number; readBps: number; throughputNote: string };
  local: { set: AffineFit; get: AffineFit; opLatencyS: number; throughputBps: number };
  coldStart: ColdStartFit;
  warm: { medianRoundTripS: number; medianRuntimeS: number; engineOverheadS: number; n: number };
  cpu: Array<{ requestedS: number; measuredS: number }>;
}

function singleFlows(groups: FlowGroup[]): Array<{ capBps: number; bytes: number; seconds: number }> {
  return groups.filter((g) => g.flows.length === 1).map((g) => ({ capBps: g.capBps, bytes: g.flows[0]!.bytes, seconds: g.flows[0]!.seconds }));
}

/** Inverse normal CDF (Acklam's rational approximation; |error| < 1.2e-9). */
export function probit(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pl = 0.02425;
  if (p < pl) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - pl) return -probit(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

export function fitLognormal(samples: number[]): ColdStartFit {
  if (samples.length < 2) throw new Error(`cold start: need at least 2 samples, got ${samples.length}`);
  const logs = samples.map(Math.log);
  const mu = ss.mean(logs);
  const sigma = ss.standardDeviation(logs); // MLE (population sd of the logs)
  const mean = Math.exp(mu + (sigma * sigma) / 2);
  const sd = mean * Math.sqrt(Math.exp(sigma * sigma) - 1);
  const sorted = [...samples].sort((x, y) => x - y);
  const n = sorted.length;
  const qq = sorted.map((y, i) => {
    const z = probit((i + 0.5) / n);
    return { x: z, y, fitted: Math.exp(mu + sigma * z) };
  });
  const ys = qq.map((q) => q.y);
  const ssRes = qq.reduce((s, q) => s + (q.y - q.fitted) ** 2, 0);
  const ssTot = ys.reduce((s, y) => s + (y - ss.mean(ys)) ** 2, 0);
  return {
    kind: 'lognormal',
    mean,
    sd,
    mu,
    sigma,
    n,
    r2: ssTot === 0 ? 1 : 1 - ssRes / ssTot,
    median: ss.median(samples),
    p95: ss.quantile(samples, 0.95),
    residuals: summarize(qq),
    qq,
  };
}

function storeFit(samples: StoreSample[], store: 'remote' | 'local', action: 'set' | 'get'): AffineFit {
  const pts = samples.filter((s) => s.store === store && s.action === action).map((s) => [s.bytes, s.seconds] as [number, number]);
  return affine(`${store} ${action}: seconds = a + bytes * s`, pts);
}

export function fitAll(m: Measurements): Fits {
  const singles = singleFlows(m.transfers);
  const transfer = affine(
    'transfer: seconds = a + (bytes / cap) / f',
    singles.map((s) => [s.bytes / s.capBps, s.seconds]),
    singles.map((s) => `${s.capBps}:${s.bytes}`),
  );
  const bandwidthFactor = 1 / transfer.slope;
  const caps = [...new Set(singles.map((s) => s.capBps))].sort((a, b) => a - b);
  const perCap: CapSummary[] = caps.map((capBps) => {
    const pts = singles.filter((s) => s.capBps === capBps);
    const fit = affine(`transfer at ${(capBps / 1e6).toFixed(0)} MB/s: seconds = a + bytes / rate (OLS)`, pts.map((s) => [s.bytes, s.seconds]), undefined, false);
    const maxBytes = Math.max(...pts.map((p) => p.bytes));
    const big = pts.filter((p) => p.bytes === maxBytes);
    const bulkBps = ss.median(big.map((p) => p.bytes / p.seconds));
    return { capBps, achievedBps: 1 / fit.slope, factor: 1 / fit.slope / capBps, bulkBps, fit };
  });
  const fairness: FairnessSummary[] = m.concurrent.map((g) => {
    const rates = g.flows.map((f) => f.bytes / f.seconds);
    const total = g.flows.reduce((s, f) => s + f.bytes, 0);
    const span = Math.max(...g.flows.map((f) => f.seconds));
    const sum = ss.sum(rates);
    return {
      capBps: g.capBps,
      flows: g.flows.length,
      shares: rates.map((r) => r / sum),
      jain: (sum * sum) / (rates.length * ss.sum(rates.map((r) => r * r))),
      aggregateBps: total / span,
      aggregateFactor: total / span / g.capBps,
    };
  });
  const allRtt = m.rtt.flatMap((r) => r.samplesS);
  const rttMedian = ss.median(allRtt);
  const linkLatencyS = rttMedian / 4;
  const routeLatencyS = 2 * linkLatencyS;
  const latencyFactor = Math.max(0, transfer.interceptS) / routeLatencyS;

  // remote store at the highest cap, network part removed
  const remoteCap = Math.max(...m.store.filter((s) => s.store === 'remote').map((s) => s.capBps ?? 0));
  const rset = storeFit(m.store, 'remote', 'set');
  const rget = storeFit(m.store, 'remote', 'get');
  const netFixed = Math.max(0, transfer.interceptS);
  const netPerByte = 1 / (bandwidthFactor * remoteCap);
  // the store's own throughput (per direction) is only resolvable when it costs something beyond
  // the network; the simulator adds it after the transfer (store and forward), as fitted here
  const storeRate = (slope: number) => {
    const perByte = slope - netPerByte;
    return perByte > 0.02 * netPerByte ? 1 / perByte : 1e10;
  };
  const remoteWriteBps = storeRate(rset.slope);
  const remoteReadBps = storeRate(rget.slope);
  const remoteThroughputBps = Math.min(remoteWriteBps, remoteReadBps);
  const throughputNote =
    remoteWriteBps < 1e10 || remoteReadBps < 1e10
      ? 'per-byte cost of SET (write) and GET (read) beyond the shaped network path, fitted separately'
      : `SET/GET per-byte cost is within 2% of the network's at ${(remoteCap / 1e6).toFixed(0)} MB/s: the store is not the bottleneck; set to 1e10 B/s`;
  const remoteOpLatencyS = Math.max(0, (rset.interceptS + rget.interceptS) / 2 - netFixed);

  const lset = storeFit(m.store, 'local', 'set');
  const lget = storeFit(m.store, 'local', 'get');
  const localSlope = (lset.slope + lget.slope) / 2;
  const warmRt = ss.median(m.warm.map((w) => w.roundTripS));
  return {
    transfer,
    perCap,
    fairness,
    rttS: { median: rttMedian, p95: ss.quantile(allRtt, 0.95), n: allRtt.length },
    linkLatencyS,
    bandwidthFactor,
    latencyFactor,
    remote: { set: rset, get: rget, capBps: remoteCap, opLatencyS: remoteOpLatencyS, throughputBps: remoteThroughputBps, writeBps: remoteWriteBps, readBps: remoteReadBps, throughputNote },
    local: {
      set: lset,
      get: lget,
      opLatencyS: Math.max(1e-6, (lset.interceptS + lget.interceptS) / 2),
      throughputBps: 1 / localSlope,
    },
    coldStart: fitLognormal(m.coldStartS),
    warm: {
      medianRoundTripS: warmRt,
      medianRuntimeS: ss.median(m.warm.map((w) => w.runtimeS)),
      engineOverheadS: Math.max(0, warmRt - rttMedian),
      n: m.warm.length,
    },
    cpu: m.cpu,
  };
}

/** The partial of Params a profile carries. */
export function paramsFromFits(f: Fits): DeepPartial<Params> {
  return {
    network: { bandwidthFactor: round(f.bandwidthFactor), latencyFactor: round(f.latencyFactor) },
    storage: {
      remoteOpLatencyS: round(f.remote.opLatencyS),
      remoteWriteThroughputBps: round(f.remote.writeBps),
      remoteReadThroughputBps: round(f.remote.readBps),
      localOpLatencyS: round(f.local.opLatencyS),
      localThroughputBps: round(f.local.throughputBps),
    },
    containers: { coldStart: { kind: 'lognormal', mean: round(f.coldStart.mean), sd: round(f.coldStart.sd) } },
    control: { engineOverheadS: round(f.warm.engineOverheadS) },
  };
}

export function round(x: number, digits = 6): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}
