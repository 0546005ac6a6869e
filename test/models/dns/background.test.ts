// The other nodes' queries (background.ts): their rate has the law of Poisson(m) copies of each
// detailed query, uniform over the next second; what each carries is drawn from the detailed
// queries of the last HISTORY_SECONDS of its source, not from the last second.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../engine/random.js';
import { CacheKeys } from '../../../models/dns/cache.js';
import { BackgroundQueries, HISTORY_SECONDS, PendingAnswers, QueryHistory, type QueryTemplate } from '../../../models/dns/background.js';

const keys = new CacheKeys();

function template(name: string): QueryTemplate {
  return { name, outcome: 'a-and-aaaa', asked: 3, perType: 1, keys: [keys.id(name, 'A'), keys.id(name, 'AAAA')], clusterZone: true, cname: null };
}

describe('BackgroundQueries', () => {
  it('brings Poisson(m) queries per detailed query, uniform over the next second (mean and variance m, offset mean 1/2)', () => {
    const m = 3;
    const background = new BackgroundQueries(m, new RandomStreams(2026, 0).stream('test/dns/background'), 0);
    const templates = 4000;
    const perTemplate: number[] = [];
    const offsets: number[] = [];
    let last = 0;
    for (let i = 0; i < templates; i++) {
      // 2.5 s apart: each window is alone, and the catch-up comes in uneven steps.
      const sentAt = 2.5 * i;
      let count = 0;
      background.catchUp(sentAt, (at) => {
        expect(at).toBeGreaterThanOrEqual(last);
        last = at;
        offsets.push(at - 2.5 * (i - 1));
        count++;
      });
      if (i > 0) perTemplate.push(count);
      background.add(sentAt, template(`q${i}`));
    }
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

  it('gives each copy the new-flow mark of the detailed query it copies (its kernel cost on the server’s node)', () => {
    const background = new BackgroundQueries(5, new RandomStreams(2026, 3).stream('test/dns/background'), 0);
    // Odd queries came on a new socket, even ones on a long-lived socket's established flow.
    // 2,000 of them: the history grows past its first 1,024 slots.
    for (let i = 0; i < 2000; i++) background.add(i / 2000, template(`q${i}`), undefined, i % 2 === 1);
    let marked = 0;
    let copies = 0;
    background.catchUp(2, (_at, copy, newFlow) => {
      copies++;
      expect(newFlow).toBe(Number(copy.name.slice(1)) % 2 === 1);
      if (newFlow) marked++;
    });
    expect(copies).toBeGreaterThan(5000);
    expect(Math.abs(marked / copies - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / copies));
  });

  it('keeps m per detailed query over overlapping windows however the catch-up is cut', () => {
    const m = 61.5; // (1000 − 16)/16
    const rng = new RandomStreams(2026, 1).stream('test/dns/background');
    const background = new BackgroundQueries(m, rng, 0);
    let total = 0;
    let outOfWindow = 0;
    let lastSentAt = 0;
    // 400 queries/s for 5 s, catching up at each (as the runtime does), then to the end.
    for (let i = 0; i < 2000; i++) {
      const sentAt = i / 400;
      background.catchUp(sentAt, (at) => {
        if (at > sentAt || at > lastSentAt + 1) outOfWindow++;
        total++;
      });
      background.add(sentAt, template(i % 2 === 0 ? 'even' : 'odd'));
      lastSentAt = sentAt;
    }
    background.catchUp(10, (at) => {
      if (at > lastSentAt + 1) outOfWindow++;
      total++;
    });
    expect(outOfWindow).toBe(0);
    const expected = 2000 * m;
    expect(Math.abs(total - expected)).toBeLessThan(4 * Math.sqrt(expected));
  });

  it('draws what each query carries from the long history, not the last second', () => {
    // 10 queries/s, all of second s naming n<s mod 10>: copies of the last second would name the
    // current (or previous) second's name; draws from the history name each of the 10 a tenth of the time.
    const background = new BackgroundQueries(2, new RandomStreams(2026, 3).stream('test/dns/background'), 0);
    const names = Array.from({ length: 10 }, (_, k) => template(`n${k}`));
    const perName = new Array(10).fill(0);
    let current = 0;
    let total = 0;
    for (let i = 0; i < 2000; i++) {
      const sentAt = i / 10;
      background.catchUp(sentAt, (at, t) => {
        if (at < 100) return;
        total++;
        perName[Number(t.name.slice(1))]++;
        if (t.name === `n${Math.floor(at) % 10}`) current++;
      });
      background.add(sentAt, names[Math.floor(sentAt) % 10]);
    }
    const se = Math.sqrt(0.09 / total);
    expect(Math.abs(current / total - 0.1)).toBeLessThan(4 * se);
    for (const count of perName) expect(Math.abs(count / total - 0.1)).toBeLessThan(4 * se);
  });

  it('gives each source the share of the last second, and draws from its own history', () => {
    // Source a asks "a" throughout; source b asks "b" for the first 50 s only. After b stops, every
    // query is a's; while both ask, half are each.
    const background = new BackgroundQueries(1, new RandomStreams(2026, 4).stream('test/dns/background'), 0);
    const sourceA = 'short';
    const sourceB = { external: 'b.example.com' };
    let bothB = 0;
    let both = 0;
    let afterB = 0;
    for (let i = 0; i < 1000; i++) {
      const sentAt = i / 10;
      background.catchUp(sentAt, (at, t) => {
        if (at < 50) {
          both++;
          if (t.name === 'b') bothB++;
        } else if (at > 51 && t.name === 'b') afterB++;
      });
      background.add(sentAt, template('a'), sourceA);
      if (sentAt < 50) background.add(sentAt, template('b'), sourceB);
    }
    expect(afterB).toBe(0);
    expect(Math.abs(bothB / both - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / both));
  });
});

describe('QueryHistory', () => {
  it('forgets queries older than HISTORY_SECONDS', () => {
    const history = new QueryHistory();
    const old = template('old');
    const recent = template('recent');
    for (let i = 0; i < 3000; i++) history.add(i * 0.1, old);
    history.add(HISTORY_SECONDS + 301, recent);
    expect(history.size).toBe(1);
    expect(history.at(0.5)).toBe(recent);
  });
});

describe('PendingAnswers', () => {
  it('gives answers back in time order', () => {
    const pending = new PendingAnswers();
    const rng = new RandomStreams(2026, 2).stream('test/dns/pending');
    const times = Array.from({ length: 500 }, () => rng.next() * 10);
    for (const at of times) pending.push({ at, arrivedAt: 0, replica: 0, template: template('q'), mask: 1 });
    const out: number[] = [];
    while (pending.size > 0) out.push(pending.pop().at);
    expect(out).toEqual([...times].sort((a, b) => a - b));
    expect(pending.nextAt()).toBe(Infinity);
  });
});
