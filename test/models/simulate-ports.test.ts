// Ephemeral ports and IPVS port reuse through simulate(): connect() failing with EADDRNOTAVAIL
// above ports / TIME_WAIT and never below, the conntrack table bounded by the client's tuples, and
// IPVS's 1 s SYN drop only with conn_reuse_mode on before Linux 5.9.

import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../models/metrics.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { networkSettings, simulate } from '../../models/simulate.js';

const SEED = 15;
/** A small range, so that the 60 s TIME_WAIT bound is 500 / 60 ≈ 8.3 connections/s. */
const RANGE: [number, number] = [40000, 40499];
const BOUND = 500 / 60;

function run(input: NetworkSettingsInput): Metrics {
  return simulate(networkSettings.parse(input), SEED, 0).metrics;
}

/** One client pod opening new connections to the one endpoint of svc-0, one node. */
function oneClient(rate: number, extra: Record<string, unknown> = {}, spec: Partial<NetworkSettingsInput> = {}): NetworkSettingsInput {
  return {
    warmup: 0,
    duration: 300,
    cluster: { nodes: 1, coresPerNode: 4, podsPerNode: 4, services: 1, endpointsPerService: 1, kernel: '6.1', detailedNodes: 1 },
    workload: [{ clients: 1, ratePerClient: rate, arrival: 'constant', target: 'svc-0', dnsName: 'clusterIP', connection: 'new', ...extra }],
    ...spec,
  } as NetworkSettingsInput;
}

const exhausted = (m: Metrics) => m['request_outcomes_total{outcome=port_exhausted}.total'];

describe('ephemeral ports through the request path', () => {
  it('no connect fails below ports / 60 s when the client closes first', () => {
    const m = run(oneClient(BOUND * 0.9, { activeClose: 'client', sysctls: { ipLocalPortRange: RANGE } }));
    expect(exhausted(m)).toBe(0);
  });

  it('above it, connects fail and the answered rate settles at the bound', () => {
    const m = run(oneClient(BOUND * 2, { activeClose: 'client', sysctls: { ipLocalPortRange: RANGE } }));
    expect(exhausted(m)).toBeGreaterThan(0);
    // At most the range at once, then each port once per 60 s: 500 × (1 + 300 / 60) over 300 s.
    expect(m['request_outcomes_total{outcome=ok}.total']).toBeLessThanOrEqual(500 * (1 + 300 / 60));
    expect(m['request_outcomes_total{outcome=ok}.total']).toBeGreaterThanOrEqual(500 * (300 / 60));
  });

  it('the server closing first leaves the client free of TIME_WAIT at the same rate', () => {
    expect(exhausted(run(oneClient(BOUND * 2, { sysctls: { ipLocalPortRange: RANGE } })))).toBe(0);
  });

  it('reused tuples reopen their conntrack entries: the table holds at most the range', () => {
    const m = run(oneClient(50, { sysctls: { ipLocalPortRange: RANGE } }));
    expect(m['conntrack_time_wait_reopened_total.total']).toBeGreaterThan(0);
    expect(m['node_nf_conntrack_entries.max']).toBeLessThanOrEqual(500);
  });

  it('on the server’s node too, when the same pod serves the reused tuple (its tuple after DNAT)', () => {
    const twoNodes = oneClient(50, { target: 'svc-1', sysctls: { ipLocalPortRange: RANGE } }, {
      cluster: { nodes: 2, coresPerNode: 4, podsPerNode: 1, services: 2, endpointsPerService: 1, kernel: '6.1', detailedNodes: 2 },
    } as Partial<NetworkSettingsInput>);
    const m = run(twoNodes);
    // Without reopening, each node would hold 50/s × 120 s = 6,000 TIME_WAIT entries.
    expect(m['node_nf_conntrack_entries.max']).toBeLessThanOrEqual(500);
  });
});

describe('IPVS conn_reuse_mode through the request path', () => {
  const ipvs = (connReuseMode: 0 | 1, kernel: string) =>
    oneClient(50, { sysctls: { ipLocalPortRange: RANGE } }, { proxy: { mode: 'ipvs', ipvs: { connReuseMode } }, cluster: { nodes: 1, coresPerNode: 4, podsPerNode: 4, services: 1, endpointsPerService: 1, kernel, detailedNodes: 1 } } as Partial<NetworkSettingsInput>);

  it('with mode 1 before 5.9, a SYN reusing a tuple within 120 s is dropped and resent after 1 s', () => {
    const m = run(ipvs(1, '4.19'));
    // 500 ports at 50/s come round every 10 s: every connection after the first 500 reuses one.
    expect(m['ipvs_conn_reuse_syn_dropped_total.total']).toBeGreaterThan(0.9 * 50 * 300);
    expect(m['connect_duration_seconds.p50']).toBeGreaterThanOrEqual(1);
  });

  it('with mode 0, or from Linux 5.9 on, nothing is dropped', () => {
    for (const m of [run(ipvs(0, '4.19')), run(ipvs(1, '5.9'))]) {
      expect(m['ipvs_conn_reuse_syn_dropped_total.total']).toBe(0);
      expect(m['connect_duration_seconds.p99']).toBeLessThan(0.01);
    }
  });
});

describe('ephemeral ports towards a name outside the cluster', () => {
  it('runs out above ports / 60 s as towards a Service', () => {
    const external = (rate: number) =>
      run({
        warmup: 0,
        duration: 120,
        cluster: { nodes: 1, coresPerNode: 4, podsPerNode: 4, services: 1, endpointsPerService: 1, kernel: '6.1', detailedNodes: 1 },
        workload: [{ clients: 1, ratePerClient: rate, arrival: 'constant', dnsName: { external: 'api.example.com' }, connection: 'new', activeClose: 'client', sysctls: { ipLocalPortRange: RANGE } }],
      } as NetworkSettingsInput);
    expect(exhausted(external(BOUND * 0.9))).toBe(0);
    expect(exhausted(external(BOUND * 2))).toBeGreaterThan(0);
  });
});
