// The pending-event set: events keyed by (time, seq), popped earliest first, equal times in seq
// order (FIFO), cancellable by handle.
//
// Every implementation has the same interface and pops in exactly the same order:
//   push(time, seq, fn, arg) → handle    adds an event
//   peekTime()                           earliest entry's time (cancelled ones too), Infinity when empty
//   pop() → fn | null                    removes the earliest; null if it was cancelled; sets
//                                        poppedTime, poppedArg, poppedSeq
//   cancel(handle) → boolean             clears a pending event's callback (lazy deletion);
//                                        false if it already ran or its slot was reused
//   size                                 entries, cancelled ones included until popped
//
// (Measurements: see below.)

/** An event's callback. */
export type EventFn = (arg: any) => void;

export { BinaryHeap as EventList } from './binary-heap.js';
