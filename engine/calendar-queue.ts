// The pending-event set as a calendar queue (R. Brown, CACM 31(10), 1988) with a sorted bottom
// and a far-future heap, as in the ladder queue (Tang, Goh & Thng, ACM TOMACS 15(3), 2005):
// O(1) amortised per push and pop when the bucket width suits the events, and never worse than a
// binary heap's O(log n) when no width does (sub-microsecond hops beside 30 s sync periods, Infinity).
//
// Three tiers, by virtual bucket v = floor(time × invWidth), which never decreases as time grows:
//   bottom   v ≤ cur: the bucket being served, sorted by (time, seq) in a small array, popped
//            from its front. A push landing here is inserted in order (from the back: equal
//            times in seq order append), or, if that would shift more than BOTTOM_SHIFT_LIMIT
//            entries, pushed on a side heap popped beside the bottom (a cluster of equal times
//            and the events it schedules).
//   buckets  cur < v < cur + nb: one unsorted singly linked list per bucket (v mod nb), threaded
//            through the slot table: a push writes its own slot and the bucket's head, no walk.
//            When the bottom runs dry the scan moves cur to the next non-empty bucket and sorts
//            its entries into the bottom.
//   far      v ≥ cur + nb, and Infinity: a binary heap, whose entries move into buckets as the
//            scan brings their year within reach.
// Pops come out in exactly (time, seq) order, the binary heap's order, ties included.
//
// Sizing. Up to SMALL_MAX entries there are no buckets: all sit in the sorted bottom. Beyond,
// the width is WIDTH_SEPARATIONS times the clock's mean advance per pop over the last review
// window (Brown's estimate from the earliest entries before any pop), so that a refill scans
// about 1/3 of an empty bucket per pop whatever the pending set looks like; nb (a power of two)
// keeps 2–8 buckets per entry, raised within that so that the year covers 15/16 of the finite
// entries. A pop counts its work (empty buckets scanned, entries shifted or sent to the side
// heap); at the end of a window (a quarter of the entries' pops) the calendar is rebuilt if pops
// averaged over WORK_PER_POP_LIMIT steps, or if the pace asks for a width off by more than
// WIDTH_DRIFT (at most once per `size` pops). A window ends early once its work exceeds the
// entries, so a width gone wrong costs about one rebuild's work before it is fixed.
//
// Slots, handles, lazy cancellation and pop()'s outputs are as in the binary heap.
//
// Not the engine's list yet: it now beats the heap under this project's delay mix
// (bench/skewed-hold.ts), the hold model and point-100-nodes, but in the small mode (M/M/1, two
// pending) it is 10–20 % slower than the heap (figures in event-list.ts).

import type { EventFn } from './event-list.js';
import { SlotHeap } from './slot-heap.js';

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
/**
 * Most entries an insertion into the bottom shifts; beyond, the entry goes to the side heap
 * (log n, as the binary heap). Half WORK_PER_POP_LIMIT, so that shifts alone never make a
 * hold model's pops look costly: rebuilding cannot separate equal times.
 */
const BOTTOM_SHIFT_LIMIT = 4;
/**
 * The year is sized to cover this share of the finite entries, estimated from a strided sample of
 * YEAR_SAMPLE entries' times (the rest wait in the far heap).
 */
const YEAR_QUANTILE = 15 / 16;
const YEAR_SAMPLE = 256;
/**
 * At most this many buckets per entry for the year (4 B each). At 100,000 pending in
 * bench/skewed-hold.ts a year of 15/16 of the entries wants about 7 (1,000 s at a 1.3 ms width).
 */
const YEAR_BUCKETS_PER_ENTRY = SHRINK_ABOVE_BUCKETS_PER_ENTRY;
/** Entries sampled from the front to estimate the width: Brown samples about 25. */
const WIDTH_SAMPLE = 32;
/** Width = this many mean separations of the front's events (Brown: 3, about 3 per bucket). */
const WIDTH_SEPARATIONS = 3;
/**
 * Factor by which the width asked for by the clock's pace may differ from the current one before
 * a review rebuilds: a width 4 × too small scans about 4/3 empty buckets per pop, 4 × too large
 * sorts about 12 entries per bucket, both cheap; a rebuild every review would cost about one
 * entry moved per pop.
 */
const WIDTH_DRIFT = 4;
/**
 * Scan and shift steps per pop above which the calendar is rebuilt. With a width from the pace
 * they stay below one (empty buckets per pop: 0.021 in point-100-nodes, 0.42 in the skewed hold
 * of test/engine/event-list.test.ts), so only a width gone wrong trips this.
 */
const WORK_PER_POP_LIMIT = 8;
/** Pops per review window, at least (a quarter of the entries for large calendars). */
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
  private far = new SlotHeap();
  /**
   * Bottom-tier entries that would have shifted more than BOTTOM_SHIFT_LIMIT others: popped
   * beside the bottom, whichever is earlier. Without it, the children of a cluster of equal
   * times (bench/skewed-hold.ts: 5,000 events at exactly 1 s, 10,000 at 30 s, at 100,000
   * pending) pile up in the bottom and each insertion shifts thousands.
   */
  private side = new SlotHeap();
  /** Virtual bucket of the far heap's earliest entry, Infinity when none. */
  private farFirstVb = Infinity;

  /** Whether every entry is in the bottom (few entries; see SMALL_MAX). */
  private small = true;
  private growAt = SMALL_MAX;
  private shrinkAt = 0;
  /** Scan and shift steps since the last review. */
  private work = 0;
  /** Empty buckets passed over by refills, ever: what a width too small costs (read by tests). */
  bucketsScanned = 0;
  /** Time of the first pop of the review window, and the clock's mean advance per pop over the last one (0: none yet). */
  private windowStartTime = 0;
  private advancePerPop = 0;
  /** Pops in this review window (cut short when the work already exceeds its limit), and the window's planned length. */
  private reviewPops = MIN_REVIEW_POPS;
  private popsToReview = MIN_REVIEW_POPS;
  /**
   * Work after which the window ends early: about a rebuild's cost (the entries), so a width gone
   * wrong is fixed after O(entries) wasted steps, and rebuilding stays O(1) amortised without
   * the back-off the first version needed.
   */
  private workBudget = Infinity;
  /** Pops since the last rebuild: a rebuild for a drifted pace waits for `size` of them. */
  private popsSinceRebuild = 0;
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
    if (this.side.count > 0) {
      const sideTime = this.side.times[0];
      return this.bottomStart === this.bottomEnd ? sideTime : Math.min(sideTime, this.bottomTimes[this.bottomStart]);
    }
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
    let slot: number;
    if (this.side.count > 0 && this.sideFirst()) {
      slot = this.side.slots[0];
      this.poppedTime = this.side.times[0];
      this.side.pop(this.slotSeqs);
    } else {
      if (this.bottomStart === this.bottomEnd) this.refill();
      const i = this.bottomStart++;
      slot = this.bottomSlots[i];
      this.poppedTime = this.bottomTimes[i];
    }
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

  /** Ends the review window at the next pop (its work already exceeds a rebuild's cost). */
  private endWindowEarly(): void {
    this.reviewPops -= this.popsToReview - 1;
    this.popsToReview = 1;
  }

  /** Whether the side heap's top goes before the bottom's front (the side heap is not empty). */
  private sideFirst(): boolean {
    if (this.bottomStart === this.bottomEnd) return true;
    const sideTime = this.side.times[0];
    const bottomTime = this.bottomTimes[this.bottomStart];
    const seqs = this.slotSeqs;
    return sideTime < bottomTime || (sideTime === bottomTime && seqs[this.side.slots[0]] < seqs[this.bottomSlots[this.bottomStart]]);
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
      this.pushFar(slot, time);
    }
  }

  /**
   * Inserts into the sorted bottom, from the back: an entry not earlier than the last appends.
   * One that would shift more than BOTTOM_SHIFT_LIMIT entries goes to the side heap instead
   * (except in the small mode, whose bottom is at most SMALL_MAX long).
   */
  private insertBottom(slot: number, time: number, seq: number): void {
    if (this.bottomEnd === this.bottomTimes.length) this.makeBottomRoom(1);
    const times = this.bottomTimes;
    const slots = this.bottomSlots;
    const seqs = this.slotSeqs;
    const end = this.bottomEnd;
    const start = this.bottomStart;
    if (this.small) {
      // Shift while scanning, as M/M/1's two entries need nothing more.
      let i = end;
      while (i > start) {
        const t = times[i - 1];
        if (t < time || (t === time && seqs[slots[i - 1]] < seq)) break;
        times[i] = t;
        slots[i] = slots[i - 1];
        i--;
      }
      this.bottomEnd = end + 1;
      times[i] = time;
      slots[i] = slot;
      return;
    }
    const lowest = Math.max(start, end - BOTTOM_SHIFT_LIMIT);
    let i = end;
    while (i > start) {
      const t = times[i - 1];
      if (t < time || (t === time && seqs[slots[i - 1]] < seq)) break;
      if (i === lowest) {
        this.side.push(slot, time, seqs);
        if (++this.work > this.workBudget) this.endWindowEarly();
        return;
      }
      i--;
    }
    for (let j = end; j > i; j--) {
      times[j] = times[j - 1];
      slots[j] = slots[j - 1];
    }
    this.bottomEnd = end + 1;
    this.work += end - i;
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
        const slot = this.far.slots[0];
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
    this.bucketsScanned += scanned - 1;
    if (this.work > this.workBudget) this.endWindowEarly();
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
      const slot = this.far.slots[0];
      this.popFar();
      this.place(slot, this.slotTimes[2 * slot], this.slotSeqs[slot]);
    }
  }

  private pushFar(slot: number, time: number): void {
    if (this.far.push(slot, time, this.slotSeqs)) this.farFirstVb = Math.floor(time * this.invWidth);
  }

  /** Removes the far heap's top. */
  private popFar(): void {
    this.far.pop(this.slotSeqs);
    this.farFirstVb = this.far.count > 0 ? Math.floor(this.far.times[0] * this.invWidth) : Infinity;
  }

  /** At the end of a review window: measures the pace, and rebuilds if pops did too much work or the pace drifted. */
  private review(): void {
    // The pops since windowStartTime. Keys that go backwards (models/nic.ts) or reach Infinity
    // give no advance, and the last one stands.
    const pops = this.reviewPops - this.popsToReview;
    const advance = (this.poppedTime - this.windowStartTime) / pops;
    if (advance > 0 && advance < Infinity) this.advancePerPop = advance;
    this.windowStartTime = this.poppedTime;
    if (this.small) {
      this.popsToReview = this.reviewPops;
      this.work = 0;
      return;
    }
    // Rebuilt if pops did too much work, or if the clock's pace now asks for a width off by more
    // than WIDTH_DRIFT: a transient (the first pops of a run) can leave a width that costs a few
    // empty buckets per pop, under WORK_PER_POP_LIMIT, for good (bench/skewed-hold.ts at 10,000
    // pending: 4.3 per pop with a width set during the warm-up, at 1/4 of the steady pace's).
    // The latter at most once per `size` pops, so that rebuilding (O(entries)) stays O(1) a pop.
    this.popsSinceRebuild += pops;
    const drift = WIDTH_SEPARATIONS * this.advancePerPop * this.invWidth; // 0: no pace measured
    const drifted = drift > WIDTH_DRIFT || (drift > 0 && drift * WIDTH_DRIFT < 1);
    if (this.work > WORK_PER_POP_LIMIT * pops || (drifted && this.popsSinceRebuild >= this.size)) {
      this.resize(this.mask + 1);
    }
    // Short windows follow a changing pace (the first million pops of bench/skewed-hold.ts at
    // 100,000 pending cross sub-microsecond, 1 s, 3 s and 30 s clusters); a review is O(1).
    this.reviewPops = Math.max(MIN_REVIEW_POPS, this.size >> 2);
    this.popsToReview = this.reviewPops;
    if (!this.small) this.workBudget = Math.max(WORK_PER_POP_LIMIT * MIN_REVIEW_POPS, this.size);
    this.work = 0;
  }

  /**
   * Rebuilds with a width from the pace (estimateWidth) and at least `bucketCount` buckets, more
   * if the year needs them (bucketsForYear), or with all in the bottom if there are few.
   */
  private resize(bucketCount: number): void {
    const entries = new Int32Array(this.size);
    let count = 0;
    for (let i = this.bottomStart; i < this.bottomEnd; i++) entries[count++] = this.bottomSlots[i];
    for (let b = 0; b <= this.mask; b++) {
      for (let at = this.heads[b]; at >= 0; at = this.slotLinks[4 * at + 2]) entries[count++] = at;
    }
    for (let i = 0; i < this.far.count; i++) entries[count++] = this.far.slots[i];
    for (let i = 0; i < this.side.count; i++) entries[count++] = this.side.slots[i];

    this.invWidth = 1 / this.estimateWidth(entries);
    const nb = Math.max(MIN_BUCKETS, bucketCount, this.bucketsForYear(entries));
    this.mask = nb - 1;
    this.heads = new Int32Array(nb).fill(-1);
    this.bucketCount = 0;
    this.far.count = 0;
    this.side.count = 0;
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
      this.workBudget = Infinity;
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
    // Shrinks when the size halves, or falls below SHRINK_ABOVE_BUCKETS_PER_ENTRY per entry if
    // that comes later: a year sized up to YEAR_BUCKETS_PER_ENTRY must not shrink at once.
    this.shrinkAt = Math.max(SMALL_ENTER, Math.min(nb / SHRINK_ABOVE_BUCKETS_PER_ENTRY, count / 2));
    this.work = 0;
    this.workBudget = Math.max(WORK_PER_POP_LIMIT * MIN_REVIEW_POPS, count);
    this.popsSinceRebuild = 0;
  }

  /**
   * Buckets (a power of two) for a year that covers YEAR_QUANTILE of the finite entries, at most
   * YEAR_BUCKETS_PER_ENTRY per entry. The size thresholds alone keep 2–8 per entry, and under
   * this project's delays (up to 1,000 s beside a width of about 1 ms) that year left half the
   * entries in the far heap (bench/skewed-hold.ts at 100,000 pending: 48,000), at O(log n) each.
   */
  private bucketsForYear(entries: Int32Array): number {
    const sample = new Float64Array(Math.min(entries.length, YEAR_SAMPLE));
    const stride = Math.max(1, Math.floor(entries.length / YEAR_SAMPLE));
    let taken = 0;
    for (let i = 0; i < entries.length && taken < sample.length; i += stride) {
      const time = this.slotTimes[2 * entries[i]];
      if (time < Infinity) sample[taken++] = time;
    }
    if (taken < 2) return 0;
    const sorted = sample.subarray(0, taken).sort();
    const span = (sorted[Math.floor(YEAR_QUANTILE * (taken - 1))] - sorted[0]) * this.invWidth;
    let nb = MIN_BUCKETS;
    const most = YEAR_BUCKETS_PER_ENTRY * entries.length;
    while (nb < span && 2 * nb <= most) nb *= 2;
    return nb;
  }

  /**
   * WIDTH_SEPARATIONS times the clock's mean advance per pop over the last review window: a
   * refill then scans about 1 / WIDTH_SEPARATIONS empty buckets per pop, whatever the pending
   * set looks like. Brown's estimate from the earliest entries sees only the front, which under
   * this project's delays is a cluster of sub-microsecond events: at 10,000 pending in
   * bench/skewed-hold.ts it gave a width that made refills scan 67 empty buckets per pop. Before
   * the first window (no pops yet), Brown's estimate.
   */
  private estimateWidth(entries: Int32Array): number {
    if (this.advancePerPop > 0) return WIDTH_SEPARATIONS * this.advancePerPop;
    return this.estimateWidthFromFront(entries);
  }

  /**
   * Brown's estimate: WIDTH_SEPARATIONS times the mean separation of the earliest finite times,
   * the mean taken again without separations above twice the first mean (a gap before a lone
   * far event would otherwise set it). Keeps the current width when the sample has no spread.
   */
  private estimateWidthFromFront(entries: Int32Array): number {
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
