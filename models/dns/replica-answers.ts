// What a CoreDNS replica does with the queries that reach it: its receive queue admits or drops
// them, then each asked type is answered from the cache, by the kubernetes plugin (records or
// NXDOMAIN, cached at once) or forwarded upstream; returns the CPU it takes at full speed. Leaves
// out: the queueing itself (the replica's FifoCpu) and the upstream's answer (runtime.ts). QueryTemplates
// interns what is asked, so that the other nodes' copies (background.ts) share one object per question.
//
// An ExternalName Service's name: the kubernetes plugin answers a CNAME to the external host and,
// the host being outside its zone, looks the target up through the server's own plugin chain
// (coredns/coredns plugin/backend_lookup.go A/AAAA, plugin/pkg/upstream/upstream.go: ServeDNS
// again), so the target meets the cache, then forward: the client gets CNAME + addresses in one
// answer, and only a target missing from the cache costs an upstream round trip. The inner query's
// own count in coredns_dns_requests_total is left out.

import { corednsCpuSeconds, type AnswerKind } from './coredns-costs.js';
import type { QueryTemplate } from './background.js';
import { cacheAnswers, type CacheKeys, type DnsCache } from './cache.js';
import type { DnsMetrics, Replica } from './lookup.js';
import { QUESTION_TYPES, typeAnswers } from './questions.js';
import { isClusterZone, type CandidateOutcome } from './resolver.js';
import type { DnsProfile } from './settings.js';

export class ReplicaAnswers {
  /** Types the last answer() forwarded upstream (read at once by its caller). */
  forwarded = 0;

  constructor(
    private readonly counters: DnsMetrics,
    private readonly profile: DnsProfile,
    private readonly kubernetesTtlSeconds: number,
  ) {}

  /** Counts queries reaching `replica` at `at`; false when a full receive queue drops them before CoreDNS reads them (no cache lookup, no answer). */
  received(replica: Replica, queries: number, at: number): boolean {
    this.counters.corednsRequests.add(queries);
    replica.requests.add(queries);
    if (replica.cpu.admits(at)) return true;
    this.counters.corednsDrops.add(queries);
    replica.drops.add(queries);
    return false;
  }

  /**
   * Answers each asked type from the cache, the kubernetes plugin (records or NXDOMAIN, cached at
   * once) or by a forward; records the cache outcomes; returns the CPU seconds of the answers at
   * full speed and leaves the forwarded types in `forwarded`.
   */
  answer(replica: Replica, query: QueryTemplate, autopathWalk: number, now: number): number {
    const { outcome, asked, perType, clusterZone } = query;
    let cost = 0;
    let forwarded = 0;
    for (let t = 0; t < QUESTION_TYPES.length; t++) {
      if ((asked & (1 << t)) === 0) continue;
      const type = QUESTION_TYPES[t];
      const key = query.keys[t];
      let kind: AnswerKind;
      if (replica.cache.lookup(key, now) !== 'miss') {
        this.counters.corednsCacheHits.add(perType);
        kind = 'cache-hit';
      } else if (clusterZone && query.cname !== null) {
        // The plugin's CNAME, then its target through the chain: the cache, or a forward.
        this.counters.corednsCacheMisses.add(perType);
        this.counters.cnameChased.add(perType);
        cost += perType * corednsCpuSeconds(this.profile, 'kubernetes');
        if (replica.cache.lookup(query.cname.keys[t], now) !== 'miss') {
          this.counters.corednsCacheHits.add(perType);
          replica.cache.insert(key, typeAnswers(outcome, type) ? 'success' : 'denial', this.kubernetesTtlSeconds, now);
          kind = 'cache-hit';
        } else {
          this.counters.corednsCacheMisses.add(perType);
          this.counters.corednsForwards.add(perType);
          forwarded |= 1 << t;
          kind = 'forward';
        }
      } else if (clusterZone) {
        this.counters.corednsCacheMisses.add(perType);
        replica.cache.insert(key, typeAnswers(outcome, type) ? 'success' : 'denial', this.kubernetesTtlSeconds, now);
        kind = autopathWalk > 0 ? 'autopath' : 'kubernetes';
      } else {
        this.counters.corednsCacheMisses.add(perType);
        this.counters.corednsForwards.add(perType);
        forwarded |= 1 << t;
        kind = 'forward';
      }
      cost += perType * corednsCpuSeconds(this.profile, kind);
    }
    this.forwarded = forwarded;
    return cost;
  }

  /**
   * Caches what the upstream answered for `query`'s types in `mask`, for ttl(records) seconds: the
   * name's own answer, or for an ExternalName's the target's, and the whole CNAME answer under the
   * Service's name for the plugin's TTL (the cache keeps a response for its records' least TTL).
   */
  upstreamAnswered(cache: DnsCache, keys: CacheKeys, query: QueryTemplate, mask: number, now: number, ttl: (records: boolean) => number): void {
    if (query.cname === null) {
      cacheAnswers(cache, keys, query.name, query.outcome, mask, now, ttl);
      return;
    }
    cacheAnswers(cache, keys, query.cname.name, query.outcome, mask, now, ttl);
    cacheAnswers(cache, keys, query.name, query.outcome, mask, now, () => this.kubernetesTtlSeconds);
  }
}

/** What lookups ask a replica, one shared object per distinct question (the background's history holds many references to each). */
export class QueryTemplates {
  private readonly templates = new Map<string, QueryTemplate>();

  constructor(
    private readonly keys: CacheKeys,
    private readonly clusterDomain: string,
    /** An ExternalName Service's external host by its name (without the trailing dot), or null. */
    private readonly cnameTarget: (name: string) => string | null,
  ) {}

  of(name: string, outcome: CandidateOutcome, asked: number, perType: number): QueryTemplate {
    const id = `${asked}|${perType}|${outcome}|${name}`;
    let template = this.templates.get(id);
    if (template === undefined) {
      const clusterZone = isClusterZone(name, this.clusterDomain);
      const target = clusterZone ? this.cnameTarget(name) : null;
      const cname = target === null ? null : { name: target, keys: QUESTION_TYPES.map((type) => this.keys.id(target, type)) };
      template = { name, outcome, asked, perType, keys: QUESTION_TYPES.map((type) => this.keys.id(name, type)), clusterZone, cname };
      this.templates.set(id, template);
    }
    return template;
  }
}
