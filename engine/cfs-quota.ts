// CPU bandwidth control as Linux's CFS enforces a cgroup's quota (cpu.max, cpu.cfs_quota_us per
// cpu.cfs_period_us): in each period the group may run `quota` CPU seconds; once they are spent it
// is throttled until the next period begins, and unused quota is not carried over. Leaves out the
// 5 ms per-CPU slices the kernel hands out of the pool (sched_cfs_bandwidth_slice_us), their
// expiry bug before Linux 5.4, and cpu.cfs_burst_us (Linux 5.14, 0 by default).
//
// A ledger, not a queue: the owner (engine/Server, a FIFO computed at arrival) decides when a job
// starts and on which core; run(start, seconds) says when it ends, pausing it whenever its period's
// quota is spent. Jobs must start in nondecreasing time. Quota goes to jobs in the order they
// start, so an earlier job is never slowed by a later one and a job's end is known when it starts.
// With one core (every limit of at most one core) this is the kernel's schedule exactly; with
// several, the kernel throttles all the group's threads at once when the pool runs dry, here the
// later-started job stops first: each period's total, hence throughput, is the same.

import { Tally } from './stats/index.js';

/**
 * The kernel accounts run time in whole nanoseconds (u64 ns in struct cfs_bandwidth): a quota left
 * short of the period's remaining time by less than one is a rounding of the sums here, not a
 * throttle (a single thread under a one-core quota can never be throttled).
 */
const ONE_NANOSECOND = 1e-9;

export interface CfsQuotaOptions {
  /** CPU seconds the group may run per period (cpu.cfs_quota_us). */
  quotaSeconds: number;
  /** cpu.cfs_period_us in seconds. */
  periodSeconds: number;
  /**
   * When the first period begins: a time, or 'first-job' (the first run() starts it, as the kernel
   * starts a group's period timer when the group first uses quota). Later periods keep its phase.
   */
  origin?: number | 'first-job';
  /**
   * Cores the group's jobs run on, when known: a quota of at least cores × period can never be
   * spent before its period ends, so no job is paused (exactly, where sums of claims would round).
   */
  cores?: number;
}

export class CfsQuota {
  readonly quotaSeconds: number;
  readonly periodSeconds: number;
  /** Whether the quota can run out at all (below cores × period). */
  readonly binds: boolean;
  /** Periods in which a job was throttled (the kernel's nr_throttled), since the last reset. */
  throttledPeriods = 0;
  /** Seconds jobs spent paused by throttling (the kernel's throttled_time), since the last reset. */
  throttledSeconds = 0;
  /** Per job: the seconds it spent throttled (zero when its quota sufficed). */
  readonly delays = new Tally();

  private origin: number;
  /** The period index of ledger[0]; used[i] is the quota spent in period base + i. */
  private base = 0;
  private used: number[] = [];
  private throttledIn: boolean[] = [];
  // Segments of CPU time handed out ([from, to)), kept until they are past, for the work done by now.
  private segFrom: number[] = [];
  private segTo: number[] = [];
  /** Segments held before the past ones are swept out: amortised O(1) per job. */
  private sweepAt = 64;
  private workAdmitted = 0;
  private pendingAtReset = 0;
  private lastStart = -Infinity;

  constructor(options: CfsQuotaOptions) {
    const { quotaSeconds, periodSeconds } = options;
    if (!(periodSeconds > 0 && Number.isFinite(periodSeconds))) throw new RangeError(`periodSeconds must be > 0, got ${periodSeconds}`);
    if (!(quotaSeconds > 0)) throw new RangeError(`quotaSeconds must be > 0, got ${quotaSeconds}`);
    this.quotaSeconds = quotaSeconds;
    this.periodSeconds = periodSeconds;
    this.binds = !(quotaSeconds >= (options.cores ?? Infinity) * periodSeconds);
    const origin = options.origin ?? 'first-job';
    this.origin = origin === 'first-job' ? NaN : origin;
  }

  /**
   * A job of `seconds` CPU starts at `start` on a core it holds until it ends: returns its end.
   * `now` (≤ start) is the earliest time the statistics may be read from now on.
   */
  run(start: number, seconds: number, now = start): number {
    if (start < this.lastStart) throw new RangeError(`jobs must start in nondecreasing time: ${start} after ${this.lastStart}`);
    this.lastStart = start;
    if (Number.isNaN(this.origin)) this.origin = start;
    this.forgetSegmentsBefore(now);
    this.workAdmitted += seconds;
    if (!this.binds) {
      this.pushSegment(start, start + seconds);
      this.delays.add(0);
      return start + seconds;
    }
    const T = this.periodSeconds;
    let k = Math.max(0, Math.floor((start - this.origin) / T));
    this.forgetPeriodsBefore(k);
    let t = start;
    let left = seconds;
    let paused = 0;
    while (left > 0) {
      const periodEnd = this.origin + (k + 1) * T;
      const available = periodEnd - t;
      if (!(available > 0)) {
        // t is at (or a rounding past) the boundary.
        k++;
        continue;
      }
      const i = this.slot(k);
      const remaining = this.quotaSeconds - this.used[i];
      const claim = Math.min(left, remaining, available);
      if (claim > 0) {
        this.used[i] += claim;
        this.pushSegment(t, t + claim);
        left -= claim;
        t += claim;
      }
      if (left <= ONE_NANOSECOND) break;
      if (remaining < available - ONE_NANOSECOND) {
        // Quota spent before the period ends: paused until the next one begins.
        paused += periodEnd - t;
        if (!this.throttledIn[i]) {
          this.throttledIn[i] = true;
          this.throttledPeriods++;
        }
      }
      t = periodEnd;
      k++;
    }
    this.delays.add(paused);
    if (paused === 0) return start + seconds; // ran without a pause: exactly the plain FIFO's end
    this.throttledSeconds += paused;
    return t;
  }

  /** The cores' worth of CPU the quota allows on `servers` cores: the smaller of the two. */
  capacityOn(servers: number): number {
    return Math.min(servers, this.quotaSeconds / this.periodSeconds);
  }

  /** CPU seconds run from the last reset until `now` (not before the last run()'s `now`). */
  cpuSecondsBy(now: number): number {
    return this.pendingAtReset + this.workAdmitted - this.pendingAfter(now);
  }

  /** Discards the statistics so far (end of warm-up): CPU already granted but not yet run counts on. */
  resetStatistics(now: number): void {
    this.pendingAtReset = this.pendingAfter(now);
    this.workAdmitted = 0;
    this.throttledPeriods = 0;
    this.throttledSeconds = 0;
    this.delays.reset();
  }

  private pendingAfter(now: number): number {
    let pending = 0;
    for (let i = 0; i < this.segTo.length; i++) {
      if (this.segTo[i] > now) pending += this.segTo[i] - Math.max(this.segFrom[i], now);
    }
    return pending;
  }

  /** The ledger index of period k (≥ base), growing the ledger as needed. */
  private slot(k: number): number {
    const i = k - this.base;
    while (this.used.length <= i) {
      this.used.push(0);
      this.throttledIn.push(false);
    }
    return i;
  }

  /** Starts are nondecreasing: periods before the current start's can take no more quota. */
  private forgetPeriodsBefore(k: number): void {
    const drop = Math.min(k - this.base, this.used.length);
    if (drop > 0) {
      this.used.splice(0, drop);
      this.throttledIn.splice(0, drop);
    }
    if (k > this.base) this.base = k;
  }

  private pushSegment(from: number, to: number): void {
    this.segFrom.push(from);
    this.segTo.push(to);
  }

  /** Drops the segments over by `now`; reads come no earlier, so they count as run. */
  private forgetSegmentsBefore(now: number): void {
    if (this.segTo.length < this.sweepAt) return;
    let w = 0;
    for (let i = 0; i < this.segTo.length; i++) {
      if (this.segTo[i] <= now) continue;
      this.segFrom[w] = this.segFrom[i];
      this.segTo[w] = this.segTo[i];
      w++;
    }
    this.segFrom.length = w;
    this.segTo.length = w;
    this.sweepAt = Math.max(64, 2 * w);
  }
}
