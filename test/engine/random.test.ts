import { describe, it, expect } from 'vitest';
import { RandomStreams, type RandomStream } from '../../engine/random.js';

function draws(stream: RandomStream, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(stream.next());
  return out;
}

describe('RandomStreams', () => {
  it('gives identical sequences for the same seed, replication and name', () => {
    const a = new RandomStreams(42, 3).stream('node-1/conntrack');
    const b = new RandomStreams(42, 3).stream('node-1/conntrack');
    expect(draws(a, 1000)).toEqual(draws(b, 1000));
  });

  it('gives different sequences when the name, the replication or the seed differs', () => {
    const reference = draws(new RandomStreams(42, 3).stream('client'), 20);
    const others = [
      new RandomStreams(42, 3).stream('client2'),
      new RandomStreams(42, 3).stream('Client'),
      new RandomStreams(42, 4).stream('client'),
      new RandomStreams(43, 3).stream('client'),
    ];
    for (const other of others) {
      const sequence = draws(other, 20);
      // Any shared draw among 20 would be a 20·20/2^32 coincidence: they share none.
      expect(sequence.filter((u) => reference.includes(u))).toEqual([]);
    }
  });

  it('keeps a stream\'s draws unchanged when other streams are created or used first', () => {
    const alone = draws(new RandomStreams(7, 0).stream('workload/web'), 100);
    const streams = new RandomStreams(7, 0);
    draws(streams.stream('coredns'), 500);
    draws(streams.stream('node-3/proxy'), 17);
    expect(draws(streams.stream('workload/web'), 100)).toEqual(alone);
  });

  it('returns the same stream object for the same name, continuing where it was', () => {
    const streams = new RandomStreams(1, 0);
    const first = streams.stream('dns');
    const head = draws(first, 5);
    expect(streams.stream('dns')).toBe(first);
    const fresh = draws(new RandomStreams(1, 0).stream('dns'), 10);
    expect([...head, ...draws(streams.stream('dns'), 5)]).toEqual(fresh);
  });

  it('reproduces pinned draws, so a change of generator or derivation cannot pass unnoticed', () => {
    // If this fails on purpose, bump DERIVATION in engine/random.ts and update the numbers.
    const stream = new RandomStreams(1, 0).stream('fingerprint');
    const words = draws(stream, 4).map((u) => u * 2 ** 32);
    expect(words).toEqual([4183852729, 4030012962, 1410499325, 2464411637]);
  });

  it('rejects seeds, replications and names it cannot derive a stream from', () => {
    expect(() => new RandomStreams(1.5, 0)).toThrow(RangeError);
    expect(() => new RandomStreams(Number.NaN, 0)).toThrow(RangeError);
    expect(() => new RandomStreams(1, -1)).toThrow(RangeError);
    expect(() => new RandomStreams(1, 0).stream('')).toThrow(RangeError);
  });
});

describe('RandomStream draws', () => {
  const N = 1_000_000;
  const sample = draws(new RandomStreams(20240601, 0).stream('uniformity'), N);

  it('lie in [0, 1) on the 2^-32 grid', () => {
    const offGrid = sample.filter((u) => !(u >= 0 && u < 1 && Number.isInteger(u * 2 ** 32)));
    expect(offGrid).toEqual([]);
  });

  // CIs use z = 4 (two-sided 6e-5): a failure means a defect, not bad luck.
  it('have mean 1/2 and variance 1/12 within 4 standard errors', () => {
    let sum = 0;
    for (const u of sample) sum += u;
    const mean = sum / N;
    let squares = 0;
    for (const u of sample) squares += (u - mean) ** 2;
    const variance = squares / (N - 1);
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / N));
    // Var[(U - 1/2)^2] = E(U - 1/2)^4 - (1/12)^2 = 1/80 - 1/144 = 1/180.
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(4 * Math.sqrt(1 / 180 / N));
  });

  it('fill 100 equal bins evenly (chi-square, 99 df, below 148.23 = the 0.1 % critical value)', () => {
    const bins = new Array<number>(100).fill(0);
    for (const u of sample) bins[Math.floor(u * 100)]++;
    const expected = N / 100;
    const chiSquare = bins.reduce((acc, observed) => acc + (observed - expected) ** 2 / expected, 0);
    // scipy.stats.chi2.ppf(0.999, 99) = 148.230
    expect(chiSquare).toBeLessThan(148.23);
  });

  it('are uncorrelated with the next draw and with another stream (|r| < 4/sqrt(n))', () => {
    const other = draws(new RandomStreams(20240601, 0).stream('uniformity-2'), N);
    const correlation = (x: (i: number) => number, y: (i: number) => number, n: number): number => {
      let sxy = 0;
      for (let i = 0; i < n; i++) sxy += (x(i) - 0.5) * (y(i) - 0.5);
      return sxy / n / (1 / 12);
    };
    const lag1 = correlation((i) => sample[i], (i) => sample[i + 1], N - 1);
    const cross = correlation((i) => sample[i], (i) => other[i], N);
    expect(Math.abs(lag1)).toBeLessThan(4 / Math.sqrt(N));
    expect(Math.abs(cross)).toBeLessThan(4 / Math.sqrt(N));
  });
});
