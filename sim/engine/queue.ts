/**
 * Binary min-heap of events keyed by (time, sequence), laid out on typed arrays, with lazy
 * cancellation.
 *
 * - Keys live inline in the heap arrays (heapTime, heapSeq) next to the event's slot (heapSlot),
 *   so sifting touches three contiguous arrays and nothing else.
 * - Each event owns a slot: a 16-byte record (payload, handler id, generation) in one buffer,
 *   so reaching an event's data costs one cache line, not one per field. Slots are recycled through a LIFO
 *   free list, so steady-state scheduling allocates nothing, and the slot an event frees is the
 *   one the next schedule reuses (its cache lines are still warm).
 * - A handle is `generation * SLOT_LIMIT + slot`. A slot's generation is bumped when its event
 *   runs or is cancelled, so cancelling through a stale handle (the event ran, or was cancelled,
 *   and the slot was reused) is detected and ignored.
 * - Cancellation is lazy: `cancel` marks the slot dead and the entry stays in the heap until it
 *   reaches the top, where it is discarded without being reported. This keeps heap positions out
 *   of the sift loops (an eager indexed heap writes a position per level, a cache miss per level
 *   on large queues). When dead entries outnumber live ones (and there are more than
 *   COMPACT_MIN), the heap is rebuilt without them in O(n), so memory stays bounded by about
 *   twice the live events whatever the cancel pattern.
 * - Ties on time are broken by the insertion sequence: equal-time events pop in schedule order.
 *   (time, sequence) is a total order, so the pop order does not depend on the heap's shape.
 */
const SLOT_LIMIT = 1 << 26; // 67M concurrent events; generations fill the remaining mantissa bits
/** Generations wrap at 2^27 so that generation * SLOT_LIMIT + slot stays an exact integer. */
const GEN_MASK = (1 << 27) - 1;
const DEAD = -1; // handler value of a cancelled event whose heap entry has not been discarded
const COMPACT_MIN = 1024;

export class EventQueue {
  private heapTime: Float64Array;
  private heapSeq: Float64Array;
  private heapSlot: Int32Array;
  /** Heap entries, live and dead. */
  private n = 0;
  /** Dead (cancelled, not yet discarded) heap entries. */
  private dead = 0;

  /**
   * Per-slot records of 16 bytes, two views on one buffer: payload at slotF64[2 * slot], handler
   * at slotI32[4 * slot + 2], generation at slotI32[4 * slot + 3].
   */
  private slotF64: Float64Array;
  private slotI32: Int32Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotCount = 0;
  private nextSeq = 0;

  /** Filled by pop() (and by a successful cancel(), without the time): the event's fields. */
  poppedTime = 0;
  poppedHandler = 0;
  poppedPayload = 0;

  constructor(initialCapacity = 1024) {
    const c = Math.max(16, initialCapacity);
    this.heapTime = new Float64Array(c);
    this.heapSeq = new Float64Array(c);
    this.heapSlot = new Int32Array(c);
    this.slotF64 = new Float64Array(c * 2);
    this.slotI32 = new Int32Array(this.slotF64.buffer);
    this.freeSlots = new Int32Array(c);
  }

  /** Pending (live) events. */
  get length(): number {
    return this.n - this.dead;
  }

  /** Time of the earliest pending event, or Infinity when empty. */
  peekTime(): number {
    if (this.dead > 0) this.dropDeadTop();
    return this.n > 0 ? this.heapTime[0] : Infinity;
  }

  /** Schedules `handler(payload)` at `time`; returns a handle for `cancel`. `handler` must be >= 0. */
  push(time: number, handler: number, payload: number): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount];
    } else {
      if (this.slotCount === this.freeSlots.length) this.growSlots();
      slot = this.slotCount++;
    }
    this.slotF64[slot << 1] = payload;
    const si = this.slotI32;
    const b = slot << 2;
    si[b + 2] = handler;
    if (this.n === this.heapTime.length) this.growHeap();
    const seq = this.nextSeq++;
    // sift up, holding the new key aside (hole method)
    const ht = this.heapTime;
    const hs = this.heapSeq;
    const hslot = this.heapSlot;
    let i = this.n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ht[p];
      if (pt < time || (pt === time && hs[p] < seq)) break;
      ht[i] = pt;
      hs[i] = hs[p];
      hslot[i] = hslot[p];
      i = p;
    }
    ht[i] = time;
    hs[i] = seq;
    hslot[i] = slot;
    return si[b + 3] * SLOT_LIMIT + slot;
  }

  /**
   * Removes the earliest pending event into popped* if its time is <= `until`; returns false
   * (removing nothing) when the queue is empty or the earliest event lies after `until`.
   */
  pop(until = Infinity): boolean {
    for (;;) {
      if (this.n === 0) return false;
      const time = this.heapTime[0];
      // dead or alive, the top holds the smallest time: nothing at or before `until` remains
      if (time > until) return false;
      const slot = this.heapSlot[0];
      this.removeTop();
      const si = this.slotI32;
      const b = slot << 2;
      const h = si[b + 2];
      if (h === DEAD) {
        // a cancelled event reaching the top: its generation was bumped at cancel time
        this.dead--;
        this.freeSlots[this.freeCount++] = slot;
        continue;
      }
      this.poppedTime = time;
      this.poppedHandler = h;
      this.poppedPayload = this.slotF64[slot << 1];
      si[b + 3] = (si[b + 3] + 1) & GEN_MASK;
      this.freeSlots[this.freeCount++] = slot;
      return true;
    }
  }

  /**
   * Cancels a pending event (its handler and payload land in poppedHandler/poppedPayload).
   * Returns false if it already ran, was already cancelled, or the handle is not one of ours.
   */
  cancel(handle: number): boolean {
    if (!(handle >= 0) || !Number.isInteger(handle)) return false;
    const slot = handle % SLOT_LIMIT;
    const gen = (handle - slot) / SLOT_LIMIT;
    if (slot >= this.slotCount) return false;
    const si = this.slotI32;
    const b = slot << 2;
    if (si[b + 3] !== gen) return false;
    const h = si[b + 2];
    if (h === DEAD) return false; // unreachable while generations are bumped, kept as a guard
    this.poppedHandler = h;
    this.poppedPayload = this.slotF64[slot << 1];
    si[b + 2] = DEAD;
    si[b + 3] = (si[b + 3] + 1) & GEN_MASK;
    this.dead++;
    if (this.dead > COMPACT_MIN && this.dead * 2 > this.n) this.compact();
    return true;
  }

  /** Discards dead entries sitting at the top, so heapTime[0] is a live event's time. */
  private dropDeadTop(): void {
    while (this.n > 0) {
      const slot = this.heapSlot[0];
      if (this.slotI32[(slot << 2) + 2] !== DEAD) return;
      this.removeTop();
      this.dead--;
      this.freeSlots[this.freeCount++] = slot;
    }
  }

  /** Removes heap entry 0 by sifting the last entry down from the root. */
  private removeTop(): void {
    const n = --this.n;
    if (n === 0) return;
    this.siftDown(0, this.heapTime[n], this.heapSeq[n], this.heapSlot[n], n);
  }

  /** Drops every dead entry and rebuilds the heap bottom-up (Floyd), O(n). */
  private compact(): void {
    const ht = this.heapTime;
    const hs = this.heapSeq;
    const hslot = this.heapSlot;
    let w = 0;
    for (let r = 0; r < this.n; r++) {
      const slot = hslot[r];
      if (this.slotI32[(slot << 2) + 2] === DEAD) {
        this.freeSlots[this.freeCount++] = slot;
        continue;
      }
      ht[w] = ht[r];
      hs[w] = hs[r];
      hslot[w] = slot;
      w++;
    }
    this.n = w;
    this.dead = 0;
    for (let i = (w >> 1) - 1; i >= 0; i--) this.siftDown(i, ht[i], hs[i], hslot[i], w);
  }

  /** Places the entry (t, s, sl) at hole `i` and sifts it down within the first `n` entries. */
  private siftDown(i: number, t: number, s: number, sl: number, n: number): void {
    const ht = this.heapTime;
    const hs = this.heapSeq;
    const hslot = this.heapSlot;
    const half = n >> 1;
    while (i < half) {
      let c = 2 * i + 1;
      let ct = ht[c];
      let cs = hs[c];
      const r = c + 1;
      if (r < n) {
        const rt = ht[r];
        if (rt < ct || (rt === ct && hs[r] < cs)) {
          c = r;
          ct = rt;
          cs = hs[r];
        }
      }
      if (t < ct || (t === ct && s < cs)) break;
      ht[i] = ct;
      hs[i] = cs;
      hslot[i] = hslot[c];
      i = c;
    }
    ht[i] = t;
    hs[i] = s;
    hslot[i] = sl;
  }

  private growHeap(): void {
    const c = this.heapTime.length * 2;
    this.heapTime = growF64(this.heapTime, c);
    this.heapSeq = growF64(this.heapSeq, c);
    this.heapSlot = growI32(this.heapSlot, c);
  }

  private growSlots(): void {
    const c = this.freeSlots.length * 2;
    if (c > SLOT_LIMIT) throw new Error(`event queue: more than ${SLOT_LIMIT} pending events`);
    this.slotF64 = growF64(this.slotF64, c * 2);
    this.slotI32 = new Int32Array(this.slotF64.buffer);
    this.freeSlots = growI32(this.freeSlots, c);
  }
}

function growF64(a: Float64Array, c: number): Float64Array {
  const b = new Float64Array(c);
  b.set(a);
  return b;
}

function growI32(a: Int32Array, c: number): Int32Array {
  const b = new Int32Array(c);
  b.set(a);
  return b;
}
