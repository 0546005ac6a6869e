// Summaries of one metric over independent replications: mean and Student-t 95 %
// confidence interval, and the paired difference of two settings run with common random
// numbers (same seeds), whose interval is narrower than the two intervals suggest.
//
// Values handled as follows:
// - NaN means "undefined in this replication" (the p99 of an empty histogram, the mean of
//   an empty tally) and is left out: n counts the values used, so a caller can see it
//   fell short of the replications run.
// - ±Infinity is kept and propagates: mean is ±Infinity (NaN if both signs occur), and
//   stdDev and ci95 are NaN.
// - n = 1: stdDev and ci95 are NaN: one value says nothing about spread, and a zero-width
//   [mean, mean] read as "exact". n = 0: everything NaN.
//
// Support: a metric that cannot leave [lo, hi] (latencies ≥ 0, shares ≤ 1) has its interval
// cut to [lo, hi]. The true mean lies in the support, so every interval that covered it still
// does after the cut: coverage stays ≥ 95 %, and a bimodal pair (0.1 s, 9.9 s) no longer
// claims a mean latency possibly below −20 s. Differences are not cut: they can be negative.

import { mean as meanOf, sampleStandardDeviation } from 'simple-statistics';
import { studentTQuantile } from './student-t.js';

export interface Summary {
  mean: number;
  /** Student-t 95 % confidence interval for the mean. */
  ci95: [number, number];
  /** Values used (NaN left out). */
  n: number;
  /** Sample standard deviation (n − 1). */
  stdDev: number;
}

export interface PairedDifference extends Summary {
  /** The interval excludes 0 (never with fewer than two pairs). */
  significant: boolean;
}

/** The values a metric can take; [−∞, ∞] when unknown. */
export type Support = readonly [number, number];

const UNBOUNDED: Support = [-Infinity, Infinity];

/**
 * Mean, sample standard deviation and 95 % Student-t interval of independent replications,
 * the interval cut at the metric's support.
 */
export function summarize(values: readonly number[], support: Support = UNBOUNDED): Summary {
  const used = values.filter((value) => !Number.isNaN(value));
  const n = used.length;
  if (n === 0) return { mean: NaN, ci95: [NaN, NaN], n, stdDev: NaN };
  if (!used.every(Number.isFinite)) {
    // Plain sum: the compensated sum in simple-statistics turns Infinity into NaN.
    return { mean: used.reduce((sum, value) => sum + value, 0) / n, ci95: [NaN, NaN], n, stdDev: NaN };
  }
  const mean = meanOf(used);
  if (n === 1) return { mean, ci95: [NaN, NaN], n, stdDev: NaN };
  const stdDev = sampleStandardDeviation(used);
  const halfWidth = (studentTQuantile(0.975, n - 1) * stdDev) / Math.sqrt(n);
  const [lo, hi] = support;
  // A support the values break (a hand-made results file, a wrong guess from a metric's name)
  // is no support: the interval stays whole rather than being cut past its own mean.
  if (used.some((value) => value < lo || value > hi)) return { mean, ci95: [mean - halfWidth, mean + halfWidth], n, stdDev };
  return { mean, ci95: [Math.max(lo, mean - halfWidth), Math.min(hi, mean + halfWidth)], n, stdDev };
}

/**
 * Summary of a[i] − b[i] over replications run with the same seeds (common random numbers).
 * A pair with NaN on either side is left out; a and b must have the same length.
 */
export function pairedDifference(a: readonly number[], b: readonly number[]): PairedDifference {
  if (a.length !== b.length) throw new RangeError(`paired samples differ in length: ${a.length} vs ${b.length}`);
  const differences = a.map((value, i) => value - b[i]);
  const summary = summarize(differences);
  const [low, high] = summary.ci95;
  return { ...summary, significant: summary.n >= 2 && (low > 0 || high < 0) };
}
