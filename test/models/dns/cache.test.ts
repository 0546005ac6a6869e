import { describe, it, expect } from 'vitest';
import { exponential, zipf } from '../../../engine/distributions.js';
import { RandomStreams, type RandomStream } from '../../../engine/random.js';
import { CacheKeys, DnsCache, clampTtl, type DnsCacheConfig } from '../../../models/dns/cache.js';
import { corednsCacheConfig, dnsSettings, loadDnsProfile } from '../../../models/dns/settings.js';

/** One key space for the file, as one simulation shares one among its caches. */
const keys = new CacheKeys();
const cacheKey = (name: string, type: 'A' | 'AAAA') => keys.id(name, type);

function stream(name: string): RandomStream {
  return new RandomStreams(4242, 0).stream(`test/dns/cache/${name}`);
}

function config(overrides: Partial<DnsCacheConfig> = {}): DnsCacheConfig {
  return { successCapacity: 9984, denialCapacity: 9984, successMaxTtl: 3600, denialMaxTtl: 1800, successMinTtl: 5, denialMinTtl: 5, shards: 256, minShardSize: 4, ...overrides };
}

describe('DnsCache', () => {
  it('rounds capacity down to whole shards of at least 4, as CoreDNS does', () => {
    expect(new DnsCache(config(), stream('cap'), keys).capacity('success')).toBe(9984);
    expect(new DnsCache(config({ successCapacity: 10000 }), stream('cap'), keys).capacity('success')).toBe(9984);
    expect(new DnsCache(config({ successCapacity: 100 }), stream('cap'), keys).capacity('success')).toBe(1024);
  });

  it('clamps an answer TTL to [min, max]', () => {
    expect(clampTtl(1, 5, 3600)).toBe(5);
    expect(clampTtl(86400, 5, 3600)).toBe(3600);
    expect(clampTtl(30, 5, 3600)).toBe(30);
  });

  it('serves a hit until the clamped TTL has passed, then misses', () => {
    const cache = new DnsCache(config({ successMaxTtl: 30 }), stream('ttl'), keys);
    const key = cacheKey('api.example.com', 'A');
    cache.insert(key, 'success', 300, 100);
    expect(cache.lookup(key, 100)).toBe('success');
    expect(cache.lookup(key, 129.999)).toBe('success');
    expect(cache.lookup(key, 130)).toBe('miss');
    // Expired entries keep their slot until written again (lazy expiry).
    expect(cache.entries('success')).toBe(1);
  });

  it('keeps denials apart, checks them first, and caps them at the denial TTL', () => {
    const cache = new DnsCache(config({ denialMaxTtl: 5 }), stream('denial'), keys);
    const key = cacheKey('x.svc.cluster.local', 'A');
    cache.insert(key, 'denial', 60, 0);
    cache.insert(key, 'success', 30, 0);
    expect(cache.lookup(key, 1)).toBe('denial');
    expect(cache.lookup(key, 6)).toBe('success');
    expect(cache.denialHits).toBe(1);
    expect(cache.successHits).toBe(1);
  });

  it('never holds more than a shard allows and evicts at random within the shard', () => {
    const cache = new DnsCache(config({ successCapacity: 1024 }), stream('evict'), keys);
    const key = (i: number) => cacheKey(`name-${i}.example.com`, 'A');
    for (let i = 0; i < 20000; i++) cache.insert(key(i), 'success', 30, 0);
    expect(cache.entries('success')).toBeLessThanOrEqual(1024);
    expect(cache.entries('success')).toBeGreaterThan(1000);
    expect(cache.evictions('success')).toBe(20000 - cache.entries('success'));

    // Random, not FIFO: after 2048 inserts into 1024 slots some old keys remain and some new ones are gone.
    const fresh = new DnsCache(config({ successCapacity: 1024 }), stream('evict-2'), keys);
    for (let i = 0; i < 2048; i++) fresh.insert(key(i), 'success', 30, 0);
    let oldKept = 0;
    let newKept = 0;
    for (let i = 0; i < 2048; i++) if (fresh.lookup(key(i), 1) !== 'miss') (i < 1024 ? oldKept++ : newKept++);
    expect(oldKept).toBeGreaterThan(50);
    expect(newKept).toBeLessThan(1000);
  });

  it('overwrites an existing key without evicting', () => {
    const cache = new DnsCache(config({ successCapacity: 1024 }), stream('overwrite'), keys);
    for (let i = 0; i < 5; i++) cache.insert(keys.of('k|A'), 'success', 30, i * 100);
    expect(cache.entries('success')).toBe(1);
    expect(cache.evictions('success')).toBe(0);
  });

  it('prefetches a popular entry once its remaining TTL is within the percentage', () => {
    const cache = new DnsCache(config({ prefetch: { amount: 3, duration: 60, percentage: 10 } }), stream('prefetch'), keys);
    cache.insert(keys.of('p|A'), 'success', 100, 0);
    const due: boolean[] = [];
    for (const t of [10, 20, 30, 85, 91, 95]) {
      cache.lookup(keys.of('p|A'), t);
      due.push(cache.prefetchDue);
    }
    // hits 1..6; remaining whole seconds 90, 80, 70, 15, 9, 5; threshold ceil(10% of 100) = 10.
    expect(due).toEqual([false, false, false, false, true, true]);
    // A refresh keeps the entry's popularity: hits 7 (at 150) and 8 (at 187, 9 s left) prefetch again.
    cache.insert(keys.of('p|A'), 'success', 100, 96, true);
    cache.lookup(keys.of('p|A'), 150);
    expect(cache.prefetchDue).toBe(false);
    cache.lookup(keys.of('p|A'), 187);
    expect(cache.prefetchDue).toBe(true);
  });

  it('builds a CoreDNS replica cache from the default settings (cache 30, capacity 9984)', () => {
    const profile = loadDnsProfile().values;
    const c = corednsCacheConfig(dnsSettings.parse({}).coredns, profile);
    expect(c).toMatchObject({ successCapacity: 9984, successMaxTtl: 30, denialMaxTtl: 30, successMinTtl: 5, shards: 256 });
  });
});

describe('TTL cache hit ratio under Poisson requests', () => {
  // A name requested at rate λ, cached for T after each miss, hits with probability λT/(1+λT):
  // each cycle is T plus an exponential wait for the next miss, holding λT hits on average.
  // 10,000 names with Zipf(0.9) popularity, total rate chosen so that λT spans 0.02 to 100;
  // each band of λT compares the request-weighted theory with the observed ratio.
  it('agrees with λT/(1+λT) within 1 percentage point in every rate band', () => {
    const names = 10_000;
    const s = 0.9;
    const ttl = 5;
    const totalRate = 320; // requests per second: λ_1 T ≈ 100 for the most popular name
    const requests = 2_000_000;
    const warmupRequests = 200_000;

    let norm = 0;
    for (let k = 1; k <= names; k++) norm += k ** -s;
    const lambdaT = (i: number) => (totalRate * ((i + 1) ** -s / norm)) * ttl;
    const bands = [
      { name: 'λT < 0.1', lo: 0, hi: 0.1 },
      { name: '0.1 ≤ λT < 1', lo: 0.1, hi: 1 },
      { name: '1 ≤ λT < 10', lo: 1, hi: 10 },
      { name: 'λT ≥ 10', lo: 10, hi: Infinity },
    ];
    const bandOf = new Int8Array(names);
    const expected = bands.map(() => ({ weight: 0, hitWeight: 0 }));
    for (let i = 0; i < names; i++) {
      const x = lambdaT(i);
      const b = bands.findIndex((band) => x >= band.lo && x < band.hi);
      bandOf[i] = b;
      expected[b].weight += x;
      expected[b].hitWeight += x * (x / (1 + x));
    }

    // Capacity well above the population (256 shards of 80): no eviction, only TTL expiry.
    const cache = new DnsCache(config({ successCapacity: 256 * 80, successMinTtl: 0 }), stream('hit-ratio/evict'), keys);
    const hosts = Array.from({ length: names }, (_, i) => cacheKey(`host-${i}.example.com`, 'A'));
    const pick = zipf(names, s);
    const gap = exponential(totalRate);
    const rng = stream('hit-ratio/requests');
    const seen = bands.map(() => ({ requests: 0, hits: 0 }));
    let now = 0;
    for (let r = 0; r < requests; r++) {
      now += gap.sample(rng);
      const i = pick.sample(rng);
      const hit = cache.lookup(hosts[i], now) !== 'miss';
      if (!hit) cache.insert(hosts[i], 'success', ttl, now);
      if (r >= warmupRequests) {
        seen[bandOf[i]].requests++;
        if (hit) seen[bandOf[i]].hits++;
      }
    }
    expect(cache.evictions('success')).toBe(0);
    bands.forEach((band, b) => {
      const theory = expected[b].hitWeight / expected[b].weight;
      const observed = seen[b].hits / seen[b].requests;
      expect(seen[b].requests, band.name).toBeGreaterThan(100_000);
      expect(Math.abs(observed - theory), `${band.name}: observed ${observed}, theory ${theory}`).toBeLessThan(0.01);
    });
  });
});
