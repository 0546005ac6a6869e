// Hardware profiles (models/hardware.ts) and kube-proxy releases (proxy.version): the factors act
// on the costs they name and nothing else, the rule walk grows with the factor and with the
// pre-1.21 layout's extra rule per Service, and the defaults change no value.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../engine/random.js';
import { loadDnsProfile } from '../../models/dns/settings.js';
import { hardwareProfileNames, loadHardware, scaleDnsProfile, scaleKernelProfile, scaleProxyProfile } from '../../models/hardware.js';
import { loadKernel } from '../../models/kernel.js';
import { networkSettings } from '../../models/settings.js';
import { createProxyMode, effectiveProxySettings, IptablesMode, loadProxyProfile, proxySettings, releaseBehaviour } from '../../models/proxy/index.js';

const proxy = loadProxyProfile().values;

/** Mean dispatch cost over the same draws (one stream per call, same seed). */
function meanDispatch(mode: ReturnType<typeof createProxyMode>, services: number): number {
  const rng = new RandomStreams(7, 0).stream('hardware-test');
  let total = 0;
  const n = 2000;
  for (let i = 0; i < n; i++) total += mode.dispatchCost(Math.floor(rng.next() * services), services, 0, false, rng);
  return total / n;
}

describe('hardware profiles', () => {
  it('reference changes no constant: the scaled profiles are the loaded ones, value for value', () => {
    const { factors, constants } = loadHardware('reference');
    expect(Object.values(factors).every((f) => f === 1)).toBe(true);
    expect(constants).toEqual([]);
    expect(scaleProxyProfile(proxy, factors)).toBe(proxy);
    const kernel = loadKernel().values;
    expect(scaleKernelProfile(kernel, factors)).toBe(kernel);
    const dns = loadDnsProfile().values;
    expect(scaleDnsProfile(dns, factors)).toBe(dns);
  });

  it('every other profile lists its constants with sources, for constants.json', () => {
    for (const name of hardwareProfileNames.filter((n) => n !== 'reference')) {
      const { constants } = loadHardware(name);
      expect(constants.map((c) => c.path).sort()).toEqual([`${name}.cpu`, ...['connectionSetup', 'dnsQuery', 'establishedPacket', 'iptablesPerRule'].map((f) => `${name}.factors.${f}`)].sort());
      for (const c of constants) expect(c.source.length).toBeGreaterThan(0);
    }
  });

  it('takes an experiment override of a factor, and reports it; an unknown constant is an error', () => {
    const loaded = loadHardware('aws-m6i', { 'aws-m6i': { factors: { iptablesPerRule: 2 } } });
    expect(loaded.factors.iptablesPerRule).toBe(2);
    expect(loaded.constants.find((c) => c.path === 'aws-m6i.factors.iptablesPerRule')?.overridden).toBe(true);
    expect(() => loadHardware('aws-m6i', { 'aws-m6i': { factors: { perRule: 2 } } })).toThrow(/no constant/);
    expect(loadHardware('reference', { reference: { factors: { dnsQuery: 1.5 } } }).constants.length).toBeGreaterThan(0);
  });

  it('scales the rule walk linearly with the per-rule factor: (dispatch − fixed) grows by exactly the factor', () => {
    const fixed = proxy.iptables.dispatch.fixed;
    const reference = meanDispatch(createProxyMode('iptables', proxy), 5000) - fixed;
    for (const name of hardwareProfileNames) {
      const { factors } = loadHardware(name);
      const scaled = meanDispatch(createProxyMode('iptables', scaleProxyProfile(proxy, factors)), 5000) - fixed;
      expect(scaled / reference).toBeCloseTo(factors.iptablesPerRule, 9);
    }
  });

  it('never gives a slower per-rule profile a faster dispatch', () => {
    const ranked = hardwareProfileNames
      .map((name) => ({ factor: loadHardware(name).factors.iptablesPerRule, cost: meanDispatch(createProxyMode('iptables', scaleProxyProfile(proxy, loadHardware(name).factors)), 10000) }))
      .sort((a, b) => a.factor - b.factor);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i].cost).toBeGreaterThanOrEqual(ranked[i - 1].cost);
  });

  it('scales the per-packet, per-connection and per-query costs by their own factors only', () => {
    const { factors } = loadHardware('xeon-e5-2620');
    const scaled = scaleProxyProfile(proxy, factors);
    expect(scaled.iptables.establishedPacket).toBeCloseTo(proxy.iptables.establishedPacket * factors.establishedPacket, 15);
    expect(scaled.ebpf.establishedPacket).toBeCloseTo(proxy.ebpf.establishedPacket * factors.establishedPacket, 15);
    expect(scaled.iptables.sync).toEqual(proxy.iptables.sync);
    const kernel = loadKernel().values;
    expect(scaleKernelProfile(kernel, factors).tcp.connectionSetup).toBeCloseTo(kernel.tcp.connectionSetup * factors.connectionSetup, 15);
    const dns = loadDnsProfile().values;
    const dnsScaled = scaleDnsProfile(dns, factors);
    expect(dnsScaled.coredns.cpu.cacheHit).toBeCloseTo(dns.coredns.cpu.cacheHit * factors.dnsQuery, 15);
    expect(dnsScaled.nodeLocal.cpu.forward).toBeCloseTo(dns.nodeLocal.cpu.forward * factors.dnsQuery, 15);
    expect(dnsScaled.coredns.cache).toEqual(dns.coredns.cache);
  });
});

describe('kube-proxy releases', () => {
  const current = new IptablesMode(proxy.iptables, releaseBehaviour('1.21', proxy.versions).servicesChainRulesPerService);
  const old = new IptablesMode(proxy.iptables, releaseBehaviour('1.20', proxy.versions).servicesChainRulesPerService);

  it('walks one more rule per Service passed over before 1.21 (the masquerade rule beside each jump)', () => {
    for (const position of [0, 1, 17, 4999]) {
      for (const endpoint of [0, 3]) expect(old.rulesWalked(position, 5000, endpoint, false) - current.rulesWalked(position, 5000, endpoint, false)).toBe(position);
    }
  });

  it('walks the first Service alike in both layouts: its own two rules either way', () => {
    expect(old.rulesWalked(0, 10, 0, false)).toBe(current.rulesWalked(0, 10, 0, false));
  });

  it('walks the whole of a two-rule KUBE-SERVICES for a NodePort before 1.21', () => {
    expect(old.rulesWalked(5, 1000, 0, true) - current.rulesWalked(5, 1000, 0, true)).toBe(1000 + 5);
  });

  it('syncs in full before MinimizeIPTablesRestore was on by default (1.27), whatever partialSync says', () => {
    for (const [version, partial] of [['1.20', false], ['1.26', false], ['1.27', true], ['1.31', true]] as const) {
      const settings = proxySettings.parse({ mode: 'iptables', version });
      expect(effectiveProxySettings(settings, proxy).partialSync).toBe(partial);
    }
    const off = proxySettings.parse({ mode: 'iptables', version: '1.31', partialSync: false });
    expect(effectiveProxySettings(off, proxy).partialSync).toBe(false);
  });

  it('refuses nftables mode before the release that has it (1.29)', () => {
    const spec = (version: string) => networkSettings.safeParse({ proxy: { mode: 'nftables', version }, workload: [{}] });
    expect(spec('1.28').success).toBe(false);
    expect(spec('1.29').success).toBe(true);
  });

  it('defaults to the current layout: the default mode walks as the 1.21+ layout', () => {
    const defaults = proxySettings.parse({});
    const mode = createProxyMode('iptables', proxy, defaults.version) as IptablesMode;
    expect(mode.rulesWalked(123, 5000, 1, false)).toBe(current.rulesWalked(123, 5000, 1, false));
    expect(effectiveProxySettings(defaults, proxy)).toBe(defaults);
  });
});
