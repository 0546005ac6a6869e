// The worker pools of the simulated server pods: per pod, c workers and an unlimited FIFO line,
// served exactly as engine/server.ts serves (same events in the same order), keeping only the
// statistic the point reports, busy workers over time (utilisation), as TimeWeighted keeps it.
//
// Why not a Server per pod: a request touches a pool picked at random among thousands (3,000 at
// point-100-nodes), and a Server's statistics are four small objects apart from it, each a cache
// miss. Here a pool's state is four float64s side by side, indexed by serving pod: one cache line
// (docs/performance.md, "Worker pools").

import type { Simulator } from '../engine/simulator.js';
import type { Request } from './parts.js';

/** Float64s per pool in `state`: busy-area integral, time of its last change, busy workers, workers. */
const STRIDE = 4;
const AREA = 0;
const LAST_TIME = 1;
const BUSY = 2;
const WORKERS = 3;

/** Requests waiting for a worker of one pool, with their service times, oldest first. */
class WaitingLine {
  requests: Request[] = [];
  seconds: number[] = [];
  head = 0;

  get length(): number {
    return this.requests.length - this.head;
  }

  push(request: Request, seconds: number): void {
    this.requests.push(request);
    this.seconds.push(seconds);
  }

  /** Takes the oldest entry out: its request is returned, its service time left in `shiftedSeconds`. */
  shift(): Request {
    const i = this.head++;
    const request = this.requests[i];
    this.shiftedSeconds = this.seconds[i];
    if (this.head === this.requests.length) {
      this.requests.length = 0;
      this.seconds.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && 2 * this.head >= this.requests.length) {
      this.requests.splice(0, this.head);
      this.seconds.splice(0, this.head);
      this.head = 0;
    }
    return request;
  }

  shiftedSeconds = 0;
}

export class WorkerPools {
  /** Pool of serving pod p at [STRIDE·p, STRIDE·p + STRIDE); WORKERS is 0 until the pool exists. */
  private state = new Float64Array(STRIDE * 256);
  /** When each pool's statistics began: its creation, or the last reset. */
  private startTimes = new Float64Array(256);
  /** Serving pods with a pool, in order of creation (the statistics are summed in this order). */
  private readonly created: number[] = [];
  private readonly waiting: (WaitingLine | undefined)[] = [];
  private readonly finished: (request: Request) => void;

  constructor(
    private readonly sim: Simulator,
    done: (request: Request) => void,
    /** How long a worker is held by a request's service time starting now (a CPU limit's pauses stretch it). */
    private readonly hold: (request: Request, seconds: number, now: number) => number = (_request, seconds) => seconds,
  ) {
    this.finished = (request: Request) => {
      this.release(request.servingPod);
      done(request);
    };
  }

  /**
   * The request takes a worker of its serving pod's pool for `seconds`, waiting for one if all
   * are busy, then calls done; the pool is created on first use with the workload's workers.
   */
  serve(request: Request, seconds: number): void {
    const pod = request.servingPod;
    if (STRIDE * pod >= this.state.length) this.grow(pod);
    const state = this.state;
    const at = STRIDE * pod;
    if (state[at + WORKERS] === 0) this.create(pod, request.workload.workers);
    const busy = state[at + BUSY];
    if (busy === state[at + WORKERS]) {
      let line = this.waiting[pod];
      if (line === undefined) this.waiting[pod] = line = new WaitingLine();
      line.push(request, seconds);
      return;
    }
    const now = this.sim.now;
    state[at + AREA] += busy * (now - state[at + LAST_TIME]);
    state[at + LAST_TIME] = now;
    state[at + BUSY] = busy + 1;
    this.sim.post(this.hold(request, seconds, now), this.finished, request);
  }

  /** A worker of pod's pool is free: the head of the line takes it at once, or it goes idle. */
  private release(pod: number): void {
    const line = this.waiting[pod];
    if (line !== undefined && line.length > 0) {
      const next = line.shift();
      this.sim.post(this.hold(next, line.shiftedSeconds, this.sim.now), this.finished, next);
      return;
    }
    const state = this.state;
    const at = STRIDE * pod;
    const now = this.sim.now;
    const busy = state[at + BUSY];
    state[at + AREA] += busy * (now - state[at + LAST_TIME]);
    state[at + LAST_TIME] = now;
    state[at + BUSY] = busy - 1;
  }

  private create(pod: number, workers: number): void {
    const at = STRIDE * pod;
    const now = this.sim.now;
    this.state[at + AREA] = 0;
    this.state[at + LAST_TIME] = now;
    this.state[at + BUSY] = 0;
    this.state[at + WORKERS] = workers;
    this.startTimes[pod] = now;
    this.created.push(pod);
  }

  private grow(pod: number): void {
    let pools = this.startTimes.length;
    while (pools <= pod) pools *= 2;
    const state = new Float64Array(STRIDE * pools);
    state.set(this.state);
    this.state = state;
    const startTimes = new Float64Array(pools);
    startTimes.set(this.startTimes);
    this.startTimes = startTimes;
  }

  /** Each pool's mean fraction of workers busy since its creation or the last reset, in order of creation. */
  utilisations(): number[] {
    const now = this.sim.now;
    return this.created.map((pod) => {
      const at = STRIDE * pod;
      const busy = this.state[at + BUSY];
      const length = now - this.startTimes[pod];
      // As TimeWeighted.mean, to the bit.
      const mean = length === 0 ? busy : (this.state[at + AREA] + busy * (now - this.state[at + LAST_TIME])) / length;
      return mean / this.state[at + WORKERS];
    });
  }

  /** Discards statistics gathered so far (end of warm-up); busy workers and waiting lines stay. */
  resetStatistics(): void {
    const now = this.sim.now;
    for (const pod of this.created) {
      this.state[STRIDE * pod + AREA] = 0;
      this.state[STRIDE * pod + LAST_TIME] = now;
      this.startTimes[pod] = now;
    }
  }

  /** Pools created so far. */
  get count(): number {
    return this.created.length;
  }
}
