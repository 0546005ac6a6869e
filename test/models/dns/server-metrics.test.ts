// What the DNS servers say about themselves (CoreDNS's and node-cache's own counters and
// histograms), checked against the mechanism: every query received is answered or dropped, a
// query's server time is at least its CPU and grows with load as a FIFO queue's does, and
// balanced replicas share the load evenly.

import { describe, expect, it } from 'vitest';
import { run, small } from './simulate-fixture.js';

/** profiles/dns.yaml coredns.cpu.cacheHit and nodeLocal.cpu.cacheHit: a parallel pair is one job of two. */
const COREDNS_HIT = 59.4e-6;
const NODELOCAL_HIT = 59.2e-6;
/** The histogram's relative error bound on any quantile (engine/stats/histogram.ts). */
const QUANTILE_ERROR = 0.02;

const responses = (m: Record<string, number>) => ['NOERROR', 'NXDOMAIN', 'SERVFAIL'].reduce((sum, rcode) => sum + m[`coredns_dns_responses_total{rcode=${rcode}}.total`], 0);

describe('NXDOMAIN responses per lookup', () => {
  const external = (resolver: object = {}) =>
    run(small({ workload: [{ clients: '50%', ratePerClient: 5, dnsName: { external: 'api.example.com' } }], dns: { resolver: { nodeSearchDomains: ['ec2.internal'], ...resolver } } }));

  it('counts 8 for an external name with two dots at ndots 5 and four search domains (4 candidates × A and AAAA)', () => {
    expect(external()['dns_nxdomain_per_lookup.mean']).toBe(8);
  });

  it('counts 8 too when A and AAAA go one after the other (single-request), and musl walks the same 4 suffixes', () => {
    expect(external({ options: 'single-request' })['dns_nxdomain_per_lookup.mean']).toBe(8);
    expect(external({ library: 'musl' })['dns_nxdomain_per_lookup.mean']).toBe(8);
  });

  it('counts none when the first candidate answers', () => {
    expect(run(small())['dns_nxdomain_per_lookup.mean']).toBe(0);
  });
});

describe('coredns_dns_responses_total by rcode', () => {
  it('answers every query it receives: NXDOMAIN for a candidate that does not exist, NOERROR for the one that does', () => {
    // "svc.ns" at ndots 5: <svc>.<ns>.<own ns>.svc.cluster.local (NXDOMAIN), then
    // <svc>.<ns>.svc.cluster.local: both in the cluster zone, answered at the replica, never dropped.
    const m = run(small({ workload: [{ clients: '50%', ratePerClient: 5, dnsName: 'namespaced' }] }));
    const requests = m['coredns_dns_requests_total.total'];
    expect(requests).toBeGreaterThan(1000);
    expect(m['coredns_dropped_requests_total.total']).toBe(0);
    expect(responses(m)).toBe(requests);
    // Half NXDOMAIN, but for a lookup straddling a window edge (its first pair counted, its second not, or the reverse).
    expect(Math.abs(m['coredns_dns_responses_total{rcode=NXDOMAIN}.total'] - requests / 2)).toBeLessThanOrEqual(4);
    expect(m['coredns_dns_responses_total{rcode=SERVFAIL}.total']).toBe(0);
  });

  it('counts an IPv4-only name’s empty AAAA (NODATA) as NOERROR', () => {
    const m = run(small());
    expect(m['coredns_dns_responses_total{rcode=NXDOMAIN}.total']).toBe(0);
    expect(m['coredns_dns_responses_total{rcode=NOERROR}.total']).toBe(m['coredns_dns_requests_total.total']);
  });

  it('conserves queries at a saturated replica: requests = responses + drops, the drops per replica adding up', () => {
    // One replica at 100m: a pair of cache hits costs 2 × 59.4 us × 10, about 840 pairs/s against
    // 8 nodes × 3 clients × 50 lookups/s = 1,200 offered.
    const m = run(small({ dns: { coredns: { replicas: 1, cpu: 0.1 } }, workload: [{ clients: '50%', ratePerClient: 50, deadline: '60s' }] }));
    const drops = m['coredns_dropped_requests_total.total'];
    expect(drops).toBeGreaterThan(0);
    expect(responses(m) + drops).toBe(m['coredns_dns_requests_total.total']);
    expect(m['coredns_replica_dropped_requests_per_second.max'] * 10).toBeCloseTo(drops, 6);
  });
});

describe('coredns_dns_request_duration_seconds', () => {
  const load = (ratePerClient: number, replication = 0) =>
    run(
      { warmup: '2s', duration: '8s', cluster: { nodes: 240, podsPerNode: 10, services: 20, detailedNodes: 16 }, dns: { coredns: { replicas: 1, cpu: 1 } }, workload: [{ clients: '50%', ratePerClient }] },
      replication,
    );

  it('is at least the CPU of the pair a query is answered in, and that alone at light load', () => {
    const m = load(0.2);
    expect(m['coredns_cpu_utilization.mean']).toBeLessThan(0.05);
    expect(m['coredns_dns_request_duration_seconds.mean']).toBeGreaterThanOrEqual(2 * COREDNS_HIT - 1e-12);
    expect(m['coredns_dns_request_duration_seconds.p50']).toBeGreaterThanOrEqual(2 * COREDNS_HIT * (1 - QUANTILE_ERROR));
    expect(m['coredns_dns_request_duration_seconds.p50']).toBeLessThan(2 * COREDNS_HIT * 1.1);
  });

  it('grows with utilisation as M/D/1’s sojourn does, the other nodes’ queries included (ρ ≈ 0.4 and 0.8)', () => {
    // Every job is a pair of cache hits (S = 2 × 59.4 us; the few kubernetes-plugin answers per
    // TTL are ignored); each query's time is its job's wait + S, the wait ρS/(2(1 − ρ)) for
    // Poisson arrivals. The other nodes' queries arrive a little burstier than Poisson
    // (background.ts), as the lookup test in simulate-dns.test.ts allows for: within 15 %.
    const service = 2 * COREDNS_HIT;
    const mdOne = (rho: number) => service + (rho * service) / (2 * (1 - rho));
    const means: number[] = [];
    for (const rate of [2.8, 5.6]) {
      const m = load(rate);
      const rho = m['coredns_cpu_utilization.mean'];
      const waited = m['coredns_dns_request_duration_seconds.mean'] - service;
      expect(Math.abs(waited / (mdOne(rho) - service) - 1), `rate ${rate}, ρ ${rho}`).toBeLessThan(0.15);
      means.push(m['coredns_dns_request_duration_seconds.mean']);
    }
    expect(means[1]).toBeGreaterThan(means[0]);
  });
});

describe('per-replica requests', () => {
  it('gives each of 4 balanced replicas a quarter of the queries (within 4 standard errors), and one replica all', () => {
    const m = run(small({ dns: { coredns: { replicas: 4 } } }));
    const requests = m['coredns_dns_requests_total.total'];
    // A pair's replica is drawn uniformly per lookup: the share of one is a binomial proportion over pairs.
    const pairs = requests / 2;
    expect(m['coredns_replica_requests_share.mean']).toBe(0.25);
    expect(m['coredns_replica_requests_share.max']).toBeGreaterThanOrEqual(0.25);
    expect(m['coredns_replica_requests_share.max'] - 0.25).toBeLessThan(4 * Math.sqrt((0.25 * 0.75) / pairs));
    expect(m['coredns_replica_requests_per_second.mean'] * 4).toBeCloseTo(m['coredns_dns_requests_total.rate'], 6);
    expect(run(small({ dns: { coredns: { replicas: 1 } } }))['coredns_replica_requests_share.max']).toBe(1);
  });
});

describe('NodeLocal DNSCache’s own metrics', () => {
  // 20 external names with two dots, ndots 5, one node search domain: 5 candidates, 10 queries per lookup.
  const m = run(
    small({ workload: [{ clients: '50%', ratePerClient: 5, dnsName: { external: { names: 20, dots: 2, zipf: 0 } } }], dns: { resolver: { nodeSearchDomains: ['ec2.internal'] }, nodeLocal: { enabled: true } } }),
  );

  it('receives every query of every lookup on its node (10 per lookup)', () => {
    const lookups = ['ok', 'refused', 'timeout', 'deadline_exceeded', 'dns_failed'].reduce((sum, outcome) => sum + m[`request_outcomes_total{outcome=${outcome}}.total`], 0);
    const perNode = m['nodelocal_dns_requests_total.total'];
    expect(Math.abs((perNode * 8) / (10 * lookups) - 1)).toBeLessThan(0.01);
  });

  it('holds one entry per (name, type) asked, expired ones included: 20 names tried as is × 2 types = 40 per node', () => {
    // At ndots 1 each name is one candidate. Each node asks each name 0.75 times a second for
    // 12 s: all 40 keys are in (a name missed on a node has probability e^−9), none evicted.
    const asIs = run(small({ workload: [{ clients: '50%', ratePerClient: 5, dnsName: { external: { names: 20, dots: 2, zipf: 0 } } }], dns: { resolver: { ndots: 1 }, nodeLocal: { enabled: true } } }));
    expect(asIs['nodelocal_cache_entries.max']).toBe(40);
    expect(asIs['nodelocal_cache_entries.mean']).toBeGreaterThan(39.5);
  });

  it('answers a hit in its CPU time, and a miss only after CoreDNS or the upstream answered', () => {
    // 86 % hits (simulate-dns.test.ts): the median is a hit's pair job on an idle agent.
    expect(m['nodelocal_dns_request_duration_seconds.p50']).toBeGreaterThanOrEqual(2 * NODELOCAL_HIT * (1 - QUANTILE_ERROR));
    expect(m['nodelocal_dns_request_duration_seconds.p50']).toBeLessThan(2 * NODELOCAL_HIT * 1.1);
    // The 1 % slowest are misses: each waited for its forward, at least CoreDNS's time for a query.
    expect(m['nodelocal_dns_request_duration_seconds.p99']).toBeGreaterThan(m['coredns_dns_request_duration_seconds.p50'] + 2 * NODELOCAL_HIT);
  });
});
