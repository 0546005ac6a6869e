// NetworkPolicy's costs against their mechanisms: a chain walked rule by rule grows linearly with
// the rules walked, a set lookup grows with the policies and not their rules, a per-endpoint map
// lookup is flat; an agent that rewrites the whole ruleset takes longer the more rules it has.

import { describe, expect, it } from 'vitest';
import { firstPacketCost, rulesWalked, syncRules, syncSeconds, type PolicyShape } from '../../../models/policy/cost.js';
import { pairUniforms } from '../../../models/policy/enforcement.js';
import { loadPolicyProfile, policyEnforcements, type PolicyEnforcementName } from '../../../models/policy/settings.js';

const profile = loadPolicyProfile().values;

function shape(enforcement: PolicyEnforcementName, policies: number, rulesPerPolicy: number, matching = policies): PolicyShape {
  return { enforcement, policies, rulesPerPolicy, matching, podsPerNode: 30 };
}

describe('first-packet evaluation', () => {
  it('grows linearly with the rules walked under iptables, by the per-rule cost', () => {
    const perRule = profile.iptables.dispatch.perRule;
    const cost = (rules: number) => firstPacketCost(shape('iptables', 10, rules), profile, 1);
    // 10 policies: 10 × 50 more rules walked from 50 to 100 rules per policy, and again to 150.
    expect(cost(100) - cost(50)).toBeCloseTo(perRule * 500, 15);
    expect(cost(150) - cost(100)).toBeCloseTo(cost(100) - cost(50), 15);
    expect(rulesWalked(shape('iptables', 10, 100), profile, 1) - rulesWalked(shape('iptables', 10, 50), profile, 1)).toBe(500);
  });

  it('stays flat under eBPF whatever the policies and rules', () => {
    const small = firstPacketCost(shape('ebpf', 1, 1), profile, 1);
    expect(firstPacketCost(shape('ebpf', 500, 1000), profile, 1)).toBe(small);
    expect(firstPacketCost(shape('ebpf', 5000, 20), profile, 0.3)).toBe(small);
  });

  it.each(['ipset', 'nftables'] as const)('under %s grows with the policies selecting the pod, not with their rules', (enforcement) => {
    const cost = (policies: number, rules: number) => firstPacketCost(shape(enforcement, policies, rules), profile, 1);
    expect(cost(10, 1000)).toBe(cost(10, 1));
    expect(cost(100, 1)).toBeGreaterThan(cost(10, 1));
    expect(cost(100, 1) - cost(50, 1)).toBeCloseTo(cost(50, 1) - cost(0, 1), 15);
  });

  it.each(policyEnforcements)('under %s never costs an allowed packet more than a denied one, which walks everything', (enforcement) => {
    const s = shape(enforcement, 200, 5);
    let previous = 0;
    for (const position of [0.01, 0.25, 0.5, 0.75, 1]) {
      const cost = firstPacketCost(s, profile, position);
      expect(cost).toBeGreaterThanOrEqual(previous);
      previous = cost;
    }
  });

  it('costs only the selecting policies: a pod no policy selects walks its chain’s fixed rules', () => {
    expect(rulesWalked(shape('iptables', 500, 10, 0), profile, 1)).toBe(profile.iptables.dispatch.fixedRules);
    expect(firstPacketCost(shape('iptables', 500, 10, 3), profile, 1)).toBeLessThan(firstPacketCost(shape('iptables', 500, 10, 30), profile, 1));
  });
});

describe('policy agent sync', () => {
  it('grows with the rules under iptables (the table is replaced whole) and ipset (a full sync)', () => {
    for (const enforcement of ['iptables', 'ipset'] as const) {
      expect(syncSeconds(shape(enforcement, 500, 5, 5), profile)).toBeGreaterThan(syncSeconds(shape(enforcement, 50, 5, 5), profile));
    }
    expect(syncSeconds(shape('iptables', 50, 20, 5), profile)).toBeGreaterThan(syncSeconds(shape('iptables', 50, 5, 5), profile));
  });

  it('adds the per-rule restore cost for each rule rewritten under iptables', () => {
    const a = shape('iptables', 100, 4, 5);
    const b = shape('iptables', 200, 4, 5);
    const rules = syncRules(b, profile.iptables.dispatch.fixedRules) - syncRules(a, profile.iptables.dispatch.fixedRules);
    expect(rules).toBe(2 * 100 * 4);
    expect(syncSeconds(b, profile) - syncSeconds(a, profile)).toBeCloseTo(rules * profile.iptables.sync.perRule, 12);
  });

  it('applies a pod change as an ipset delta under Calico iptables (flat in policies), as a full sync under kube-router', () => {
    expect(syncSeconds(shape('iptables', 2000, 5, 5), profile, 'pod')).toBe(syncSeconds(shape('iptables', 50, 5, 5), profile, 'pod'));
    expect(syncSeconds(shape('ipset', 2000, 5, 5), profile, 'pod')).toBe(syncSeconds(shape('ipset', 2000, 5, 5), profile, 'policy'));
    expect(syncSeconds(shape('ipset', 2000, 5, 5), profile, 'pod')).toBeGreaterThan(syncSeconds(shape('ipset', 50, 5, 5), profile, 'pod'));
  });

  it('under nftables and eBPF rewrites the changed policy only: no growth with the other policies', () => {
    for (const enforcement of ['nftables', 'ebpf'] as const) {
      expect(syncSeconds(shape(enforcement, 5000, 5, 5), profile)).toBeLessThanOrEqual(syncSeconds(shape(enforcement, 50, 5, 5), profile));
      expect(syncSeconds(shape(enforcement, 50, 50, 5), profile)).toBeGreaterThan(syncSeconds(shape(enforcement, 50, 5, 5), profile));
    }
  });
});

describe('pair verdicts', () => {
  it('deny the configured share of pairs, within four binomial standard deviations', () => {
    const share = 0.3;
    let denied = 0;
    let pairs = 0;
    for (let workload = 0; workload < 4; workload++) {
      for (let pod = 0; pod < 250; pod++) {
        for (let service = 0; service < 100; service++) {
          pairs++;
          if (pairUniforms(workload, pod, service)[0] < share) denied++;
        }
      }
    }
    const sigma = Math.sqrt((share * (1 - share)) / pairs);
    expect(Math.abs(denied / pairs - share)).toBeLessThan(4 * sigma);
  });

  it('give a pair the same verdict every time', () => {
    expect(pairUniforms(1, 17, 42)).toEqual(pairUniforms(1, 17, 42));
    expect(pairUniforms(1, 17, 42)).not.toEqual(pairUniforms(1, 17, 43));
  });
});
