import { describe, it, expect } from 'vitest';
import seedrandom from 'seedrandom';
import { Histogram } from '../../../engine/stats/histogram.js';
import { summarize } from '../../../engine/stats/summary.js';

/** Lognormal samples by Box–Muller from a seeded uniform: median `median`, shape sigma. */
function lognormalSamples(seed: string, n: number, median: number, sigma: number): Float64Array {
  const rng = seedrandom.alea(seed);
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - rng()));
    const angle = 2 * Math.PI * rng();
    samples[i] = median * Math.exp(sigma * radius * Math.cos(angle));
    if (i + 1 < n) samples[i + 1] = median * Math.exp(sigma * radius * Math.sin(angle));
  }
  return samples;
}

/** Log-uniform samples over [low, high], with both ends included exactly. */
function logUniformSamples(seed: string, n: number, low: number, high: number): Float64Array {
  const rng = seedrandom.alea(seed);
  const samples = new Float64Array(n);
  for (let i = 0; i < n; i++) samples[i] = low * Math.exp(rng() * Math.log(high / low));
  samples[0] = low;
  samples[1] = high;
  return samples;
}

/** The histogram's quantile definition: the lower order statistic x_(⌊q(n−1)⌋). */
function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))];
}

function feed(values: Float64Array): Histogram {
  const histogram = new Histogram();
  for (let i = 0; i < values.length; i++) histogram.add(values[i]);
  return histogram;
}

/** Largest relative error of the histogram over quantiles 0, 0.001, ..., 1. */
function worstRelativeError(histogram: Histogram, sorted: Float64Array): number {
  let worst = 0;
  for (let k = 0; k <= 1000; k++) {
    const q = k / 1000;
    const exact = exactQuantile(sorted, q);
    worst = Math.max(worst, Math.abs(histogram.quantile(q) - exact) / exact);
  }
  return worst;
}

const latencies = lognormalSamples('histogram', 1_000_000, 0.005, 1.2);
const sortedLatencies = latencies.slice().sort();
const latencyHistogram = feed(latencies);

describe('Histogram', () => {
  it('promises a relative accuracy of at most 1 %', () => {
    expect(Histogram.relativeAccuracy).toBeLessThanOrEqual(0.01);
  });

  it('puts p50, p99 and p99.9 of a million lognormal latencies within 1 % of the exact quantiles', () => {
    for (const q of [0.5, 0.99, 0.999]) {
      const exact = exactQuantile(sortedLatencies, q);
      expect(Math.abs(latencyHistogram.quantile(q) - exact)).toBeLessThanOrEqual(0.01 * exact);
    }
  });

  it('keeps every quantile from 0 to 1 within 1 % for lognormal latencies', () => {
    expect(worstRelativeError(latencyHistogram, sortedLatencies)).toBeLessThanOrEqual(0.01);
  });

  it('keeps every quantile within 1 % for values spanning 1e-6 to 1e3', () => {
    const values = logUniformSamples('span', 200_000, 1e-6, 1e3);
    expect(worstRelativeError(feed(values), values.slice().sort())).toBeLessThanOrEqual(0.01);
  });

  it('keeps values on bucket boundaries and range edges within 1 %', () => {
    const values = new Float64Array(2 * 35 * 4 + 2);
    let i = 0;
    for (const octave of [-30, -7, 0, 19]) {
      for (let j = 0; j < 35; j++) {
        const boundary = 2 ** octave * 2 ** (j / 35);
        values[i++] = boundary;
        values[i++] = boundary * (1 - 2 ** -52);
      }
    }
    values[i++] = 2 ** -30;
    values[i++] = 2 ** 20 * (1 - 2 ** -53);
    const worst = worstRelativeError(feed(values), values.slice().sort());
    expect(worst).toBeLessThanOrEqual(0.01);
  });

  it('reads a pile of equal values exactly where it fills its bucket, and within its bucket’s values otherwise', () => {
    // Every blocked connect waits the same retransmission step: a point mass the quantiles must not smear.
    const alone = new Histogram();
    alone.addMany(7.0003, 500);
    for (const x of [6.5, 7.5]) alone.add(x);
    for (const q of [0.1, 0.5, 0.9]) expect(alone.quantile(q)).toBe(7.0003);
    const shared = new Histogram();
    shared.addMany(7.0003, 500);
    for (const x of [7.0, 7.1]) shared.add(x);
    for (const q of [0.1, 0.5, 0.9]) {
      expect(shared.quantile(q)).toBeGreaterThanOrEqual(7.0);
      expect(shared.quantile(q)).toBeLessThanOrEqual(7.1);
    }
  });

  it('keeps a quantile within γ−1 ≈ 2.0 % whatever the values in its bucket', () => {
    // Three values at a bucket's bottom edge, one at its top: rank 2 is interpolated two thirds up.
    const histogram = new Histogram();
    histogram.addMany(1, 3);
    histogram.add(2 ** (1 / 35) * (1 - 2 ** -52));
    const estimate = histogram.quantile(2 / 3);
    expect(Math.abs(estimate - 1)).toBeLessThanOrEqual(Histogram.worstRelativeError);
    // The one kind of data beyond the 1 % of smoothly spread values.
    expect(Math.abs(estimate - 1)).toBeGreaterThan(Histogram.relativeAccuracy);
  });

  it('gives three replications whose p99s share a bucket three different p99s, so their interval has width', () => {
    // Narrow lognormals: the exact p99s of the three seeds lie within 0.5 % of each other.
    const histograms = ['r0', 'r1', 'r2'].map((seed) => feed(lognormalSamples(seed, 20_000, 0.0012, 0.05)));
    const p99s = histograms.map((h) => h.quantile(0.99));
    const bucketOf = (x: number) => Math.floor(Math.log2(x) * 35);
    const exact = ['r0', 'r1', 'r2'].map((seed) => exactQuantile(lognormalSamples(seed, 20_000, 0.0012, 0.05).sort(), 0.99));
    expect(new Set(exact.map(bucketOf)).size).toBe(1);
    expect(new Set(p99s).size).toBe(3);
    const { ci95 } = summarize(p99s);
    expect(ci95[1] - ci95[0]).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) expect(Math.abs(p99s[i] - exact[i])).toBeLessThanOrEqual(0.01 * exact[i]);
  });

  it('keeps count, sum, min, max and mean exact', () => {
    let sum = 0;
    for (let i = 0; i < latencies.length; i++) sum += latencies[i];
    expect(latencyHistogram.count).toBe(latencies.length);
    expect(latencyHistogram.sum).toBe(sum);
    expect(latencyHistogram.mean).toBe(sum / latencies.length);
    expect(latencyHistogram.min).toBe(sortedLatencies[0]);
    expect(latencyHistogram.max).toBe(sortedLatencies[latencies.length - 1]);
    expect(latencyHistogram.quantile(0)).toBe(sortedLatencies[0]);
    expect(latencyHistogram.quantile(1)).toBe(sortedLatencies[latencies.length - 1]);
  });

  it('merged from two halves equals one histogram fed everything', () => {
    const half = latencies.length / 2;
    const first = feed(latencies.subarray(0, half));
    const second = feed(latencies.subarray(half));
    const merged = new Histogram().merge(second).merge(first);
    const { sum: mergedSum, ...mergedRest } = merged.toJSON();
    const { sum: wholeSum, ...wholeRest } = latencyHistogram.toJSON();
    expect(mergedRest).toEqual(wholeRest);
    expect(Math.abs(mergedSum - wholeSum) / wholeSum).toBeLessThan(1e-12);
    for (let k = 0; k <= 1000; k++) expect(merged.quantile(k / 1000)).toBe(latencyHistogram.quantile(k / 1000));
  });

  it('round-trips through JSON text unchanged', () => {
    const text = JSON.stringify(latencyHistogram);
    const copy = Histogram.fromJSON(JSON.parse(text));
    expect(copy.toJSON()).toEqual(latencyHistogram.toJSON());
    for (const q of [0, 0.5, 0.9, 0.99, 0.999, 1]) expect(copy.quantile(q)).toBe(latencyHistogram.quantile(q));
    // Each non-empty bucket (514 here) carries its count, smallest and largest value.
    expect(text.length).toBeLessThan(30_000);
  });

  it('round-trips an empty histogram, whose quantiles and mean are NaN', () => {
    const copy = Histogram.fromJSON(JSON.parse(JSON.stringify(new Histogram())));
    expect(copy.count).toBe(0);
    expect(copy.quantile(0.5)).toBeNaN();
    expect(copy.mean).toBeNaN();
    copy.add(2);
    expect(copy.min).toBe(2);
  });

  it('refuses JSON from a different bucket scheme', () => {
    const json = { ...new Histogram().toJSON(), bucketsPerOctave: 64 };
    expect(() => Histogram.fromJSON(json)).toThrow(/scheme/);
  });

  it('reports quantiles below the range as the exact min and above it as the exact max', () => {
    const histogram = new Histogram();
    histogram.addMany(0, 3);
    histogram.add(1);
    histogram.addMany(5e6, 3);
    expect(histogram.quantile(0.3)).toBe(0);
    expect(Math.abs(histogram.quantile(0.5) - 1)).toBeLessThanOrEqual(0.01);
    expect(histogram.quantile(0.9)).toBe(5e6);
  });

  it('counts addMany(x, k) as k separate adds', () => {
    const many = new Histogram();
    const single = new Histogram();
    many.addMany(0.003, 4);
    many.addMany(0.2, 0);
    for (let i = 0; i < 4; i++) single.add(0.003);
    expect(many.toJSON()).toEqual(single.toJSON());
  });

  it('refuses negative, NaN and infinite values', () => {
    const histogram = new Histogram();
    for (const bad of [-1e-3, NaN, Infinity]) expect(() => histogram.add(bad)).toThrow(RangeError);
    expect(() => histogram.addMany(1, 1.5)).toThrow(RangeError);
    expect(histogram.count).toBe(0);
  });

  it('forgets warm-up values on reset', () => {
    const histogram = feed(latencies.subarray(0, 1000));
    histogram.reset();
    histogram.add(0.25);
    expect(histogram.count).toBe(1);
    expect(histogram.quantile(0.5)).toBe(0.25);
    expect(histogram.toJSON().index.length).toBe(1);
  });
});
