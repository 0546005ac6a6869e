// The pending-event set (engine/event-list.ts) as a binary min-heap over typed arrays, keyed by
// (time, seq). Its measurements: docs/performance.md, "Event list" and "Binary heap".
//
// Layout. The heap moves two typed arrays (time, slot): 12 bytes per level of a sift, no object
// pointers. Everything else about an event sits in a slot table that never moves: its callback
// and argument interleaved (one cache line per pop), and its sequence number, read only when two
// times tie. The child choice in a sift-down is branch-free: it is a coin flip, which a branch
// would mispredict half the time. A handle is (generation × SLOT_LIMIT + slot): cancel() checks
// the slot's generation, so cancelling an event that already ran, or a handle whose slot has
// been reused, is a no-op. A cancelled event stays in the heap with its callback cleared (lazy
// deletion) and is skipped when it reaches the top.

import type { EventFn, EventList } from './event-list.js';

/** Pending events at once, at most. 2^24 × 20 bytes of heap is already 320 MB. */
const SLOT_LIMIT = 1 << 24;
/** Generations wrap here, so a handle is at most 2^53 (exact in a float64). */
const GENERATION_LIMIT = 2 ** 29;

export class BinaryHeap implements EventList {
  private times: Float64Array;
  private heapSlots: Int32Array;
  private slotSeqs: Float64Array;
  /** Callback and argument of each slot, interleaved so that a pop touches one cache line. */
  private slotData: unknown[] = [];
  /** Bumped when a slot is taken, so that a handle to its previous event no longer matches. */
  private slotGenerations: Float64Array;
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotCount = 0;
  /** Entries in the heap, cancelled ones included until they are popped. */
  size = 0;
  /** Set by pop(): the popped event's time, sequence number and argument. */
  poppedTime = 0;
  poppedArg: unknown = undefined;
  private poppedSlot = 0;

  constructor(initialCapacity = 1024) {
    this.times = new Float64Array(initialCapacity);
    this.heapSlots = new Int32Array(initialCapacity);
    this.slotSeqs = new Float64Array(initialCapacity);
    this.slotGenerations = new Float64Array(initialCapacity);
    this.freeSlots = new Int32Array(initialCapacity);
  }

  /** Adds an event and returns its handle. */
  push(time: number, seq: number, fn: EventFn, arg: unknown): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount];
    } else {
      slot = this.slotCount++;
      if (slot >= this.slotGenerations.length) this.growSlots();
    }
    // Everything written here belongs to a slot the last pop freed, so it is in cache.
    this.slotData[2 * slot] = fn;
    this.slotData[2 * slot + 1] = arg;
    let generation = this.slotGenerations[slot] + 1;
    if (generation === GENERATION_LIMIT) generation = 0;
    this.slotGenerations[slot] = generation;
    this.slotSeqs[slot] = seq;

    if (this.size === this.times.length) this.growHeap();
    this.siftUp(this.size++, time, slot, seq);
    return generation * SLOT_LIMIT + slot;
  }

  /** The last popped event's sequence number; valid until the next push. */
  get poppedSeq(): number {
    return this.slotSeqs[this.poppedSlot];
  }

  /** Time of the earliest entry (possibly a cancelled one); Infinity when empty. */
  peekTime(): number {
    return this.size > 0 ? this.times[0] : Infinity;
  }

  /**
   * Removes the earliest entry and returns its callback, or null if it was cancelled.
   * The caller must check `size > 0` first.
   */
  pop(): EventFn | null {
    const times = this.times;
    const slots = this.heapSlots;
    const slotSeqs = this.slotSeqs;
    const slot = slots[0];
    this.poppedTime = times[0];
    this.poppedSlot = slot;
    const data = this.slotData;
    const fn = data[2 * slot] as EventFn | null;
    this.poppedArg = data[2 * slot + 1];
    data[2 * slot] = null; // no longer pending: cancel() of this handle now returns false
    data[2 * slot + 1] = undefined;
    this.freeSlots[this.freeCount++] = slot;

    const n = --this.size;
    if (n > 0) {
      // Re-insert the last entry, bottom-up (Floyd): the hole left at the root moves down along
      // the earlier children to a leaf without comparing against the entry, then the entry sifts
      // up from there. The last entry is usually among the latest, so it rises a level or two
      // at most: one comparison per level saved on the way down (docs/performance.md, "Binary heap").
      const half = n >> 1;
      let i = 0;
      while (i < half) {
        const left = 2 * i + 1;
        const right = left + 1;
        const lt = times[left];
        const rt = times[right];
        // Branch-free choice of the earlier child: the choice is a coin flip, so a branch would be
        // mispredicted half the time. Sequence numbers are read only on a tie, which is rare, so
        // they live in the slot table rather than moving with the heap. times[n] (right === n)
        // is the entry being re-inserted, still there: read, never chosen.
        const rightFirst = rt !== lt ? +(rt < lt) : +(slotSeqs[slots[right]] < slotSeqs[slots[left]]);
        const child = left + (+(right < n) & rightFirst);
        times[i] = times[child];
        slots[i] = slots[child];
        i = child;
      }
      const lastSlot = slots[n];
      this.siftUp(i, times[n], lastSlot, slotSeqs[lastSlot]);
    }
    return fn;
  }

  /** Clears a pending event's callback. Returns false if the handle is not pending. */
  cancel(handle: number): boolean {
    const slot = handle % SLOT_LIMIT;
    const generation = (handle - slot) / SLOT_LIMIT;
    if (slot >= this.slotCount || this.slotGenerations[slot] !== generation) return false;
    if (this.slotData[2 * slot] === null) return false;
    this.slotData[2 * slot] = null;
    this.slotData[2 * slot + 1] = undefined;
    return true;
  }

  /** Places (time, slot) at or above heap position i: parents later than it move down (FIFO on ties by seq). */
  private siftUp(i: number, time: number, slot: number, seq: number): void {
    const times = this.times;
    const slots = this.heapSlots;
    const slotSeqs = this.slotSeqs;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < time || (pt === time && slotSeqs[slots[parent]] < seq)) break;
      times[i] = pt;
      slots[i] = slots[parent];
      i = parent;
    }
    times[i] = time;
    slots[i] = slot;
  }

  private growHeap(): void {
    const capacity = Math.max(16, this.times.length * 2);
    const times = new Float64Array(capacity);
    const slots = new Int32Array(capacity);
    times.set(this.times);
    slots.set(this.heapSlots);
    this.times = times;
    this.heapSlots = slots;
  }

  private growSlots(): void {
    const capacity = Math.max(16, this.slotGenerations.length * 2);
    if (capacity > SLOT_LIMIT) throw new Error(`more than ${SLOT_LIMIT} pending events`);
    const generations = new Float64Array(capacity);
    generations.set(this.slotGenerations);
    this.slotGenerations = generations;
    const seqs = new Float64Array(capacity);
    seqs.set(this.slotSeqs);
    this.slotSeqs = seqs;
    const free = new Int32Array(capacity);
    free.set(this.freeSlots);
    this.freeSlots = free;
  }
}
