import { describe, it, expect } from 'vitest';
import { Simulator } from '../../engine/simulator.js';
import { TokenBucket } from '../../engine/token-bucket.js';

/** Offers one packet every 1 / rateRps seconds from time 0 until `seconds`. */
function offerConstantRate(sim: Simulator, bucket: TokenBucket, rateRps: number, seconds: number): void {
  const packets = Math.round(rateRps * seconds);
  // Absolute times k / rate, so the spacing does not drift with accumulated rounding.
  for (let k = 0; k < packets; k++) sim.at(k / rateRps, () => bucket.tryTake());
}

describe('TokenBucket', () => {
  it('starts full at burst', () => {
    const sim = new Simulator();
    const bucket = new TokenBucket(sim, { ratePerSecond: 1024, burst: 50 });
    expect(bucket.available()).toBe(50);
  });

  it('drops exactly one of a burst of burst + 1 packets at one instant', () => {
    const sim = new Simulator();
    const bucket = new TokenBucket(sim, { ratePerSecond: 1024, burst: 50 });
    const results = Array.from({ length: 51 }, () => bucket.tryTake());
    expect(results.filter((ok) => !ok)).toHaveLength(1);
    expect(results[50]).toBe(false); // the last one
    expect([bucket.passed.total, bucket.dropped.total]).toEqual([50, 1]);
  });

  it('refills at ratePerSecond and never above burst', () => {
    const sim = new Simulator();
    const bucket = new TokenBucket(sim, { ratePerSecond: 4, burst: 10 });
    for (let i = 0; i < 10; i++) bucket.tryTake();
    sim.run({ until: 0.5 });
    expect(bucket.available()).toBe(2);
    sim.run({ until: 100 });
    expect(bucket.available()).toBe(10);
  });

  it('takes several tokens at once, or none: a packet larger than the tokens left is dropped whole', () => {
    const sim = new Simulator();
    const bucket = new TokenBucket(sim, { ratePerSecond: 1, burst: 5 });
    expect(bucket.tryTake(3)).toBe(true);
    expect(bucket.tryTake(3)).toBe(false);
    expect(bucket.available()).toBe(2);
    expect([bucket.passed.total, bucket.dropped.total]).toEqual([3, 3]);
  });

  it('drops nothing over 100 s at a constant rate below the limit', () => {
    const sim = new Simulator();
    // The AWS VPC resolver's 1024 packets/s, offered 1000 packets/s, with the smallest burst.
    const bucket = new TokenBucket(sim, { ratePerSecond: 1024, burst: 1 });
    offerConstantRate(sim, bucket, 1000, 100);
    sim.run();
    expect(bucket.dropped.total).toBe(0);
    expect(bucket.passed.total).toBe(100_000);
  });

  it('passes every packet offered at exactly the limit, whatever the rounding of the rate', () => {
    for (const rateRps of [1000, 1024, 300]) {
      const sim = new Simulator();
      const bucket = new TokenBucket(sim, { ratePerSecond: rateRps, burst: 1 });
      offerConstantRate(sim, bucket, rateRps, 20);
      sim.run();
      expect(bucket.dropped.total).toBe(0);
    }
  });

  it('passes ratePerSecond, within 1 %, when offered twice the limit for 100 s', () => {
    const sim = new Simulator();
    const bucket = new TokenBucket(sim, { ratePerSecond: 1024, burst: 1024 });
    // Discard the first second, where the full bucket lets the burst through on top of the rate.
    // Scheduled first, so it runs before the packet offered at t = 1, which is measured.
    sim.at(1, () => bucket.resetStatistics());
    offerConstantRate(sim, bucket, 2048, 101);
    sim.run();
    const passRate = bucket.passed.total / 100;
    expect(Math.abs(passRate - 1024) / 1024).toBeLessThan(0.01);
    expect(bucket.passed.total + bucket.dropped.total).toBe(2048 * 100);
  });

  it('rejects a non-positive rate and a burst below one token', () => {
    const sim = new Simulator();
    expect(() => new TokenBucket(sim, { ratePerSecond: 0, burst: 1 })).toThrow(RangeError);
    expect(() => new TokenBucket(sim, { ratePerSecond: 1, burst: 0.5 })).toThrow(RangeError);
    expect(() => new TokenBucket(sim, { ratePerSecond: NaN, burst: 1 })).toThrow(RangeError);
  });
});
