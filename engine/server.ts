// A multi-server FIFO queue: c identical servers, an optional waiting-room limit beyond which
// arrivals are dropped (and counted), and the statistics a queue is judged by: utilisation,
// queue length, waits. It models node CPU (cores), CoreDNS workers, an application's workers.
//
// Three ways in, all FIFO through one waiting line:
//   serve(seconds, done?, arg?)   hold a server for a known time, then call done(arg): the hot path
//   acquire(fn, arg?) / release() hold a server until released (callback code)
//   yield server.request()        the same from a process; evaluates to false when dropped
// A freed server is handed to the head of the line at once, in the same event.
// With a CPU quota (cfs-quota.ts), a serve() job runs at full speed while its period's quota lasts
// and pauses until the next period otherwise; a server held through acquire() is not charged (its
// holder's work is not known when it starts).

import type { CfsQuota } from './cfs-quota.js';
import { CONTINUE, grantProcess, SUSPEND, type Process, type WaitQueue } from './process.js';
import type { EventFn, Simulator } from './simulator.js';
import { Counter, Tally, TimeWeighted } from './stats/index.js';

/** Marks a waiting entry that holds its server until release(), rather than for a duration. */
const UNTIL_RELEASE = -1;

export interface ServerOptions {
  /** Number of servers (cores, workers). */
  servers: number;
  /** Most entries that may wait; an arrival finding it full is dropped. Infinity by default. */
  queueLimit?: number;
  /** A CFS quota shared by the servers (a container's CPU limit); none by default. */
  quota?: CfsQuota;
}

export class Server implements WaitQueue {
  readonly servers: number;
  readonly queueLimit: number;
  /** Servers in use now. */
  busy = 0;
  /** Busy servers over time: mean / servers is utilisation. */
  readonly busyLevel: TimeWeighted;
  /** Entries waiting over time. */
  readonly queueLevel: TimeWeighted;
  /** Time from arrival to the start of service, for every entry served (zero when a server was free). */
  readonly waits = new Tally();
  readonly drops = new Counter();
  readonly started = new Counter();
  readonly quota: CfsQuota | null;
  private statsSince: number;

  // The waiting line: a ring of (fn, arg, duration or UNTIL_RELEASE, arrival time).
  private ringFns: (EventFn | null)[] = new Array(16).fill(null);
  private ringArgs: unknown[] = new Array(16).fill(undefined);
  private ringDurations = new Float64Array(16);
  private ringArrivals = new Float64Array(16);
  private head = 0;
  private length = 0;

  // Jobs in service through serve(). A job's end is an event, and what the job calls afterwards
  // rides in that event where it can, so that most jobs keep no record (docs/performance.md,
  // "Server"):
  //   no done                        finishBare, no argument
  //   the server's first three dones finishUsual / finishSecond / finishThird, the job's arg as the
  //                                  event's argument
  //   any other done                 finishJob, a slot of (done, arg) reused through a free list
  // A node's cores see two dones per request (client side, server side) and one per proxy sync,
  // whose first job comes first: the second and third slots spare them the free list.
  /** The first done passed to serve(); fixed from then on, so that finishUsual calls the right one. */
  private usualDone: EventFn | null = null;
  /** The second and third distinct dones passed to serve(), likewise fixed. */
  private secondDone: EventFn | null = null;
  private thirdDone: EventFn | null = null;
  private readonly finishBare: () => void;
  private readonly finishUsual: (arg: unknown) => void;
  private readonly finishSecond: (arg: unknown) => void;
  private readonly finishThird: (arg: unknown) => void;
  private jobFns: (EventFn | undefined)[] = [];
  private jobArgs: unknown[] = [];
  private freeJobs: number[] = [];
  private readonly finishJob: (slot: number) => void;

  constructor(
    private readonly sim: Simulator,
    options: ServerOptions,
  ) {
    if (!(Number.isInteger(options.servers) && options.servers >= 1)) {
      throw new RangeError(`servers must be an integer ≥ 1, got ${options.servers}`);
    }
    const limit = options.queueLimit ?? Infinity;
    if (!(limit >= 0)) throw new RangeError(`queueLimit must be ≥ 0, got ${limit}`);
    this.servers = options.servers;
    this.queueLimit = limit;
    this.quota = options.quota ?? null;
    this.statsSince = sim.now;
    this.busyLevel = new TimeWeighted(sim.now, 0);
    this.queueLevel = new TimeWeighted(sim.now, 0);
    this.finishBare = () => this.release();
    this.finishUsual = (arg: unknown) => {
      this.release();
      this.usualDone!(arg);
    };
    this.finishSecond = (arg: unknown) => {
      this.release();
      this.secondDone!(arg);
    };
    this.finishThird = (arg: unknown) => {
      this.release();
      this.thirdDone!(arg);
    };
    this.finishJob = (slot: number) => {
      const done = this.jobFns[slot];
      const arg = this.jobArgs[slot];
      this.jobFns[slot] = undefined;
      this.jobArgs[slot] = undefined;
      this.freeJobs.push(slot);
      this.release();
      if (done !== undefined) done(arg);
    };
  }

  /** Entries waiting for a server now. */
  get queueLength(): number {
    return this.length;
  }

  /**
   * Holds a server for `seconds` of service, then calls done(arg). Returns false, and counts a
   * drop, if the waiting room is full.
   */
  serve(seconds: number, done?: EventFn, arg?: unknown): boolean {
    if (this.busy === this.servers) return this.enqueue(done ?? null, arg, seconds);
    this.takeServer();
    this.startJob(seconds, done, arg);
    return true;
  }

  /** Calls fn(arg) once a server is held (at once if one is free); the holder calls release(). */
  acquire(fn: EventFn, arg?: unknown): boolean {
    if (this.busy < this.servers) {
      this.takeServer();
      fn(arg);
      return true;
    }
    return this.enqueue(fn, arg, UNTIL_RELEASE);
  }

  /** From a process: `const granted: boolean = yield server.request()`; release() when done. */
  request(): typeof SUSPEND | typeof CONTINUE {
    const process = this.sim.activeProcess;
    if (process === null) throw new Error('server.request() is for processes; callbacks use acquire()');
    if (this.busy < this.servers) {
      this.takeServer();
      process.immediateValue = true;
      return CONTINUE;
    }
    if (!this.enqueue(grantProcess, process, UNTIL_RELEASE)) {
      process.immediateValue = false;
      return CONTINUE;
    }
    process.waitingOn = this;
    return SUSPEND;
  }

  /** Frees a server, handing it to the head of the line if anyone waits. */
  release(): void {
    const now = this.sim.now;
    if (this.length === 0) {
      if (this.busy <= 0) throw new Error('release() without a held server');
      this.busy--;
      this.busyLevel.update(now, this.busy);
      return;
    }
    // The server passes straight to the next entry: busy stays the same.
    const i = this.head;
    const fn = this.ringFns[i];
    const arg = this.ringArgs[i];
    const duration = this.ringDurations[i];
    this.waits.add(now - this.ringArrivals[i]);
    this.started.add();
    this.ringFns[i] = null;
    this.ringArgs[i] = undefined;
    this.head = (i + 1) & (this.ringFns.length - 1);
    this.length--;
    this.queueLevel.update(now, this.length);
    if (duration === UNTIL_RELEASE) fn!(arg);
    else this.startJob(duration, fn ?? undefined, arg);
  }

  /** Takes a waiting entry out of the line (an interrupted process). */
  removeWaiter(resume: (value: any) => void, process?: Process<any>): void {
    const mask = this.ringFns.length - 1;
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) & mask;
      const fn = this.ringFns[i];
      if (fn !== resume && !(fn === grantProcess && this.ringArgs[i] === process)) continue;
      // Shift the entries behind it forward by one, keeping their order.
      for (let m = k; m < this.length - 1; m++) {
        const to = (this.head + m) & mask;
        const from = (to + 1) & mask;
        this.ringFns[to] = this.ringFns[from];
        this.ringArgs[to] = this.ringArgs[from];
        this.ringDurations[to] = this.ringDurations[from];
        this.ringArrivals[to] = this.ringArrivals[from];
      }
      const last = (this.head + this.length - 1) & mask;
      this.ringFns[last] = null;
      this.ringArgs[last] = undefined;
      this.length--;
      this.queueLevel.update(this.sim.now, this.length);
      return;
    }
  }

  /** Discards statistics gathered so far (end of warm-up); the current state is kept. */
  resetStatistics(): void {
    const now = this.sim.now;
    this.busyLevel.reset(now);
    this.queueLevel.reset(now);
    this.waits.reset();
    this.drops.reset();
    this.started.reset();
    this.statsSince = now;
    this.quota?.resetStatistics(now);
  }

  /**
   * Mean fraction of servers busy since the last reset; under a quota, the CPU run (not held
   * paused) as a share of what the quota allows, so that a saturated limit reads 1.
   */
  utilisation(): number {
    const now = this.sim.now;
    if (this.quota === null) return this.busyLevel.mean(now) / this.servers;
    const elapsed = now - this.statsSince;
    return elapsed > 0 ? this.quota.cpuSecondsBy(now) / (this.quota.capacityOn(this.servers) * elapsed) : 0;
  }

  /** A free server is taken at once: a wait of zero. */
  private takeServer(): void {
    this.busyLevel.update(this.sim.now, ++this.busy);
    this.waits.add(0);
    this.started.add();
  }

  private startJob(seconds: number, done: EventFn | undefined, arg: unknown): void {
    if (this.quota !== null) {
      // Unpaused, the end is exactly now + seconds: keep the duration as given (same rounding).
      const end = this.quota.run(this.sim.now, seconds);
      if (end !== this.sim.now + seconds) seconds = end - this.sim.now;
    }
    if (done === undefined) this.sim.post(seconds, this.finishBare);
    else if (done === this.usualDone) this.sim.post(seconds, this.finishUsual, arg);
    else if (done === this.secondDone) this.sim.post(seconds, this.finishSecond, arg);
    else if (done === this.thirdDone) this.sim.post(seconds, this.finishThird, arg);
    else this.startOtherJob(seconds, done, arg);
  }

  private startOtherJob(seconds: number, done: EventFn, arg: unknown): void {
    if (this.usualDone === null) {
      this.usualDone = done;
      this.sim.post(seconds, this.finishUsual, arg);
      return;
    }
    if (this.secondDone === null) {
      this.secondDone = done;
      this.sim.post(seconds, this.finishSecond, arg);
      return;
    }
    if (this.thirdDone === null) {
      this.thirdDone = done;
      this.sim.post(seconds, this.finishThird, arg);
      return;
    }
    const slot = this.freeJobs.length > 0 ? this.freeJobs.pop()! : this.jobFns.length;
    this.jobFns[slot] = done;
    this.jobArgs[slot] = arg;
    this.sim.post(seconds, this.finishJob, slot);
  }

  private enqueue(fn: EventFn | null, arg: unknown, duration: number): boolean {
    if (this.length >= this.queueLimit) {
      this.drops.add();
      return false;
    }
    if (this.length === this.ringFns.length) this.growRing();
    const i = (this.head + this.length) & (this.ringFns.length - 1);
    this.ringFns[i] = fn;
    this.ringArgs[i] = arg;
    this.ringDurations[i] = duration;
    this.ringArrivals[i] = this.sim.now;
    this.length++;
    this.queueLevel.update(this.sim.now, this.length);
    return true;
  }

  private growRing(): void {
    const old = this.ringFns.length;
    const mask = old - 1;
    const fns: (EventFn | null)[] = new Array(old * 2).fill(null);
    const args: unknown[] = new Array(old * 2).fill(undefined);
    const durations = new Float64Array(old * 2);
    const arrivals = new Float64Array(old * 2);
    for (let k = 0; k < this.length; k++) {
      const i = (this.head + k) & mask;
      fns[k] = this.ringFns[i];
      args[k] = this.ringArgs[i];
      durations[k] = this.ringDurations[i];
      arrivals[k] = this.ringArrivals[i];
    }
    this.ringFns = fns;
    this.ringArgs = args;
    this.ringDurations = durations;
    this.ringArrivals = arrivals;
    this.head = 0;
  }
}
