import { describe, it, expect } from 'vitest';
import { EventList, type EventFn } from '../../engine/event-list.js';
import { RandomStreams } from '../../engine/random.js';

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

describe('EventList', () => {
  it('pops in (time, seq) order and hands back each entry\'s callback and argument', () => {
    const list = new EventList();
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
    const list = new EventList();
    for (const seq of [5, 3, 9, 0, 7, 1, 8, 2, 6, 4]) list.push(1, seq, noop, seq);
    expect(drain(list).map(([, seq]) => seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('keeps cancelled entries in size until they reach the top, then skips them', () => {
    const list = new EventList();
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
    const list = new EventList();
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
    const list = new EventList(2);
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

  // BUG (engine/event-list.ts): growHeap and growSlots double the capacity, so from 0 they stay at
  // 0; typed-array writes past the end are silently dropped and pop() returns garbage. Written as
  it('works from an initial capacity of 0', () => {
    const list = new EventList(0);
    list.push(2, 0, noop, 'b');
    list.push(1, 1, noop, 'a');
    expect(drain(list)).toEqual([[1, 1, 'a'], [2, 0, 'b']]);
  });
});
