import { describe, it, expect } from 'vitest';
import { externalName, nameForm } from '../../../models/dns/names.js';
import { corednsQueueLimit, dnsSettings, loadDnsProfile, nodeLocalCacheConfigs, upstreamPacketLimit } from '../../../models/dns/settings.js';

const loaded = loadDnsProfile();
const profile = loaded.values;

describe('dns settings', () => {
  it('parses {} to a kubeadm cluster: glibc, ndots 5, two replicas, cache 30, ttl 5, no NodeLocal', () => {
    const dns = dnsSettings.parse({});
    expect(dns.resolver).toEqual({ ndots: 5, nodeSearchDomains: [], library: 'glibc', options: 'none', timeout: 5, attempts: 2, rotate: false, nameservers: 1, cache: 'none' });
    expect(dns.coredns).toMatchObject({ replicas: 2, cpu: 1, kubernetesTTL: 5, autopath: false, maxConcurrent: 1000, memoryLimit: 170 * 2 ** 20 });
    expect(dns.coredns.cache).toEqual({ capacity: 9984, denialCapacity: 9984, successTTL: 30, denialTTL: 30, minTTL: 5, prefetch: false });
    expect(dns.nodeLocal).toEqual({ enabled: false, cache: { capacity: 9984, denialCapacity: 9984, successTTL: 30, denialTTL: 5, externalTTL: 30 } });
    expect(dns.upstream.latency).toEqual({ kind: 'deterministic', seconds: 0.001 });
    expect(upstreamPacketLimit(dns.upstream, profile)).toBe(Infinity);
    expect(corednsQueueLimit(dns.coredns, profile)).toBe(profile.coredns.receiveQueuePackets);
  });

  it('keeps its defaults equal to the profile constants they come from', () => {
    const dns = dnsSettings.parse({});
    expect(dns.resolver.ndots).toBe(profile.pod.ndots);
    expect(dns.resolver.timeout).toBe(profile.libraries.glibc.timeout);
    expect(dns.resolver.attempts).toBe(profile.libraries.glibc.attempts);
    expect(dns.coredns.cache.capacity).toBe(profile.coredns.cache.capacity);
    expect(dns.coredns.cache.successTTL).toBe(profile.coredns.cache.kubernetesDeploymentMaxTtl);
    expect(dns.coredns.cache.minTTL).toBe(profile.coredns.cache.minTtl);
    expect(dns.coredns.kubernetesTTL).toBe(profile.coredns.kubernetesTtl);
    expect(dns.coredns.maxConcurrent).toBe(profile.coredns.forward.maxConcurrent);
    expect(dns.coredns.memoryLimit).toBe(profile.coredns.resources.memoryLimit);
    const nodeLocal = nodeLocalCacheConfigs(dns.nodeLocal, profile);
    expect(nodeLocal.clusterZone).toMatchObject({ successCapacity: profile.nodeLocal.clusterZoneSuccess.capacity, successMaxTtl: profile.nodeLocal.clusterZoneSuccess.maxTtl, denialMaxTtl: profile.nodeLocal.clusterZoneDenial.maxTtl });
    expect(nodeLocal.otherZones.successMaxTtl).toBe(profile.nodeLocal.otherZonesMaxTtl);
  });

  it('reads units, the aws limit and prefetch', () => {
    const dns = dnsSettings.parse({
      resolver: { ndots: 2, nodeSearchDomains: ['ec2.internal'], library: 'musl', options: 'single-request-reopen', timeout: '2s' },
      coredns: { replicas: 'autoscaler', cache: { successTTL: '1h', prefetch: { amount: 10 } } },
      upstream: { latency: { lognormal: { median: '1ms', p99: '20ms' } }, packetsPerSecondLimit: 'aws' },
    });
    expect(dns.resolver.timeout).toBe(2);
    expect(dns.coredns.cache.successTTL).toBe(3600);
    expect(dns.coredns.cache.prefetch).toEqual({ amount: 10, duration: 60, percentage: 10 });
    expect(upstreamPacketLimit(dns.upstream, profile)).toBe(1024);
  });

  it('rejects unknown keys, out-of-range values and max below min', () => {
    expect(dnsSettings.safeParse({ resolver: { ndot: 5 } }).success).toBe(false);
    expect(dnsSettings.safeParse({ resolver: { ndots: 16 } }).success).toBe(false);
    expect(dnsSettings.safeParse({ resolver: { timeout: '31s' } }).success).toBe(false);
    expect(dnsSettings.safeParse({ resolver: { library: 'uclibc' } }).success).toBe(false);
    expect(dnsSettings.safeParse({ coredns: { autoscaler: { min: 3, max: 2 } } }).success).toBe(false);
    expect(dnsSettings.safeParse({ coredns: { cache: { prefetch: { amount: 1, percentage: 5 } } } }).success).toBe(false);
  });
});

describe('workload name forms', () => {
  it('accepts every form the issue lists', () => {
    for (const form of ['short', 'namespaced', 'fqdn', 'fqdn-dot']) expect(nameForm.parse(form)).toBe(form);
    expect(nameForm.parse({ external: 'api.example.com' })).toEqual({ external: 'api.example.com' });
    expect(nameForm.parse({ external: { names: 1000, dots: 2, zipf: 1 } })).toEqual({ external: { names: 1000, dots: 2, zipf: 1 } });
    expect(nameForm.parse({ external: {} })).toEqual({ external: { names: 1000, dots: 2, zipf: 1 } });
    expect(nameForm.safeParse('long').success).toBe(false);
    expect(nameForm.safeParse({ external: 'not a host' }).success).toBe(false);
  });

  it('makes distinct external names with the requested number of dots', () => {
    expect(externalName(17, 1)).toBe('host-17.com');
    expect(externalName(17, 2)).toBe('host-17.example.com');
    expect(externalName(17, 4)).toBe('host-17.sub.sub.example.com');
  });
});

describe('dns profile', () => {
  it('gives every constant a source and names its assumptions', () => {
    for (const c of loaded.constants) expect(c.source.trim().length, c.path).toBeGreaterThan(0);
    const assumptions = loaded.constants.filter((c) => c.assumption).map((c) => c.path);
    expect(assumptions).toContain('race.pairCollisionProbability');
    expect(assumptions).toContain('coredns.cpu.kubernetesAnswer');
    expect(assumptions).toContain('coredns.cpu.forward');
    expect(assumptions).not.toContain('coredns.cpu.cacheHit');
  });
});
