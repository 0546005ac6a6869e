// NetworkPolicy through simulate(): no policy changes nothing; the first packet's evaluation grows
// with the rules walked under iptables and not under eBPF, and lengthens the connect; established
// packets pay nothing; the denied share of pairs ends without a response; agent syncs grow with
// the ruleset they rewrite.

import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../models/metrics.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { networkSettings, simulate } from '../../models/simulate.js';

const SEED = 20261204;

function run(input: NetworkSettingsInput): Metrics {
  return simulate(networkSettings.parse(input), SEED, 0).metrics;
}

function outcome(m: Metrics, name: string): number {
  return m[`request_outcomes_total{outcome=${name}}.total`];
}

/** A small cluster simulated in full, at light load: nothing queues, nothing drops. */
const LIGHT: NetworkSettingsInput = {
  warmup: '1s',
  duration: '10s',
  cluster: { nodes: 4, podsPerNode: 10, services: 20, detailedNodes: 'all' },
  workload: [{ clients: '50%', ratePerClient: 10 }],
};

describe('NetworkPolicy in simulate', () => {
  it('changes nothing when there are no policies, and reports no policy metric', () => {
    const none = run(LIGHT);
    const explicit = run({ ...LIGHT, networkPolicy: { policies: 0, enforcement: 'ebpf', deniedShare: 0.5 } });
    expect(explicit).toEqual(none);
    expect(Object.keys(none).some((k) => k.startsWith('policy_'))).toBe(false);
  });

  it('lengthens the connect by the iptables walk, growing with the rules, and not under eBPF', () => {
    const at = (enforcement: 'iptables' | 'ebpf', rulesPerPolicy: number) => run({ ...LIGHT, networkPolicy: { policies: 50, rulesPerPolicy, enforcement } });
    const few = at('iptables', 1);
    const many = at('iptables', 100);
    expect(many['policy_evaluation_seconds.mean']).toBeGreaterThan(20 * few['policy_evaluation_seconds.mean']);
    // 50 policies × 99 more rules, at least half of them walked on the egress side before the SYN leaves.
    expect(many['connect_duration_seconds.p50'] - few['connect_duration_seconds.p50']).toBeGreaterThan(50 * 99 * 0.5 * 50e-9);
    expect(at('ebpf', 100)['policy_evaluation_seconds.mean']).toBe(at('ebpf', 1)['policy_evaluation_seconds.mean']);
  });

  it('leaves the egress walk out of the connect when the policies restrict ingress only', () => {
    const at = (policyTypes: 'both' | 'ingress') => run({ ...LIGHT, networkPolicy: { policies: 50, rulesPerPolicy: 100, policyTypes } });
    const both = at('both');
    const ingress = at('ingress');
    // The egress side walks half of 5,000 rules on average before the SYN leaves: over 100 µs.
    expect(both['connect_duration_seconds.p50'] - ingress['connect_duration_seconds.p50']).toBeGreaterThan(50 * 100 * 0.25 * 50e-9);
    expect(ingress['policy_evaluation_seconds.p50']).toBeLessThan(both['policy_evaluation_seconds.p50']);
  });

  it('walks every rule of an allowed pair when the allowing rule is last, about twice the uniform place on average', () => {
    const at = (allowingRule: 'uniform' | 'last') => run({ ...LIGHT, networkPolicy: { policies: 50, rulesPerPolicy: 100, allowingRule } })['policy_evaluation_seconds.mean'];
    // A uniform place walks half the rules on average, but the place is fixed per pair: over 20
    // clients × 20 Services = 400 pairs the mean place is 0.5 ± 0.29/√400 = ± 0.0145 (1σ), so
    // within 4σ the ratio lies in 1 / (0.5 ± 0.058) = [1.79, 2.26].
    expect(at('last') / at('uniform')).toBeGreaterThan(1.79);
    expect(at('last') / at('uniform')).toBeLessThan(2.26);
  });

  it('charges established packets nothing: keep-alive connections opened in warm-up cost no evaluation in the window', () => {
    const m = run({
      ...LIGHT,
      warmup: '2s',
      // One request in flight per client, so each client's one connection serves all its requests.
      workload: [{ clients: '50%', closedLoop: { concurrency: 1, thinkTime: '50ms' }, target: 'svc-0', connection: { keepAlive: { maxRequests: 100000, idle: '60s' } } }],
      networkPolicy: { policies: 50, rulesPerPolicy: 20 },
    });
    expect(outcome(m, 'ok')).toBeGreaterThan(1500);
    expect(m['policy_cpu_cores.max']).toBe(0);
  });

  it('denies the configured share of connections, which end without a response', () => {
    const share = 0.25;
    const input: NetworkSettingsInput = {
      ...LIGHT,
      duration: '20s',
      cluster: { nodes: 4, podsPerNode: 10, services: 50, detailedNodes: 'all' },
      workload: [{ clients: '50%', ratePerClient: 10, deadline: '5s' }],
      networkPolicy: { policies: 10, deniedShare: share },
    };
    const m = run(input);
    const allowed = run({ ...input, networkPolicy: { policies: 10 } });
    const started = outcome(allowed, 'ok');
    const denied = m['policy_denied_total.total'];
    // 20 clients × 50 Services = 1,000 pairs, each with Poisson(4) connections: the connection-weighted
    // share has σ ≈ √(0.25 · 0.75 / 1000 · (1 + 1/4)) ≈ 0.015; 4σ is 0.06.
    expect(Math.abs(denied / started - share)).toBeLessThan(0.06);
    expect(outcome(m, 'ok') + denied).toBeCloseTo(started, -2);
    // A dropped SYN is resent after 1, 2 s … and the client gives up at its 5 s deadline: those
    // denied in the window's last 5 s end after it, those denied in the 1 s warm-up end in it, so
    // (20 − 5 + 1) / 20 = 0.8 of the window's denials end in it as deadline_exceeded.
    expect(outcome(m, 'deadline_exceeded') / denied).toBeGreaterThan(0.7);
    expect(outcome(m, 'deadline_exceeded') / denied).toBeLessThan(0.9);
    expect(outcome(m, 'refused')).toBe(0);
  });

  it('coalesces changes that arrive during a sync: an agent never holds more than one core', () => {
    // kube-router at 2,000 policies: each full sync takes seconds, and 20 changes arrive per second.
    const m = run({ ...LIGHT, networkPolicy: { policies: 2000, rulesPerPolicy: 4, enforcement: 'ipset', policyChangesPerSecond: 20 } });
    // One core for syncs, plus the evaluations: 20 clients × 10 connections/s over 4 nodes, two
    // sides of at most 0.5 ms each, is at most 0.05 cores.
    expect(m['policy_cpu_cores.max']).toBeLessThan(1.05);
    expect(m['policy_cpu_cores.mean']).toBeGreaterThan(0.9);
  });

  it('makes agent syncs longer the more policies iptables rewrites', () => {
    const sync = (policies: number) => run({ ...LIGHT, networkPolicy: { policies, rulesPerPolicy: 5, selectorsMatchingPod: 5, policyChangesPerSecond: 2 } })['policy_sync_duration_seconds.p50'];
    expect(sync(500)).toBeGreaterThan(sync(50));
  });
});
