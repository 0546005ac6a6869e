// simulate(): one point end to end. Pins the request's bookkeeping (every request ends in
// exactly one outcome), determinism, and the data path's effect on latency: every CNI profile,
// zones, and mesh sidecars. Conntrack, the proxies and scale have their own files
// (simulate-conntrack, simulate-proxy, simulate-scale).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { cniName } from '../../models/cni.js';
import { Network } from '../../models/network.js';
import { OUTCOMES, type Request } from '../../models/parts.js';
import { networkSettings, simulate } from '../../models/simulate.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import type { Metrics } from '../../models/metrics.js';

const SEED = 20240611;

function run(input: NetworkSettingsInput, seed = SEED, replication = 0): Metrics {
  return simulate(networkSettings.parse(input), seed, replication).metrics;
}

function outcomeTotal(m: Metrics, outcome: (typeof OUTCOMES)[number]): number {
  return m[`request_outcomes_total{outcome=${outcome}}.total`];
}

function failedTotal(m: Metrics): number {
  return outcomeTotal(m, 'refused') + outcomeTotal(m, 'timeout') + outcomeTotal(m, 'deadline_exceeded');
}

/** A small cluster simulated in full, at light load: nothing queues, nothing drops. */
const LIGHT: NetworkSettingsInput = {
  warmup: '1s',
  duration: '10s',
  cluster: { nodes: 4, podsPerNode: 10, services: 20, detailedNodes: 'all' },
  workload: [{ clients: '50%', ratePerClient: 10 }],
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('simulate: every request ends in exactly one outcome', () => {
  it('counts one outcome per finished request, and leaves none unfinished past its deadline, under churn, a full conntrack table, short deadlines and exhausted ports', () => {
    // The model keeps no count of requests started or in flight, so the test watches
    // Network.start (the one entry point of a client's request) and reads each request's
    // `finished` flag at the end: outcome totals + requests still in flight = requests started.
    const start = vi.spyOn(Network.prototype, 'start');
    const endSeconds = 20;
    const longestLifeSeconds = 5; // open-loop deadline below; connect() times out at 1 + 2 = 3 s
    const m = run({
      warmup: '0s', // every request started is in the measured window
      duration: `${endSeconds}s`,
      cluster: { nodes: 3, podsPerNode: 8, services: 6, detailedNodes: 'all' },
      proxy: { minSyncPeriod: '5s' }, // stale rules: requests to stopped pods are refused
      conntrack: { max: 150 }, // filled within seconds: SYNs drop and retransmit
      dns: { resolver: { timeout: '1s' } }, // lost queries (the full table drops them too) fail lookups after 2 × 1 s
      churn: { endpointChangesPerSecond: 1, terminationGrace: '0s' },
      profiles: { kernel: { tcp: { synRetries: 1 } } }, // connect() fails after one retransmission
      workload: [
        { name: 'patient', clients: '50%', ratePerClient: 10, deadline: '5s' },
        { name: 'hasty', clients: '25%', ratePerClient: 10, deadline: '500ms' },
        { name: 'pool', clients: '25%', closedLoop: { concurrency: 2, thinkTime: '50ms' }, connection: { keepAlive: { maxRequests: 10 } }, deadline: '500ms' },
        // 50 ports, each held 60 s by the closing client: connect() runs out of them within a second.
        { name: 'ports', clients: 1, ratePerClient: 100, target: 'svc-0', dnsName: 'clusterIP', activeClose: 'client', sysctls: { ipLocalPortRange: [40000, 40049] }, deadline: '5s' },
      ],
    });
    const started = start.mock.calls.map(([request]) => request as Request);
    const inFlight = started.filter((request) => !request.finished);
    const lost = inFlight.filter((request) => request.startedAt < endSeconds - longestLifeSeconds - 0.5);
    const outcomes = OUTCOMES.reduce((sum, outcome) => sum + outcomeTotal(m, outcome), 0);

    // Every kind of ending occurred, so each path to an outcome was exercised.
    for (const outcome of OUTCOMES) expect(outcomeTotal(m, outcome), outcome).toBeGreaterThan(0);
    expect(started.length).toBeGreaterThan(1000);
    expect(lost.map((request) => `${request.workload.name} started at ${request.startedAt}`)).toEqual([]);
    expect(outcomes).toBe(started.length - inFlight.length);
    // Each ok request, and no other, records its duration.
    const network = start.mock.contexts[0] as Network;
    expect(network.metrics.requestDuration.count).toBe(outcomeTotal(m, 'ok'));
  });
});

describe('simulate: determinism', () => {
  const churning: NetworkSettingsInput = { ...LIGHT, churn: { endpointChangesPerSecond: 1 } };

  function expectIdentical(first: Metrics, second: Metrics): void {
    expect(Object.keys(second).sort()).toEqual(Object.keys(first).sort());
    for (const key of Object.keys(first)) expect(Object.is(second[key], first[key]), `${key}: ${first[key]} vs ${second[key]}`).toBe(true);
  }

  it('gives identical metrics for the same settings, seed and replication', () => {
    expectIdentical(run(churning, SEED, 3), run(churning, SEED, 3));
  });

  it('gives identical metrics where a metric has no observation (NaN)', () => {
    // No churn and a window shorter than syncPeriod: no sync, so the sync metrics are NaN.
    const first = run(LIGHT, SEED, 3);
    expect(Number.isNaN(first['kubeproxy_sync_proxy_rules_duration_seconds.p50'])).toBe(true);
    expectIdentical(first, run(LIGHT, SEED, 3));
  });

  it('gives different metrics for a different replication', () => {
    const first = run(churning, SEED, 3);
    const other = run(churning, SEED, 4);
    expect(other['request_duration_seconds.mean']).not.toBe(first['request_duration_seconds.mean']);
    expect(other['node_nf_conntrack_entries.mean']).not.toBe(first['node_nf_conntrack_entries.mean']);
    expect(other['request_outcomes_total{outcome=ok}.total']).not.toBe(first['request_outcomes_total{outcome=ok}.total']);
  });
});

describe.each(cniName.options)('simulate over CNI profile %s', (cni) => {
  const m = run({ ...LIGHT, cluster: { ...LIGHT.cluster, cni } });

  it('completes every request at light load', () => {
    expect(outcomeTotal(m, 'ok')).toBeGreaterThan(1500);
    expect(failedTotal(m)).toBe(0);
  });

  it('measures positive, finite connect and request durations, the connect shorter', () => {
    for (const stat of ['p50', 'p99', 'mean']) {
      const connect = m[`connect_duration_seconds.${stat}`];
      expect(connect).toBeGreaterThan(0);
      expect(Number.isFinite(connect)).toBe(true);
      expect(m[`request_duration_seconds.${stat}`]).toBeGreaterThan(connect);
    }
  });
});

describe('simulate: the data path sets latency', () => {
  it('is slower across zones than within one zone', () => {
    // Six nodes: with 3 zones, 2/3 of requests cross a zone and each crossing adds a zone hop to
    // each of the four one-way trips (SYN, SYN-ACK, request, response): 0.4 ms median each.
    const oneZone = run({ ...LIGHT, cluster: { ...LIGHT.cluster, nodes: 6, zones: 1 } });
    const threeZones = run({ ...LIGHT, cluster: { ...LIGHT.cluster, nodes: 6, zones: 3 } });
    expect(threeZones['request_duration_seconds.p50']).toBeGreaterThan(oneZone['request_duration_seconds.p50'] + 0.0008);
    expect(threeZones['connect_duration_seconds.p50']).toBeGreaterThan(oneZone['connect_duration_seconds.p50'] + 0.0004);
  });

  it('adds sidecar latency with a mesh: istio more than linkerd, linkerd more than none', () => {
    const p50 = (mesh: 'none' | 'istio' | 'linkerd') => run({ ...LIGHT, mesh })['request_duration_seconds.p50'];
    const none = p50('none');
    const linkerd = p50('linkerd');
    const istio = p50('istio');
    // Profiles: one hop's two sidecars add 0.164 ms (istio) and 0.058 ms (linkerd) at the median.
    expect(linkerd).toBeGreaterThan(none + 0.00003);
    expect(istio).toBeGreaterThan(linkerd + 0.00005);
  });
});
