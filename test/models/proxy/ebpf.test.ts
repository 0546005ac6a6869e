// Cilium's socket LB: a connect() costs a fixed hook plus its LB map lookups, which slow down only
// once the maps' lines outgrow the last-level cache; tunnel routing adds BPF encapsulation to every
// cross-node packet.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../engine/random.js';
import { EbpfMode, lookupMissShare } from '../../../models/proxy/ebpf.js';
import { createProxyMode, defaultEbpfRoutingMode, IptablesMode, loadProxyProfile, type ProxyMode } from '../../../models/proxy/index.js';

const profile = loadProxyProfile().values;
const rng = new RandomStreams(1, 0).stream('dispatch');
const ebpf = (endpointsPerService = 4, routingMode: 'native' | 'tunnel' = 'native') => new EbpfMode(profile.ebpf, { endpointsPerService, routingMode });
const dispatch = (mode: Pick<ProxyMode, 'dispatchCost'>, services: number) => mode.dispatchCost(Math.floor(services / 2), services, 0, false, rng);

describe('eBPF socket LB dispatch', () => {
  it('costs the fixed hook plus three cached lookups, 0.3 µs, while the LB maps fit in the cache', () => {
    const { connectFixed, mapLookup } = profile.ebpf;
    expect(dispatch(ebpf(), 100)).toBeCloseTo(connectFixed + 3 * mapLookup.cached, 15);
    expect(dispatch(ebpf(), 100)).toBeCloseTo(0.3e-6, 12);
  });

  it('never gets cheaper as Services are added', () => {
    const mode = ebpf();
    let last = 0;
    for (let services = 1; services <= 1_000_000; services *= 2) {
      const cost = dispatch(mode, services);
      expect(cost).toBeGreaterThanOrEqual(last);
      last = cost;
    }
  });

  it('stays within fixed + 3 × (cached + 2 lines × memory latency), however large the maps: the whole size term', () => {
    const { connectFixed, mapLookup } = profile.ebpf;
    const bound = connectFixed + 3 * (mapLookup.cached + mapLookup.linesPerLookup * mapLookup.memoryLatency);
    expect(dispatch(ebpf(), 1_000_000)).toBeLessThanOrEqual(bound);
    expect(dispatch(ebpf(), 1_000_000)).toBeGreaterThan(0.9 * bound);
  });

  it('misses the cache in the share of the footprint beyond it: 1 − cache / footprint', () => {
    const lookup = profile.ebpf.mapLookup;
    const fitting = lookup.cacheBytes / (lookup.linesPerLookup * lookup.cacheLineBytes);
    expect(lookupMissShare(fitting, lookup)).toBe(0);
    expect(lookupMissShare(2 * fitting, lookup)).toBeCloseTo(0.5, 12);
    expect(lookupMissShare(4 * fitting, lookup)).toBeCloseTo(0.75, 12);
  });

  it('counts 1 + endpoints services-map slots and one backend per endpoint for each Service (cilium PR #10289)', () => {
    expect(ebpf(4).lbMapEntries(30_000)).toBe(30_000 * 5 + 30_000 * 4);
  });

  it('grows far less than iptables’ linear walk from 1,000 to 30,000 Services', () => {
    const iptables = new IptablesMode(profile.iptables);
    const mode = ebpf();
    const growth = (m: Pick<ProxyMode, 'dispatchCost'>) => {
      const at = (services: number) => {
        const draws = new RandomStreams(7, 0).stream('dispatch');
        let sum = 0;
        for (let k = 0; k < 2000; k++) sum += m.dispatchCost(Math.floor(services / 2), services, 0, false, draws);
        return sum / 2000;
      };
      return at(30_000) - at(1_000);
    };
    expect(growth(mode)).toBeLessThan(growth(iptables) / 100);
  });
});

describe('eBPF per-packet cost by routing mode', () => {
  it('adds the tunnel encapsulation to cross-node packets in tunnel routing only; native adds nothing', () => {
    expect(ebpf(4, 'native').crossNodePacketCost).toBe(0);
    expect(ebpf(4, 'tunnel').crossNodePacketCost).toBe(profile.ebpf.tunnelPacket);
    expect(ebpf(4, 'tunnel').crossNodePacketCost).toBeGreaterThanOrEqual(ebpf(4, 'native').crossNodePacketCost);
    expect(ebpf(4, 'tunnel').establishedPacketCost).toBe(ebpf(4, 'native').establishedPacketCost);
  });

  it("follows the CNI by default: Cilium's VXLAN profile tunnels, every other path is routed natively", () => {
    expect(defaultEbpfRoutingMode('cilium-vxlan')).toBe('tunnel');
    expect(defaultEbpfRoutingMode('cilium-native')).toBe('native');
    expect(createProxyMode('iptables', profile).crossNodePacketCost).toBe(0);
  });
});
