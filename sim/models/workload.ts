/**
 * Workloads: how requests arrive (reference 1.E and 2.E).
 * - Open loop: a request every 60/rpm seconds (fixed interval, both papers' generators): the k-th
 *   request of a phase is sent at phase start + k x 60/rpm exactly (no accumulated rounding).
 *   Optional rate phases follow one another (DataFlower's bursty test). With `ramp`
 *   (DataFlower), intervals are stretched x4, x3, x2 while the time since the start is in
 *   [0,20), [20,40), [40,60) seconds.
 * - Closed loop: `clients` clients start `staggerS` apart; each sends its next request as soon as
 *   its previous one returns or times out; `minRequests` keeps them going past the window.
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
  // open loop: current phase, its start (relative to t0), index within it, ramp-stretched offset
  private phases: Array<{ rpm: number; durationS: number }> = [];
  private phase = 0;
  private phaseStart = 0;
  private k = 0;
  private rampOffset = 0;
  private readonly arrivalHandler: number;

  constructor(private readonly sim: Simulator, private readonly spec: WorkloadSpec, private readonly send: RequestSink) {
    this.t0 = spec.startS ?? 0;
    this.arrivalHandler = sim.register(() => this.openArrival());
    if (spec.kind === 'open') {
      this.phases = spec.phases && spec.phases.length > 0 ? spec.phases : [{ rpm: spec.rpm, durationS: spec.durationS }];
      for (const ph of this.phases) {
        if (!(ph.rpm > 0)) throw new RangeError(`open loop: rpm must be > 0, got ${ph.rpm}`);
        if (!(ph.durationS > 0)) throw new RangeError(`open loop: a phase needs a duration > 0, got ${ph.durationS}`);
      }
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

  /** Offset (from t0) of the next open-loop request in the current phase. */
  private nextOffset(): number {
    const interval = 60 / this.phases[this.phase].rpm;
    return this.phaseStart + this.rampOffset + this.k * interval;
  }

  private openArrival(): void {
    const s = this.spec as Extract<WorkloadSpec, { kind: 'open' }>;
    const index = this.sent++;
    this.send(index, 0, this.measured(index));
    // schedule the next one: k-th of its phase at phaseStart + k x interval (ramp: stretched)
    this.k++;
    if (s.ramp) {
      const e = this.elapsed();
      const stretch = e < 20 ? 4 : e < 40 ? 3 : e < 60 ? 2 : 1;
      this.rampOffset += (stretch - 1) * (60 / this.phases[this.phase].rpm);
    }
    for (;;) {
      const ph = this.phases[this.phase];
      const next = this.nextOffset();
      const end = this.phaseStart + ph.durationS;
      if (next < end - 1e-9 * Math.max(1, end)) {
        this.sim.scheduleAt(this.t0 + next, this.arrivalHandler);
        return;
      }
      // next phase starts at its boundary, with its first request there
      this.phase++;
      if (this.phase >= this.phases.length) {
        this.active = false;
        return;
      }
      this.phaseStart = end;
      this.k = 0;
      this.rampOffset = 0;
    }
  }

  private closedNext(client: number): void {
    const s = this.spec as Extract<WorkloadSpec, { kind: 'closed' }>;
    const windowOver = this.elapsed() >= s.durationS && this.sent >= (s.minRequests ?? 0);
    if (windowOver || (s.maxRequests && this.sent >= s.maxRequests)) {
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
