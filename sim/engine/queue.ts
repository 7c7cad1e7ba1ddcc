/**
 * Indexed binary min-heap of events keyed by (time, sequence), laid out on typed arrays.
 *
 * - Keys live inline in the heap arrays (heapTime, heapSeq) so sifting touches contiguous memory.
 * - Each event occupies a slot (handler id, payload, generation, heap position); slots are
 *   recycled through a free list, so steady-state scheduling allocates nothing.
 * - A handle is `generation * SLOT_LIMIT + slot`: cancelling a handle whose event already ran
 *   (and whose slot was reused) is detected and ignored.
 * - Ties on time are broken by the insertion sequence: equal-time events pop in schedule order.
 */
const SLOT_LIMIT = 1 << 26; // 67M concurrent events; generations fill the remaining mantissa bits

export class EventQueue {
  private heapTime: Float64Array;
  private heapSeq: Float64Array;
  private heapSlot: Int32Array;
  private size = 0;

  private slotHandler: Int32Array;
  private slotPayload: Float64Array;
  private slotGen: Float64Array;
  private slotPos: Int32Array; // position in heap, -1 when free
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotCount = 0;
  private nextSeq = 0;

  /** Filled by pop(): the popped event's fields. */
  poppedTime = 0;
  poppedHandler = 0;
  poppedPayload = 0;

  constructor(initialCapacity = 1024) {
    const c = Math.max(16, initialCapacity);
    this.heapTime = new Float64Array(c);
    this.heapSeq = new Float64Array(c);
    this.heapSlot = new Int32Array(c);
    this.slotHandler = new Int32Array(c);
    this.slotPayload = new Float64Array(c);
    this.slotGen = new Float64Array(c);
    this.slotPos = new Int32Array(c).fill(-1);
    this.freeSlots = new Int32Array(c);
  }

  get length(): number {
    return this.size;
  }

  /** Time of the earliest event, or Infinity when empty. */
  peekTime(): number {
    return this.size > 0 ? this.heapTime[0] : Infinity;
  }

  push(time: number, handler: number, payload: number): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount];
    } else {
      if (this.slotCount === this.slotHandler.length) this.grow();
      slot = this.slotCount++;
    }
    this.slotHandler[slot] = handler;
    this.slotPayload[slot] = payload;
    const seq = this.nextSeq++;
    let i = this.size++;
    // sift up with the new key held aside
    const ht = this.heapTime;
    const hs = this.heapSeq;
    const hslot = this.heapSlot;
    const pos = this.slotPos;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ht[p];
      if (pt < time || (pt === time && hs[p] < seq)) break;
      ht[i] = pt;
      hs[i] = hs[p];
      const ps = hslot[p];
      hslot[i] = ps;
      pos[ps] = i;
      i = p;
    }
    ht[i] = time;
    hs[i] = seq;
    hslot[i] = slot;
    pos[slot] = i;
    return this.slotGen[slot] * SLOT_LIMIT + slot;
  }

  /** Removes the earliest event into popped*; returns false when empty. */
  pop(): boolean {
    if (this.size === 0) return false;
    const slot = this.heapSlot[0];
    this.poppedTime = this.heapTime[0];
    this.poppedHandler = this.slotHandler[slot];
    this.poppedPayload = this.slotPayload[slot];
    this.removeAt(0);
    this.release(slot);
    return true;
  }

  /** Cancels a scheduled event (its handler and payload land in popped*). Returns false if it already ran or was cancelled. */
  cancel(handle: number): boolean {
    const slot = handle % SLOT_LIMIT;
    const gen = (handle - slot) / SLOT_LIMIT;
    if (slot >= this.slotCount || this.slotGen[slot] !== gen) return false;
    const i = this.slotPos[slot];
    if (i < 0) return false;
    this.poppedHandler = this.slotHandler[slot];
    this.poppedPayload = this.slotPayload[slot];
    this.removeAt(i);
    this.release(slot);
    return true;
  }

  private release(slot: number): void {
    this.slotPos[slot] = -1;
    this.slotGen[slot] += 1;
    this.freeSlots[this.freeCount++] = slot;
  }

  private removeAt(i: number): void {
    const last = --this.size;
    if (i === last) return;
    const t = this.heapTime[last];
    const s = this.heapSeq[last];
    const sl = this.heapSlot[last];
    // the moved element may need to go up (cancel in the middle) or down
    if (i > 0) {
      const p = (i - 1) >> 1;
      const pt = this.heapTime[p];
      if (t < pt || (t === pt && s < this.heapSeq[p])) {
        this.siftUp(i, t, s, sl);
        return;
      }
    }
    this.siftDown(i, t, s, sl);
  }

  private siftUp(i: number, t: number, s: number, sl: number): void {
    const ht = this.heapTime;
    const hs = this.heapSeq;
    const hslot = this.heapSlot;
    const pos = this.slotPos;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = ht[p];
      if (pt < t || (pt === t && hs[p] < s)) break;
      ht[i] = pt;
      hs[i] = hs[p];
      const ps = hslot[p];
      hslot[i] = ps;
      pos[ps] = i;
      i = p;
    }
    ht[i] = t;
    hs[i] = s;
    hslot[i] = sl;
    pos[sl] = i;
  }

  private siftDown(i: number, t: number, s: number, sl: number): void {
    const ht = this.heapTime;
    const hs = this.heapSeq;
    const hslot = this.heapSlot;
    const pos = this.slotPos;
    const n = this.size;
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
      const csl = hslot[c];
      hslot[i] = csl;
      pos[csl] = i;
      i = c;
    }
    ht[i] = t;
    hs[i] = s;
    hslot[i] = sl;
    pos[sl] = i;
  }

  private grow(): void {
    const c = this.slotHandler.length * 2;
    if (c > SLOT_LIMIT) throw new Error(`event queue: more than ${SLOT_LIMIT} pending events`);
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(c);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array, fill = 0) => {
      const b = new Int32Array(c).fill(fill);
      b.set(a);
      return b;
    };
    this.heapTime = f64(this.heapTime);
    this.heapSeq = f64(this.heapSeq);
    this.heapSlot = i32(this.heapSlot);
    this.slotHandler = i32(this.slotHandler);
    this.slotPayload = f64(this.slotPayload);
    this.slotGen = f64(this.slotGen);
    this.slotPos = i32(this.slotPos, -1);
    this.freeSlots = i32(this.freeSlots);
  }
}
