// A DNS answer cache as CoreDNS's cache plugin keeps it (plugin/cache, plugin/pkg/cache): a
// success cache and a denial cache (NXDOMAIN and NODATA), each split into 256 shards by the key's
// hash, each shard holding capacity/256 entries (at least 4). An answer is kept for its TTL clamped
// to [minTtl, maxTtl]. Entries are keyed by (name, type). Leaves out serve_stale and the DO bit.
//
// Expiry is lazy, as in CoreDNS: an expired entry is a miss but keeps its slot until the key is
// written again or the entry is evicted. Eviction is random within the full shard (shard.Add
// deletes the first key of Go's randomised map iteration), not LRU and not by TTL. Each lookup and
// insert is O(1): an array read by the question's key (CacheKeys), and a slot array per shard for
// the random victim.
//
// Prefetch (`prefetch AMOUNT [DURATION] [PERCENTAGE%]`): a hit on an entry seen AMOUNT times with
// no gap of DURATION, whose remaining TTL (whole seconds) is at most ceil(PERCENTAGE% of its TTL),
// is answered from the cache and also refreshed from the backend (handler.go shouldPrefetch).

import type { RandomStream } from '../../engine/random.js';
import { QUESTION_TYPES, typeAnswers } from './questions.js';
import type { CandidateOutcome } from './resolver.js';

export type CacheKind = 'success' | 'denial';
export type CacheLookup = 'miss' | CacheKind;

interface PrefetchSettings {
  /** Hits with no gap longer than `duration` before an entry is popular. */
  amount: number;
  /** Seconds. */
  duration: number;
  /** Percent of the entry's TTL left at or below which a hit prefetches (10 to 90). */
  percentage: number;
}

export interface DnsCacheConfig {
  successCapacity: number;
  denialCapacity: number;
  /** Seconds: `cache TTL` or `success CAPACITY TTL`. */
  successMaxTtl: number;
  denialMaxTtl: number;
  /** Seconds: MINTTL, 5 by default for both. */
  successMinTtl: number;
  denialMinTtl: number;
  shards: number;
  minShardSize: number;
  prefetch?: PrefetchSettings;
}

/**
 * The distinct (name, type) questions of one simulation as small integers. A cache indexes arrays
 * by them: a lookup is an array read, where a Map keyed by the question's text hashed a string
 * (the caches were a quarter of a DNS-heavy point's time: docs/performance.md, "DNS cache keys"). Each key's shard
 * hash is computed once, from its text, so shards are what they were.
 */
export class CacheKeys {
  private readonly ids = new Map<string, number>();
  /** FNV-1a of each key's text, by id. */
  readonly hashes: number[] = [];

  /** The key of a question. */
  id(name: string, type: 'A' | 'AAAA'): number {
    return this.of(`${name}|${type}`);
  }

  /** The key of a question written as `name|type`. */
  of(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.hashes.length;
      this.ids.set(text, id);
      this.hashes.push(hashKey(text));
    }
    return id;
  }
}

/** FNV-1a over the key's UTF-16 code units: spreads keys over shards as CoreDNS's FNV-64 does. */
function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

interface Entry {
  key: number;
  shard: number;
  slot: number;
  storedAt: number;
  /** The clamped TTL in seconds (CoreDNS's origTTL). */
  ttl: number;
  expiresAt: number;
  /** Prefetch frequency: hits with no gap above the prefetch duration, and the last hit. */
  hits: number;
  lastHit: number;
}

/** One of the two caches: entries by key, and a slot array per shard for random eviction. */
class ShardedTable {
  readonly shardSize: number;
  readonly capacity: number;
  /** The entry of each key held, by key; undefined past the end or where none is held. */
  private index: (Entry | undefined)[] = [];
  private held = 0;
  private readonly slots: Entry[][];
  evictions = 0;

  constructor(capacity: number, private readonly shards: number, minShardSize: number, private readonly rng: RandomStream, private readonly keys: CacheKeys) {
    this.shardSize = Math.max(minShardSize, Math.floor(capacity / shards));
    this.capacity = this.shardSize * shards;
    this.slots = Array.from({ length: shards }, () => []);
  }

  get size(): number {
    return this.held;
  }

  get(key: number): Entry | undefined {
    return this.index[key];
  }

  /** Writes the entry for `key`; a new key in a full shard evicts a random entry of that shard. */
  set(key: number, ttl: number, now: number): Entry {
    let entry = this.index[key];
    if (entry === undefined) {
      const shard = this.keys.hashes[key] % this.shards;
      const slots = this.slots[shard];
      if (slots.length >= this.shardSize) {
        // The victim's record, in the same shard and slot, becomes the new key's: no allocation.
        entry = slots[Math.floor(this.rng.next() * slots.length)];
        this.index[entry.key] = undefined;
        this.held--;
        this.evictions++;
        entry.key = key;
        entry.storedAt = now;
        entry.ttl = ttl;
        entry.expiresAt = now + ttl;
        entry.hits = 0;
        entry.lastHit = -Infinity;
      } else {
        entry = { key, shard, slot: slots.length, storedAt: now, ttl, expiresAt: now + ttl, hits: 0, lastHit: -Infinity };
        slots.push(entry);
      }
      // Extended one by one, so that the array stays packed (holes would slow every read).
      while (this.index.length <= key) this.index.push(undefined);
      this.index[key] = entry;
      this.held++;
      return entry;
    }
    entry.storedAt = now;
    entry.ttl = ttl;
    entry.expiresAt = now + ttl;
    return entry;
  }

  remove(key: number): void {
    const entry = this.index[key];
    if (entry === undefined) return;
    const slots = this.slots[entry.shard];
    const last = slots.pop() as Entry;
    if (last !== entry) {
      slots[entry.slot] = last;
      last.slot = entry.slot;
    }
    this.index[key] = undefined;
    this.held--;
  }
}

/** CoreDNS's computeTTL: the answer's TTL raised to the minimum, then capped at the maximum. */
export function clampTtl(ttl: number, minTtl: number, maxTtl: number): number {
  return Math.min(Math.max(ttl, minTtl), maxTtl);
}

export class DnsCache {
  private readonly success: ShardedTable;
  private readonly denial: ShardedTable;
  /** Set by lookup(): whether the hit it just returned should also be refreshed (prefetch). */
  prefetchDue = false;
  successHits = 0;
  denialHits = 0;
  misses = 0;
  prefetches = 0;

  /** `keys`: the simulation's question keys, which every cache of it shares. */
  constructor(readonly config: DnsCacheConfig, rng: RandomStream, keys: CacheKeys) {
    if (!(config.shards >= 1 && Number.isInteger(config.shards))) throw new RangeError(`DnsCache: shards must be an integer >= 1, got ${config.shards}`);
    this.success = new ShardedTable(config.successCapacity, config.shards, config.minShardSize, rng, keys);
    this.denial = new ShardedTable(config.denialCapacity, config.shards, config.minShardSize, rng, keys);
  }

  /**
   * Looks `key` up at time `now` (seconds): the denial cache first, then the success cache, as
   * CoreDNS's getIgnoreTTL does. Expired entries are misses. Sets `prefetchDue`.
   */
  lookup(key: number, now: number): CacheLookup {
    this.prefetchDue = false;
    let entry = this.denial.get(key);
    let kind: CacheKind = 'denial';
    if (entry === undefined || now >= entry.expiresAt) {
      entry = this.success.get(key);
      kind = 'success';
      if (entry === undefined || now >= entry.expiresAt) {
        this.misses++;
        return 'miss';
      }
    }
    if (kind === 'success') this.successHits++;
    else this.denialHits++;
    const prefetch = this.config.prefetch;
    if (prefetch !== undefined && prefetch.amount > 0) {
      entry.hits = entry.lastHit < now - prefetch.duration ? 1 : entry.hits + 1;
      entry.lastHit = now;
      const remaining = entry.ttl - Math.floor(now - entry.storedAt);
      const threshold = Math.ceil((prefetch.percentage / 100) * entry.ttl);
      if (entry.hits >= prefetch.amount && remaining <= threshold) {
        this.prefetchDue = true;
        this.prefetches++;
      }
    }
    return kind;
  }

  /**
   * Stores an answer of `kind` whose record TTL is `ttl` seconds (the kubernetes plugin's ttl, the
   * upstream's TTL, or the SOA minimum for a denial). `prefetched`: a refresh started by a
   * prefetch, which keeps the entry's popularity and clears a stale denial for the key.
   */
  insert(key: number, kind: CacheKind, ttl: number, now: number, prefetched = false): void {
    const c = this.config;
    const duration = kind === 'success' ? clampTtl(ttl, c.successMinTtl, c.successMaxTtl) : clampTtl(ttl, c.denialMinTtl, c.denialMaxTtl);
    if (!(duration > 0)) return;
    const table = kind === 'success' ? this.success : this.denial;
    const previous = table.get(key);
    const hits = prefetched && previous !== undefined ? previous.hits : 0;
    const lastHit = prefetched && previous !== undefined ? previous.lastHit : -Infinity;
    const entry = table.set(key, duration, now);
    entry.hits = hits;
    entry.lastHit = lastHit;
    if (prefetched && kind === 'success') this.denial.remove(key);
  }

  /** Entries held (expired ones included, as CoreDNS's coredns_cache_entries counts them). */
  entries(kind: CacheKind): number {
    return (kind === 'success' ? this.success : this.denial).size;
  }

  /** The capacity actually used: capacity rounded down to a multiple of the shard count. */
  capacity(kind: CacheKind): number {
    return (kind === 'success' ? this.success : this.denial).capacity;
  }

  evictions(kind: CacheKind): number {
    return (kind === 'success' ? this.success : this.denial).evictions;
  }

  /** Forgets the counters (end of warm-up); the cached entries stay. */
  resetCounters(): void {
    this.successHits = 0;
    this.denialHits = 0;
    this.misses = 0;
    this.prefetches = 0;
    this.success.evictions = 0;
    this.denial.evictions = 0;
  }
}

/**
 * Caches the answers for `name` of the types in `mask` (questions.ts): records where the outcome
 * has them, a denial otherwise, each for ttl(records) seconds (drawn in type order).
 */
export function cacheAnswers(cache: DnsCache, keys: CacheKeys, name: string, outcome: CandidateOutcome, mask: number, now: number, ttl: (records: boolean) => number): void {
  for (let t = 0; t < QUESTION_TYPES.length; t++) {
    if ((mask & (1 << t)) === 0) continue;
    const type = QUESTION_TYPES[t];
    const records = typeAnswers(outcome, type);
    cache.insert(keys.id(name, type), records ? 'success' : 'denial', ttl(records), now);
  }
}
