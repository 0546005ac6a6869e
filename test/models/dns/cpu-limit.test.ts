// A DNS container's CPU limit through the whole simulation (cpu-limit.ts): under CFS a 50m
// NodeLocal agent serves quota ÷ period of CPU as the uniform model does, but at moderate load its
// queries wait out throttled periods (up to period − quota) where the uniform model has no tail;
// whole-core limits are the same under both models.

import { describe, expect, it } from 'vitest';
import { limitedCpu } from '../../../models/dns/cpu-limit.js';
import { networkSettings, simulate } from '../../../models/simulate.js';
import type { NetworkSettingsInput } from '../../../models/settings.js';

const SEED = 7;
const PERIOD = 0.1; // kernel.yaml cfs.period
const PER_HIT = 59.2e-6; // dns.yaml nodeLocal.cpu.cacheHit

function run(input: NetworkSettingsInput): Record<string, number> {
  return simulate(networkSettings.parse(input), SEED, 0).metrics;
}

/** One client pod's lookups of cached Service names at its node's agent, 50m limit. */
const agent = (model: 'cfs' | 'uniform', load: { closedLoop: { concurrency: number } } | { ratePerClient: number }) =>
  run({
    warmup: '1s',
    duration: '4s',
    cluster: { nodes: 2, podsPerNode: 20, services: 20, detailedNodes: 'all' },
    dns: { cpuLimitModel: model, nodeLocal: { enabled: true, cpu: 0.05 } },
    workload: [{ clients: 1, ...load, dnsName: 'short', cpuPerRequest: { client: '0s', server: '0s' }, server: { workers: 1000, serviceTime: '0s' } }],
  });

describe('a DNS container’s CPU limit', () => {
  it('gives ceil(limit) full-speed cores and a quota of limit × period under CFS, round(limit) slowed cores under uniform', () => {
    const cfs = limitedCpu(0.05, 'cfs', PERIOD);
    expect([cfs.servers, cfs.costScale, cfs.quota?.quotaSeconds]).toEqual([1, 1, 0.05 * PERIOD]);
    expect(limitedCpu(1.5, 'cfs', PERIOD).servers).toBe(2);
    expect(limitedCpu(2, 'cfs', PERIOD).quota).toBeNull(); // a whole-core limit cannot bind
    const uniform = limitedCpu(0.05, 'uniform', PERIOD);
    expect([uniform.servers, uniform.costScale, uniform.quota]).toEqual([1, 20, null]);
  });

  it('serves quota ÷ period when saturated, as the uniform model does (≈ 845 QPS at 50m)', () => {
    const served = (model: 'cfs' | 'uniform') => 2 * agent(model, { closedLoop: { concurrency: 16 } })['requests_per_second.mean'];
    const expected = 0.05 / PER_HIT;
    expect(Math.abs(served('cfs') / expected - 1)).toBeLessThan(0.03);
    expect(Math.abs(served('uniform') / expected - 1)).toBeLessThan(0.01);
  });

  it('throttles at moderate load under CFS: tail lookups wait tens of ms, none longer than period − quota plus their work', () => {
    // 380 lookups/s × 2 hits × 59.2 µs ≈ 45 ms of CPU per second: 90 % of the 50 m limit, so
    // Poisson bursts spend some periods' 5 ms; the uniform core is 90 % busy with 2.4 ms jobs.
    const cfs = agent('cfs', { ratePerClient: 380 });
    const uniform = agent('uniform', { ratePerClient: 380 });
    expect(cfs['nodelocal_cpu_throttled_periods_total.total']).toBeGreaterThan(0);
    expect(cfs['nodelocal_cpu_throttled_seconds_total.total']).toBeGreaterThan(0);
    expect(uniform['nodelocal_cpu_throttled_periods_total.total']).toBe(0);
    expect(cfs['dns_lookup_duration_seconds.max']).toBeGreaterThan(0.01);
    expect(cfs['dns_lookup_duration_seconds.max']).toBeLessThan(PERIOD);
    // A lone query runs at full core speed under CFS, 20× slower under the uniform model.
    expect(cfs['dns_lookup_duration_seconds.p50']).toBeLessThan(uniform['dns_lookup_duration_seconds.p50']);
  });

  it('leaves whole-core limits alone: CoreDNS at 1 core gives the same metrics under both models', () => {
    const at = (model: 'cfs' | 'uniform') =>
      run({ warmup: '1s', duration: '3s', cluster: { nodes: 4, podsPerNode: 6, services: 20, detailedNodes: 'all' }, dns: { cpuLimitModel: model, coredns: { cpu: 1 } }, workload: [{ clients: '50%', ratePerClient: 20 }] });
    expect(at('cfs')).toEqual(at('uniform'));
  });
});
