// The other nodes' queries (background.ts) have the law of the copies they replace: each detailed
// query brings Poisson(m) copies of itself, uniform over the next second.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../engine/random.js';
import { BackgroundQueries, PendingAnswers, type QueryTemplate } from '../../../models/dns/background.js';

function template(sentAt: number, name = `q${sentAt}`): QueryTemplate {
  return { sentAt, name, outcome: 'a-and-aaaa', asked: 3, perType: 1, keys: [`${name}|A`, `${name}|AAAA`], clusterZone: true };
}

describe('BackgroundQueries', () => {
  it('brings Poisson(m) copies of each query, uniform over the next second (mean and variance m, offset mean 1/2)', () => {
    const m = 3;
    const background = new BackgroundQueries(m, new RandomStreams(2026, 0).stream('test/dns/background'), 0);
    const templates = 4000;
    const counts = new Map<string, number>();
    const offsets: number[] = [];
    let last = 0;
    for (let i = 0; i < templates; i++) {
      // 2.5 s apart: each window is alone, and the catch-up comes in uneven steps.
      const sentAt = 2.5 * i;
      background.catchUp(sentAt, (at, t) => {
        expect(at).toBeGreaterThanOrEqual(last);
        last = at;
        offsets.push(at - t.sentAt);
        counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
      });
      background.add(template(sentAt));
    }
    const perTemplate = Array.from({ length: templates - 1 }, (_, i) => counts.get(`q${2.5 * i}`) ?? 0);
    const mean = perTemplate.reduce((a, b) => a + b, 0) / perTemplate.length;
    const variance = perTemplate.reduce((a, b) => a + (b - mean) ** 2, 0) / (perTemplate.length - 1);
    const se = Math.sqrt(m / perTemplate.length);
    expect(Math.abs(mean - m)).toBeLessThan(4 * se);
    // Var of the sample variance of Poisson(m) ≈ (m + 2m²)/n.
    expect(Math.abs(variance - m)).toBeLessThan(4 * Math.sqrt((m + 2 * m * m) / perTemplate.length));
    expect(Math.min(...offsets)).toBeGreaterThan(0);
    expect(Math.max(...offsets)).toBeLessThanOrEqual(1);
    const offsetMean = offsets.reduce((a, b) => a + b, 0) / offsets.length;
    expect(Math.abs(offsetMean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / offsets.length));
  });

  it('spreads copies over overlapping windows by each query: m per query however the catch-up is cut', () => {
    const m = 61.5; // (1000 − 16)/16
    const rng = new RandomStreams(2026, 1).stream('test/dns/background');
    const background = new BackgroundQueries(m, rng, 0);
    const perName = new Map<string, number>();
    let total = 0;
    let outOfWindow = 0;
    // 400 queries/s for 5 s, catching up at each (as the runtime does), then to the end.
    for (let i = 0; i < 2000; i++) {
      const sentAt = i / 400;
      background.catchUp(sentAt, (at, t) => {
        if (at > sentAt || at - t.sentAt > 1 || at <= t.sentAt) outOfWindow++;
        total++;
        perName.set(t.name, (perName.get(t.name) ?? 0) + 1);
      });
      background.add(template(sentAt, i % 2 === 0 ? 'even' : 'odd'));
    }
    background.catchUp(10, () => total++);
    expect(outOfWindow).toBe(0);
    const expected = 2000 * m;
    expect(Math.abs(total - expected)).toBeLessThan(4 * Math.sqrt(expected));
    // Half the queries named each way: their copies split the same way (binomial, 4 SE).
    const even = perName.get('even')! / (perName.get('even')! + perName.get('odd')!);
    expect(Math.abs(even - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / total));
  });
});

describe('PendingAnswers', () => {
  it('gives answers back in time order', () => {
    const pending = new PendingAnswers();
    const rng = new RandomStreams(2026, 2).stream('test/dns/pending');
    const times = Array.from({ length: 500 }, () => rng.next() * 10);
    for (const at of times) pending.push({ at, replica: 0, template: template(0), mask: 1 });
    const out: number[] = [];
    while (pending.size > 0) out.push(pending.pop().at);
    expect(out).toEqual([...times].sort((a, b) => a - b));
    expect(pending.nextAt()).toBe(Infinity);
  });
});
