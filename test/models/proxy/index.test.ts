import { describe, expect, it } from 'vitest';
import { createProxyMode, loadProxyProfile, proxyModeNames, proxySettings } from '../../../models/proxy/index.js';

describe('proxy settings and profile', () => {
  it("defaults an empty proxy: key to kube-proxy's defaults: iptables, minSyncPeriod 1 s, syncPeriod 30 s, partial syncs, the current release's layout, IPVS's conn_reuse_mode left to kube-proxy", () => {
    expect(proxySettings.parse({})).toEqual({ mode: 'iptables', minSyncPeriod: 1, syncPeriod: 30, partialSync: true, version: '1.34', ipvs: {} });
    expect(proxySettings.parse({ mode: 'nftables', minSyncPeriod: '250ms', syncPeriod: '1m', partialSync: false })).toEqual({
      mode: 'nftables',
      minSyncPeriod: 0.25,
      syncPeriod: 60,
      partialSync: false,
      version: '1.34',
      ipvs: {},
    });
  });

  it('rejects an unknown mode, an unknown key and a zero syncPeriod', () => {
    expect(proxySettings.safeParse({ mode: 'userspace' }).success).toBe(false);
    expect(proxySettings.safeParse({ minSyncPeriods: '1s' }).success).toBe(false);
    expect(proxySettings.safeParse({ syncPeriod: '0s' }).success).toBe(false);
  });

  it('loads every constant with a source, and flags the unpublished ones as assumptions', () => {
    const { constants } = loadProxyProfile();
    expect(constants.length).toBeGreaterThan(30);
    for (const c of constants) expect(c.source.trim().length).toBeGreaterThan(10);
    const assumed = new Set(constants.filter((c) => c.assumption).map((c) => c.path));
    for (const path of ['ipvs.sync.perUpdate', 'ebpf.sync.perUpdate', 'nftables.dispatch', 'controlPlane.watchFanoutPerWatcher']) expect(assumed.has(path)).toBe(true);
    for (const path of ['iptables.dispatch.perRule', 'iptables.sync.restorePerRule', 'nftables.sync.perChainListed', 'controlPlane.staleRetryBase']) expect(assumed.has(path)).toBe(false);
  });

  it('applies an experiment override to one constant and builds every mode by name', () => {
    const { values, constants } = loadProxyProfile({ iptables: { dispatch: { perRule: '30ns' } } });
    expect(values.iptables.dispatch.perRule).toBeCloseTo(30e-9, 18);
    expect(constants.find((c) => c.path === 'iptables.dispatch.perRule')?.overridden).toBe(true);
    for (const name of proxyModeNames) expect(createProxyMode(name, values).name).toBe(name);
  });
});
