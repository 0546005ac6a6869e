// Generator-based processes: a request's life written as straight-line code.
//
//   function* client(sim: Simulator, server: Server) {
//     yield sim.timeout(0.5);                       // wait simulated time
//     const granted: boolean = yield server.request(); // queue for a server (false: dropped)
//     ...
//   }
//   spawn(sim, client(sim, server));
//
// Driven synchronously: no promises, no microtasks. A yielded command either registers the
// process's wake-up with whatever will wake it (an event, a queue, a signal) and suspends, or
// says the process may go on at once (a free server), in which case the driver loops without
// scheduling anything. The cost per resumption is one generator step (bench mm1-processes).
// Timeouts and Server grants wake a process through shared functions given the process as the
// argument, so that a process needs no closure of its own unless it waits on a Signal, joins or
// is interrupted (docs/performance.md, "Processes").

import type { EventFn } from './event-list.js';

/**
 * What a process needs of the Simulator (engine/simulator.ts), which satisfies it: declared here
 * so that the simulator, which drives processes, and this file do not import each other.
 */
export interface ProcessHost {
  /** The process whose generator is running. */
  activeProcess: Process<any> | null;
  schedule(delaySeconds: number, fn: EventFn, arg?: unknown): number;
  post(delaySeconds: number, fn: EventFn, arg?: unknown): void;
  cancel(handle: number): boolean;
}

// The two commands are objects rather than symbols so that TypeScript keeps their types when it
// infers a generator's yield type (a yielded unique symbol widens to `symbol`).
export interface Suspend {
  readonly command: 'suspend';
}
export interface Continue {
  readonly command: 'continue';
}
/** A yielded value that says: the process has registered its wake-up; suspend. */
export const SUSPEND: Suspend = Object.freeze({ command: 'suspend' });
/** A yielded value that says: go on now, with the value in `process.immediateValue`. */
export const CONTINUE: Continue = Object.freeze({ command: 'continue' });

/** Something a waiting process can be taken out of when it is interrupted. */
export interface WaitQueue {
  /** Takes out the waiter `resume`, or the entry that wakes `process` through a shared function. */
  removeWaiter(resume: (value: any) => void, process?: Process<any>): void;
}

type Command = typeof SUSPEND | typeof CONTINUE | Signal<any> | Process<any>;
export type ProcessGenerator<R = unknown> = Generator<Command, R, any>;

/** Thrown into a process's generator by interrupt(). */
export class Interrupt extends Error {
  constructor(readonly reason: unknown) {
    super(`process interrupted: ${String(reason)}`);
    this.name = 'Interrupt';
  }
}

/** A timeout's callback: the process is the event's argument, so no closure per process. */
export function resumeProcess(process: Process<any>): void {
  process.wake(undefined);
}

/** A Server grant's callback, as resumeProcess: the request evaluates to true. */
export function grantProcess(process: Process<any>): void {
  process.wake(true);
}

export class Process<R = unknown> implements WaitQueue {
  done = false;
  result: R | undefined = undefined;
  /** Error thrown out of the generator, if it ended that way. */
  error: unknown = undefined;
  /** Set by a command that returns CONTINUE: the value the yield evaluates to. */
  immediateValue: unknown = undefined;
  /** The pending timeout, while the process sleeps in sim.timeout(). */
  pendingHandle = -1;
  /** The queue or signal the process waits in, if any. */
  waitingOn: WaitQueue | null = null;
  private resumeFn: ((value: unknown) => void) | null = null;
  private joiners: ((value: unknown) => void)[] | null = null;
  /**
   * True while the process waits in a wait it registered (and before its first step); only then
   * may `resume` run it. interrupt() clears it, so a wake-up already scheduled when the interrupt
   * came (a Signal fired, a joined process ended, the first step, in the same instant) is
   * discarded rather than resuming the process a second time.
   */
  private suspended = true;
  /** The scheduled delivery of an Interrupt; made at the first interrupt(). */
  private deliverInterrupt: ((error: Interrupt) => void) | null = null;

  constructor(
    readonly sim: ProcessHost,
    private readonly generator: ProcessGenerator<R>,
  ) {}

  /** Resumes the process with a value; handed to whatever will wake it. Made on first use. */
  get resume(): (value: unknown) => void {
    return (this.resumeFn ??= (value: unknown) => this.wake(value));
  }

  /** What resume does: runs the process on with `value`, if it is waiting (see `suspended`). */
  wake(value: unknown): void {
    if (this.suspended) this.step(value, false);
  }

  /**
   * Throws an Interrupt into the process at the current time, wherever it waits. It leaves its
   * wait at once (its timeout is cancelled, it leaves a queue or signal), and a wake-up already
   * on its way in the same instant is discarded: the Interrupt wins, as in SimPy. A process
   * interrupted before its first step ends with the Interrupt without running.
   */
  interrupt(reason: unknown): void {
    if (this.done) return;
    this.leaveWait();
    this.deliverInterrupt ??= (error: Interrupt) => {
      if (this.done) return;
      this.leaveWait(); // a wait entered since interrupt() (after an earlier Interrupt was caught)
      this.step(error, true);
    };
    this.sim.schedule(0, this.deliverInterrupt, new Interrupt(reason));
  }

  /** Joiners are waiters too: an interrupted joiner leaves the list. */
  removeWaiter(fn: (value: any) => void): void {
    const joiners = this.joiners;
    if (joiners === null) return;
    const i = joiners.indexOf(fn);
    if (i >= 0) joiners.splice(i, 1);
  }

  private leaveWait(): void {
    this.suspended = false;
    if (this.pendingHandle >= 0) {
      this.sim.cancel(this.pendingHandle);
      this.pendingHandle = -1;
    }
    if (this.waitingOn !== null) {
      this.waitingOn.removeWaiter(this.resume, this);
      this.waitingOn = null;
    }
  }

  /** Registers a callback for the process's end (immediately scheduled if it has ended). */
  onDone(fn: (result: unknown) => void): void {
    if (this.done) this.sim.schedule(0, fn, this.result);
    else (this.joiners ??= []).push(fn);
  }

  private step(value: unknown, isThrow: boolean): void {
    const sim = this.sim;
    const outer = sim.activeProcess;
    sim.activeProcess = this;
    this.pendingHandle = -1;
    this.waitingOn = null;
    this.suspended = false;
    try {
      let next = isThrow ? this.generator.throw(value) : this.generator.next(value);
      for (;;) {
        if (next.done) {
          this.finish(next.value);
          break;
        }
        const command = next.value;
        if (command === SUSPEND) {
          this.suspended = true;
          break;
        }
        if (command === CONTINUE) {
          next = this.generator.next(this.immediateValue);
          continue;
        }
        if (command instanceof Signal) {
          command.addWaiter(this.resume);
          this.waitingOn = command;
          this.suspended = true;
          break;
        }
        if (command instanceof Process) {
          // Waiting on the other process's end, so that interrupt() can take this one out.
          if (command.done) this.pendingHandle = sim.schedule(0, this.resume, command.result);
          else {
            command.onDone(this.resume);
            this.waitingOn = command;
          }
          this.suspended = true;
          break;
        }
        throw new TypeError(`a process yielded ${String(command)}; yield sim.timeout(), a resource request, a Signal or a Process`);
      }
    } catch (error) {
      this.done = true;
      this.error = error;
      throw error;
    } finally {
      sim.activeProcess = outer;
    }
  }

  private finish(result: R): void {
    this.done = true;
    this.result = result;
    const joiners = this.joiners;
    if (joiners !== null) {
      this.joiners = null;
      for (const fn of joiners) this.sim.schedule(0, fn, result);
    }
  }
}

export interface SpawnOptions {
  /**
   * Run the first step at once, inside the caller, rather than as an event after those already
   * due now: spawn() returns when the process first waits or ends, and an error thrown in that
   * step comes out of spawn(). It saves an event per process, for one that needs nothing else to
   * happen first, e.g. a request started by its arrival (docs/performance.md, "Processes").
   */
  immediate?: boolean;
}

/** Starts a process at the current time (its first step runs as an event, in scheduling order). */
export function spawn<R>(sim: ProcessHost, generator: ProcessGenerator<R>, options?: SpawnOptions): Process<R> {
  const process = new Process(sim, generator);
  if (options?.immediate === true) process.wake(undefined);
  else sim.post(0, resumeProcess, process);
  return process;
}

/**
 * A broadcast condition: `yield signal` waits for the next fire(); fire(value) wakes every
 * waiter at the current time, in the order they began waiting, with that value.
 */
export class Signal<T = unknown> implements WaitQueue {
  private waiters: ((value: T) => void)[] = [];

  constructor(private readonly sim: ProcessHost) {}

  get waiting(): number {
    return this.waiters.length;
  }

  /** Waits from callback code: fn(value) runs at the next fire(). */
  addWaiter(fn: (value: T) => void): void {
    this.waiters.push(fn);
  }

  removeWaiter(fn: (value: any) => void): void {
    const i = this.waiters.indexOf(fn);
    if (i >= 0) this.waiters.splice(i, 1);
  }

  fire(value: T): void {
    const waiters = this.waiters;
    if (waiters.length === 0) return;
    this.waiters = [];
    for (const fn of waiters) this.sim.schedule(0, fn, value);
  }
}
