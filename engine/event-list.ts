// The pending-event set's contract, as ns-3's Scheduler is one: events keyed by (time, seq),
// popped earliest first, equal times in seq order (FIFO), cancellable by handle. The Simulator
// and the NIC model (models/nic.ts) hold one through this type; binary-heap.ts implements it.
// Why a binary heap and not a calendar queue: docs/performance.md, "Event list".

/** An event's callback. */
export type EventFn = (arg: any) => void;

export interface EventList {
  /** Entries, cancelled ones included until they are popped. */
  readonly size: number;
  /** Set by pop(): the popped event's time and argument. */
  readonly poppedTime: number;
  readonly poppedArg: unknown;
  /** The last popped event's sequence number; valid until the next push. */
  readonly poppedSeq: number;
  /** Adds an event and returns its handle. */
  push(time: number, seq: number, fn: EventFn, arg: unknown): number;
  /** Time of the earliest entry (possibly a cancelled one); Infinity when empty. */
  peekTime(): number;
  /** Removes the earliest entry and returns its callback, or null if it was cancelled; needs size > 0. */
  pop(): EventFn | null;
  /**
   * Clears a pending event's callback (lazy deletion). False if it already ran, was cancelled,
   * or its slot was reused since.
   */
  cancel(handle: number): boolean;
}
