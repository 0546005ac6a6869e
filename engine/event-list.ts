// The pending-event set: events keyed by (time, seq), popped earliest first, equal times in seq
// order (FIFO), cancellable by handle. Two implementations, one file each, with one interface:
//   push(time, seq, fn, arg) → handle   adds an event
//   peekTime()                          the earliest entry's time (a cancelled one too), Infinity when empty
//   pop() → fn | null                   removes the earliest: its callback, or null if cancelled;
//                                       sets poppedTime, poppedArg, poppedSeq
//   cancel(handle) → boolean            clears a pending event's callback (lazy deletion); false
//                                       if it already ran, was cancelled, or its slot was reused
//   size                                entries, cancelled ones included until popped
// Both pop in exactly the same order for any input (test/engine/event-list.test.ts runs them
// against a sorted reference), so which one the Simulator uses changes no result.
//
//                   push / pop (amortised)   memory per pending event
//   BinaryHeap      O(log n) / O(log n)      12 B heap + 24 B slot table
//   CalendarQueue   O(1) / O(1) for widths   16 B record + 8 B seq + 2–8 buckets × 4 B,
//                   that suit; O(log n) for  + 12 B in the far heap when there
//                   far-future events        (+ slot table's callback and argument in both)
//
// Chosen: CalendarQueue, by measurement. Through the Simulator (bench/engine.bench.ts
// holdSimulator and mm1, bench/points.bench.ts), each tree in its own process, heap then
// calendar, 4 alternating rounds of medians of 5 (3 of medians of 3 for the point); a shared
// 2-core machine under another session's load, so the ratios are the figures to read:
//                      heap          calendar      per-round ratio, median
//   hold-1000          4.36 M ev/s   4.85 M ev/s   1.14
//   hold-100000        1.46 M ev/s   2.49 M ev/s   1.57
//   mm1-callbacks      3.95 M ev/s   4.36 M ev/s   1.12
//   mm1-processes      2.07 M ev/s   2.65 M ev/s   1.27
//   point-100-nodes    7.74 s wall   7.16 s wall   0.78 (60 s simulated)
// On the real model (point-100-nodes, 20 s simulated) the calendar did 0.037 scan or shift
// steps per pop, sent 0.34 % of pushes to its far heap and rebuilt 3 times: its skewed delays
// (sub-microsecond hops beside 1 s and 3 s SYN retransmits and 30 s syncs) do not degrade it.
// Bare queues in one process (bench/event-list-candidates.ts, `npm run bench -- --only hold`)
// rank it above the heap too; that table's figures are in the commit that adopted it.

/** An event's callback. */
export type EventFn = (arg: any) => void;

export { CalendarQueue as EventList } from './calendar-queue.js';
