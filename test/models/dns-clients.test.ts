// DNS-only workloads (dnsperf-style clients) against the queueing they drive: the offered load
// reaches CoreDNS as λ × cost, a closed loop obeys Little's law up to the replica's capacity, raw
// queries are one question each, resolver lookups walk the search path as a request's do.

import { describe, expect, it } from 'vitest';
import { loadCni } from '../../models/cni.js';
import { corednsCpuSeconds } from '../../models/dns/coredns-costs.js';
import { serverKernelCost } from '../../models/dns/server-kernel.js';
import { createProxyMode, loadProxyProfile } from '../../models/proxy/index.js';
import { planRawQuery, existsOnly } from '../../models/dns/resolver.js';
import { ASK_A } from '../../models/dns/questions.js';
import { loadDnsProfile } from '../../models/dns/settings.js';
import { networkSettings } from '../../models/settings.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { run, small } from './dns/simulate-fixture.js';

const profile = loadDnsProfile().values;
const HIT = corednsCpuSeconds(profile, 'cache-hit');
const MISS = corednsCpuSeconds(profile, 'kubernetes');
/** The kernel's work per query on the replica's node for a client on that node (calico-bgp, iptables: the defaults). */
const KERNEL = serverKernelCost(loadCni('calico-bgp'), createProxyMode('iptables', loadProxyProfile().values), 50).sameNode;

/** One CoreDNS replica of one core, every node detailed, the one Service svc-0 asked by its FQDN. */
const oneReplica = (workload: NonNullable<NetworkSettingsInput['workload']>[number]): NetworkSettingsInput =>
  small({ dns: { coredns: { replicas: 1, cpu: 1 } }, workload: [{ target: 'svc-0', ...workload }] });

describe('a DNS-only open loop', () => {
  it('keeps one replica busy λ × cost: each raw query costs a cache hit, or a kubernetes answer when the entry has expired', () => {
    // 24 client pods × 40/s = 960 queries/s, Poisson: over 10 s the count's relative error is 1/√9600 ≈ 1 %.
    const m = run(oneReplica({ clients: '50%', ratePerClient: 40, dns: { mode: 'raw', queries: [{ name: 'fqdn' }] } }));
    const lambda = 24 * 40;
    const hits = m['coredns_cache_hits_total.rate'];
    const misses = m['coredns_cache_misses_total.rate'];
    // Misses are one per TTL (5 s) at most: the cost is a hit's but for a handful.
    expect(misses).toBeLessThan(1);
    const expected = lambda * ((hits * HIT + misses * MISS) / (hits + misses));
    expect(Math.abs(m['coredns_cpu_utilization.mean'] - expected) / expected).toBeLessThan(0.04);
    expect(Math.abs(m['dns_client_answered_total.rate'] - lambda) / lambda).toBeLessThan(0.04);
    expect(m['dns_client_unanswered_total.total']).toBe(0);
  });

  it('puts every node’s queries on CoreDNS when 2 detailed nodes stand for 8', () => {
    // 8 nodes × 3 client pods × 20/s = 480 raw queries/s cluster-wide, a quarter of them simulated.
    const m = run({ ...oneReplica({ clients: '50%', ratePerClient: 20, dns: { mode: 'raw' } }), cluster: { nodes: 8, podsPerNode: 6, services: 50, detailedNodes: 2 } });
    const lambda = 8 * 3 * 20;
    // The simulated quarter's count errs by 1/√1200 ≈ 3 %.
    expect(Math.abs(m['coredns_dns_requests_total.rate'] - lambda) / lambda).toBeLessThan(0.12);
    expect(Math.abs(m['dns_client_answered_total.rate'] - lambda) / lambda).toBeLessThan(0.12);
  });
});

describe('a DNS-only closed loop (dnsperf -c/-q)', () => {
  it("answers c / round trip per second while the replica is far from busy (Little's law)", () => {
    const m = run(oneReplica({ clients: 1, closedLoop: { concurrency: 1 }, dns: { mode: 'raw' } }));
    const throughput = m['dns_client_answered_total.rate'];
    // N = X × R with N = 1 always in flight (no think time), up to the query straddling the window's edges.
    expect(Math.abs(throughput * m['dns_query_duration_seconds.mean'] - 1)).toBeLessThan(0.01);
    // The replica's core works one hit and its packets' kernel work per round trip: busy (cost + kernel) / R of the time.
    expect(Math.abs(m['coredns_cpu_utilization.mean'] - (HIT + KERNEL) / m['dns_query_duration_seconds.mean'])).toBeLessThan(0.01);
    expect(m['coredns_cpu_utilization.mean']).toBeLessThan(0.9);
  });

  it("saturates at the replica's capacity, 1 / (cost of a hit + its kernel work), once c / round trip exceeds it", () => {
    const low = run(oneReplica({ clients: 1, closedLoop: { concurrency: 1 }, dns: { mode: 'raw' } }));
    // 100 in flight, fewer than the receive queue holds (no drops, no timeouts).
    const high = run(oneReplica({ clients: 1, closedLoop: { concurrency: 100 }, dns: { mode: 'raw' } }));
    const capacity = 1 / (HIT + KERNEL);
    // Unloaded, one query's round trip allows c / R far above the capacity for 100 in flight.
    expect(100 / low['dns_query_duration_seconds.mean']).toBeGreaterThan(capacity);
    expect(high['coredns_dropped_requests_total.total']).toBe(0);
    expect(high['coredns_cpu_utilization.mean']).toBeGreaterThan(0.98);
    const throughput = high['dns_client_answered_total.rate'];
    expect(throughput).toBeLessThanOrEqual(capacity * 1.001);
    expect(throughput / capacity).toBeGreaterThan(0.97);
    // The queue holds the rest: the round trip grows to N / X.
    expect(Math.abs((throughput * high['dns_query_duration_seconds.mean']) / 100 - 1)).toBeLessThan(0.01);
  });
});

describe('raw queries and resolver lookups', () => {
  it('sends a raw query as one question of the name as written, whatever its dots or the pod’s ndots', () => {
    const plan = planRawQuery('svc-0', existsOnly('svc-0.ns-0.svc.cluster.local'), ASK_A, 1);
    expect(plan.candidates).toEqual(['svc-0']);
    expect(plan.queriesPerCandidate).toBe(1);
    const m = run(oneReplica({ clients: '50%', ratePerClient: 20, dns: { mode: 'raw', types: 'both' } }));
    // A and AAAA: two questions per raw query, each one request at CoreDNS (window edges aside).
    expect(Math.abs(m['coredns_dns_requests_total.total'] / m['dns_client_answered_total.total'] - 1)).toBeLessThan(0.01);
    // A raw query is no resolver lookup.
    expect(Number.isNaN(m['dns_lookup_duration_seconds.p50'])).toBe(true);
  });

  it('answers every raw query of a short name with NXDOMAIN (no search path completes it), and counts it answered', () => {
    const m = run(oneReplica({ clients: '50%', ratePerClient: 20, dns: { mode: 'raw', queries: [{ name: 'short' }] } }));
    expect(m['coredns_dns_responses_total{rcode=NOERROR}.total']).toBe(0);
    expect(m['coredns_dns_responses_total{rcode=NXDOMAIN}.total']).toBe(m['coredns_dns_requests_total.total']);
    expect(m['dns_client_answered_total.total']).toBeGreaterThan(0);
    expect(m['dns_client_unanswered_total.total']).toBe(0);
  });

  it('walks the search path in resolver mode as a request workload does: 10 queries and 8 NXDOMAIN for a 2-dot external name at ndots 5', () => {
    const dnsSettings = { resolver: { nodeSearchDomains: ['ec2.internal'] } };
    const external = { external: 'api.example.com' };
    const dnsOnly = run(small({ workload: [{ clients: '50%', ratePerClient: 5, dns: { queries: [{ name: external }] } }], dns: dnsSettings }));
    const requests = run(small({ workload: [{ clients: '50%', ratePerClient: 5, dnsName: external }], dns: dnsSettings }));
    for (const key of ['dns_queries_per_lookup.mean', 'dns_nxdomain_per_lookup.mean', 'dns_round_trips_per_lookup.mean']) expect(dnsOnly[key]).toBe(requests[key]);
    expect(dnsOnly['dns_queries_per_lookup.mean']).toBe(10);
    // It connects to nothing.
    expect(dnsOnly['request_outcomes_total{outcome=ok}.total']).toBe(0);
  });

  it('refuses raw-only settings in resolver mode', () => {
    const parsed = networkSettings.safeParse(small({ workload: [{ dns: { types: 'both' } }] }));
    expect(parsed.success).toBe(false);
  });
});
