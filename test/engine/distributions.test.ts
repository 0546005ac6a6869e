import { describe, it, expect } from 'vitest';
import { errorFunction } from 'simple-statistics';
import { RandomStreams, type RandomStream } from '../../engine/random.js';
import {
  deterministic, empirical, erlang, exponential, exponentialMean, gamma, lognormal,
  lognormalFromMedianP99, normal, pareto, standardNormalQuantile, uniform, zipf,
  type Distribution,
} from '../../engine/distributions.js';

// Every statistical check uses a fixed seed and a bound from theory: a sample mean must lie
// within Z = 4 standard errors of the theoretical mean (two-sided 6e-5), a chi-square below
// its 0.1 % critical value (from scipy.stats.chi2.ppf(0.999, df)).
const Z = 4;

function rng(name: string): RandomStream {
  return new RandomStreams(20240601, 0).stream(`test/${name}`);
}

function samples(dist: Distribution, name: string, n: number): Float64Array {
  const stream = rng(name);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dist.sample(stream);
  return out;
}

function meanOf(xs: Float64Array): number {
  let sum = 0;
  for (const x of xs) sum += x;
  return sum / xs.length;
}

function varianceOf(xs: Float64Array): number {
  const mean = meanOf(xs);
  let sum = 0;
  for (const x of xs) sum += (x - mean) ** 2;
  return sum / (xs.length - 1);
}

/** The sample mean is within Z standard errors of `dist.mean`, and `dist.mean` is the theory's. */
function expectMeanInCi(dist: Distribution, name: string, theory: { mean: number; variance: number }, n = 200_000): void {
  expect(dist.mean).toBeCloseTo(theory.mean, 12);
  const xs = samples(dist, name, n);
  expect(Math.abs(meanOf(xs) - theory.mean)).toBeLessThan(Z * Math.sqrt(theory.variance / n));
}

/** The sample variance is within Z standard errors of theory; mu4 is the 4th central moment. */
function expectVarianceInCi(xs: Float64Array, variance: number, mu4: number): void {
  const standardError = Math.sqrt((mu4 - variance * variance) / xs.length);
  expect(Math.abs(varianceOf(xs) - variance)).toBeLessThan(Z * standardError);
}

function chiSquare(counts: ArrayLike<number>, probabilities: ArrayLike<number>, n: number): number {
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const expected = n * probabilities[i];
    sum += (counts[i] - expected) ** 2 / expected;
  }
  return sum;
}

describe('continuous distributions: sample means within 4 standard errors of theory', () => {
  it('exponential(rate) has mean 1/rate', () => {
    expectMeanInCi(exponential(2), 'exp', { mean: 0.5, variance: 0.25 });
  });

  it('exponentialMean(m) draws exactly as exponential(1/m)', () => {
    const a = samples(exponentialMean(0.5), 'same', 1000);
    const b = samples(exponential(2), 'same', 1000);
    expect(a).toEqual(b);
  });

  it('exponential follows its CDF (Kolmogorov–Smirnov below 1.95/sqrt(n), the 0.1 % level)', () => {
    const n = 100_000;
    const xs = samples(exponential(3), 'exp-ks', n).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const cdf = 1 - Math.exp(-3 * xs[i]);
      d = Math.max(d, (i + 1) / n - cdf, cdf - i / n);
    }
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
  });

  it('deterministic(v) always returns v and draws nothing', () => {
    const stream = rng('det');
    const before = rng('det').next();
    const dist = deterministic(3.5);
    expect([dist.sample(stream), dist.sample(stream), dist.mean]).toEqual([3.5, 3.5, 3.5]);
    expect(stream.next()).toBe(before);
  });

  it('uniform(lo, hi) has mean (lo+hi)/2 and stays in [lo, hi)', () => {
    expectMeanInCi(uniform(2, 5), 'uni', { mean: 3.5, variance: 9 / 12 });
    const xs = samples(uniform(-1, 1), 'uni-range', 100_000);
    expect(xs.every((x) => x >= -1 && x < 1)).toBe(true);
  });

  it('normal(mean, sd) has that mean and variance, and follows Φ (Kolmogorov–Smirnov < 1.95/sqrt(n))', () => {
    expectMeanInCi(normal(10, 2), 'norm', { mean: 10, variance: 4 });
    const xs = samples(normal(0, 1), 'norm-var', 200_000);
    expectVarianceInCi(xs, 1, 3);
    // simple-statistics' erf is good to 1.2e-7, far below the KS bound of 6e-3.
    const sorted = xs.slice(0, 100_000).sort();
    const n = sorted.length;
    let d = 0;
    for (let i = 0; i < n; i++) {
      const cdf = (1 + errorFunction(sorted[i] / Math.SQRT2)) / 2;
      d = Math.max(d, (i + 1) / n - cdf, cdf - i / n);
    }
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
  });

  it('standardNormalQuantile matches published values of Φ⁻¹', () => {
    expect(standardNormalQuantile(0.5)).toBe(0);
    expect(standardNormalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(standardNormalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 14);
    expect(standardNormalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 12);
    expect(standardNormalQuantile(1e-300)).toBeCloseTo(-37.0470962993612, 10);
  });

  it('lognormal(mu, sigma) has mean exp(mu + sigma²/2)', () => {
    const [mu, sigma] = [0, 0.5];
    const s2 = sigma * sigma;
    expectMeanInCi(lognormal(mu, sigma), 'logn', {
      mean: Math.exp(mu + s2 / 2),
      variance: (Math.exp(s2) - 1) * Math.exp(2 * mu + s2),
    });
  });

  it('lognormalFromMedianP99 gives its median and p99 (empirical quantiles within 1 %)', () => {
    // n = 3e6: the sample p99's relative sd is about 3.7/sqrt(n) = 0.21 %, so 1 % is 4.7 sd.
    const n = 3_000_000;
    const xs = samples(lognormalFromMedianP99(0.001, 0.01), 'logn-q', n).sort();
    expect(Math.abs(xs[Math.floor(0.5 * n)] / 0.001 - 1)).toBeLessThan(0.01);
    expect(Math.abs(xs[Math.floor(0.99 * n)] / 0.01 - 1)).toBeLessThan(0.01);
  });

  it('gamma(shape, scale) has mean kθ and variance kθ², for shape >= 1 and shape < 1', () => {
    for (const [shape, scale] of [[2.5, 2], [0.3, 2], [1, 0.5]]) {
      const dist = gamma(shape, scale);
      const variance = shape * scale * scale;
      expectMeanInCi(dist, `gamma-${shape}`, { mean: shape * scale, variance });
      // 4th central moment: σ⁴ (3 + 6/k), from the excess kurtosis 6/k.
      const xs = samples(dist, `gamma-var-${shape}`, 200_000);
      expectVarianceInCi(xs, variance, variance * variance * (3 + 6 / shape));
    }
  });

  it('erlang(k, rate) has mean k/rate and variance k/rate², by product and by gamma', () => {
    for (const [k, rate] of [[3, 2], [40, 10]]) {
      const dist = erlang(k, rate);
      const variance = k / (rate * rate);
      expectMeanInCi(dist, `erlang-${k}`, { mean: k / rate, variance });
      const xs = samples(dist, `erlang-var-${k}`, 200_000);
      expectVarianceInCi(xs, variance, variance * variance * (3 + 6 / k));
    }
  });

  it('pareto(xm, alpha) has mean alpha·xm/(alpha-1), never below xm, and infinite mean for alpha <= 1', () => {
    const [xm, alpha] = [1, 5];
    expectMeanInCi(pareto(xm, alpha), 'pareto', {
      mean: (alpha * xm) / (alpha - 1),
      variance: (xm * xm * alpha) / ((alpha - 1) ** 2 * (alpha - 2)),
    });
    expect(samples(pareto(2, 1.5), 'pareto-min', 100_000).every((x) => x >= 2)).toBe(true);
    expect(pareto(1, 1).mean).toBe(Infinity);
    expect(pareto(1, 0.5).mean).toBe(Infinity);
  });
});

describe('zipf(n, s)', () => {
  function zipfProbabilities(n: number, s: number): Float64Array {
    const p = new Float64Array(n);
    let total = 0;
    for (let k = 0; k < n; k++) total += (p[k] = (k + 1) ** -s);
    return p.map((w) => w / total);
  }

  for (const s of [0, 0.8, 1, 1.2]) {
    it(`draws index k with P(k) ∝ 1/(k+1)^${s} over 100 items (chi-square, 99 df, < 148.23)`, () => {
      const n = 100;
      const draws = 1_000_000;
      const counts = new Float64Array(n);
      for (const k of samples(zipf(n, s), `zipf-${s}`, draws)) counts[k]++;
      expect(chiSquare(counts, zipfProbabilities(n, s), draws)).toBeLessThan(148.23);
    });
  }

  it('matches 1/(k+1)^s over a million items, grouped into 30 bins (chi-square, 29 df, < 58.30)', () => {
    const n = 1_000_000;
    const p = zipfProbabilities(n, 1);
    // Bins: items 0..19 alone, then ten geometric groups up to n.
    const edges = [...Array.from({ length: 21 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => Math.round(20 * (n / 20) ** ((i + 1) / 10)))];
    const binOf = new Int32Array(n);
    const binP = new Float64Array(edges.length - 1);
    for (let b = 0; b < edges.length - 1; b++) {
      for (let k = edges[b]; k < edges[b + 1]; k++) {
        binOf[k] = b;
        binP[b] += p[k];
      }
    }
    const draws = 500_000;
    const counts = new Float64Array(binP.length);
    const dist = zipf(n, 1);
    const stream = rng('zipf-large');
    for (let i = 0; i < draws; i++) counts[binOf[dist.sample(stream)]]++;
    expect(binP.length).toBe(30);
    expect(chiSquare(counts, binP, draws)).toBeLessThan(58.30);
    let mean = 0;
    for (let k = 0; k < n; k++) mean += k * p[k];
    expect(dist.mean).toBeCloseTo(mean, 6);
  });

  it('returns integer indices in [0, n), and always 0 when n = 1', () => {
    const xs = samples(zipf(7, 1.1), 'zipf-range', 10_000);
    expect(xs.every((k) => Number.isInteger(k) && k >= 0 && k < 7)).toBe(true);
    expect(samples(zipf(1, 2), 'zipf-one', 100).every((k) => k === 0)).toBe(true);
  });
});

describe('empirical(values, weights)', () => {
  it('draws each value with its weight (chi-square, 3 df, < 16.27)', () => {
    const values = [1, 2, 5, 10];
    const weights = [1, 2, 3, 4];
    const draws = 400_000;
    const counts = new Float64Array(4);
    for (const x of samples(empirical(values, weights), 'emp', draws)) counts[values.indexOf(x)]++;
    expect(chiSquare(counts, [0.1, 0.2, 0.3, 0.4], draws)).toBeLessThan(16.27);
    expect(empirical(values, weights).mean).toBeCloseTo(0.1 + 0.4 + 1.5 + 4, 12);
  });

  it('draws values equally without weights, and never a value of weight 0', () => {
    const draws = 300_000;
    const counts = new Float64Array(3);
    for (const x of samples(empirical([7, 8, 9]), 'emp-eq', draws)) counts[x - 7]++;
    expect(chiSquare(counts, [1 / 3, 1 / 3, 1 / 3], draws)).toBeLessThan(13.82); // chi2.ppf(0.999, 2)
    const xs = samples(empirical([1, 2, 3], [1, 0, 1]), 'emp-zero', 100_000);
    expect(xs.includes(2)).toBe(false);
  });
});

describe('argument validation', () => {
  const invalid: Array<[string, () => unknown]> = [
    ['exponential(0)', () => exponential(0)],
    ['exponential(-1)', () => exponential(-1)],
    ['exponential(NaN)', () => exponential(Number.NaN)],
    ['exponential(Infinity)', () => exponential(Infinity)],
    ['exponentialMean(0)', () => exponentialMean(0)],
    ['deterministic(NaN)', () => deterministic(Number.NaN)],
    ['uniform(1, 1)', () => uniform(1, 1)],
    ['uniform(2, 1)', () => uniform(2, 1)],
    ['normal(0, -1)', () => normal(0, -1)],
    ['normal(NaN, 1)', () => normal(Number.NaN, 1)],
    ['lognormal(0, -0.1)', () => lognormal(0, -0.1)],
    ['lognormalFromMedianP99(1, 1)', () => lognormalFromMedianP99(1, 1)],
    ['lognormalFromMedianP99(2, 1)', () => lognormalFromMedianP99(2, 1)],
    ['lognormalFromMedianP99(0, 1)', () => lognormalFromMedianP99(0, 1)],
    ['lognormalFromMedianP99(1, NaN)', () => lognormalFromMedianP99(1, Number.NaN)],
    ['gamma(0, 1)', () => gamma(0, 1)],
    ['gamma(1, 0)', () => gamma(1, 0)],
    ['erlang(0, 1)', () => erlang(0, 1)],
    ['erlang(1.5, 1)', () => erlang(1.5, 1)],
    ['erlang(2, 0)', () => erlang(2, 0)],
    ['pareto(0, 1)', () => pareto(0, 1)],
    ['pareto(1, 0)', () => pareto(1, 0)],
    ['zipf(0, 1)', () => zipf(0, 1)],
    ['zipf(2.5, 1)', () => zipf(2.5, 1)],
    ['zipf(10, -1)', () => zipf(10, -1)],
    ['zipf(10, NaN)', () => zipf(10, Number.NaN)],
    ['empirical([])', () => empirical([])],
    ['empirical([1], [1, 2])', () => empirical([1], [1, 2])],
    ['empirical([1, 2], [0, 0])', () => empirical([1, 2], [0, 0])],
    ['empirical([1, 2], [1, -1])', () => empirical([1, 2], [1, -1])],
    ['empirical([NaN])', () => empirical([Number.NaN])],
  ];
  for (const [label, make] of invalid) {
    it(`rejects ${label} with a RangeError`, () => {
      expect(make).toThrow(RangeError);
    });
  }

  it('names the distribution and the parameter in the message', () => {
    expect(() => exponential(0)).toThrow('exponential: rate must be a finite number > 0, got 0');
    expect(() => lognormalFromMedianP99(2, 1)).toThrow('p99 must be > median');
  });

  it('describes each distribution by its parameters', () => {
    expect(exponential(2).describe()).toBe('exponential(rate=2)');
    expect(lognormalFromMedianP99(0.001, 0.01).describe()).toBe('lognormal(median=0.001, p99=0.01)');
    expect(zipf(10, 1).describe()).toBe('zipf(n=10, s=1)');
  });
});
