// External clients through NodePort and LoadBalancer Services (models/external.ts), against the
// mechanism's own arithmetic: under Cluster, with the load balancer spreading connections evenly
// over N nodes and kube-proxy picking any of E endpoints uniformly, a connection stays on its node
// with probability Σ_n (1/N)(e_n/E) = 1/N whatever the placement, so the second-hop share is
// 1 − 1/N; under Local there is no second hop and no SNAT, and an endpoint's share is 1/(K e_n)
// over the K nodes with endpoints, so the busiest over the mean endpoint is E / (K min e_n); a node
// leaves the load balancer between (U − 1)·I and U·I after its probes start failing.

import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../models/metrics.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { networkSettings, simulate } from '../../models/simulate.js';

const SEED = 17;
const NODES = 10;

function run(input: NetworkSettingsInput): Metrics {
  return simulate(networkSettings.parse(input), SEED, 0).metrics;
}

/** External clients calling svc-0, whose `endpoints` pods are spread over the nodes from node 0 (cluster.ts nextPod). */
function external(endpoints: number, extra: Record<string, unknown>, spec: Partial<NetworkSettingsInput> = {}): NetworkSettingsInput {
  return {
    warmup: 2,
    duration: 30,
    cluster: { nodes: NODES, coresPerNode: 8, podsPerNode: 4, services: 1, endpointsPerService: endpoints, kernel: '6.1', detailedNodes: 'all' },
    workload: [{ from: 'external', clients: 40, ratePerClient: 10, target: 'svc-0', connection: 'new', ...extra }],
    ...spec,
  } as NetworkSettingsInput;
}

/** Four standard deviations of a share p estimated from n connections. */
const band = (p: number, n: number) => 4 * Math.sqrt((p * (1 - p)) / n) + 1e-9;

describe('externalTrafficPolicy: Cluster', () => {
  it('sends 1 − 1/N of connections on a second hop, however the endpoints are placed', () => {
    for (const endpoints of [4, 14]) {
      const m = run(external(endpoints, { externalTrafficPolicy: 'Cluster' }));
      const n = m['external_connections_total.total'];
      expect(n).toBeGreaterThan(5000);
      expect(Math.abs(m['external_second_hop_share.mean'] - (1 - 1 / NODES))).toBeLessThan(band(1 - 1 / NODES, n));
    }
  });

  it('masquerades every connection and spreads them evenly over endpoints', () => {
    const m = run(external(14, { externalTrafficPolicy: 'Cluster' }));
    expect(m['external_source_ip_preserved_share.mean']).toBe(0);
    expect(m['external_endpoint_imbalance.mean']).toBeLessThan(1.1);
    expect(m['lb_dropped_total.total']).toBe(0);
    expect(m['request_outcomes_total{outcome=ok}.total']).toBeGreaterThan(0);
  });
});

describe('externalTrafficPolicy: Local', () => {
  it('makes no second hop and keeps every source address', () => {
    const m = run(external(4, { externalTrafficPolicy: 'Local' }));
    expect(m['external_second_hop_share.mean']).toBe(0);
    expect(m['external_source_ip_preserved_share.mean']).toBe(1);
    expect(m['lb_dropped_total.total']).toBe(0);
  });

  it('loads an endpoint in inverse proportion to the endpoints on its node: busiest over mean is E / K', () => {
    // 14 endpoints on 10 nodes: nodes 0–3 hold two, the others one; K = 10, E = 14.
    const m = run(external(14, { externalTrafficPolicy: 'Local' }));
    const imbalance = m['external_endpoint_imbalance.mean'];
    expect(imbalance).toBeGreaterThan(1.4 * 0.97);
    expect(imbalance).toBeLessThan(1.4 * 1.08);
  });

  it('the load balancer sends only to nodes with endpoints; a bare NodePort reaches every node and those without drop', () => {
    const lb = run(external(4, { externalTrafficPolicy: 'Local', serviceType: 'LoadBalancer' }));
    expect(lb['lb_connections_per_node.max'] / lb['lb_connections_per_node.mean']).toBeCloseTo(NODES / 4, 0);
    const nodePort = run(external(4, { externalTrafficPolicy: 'Local', serviceType: 'NodePort' }));
    const n = nodePort['external_connections_total.total'];
    const dropped = nodePort['lb_dropped_total.total'] / n;
    expect(Math.abs(dropped - 0.6)).toBeLessThan(band(0.6, n));
  });

  it('a node whose last endpoint leaves stays in the load balancer between (U − 1)·I and U·I plus the proxy’s sync lag, and its connections drop', () => {
    const interval = 5;
    const unhealthy = 2;
    const m = run(
      external(4, { externalTrafficPolicy: 'Local', loadBalancer: { healthCheckInterval: `${interval}s`, unhealthyThreshold: unhealthy } }, {
        duration: 120,
        proxy: { minSyncPeriod: '1s' },
        churn: { endpointChangesPerSecond: 0.1 },
      }),
    );
    expect(m['lb_unhealthy_delay_seconds.p50']).toBeGreaterThan(0);
    expect(m['lb_unhealthy_delay_seconds.p50']).toBeGreaterThanOrEqual((unhealthy - 1) * interval);
    // kube-proxy's sync after the removal: at most minSyncPeriod plus one sync's duration (about a second here).
    expect(m['lb_unhealthy_delay_seconds.max']).toBeLessThanOrEqual(unhealthy * interval + 2);
    expect(m['lb_dropped_total.total']).toBeGreaterThan(0);
    const slower = run(
      external(4, { externalTrafficPolicy: 'Local', loadBalancer: { healthCheckInterval: `${interval * 4}s`, unhealthyThreshold: unhealthy } }, {
        duration: 120,
        proxy: { minSyncPeriod: '1s' },
        churn: { endpointChangesPerSecond: 0.1 },
      }),
    );
    expect(slower['lb_dropped_total.total']).toBeGreaterThan(m['lb_dropped_total.total']);
  });
});

describe('NodePort dispatch at the node a connection enters', () => {
  it('iptables walks all of KUBE-SERVICES to KUBE-NODEPORTS, so it grows with Services; nftables looks the port up', () => {
    const connectAt = (mode: 'iptables' | 'nftables', services: number) =>
      run({
        ...external(4, { externalTrafficPolicy: 'Cluster' }),
        duration: 10,
        cluster: { nodes: NODES, coresPerNode: 8, podsPerNode: 4, services, endpointsPerService: 4, kernel: '6.1', detailedNodes: 'all' },
        proxy: { mode },
      } as NetworkSettingsInput)['connect_duration_seconds.p50'];
    const iptablesGrowth = connectAt('iptables', 5000) - connectAt('iptables', 10);
    const nftablesGrowth = connectAt('nftables', 5000) - connectAt('nftables', 10);
    expect(iptablesGrowth).toBeGreaterThan(0);
    expect(iptablesGrowth).toBeGreaterThan(5 * Math.abs(nftablesGrowth));
  });
});
