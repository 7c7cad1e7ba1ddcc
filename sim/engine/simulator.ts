import { EventQueue } from './queue.js';

/** An event handler receives the numeric payload it was scheduled with. */
export type Handler = (payload: number) => void;

/**
 * The discrete-event kernel: a clock, an event queue and a table of handlers.
 *
 * Hot paths register a handler once (`register`) and schedule `(time, handler, payload)` triples:
 * no object or closure is created per event. `call()` is a convenience for cold paths that want a
 * closure; it stores the closure in a recycled table, so the queue itself still holds numbers only.
 *
 * Guarantees: events run in (time, schedule order); time never goes back (scheduling in the past
 * throws); `run(until)` leaves the clock at `until` when it stops there.
 */
export class Simulator {
  now = 0;
  /** Events executed so far (cancelled events are not counted). */
  events = 0;

  private readonly queue: EventQueue;
  private readonly handlers: Handler[] = [];
  private stopped = false;

  private readonly callbacks: Array<(() => void) | undefined> = [];
  private readonly freeCallbacks: number[] = [];
  private readonly callbackHandler: number;

  constructor(initialCapacity = 1024) {
    this.queue = new EventQueue(initialCapacity);
    this.callbackHandler = this.register((i) => {
      const cb = this.callbacks[i]!;
      this.callbacks[i] = undefined;
      this.freeCallbacks.push(i);
      cb();
    });
  }

  /** Registers a handler and returns its id for `schedule`. */
  register(fn: Handler): number {
    this.handlers.push(fn);
    return this.handlers.length - 1;
  }

  /** Schedules `handler(payload)` after `delay` seconds; returns a handle for `cancel`. */
  schedule(delay: number, handler: number, payload = 0): number {
    return this.scheduleAt(this.now + delay, handler, payload);
  }

  scheduleAt(time: number, handler: number, payload = 0): number {
    if (!(time >= this.now)) {
      throw new RangeError(`cannot schedule at ${time}: the clock is at ${this.now} (time never goes back)`);
    }
    return this.queue.push(time, handler, payload);
  }

  /** Runs a closure after `delay` seconds (cold paths). Returns a handle for `cancel`. */
  call(delay: number, fn: () => void): number {
    const i = this.freeCallbacks.length > 0 ? this.freeCallbacks.pop()! : this.callbacks.length;
    this.callbacks[i] = fn;
    return this.schedule(delay, this.callbackHandler, i);
  }

  /** Cancels a pending event; returns false if it already ran or was cancelled. */
  cancel(handle: number): boolean {
    const q = this.queue;
    if (!q.cancel(handle)) return false;
    if (q.poppedHandler === this.callbackHandler) {
      const i = q.poppedPayload;
      this.callbacks[i] = undefined;
      this.freeCallbacks.push(i);
    }
    return true;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Stops `run` after the event being handled. */
  stop(): void {
    this.stopped = true;
  }

  /**
   * Runs events in order until the queue is empty, `stop()` is called, or the next event lies
   * after `until`. Returns the number of events executed by this call.
   */
  run(until = Infinity): number {
    this.stopped = false;
    const q = this.queue;
    const handlers = this.handlers;
    const start = this.events;
    // pop and dispatch in one loop: one call into the queue per event, no peek
    while (q.pop(until)) {
      this.now = q.poppedTime;
      this.events++;
      handlers[q.poppedHandler](q.poppedPayload);
      if (this.stopped) break;
    }
    if (!this.stopped && until !== Infinity && this.now < until) this.now = until;
    return this.events - start;
  }
}
