// One behavioural suite over every proxy mode (as ns-3 runs one test over every scheduler).

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../engine/random.js';
import { firstPacketRtts, kep3866BaseRtt, quantileOfSorted } from '../../../calibration/calibrate-proxy.js';
import { createProxyMode, endpointPicker, loadProxyProfile, proxyModeNames, type ProxyMode } from '../../../models/proxy/index.js';

const profile = loadProxyProfile().values;
const stream = (name: string) => new RandomStreams(11, 0).stream(name);

/** Mean dispatch cost over `draws` ClusterIP connections to uniform positions in a chain of `services`. */
function meanDispatch(mode: ProxyMode, services: number, draws: number): number {
  const rng = stream(`mean-dispatch/${services}`);
  let sum = 0;
  for (let i = 0; i < draws; i++) sum += mode.dispatchCost(Math.floor(rng.next() * services), services, 0, false, rng);
  return sum / draws;
}

for (const name of proxyModeNames) {
  describe(`proxy mode ${name}`, () => {
    const mode = createProxyMode(name, profile);

    it('charges a positive, finite dispatch cost for ClusterIP and NodePort first packets', () => {
      const rng = stream(`positive/${name}`);
      for (const services of [1, 100, 30000]) {
        for (const nodePort of [false, true]) {
          for (let i = 0; i < 200; i++) {
            const cost = mode.dispatchCost(Math.floor(rng.next() * services), services, i % 3, nodePort, rng);
            expect(cost).toBeGreaterThan(0);
            expect(cost).toBeLessThan(0.01);
          }
        }
      }
    });

    if (name === 'iptables') {
      it('costs more to dispatch as KUBE-SERVICES grows, and most for a NodePort, which walks the whole chain', () => {
        const means = [1000, 5000, 30000].map((services) => meanDispatch(mode, services, 20000));
        expect(means[1]).toBeGreaterThan(2 * means[0]);
        expect(means[2]).toBeGreaterThan(3 * means[1]);
        const rng = stream('nodeport');
        let clusterIp = 0;
        let nodePort = 0;
        for (let i = 0; i < 20000; i++) {
          const position = Math.floor(rng.next() * 10000);
          clusterIp += mode.dispatchCost(position, 10000, 0, false, rng);
          nodePort += mode.dispatchCost(position, 10000, 0, true, rng);
        }
        expect(nodePort).toBeGreaterThan(1.8 * clusterIp);
      });
    } else {
      it('dispatches in O(1): the cost does not depend on the number of services', () => {
        expect(meanDispatch(mode, 30000, 1000)).toBe(meanDispatch(mode, 10, 1000));
      });
    }

    it('costs an established packet less than a first packet with thousands of services, and more than nothing', () => {
      expect(mode.establishedPacketCost).toBeGreaterThan(0);
      expect(mode.establishedPacketCost).toBeLessThan(meanDispatch(mode, 5000, 2000) + 1e-6);
      if (name === 'ebpf') {
        for (const other of ['iptables', 'ipvs', 'nftables'] as const) {
          expect(mode.establishedPacketCost).toBeLessThan(createProxyMode(other, profile).establishedPacketCost);
        }
      }
    });

    it(name === 'ebpf' ? 'translates at connect() and makes no netfilter conntrack entry' : 'translates per packet through netfilter conntrack', () => {
      expect(mode.usesNetfilterConntrack).toBe(name !== 'ebpf');
      expect(mode.translatesAtConnect).toBe(name === 'ebpf');
    });

    it(`picks endpoints ${name === 'ipvs' ? 'round-robin per service (IPVS rr)' : 'uniformly at random'}`, () => {
      expect(mode.endpointPolicy).toBe(name === 'ipvs' ? 'round-robin' : 'random');
      const picker = endpointPicker(mode.endpointPolicy);
      const rng = stream(`picker/${name}`);
      if (mode.endpointPolicy === 'round-robin') {
        const picks = Array.from({ length: 7 }, () => picker.pick(3, 3, rng));
        expect(picks).toEqual([0, 1, 2, 0, 1, 2, 0]);
        expect(picker.pick(4, 3, rng)).toBe(0); // another service keeps its own cursor
      } else {
        const counts = [0, 0, 0, 0];
        const draws = 40000;
        for (let i = 0; i < draws; i++) counts[picker.pick(0, 4, rng)]++;
        // Each count is binomial(40000, 1/4): sd ≈ 86.6; 4 sd either side.
        for (const count of counts) expect(Math.abs(count - draws / 4)).toBeLessThan(4 * 86.6);
      }
    });

    it('takes a positive, finite sync, no shorter in full than in partial', () => {
      const cluster = { services: 5000, endpoints: 25000 };
      const changed = { services: 3, endpoints: 5 };
      const partial = mode.syncDuration('partial', cluster, changed);
      const full = mode.syncDuration('full', cluster, changed);
      expect(partial).toBeGreaterThan(0);
      expect(Number.isFinite(full)).toBe(true);
      expect(full).toBeGreaterThanOrEqual(partial);
    });
  });
}

describe('the restore step of a sync', () => {
  const cluster = { services: 3595, endpoints: 211876 };
  const changed = { services: 1, endpoints: 1 };

  it.each(proxyModeNames)('is positive and at most the whole sync in mode %s, full or partial', (name) => {
    const mode = createProxyMode(name, profile);
    for (const [kind, change] of [['full', cluster], ['partial', changed]] as const) {
      const restore = mode.restoreSeconds(kind, cluster, change);
      expect(restore).toBeGreaterThan(0);
      expect(restore).toBeLessThanOrEqual(mode.syncDuration(kind, cluster, change));
    }
  });

  it('is iptables-restore of the NAT table on a full iptables sync: 10.5 s of the 19.45 s at #138073 (both fitted there)', () => {
    const iptables = createProxyMode('iptables', profile);
    expect(iptables.restoreSeconds('full', cluster, cluster)).toBeCloseTo(10.5, 1);
    expect(iptables.syncDuration('full', cluster, cluster) - iptables.restoreSeconds('full', cluster, cluster)).toBeGreaterThan(8);
  });

  it("leaves nftables' chain listing out of the restore step", () => {
    const nftables = createProxyMode('nftables', profile);
    const listed = nftables.syncDuration('partial', cluster, changed) - nftables.restoreSeconds('partial', cluster, changed);
    expect(listed).toBeCloseTo(profile.nftables.sync.perChainListed * (cluster.services + cluster.endpoints), 12);
  });
});

describe('proxy modes compared', () => {
  it('grows an iptables full sync linearly in services, while eBPF syncs and IPVS updates stay O(changes)', () => {
    const iptables = createProxyMode('iptables', profile);
    const sizes = [1000, 2000, 4000, 8000];
    const full = sizes.map((services) => iptables.syncDuration('full', { services, endpoints: 5 * services }, { services: 1, endpoints: 1 }));
    const steps = full.slice(1).map((d, i) => (d - full[i]) / (sizes[i + 1] - sizes[i]));
    for (const step of steps) expect(step).toBeCloseTo(steps[0], 12);
    expect(full[3]).toBeGreaterThan(5 * full[0]);
    for (const name of ['ipvs', 'ebpf'] as const) {
      const mode = createProxyMode(name, profile);
      // IPVS's restore step is its updates; its sync adds the walk of every Service (next test).
      const cost = (cluster: { services: number; endpoints: number }, changed: { services: number; endpoints: number }) =>
        name === 'ipvs' ? mode.restoreSeconds('partial', cluster, changed) : mode.syncDuration('partial', cluster, changed);
      const small = cost({ services: 100, endpoints: 500 }, { services: 1, endpoints: 2 });
      const large = cost({ services: 100000, endpoints: 500000 }, { services: 1, endpoints: 2 });
      expect(large).toBe(small);
      const tenfold = cost({ services: 100, endpoints: 500 }, { services: 10, endpoints: 20 });
      expect(tenfold).toBeGreaterThan(small);
      expect(tenfold).toBeLessThan(10 * small);
    }
  });

  it('walks every Service on every IPVS sync: with nothing changed, the sync grows linearly in Services by the reads per Service', () => {
    const ipvs = createProxyMode('ipvs', profile);
    const { perUpdate, listedRequestsPerService, fixed } = profile.ipvs.sync;
    const none = { services: 0, endpoints: 0 };
    expect(ipvs.syncDuration('partial', { services: 0, endpoints: 0 }, none)).toBeCloseTo(fixed, 12);
    const at = (services: number) => ipvs.syncDuration('partial', { services, endpoints: 5 * services }, none);
    expect(at(2000) - at(1000)).toBeCloseTo(1000 * listedRequestsPerService * perUpdate, 12);
    expect(at(10000)).toBeGreaterThan(at(1000));
  });

  it('puts IPVS first-packet RTT within 20 % of nftables at 30k services (KEP-3866 blog: nftables slightly better)', () => {
    const base = kep3866BaseRtt();
    const nft = firstPacketRtts(createProxyMode('nftables', profile), base, 30000, 1, 50000, 3);
    const ipvs = firstPacketRtts(createProxyMode('ipvs', profile), base, 30000, 1, 50000, 3);
    for (const q of [0.5, 0.99]) {
      const ratio = quantileOfSorted(ipvs, q) / quantileOfSorted(nft, q);
      expect(ratio).toBeGreaterThanOrEqual(1);
      expect(ratio).toBeLessThan(1.2);
    }
  });
});
