/**
 * Flow-level network (models-and-formats.md, "Flow-level network models").
 *
 * A transfer is a flow over a route of links. It first waits the route's latency (sum of the
 * links' one-way latencies x `latencyFactor`), then takes its max-min fair share of every link
 * on the route (FairShare), recomputed when any flow starts or ends. Options as in SimGrid:
 * - `bandwidthFactor`: a link delivers capacity x factor of goodput (TCP/IP headers);
 * - `ackWeight`: the reverse ACK stream consumes this fraction of the data rate on the reverse
 *   route (LV08: 0.05; on a single half-duplex link the reverse route is the link itself);
 * - `tcpGammaBytes`: a flow's rate is bounded by gamma / (2 x route latency) (CM02 TCP window).
 * - `sharing`: 'maxmin' (default) shares a bottleneck equally among its flows; 'simgrid' is
 *   SimGrid 3.32's CM02/LV08 TCP model (network_cm02.cpp, NetworkCm02Model::communicate): a flow's
 *   LMM sharing penalty is its route latency + weight-S x sum(1 / link bandwidth), or 1 when the
 *   (factored) latency is 0 (the LMM variable is then created with penalty 1 and never updated),
 *   so a bottleneck is shared in proportion to 1 / penalty; the window bound gamma / (2 x latency)
 *   is on the LMM variable, before the bandwidth factor is applied, so goodput is capped at
 *   bandwidthFactor x gamma / (2 x latency).
 * The reverse route of ACKs is the forward route backwards with each link replaced by its other
 * direction (`pairLinks`: A.up <-> A.down), as SimGrid's dst->route_to(src) on split-duplex
 * interfaces; a link without a pair is half duplex (its own reverse, SimGrid's SHARED link).
 * Golden case (SimGrid LV08 docs): 100 kB over one link of 10 ms and 1 Mbps takes
 * 0.01 x 13.01 + 8e5 / ((0.97 x 1e6) / 1.05) = 0.996079 s.
 *
 * Left out: slow-start dynamics beyond the latency factor, packet loss, queueing delay of small
 * messages behind bulk flows.
 */
import type { Simulator } from '../engine/simulator.js';
import type { Params } from '../params.js';
import { FairShare } from './sharing.js';

export interface LinkInfo {
  name: string;
  bytes: number;
  capacityBps: number;
  latencyS: number;
}

export interface FlowRateChange {
  t: number;
  flow: number;
  rateBps: number;
}

export class Network {
  readonly share: FairShare;
  private readonly linkName: string[] = [];
  private readonly linkCap: number[] = [];
  /** Nominal capacity now (after `setCapacity` steps): SimGrid's link->get_bandwidth() in weight-S. */
  private readonly linkCapNow: number[] = [];
  private readonly linkLat: number[] = [];
  private readonly linkBytes: number[] = [];
  private readonly linkRes: number[] = [];
  /** The other direction of each link (itself when half duplex). */
  private readonly linkRev: number[] = [];
  private nextFlow = 0;
  private inLatency = 0;
  bytesSent = 0;
  bytesReceived = 0;
  /** Bytes of flows cancelled before their end (a lost node's transfers), each counted whole. */
  bytesLost = 0;
  /** Per open flow: its sharing activity once it has one, else its latency event (only when cancellable). */
  private readonly flowAct: Map<number, number> | undefined;
  private readonly flowLat: Map<number, number> | undefined;
  private readonly flowRoute: Map<number, readonly number[]> | undefined;
  /** Bytes of each flow not yet delivered (in its latency phase or sharing bandwidth). */
  private readonly open = new Map<number, number>();
  flowsStarted = 0;
  /** When set, every rate change is appended here (`--trace-flows`). */
  rateLog?: FlowRateChange[];

  /** `cancellable`: flows may be cancelled (faults); it costs a few map operations per flow. */
  constructor(private readonly sim: Simulator, private readonly p: Params['network'], cancellable = false) {
    this.share = new FairShare(sim);
    this.share.quantum = p.solveQuantumS ?? 0;
    if (cancellable) {
      this.flowAct = new Map();
      this.flowLat = new Map();
      this.flowRoute = new Map();
    }
  }

  addLink(name: string, capacityBps: number, latencyS: number): number {
    if (!(capacityBps > 0)) throw new RangeError(`link '${name}': capacity must be > 0 bytes/s, got ${capacityBps}`);
    if (!(latencyS >= 0)) throw new RangeError(`link '${name}': latency must be >= 0 s, got ${latencyS}`);
    const id = this.linkName.length;
    this.linkName.push(name);
    this.linkCap.push(capacityBps);
    this.linkCapNow.push(capacityBps);
    this.linkLat.push(latencyS);
    this.linkBytes.push(0);
    this.linkRev.push(id);
    this.linkRes.push(this.share.addResource(name, capacityBps * this.p.bandwidthFactor));
    return id;
  }

  /** Declares links `a` and `b` the two directions of one full-duplex interface (ACKs of a flow on one go on the other). */
  pairLinks(a: number, b: number): void {
    if (a === b || this.linkRev[a] !== a || this.linkRev[b] !== b) throw new Error(`links '${this.linkName[a]}' and '${this.linkName[b]}' cannot be paired`);
    this.linkRev[a] = b;
    this.linkRev[b] = a;
  }

  /** The route ACKs of a flow over `route` take: backwards, each link's other direction. */
  reverseRoute(route: readonly number[]): number[] {
    const r: number[] = [];
    for (let i = route.length - 1; i >= 0; i--) r.push(this.linkRev[route[i]]);
    return r;
  }

  /** Route latency in seconds (before the latency factor). */
  routeLatency(route: readonly number[]): number {
    let l = 0;
    for (const k of route) l += this.linkLat[k];
    return l;
  }

  /**
   * Sends `bytes` over `route`; `onDone` runs when the last byte arrives. `reverse` is the route
   * ACKs take (defaults to `reverseRoute(route)`); it only matters when ackWeight > 0.
   * `skipLatency`: the bytes follow earlier ones on an open connection (a stream's later chunks),
   * so the route latency is not paid again; the window bound still applies.
   * `privateCapBps`: the sender's own shaper (DataFlower's per-container tc HTB), nominal rate. A
   * link that never carries more than this one flow is exactly a bound on the flow (capacity x
   * bandwidthFactor), and as a bound it lets flows of many senders share one sharing class.
   */
  transfer(route: readonly number[], bytes: number, onDone: () => void, reverse?: readonly number[], skipLatency = false, privateCapBps = Infinity): number {
    if (!(bytes >= 0)) throw new RangeError(`transfer: bytes must be >= 0, got ${bytes}`);
    const flow = this.nextFlow++;
    this.flowsStarted++;
    this.bytesSent += bytes;
    this.open.set(flow, bytes);
    const lat = this.routeLatency(route);
    const simgrid = this.p.sharing === 'simgrid';
    const begin = () => {
      this.inLatency--;
      const resources: number[] = [];
      const weights: number[] = [];
      for (const k of route) {
        resources.push(this.linkRes[k]);
        weights.push(1);
      }
      if (this.p.ackWeight > 0) {
        for (const k of reverse ?? this.reverseRoute(route)) {
          const r = this.linkRes[k];
          const i = resources.indexOf(r);
          if (i >= 0) weights[i] += this.p.ackWeight;
          else {
            resources.push(r);
            weights.push(this.p.ackWeight);
          }
        }
      }
      let window = this.p.tcpGammaBytes > 0 && lat > 0 ? this.p.tcpGammaBytes / (2 * lat) : Infinity;
      let penalty = 1;
      if (simgrid) {
        // SimGrid bounds the LMM variable by gamma / (2 lat), and goodput is the variable x factor
        window *= this.p.bandwidthFactor;
        if (lat * this.p.latencyFactor > 0) {
          penalty = lat;
          if (this.p.weightSBytes > 0) for (const k of route) penalty += this.p.weightSBytes / this.linkCapNow[k];
        }
      }
      const bound = Math.min(window, privateCapBps * this.p.bandwidthFactor);
      const act = this.share.start(bytes, resources, weights, bound, () => {
        for (const k of route) this.linkBytes[k] += bytes;
        this.bytesReceived += bytes;
        this.open.delete(flow);
        if (this.flowAct) {
          this.flowAct.delete(flow);
          this.flowRoute!.delete(flow);
        }
        onDone();
      }, penalty);
      if (this.rateLog) this.flowOfActivity.set(act, flow);
      if (this.flowAct) {
        this.flowLat!.delete(flow);
        this.flowAct.set(flow, act);
      }
    };
    const delay = skipLatency ? 0 : lat * this.p.latencyFactor;
    this.inLatency++;
    const ev = this.sim.call(delay, begin);
    if (this.flowLat) {
      this.flowLat.set(flow, ev);
      this.flowRoute!.set(flow, route);
    }
    return flow;
  }

  /**
   * Cancels a flow before its end (its `onDone` never runs): its bytes are counted as lost and the
   * part already carried on its links' byte counts. Needs a cancellable network. False if it had ended.
   */
  cancel(flow: number): boolean {
    if (!this.flowAct) throw new Error('this network was not built cancellable');
    const bytes = this.open.get(flow);
    if (bytes === undefined) return false;
    const lat = this.flowLat!.get(flow);
    if (lat !== undefined) {
      this.sim.cancel(lat);
      this.inLatency--;
      this.flowLat!.delete(flow);
    } else {
      const left = this.share.cancel(this.flowAct.get(flow)!);
      for (const k of this.flowRoute!.get(flow)!) this.linkBytes[k] += bytes - left;
      this.flowAct.delete(flow);
    }
    this.flowRoute!.delete(flow);
    this.open.delete(flow);
    this.bytesLost += bytes;
    return true;
  }

  /** Cancels every open flow whose route crosses one of `links` (a lost node's transfers); returns how many. */
  cancelTouching(links: readonly number[]): number {
    if (!this.flowRoute) throw new Error('this network was not built cancellable');
    const hit = new Set(links);
    const flows: number[] = [];
    for (const [flow, route] of this.flowRoute) if (route.some((k) => hit.has(k))) flows.push(flow);
    for (const f of flows) this.cancel(f);
    return flows.length;
  }

  /** True while `flow` has bytes not delivered. */
  isOpen(flow: number): boolean {
    return this.open.has(flow);
  }

  /** Sets link `k`'s capacity from now on (nominal bytes/s; goodput is x bandwidthFactor). */
  setCapacity(k: number, capacityBps: number): void {
    if (!(capacityBps > 0)) throw new RangeError(`link '${this.linkName[k]}': capacity must be > 0 bytes/s, got ${capacityBps}`);
    this.linkCapNow[k] = capacityBps;
    this.share.setCapacity(this.linkRes[k], capacityBps * this.p.bandwidthFactor);
  }

  /** Link `k`'s capacity now (nominal bytes/s). */
  capacityNow(k: number): number {
    return this.share.resourceCapacity(this.linkRes[k]) / this.p.bandwidthFactor;
  }

  private readonly flowOfActivity = new Map<number, number>();

  /** Starts recording every flow's rate changes. */
  traceRates(): FlowRateChange[] {
    this.rateLog = [];
    this.share.observer = (a, rate, t) => this.rateLog!.push({ t, flow: this.flowOfActivity.get(a) ?? -1, rateBps: rate });
    return this.rateLog;
  }

  /** Bytes of the flows not delivered yet, each counted whole (what a run stopped now abandons in flight). */
  get bytesInFlight(): number {
    let b = 0;
    for (const v of this.open.values()) b += v;
    return b;
  }

  /** Flows currently in their latency phase or sharing bandwidth. */
  get activeFlows(): number {
    return this.inLatency + this.share.activeCount;
  }

  links(): LinkInfo[] {
    return this.linkName.map((name, i) => ({ name, bytes: this.linkBytes[i], capacityBps: this.linkCap[i], latencyS: this.linkLat[i] }));
  }

  linkId(name: string): number {
    const i = this.linkName.indexOf(name);
    if (i < 0) throw new Error(`no link named '${name}'`);
    return i;
  }
}
