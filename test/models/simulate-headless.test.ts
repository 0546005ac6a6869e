// Headless Services (workload.service: Headless): the client connects to a pod IP its lookup
// answered, so no proxy dispatch and only the NAT rules' walk without a match; the answer lists
// the endpoints ready when CoreDNS made it (up to its cache TTL ago), uniformly; a pod removed
// since fails the connection, and only under churn.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../engine/random.js';
import { Cluster, clusterSettings } from '../../models/cluster.js';
import { EndpointPicker } from '../../models/endpoints.js';
import type { Metrics } from '../../models/metrics.js';
import { createProxyMode, loadProxyProfile } from '../../models/proxy/index.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { networkSettings, simulate } from '../../models/simulate.js';

const SEED = 20261205;

function run(input: NetworkSettingsInput): Metrics {
  return simulate(networkSettings.parse(input), SEED, 0).metrics;
}

function outcome(m: Metrics, name: string): number {
  return m[`request_outcomes_total{outcome=${name}}.total`];
}

/** One node, so every connection stays on it: the client's node is the only one whose rules a SYN meets. */
function oneNode(service: 'ClusterIP' | 'Headless', mode: 'iptables' | 'ipvs', services: number): NetworkSettingsInput {
  return {
    warmup: '1s',
    duration: '10s',
    cluster: { nodes: 1, podsPerNode: 20, services, endpointsPerService: 3, detailedNodes: 'all' },
    proxy: { mode },
    workload: [{ clients: '50%', ratePerClient: 10, service }],
  };
}

describe('headless Services: the connection path', () => {
  it('skips the proxy dispatch: under IPVS a connection is set up faster by exactly the dispatch cost', () => {
    const clusterIp = run(oneNode('ClusterIP', 'ipvs', 200));
    const headless = run(oneNode('Headless', 'ipvs', 200));
    const dispatch = loadProxyProfile().values.ipvs.dispatch;
    expect(outcome(headless, 'ok')).toBe(outcome(clusterIp, 'ok'));
    expect(clusterIp['connect_duration_seconds.mean'] - headless['connect_duration_seconds.mean']).toBeCloseTo(dispatch, 9);
  });

  it('walks all of KUBE-SERVICES without a match under iptables: about twice the mean ClusterIP walk to its rule', () => {
    const services = 4000;
    const clusterIp = run(oneNode('ClusterIP', 'iptables', services));
    const headless = run(oneNode('Headless', 'iptables', services));
    const walk = createProxyMode('iptables', loadProxyProfile().values).arrivalCost(services);
    // The headless SYN pays the whole walk; a ClusterIP one a uniform position's, half of it on average.
    const added = headless['connect_duration_seconds.mean'] - clusterIp['connect_duration_seconds.mean'];
    expect(added).toBeGreaterThan(0.35 * walk);
    expect(added).toBeLessThan(0.65 * walk);
  });

  it('keeps conntrack entries: the flow is tracked whether or not it is NATed', () => {
    const headless = run(oneNode('Headless', 'iptables', 200));
    expect(headless['node_nf_conntrack_entries.mean']).toBeGreaterThan(0);
  });
});

describe('headless Services: the answer and its age', () => {
  const cluster = () => new Cluster(clusterSettings.parse({ nodes: 2, podsPerNode: 50, services: 1, endpointsPerService: 5 }), new RandomStreams(SEED, 0).stream('test/headless'));

  it('spreads clients uniformly over the endpoints an answer lists (chi-square, 4 degrees of freedom)', () => {
    const c = cluster();
    const picker = new EndpointPicker(c, 'random', 0, new RandomStreams(SEED, 0).stream('test/unused'));
    const rng = new RandomStreams(SEED, 0).stream('test/answers');
    const counts = new Map<number, number>();
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const pod = picker.pickAnsweredEndpoint(0, 0, rng)!.pod;
      counts.set(pod, (counts.get(pod) ?? 0) + 1);
    }
    expect(counts.size).toBe(5);
    const expected = n / 5;
    const chi2 = [...counts.values()].reduce((sum, k) => sum + (k - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(18.47); // p = 0.001
  });

  it('lists an endpoint only between its addition and its removal, as of the answer’s time', () => {
    const c = cluster();
    const picker = new EndpointPicker(c, 'random', 0, new RandomStreams(SEED, 0).stream('test/unused'));
    const rng = new RandomStreams(SEED, 0).stream('test/answers');
    const removed = c.removeEndpoint(0, 0, 10);
    const added = c.addEndpoint(0, 15);
    const seen = (asOf: number) => {
      const pods = new Set<number>();
      for (let i = 0; i < 2000; i++) pods.add(picker.pickAnsweredEndpoint(0, asOf, rng)!.pod);
      return pods;
    };
    expect(seen(9.99).has(removed.pod)).toBe(true);
    expect(seen(10).has(removed.pod)).toBe(false);
    expect(seen(14.99).has(added.pod)).toBe(false);
    expect(seen(15).has(added.pod)).toBe(true);
    expect(seen(15).size).toBe(5);
  });
});

describe('headless Services: stale answers under churn', () => {
  const churning = (kubernetesTTL: string, cache: 'none' | 'ttl', rate: number): NetworkSettingsInput => ({
    warmup: '2s',
    duration: '20s',
    cluster: { nodes: 4, podsPerNode: 10, services: 10, endpointsPerService: 3, detailedNodes: 'all' },
    churn: { endpointChangesPerSecond: rate, podStartDelay: '1s', terminationGrace: '0s' },
    dns: { coredns: { kubernetesTTL, cache: { minTTL: '0s' } }, resolver: { cache } },
    workload: [{ clients: '50%', ratePerClient: 20, service: 'Headless' }],
  });

  it('refuses no connection without churn', () => {
    const m = run(churning('5s', 'ttl', 0));
    expect(outcome(m, 'ok')).toBeGreaterThan(1000);
    expect(outcome(m, 'refused')).toBe(0);
    expect(m['requests_to_removed_endpoints_total.total']).toBe(0);
  });

  it('calls removed pods more the older answers may be: the TTL, then a client cache on top', () => {
    const short = run(churning('1s', 'none', 2));
    const long = run(churning('5s', 'none', 2));
    const cached = run(churning('5s', 'ttl', 2));
    expect(outcome(short, 'refused')).toBeGreaterThan(0);
    expect(outcome(long, 'refused')).toBeGreaterThan(2 * outcome(short, 'refused'));
    expect(outcome(cached, 'refused')).toBeGreaterThan(outcome(long, 'refused'));
    // Every refusal is a call to an endpoint already removed (no grace: its pod has stopped).
    for (const m of [short, long, cached]) expect(m['requests_to_removed_endpoints_total.total']).toBe(outcome(m, 'refused'));
  });
});

describe('headless Services: settings', () => {
  it('rejects combinations that have no headless path', () => {
    expect(() => networkSettings.parse({ workload: [{ service: 'Headless', dnsName: 'clusterIP' }] })).toThrow(/has no ClusterIP/);
    expect(() => networkSettings.parse({ workload: [{ service: 'Headless', from: 'external', clients: 2 }] })).toThrow(/node port/);
    expect(() => networkSettings.parse({ workload: [{ service: 'Headless', dnsName: { external: 'api.example.com' } }] })).toThrow(/calls no Service/);
  });

  it('gives a Service one kind: workloads of different kinds must call different Services', () => {
    expect(() => networkSettings.parse({ workload: [{ name: 'a' }, { name: 'b', service: 'Headless' }] })).toThrow(/different kinds/);
    expect(() => networkSettings.parse({ workload: [{ name: 'a', target: 'svc-0' }, { name: 'b', service: 'Headless', target: 'svc-0' }] })).toThrow(/different kinds/);
    expect(() => networkSettings.parse({ workload: [{ name: 'a', target: 'svc-0' }, { name: 'b', service: 'Headless', target: 'svc-1' }] })).not.toThrow();
  });
});

describe('ExternalName Services: the CNAME and its target', () => {
  const latency = 0.02;
  const calls = (service: 'ClusterIP' | { externalName: string }, ttls: { kubernetes: string; upstream: string }): NetworkSettingsInput => ({
    warmup: '2s',
    duration: '20s',
    cluster: { nodes: 4, podsPerNode: 10, services: 20, endpointsPerService: 3, detailedNodes: 'all' },
    dns: { coredns: { kubernetesTTL: ttls.kubernetes, cache: { minTTL: '0s' } }, upstream: { latency: `${latency * 1000}ms`, ttl: ttls.upstream } },
    workload: [{ clients: '50%', ratePerClient: 2, service, dnsName: 'fqdn' }],
  });
  const external = { externalName: 'db.example.com' };

  it('adds one upstream round trip to a lookup when CoreDNS has the target in no cache', () => {
    const fresh = { kubernetes: '1ms', upstream: '1ms' };
    const clusterIp = run(calls('ClusterIP', fresh));
    const cname = run(calls(external, fresh));
    const added = cname['dns_lookup_duration_seconds.mean'] - clusterIp['dns_lookup_duration_seconds.mean'];
    expect(cname['dns_cname_chased_total.total']).toBeGreaterThan(1000);
    expect(clusterIp['dns_cname_chased_total.total']).toBeUndefined();
    // Every chase forwards (the caches keep nothing for longer than 1 ms at this rate, nearly).
    expect(cname['coredns_forward_requests_total.total']).toBeGreaterThan(0.98 * cname['dns_cname_chased_total.total']);
    expect(added).toBeGreaterThan(0.97 * latency);
    expect(added).toBeLessThan(latency + 1e-4);
  });

  it('adds none once the target is cached: the Service name expires every 5 s, its target every 30 s', () => {
    const cached = { kubernetes: '5s', upstream: '300s' };
    const clusterIp = run(calls('ClusterIP', cached));
    const cname = run(calls(external, cached));
    // Each replica forwards each type at most once per 30 s (cache 30 caps the upstream's 300 s).
    expect(cname['coredns_forward_requests_total.total']).toBeLessThanOrEqual(2 * 2 * 1);
    expect(cname['dns_cname_chased_total.total']).toBeGreaterThan(cname['coredns_forward_requests_total.total']);
    const added = cname['dns_lookup_duration_seconds.mean'] - clusterIp['dns_lookup_duration_seconds.mean'];
    expect(Math.abs(added)).toBeLessThan(0.02 * latency);
  });

  it('connects outside the cluster: no endpoint, no proxy dispatch, the host’s round trips', () => {
    const m = run(calls(external, { kubernetes: '5s', upstream: '300s' }));
    expect(outcome(m, 'ok')).toBeGreaterThan(500);
    // A connect round trip and a request round trip at the upstream's distance.
    expect(m['request_duration_seconds.p50']).toBeGreaterThan(2 * latency);
    expect(m['requests_to_removed_endpoints_total.total']).toBe(0);
  });

  it('rejects an ExternalName workload that resolves nothing, and two hosts for one Service', () => {
    expect(() => networkSettings.parse({ workload: [{ service: external, dnsName: 'clusterIP' }] })).toThrow(/ExternalName Service has no ClusterIP/);
    expect(() => networkSettings.parse({ workload: [{ name: 'a', service: external }, { name: 'b', service: { externalName: 'other.example.com' } }] })).toThrow(/different kinds/);
  });
});
