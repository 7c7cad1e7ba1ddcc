/**
 * The hybrid histogram policy of "Serverless in the Wild" (Shahrad et al., USENIX ATC'20, §4.2),
 * per function pool:
 *
 * - each idle time (from a container going idle with nothing else busy to the next call) goes
 *   into a histogram of `binS`-wide bins over `rangeS` (the paper: 1-minute bins over 4 hours);
 * - the head (5th percentile) and tail (99th percentile) of the idle times set the windows: the
 *   container is unloaded when it goes idle and pre-warmed `prewarm = head x (1 - margin)` later,
 *   then kept for `tail x (1 + margin) - prewarm` (margin 10%, as the paper); with a head of 0 the
 *   container is simply kept for the tail window;
 * - while the histogram is not representative (fewer than `minSamples` idle times, or more than
 *   half of them beyond the range) the policy falls back to the fixed window `fallbackS`
 *   [ASSUMPTION: the paper falls back to a 4-hour window, or ARIMA for out-of-range idle times;
 *   flowsim uses the cluster's fixed keep-alive and no ARIMA].
 *
 * Percentiles are taken on bin edges as the paper does: the head is the lower edge of the bin
 * holding the 5th percentile, the tail the upper edge of the bin holding the 99th.
 */
import type { IdleDecision, KeepAlivePolicy } from './keep-alive.js';

export interface HybridOptions {
  binS: number;
  rangeS: number;
  minSamples: number;
  margin: number;
  fallbackS: number;
}

interface History {
  bins: Uint32Array;
  inRange: number;
  outOfRange: number;
  idleSince: number;
}

export function hybridKeepAlive(o: HybridOptions): KeepAlivePolicy & { windows(pool: string): IdleDecision | undefined } {
  const nBins = Math.max(1, Math.ceil(o.rangeS / o.binS));
  const hist = new Map<string, History>();
  const get = (pool: string): History => {
    let h = hist.get(pool);
    if (!h) {
      h = { bins: new Uint32Array(nBins), inRange: 0, outOfRange: 0, idleSince: NaN };
      hist.set(pool, h);
    }
    return h;
  };
  /** The binned percentile q of the in-range idle times: the bin index holding it. */
  const binOf = (h: History, q: number): number => {
    const target = Math.max(1, Math.ceil(q * h.inRange));
    let acc = 0;
    for (let b = 0; b < nBins; b++) {
      acc += h.bins[b];
      if (acc >= target) return b;
    }
    return nBins - 1;
  };
  const windows = (pool: string): IdleDecision | undefined => {
    const h = hist.get(pool);
    if (!h) return undefined;
    const n = h.inRange + h.outOfRange;
    if (n < o.minSamples || h.outOfRange > n / 2) return undefined;
    const head = binOf(h, 0.05) * o.binS;
    const tail = (binOf(h, 0.99) + 1) * o.binS;
    const prewarmS = head * (1 - o.margin);
    return { prewarmS, keepS: Math.max(0, tail * (1 + o.margin) - prewarmS) };
  };
  return {
    name: 'hybrid',
    windows,
    onArrival(pool, now, idle) {
      const h = get(pool);
      if (idle && h.idleSince >= 0) {
        const gap = now - h.idleSince;
        const b = Math.floor(gap / o.binS);
        if (b < nBins) {
          h.bins[b]++;
          h.inRange++;
        } else h.outOfRange++;
      }
      h.idleSince = NaN;
    },
    onIdle(pool, now, allIdle) {
      if (allIdle) get(pool).idleSince = now;
      return windows(pool) ?? { keepS: o.fallbackS, prewarmS: 0 };
    },
  };
}
