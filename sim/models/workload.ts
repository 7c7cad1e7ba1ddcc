/**
 * Workloads: how requests arrive (reference 1.E and 2.E).
 * - Open loop: a request every 60/rpm seconds (fixed interval, both papers' generators). With
 *   `ramp` (DataFlower), intervals are stretched x4, x3, x2 while the time since the start is in
 *   [0,20), [20,40), [40,60) seconds.
 * - Closed loop: `clients` clients start `staggerS` apart; each sends its next request as soon as
 *   its previous one returns or times out.
 * Requests are sent while the time since the workload's start is below `durationS`; the first
 * `warmupRequests` requests and those sent before `warmupS` are not measured.
 */
import type { Simulator } from '../engine/simulator.js';
import type { WorkloadSpec } from '../scenario.js';

export interface RequestSink {
  /** Sends one request; the driver calls `done()` back through `finished`. */
  (index: number, client: number, measured: boolean): void;
}

export class WorkloadDriver {
  sent = 0;
  private active = true;
  private endedClients = 0;
  private readonly t0: number;

  constructor(private readonly sim: Simulator, private readonly spec: WorkloadSpec, private readonly send: RequestSink) {
    this.t0 = spec.startS ?? 0;
    if (spec.kind === 'open') {
      if (!(spec.rpm > 0)) throw new RangeError(`open loop: rpm must be > 0, got ${spec.rpm}`);
      sim.call(this.t0, () => this.openArrival());
    } else {
      if (!(spec.clients >= 1)) throw new RangeError(`closed loop: clients must be >= 1, got ${spec.clients}`);
      for (let c = 0; c < spec.clients; c++) sim.call(this.t0 + c * spec.staggerS, () => this.closedNext(c));
    }
  }

  /** True while the driver may still send requests. */
  get sending(): boolean {
    return this.active;
  }

  private elapsed(): number {
    return this.sim.now - this.t0;
  }

  private measured(index: number): boolean {
    return index >= this.spec.warmupRequests && this.elapsed() >= this.spec.warmupS;
  }

  private openArrival(): void {
    const s = this.spec as Extract<WorkloadSpec, { kind: 'open' }>;
    if (this.elapsed() >= s.durationS) {
      this.active = false;
      return;
    }
    const index = this.sent++;
    this.send(index, 0, this.measured(index));
    let interval = 60 / s.rpm;
    if (s.ramp) {
      const e = this.elapsed();
      interval *= e < 20 ? 4 : e < 40 ? 3 : e < 60 ? 2 : 1;
    }
    this.sim.call(interval, () => this.openArrival());
  }

  private closedNext(client: number): void {
    const s = this.spec as Extract<WorkloadSpec, { kind: 'closed' }>;
    if (this.elapsed() >= s.durationS || (s.maxRequests && this.sent >= s.maxRequests)) {
      if (++this.endedClients === s.clients) this.active = false;
      return;
    }
    const index = this.sent++;
    this.send(index, client, this.measured(index));
  }

  /** A request of `client` returned (or timed out): closed-loop clients send the next one. */
  finished(client: number): void {
    if (this.spec.kind === 'closed') this.closedNext(client);
  }
}
