// The discrete-event simulator: a clock, a pending-event list, and the loop that runs it.
// Time is in seconds (float64). It knows nothing of what the events mean.

import { BinaryHeap } from './binary-heap.js';
import type { EventFn, EventList } from './event-list.js';
import { resumeProcess, SUSPEND, type Process } from './process.js';

export type { EventFn };

export interface RunOptions {
  /** Stop before the first event later than this time, and leave the clock at it. */
  until?: number;
}

/** Called once per executed event when tracing is on (fingerprints, debugging). */
export type EventTracer = (time: number, fn: EventFn, arg: unknown) => void;

export class Simulator {
  /** The current simulated time, in seconds. */
  now = 0;
  /** Events started so far, the running one included (cancelled ones are not counted). */
  eventsExecuted = 0;
  private readonly events: EventList = new BinaryHeap();
  /** Scheduling order; breaks ties between equal times so that they run FIFO. A float64, so it never wraps. */
  private nextSeq = 0;
  private stopped = false;
  private tracer: EventTracer | null = null;
  /** The process whose generator is running, so that timeout() and resource requests know whom to wake. */
  activeProcess: Process<any> | null = null;

  /** Runs `fn(arg)` after `delaySeconds` (≥ 0). Returns a handle for cancel(). */
  schedule(delaySeconds: number, fn: EventFn, arg?: unknown): number {
    if (!(delaySeconds >= 0)) throw new RangeError(`delay must be ≥ 0 and finite-or-Infinity, got ${delaySeconds}`);
    return this.events.push(this.now + delaySeconds, this.nextSeq++, fn, arg);
  }

  /**
   * schedule() for an event nobody will cancel: no handle. The engine's own events (a Server's job
   * ends) go this way: a handle is a float64 beyond the small integers, so where V8 does not
   * inline schedule() returning it allocates a heap number (docs/performance.md, "Simulator").
   */
  post(delaySeconds: number, fn: EventFn, arg?: unknown): void {
    if (!(delaySeconds >= 0)) throw new RangeError(`delay must be ≥ 0 and finite-or-Infinity, got ${delaySeconds}`);
    this.events.push(this.now + delaySeconds, this.nextSeq++, fn, arg);
  }

  /** Runs `fn(arg)` at absolute time `time` (≥ now). Returns a handle for cancel(). */
  at(time: number, fn: EventFn, arg?: unknown): number {
    if (!(time >= this.now)) throw new RangeError(`cannot schedule at ${time}, before now (${this.now})`);
    return this.events.push(time, this.nextSeq++, fn, arg);
  }

  /** Cancels a pending event. Returns false if it already ran or was cancelled. */
  cancel(handle: number): boolean {
    return this.events.cancel(handle);
  }

  /** In a process: `yield sim.timeout(d)` resumes it after d seconds. */
  timeout(delaySeconds: number): typeof SUSPEND {
    const process = this.activeProcess;
    if (process === null) throw new Error('sim.timeout() is for processes; callbacks use sim.schedule()');
    process.pendingHandle = this.schedule(delaySeconds, resumeProcess, process);
    return SUSPEND;
  }

  /** Makes run() return after the current event. */
  stop(): void {
    this.stopped = true;
  }

  /** Time of the next pending event (possibly a cancelled one), Infinity when none. */
  peekTime(): number {
    return this.events.peekTime();
  }

  /** Pending entries, cancelled ones included until they reach the top. */
  get pendingCount(): number {
    return this.events.size;
  }

  /** Traces every executed event (slower loop); null turns tracing off. */
  trace(tracer: EventTracer | null): void {
    this.tracer = tracer;
  }

  /** Runs events in (time, scheduling order) until none is left, `until` is passed, or stop(). */
  run(options: RunOptions = {}): void {
    const until = options.until ?? Infinity;
    if (Number.isNaN(until)) throw new RangeError('run({ until }) needs a time, got NaN');
    const events = this.events;
    const tracer = this.tracer;
    this.stopped = false;
    // `=== false`: a bare `!this.stopped` compiled to a full truthiness test, ten instructions (V8 11).
    while (events.size > 0 && this.stopped === false) {
      if (events.peekTime() > until) break;
      const fn = events.pop();
      if (fn === null) continue; // cancelled: lazy deletion
      this.now = events.poppedTime;
      this.eventsExecuted++;
      if (tracer !== null) tracer(this.now, fn, events.poppedArg);
      fn(events.poppedArg);
    }
    if (!this.stopped && until !== Infinity && this.now < until) this.now = until;
  }
}
