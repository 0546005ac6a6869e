// Running mean and variance of observations (Welford), mergeable across replications
// and workers (Chan, Golub & LeVeque's parallel formula). Keeps no observations.

export class Tally {
  private n = 0;
  private runningMean = 0;
  /** Sum of squared deviations from the running mean (Welford's M2). */
  private m2 = 0;
  private total = 0;
  private smallest = Infinity;
  private largest = -Infinity;

  add(x: number): void {
    this.n++;
    const delta = x - this.runningMean;
    this.runningMean += delta / this.n;
    this.m2 += delta * (x - this.runningMean);
    this.total += x;
    if (x < this.smallest) this.smallest = x;
    if (x > this.largest) this.largest = x;
  }

  get count(): number {
    return this.n;
  }

  /** NaN when empty. */
  get mean(): number {
    return this.n === 0 ? NaN : this.runningMean;
  }

  /** Sample variance (divides by n − 1); NaN below two observations. */
  get variance(): number {
    return this.n < 2 ? NaN : this.m2 / (this.n - 1);
  }

  /** Sample standard deviation; NaN below two observations. */
  get stdDev(): number {
    return Math.sqrt(this.variance);
  }

  /** NaN when empty. */
  get min(): number {
    return this.n === 0 ? NaN : this.smallest;
  }

  /** NaN when empty. */
  get max(): number {
    return this.n === 0 ? NaN : this.largest;
  }

  /** Plain running sum (0 when empty). */
  get sum(): number {
    return this.total;
  }

  /** Warm-up deletion: forget every observation so far. */
  reset(): void {
    this.n = 0;
    this.runningMean = 0;
    this.m2 = 0;
    this.total = 0;
    this.smallest = Infinity;
    this.largest = -Infinity;
  }

  /**
   * Adds other's observations to this tally, as if this one had seen them all
   * (to float rounding). Chan et al. (1979): the M2s add, plus a term for the
   * distance between the two means. Returns this.
   */
  merge(other: Tally): this {
    if (other.n === 0) return this;
    const n = this.n + other.n;
    const delta = other.runningMean - this.runningMean;
    this.m2 += other.m2 + (delta * delta * this.n * other.n) / n;
    this.runningMean += (delta * other.n) / n;
    this.n = n;
    this.total += other.total;
    if (other.smallest < this.smallest) this.smallest = other.smallest;
    if (other.largest > this.largest) this.largest = other.largest;
    return this;
  }
}
