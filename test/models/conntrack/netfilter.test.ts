// Linux nf_conntrack: kube-proxy's limit, table-full drops, early_drop of non-assured entries with
// the modelled probability, the GC worker's early drop, memory.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../engine/random.js';
import {
  conntrackLimit,
  conntrackSettings,
  createFlowTable,
  drawEarlyDrop,
  loadConntrackProfile,
  NetfilterConntrack,
  type ConntrackSettings,
} from '../../../models/conntrack/index.js';

const profile = loadConntrackProfile().values;
const noGc = loadConntrackProfile({ netfilter: { gcEarlyDrop: { enabled: false } } }).values;

function netfilter(settings: ConntrackSettings, seed = 1, withGc = true): NetfilterConntrack {
  const rng = new RandomStreams(seed, 0).stream('conntrack');
  return createFlowTable('netfilter', { cores: 8, settings, profile: withGc ? profile : noGc, rng, now: 0 }) as NetfilterConntrack;
}

function connect(t: NetfilterConntrack, now: number): void {
  if (!t.tcpOpen(now)) throw new Error(`SYN dropped at ${now}`);
  t.tcpEstablished(now);
}

function fillTimeWait(t: NetfilterConntrack, n: number, now: number): void {
  for (let k = 0; k < n; k++) {
    connect(t, now);
    t.tcpClose(now);
  }
}

function fillUdp(t: NetfilterConntrack, n: number, now: number): void {
  for (let k = 0; k < n; k++) {
    if (!t.udpOpen(now)) throw new Error('query dropped');
    t.udpReplied(now);
  }
}

describe('nf_conntrack_max', () => {
  it('is max(maxPerCore × cores, min) with kube-proxy defaults', () => {
    const expected: Array<[number, number]> = [[1, 131072], [2, 131072], [4, 131072], [8, 262144], [16, 524288], [64, 2097152]];
    for (const [cores, limit] of expected) expect(conntrackLimit(cores, {}, profile)).toBe(limit);
  });

  it('follows maxPerCore and min from the experiment, and a direct max over both', () => {
    expect(conntrackLimit(8, { maxPerCore: 65536 }, profile)).toBe(524288);
    expect(conntrackLimit(2, { min: 262144 }, profile)).toBe(262144);
    expect(conntrackLimit(64, { max: 1000 }, profile)).toBe(1000);
    expect(() => conntrackLimit(8, { maxPerCore: 0 }, profile)).toThrow(/conntrack.max/);
  });

  it('gives the table hash buckets = limit / 4 unless set', () => {
    expect(netfilter({}).buckets).toBe(65536);
    expect(netfilter({ max: 1000, buckets: 4096 }).buckets).toBe(4096);
  });

  it('parses the experiment key with units and rejects unknown keys', () => {
    const parsed = conntrackSettings.parse({ maxPerCore: 0, max: 5000, tcpTimeWait: '30s', udpTimeout: '5s' });
    expect(parsed).toMatchObject({ max: 5000, tcpTimeWait: 30, udpTimeout: 5 });
    expect(conntrackSettings.safeParse({ maxPercore: 1 }).success).toBe(false);
  });
});

describe('a full netfilter table', () => {
  it('drops and counts new flows while established connections carry on', () => {
    const t = netfilter({ max: 5 });
    for (let k = 0; k < 5; k++) connect(t, 0);
    expect(t.tcpOpen(1)).toBe(false);
    expect(t.udpOpen(1)).toBe(false);
    expect(t.drops.total).toBe(2);
    expect(t.inserts.total).toBe(5);
    // The established flows are untouched: they close normally, into time_wait (still assured).
    t.tcpClose(2);
    t.tcpClose(2);
    expect(t.snapshot(2)).toMatchObject({ established: 3, timeWait: 2 });
    expect(t.tcpOpen(3)).toBe(false);
    expect(t.drops.total).toBe(3);
    // Room comes back when time_wait ends.
    expect(t.tcpOpen(2 + 120)).toBe(true);
  });

  it('takes early_drop victims only among non-assured entries', () => {
    const t = netfilter({ max: 10000 }, 3, false);
    fillTimeWait(t, 8000, 0);
    for (let k = 0; k < 500; k++) {
      expect(t.udpOpen(0)).toBe(true);
      t.udpReplied(0, true); // udp_stream: assured
    }
    fillUdp(t, 1500, 0);
    for (let k = 0; k < 300; k++) t.tcpOpen(1);
    const after = t.snapshot(1);
    expect(after.timeWait).toBe(8000);
    expect(after.udpStream).toBe(500);
    expect(after.synSent).toBe(t.inserts.total - 10000);
    expect(after.udp).toBe(1500 - t.evictions.total);
    expect(t.evictions.total).toBeGreaterThan(250);
    expect(t.entries(1)).toBeLessThanOrEqual(10000);
  });

  it('almost always makes room in a table full of UDP entries', () => {
    const t = netfilter({ max: 10000 }, 4, false);
    fillUdp(t, 10000, 0);
    for (let k = 0; k < 1000; k++) expect(t.tcpOpen(1)).toBe(true);
    expect(t.drops.total).toBe(0);
    // A bucket holds Poisson(8) tuple nodes, and the whole bucket's non-assured entries go.
    expect(t.evictions.total).toBeGreaterThan(1000);
  });

  it('never makes room in a table full of time_wait entries', () => {
    const t = netfilter({ max: 10000 }, 5, false);
    fillTimeWait(t, 10000, 0);
    for (let k = 0; k < 1000; k++) expect(t.tcpOpen(1)).toBe(false);
    expect(t.drops.total).toBe(1000);
    expect(t.evictions.total).toBe(0);
  });

  it('succeeds at early_drop with probability 1 − exp(−8 × 2 × evictable / buckets)', () => {
    // 100000 entries in 25000 buckets; 1000 evictable UDP entries at first. Each attempt's chance
    // follows from the table's state just before it (the pool shrinks as it is drawn from).
    const t = netfilter({ max: 100000 }, 6, false);
    fillTimeWait(t, 99000, 0);
    fillUdp(t, 1000, 0);
    let expected = 0;
    let variance = 0;
    let successes = 0;
    for (let k = 0; k < 2000; k++) {
      const before = t.snapshot(1);
      const full = t.entries(1) >= t.limit;
      const ok = t.tcpOpen(1);
      if (!full) continue;
      const p = 1 - Math.exp((-8 * 2 * before.udp) / t.buckets);
      expected += p;
      variance += p * (1 - p);
      if (ok) successes++;
    }
    expect(Math.abs(successes - expected)).toBeLessThan(4 * Math.sqrt(variance));
  });

  it('memory is 304 bytes per entry held', () => {
    const t = netfilter({});
    fillTimeWait(t, 1000, 0);
    fillUdp(t, 234, 0);
    expect(t.memoryBytes(1)).toBe(1234 * 304);
    expect(t.memoryBytes(120)).toBe(0);
  });
});

describe('drawEarlyDrop', () => {
  const rng = new RandomStreams(11, 0).stream('early-drop');

  it('succeeds with 1 − exp(−range × chain × share) and frees a zero-truncated Poisson number', () => {
    // The normal approximation checks the success rate where p is away from 0 and 1; a table full
    // of evictable entries (chain 8, share 0.25: p = 1 − e^−16) checks the number freed only.
    for (const [share, chain] of [[0.01, 8], [0.1, 2], [0.25, 1], [0.25, 8]] as const) {
      const n = 40000;
      const perBucket = share * chain;
      const p = 1 - Math.exp(-8 * perBucket);
      let successes = 0;
      let freed = 0;
      let freedSquares = 0;
      for (let k = 0; k < n; k++) {
        const victims = drawEarlyDrop(rng, share, chain, 8);
        if (victims > 0) {
          successes++;
          freed += victims;
          freedSquares += victims * victims;
        }
      }
      if (p < 0.95) expect(Math.abs(successes / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
      else expect(successes).toBeGreaterThan(n - 5);
      const mean = freed / successes;
      const sd = Math.sqrt(freedSquares / successes - mean * mean);
      const truncatedMean = perBucket / (1 - Math.exp(-perBucket));
      expect(Math.abs(mean - truncatedMean)).toBeLessThan(4 * (sd / Math.sqrt(successes)) + 1e-12);
    }
  });

  it('never succeeds without evictable entries', () => {
    for (let k = 0; k < 100; k++) expect(drawEarlyDrop(rng, 0, 8, 8)).toBe(0);
  });
});

describe("the GC worker's early drop", () => {
  it('after a failed early_drop, trims closing and non-assured entries to just under 95 % within a scan interval', () => {
    const t = netfilter({ max: 1000 }, 8);
    fillTimeWait(t, 990, 0);
    for (let k = 0; k < 10; k++) connect(t, 0); // established: never touched
    expect(t.tcpOpen(1)).toBe(false);
    expect(t.snapshot(1).gcEarlyDropArmed).toBe(true);
    const after = t.snapshot(61); // the pass runs within 60 s of arming; time_wait ends at 120 s
    expect(after.gcEarlyDropArmed).toBe(false);
    expect(t.entries(61)).toBe(949); // nf_conntrack_max / 100 × 95 − 1
    expect(after.established).toBe(10);
    expect(t.evictions.total).toBe(51);
    expect(t.tcpOpen(61)).toBe(true);
  });

  it('dates the trim at the pass, so the occupancy mean counts the trimmed entries until then', () => {
    const t = netfilter({ max: 1000 }, 9);
    fillTimeWait(t, 1000, 0);
    expect(t.tcpOpen(0)).toBe(false);
    t.entries(100);
    // Level 1000 until the pass at some τ in [0, 60], 949 after: the mean lies between and fixes τ.
    const mean = t.occupancy.mean(100);
    const tau = ((mean - 949) * 100) / 51;
    expect(tau).toBeGreaterThanOrEqual(0);
    expect(tau).toBeLessThanOrEqual(60);
  });

  it('does nothing below 100 entries, as nf_conntrack_max / 100 × 95 is then 0', () => {
    const t = netfilter({ max: 50 });
    fillTimeWait(t, 50, 0);
    expect(t.tcpOpen(1)).toBe(false);
    expect(t.entries(100)).toBe(50);
    expect(t.evictions.total).toBe(0);
  });
});
