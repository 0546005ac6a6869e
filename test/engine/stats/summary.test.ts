import { describe, it, expect } from 'vitest';
import seedrandom from 'seedrandom';
import { pairedDifference, summarize } from '../../../engine/stats/summary.js';

type Uniform = () => number;

function normal(rng: Uniform, mean: number, sd: number): number {
  return mean + sd * Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

function exponential(rng: Uniform, mean: number): number {
  return -mean * Math.log(1 - rng());
}

/** Share of `experiments` 95 % intervals, each from n samples, that cover the true mean. */
function coverage(experiments: number, n: number, trueMean: number, sample: (rng: Uniform) => number): number {
  const rng = seedrandom.alea(`coverage-${n}-${trueMean}`);
  let covered = 0;
  for (let e = 0; e < experiments; e++) {
    const { ci95 } = summarize(Array.from({ length: n }, () => sample(rng)));
    if (ci95[0] <= trueMean && trueMean <= ci95[1]) covered++;
  }
  return covered / experiments;
}

describe('summarize', () => {
  it('gives the t-table interval for a small hand-worked sample', () => {
    // mean 3, s = √2.5, half-width t(0.975, 4) · s / √5 = 2.776445 · 0.707107.
    const summary = summarize([1, 2, 3, 4, 5]);
    expect(summary.n).toBe(5);
    expect(summary.mean).toBe(3);
    expect(summary.stdDev).toBeCloseTo(Math.sqrt(2.5), 14);
    expect(summary.ci95[0]).toBeCloseTo(3 - 1.963243, 5);
    expect(summary.ci95[1]).toBeCloseTo(3 + 1.963243, 5);
  });

  it('covers the true mean of normal samples 95 % of the time (n = 10)', () => {
    // 2000 intervals: a binomial(2000, 0.95) share lies within ±3.29 sd = ±0.016 with 99.9 % probability.
    const share = coverage(2000, 10, 7, (rng) => normal(rng, 7, 3));
    expect(share).toBeGreaterThanOrEqual(0.934);
    expect(share).toBeLessThanOrEqual(0.966);
  });

  it('covers the mean of skewed (exponential) samples a little under 95 % at n = 30, as t intervals do', () => {
    // The skew makes the t interval cover about 92.8 % at n = 30 (0.9276 ± 0.0004 over
    // 400 000 intervals in a one-off run of this code); 2000 intervals lie within ±0.019
    // of it with 99.9 % probability.
    const share = coverage(2000, 30, 0.2, (rng) => exponential(rng, 0.2));
    expect(share).toBeGreaterThanOrEqual(0.909);
    expect(share).toBeLessThanOrEqual(0.947);
  });

  it('claims no interval and no spread for one replication', () => {
    const summary = summarize([4.5]);
    expect(summary).toEqual({ mean: 4.5, ci95: [NaN, NaN], n: 1, stdDev: NaN });
  });

  it('cuts the interval of a nonnegative metric at zero in the bimodal case (0.1 s and 9.9 s)', () => {
    const unbounded = summarize([0.1, 9.9]);
    expect(unbounded.ci95[0]).toBeLessThan(-20);
    const cut = summarize([0.1, 9.9], [0, Infinity]);
    expect(cut.mean).toBe(5);
    expect(cut.ci95[0]).toBe(0);
    expect(cut.ci95[1]).toBe(unbounded.ci95[1]);
  });

  it('leaves the interval whole where the values break the support given', () => {
    expect(summarize([-1, 3], [0, Infinity])).toEqual(summarize([-1, 3]));
  });

  it('keeps the upper bound of a share at or below 100 %', () => {
    const { ci95 } = summarize([0.99, 0.7, 1], [0, 1]);
    expect(ci95[1]).toBeLessThanOrEqual(1);
    expect(ci95[0]).toBeGreaterThan(0);
  });

  it('leaves NaN (undefined in a replication) out and counts only the values used', () => {
    expect(summarize([1, NaN, 3])).toEqual(summarize([1, 3]));
    expect(summarize([NaN]).n).toBe(0);
    expect(summarize([]).mean).toBeNaN();
  });

  it('propagates an infinite value to the mean and gives no interval', () => {
    const summary = summarize([1, Infinity, 3]);
    expect(summary.mean).toBe(Infinity);
    expect(summary.ci95[0]).toBeNaN();
    expect(summary.stdDev).toBeNaN();
  });
});

describe('pairedDifference', () => {
  it('finds a small shift significant under common random numbers where separate intervals overlap', () => {
    const rng = seedrandom.alea('paired');
    const base = Array.from({ length: 10 }, () => normal(rng, 100, 20));
    const shifted = base.map((x) => x + 1 + normal(rng, 0, 0.2));
    const difference = pairedDifference(shifted, base);
    expect(difference.significant).toBe(true);
    expect(difference.ci95[0]).toBeLessThan(1);
    expect(difference.ci95[1]).toBeGreaterThan(1);
    const [a, b] = [summarize(shifted), summarize(base)];
    expect(a.ci95[0]).toBeLessThan(b.ci95[1]);
  });

  it('finds identical runs not significant, and one pair never significant', () => {
    expect(pairedDifference([1, 2, 3], [1, 2, 3]).significant).toBe(false);
    expect(pairedDifference([5], [1]).significant).toBe(false);
  });

  it('leaves out pairs with NaN on either side and refuses unequal lengths', () => {
    expect(pairedDifference([3, NaN, 5, 9], [1, 2, NaN, 6]).n).toBe(2);
    expect(() => pairedDifference([1, 2], [1])).toThrow(RangeError);
  });
});
