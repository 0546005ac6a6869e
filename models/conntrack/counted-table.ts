// What both flow tables share: the statistics, the entry count, and lazy expiry in time order.
// A subclass owns the pools (rings and heaps of expiry times) and says what happens when a flow
// arrives at a full table.

import { Counter, TimeWeighted } from '../../engine/stats/index.js';
import type { ExpiryHeap, ExpiryPool, ExpiryRing } from './expiry.js';

export abstract class CountedTable {
  readonly occupancy: TimeWeighted;
  readonly drops = new Counter();
  readonly inserts = new Counter();
  readonly evictions = new Counter();
  readonly insertFailed = new Counter();
  readonly reopened = new Counter();

  /** Entries held, as of the last consultation. */
  protected held = 0;
  /** When a deferred task (netfilter's GC pass) is due, Infinity for none. */
  protected taskDueAt = Infinity;
  private consultedAt: number;
  /**
   * No expiry or task is due before this (a lower bound: removals only raise the true earliest),
   * so a consultation before it has nothing to bring forward. Most consultations are (a table is
   * consulted a few times per connection, its entries expire seconds later), and skip the scan of
   * every pool's head (docs/performance.md, "Flow tables").
   */
  private nextDueAt = Infinity;

  protected constructor(
    now: number,
    private readonly pools: readonly ExpiryPool[],
  ) {
    this.occupancy = new TimeWeighted(now, 0);
    this.consultedAt = now;
  }

  entries(now: number): number {
    this.advance(now);
    return this.held;
  }

  resetStatistics(now: number): void {
    this.advance(now);
    this.occupancy.reset(now);
    this.drops.reset();
    this.inserts.reset();
    this.evictions.reset();
    this.insertFailed.reset();
    this.reopened.reset();
  }

  /** Adds an entry expiring at `expiry` to `pool`: pools are filled only through here. */
  protected expireAt(pool: ExpiryRing | ExpiryHeap, expiry: number): void {
    pool.push(expiry);
    if (expiry < this.nextDueAt) this.nextDueAt = expiry;
  }

  /** Sets the deferred task's due time: it is set only through here. */
  protected armTask(dueAt: number): void {
    this.taskDueAt = dueAt;
    if (dueAt < this.nextDueAt) this.nextDueAt = dueAt;
  }

  /** Runs the deferred task at `time` (its due time, reached in time order by advance). */
  protected runTask(_time: number): void {
    this.taskDueAt = Infinity;
  }

  /**
   * Brings the table to `now`: every entry with expiry ≤ now leaves (Linux's nf_ct_is_expired
   * counts an entry whose timeout equals now as expired), each at its own expiry time and in time
   * order, so that the time-weighted occupancy counts it exactly until then. A due task runs in its
   * place in that order, after the expiries of the same instant.
   */
  protected advance(now: number): void {
    if (now < this.consultedAt) throw new RangeError(`flow table consulted at ${now}, before ${this.consultedAt}`);
    this.consultedAt = now;
    if (now < this.nextDueAt) return;
    const pools = this.pools;
    for (;;) {
      let earliest = Infinity;
      let from: ExpiryPool | null = null;
      for (let i = 0; i < pools.length; i++) {
        const due = pools[i].peek();
        if (due < earliest) {
          earliest = due;
          from = pools[i];
        }
      }
      if (this.taskDueAt <= now && this.taskDueAt < earliest) {
        this.runTask(this.taskDueAt);
        continue;
      }
      if (from === null || earliest > now) {
        this.nextDueAt = Math.min(earliest, this.taskDueAt);
        return;
      }
      from.pop();
      this.setHeld(earliest, this.held - 1);
    }
  }

  protected setHeld(time: number, held: number): void {
    this.held = held;
    this.occupancy.update(time, held);
  }
}

/** One live flow of a kind leaves that state; calling it with none live is the caller's bug. */
export function takeLive(live: number, operation: string): number {
  if (live === 0) throw new RangeError(`${operation}: no flow is live in the state it leaves`);
  return live - 1;
}
