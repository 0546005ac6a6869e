// nftables mode against the published figures: the KEP-3866 chart's flat curve and the partial
// sync of kubernetes/kubernetes PR #126013.

import { describe, expect, it } from 'vitest';
import { firstPacketRtts, kep3866BaseRtt, kep3866Chart, quantileOfSorted } from '../../../calibration/calibrate-proxy.js';
import { NftablesMode, loadProxyProfile } from '../../../models/proxy/index.js';

const profile = loadProxyProfile().values;
const nftables = new NftablesMode(profile.nftables);
const base = kep3866BaseRtt();
const published = kep3866Chart.find((p) => p.mode === 'nftables')!.rtt;

describe('nftables data plane against the KEP-3866 first-packet RTT chart', () => {
  const at = (services: number) => firstPacketRtts(nftables, base, services, 1, 100000, 5);
  const curves = [5000, 10000, 30000].map(at);

  it('stays flat from 5k to 30k services: p50 and p99 within 10 %', () => {
    for (const q of [0.5, 0.99]) {
      const values = curves.map((c) => quantileOfSorted(c, q));
      expect(Math.max(...values) / Math.min(...values)).toBeLessThan(1.1);
    }
  });

  it('puts p50 and p99 within 25 % of the chart at every size', () => {
    for (const curve of curves) {
      expect(Math.abs(quantileOfSorted(curve, 0.5) / published[1] - 1)).toBeLessThan(0.25);
      expect(Math.abs(quantileOfSorted(curve, 0.99) / published[3] - 1)).toBeLessThan(0.25);
    }
  });
});

describe('nftables rule sync', () => {
  it('adds one service (2 endpoints) with 10k present within 50 % of 141 ms (PR #126013)', () => {
    const duration = nftables.syncDuration('partial', { services: 10000, endpoints: 20000 }, { services: 1, endpoints: 2 });
    expect(Math.abs(duration / 0.141 - 1)).toBeLessThan(0.5);
  });

  it('grows a partial sync with the changes and a full sync with everything', () => {
    const cluster = { services: 10000, endpoints: 20000 };
    const one = nftables.syncDuration('partial', cluster, { services: 1, endpoints: 2 });
    const thousand = nftables.syncDuration('partial', cluster, { services: 1000, endpoints: 2000 });
    expect(thousand - one).toBeCloseTo(999 * (nftables.syncDuration('partial', cluster, { services: 2, endpoints: 4 }) - one), 9);
    const full = nftables.syncDuration('full', cluster, { services: 0, endpoints: 0 });
    const fullDoubled = nftables.syncDuration('full', { services: 20000, endpoints: 40000 }, { services: 0, endpoints: 0 });
    expect(full).toBeGreaterThan(thousand);
    expect(fullDoubled / full).toBeGreaterThan(1.9);
  });
});
