// A count of events (requests, drops, queries). Rates are the caller's: total / measured seconds.

export class Counter {
  private count = 0;

  add(n = 1): void {
    this.count += n;
  }

  get total(): number {
    return this.count;
  }

  /** Warm-up deletion: forget everything counted so far. */
  reset(): void {
    this.count = 0;
  }
}
