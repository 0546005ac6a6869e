import { describe, it, expect } from 'vitest';
import { studentTCdf, studentTQuantile } from '../../../engine/stats/student-t.js';

describe('studentTQuantile', () => {
  it('matches the printed t table at 97.5 % to 3 decimals', () => {
    const table: Array<[number, number]> = [
      [1, 12.706],
      [2, 4.303],
      [4, 2.776],
      [9, 2.262],
      [29, 2.045],
      [120, 1.98],
      [1e7, 1.96],
      [Infinity, 1.96],
    ];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 3);
  });

  it('matches the closed forms for 1 and 2 degrees of freedom to 1e-12', () => {
    for (const p of [1e-9, 0.01, 0.2, 0.6, 0.975, 0.999999]) {
      // −cot(πp), written so that neither form loses digits in the far tails.
      const cauchy = p < 0.5 ? -1 / Math.tan(Math.PI * p) : 1 / Math.tan(Math.PI * (1 - p));
      const df2 = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
      expect(Math.abs(studentTQuantile(p, 1) - cauchy)).toBeLessThan(1e-12 * Math.max(1, Math.abs(cauchy)));
      expect(Math.abs(studentTQuantile(p, 2) - df2)).toBeLessThan(1e-12 * Math.max(1, Math.abs(df2)));
    }
  });

  it('gives the normal quantiles for infinite degrees of freedom', () => {
    expect(studentTQuantile(0.975, Infinity)).toBeCloseTo(1.959963984540054, 12);
    expect(studentTQuantile(0.995, Infinity)).toBeCloseTo(2.5758293035489004, 12);
    expect(studentTQuantile(0.9999999, Infinity)).toBeCloseTo(5.199337582192817, 9);
  });

  it('is continuous where it switches to the normal expansion at 1e5 degrees of freedom', () => {
    for (const p of [1e-7, 0.975]) {
      expect(Math.abs(studentTQuantile(p, 1e5) - studentTQuantile(p, 1e5 * (1 + 1e-12)))).toBeLessThan(1e-10);
    }
  });

  it('is symmetric about zero and inverts the CDF', () => {
    for (const df of [0.5, 3, 30, 1e8]) {
      for (const p of [1e-8, 0.01, 0.3, 0.5, 0.9, 0.999999]) {
        const t = studentTQuantile(p, df);
        // 1 − p is rounded, so the mirror image agrees only as closely as p and 1 − (1 − p) do.
        expect(Math.abs(studentTQuantile(1 - p, df) + t)).toBeLessThanOrEqual(1e-6 * Math.abs(t));
        expect(Math.abs(studentTCdf(t, df) - p)).toBeLessThan(1e-10 * Math.min(p, 1 - p));
      }
    }
  });

  it('refuses probabilities outside (0, 1) and non-positive degrees of freedom', () => {
    expect(() => studentTQuantile(1, 5)).toThrow(RangeError);
    expect(() => studentTQuantile(0, 5)).toThrow(RangeError);
    expect(() => studentTQuantile(0.9, 0)).toThrow(RangeError);
  });
});
