// A CoreDNS replica's CPU as a FIFO queue of c servers whose schedule is computed when a job
// arrives, not by events: with FIFO service and a known service time, a job's start is
// max(arrival, the earliest time a server frees) and nothing arriving later can change it (the
// Kiefer–Wolfowitz recursion). So the other nodes' queries (background.ts) queue here exactly as
// they would in engine/Server, at the cost of a few comparisons each and no event at all; only a
// caller that waits on a job's end schedules one.
//
// Same semantics as engine/Server: an arrival finding every server busy and `queueLimit` jobs
// waiting is dropped; equal arrival times are served in the order they were admitted. Jobs must be
// admitted in nondecreasing time (the background catches up before each detailed arrival).
// With a CFS quota (engine/cfs-quota.ts, a container's CPU limit) a job holds its server from its
// start until the quota's ledger says it ends, pauses included: starts stay nondecreasing and a
// job's end is still known at arrival, so detailed and background queries share one quota.
// A job may also carry kernel work (its packets' softirq on the replica's node, server-kernel.ts):
// it holds the job's server after the quota's work, and draws nothing from the quota.

import type { CfsQuota } from '../../engine/cfs-quota.js';

export class FifoCpu {
  readonly servers: number;
  /** When each server finishes the work it holds. */
  private readonly freeAt: Float64Array;
  /** Start times of admitted jobs not yet started at the last admission: FIFO, so nondecreasing. */
  private starts = new Float64Array(64);
  private head = 0;
  private waiting = 0;
  /** Service seconds admitted since the statistics were reset, and the work then still pending. */
  private workAdmitted = 0;
  private pendingAtReset = 0;
  private resetAt: number;
  /** Kernel seconds admitted since the statistics were reset (part of workAdmitted, outside any quota). */
  kernelAdmitted = 0;

  constructor(
    servers: number,
    readonly queueLimit: number,
    private readonly clock: { readonly now: number },
    readonly quota: CfsQuota | null = null,
  ) {
    if (!(Number.isInteger(servers) && servers >= 1)) throw new RangeError(`servers must be an integer ≥ 1, got ${servers}`);
    this.servers = servers;
    this.freeAt = new Float64Array(servers).fill(clock.now);
    this.resetAt = clock.now;
  }

  /** Whether a job arriving at `at` finds room (a free server, or fewer than queueLimit waiting). */
  admits(at: number): boolean {
    const freeAt = this.freeAt;
    for (let i = 0; i < freeAt.length; i++) if (freeAt[i] <= at) return true;
    this.forgetStartedBy(at);
    return this.waiting < this.queueLimit;
  }

  /**
   * Admits a job of `seconds` (the container's CPU, under the quota if any) and `kernelSeconds`
   * (outside it) arriving at `at`: returns when it ends, or -1 when it is dropped.
   */
  admit(at: number, seconds: number, kernelSeconds = 0): number {
    const freeAt = this.freeAt;
    let k = 0;
    for (let i = 1; i < freeAt.length; i++) if (freeAt[i] < freeAt[k]) k = i;
    const start = freeAt[k] > at ? freeAt[k] : at;
    if (start > at) {
      this.forgetStartedBy(at);
      if (this.waiting >= this.queueLimit) return -1;
      this.pushStart(start);
    }
    const end = (this.quota === null ? start + seconds : this.quota.run(start, seconds, at)) + kernelSeconds;
    freeAt[k] = end;
    this.workAdmitted += seconds + kernelSeconds;
    this.kernelAdmitted += kernelSeconds;
    return end;
  }

  /** Jobs waiting for a server at `at` (not before the last admission). */
  queueLength(at: number): number {
    this.forgetStartedBy(at);
    return this.waiting;
  }

  /**
   * Mean fraction of the servers busy from the last reset until now, kernel work included (under a
   * quota, the container's CPU as a share of the quota, kernel work excluded).
   */
  utilisation(): number {
    const now = this.clock.now;
    const elapsed = now - this.resetAt;
    if (!(elapsed > 0)) return 0;
    // Under a quota a server's remaining work is not contiguous (pauses): the ledger knows it. As a
    // share of what the quota allows (engine/Server's utilisation), so a saturated limit reads 1.
    if (this.quota !== null) return this.quota.cpuSecondsBy(now) / (this.quota.capacityOn(this.servers) * elapsed);
    return (this.pendingAtReset + this.workAdmitted - this.pendingWork(now)) / (this.servers * elapsed);
  }

  /** Discards the statistics so far (end of warm-up): work already admitted but not done counts on. */
  resetStatistics(): void {
    const now = this.clock.now;
    this.pendingAtReset = this.pendingWork(now);
    this.workAdmitted = 0;
    this.kernelAdmitted = 0;
    this.resetAt = now;
    this.quota?.resetStatistics(now);
  }

  /** Service seconds admitted but not yet done at `now`: past `now` each server's work is contiguous. */
  private pendingWork(now: number): number {
    let pending = 0;
    for (let i = 0; i < this.freeAt.length; i++) if (this.freeAt[i] > now) pending += this.freeAt[i] - now;
    return pending;
  }

  private forgetStartedBy(at: number): void {
    const mask = this.starts.length - 1;
    while (this.waiting > 0 && this.starts[this.head] <= at) {
      this.head = (this.head + 1) & mask;
      this.waiting--;
    }
  }

  private pushStart(start: number): void {
    if (this.waiting === this.starts.length) {
      const grown = new Float64Array(this.starts.length * 2);
      for (let i = 0; i < this.waiting; i++) grown[i] = this.starts[(this.head + i) & (this.starts.length - 1)];
      this.starts = grown;
      this.head = 0;
    }
    this.starts[(this.head + this.waiting) & (this.starts.length - 1)] = start;
    this.waiting++;
  }
}
