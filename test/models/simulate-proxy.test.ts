// The service proxy through simulate(): one behavioural suite over every mode, how first-packet
// dispatch scales with Services (iptables walks a chain, nftables looks up a verdict map), and the
// control plane: network programming latency under churn and the requests it sends to removed
// endpoints.

import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../models/metrics.js';
import { proxyModeNames } from '../../models/proxy/index.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { networkSettings, simulate } from '../../models/simulate.js';

const SEED = 20240613;

function run(input: NetworkSettingsInput, seed = SEED, replication = 0): Metrics {
  return simulate(networkSettings.parse(input), seed, replication).metrics;
}

function outcome(m: Metrics, name: string): number {
  return m[`request_outcomes_total{outcome=${name}}.total`];
}

/** A small cluster simulated in full, at light load: nothing queues, nothing drops. */
const LIGHT: NetworkSettingsInput = {
  warmup: '1s',
  duration: '10s',
  cluster: { nodes: 4, podsPerNode: 10, services: 20, detailedNodes: 'all' },
  workload: [{ clients: '50%', ratePerClient: 10 }],
};

describe.each(proxyModeNames)('simulate with proxy mode %s', (mode) => {
  const m = run({ ...LIGHT, proxy: { mode } });

  it('completes every request at light load', () => {
    expect(outcome(m, 'ok')).toBeGreaterThan(1500);
    expect(outcome(m, 'refused') + outcome(m, 'timeout') + outcome(m, 'deadline_exceeded')).toBe(0);
    expect(m['conntrack_drops_total.total']).toBe(0);
  });

  it('measures positive, finite connect durations and proxy CPU', () => {
    for (const stat of ['p50', 'p99', 'mean', 'max']) {
      const connect = m[`connect_duration_seconds.${stat}`];
      expect(connect).toBeGreaterThan(0);
      expect(Number.isFinite(connect)).toBe(true);
    }
    expect(m['proxy_cpu_cores.mean']).toBeGreaterThan(0);
  });

  if (mode === 'ebpf') {
    it("tracks pod-to-service flows in Cilium's BPF CT map, not in netfilter conntrack", () => {
      expect(m['node_nf_conntrack_entries.mean']).toBe(0);
      expect(m['cilium_bpf_ct_entries.mean']).toBeGreaterThan(0);
    });
  } else {
    it('tracks flows in netfilter conntrack, and has no BPF CT map', () => {
      expect(m['node_nf_conntrack_entries.mean']).toBeGreaterThan(0);
      expect(m['cilium_bpf_ct_entries.mean']).toBeUndefined();
    });
  }
});

describe('first-packet dispatch as Services grow', () => {
  // 20 s at 200 connects/s: 4000 connects, 40 above the p99. The same seed for both sizes.
  const connectP99 = (mode: 'iptables' | 'nftables', services: number) =>
    run({ ...LIGHT, duration: '20s', proxy: { mode }, cluster: { ...LIGHT.cluster, services } })['connect_duration_seconds.p99'];

  it('slows iptables connects: KUBE-SERVICES is walked rule by rule', () => {
    // At 20k Services a ClusterIP walks 10k rules on average, ~150 µs at 14.8 ns a rule, with a
    // lognormal spread: the KEP-3866 chart's iptables p99 grew by hundreds of µs over such sizes.
    const small = connectP99('iptables', 1000);
    const large = connectP99('iptables', 20_000);
    expect(large).toBeGreaterThan(small + 100e-6);
  });

  it('keeps nftables connects flat: one verdict-map lookup whatever the Services (within 10 %)', () => {
    const small = connectP99('nftables', 1000);
    const large = connectP99('nftables', 20_000);
    expect(Math.abs(large / small - 1)).toBeLessThan(0.1);
  });
});

describe('network programming under churn', () => {
  // The control plane's stages at zero: the latency is kube-proxy's share alone.
  const instantControlPlane = { controlPlane: { apiWrite: '0s', watchDelivery: '0s', watchFanoutPerWatcher: '0s', syncCpu: '0s' } };
  const churning = (proxy: NetworkSettingsInput['proxy'], terminationGrace: string): NetworkSettingsInput => ({
    ...LIGHT,
    warmup: '5s',
    duration: '60s',
    proxy,
    churn: { endpointChangesPerSecond: 2, terminationGrace },
  });

  it('programs a change within minSyncPeriod plus a sync, and well within syncPeriod', () => {
    // Bounded-frequency runner: a change waits at most minSyncPeriod (1 s) for a sync to start.
    // Exact trigger times, so the latency is kube-proxy's share alone.
    const m = run({ ...churning({ minSyncPeriod: '1s', syncPeriod: '30s' }, '0s'), profiles: { proxy: { ...instantControlPlane, syncLoop: { triggerTimeResolution: '0s' } } } });
    const syncP50 = m['kubeproxy_sync_proxy_rules_duration_seconds.p50'];
    const syncMax = m['kubeproxy_sync_proxy_rules_duration_seconds.max'];
    expect(syncP50).toBeGreaterThan(0);
    expect(m['kubeproxy_network_programming_duration_seconds.p50']).toBeGreaterThan(syncP50);
    expect(m['kubeproxy_network_programming_duration_seconds.p50']).toBeLessThanOrEqual(1 + syncP50);
    expect(m['kubeproxy_network_programming_duration_seconds.max']).toBeLessThanOrEqual(1 + syncMax);
    expect(m['kubeproxy_network_programming_duration_seconds.p99']).toBeLessThan(30);
  });

  it("adds the trigger time's lost fraction of a second (whole-second trigger times): about 0.5 s more on average", () => {
    const exact = run({ ...churning({ minSyncPeriod: '1s' }, '0s'), profiles: { proxy: { syncLoop: { triggerTimeResolution: '0s' } } } });
    const truncated = run(churning({ minSyncPeriod: '1s' }, '0s'));
    const added = truncated['kubeproxy_network_programming_duration_seconds.mean'] - exact['kubeproxy_network_programming_duration_seconds.mean'];
    // ~230 changes, each adding a uniform fraction of a second (σ 0.29 s): the mean's 4σ is ±0.08 s.
    expect(added).toBeGreaterThan(0.42);
    expect(added).toBeLessThan(0.58);
    expect(truncated['kubeproxy_network_programming_duration_seconds.max']).toBeLessThan(exact['kubeproxy_network_programming_duration_seconds.max'] + 1);
  });

  it("spreads latency over the nodes' phases against the wall clock's seconds: under steady churn, not one value", () => {
    // At 5 changes/s syncs start exactly 1 s apart; were every node's seconds to fall at the same
    // phase, each change would get the same total (p50 = p90). 4 nodes, 4 phases.
    const m = run({ ...churning({ minSyncPeriod: '1s' }, '0s'), churn: { endpointChangesPerSecond: 5 }, profiles: { proxy: instantControlPlane } });
    expect(m['kubeproxy_network_programming_duration_seconds.p90']).toBeGreaterThan(m['kubeproxy_network_programming_duration_seconds.p50'] + 0.2);
    expect(m['kubeproxy_network_programming_duration_seconds.max']).toBeLessThan(2.2);
  });

  it('splits sync durations by kind and reports the restore step of each', () => {
    const m = run({ ...churning({ minSyncPeriod: '1s', syncPeriod: '10s' }, '0s'), proxy: { mode: 'iptables', minSyncPeriod: '1s', syncPeriod: '10s' } });
    const full = m['kubeproxy_sync_full_proxy_rules_duration_seconds.p50'];
    const partial = m['kubeproxy_sync_partial_proxy_rules_duration_seconds.p50'];
    expect(full).toBeGreaterThan(partial);
    // Every sync is one or the other; the restore step is part of each sync.
    expect(m['kubeproxy_sync_proxy_rules_duration_seconds.max']).toBe(Math.max(m['kubeproxy_sync_full_proxy_rules_duration_seconds.max'], m['kubeproxy_sync_partial_proxy_rules_duration_seconds.max']));
    expect(m['proxy_rules_restore_duration_seconds.max']).toBeGreaterThan(0);
    expect(m['proxy_rules_restore_duration_seconds.max']).toBeLessThan(m['kubeproxy_sync_full_proxy_rules_duration_seconds.max']);
  });

  it('sends requests to removed endpoints until the node syncs, more of them the slower it programs', () => {
    const fast = run(churning({ minSyncPeriod: '1s' }, '0s'));
    const slow = run(churning({ minSyncPeriod: '10s' }, '0s'));
    expect(fast['requests_to_removed_endpoints_total.rate']).toBeGreaterThan(0);
    expect(slow['requests_to_removed_endpoints_total.rate']).toBeGreaterThan(3 * fast['requests_to_removed_endpoints_total.rate']);
  });

  it('refuses requests to removed endpoints whose pods stop at once (terminationGrace 0)', () => {
    const m = run(churning({ minSyncPeriod: '10s' }, '0s'));
    expect(m['requests_to_removed_endpoints_total.rate']).toBeGreaterThan(0);
    expect(outcome(m, 'refused')).toBeGreaterThan(0);
    // Each of them reaches a stopped pod: refused (a Service left without endpoints adds more).
    expect(outcome(m, 'refused')).toBeGreaterThanOrEqual(m['requests_to_removed_endpoints_total.total']);
  });

  it('refuses none when pods stay up longer than programming takes (terminationGrace 30 s), though requests still reach removed endpoints', () => {
    const m = run(churning({ minSyncPeriod: '10s' }, '30s'));
    expect(m['kubeproxy_network_programming_duration_seconds.max']).toBeLessThan(30);
    expect(m['requests_to_removed_endpoints_total.rate']).toBeGreaterThan(0);
    expect(outcome(m, 'refused')).toBe(0);
    expect(outcome(m, 'ok')).toBeGreaterThan(10_000);
  });
});
