// Event-list candidates for engine/event-list.ts (the table there has their figures). Each keeps
// a callback per event, as the Simulator must; only the engine's own lists support cancel.

import FlatQueue from 'flatqueue';
import { Heap } from 'heap-js';
import { BinaryHeap } from '../engine/binary-heap.js';
import { CalendarQueue } from '../engine/calendar-queue.js';
import type { EventFn } from '../engine/event-list.js';

/** The operations the hold model needs. */
export interface CandidateQueue {
  readonly fifo: boolean;
  size: number;
  push(time: number, seq: number, fn: EventFn): void;
  /** Removes the earliest event; returns its callback and leaves its time in poppedTime. */
  pop(): EventFn | null;
  poppedTime: number;
}

/** The same typed-array layout as EventList, with four children per node. */
class QuaternaryHeap implements CandidateQueue {
  readonly fifo = true;
  size = 0;
  poppedTime = 0;
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private slots = new Int32Array(1024);
  private fns: (EventFn | null)[] = [];
  private free: number[] = [];

  push(time: number, seq: number, fn: EventFn): void {
    const slot = this.free.length > 0 ? this.free.pop()! : this.fns.length;
    this.fns[slot] = fn;
    if (this.size === this.times.length) this.grow();
    const { times, seqs, slots } = this;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const pt = times[parent];
      if (pt < time || (pt === time && seqs[parent] < seq)) break;
      times[i] = pt;
      seqs[i] = seqs[parent];
      slots[i] = slots[parent];
      i = parent;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  pop(): EventFn | null {
    const { times, seqs, slots } = this;
    const top = slots[0];
    this.poppedTime = times[0];
    const fn = this.fns[top];
    this.fns[top] = null;
    this.free.push(top);
    const n = --this.size;
    if (n > 0) {
      const time = times[n];
      const seq = seqs[n];
      const last = slots[n];
      let i = 0;
      for (;;) {
        const first = 4 * i + 1;
        if (first >= n) break;
        let best = first;
        let bt = times[first];
        let bs = seqs[first];
        const end = Math.min(first + 4, n);
        for (let c = first + 1; c < end; c++) {
          const ct = times[c];
          if (ct < bt || (ct === bt && seqs[c] < bs)) {
            best = c;
            bt = ct;
            bs = seqs[c];
          }
        }
        if (time < bt || (time === bt && seq < bs)) break;
        times[i] = bt;
        seqs[i] = bs;
        slots[i] = slots[best];
        i = best;
      }
      times[i] = time;
      seqs[i] = seq;
      slots[i] = last;
    }
    return fn;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    const seqs = new Float64Array(this.times.length * 2);
    const slots = new Int32Array(this.times.length * 2);
    times.set(this.times);
    seqs.set(this.seqs);
    slots.set(this.slots);
    this.times = times;
    this.seqs = seqs;
    this.slots = slots;
  }
}

/** flatqueue keyed by time alone: fast, but equal times come out in no guaranteed order. */
class FlatQueueCandidate implements CandidateQueue {
  readonly fifo = false;
  poppedTime = 0;
  private queue = new FlatQueue<number>();
  private fns: (EventFn | null)[] = [];
  private free: number[] = [];

  get size(): number {
    return this.queue.length;
  }

  push(time: number, _seq: number, fn: EventFn): void {
    const slot = this.free.length > 0 ? this.free.pop()! : this.fns.length;
    this.fns[slot] = fn;
    this.queue.push(slot, time);
  }

  pop(): EventFn | null {
    this.poppedTime = this.queue.peekValue()!;
    const slot = this.queue.pop()!;
    const fn = this.fns[slot];
    this.fns[slot] = null;
    this.free.push(slot);
    return fn;
  }
}

interface HeapEvent {
  time: number;
  seq: number;
  fn: EventFn;
}

/** heap-js over one object per event, compared by (time, seq). */
class HeapJsCandidate implements CandidateQueue {
  readonly fifo = true;
  poppedTime = 0;
  private heap = new Heap<HeapEvent>((a, b) => a.time - b.time || a.seq - b.seq);

  get size(): number {
    return this.heap.length;
  }

  push(time: number, seq: number, fn: EventFn): void {
    this.heap.push({ time, seq, fn });
  }

  pop(): EventFn | null {
    const event = this.heap.pop()!;
    this.poppedTime = event.time;
    return event.fn;
  }
}

/** The engine's binary heap, adapted (its push also returns a cancel handle). */
class BinaryHeapCandidate implements CandidateQueue {
  readonly fifo = true;
  private list = new BinaryHeap();
  get size(): number {
    return this.list.size;
  }
  get poppedTime(): number {
    return this.list.poppedTime;
  }
  push(time: number, seq: number, fn: EventFn): void {
    this.list.push(time, seq, fn, undefined);
  }
  pop(): EventFn | null {
    return this.list.pop();
  }
}

/** The engine's calendar queue, adapted likewise (a class of its own, so that each call site sees one list class). */
class CalendarQueueCandidate implements CandidateQueue {
  readonly fifo = true;
  private list = new CalendarQueue();
  get size(): number {
    return this.list.size;
  }
  get poppedTime(): number {
    return this.list.poppedTime;
  }
  push(time: number, seq: number, fn: EventFn): void {
    this.list.push(time, seq, fn, undefined);
  }
  pop(): EventFn | null {
    return this.list.pop();
  }
}

export const candidates: Record<string, () => CandidateQueue> = {
  'binary-heap (engine)': () => new BinaryHeapCandidate(),
  'calendar-queue (engine)': () => new CalendarQueueCandidate(),
  'quaternary-typed': () => new QuaternaryHeap(),
  flatqueue: () => new FlatQueueCandidate(),
  'heap-js': () => new HeapJsCandidate(),
};
