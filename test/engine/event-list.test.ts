import { describe, it, expect } from 'vitest';
import { BinaryHeap } from '../../engine/binary-heap.js';
import type { EventFn, EventList } from '../../engine/event-list.js';
import { RandomStreams } from '../../engine/random.js';

/** Every implementation of EventList runs the same tests (the Simulator uses the BinaryHeap). */
const implementations: [string, (capacity?: number) => EventList][] = [['BinaryHeap', (capacity) => new BinaryHeap(capacity)]];

const noop: EventFn = () => {};

/** Pops everything, returning [time, seq, arg] per live entry (cancelled ones skipped). */
function drain(list: EventList): [number, number, unknown][] {
  const out: [number, number, unknown][] = [];
  while (list.size > 0) {
    const fn = list.pop();
    if (fn !== null) out.push([list.poppedTime, list.poppedSeq, list.poppedArg]);
  }
  return out;
}

describe.each(implementations)('%s', (_name, make) => {
  it('pops in (time, seq) order and hands back each entry\'s callback and argument', () => {
    const list = make();
    const first: EventFn = () => {};
    list.push(2, 0, noop, 'c');
    list.push(1, 1, first, 'a');
    list.push(2, 2, noop, 'd');
    list.push(1.5, 3, noop, 'b');
    expect(list.peekTime()).toBe(1);
    expect(list.pop()).toBe(first);
    expect([list.poppedTime, list.poppedSeq, list.poppedArg]).toEqual([1, 1, 'a']);
    expect(drain(list)).toEqual([[1.5, 3, 'b'], [2, 0, 'c'], [2, 2, 'd']]);
    expect(list.peekTime()).toBe(Infinity);
  });

  it('breaks ties by seq whatever the insertion order', () => {
    const list = make();
    for (const seq of [5, 3, 9, 0, 7, 1, 8, 2, 6, 4]) list.push(1, seq, noop, seq);
    expect(drain(list).map(([, seq]) => seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps cancelled entries in size until they reach the top, then skips them', () => {
    const list = make();
    const a = list.push(1, 0, noop, 'a');
    list.push(2, 1, noop, 'b');
    expect(list.cancel(a)).toBe(true);
    expect(list.size).toBe(2);
    expect(list.peekTime()).toBe(1); // the cancelled entry still heads the heap
    expect(list.pop()).toBeNull();
    expect(list.size).toBe(1);
    expect(drain(list)).toEqual([[2, 1, 'b']]);
  });

  it('refuses to cancel a popped entry, a cancelled one, a reused slot\'s old handle, or a made-up handle', () => {
    const list = make();
    const old = list.push(1, 0, noop, undefined);
    list.pop();
    expect(list.cancel(old)).toBe(false);
    const reuse = list.push(1, 1, noop, undefined); // takes the freed slot, with a new generation
    expect(reuse).not.toBe(old);
    expect(list.cancel(old)).toBe(false);
    expect(list.cancel(reuse)).toBe(true);
    expect(list.cancel(reuse)).toBe(false);
    expect(list.cancel(12345)).toBe(false);
    expect(list.cancel(-1)).toBe(false);
  });

  it('grows from a small capacity and stays in order through interleaved pushes, pops and cancels', () => {
    const rng = new RandomStreams(11, 0).stream('event-list-test/hold');
    const list = make(2);
    // Reference: live entries as a plain array, the minimum found by a scan.
    const live = new Map<number, { time: number; seq: number }>();
    let seq = 0;
    let now = 0;
    let pops = 0;
    for (let step = 0; step < 50_000; step++) {
      const r = rng.next();
      if (r < 0.5 || live.size === 0) {
        const time = now + Math.floor(rng.next() * 20); // integer times: ties are common
        const handle = list.push(time, seq, noop, seq);
        live.set(handle, { time, seq });
        seq++;
      } else if (r < 0.6) {
        const handles = [...live.keys()];
        const handle = handles[Math.floor(rng.next() * handles.length)];
        expect(list.cancel(handle)).toBe(true);
        live.delete(handle);
      } else {
        let fn = list.pop();
        while (fn === null) fn = list.pop();
        let best: [number, { time: number; seq: number }] | null = null;
        for (const entry of live) {
          const [, key] = entry;
          if (best === null || key.time < best[1].time || (key.time === best[1].time && key.seq < best[1].seq)) best = entry;
        }
        expect([list.poppedTime, list.poppedSeq]).toEqual([best![1].time, best![1].seq]);
        live.delete(best![0]);
        now = list.poppedTime;
        pops++;
      }
    }
    expect(pops).toBeGreaterThan(15_000);
  });

  // Growth doubles the capacity, so from 0 it must start at a minimum (typed-array writes past the
  // end are silently dropped).
  it('works from an initial capacity of 0', () => {
    const list = make(0);
    list.push(2, 0, noop, 'b');
    list.push(1, 1, noop, 'a');
    expect(drain(list)).toEqual([[1, 1, 'a'], [2, 0, 'b']]);
  });

  /**
   * Drives the list and a reference (an array kept sorted by (time, seq)) with the same random
   * pushes, pops and cancels, and requires the same pops, peekTime() and size after every step.
   * `pushProbability(step)` shapes the pending count (growth and shrink cross resize thresholds);
   * `nextTime(now, u, step)` draws an event's time. Returns the first disagreement, if any.
   */
  function differential(
    seed: number,
    steps: number,
    pushProbability: (step: number) => number,
    nextTime: (now: number, u: () => number, step: number) => number,
    nextSeq: (counter: number, u: () => number) => number = (counter) => counter,
  ): { pops: number; maxPending: number; mismatch: string | null } {
    const rng = new RandomStreams(seed, 0).stream('event-list-test/differential');
    const u = () => rng.next();
    const list = make(4);
    type Entry = { time: number; seq: number; fn: EventFn; handle: number; live: boolean; at: number };
    const reference: Entry[] = [];
    const live: Entry[] = []; // pending and not cancelled; entry.at is its index here
    const fns = [noop, () => {}];
    const removeLive = (entry: Entry) => {
      const last = live.pop()!;
      if (last !== entry) {
        live[entry.at] = last;
        last.at = entry.at;
      }
      entry.live = false;
    };
    let counter = 0;
    let now = 0;
    let pops = 0;
    let maxPending = 0;
    for (let step = 0; step < steps; step++) {
      const r = u();
      const p = pushProbability(step);
      if (reference.length === 0 || r < p) {
        const burst = u() < 0.05 ? 1 + Math.floor(u() * 50) : 1; // many events at one instant
        const time = nextTime(now, u, step);
        for (let k = 0; k < burst; k++) {
          const seq = nextSeq(counter++, u);
          const fn = fns[counter % 2];
          const handle = list.push(time, seq, fn, seq);
          const entry: Entry = { time, seq, fn, handle, live: true, at: live.length };
          live.push(entry);
          let lo = 0; // binary search for the first entry after (time, seq)
          let hi = reference.length;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            const e = reference[mid];
            if (e.time < time || (e.time === time && e.seq < seq)) lo = mid + 1;
            else hi = mid;
          }
          reference.splice(lo, 0, entry);
        }
      } else if (r < p + 0.1 && live.length > 0) {
        const entry = live[Math.floor(u() * live.length)];
        if (!list.cancel(entry.handle)) return { pops, maxPending, mismatch: `step ${step}: cancel of a pending event refused` };
        if (list.cancel(entry.handle)) return { pops, maxPending, mismatch: `step ${step}: cancelled twice` };
        removeLive(entry);
      } else {
        const expected = reference.shift()!;
        const fn = list.pop();
        const got = `${list.poppedTime}/${list.poppedSeq}/${fn === null ? 'cancelled' : String(list.poppedArg)}`;
        const want = `${expected.time}/${expected.seq}/${expected.live ? String(expected.seq) : 'cancelled'}`;
        if (got !== want) return { pops, maxPending, mismatch: `step ${step}: popped ${got}, expected ${want}` };
        if (expected.live) {
          if (fn !== expected.fn) return { pops, maxPending, mismatch: `step ${step}: wrong callback` };
          removeLive(expected);
          if (list.cancel(expected.handle)) return { pops, maxPending, mismatch: `step ${step}: cancelled an event that ran` };
        }
        now = list.poppedTime;
        pops++;
      }
      const head = reference.length > 0 ? reference[0].time : Infinity;
      if (list.size !== reference.length || list.peekTime() !== head) {
        return { pops, maxPending, mismatch: `step ${step}: size ${list.size}, peekTime ${list.peekTime()}; expected ${reference.length}, ${head}` };
      }
      maxPending = Math.max(maxPending, reference.length);
    }
    return { pops, maxPending, mismatch: null };
  }

  /** Grows to about 3,000 pending, holds, drains to a handful, twice over. */
  const growHoldShrink = (step: number) => [0.75, 0.5, 0.2, 0.75, 0.5, 0.2][Math.floor(step / 10_000) % 6];

  /** This project's delays: sub-microsecond CPU jobs and hops to minutes of timers, exact ties, Infinity. */
  function skewedDelay(now: number, u: () => number): number {
    const r = u();
    if (r < 0.1) return now; // at once
    if (r < 0.35) return now + 1e-7 * (1 + u()); // CPU job, hop
    if (r < 0.45) return now + 5e-6; // a fixed cost: exact ties
    if (r < 0.65) return now - Math.log(1 - u()) * 1e-3; // a request
    if (r < 0.75) return now + (u() < 0.5 ? 1 : 3); // SYN retransmits
    if (r < 0.85) return now + 30; // sync period
    if (r < 0.97) return now + 1e3 * u();
    return Infinity;
  }

  it('pops exactly as a sorted reference under skewed delays, bursts of ties, Infinity, growth and shrink', () => {
    const { pops, maxPending, mismatch } = differential(21, 60_000, growHoldShrink, skewedDelay);
    expect(mismatch).toBeNull();
    expect(pops).toBeGreaterThan(20_000);
    expect(maxPending).toBeGreaterThan(2_000);
  });

  it('pops exactly as a sorted reference when the time scale jumps by orders of magnitude', () => {
    // Phases of 5,000 steps whose mean delays are 1e-7 s to 1e3 s in turn: the width must adapt.
    const scale = [1e-7, 1e-3, 1, 1e3, 1e-5, 10];
    const { pops, mismatch } = differential(
      22,
      60_000,
      (step) => (step % 20_000 < 10_000 ? 0.6 : 0.45),
      (now, u, step) => now - Math.log(1 - u()) * scale[Math.floor(step / 5_000) % scale.length],
    );
    expect(mismatch).toBeNull();
    expect(pops).toBeGreaterThan(20_000);
  });

  it('pops exactly as a sorted reference when pushes go before the last pop and seqs arrive out of order', () => {
    // As models/nic.ts uses it: keys are not a clock, and may restart from 0.
    const { pops, mismatch } = differential(
      23,
      40_000,
      growHoldShrink,
      (now, u) => (u() < 0.01 ? 0 : u() < 0.3 ? now + u() * 1e-4 : Math.floor(u() * 200) * (u() < 0.5 ? 1 : 1e4)),
      (counter, u) => counter + Math.floor(u() * 1e6) * 1e6, // unique (counter < 1e6), not monotone
    );
    expect(mismatch).toBeNull();
    expect(pops).toBeGreaterThan(10_000);
  });

  it('pops exactly as a sorted reference when thousands share a time and their followers land among them', () => {
    // Timers on a whole-second grid (thousands per instant at the peak) and followers up to
    // 10 µs after the event that scheduled them, arriving out of order among each other.
    const { pops, maxPending, mismatch } = differential(
      26,
      60_000,
      growHoldShrink,
      (now, u) => (u() < 0.4 ? Math.floor(now) + 1 + Math.floor(u() * 3) : now + u() * 1e-5),
    );
    expect(mismatch).toBeNull();
    expect(pops).toBeGreaterThan(20_000);
    expect(maxPending).toBeGreaterThan(2_000);
  });

  it('puts an event pushed after peeking at far entries (Infinity, 1e300) before them', () => {
    // The Simulator peeks before it pops: with only far entries pending, run({ until }) stops at
    // peekTime() and a callback may then schedule a finite event, later than any popped so far.
    for (const far of [Infinity, 1e300]) {
      const list = make();
      for (let i = 0; i < 100; i++) list.push(far, i, noop, 'far'); // enough to leave the small mode
      for (let i = 0; i < 100; i++) list.push(i, 100 + i, noop, i);
      for (let i = 0; i < 100; i++) list.pop();
      expect(list.peekTime()).toBe(far);
      list.push(2000, 200, noop, 'later');
      list.push(1000, 201, noop, 'sooner');
      expect(list.peekTime()).toBe(1000);
      expect(drain(list).map(([, , arg]) => arg)).toEqual(['sooner', 'later', ...Array(100).fill('far')]);
    }
  });

  it('holds only Infinity entries and pops them in seq order', () => {
    const list = make();
    for (let i = 0; i < 100; i++) list.push(Infinity, i, noop, i);
    list.push(5, 100, noop, 'finite');
    expect(list.peekTime()).toBe(5);
    expect(drain(list).map(([time, seq]) => [time, seq])).toEqual([[5, 100], ...Array.from({ length: 100 }, (_, i) => [Infinity, i])]);
  });
});
