// A new connection that reaches a node from another node already carries a pod IP as destination,
// and conntrack sees a new flow there too: in iptables mode it walks all of KUBE-SERVICES without
// a match. The other modes' lookups there are O(1) and charge nothing.

import { describe, expect, it } from 'vitest';
import { createProxyMode, loadProxyProfile, proxyModeNames } from '../../../models/proxy/index.js';
import type { NetworkSettingsInput } from '../../../models/settings.js';
import { networkSettings, simulate } from '../../../models/simulate.js';

const profile = loadProxyProfile().values;
const meanFactor = Math.exp(profile.iptables.dispatch.perRuleSpreadSigma ** 2 / 2);

describe('the arrival walk', () => {
  it('is every KUBE-SERVICES rule plus the chain jumps, two rules per Service before 1.21', () => {
    const current = createProxyMode('iptables', profile);
    const old = createProxyMode('iptables', profile, '1.20');
    const fixed = profile.iptables.arrival.fixedRules;
    expect(current.arrivalCost(10_000)).toBeCloseTo(profile.iptables.dispatch.perRule * meanFactor * (10_000 + fixed), 15);
    expect(old.arrivalCost(10_000)).toBeCloseTo(profile.iptables.dispatch.perRule * meanFactor * (20_000 + fixed), 15);
  });

  it('grows linearly with Services in iptables and is nothing in the O(1) modes', () => {
    const iptables = createProxyMode('iptables', profile);
    const step = iptables.arrivalCost(2000) - iptables.arrivalCost(1000);
    expect(iptables.arrivalCost(3000) - iptables.arrivalCost(2000)).toBeCloseTo(step, 15);
    expect(step).toBeGreaterThan(0);
    for (const mode of proxyModeNames.filter((m) => m !== 'iptables')) expect(createProxyMode(mode, profile).arrivalCost(30_000)).toBe(0);
  });
});

describe('the arrival walk in a simulation', () => {
  /** Mean connect duration with `services` Services on `nodes` nodes (one endpoint each, so a request crosses nodes with probability 1 − 1/nodes). */
  const meanDuration = (mode: 'iptables' | 'nftables', nodes: number, services: number): number => {
    const input: NetworkSettingsInput = {
      warmup: '1s',
      duration: '20s',
      cluster: { nodes, podsPerNode: 10, services, endpointsPerService: 1, detailedNodes: 'all' },
      proxy: { mode },
      workload: [{ clients: 4, ratePerClient: 100, connection: 'new', dnsName: 'clusterIP', server: { workers: 64, serviceTime: '100us' } }],
    };
    return simulate(networkSettings.parse(input), 7, 0).metrics['connect_duration_seconds.mean'];
  };

  it('adds the whole chain to the handshake of connections that cross nodes, in iptables only', () => {
    const services = 10_000;
    const walk = createProxyMode('iptables', profile).arrivalCost(services) - createProxyMode('iptables', profile).arrivalCost(10);
    // One node: only the client's walk (half the chain on average) grows; two nodes: half the
    // requests also pay the server's whole walk.
    const oneNode = meanDuration('iptables', 1, services) - meanDuration('iptables', 1, 10);
    const twoNodes = meanDuration('iptables', 2, services) - meanDuration('iptables', 2, 10);
    expect(twoNodes - oneNode).toBeGreaterThan(0.5 * walk * 0.8);
    expect(twoNodes - oneNode).toBeLessThan(0.5 * walk * 1.2);
    const nft = meanDuration('nftables', 2, services) - meanDuration('nftables', 2, 10);
    expect(Math.abs(nft)).toBeLessThan(0.05 * walk);
  });
});
