import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../engine/random.js';
import { ExpiryHeap, ExpiryRing, removeUniform } from '../../../models/conntrack/expiry.js';

const rng = () => new RandomStreams(7, 0).stream('expiry-test');

describe('ExpiryRing', () => {
  it('returns expiries in insertion order across growth and wrap-around', () => {
    const ring = new ExpiryRing();
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let k = 0; k < 7 + round; k++) ring.push(next++);
      for (let k = 0; k < 5 + round; k++) expect(ring.pop()).toBe(expected++);
    }
    while (ring.size > 0) expect(ring.pop()).toBe(expected++);
    expect(expected).toBe(next);
    expect(ring.peek()).toBe(Infinity);
  });

  it('refuses an expiry earlier than the one pushed before it', () => {
    const ring = new ExpiryRing();
    ring.push(5);
    expect(() => ring.push(4)).toThrow(RangeError);
  });

  it('skips evicted entries when they reach the head and counts only live ones', () => {
    const ring = new ExpiryRing();
    for (let k = 0; k < 100; k++) ring.push(k);
    const stream = rng();
    for (let k = 0; k < 60; k++) ring.removeRandom(stream);
    expect(ring.size).toBe(40);
    const left: number[] = [];
    while (ring.size > 0) left.push(ring.pop());
    expect(left).toHaveLength(40);
    expect([...left].sort((a, b) => a - b)).toEqual(left);
    expect(new Set(left).size).toBe(40);
  });

  it('evicts every entry with equal chance', () => {
    const hits = new Array<number>(10).fill(0);
    const stream = rng();
    for (let trial = 0; trial < 20000; trial++) {
      const ring = new ExpiryRing();
      for (let k = 0; k < 10; k++) ring.push(k);
      ring.removeRandom(stream);
      const left = new Set<number>();
      while (ring.size > 0) left.add(ring.pop());
      for (let k = 0; k < 10; k++) if (!left.has(k)) hits[k]++;
    }
    // Binomial(20000, 0.1): sd ≈ 42; 5 sd either side.
    for (const h of hits) expect(Math.abs(h - 2000)).toBeLessThan(212);
  });
});

describe('ExpiryHeap', () => {
  it('pops expiries in time order whatever the insertion order, also after random removals', () => {
    const heap = new ExpiryHeap();
    const stream = rng();
    for (let k = 0; k < 500; k++) heap.push(Math.floor(stream.next() * 1000));
    for (let k = 0; k < 100; k++) heap.removeRandom(stream);
    expect(heap.size).toBe(400);
    let last = -Infinity;
    while (heap.size > 0) {
      const t = heap.pop();
      expect(t).toBeGreaterThanOrEqual(last);
      last = t;
    }
  });
});

describe('removeUniform', () => {
  it('picks a pool in proportion to its size', () => {
    const stream = rng();
    let fromRing = 0;
    for (let trial = 0; trial < 20000; trial++) {
      const ring = new ExpiryRing();
      const heap = new ExpiryHeap();
      for (let k = 0; k < 3; k++) ring.push(k);
      heap.push(1);
      removeUniform([ring, heap], stream);
      if (ring.size === 2) fromRing++;
    }
    // Binomial(20000, 0.75): sd ≈ 61.
    expect(Math.abs(fromRing - 15000)).toBeLessThan(310);
  });
});
