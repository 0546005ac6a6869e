import { describe, it, expect } from 'vitest';
import { corednsCpuSeconds, corednsMemoryMiB, exceedsMemoryLimit, nodeLocalCpuSeconds, saturationQps } from '../../../models/dns/coredns-costs.js';
import { loadDnsProfile } from '../../../models/dns/settings.js';

const profile = loadDnsProfile().values;
const within10 = (value: number, target: number) => expect(Math.abs(value / target - 1)).toBeLessThan(0.1);

describe('CoreDNS CPU per query (Scaling_CoreDNS.md calibration)', () => {
  it('one replica with 2 CPUs saturates within 10 % of 33,669 QPS on cached internal names', () => {
    within10(saturationQps(2, corednsCpuSeconds(profile, 'cache-hit')), 33669);
    expect(profile.coredns.calibration.internalMaxQps).toBe(33669);
  });

  it('serves external names at a fifth of that: five cached queries per client lookup (6,733 QPS)', () => {
    const perLookup = profile.coredns.calibration.externalQueriesPerLookup * corednsCpuSeconds(profile, 'cache-hit');
    within10(saturationQps(2, perLookup), 6733);
  });

  it('serves autopath answers within 10 % of 31,428 QPS', () => {
    within10(saturationQps(2, corednsCpuSeconds(profile, 'autopath')), 31428);
  });

  it('costs more for a kubernetes-plugin miss than a hit, and more again for a forward', () => {
    expect(corednsCpuSeconds(profile, 'kubernetes')).toBeGreaterThan(corednsCpuSeconds(profile, 'cache-hit'));
    expect(corednsCpuSeconds(profile, 'forward')).toBeGreaterThan(corednsCpuSeconds(profile, 'kubernetes'));
  });

  it('gives NodeLocal DNSCache 830-860 QPS of cached names at a 50m limit (KEP-1024)', () => {
    const qps = saturationQps(0.05, nodeLocalCpuSeconds(profile, 'cache-hit'));
    expect(qps).toBeGreaterThanOrEqual(830);
    expect(qps).toBeLessThanOrEqual(860);
  });
});

describe('CoreDNS memory', () => {
  it('follows (pods + services)/1000 + 54, and /250 + 56 with autopath', () => {
    // 5000 nodes: 150,000 pods and 8,200 services (Scaling_CoreDNS.md's largest cluster).
    expect(corednsMemoryMiB(profile, 150000, 8200, false)).toBeCloseTo(212.2, 6);
    expect(corednsMemoryMiB(profile, 150000, 8200, true)).toBeCloseTo(688.8, 6);
    expect(corednsMemoryMiB(profile, 3000, 1000, false)).toBeCloseTo(58, 6);
  });

  it('scales the ~30 MB cache part to the entries held', () => {
    expect(corednsMemoryMiB(profile, 3000, 1000, false, 0)).toBeCloseTo(28, 6);
    expect(corednsMemoryMiB(profile, 3000, 1000, false, 5000)).toBeCloseTo(43, 6);
    expect(corednsMemoryMiB(profile, 3000, 1000, false, 20000)).toBeCloseTo(58, 6);
  });

  it('flags an OOM-kill risk above the 170Mi limit of coredns/deployment', () => {
    const limit = profile.coredns.resources.memoryLimit;
    expect(exceedsMemoryLimit(corednsMemoryMiB(profile, 150000, 8200, false), limit)).toBe(true);
    expect(exceedsMemoryLimit(corednsMemoryMiB(profile, 3000, 1000, false), limit)).toBe(false);
  });
});
