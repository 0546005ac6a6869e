// A node's NIC shared between the flows leaving it: processor sharing with a cap per flow. TCP
// streams through one bottleneck share it about fairly (max-min), and no stream goes faster
// than its CNI's single-stream rate, so with n flows each moves at min(flowCap, capacity / n).
// Leaves out: TCP's convergence to the fair share (instant here), unequal RTTs, and the
// receiving node's ingress (a flow is charged only on its sender's link; see network.ts).
//
// Every flow on a link has the same cap (one CNI per cluster), so all flows move at the same
// rate and finish in the order of their finish tags: the bits one flow had been sent when it
// joined, plus its size (the virtual time of a processor-sharing queue). Tags sit in a heap
// (engine/event-list.ts), so a flow's start or end costs O(log flows), allocates nothing once
// the heap has grown, and the link keeps one pending event: its next completion.

import { BinaryHeap } from '../engine/binary-heap.js';
import type { EventFn, EventList } from '../engine/event-list.js';
import type { Simulator } from '../engine/simulator.js';
import { TimeWeighted } from '../engine/stats/time-weighted.js';

export class SharedLink {
  /** Finish tags (in servedBits) of the active flows, their callbacks and arguments. */
  private readonly finishes: EventList = new BinaryHeap(8);
  /** Bits sent to each flow present since the link was last idle (the virtual time). */
  private servedBits = 0;
  private updatedAt = 0;
  /** Rate of each active flow, bits/s. */
  private flowRateBps = 0;
  private active = 0;
  private sequence = 0;
  private pending = -1;
  /** The tag and rate the pending event was computed from: unchanged, it stands. */
  private pendingTag = NaN;
  private pendingRate = NaN;
  /** Completions at one instant, handed out after the link is consistent again (reused). */
  private readonly doneFns: EventFn[] = [];
  private readonly doneArgs: unknown[] = [];
  /** Share of the capacity the flows use, over time: below 1 while every flow is held to its cap. */
  private readonly load: TimeWeighted;

  constructor(
    private readonly sim: Simulator,
    /** All flows together, payload bits/s. */
    readonly capacityBps: number,
    /** One flow alone, payload bits/s. */
    readonly flowCapBps: number,
  ) {
    if (!(capacityBps > 0 && flowCapBps > 0)) throw new RangeError(`link rates must be > 0, got ${capacityBps} and ${flowCapBps}`);
    this.load = new TimeWeighted(sim.now, 0);
  }

  /** Mean share of the link's capacity in use since the last reset. */
  utilisation(): number {
    return this.load.mean(this.sim.now);
  }

  /** Discards the load seen so far (end of warm-up); the flows in progress stay. */
  resetStatistics(): void {
    this.load.reset(this.sim.now);
  }

  /** Flows in progress. */
  get flows(): number {
    return this.active;
  }

  /** Sends `bits` as a new flow; calls `done(arg)` when its last bit has left. */
  start(bits: number, done: EventFn, arg: unknown): void {
    if (!(bits > 0)) throw new RangeError(`a flow carries > 0 bits, got ${bits}`);
    this.advance();
    this.active++;
    this.finishes.push(this.servedBits + bits, this.sequence++, done, arg);
    this.reschedule();
  }

  private advance(): void {
    const now = this.sim.now;
    this.servedBits += this.flowRateBps * (now - this.updatedAt);
    this.updatedAt = now;
  }

  private reschedule(): void {
    const rate = this.active === 0 ? 0 : Math.min(this.flowCapBps, this.capacityBps / this.active);
    this.flowRateBps = rate;
    this.load.update(this.sim.now, (this.active * rate) / this.capacityBps);
    const tag = this.finishes.peekTime();
    if (this.pending >= 0 && tag === this.pendingTag && rate === this.pendingRate) return;
    if (this.pending >= 0) this.sim.cancel(this.pending);
    this.pending = -1;
    if (this.active === 0) {
      // Idle: restart the virtual time, so that tags stay small and exact.
      this.servedBits = 0;
      return;
    }
    this.pendingTag = tag;
    this.pendingRate = rate;
    this.pending = this.sim.schedule(Math.max(0, (tag - this.servedBits) / rate), this.complete);
  }

  private readonly complete = (): void => {
    this.pending = -1;
    this.advance();
    // Flows within a bit (or rounding of a large virtual time) of their tag are done.
    const doneBy = this.servedBits + 1 + this.servedBits * 1e-12;
    const finishes = this.finishes;
    let count = 0;
    while (finishes.size > 0 && finishes.peekTime() <= doneBy) {
      this.doneFns[count] = finishes.pop()!;
      this.doneArgs[count] = finishes.poppedArg;
      count++;
      this.active--;
    }
    this.reschedule();
    // A callback may start another flow here: the link is already consistent.
    for (let i = 0; i < count; i++) {
      const fn = this.doneFns[i];
      const arg = this.doneArgs[i];
      this.doneFns[i] = noop;
      this.doneArgs[i] = undefined;
      fn(arg);
    }
  };
}

const noop: EventFn = () => {};
