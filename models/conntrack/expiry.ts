// Expiry times of table entries that are counted, not stored as objects. A ring per timeout class:
// one constant timeout and a clock that never runs backwards put expiries in insertion order, so
// the oldest is always at the head. A binary min-heap for the few whose expiry is not in insertion
// order (an abandoned SYN whose last packet was earlier than the entries inserted since). Both keep
// float64 times in growable typed arrays: no allocation per entry.
//
// Eviction of a uniformly chosen entry (netfilter's early_drop and GC hit entries by hash position,
// which is random with respect to age) turns a ring slot into a tombstone, skipped when it reaches
// the head; the heap removes the element outright.

import type { RandomStream } from '../../engine/random.js';

const TOMBSTONE = -Infinity;
const INITIAL_CAPACITY = 16;
/** Rejection draws before a uniform pick falls back to a scan (only when tombstones crowd the ring). */
const MAX_DRAWS = 32;

export interface ExpiryPool {
  /** Entries held, tombstones excluded. */
  readonly size: number;
  /** Earliest expiry held, Infinity when empty. */
  peek(): number;
  /** Removes the earliest entry and returns its expiry. */
  pop(): number;
  /** Removes one entry chosen uniformly at random. */
  removeRandom(rng: RandomStream): void;
}

/** Expiries of one timeout class, in insertion (= expiry) order. */
export class ExpiryRing implements ExpiryPool {
  private times = new Float64Array(INITIAL_CAPACITY);
  private head = 0;
  /** Slots in use from head on, tombstones included. */
  private used = 0;
  private tombstones = 0;
  private lastPushed = -Infinity;

  get size(): number {
    return this.used - this.tombstones;
  }

  push(expiry: number): void {
    if (expiry < this.lastPushed) throw new RangeError(`ExpiryRing: expiry ${expiry} before the previous one (${this.lastPushed})`);
    if (this.used === this.times.length) this.grow();
    this.times[(this.head + this.used) & (this.times.length - 1)] = expiry;
    this.used++;
    this.lastPushed = expiry;
  }

  peek(): number {
    if (this.tombstones > 0) this.dropLeadingTombstones();
    return this.used === 0 ? Infinity : this.times[this.head];
  }

  pop(): number {
    this.dropLeadingTombstones();
    if (this.used === 0) throw new RangeError('ExpiryRing: pop from an empty ring');
    const expiry = this.times[this.head];
    this.head = (this.head + 1) & (this.times.length - 1);
    this.used--;
    return expiry;
  }

  removeRandom(rng: RandomStream): void {
    if (this.size === 0) throw new RangeError('ExpiryRing: removeRandom from an empty ring');
    const mask = this.times.length - 1;
    for (let draw = 0; draw < MAX_DRAWS; draw++) {
      const slot = (this.head + Math.floor(rng.next() * this.used)) & mask;
      if (this.times[slot] !== TOMBSTONE) return this.bury(slot);
    }
    // Tombstones crowd the ring: take the first live slot after a random start (slightly biased).
    const start = Math.floor(rng.next() * this.used);
    for (let k = 0; k < this.used; k++) {
      const slot = (this.head + ((start + k) % this.used)) & mask;
      if (this.times[slot] !== TOMBSTONE) return this.bury(slot);
    }
  }

  private bury(slot: number): void {
    this.times[slot] = TOMBSTONE;
    this.tombstones++;
  }

  private dropLeadingTombstones(): void {
    const mask = this.times.length - 1;
    while (this.used > 0 && this.times[this.head] === TOMBSTONE) {
      this.head = (this.head + 1) & mask;
      this.used--;
      this.tombstones--;
    }
  }

  /** Doubles the buffer (capacity stays a power of two, so indices wrap with a mask). */
  private grow(): void {
    const old = this.times;
    const bigger = new Float64Array(old.length * 2);
    for (let k = 0; k < this.used; k++) bigger[k] = old[(this.head + k) & (old.length - 1)];
    this.times = bigger;
    this.head = 0;
  }
}

/** Expiries in any order: a binary min-heap. */
export class ExpiryHeap implements ExpiryPool {
  private times = new Float64Array(INITIAL_CAPACITY);
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(expiry: number): void {
    if (this.count === this.times.length) {
      const bigger = new Float64Array(this.times.length * 2);
      bigger.set(this.times);
      this.times = bigger;
    }
    this.times[this.count] = expiry;
    this.siftUp(this.count++);
  }

  peek(): number {
    return this.count === 0 ? Infinity : this.times[0];
  }

  pop(): number {
    if (this.count === 0) throw new RangeError('ExpiryHeap: pop from an empty heap');
    const earliest = this.times[0];
    this.removeAt(0);
    return earliest;
  }

  removeRandom(rng: RandomStream): void {
    if (this.count === 0) throw new RangeError('ExpiryHeap: removeRandom from an empty heap');
    this.removeAt(Math.floor(rng.next() * this.count));
  }

  /** Moves the last element into `index` and restores heap order around it. */
  private removeAt(index: number): void {
    this.count--;
    if (index === this.count) return;
    this.times[index] = this.times[this.count];
    this.siftDown(index);
    this.siftUp(index);
  }

  private siftUp(index: number): void {
    const times = this.times;
    const value = times[index];
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (times[parent] <= value) break;
      times[index] = times[parent];
      index = parent;
    }
    times[index] = value;
  }

  private siftDown(index: number): void {
    const times = this.times;
    const count = this.count;
    const value = times[index];
    for (;;) {
      let child = 2 * index + 1;
      if (child >= count) break;
      if (child + 1 < count && times[child + 1] < times[child]) child++;
      if (times[child] >= value) break;
      times[index] = times[child];
      index = child;
    }
    times[index] = value;
  }
}

/** Removes one entry chosen uniformly over the union of `pools` (a pool is picked by its size). */
export function removeUniform(pools: readonly ExpiryPool[], rng: RandomStream): void {
  let total = 0;
  for (const pool of pools) total += pool.size;
  if (total === 0) throw new RangeError('removeUniform: the pools are empty');
  let pick = Math.floor(rng.next() * total);
  for (const pool of pools) {
    if (pick < pool.size) return pool.removeRandom(rng);
    pick -= pool.size;
  }
}
