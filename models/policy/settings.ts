// NetworkPolicy's settings (the experiment's `networkPolicy:` key) and its profile of calibrated
// constants (models/profiles/policy.yaml). How they are used: docs/architecture.md, "NetworkPolicy".

import { z } from 'zod';
import { loadProfile, type LoadedProfile } from '../profiles/load.js';
import { duration } from '../units.js';

export const policyEnforcements = ['iptables', 'ipset', 'nftables', 'ebpf'] as const;
export type PolicyEnforcementName = (typeof policyEnforcements)[number];

/** The experiment's `networkPolicy:` key. No policies (the default) is today's cluster: no cost, nothing denied. */
export const networkPolicySettings = z
  .object({
    /** NetworkPolicies in the cluster. 0: none, and none of the rest applies. */
    policies: z.number().int().min(0).prefault(0),
    /** Rules each policy compiles to on each side (peers × ports: one iptables rule each under `iptables`). */
    rulesPerPolicy: z.number().int().min(1).prefault(1),
    /** Policies whose podSelector selects a given pod (its chains walk theirs); `all`: every policy. */
    selectorsMatchingPod: z.union([z.number().int().min(0), z.literal('all')]).prefault('all'),
    /**
     * How the data plane evaluates them: `iptables` (Calico: per-endpoint chains walked rule by
     * rule), `ipset` (kube-router: one set-match rule per policy), `nftables` (a set lookup per
     * policy), `ebpf` (Cilium: one policy-map lookup per endpoint).
     */
    enforcement: z.enum(policyEnforcements).prefault('iptables'),
    /**
     * The directions the policies restrict (NetworkPolicy's policyTypes): a pod's chains on the
     * other side walk only their fixed rules.
     */
    policyTypes: z.enum(['both', 'ingress', 'egress']).prefault('both'),
    /**
     * Where the rule allowing a pair sits among the pod's policy rules: `uniform` (anywhere, fixed
     * per pair), or `last` (every rule walked first, as benchmarks that put the allowing policy
     * after all the others do).
     */
    allowingRule: z.enum(['uniform', 'last']).prefault('uniform'),
    /** Share of (client pod, Service) pairs no policy allows: their SYNs are dropped and the clients time out. */
    deniedShare: z.number().min(0).max(1).prefault(0),
    /** Policy creations, updates and deletions per second across the cluster (each makes every node's agent sync). */
    policyChangesPerSecond: z.number().min(0).prefault(0),
  })
  .strict();
export type NetworkPolicySettings = z.output<typeof networkPolicySettings>;

const sync = z.object({ fixed: duration(), perRule: duration() }).strict();

const policyProfile = z
  .object({
    iptables: z
      .object({ dispatch: z.object({ fixed: duration(), fixedRules: z.number().int().min(0), perRule: duration() }).strict(), sync, podSync: z.object({ fixed: duration() }).strict() })
      .strict(),
    ipset: z
      .object({ dispatch: z.object({ fixed: duration(), fixedRules: z.number().int().min(0), perRule: duration(), perSetLookup: duration() }).strict(), sync })
      .strict(),
    nftables: z.object({ dispatch: z.object({ fixed: duration(), perPolicyLookup: duration() }).strict(), sync }).strict(),
    ebpf: z.object({ dispatch: z.object({ fixed: duration() }).strict(), sync: z.object({ fixed: duration(), perEntry: duration() }).strict() }).strict(),
  })
  .strict();
export type PolicyProfile = z.output<typeof policyProfile>;

/** Loads policy.yaml with an experiment's overrides (a partial tree of values). */
export function loadPolicyProfile(overrides?: unknown): LoadedProfile<PolicyProfile> {
  return loadProfile('policy', policyProfile, overrides);
}
