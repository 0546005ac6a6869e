// Time-weighted average of a piecewise-constant level: queue length, busy servers,
// conntrack table occupancy. The level holds from one update to the next; the mean
// over [start, now] is the area under the step function divided by its length.

function timeWentBackwards(now: number, lastTime: number): never {
  throw new RangeError(`time went backwards: ${now} < ${lastTime}`);
}

export class TimeWeighted {
  // Every field starts as a number: a field first defined as undefined stays "tagged" in
  // V8 and boxes each float stored into it, which allocated on every update (measured).
  private current = 0;
  private largest = 0;
  private startTime = 0;
  private lastTime = 0;
  /** Integral of the level from startTime to lastTime. */
  private area = 0;

  constructor(now = 0, level = 0) {
    this.startTime = now;
    this.lastTime = now;
    this.current = level;
    this.largest = level;
  }

  /** The level changes to `level` at time `now` (now must not go backwards). */
  update(now: number, level: number): void {
    if (now < this.lastTime) timeWentBackwards(now, this.lastTime);
    this.area += this.current * (now - this.lastTime);
    this.lastTime = now;
    this.current = level;
    if (level > this.largest) this.largest = level;
  }

  /** Convenience for counts: level += delta at time `now`. */
  add(now: number, delta: number): void {
    this.update(now, this.current + delta);
  }

  get level(): number {
    return this.current;
  }

  /** Largest level held since construction or the last reset. */
  get max(): number {
    return this.largest;
  }

  /** Time-weighted mean over [start or last reset, now]; the current level for an empty window. */
  mean(now: number): number {
    if (now < this.lastTime) timeWentBackwards(now, this.lastTime);
    const length = now - this.startTime;
    if (length === 0) return this.current;
    return (this.area + this.current * (now - this.lastTime)) / length;
  }

  /** Warm-up deletion: discard history before `now`, keep the current level (the queue is still there). */
  reset(now: number): void {
    if (now < this.lastTime) timeWentBackwards(now, this.lastTime);
    this.startTime = now;
    this.lastTime = now;
    this.area = 0;
    this.largest = this.current;
  }
}
