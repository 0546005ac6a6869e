// The pending-event set as a calendar queue (R. Brown, CACM 31(10), 1988) with a sorted bottom
// and a far-future heap, as in the ladder queue (Tang, Goh & Thng, ACM TOMACS 15(3), 2005):
// O(1) amortised per push and pop when the bucket width suits the events, and never worse than a
// binary heap's O(log n) when no width does (sub-microsecond hops beside 30 s sync periods, Infinity).
//
// Three tiers, by virtual bucket v = floor(time × invWidth), which never decreases as time grows:
//   bottom   v ≤ cur: the bucket being served, sorted by (time, seq) in a small array, popped
//            from its front. A push landing here is inserted in order (from the back: equal
//            times in seq order append).
//   buckets  cur < v < cur + nb: one unsorted singly linked list per bucket (v mod nb), threaded
//            through the slot table: a push writes its own slot and the bucket's head, no walk.
//            When the bottom runs dry the scan moves cur to the next non-empty bucket and sorts
//            its entries into the bottom.
//   far      v ≥ cur + nb, and Infinity: a binary heap, whose entries move into buckets as the
//            scan brings their year within reach.
// Pops come out in exactly (time, seq) order, the binary heap's order, ties included.
//
// Sizing. Up to SMALL_MAX entries there are no buckets: all sit in the sorted bottom. Beyond,
// nb (a power of two) stays within [2, 8] buckets per entry and the width is Brown's
// estimate from the earliest entries, both set at each rebuild. A pop also counts its work (empty
// buckets scanned, entries shifted in the bottom): averaging above WORK_PER_POP_LIMIT over a
// review period means the width no longer suits the events (the model's time scale changed), and
// it is re-estimated; if that did not help the period doubles, so rebuilding stays O(1) amortised.
//
// Slots, handles, lazy cancellation and pop()'s outputs are as in the binary heap.
//
// Not the engine's list yet: under a mix of sub-microsecond and second-to-minute delays
// (bench/skewed-hold.ts) Brown's width, sampled from a front that is always a tight cluster, is
// far too small, and pops scan dozens to hundreds of empty buckets (figures in event-list.ts).

import type { EventFn } from './event-list.js';

/** Pending events at once, at most: a handle keeps the slot in its low 24 bits. */
const SLOT_LIMIT = 1 << 24;
/** Generations wrap here, so a handle is at most 2^53 (exact in a float64) and fits an int32. */
const GENERATION_LIMIT = 2 ** 29;
/** Fewest buckets: 64 bytes of heads, one cache line; a list this small is never rebuilt for size. */
const MIN_BUCKETS = 16;
/**
 * Buckets per entry are kept within these bounds, not Brown's [1/2, 2]: the year (nb × width)
 * must cover most of the pending set, or the far heap takes the work. Hold model at 100,000
 * pending (exponential delays): 21,162 entries were far with Brown's bounds, 208 with these.
 */
const GROW_BELOW_BUCKETS_PER_ENTRY = 2;
const SHRINK_ABOVE_BUCKETS_PER_ENTRY = 8;
/**
 * Virtual buckets at or beyond this stay in the far heap: cur + nb must be an exact float64
 * integer (2^53 is the limit; 2^50 leaves room for nb up to 2^24 and more).
 */
const VB_LIMIT = 2 ** 50;
/**
 * Up to SMALL_MAX entries, all sit in the bottom (a sorted array), with no buckets: M/M/1 keeps
 * two pending, and there a refill per pop cost more than the heap did (mm1-callbacks 5.20 → 3.54,
 * mm1-processes 2.82 → 1.96 M events/s, medians of 3 alternating rounds). Back to that below
 * SMALL_ENTER, so a size near one bound does not rebuild at every push.
 */
const SMALL_MAX = 64;
const SMALL_ENTER = 16;
/** Entries sampled from the front to estimate the width: Brown samples about 25. */
const WIDTH_SAMPLE = 32;
/** Width = this many mean separations of the front's events (Brown: 3, about 3 per bucket). */
const WIDTH_SEPARATIONS = 3;
/**
 * Scan and shift steps per pop above which the width is re-estimated. With Brown's width they
 * stay far below one (measured: 0.046 per pop in the hold model at 100,000 pending, 0.037 in
 * point-100-nodes), so only a width gone wrong trips this.
 */
const WORK_PER_POP_LIMIT = 8;
/** Pops per review of the work, at least (more for large calendars: a rebuild costs O(entries)). */
const MIN_REVIEW_POPS = 1024;
/** Insertion sort is quadratic: a bucket of more entries than this (3 is typical) is merge-sorted. */
const INSERTION_SORT_MAX = 24;

export class CalendarQueue {
  // The slot table: an event's fields by slot, which never moves while the event is pending.
  /**
   * 16 bytes per slot, seen two ways: the time as a float64 at [2 slot] of `slotTimes`, and the
   * next entry in its bucket (-1 at the end) and the generation as int32s at [4 slot + 2] and
   * [4 slot + 3] of `slotLinks`: moving a bucket into the bottom reads one cache line per entry.
   */
  private slotTimes: Float64Array;
  private slotLinks: Int32Array;
  /** Read only when two times tie. */
  private slotSeqs: Float64Array;
  /** Callback and argument of each slot, interleaved so that a pop touches one cache line. */
  private slotData: unknown[] = [];
  private freeSlots: Int32Array;
  private freeCount = 0;
  private slotCount = 0;

  // The bottom: entries [bottomStart, bottomEnd) sorted by (time, seq).
  private bottomTimes = new Float64Array(64);
  private bottomSlots = new Int32Array(64);
  private bottomStart = 0;
  private bottomEnd = 0;

  // The buckets.
  /** First slot of each bucket's list, -1 when empty. */
  private heads: Int32Array;
  /** nb - 1. */
  private mask = MIN_BUCKETS - 1;
  private invWidth = 1;
  /** The virtual bucket in the bottom: bucket entries lie in (cur, cur + nb). Infinity: see refill(). */
  private cur = 0;
  private bucketCount = 0;

  // The far future: a binary heap over (time, slot), ordered by (time, seq).
  private farTimes = new Float64Array(16);
  private farSlots = new Int32Array(16);
  private farCount = 0;
  /** Virtual bucket of the far heap's earliest entry, Infinity when none. */
  private farFirstVb = Infinity;

  /** Whether every entry is in the bottom (few entries; see SMALL_MAX). */
  private small = true;
  private growAt = SMALL_MAX;
  private shrinkAt = 0;
  /** Scan and shift steps since the last review. */
  private work = 0;
  private reviewPops = MIN_REVIEW_POPS;
  private popsToReview = MIN_REVIEW_POPS;
  /** Cancelled entries met while refilling: written so that the reads that warm slotData stay. */
  private cancelledSeen = 0;
  /** Scratch for merge sorts of large buckets. */
  private scratchTimes = new Float64Array(0);
  private scratchSlots = new Int32Array(0);

  /** Entries held, cancelled ones included until they are popped. */
  size = 0;
  /** Set by pop(): the popped event's time, sequence number and argument. */
  poppedTime = 0;
  poppedArg: unknown = undefined;
  private poppedSlot = 0;

  constructor(initialCapacity = 1024) {
    const capacity = Math.max(16, initialCapacity);
    const records = new ArrayBuffer(16 * capacity);
    this.slotTimes = new Float64Array(records);
    this.slotLinks = new Int32Array(records);
    this.slotSeqs = new Float64Array(capacity);
    this.freeSlots = new Int32Array(capacity);
    this.heads = new Int32Array(MIN_BUCKETS).fill(-1);
  }

  /** Adds an event and returns its handle. */
  push(time: number, seq: number, fn: EventFn, arg: unknown): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.freeSlots[--this.freeCount];
    } else {
      slot = this.slotCount++;
      if (slot >= this.slotSeqs.length) this.growSlots();
    }
    // Everything written here belongs to a slot the last pop freed, so it is in cache.
    this.slotData[2 * slot] = fn;
    this.slotData[2 * slot + 1] = arg;
    // Bumped when a slot is taken, so that a handle to its previous event no longer matches.
    let generation = this.slotLinks[4 * slot + 3] + 1;
    if (generation === GENERATION_LIMIT) generation = 0;
    this.slotLinks[4 * slot + 3] = generation;
    this.slotTimes[2 * slot] = time;
    this.slotSeqs[slot] = seq;
    this.place(slot, time, seq);
    if (++this.size > this.growAt) this.resize(this.small ? 4 * SMALL_MAX : 2 * (this.mask + 1));
    return generation * SLOT_LIMIT + slot;
  }

  /** The last popped event's sequence number; valid until the next push. */
  get poppedSeq(): number {
    return this.slotSeqs[this.poppedSlot];
  }

  /** Time of the earliest entry (possibly a cancelled one); Infinity when empty. */
  peekTime(): number {
    if (this.bottomStart === this.bottomEnd) {
      if (this.size === 0) return Infinity;
      this.refill();
    }
    return this.bottomTimes[this.bottomStart];
  }

  /**
   * Removes the earliest entry and returns its callback, or null if it was cancelled.
   * The caller must check `size > 0` first.
   */
  pop(): EventFn | null {
    if (this.bottomStart === this.bottomEnd) this.refill();
    const i = this.bottomStart++;
    const slot = this.bottomSlots[i];
    this.poppedTime = this.bottomTimes[i];
    this.poppedSlot = slot;
    const data = this.slotData;
    const fn = data[2 * slot] as EventFn | null;
    this.poppedArg = data[2 * slot + 1];
    data[2 * slot] = null; // no longer pending: cancel() of this handle now returns false
    data[2 * slot + 1] = undefined;
    this.freeSlots[this.freeCount++] = slot;
    this.size--;
    if (--this.popsToReview === 0) this.review();
    else if (this.size < this.shrinkAt) this.resize((this.mask + 1) >> 1);
    return fn;
  }

  /** Clears a pending event's callback. Returns false if the handle is not pending. */
  cancel(handle: number): boolean {
    const slot = handle % SLOT_LIMIT;
    const generation = (handle - slot) / SLOT_LIMIT;
    if (slot >= this.slotCount || this.slotLinks[4 * slot + 3] !== generation) return false;
    if (this.slotData[2 * slot] === null) return false;
    this.slotData[2 * slot] = null;
    this.slotData[2 * slot + 1] = undefined;
    return true;
  }

  /** Puts a slot in the tier its time belongs to. */
  private place(slot: number, time: number, seq: number): void {
    if (this.small) {
      this.insertBottom(slot, time, seq);
      return;
    }
    const vb = Math.floor(time * this.invWidth);
    if (vb <= this.cur) {
      this.insertBottom(slot, time, seq);
    } else if (vb < this.cur + this.mask + 1) {
      const b = vb & this.mask;
      this.slotLinks[4 * slot + 2] = this.heads[b];
      this.heads[b] = slot;
      this.bucketCount++;
    } else {
      this.pushFar(slot, time, seq);
    }
  }

  /** Inserts into the sorted bottom, from the back: an entry not earlier than the last appends. */
  private insertBottom(slot: number, time: number, seq: number): void {
    if (this.bottomEnd === this.bottomTimes.length) this.makeBottomRoom(1);
    const times = this.bottomTimes;
    const slots = this.bottomSlots;
    const seqs = this.slotSeqs;
    let i = this.bottomEnd++;
    const start = this.bottomStart;
    while (i > start) {
      const t = times[i - 1];
      if (t < time || (t === time && seqs[slots[i - 1]] < seq)) break;
      times[i] = t;
      slots[i] = slots[i - 1];
      i--;
    }
    this.work += this.bottomEnd - 1 - i;
    times[i] = time;
    slots[i] = slot;
  }

  /** Makes room for `extra` more entries past bottomEnd: moves the live ones to the front, or grows. */
  private makeBottomRoom(extra: number): void {
    const live = this.bottomEnd - this.bottomStart;
    let times = this.bottomTimes;
    let slots = this.bottomSlots;
    if (live + extra > times.length / 2) {
      let capacity = times.length;
      while (live + extra > capacity / 2) capacity *= 2;
      times = new Float64Array(capacity);
      slots = new Int32Array(capacity);
    }
    times.set(this.bottomTimes.subarray(this.bottomStart, this.bottomEnd));
    slots.set(this.bottomSlots.subarray(this.bottomStart, this.bottomEnd));
    this.bottomTimes = times;
    this.bottomSlots = slots;
    this.bottomStart = 0;
    this.bottomEnd = live;
  }

  /** The bottom is empty and size > 0: moves the next non-empty bucket (or the far top) into it. */
  private refill(): void {
    this.bottomStart = 0;
    this.bottomEnd = 0;
    if (this.bucketCount === 0) {
      if (!(this.farFirstVb < VB_LIMIT)) {
        // Only far entries, beyond any year the calendar can hold (Infinity among them): one at a
        // time. cur = Infinity sends every push to the bottom, in order, until it runs dry again,
        // since a finite time pushed now is earlier than this entry whatever its bucket would be.
        const slot = this.farSlots[0];
        this.popFar();
        this.bottomTimes[0] = this.slotTimes[2 * slot];
        this.bottomSlots[0] = slot;
        this.bottomEnd = 1;
        this.cur = Infinity;
        return;
      }
      this.cur = this.farFirstVb - 1;
      this.migrate();
    }
    const heads = this.heads;
    const mask = this.mask;
    let cur = this.cur;
    let scanned = 0;
    do {
      cur++;
      scanned++;
      if (cur + mask >= this.farFirstVb) {
        this.cur = cur;
        this.migrate();
      }
    } while (heads[cur & mask] < 0);
    this.cur = cur;
    this.work += scanned - 1;
    // Move the bucket's list into the bottom; it was pushed at its head, so this reverses it
    // into arrival order, which for equal times is seq order.
    const b = cur & mask;
    let count = 0;
    for (let at = heads[b]; at >= 0; at = this.slotLinks[4 * at + 2]) count++;
    if (count > this.bottomTimes.length) this.makeBottomRoom(count);
    const times = this.bottomTimes;
    const slots = this.bottomSlots;
    const slotTimes = this.slotTimes;
    const data = this.slotData;
    let cancelled = 0;
    let i = count;
    for (let at = heads[b]; at >= 0; at = this.slotLinks[4 * at + 2]) {
      i--;
      times[i] = slotTimes[2 * at];
      slots[i] = at;
      // Reads each entry's callback now, so that the cache misses on the slotData lines overlap
      // here (the loads are independent) rather than come one per pop: hold-100000 2.02 → 2.13 M
      // events/s without → with (ratio per round 1.12, 3 alternating rounds; hold-1000 0.95, noise).
      if (data[2 * at] === null) cancelled++;
    }
    this.cancelledSeen += cancelled;
    heads[b] = -1;
    this.bucketCount -= count;
    this.bottomEnd = count;
    if (count > 1) this.sortBottom(count);
  }

  /** Sorts bottom[0, count) by (time, seq). */
  private sortBottom(count: number): void {
    const times = this.bottomTimes;
    const slots = this.bottomSlots;
    const seqs = this.slotSeqs;
    if (count > INSERTION_SORT_MAX) {
      this.mergeSort(count);
      return;
    }
    for (let j = 1; j < count; j++) {
      const time = times[j];
      const slot = slots[j];
      const seq = seqs[slot];
      let i = j;
      while (i > 0) {
        const t = times[i - 1];
        if (t < time || (t === time && seqs[slots[i - 1]] < seq)) break;
        times[i] = t;
        slots[i] = slots[i - 1];
        i--;
      }
      times[i] = time;
      slots[i] = slot;
    }
  }

  /** Bottom-up merge sort of bottom[0, count) by (time, seq): stable, O(n log n) for big buckets. */
  private mergeSort(count: number): void {
    if (this.scratchTimes.length < count) {
      this.scratchTimes = new Float64Array(this.bottomTimes.length);
      this.scratchSlots = new Int32Array(this.bottomTimes.length);
    }
    const seqs = this.slotSeqs;
    let fromTimes = this.bottomTimes;
    let fromSlots = this.bottomSlots;
    let toTimes = this.scratchTimes;
    let toSlots = this.scratchSlots;
    for (let run = 1; run < count; run *= 2) {
      for (let left = 0; left < count; left += 2 * run) {
        const mid = Math.min(left + run, count);
        const end = Math.min(left + 2 * run, count);
        let a = left;
        let b = mid;
        let k = left;
        while (a < mid && b < end) {
          const ta = fromTimes[a];
          const tb = fromTimes[b];
          // b first only if strictly earlier: (time, seq) keys are unique, so this is exact.
          if (tb < ta || (tb === ta && seqs[fromSlots[b]] < seqs[fromSlots[a]])) {
            toTimes[k] = tb;
            toSlots[k++] = fromSlots[b++];
          } else {
            toTimes[k] = ta;
            toSlots[k++] = fromSlots[a++];
          }
        }
        while (a < mid) {
          toTimes[k] = fromTimes[a];
          toSlots[k++] = fromSlots[a++];
        }
        while (b < end) {
          toTimes[k] = fromTimes[b];
          toSlots[k++] = fromSlots[b++];
        }
      }
      [fromTimes, toTimes] = [toTimes, fromTimes];
      [fromSlots, toSlots] = [toSlots, fromSlots];
    }
    // The sorted run is in `from`: make it the bottom, the other array the scratch.
    this.scratchTimes = toTimes;
    this.scratchSlots = toSlots;
    this.bottomTimes = fromTimes;
    this.bottomSlots = fromSlots;
  }

  /** Moves far entries whose virtual bucket is now within the year into their buckets. */
  private migrate(): void {
    const limit = this.cur + this.mask + 1;
    while (this.farFirstVb < limit) {
      const slot = this.farSlots[0];
      this.popFar();
      this.place(slot, this.slotTimes[2 * slot], this.slotSeqs[slot]);
    }
  }

  private pushFar(slot: number, time: number, seq: number): void {
    if (this.farCount === this.farTimes.length) {
      const times = new Float64Array(2 * this.farCount);
      const slots = new Int32Array(2 * this.farCount);
      times.set(this.farTimes);
      slots.set(this.farSlots);
      this.farTimes = times;
      this.farSlots = slots;
    }
    const times = this.farTimes;
    const slots = this.farSlots;
    const seqs = this.slotSeqs;
    let i = this.farCount++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = times[parent];
      if (pt < time || (pt === time && seqs[slots[parent]] < seq)) break;
      times[i] = pt;
      slots[i] = slots[parent];
      i = parent;
    }
    times[i] = time;
    slots[i] = slot;
    if (i === 0) this.farFirstVb = Math.floor(time * this.invWidth);
  }

  /** Removes the far heap's top. */
  private popFar(): void {
    const times = this.farTimes;
    const slots = this.farSlots;
    const seqs = this.slotSeqs;
    const n = --this.farCount;
    if (n > 0) {
      const time = times[n];
      const slot = slots[n];
      const seq = seqs[slot];
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        const right = child + 1;
        if (right < n) {
          const lt = times[child];
          const rt = times[right];
          if (rt < lt || (rt === lt && seqs[slots[right]] < seqs[slots[child]])) child = right;
        }
        const ct = times[child];
        if (time < ct || (time === ct && seq < seqs[slots[child]])) break;
        times[i] = ct;
        slots[i] = slots[child];
        i = child;
      }
      times[i] = time;
      slots[i] = slot;
    }
    this.farFirstVb = n > 0 ? Math.floor(times[0] * this.invWidth) : Infinity;
  }

  /** Every review period: re-estimates the width if pops have been doing too much work. */
  private review(): void {
    if (this.small) {
      this.popsToReview = this.reviewPops;
      this.work = 0;
      return;
    }
    const costly = this.work > WORK_PER_POP_LIMIT * this.reviewPops;
    const base = Math.max(MIN_REVIEW_POPS, 2 * (this.mask + 1));
    if (costly) {
      this.resize(this.mask + 1);
      // If the last review found it costly too, rebuilding did not help: back off.
      this.reviewPops = this.reviewPops > base ? 2 * this.reviewPops : 2 * base;
    } else {
      this.reviewPops = base;
    }
    this.popsToReview = this.reviewPops;
    this.work = 0;
  }

  /**
   * Rebuilds with `bucketCount` buckets and a width estimated from the earliest entries, or with
   * all in the bottom if there are few.
   */
  private resize(bucketCount: number): void {
    const nb = Math.max(MIN_BUCKETS, bucketCount);
    const entries = new Int32Array(this.size);
    let count = 0;
    for (let i = this.bottomStart; i < this.bottomEnd; i++) entries[count++] = this.bottomSlots[i];
    for (let b = 0; b <= this.mask; b++) {
      for (let at = this.heads[b]; at >= 0; at = this.slotLinks[4 * at + 2]) entries[count++] = at;
    }
    for (let i = 0; i < this.farCount; i++) entries[count++] = this.farSlots[i];

    this.invWidth = 1 / this.estimateWidth(entries);
    this.mask = nb - 1;
    this.heads = new Int32Array(nb).fill(-1);
    this.bucketCount = 0;
    this.farCount = 0;
    this.farFirstVb = Infinity;
    this.bottomStart = 0;
    this.bottomEnd = 0;
    if (count > this.bottomTimes.length) this.makeBottomRoom(count);
    this.small = count < SMALL_ENTER;
    if (this.small) {
      for (let i = 0; i < count; i++) {
        this.bottomTimes[i] = this.slotTimes[2 * entries[i]];
        this.bottomSlots[i] = entries[i];
      }
      this.bottomEnd = count;
      if (count > 1) this.sortBottom(count);
      this.growAt = SMALL_MAX;
      this.shrinkAt = 0;
      this.work = 0;
      return;
    }
    let earliest = Infinity;
    for (let i = 0; i < count; i++) earliest = Math.min(earliest, this.slotTimes[2 * entries[i]]);
    const firstVb = Math.floor(earliest * this.invWidth);
    this.cur = firstVb < VB_LIMIT ? firstVb : 0;
    // Those of the first bucket are appended and sorted once (inserting each could be quadratic).
    for (let i = 0; i < count; i++) {
      const slot = entries[i];
      const time = this.slotTimes[2 * slot];
      if (Math.floor(time * this.invWidth) <= this.cur) {
        this.bottomTimes[this.bottomEnd] = time;
        this.bottomSlots[this.bottomEnd++] = slot;
      } else {
        this.place(slot, time, this.slotSeqs[slot]);
      }
    }
    if (this.bottomEnd > 1) this.sortBottom(this.bottomEnd);
    this.growAt = nb / GROW_BELOW_BUCKETS_PER_ENTRY;
    this.shrinkAt = Math.max(SMALL_ENTER, nb / SHRINK_ABOVE_BUCKETS_PER_ENTRY);
    this.work = 0;
  }

  /**
   * Brown's estimate: WIDTH_SEPARATIONS times the mean separation of the earliest finite times,
   * the mean taken again without separations above twice the first mean (a gap before a lone
   * far event would otherwise set it). Keeps the current width when the sample has no spread.
   */
  private estimateWidth(entries: Int32Array): number {
    const sample = new Float64Array(WIDTH_SAMPLE);
    let taken = 0;
    for (let i = 0; i < entries.length; i++) {
      const time = this.slotTimes[2 * entries[i]];
      if (!(time < Infinity)) continue;
      if (taken === WIDTH_SAMPLE && time >= sample[taken - 1]) continue;
      // Insertion into the sorted sample, dropping its largest when full.
      let j = taken < WIDTH_SAMPLE ? taken++ : taken - 1;
      while (j > 0 && sample[j - 1] > time) {
        sample[j] = sample[j - 1];
        j--;
      }
      sample[j] = time;
    }
    const current = 1 / this.invWidth;
    if (taken < 2) return current;
    const mean = (sample[taken - 1] - sample[0]) / (taken - 1);
    let sum = 0;
    let gaps = 0;
    for (let i = 1; i < taken; i++) {
      const gap = sample[i] - sample[i - 1];
      if (gap <= 2 * mean) {
        sum += gap;
        gaps++;
      }
    }
    const width = (WIDTH_SEPARATIONS * sum) / gaps;
    return width > 0 && width < Infinity ? width : current;
  }

  private growSlots(): void {
    const capacity = 2 * this.slotSeqs.length;
    if (capacity > SLOT_LIMIT) throw new Error(`more than ${SLOT_LIMIT} pending events`);
    const records = new ArrayBuffer(16 * capacity);
    new Uint8Array(records).set(new Uint8Array(this.slotTimes.buffer));
    this.slotTimes = new Float64Array(records);
    this.slotLinks = new Int32Array(records);
    const seqs = new Float64Array(capacity);
    seqs.set(this.slotSeqs);
    this.slotSeqs = seqs;
    const free = new Int32Array(capacity);
    free.set(this.freeSlots);
    this.freeSlots = free;
  }
}
