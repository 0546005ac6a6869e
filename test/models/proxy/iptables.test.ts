// iptables mode against the published figures: the KEP-3866 first-packet RTT chart (data plane),
// kubernetes/kubernetes #138073 and #96018 (rule sync).

import { describe, expect, it } from 'vitest';
import { firstPacketRtts, kep3866BaseRtt, kep3866Chart, quantileOfSorted } from '../../../calibration/calibrate-proxy.js';
import { IptablesMode, loadProxyProfile } from '../../../models/proxy/index.js';

const profile = loadProxyProfile().values;
const iptables = new IptablesMode(profile.iptables);
const base = kep3866BaseRtt();

function modelRtt(services: number): Float64Array {
  return firstPacketRtts(iptables, base, services, profile.testbeds.kep3866.endpointsPerService, 100000, 7);
}

describe('iptables data plane against the KEP-3866 first-packet RTT chart', () => {
  const curves = new Map(kep3866Chart.filter((p) => p.mode === 'iptables').map((p) => [p.services, { published: p.rtt, model: modelRtt(p.services) }]));

  for (const services of [5000, 10000, 30000]) {
    it(`puts p99 within 25 % of the chart at ${services / 1000}k services`, () => {
      const { published, model } = curves.get(services)!;
      expect(Math.abs(quantileOfSorted(model, 0.99) / published[3] - 1)).toBeLessThan(0.25);
    });
  }

  for (const services of [5000, 30000]) {
    it(`puts p50 within 40 % of the chart at ${services / 1000}k services`, () => {
      const { published, model } = curves.get(services)!;
      expect(Math.abs(quantileOfSorted(model, 0.5) / published[1] - 1)).toBeLessThan(0.4);
    });
  }

  it('rises with services at every quantile from 5k to 30k, as a linear walk of KUBE-SERVICES does', () => {
    for (const q of [0.5, 0.9, 0.99]) {
      const [a, b, c] = [5000, 10000, 30000].map((s) => quantileOfSorted(curves.get(s)!.model, q));
      expect(b).toBeGreaterThan(a);
      expect(c).toBeGreaterThan(2 * b);
    }
  });
});

describe('iptables rule sync', () => {
  const issue138073 = { services: 3595, endpoints: 211876 };

  it('counts about 578,470 NAT rules for 3,595 services and 211,876 endpoints (#138073)', () => {
    expect(Math.abs(iptables.natRules(issue138073) / 578470 - 1)).toBeLessThan(0.01);
  });

  it('restores 578,470 NAT rules within 30 % of 10.5 s (#138073)', () => {
    expect(Math.abs(iptables.restoreDuration(578470) / 10.5 - 1)).toBeLessThan(0.3);
  });

  it('restores 695,992 lines within 30 % of 12.8 s (#96018, nft backend)', () => {
    expect(Math.abs(iptables.restoreDuration(695992) / 12.8 - 1)).toBeLessThan(0.3);
  });

  it('takes a whole full sync in the 17.5–21.4 s reported for #138073', () => {
    const full = iptables.syncDuration('full', issue138073, issue138073);
    expect(full).toBeGreaterThanOrEqual(17.5);
    expect(full).toBeLessThanOrEqual(21.4);
  });

  it('writes only KUBE-SERVICES and the changed chains in a partial sync, so one change costs far less than a full one', () => {
    const one = iptables.syncDuration('partial', issue138073, { services: 1, endpoints: 1 });
    const hundred = iptables.syncDuration('partial', issue138073, { services: 100, endpoints: 100 });
    const full = iptables.syncDuration('full', issue138073, issue138073);
    expect(one).toBeLessThan(full / 10);
    expect(hundred).toBeGreaterThan(one);
    // The whole of KUBE-SERVICES is written even for one change: it grows with the cluster.
    const doubled = { services: 2 * issue138073.services, endpoints: 2 * issue138073.endpoints };
    expect(iptables.syncDuration('partial', doubled, { services: 1, endpoints: 1 })).toBeGreaterThan(1.5 * one);
  });
});
