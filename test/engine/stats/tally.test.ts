import { describe, it, expect } from 'vitest';
import seedrandom from 'seedrandom';
import { Tally } from '../../../engine/stats/tally.js';

/** Values around a large offset, where a naive sum-of-squares variance loses every digit. */
function offsetSamples(seed: string, n: number): number[] {
  const rng = seedrandom.alea(seed);
  return Array.from({ length: n }, () => 1e6 + rng() * 3);
}

function twoPass(values: number[]): { mean: number; variance: number } {
  const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
  const variance = values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / (values.length - 1);
  return { mean, variance };
}

function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

describe('Tally', () => {
  it('gives the two-pass mean and sample variance of values far from zero', () => {
    const values = offsetSamples('tally', 10_000);
    const tally = new Tally();
    for (const x of values) tally.add(x);
    const expected = twoPass(values);
    expect(tally.count).toBe(values.length);
    expect(relativeError(tally.mean, expected.mean)).toBeLessThan(1e-14);
    expect(relativeError(tally.variance, expected.variance)).toBeLessThan(1e-9);
    expect(tally.stdDev).toBeCloseTo(Math.sqrt(expected.variance), 9);
    expect(tally.min).toBe(Math.min(...values));
    expect(tally.max).toBe(Math.max(...values));
    expect(relativeError(tally.sum, expected.mean * values.length)).toBeLessThan(1e-12);
  });

  it('merged from two tallies equals one tally fed everything', () => {
    const values = offsetSamples('merge', 5_001);
    const whole = new Tally();
    const first = new Tally();
    const second = new Tally();
    values.forEach((x, i) => {
      whole.add(x);
      (i < 1_234 ? first : second).add(x);
    });
    first.merge(second);
    expect(first.count).toBe(whole.count);
    expect(relativeError(first.mean, whole.mean)).toBeLessThan(1e-14);
    expect(relativeError(first.variance, whole.variance)).toBeLessThan(1e-9);
    expect(first.min).toBe(whole.min);
    expect(first.max).toBe(whole.max);
  });

  it('merging into or from an empty tally changes nothing', () => {
    const filled = new Tally();
    [1, 2, 4].forEach((x) => filled.add(x));
    const empty = new Tally();
    empty.merge(filled);
    filled.merge(new Tally());
    for (const tally of [empty, filled]) {
      expect(tally.count).toBe(3);
      expect(tally.mean).toBeCloseTo(7 / 3, 14);
      expect(tally.variance).toBeCloseTo(7 / 3, 14);
    }
  });

  it('reports NaN for the mean of nothing and the variance of one value', () => {
    const tally = new Tally();
    expect(tally.mean).toBeNaN();
    expect(tally.min).toBeNaN();
    tally.add(3);
    expect(tally.mean).toBe(3);
    expect(tally.variance).toBeNaN();
  });

  it('forgets warm-up observations on reset', () => {
    const tally = new Tally();
    [100, 200].forEach((x) => tally.add(x));
    tally.reset();
    [1, 3].forEach((x) => tally.add(x));
    expect(tally.count).toBe(2);
    expect(tally.mean).toBe(2);
    expect(tally.variance).toBe(2);
    expect(tally.max).toBe(3);
    expect(tally.sum).toBe(4);
  });
});
