// What NetworkPolicy costs, as pure functions of the policy set's shape: the CPU a new
// connection's first packet spends in one side's policy evaluation, and the seconds the policy
// agent spends rewriting its rules on one change. Leaves out L7 policy, CIDR/ipBlock trees
// (Cilium's LPM maps), named ports, and the dispatch tree's growth with endpoints per node.

import type { PolicyEnforcementName, PolicyProfile } from './settings.js';

/** The policy set as one node sees it. */
export interface PolicyShape {
  enforcement: PolicyEnforcementName;
  policies: number;
  rulesPerPolicy: number;
  /** Policies selecting a given pod (≤ policies). */
  matching: number;
  podsPerNode: number;
}

/** Ingress and egress: each policy is taken to carry both, so each side walks its own chains. */
const SIDES = 2;

/**
 * Rules one side's first packet walks. `position` ∈ (0, 1] is the share of the pod's policy rules
 * walked before the verdict: the matching rule's place for an allowed packet, 1 for a denied one
 * (nothing matches; the chain's final DROP). Calico and kube-router jump from the pod's chain to
 * each selecting policy's chain in turn (one jump rule each), and return to the next on no match.
 */
export function rulesWalked(shape: PolicyShape, profile: PolicyProfile, position: number): number {
  const jumps = Math.ceil(position * shape.matching);
  switch (shape.enforcement) {
    case 'iptables':
      return profile.iptables.dispatch.fixedRules + jumps + Math.ceil(position * shape.matching * shape.rulesPerPolicy);
    case 'ipset':
      // One set-match rule per policy: its peers and ports are members of a hash set.
      return profile.ipset.dispatch.fixedRules + 2 * jumps;
    default:
      return 0;
  }
}

/** CPU seconds of one side's policy evaluation of a new connection's first packet. */
export function firstPacketCost(shape: PolicyShape, profile: PolicyProfile, position: number): number {
  const policiesWalked = Math.ceil(position * shape.matching);
  switch (shape.enforcement) {
    case 'iptables': {
      const c = profile.iptables.dispatch;
      return c.fixed + c.perRule * rulesWalked(shape, profile, position);
    }
    case 'ipset': {
      const c = profile.ipset.dispatch;
      return c.fixed + c.perRule * rulesWalked(shape, profile, position) + c.perSetLookup * policiesWalked;
    }
    case 'nftables': {
      const c = profile.nftables.dispatch;
      return c.fixed + c.perPolicyLookup * policiesWalked;
    }
    case 'ebpf':
      // One lookup in the endpoint's policy map, keyed by the peer's identity and the port.
      return profile.ebpf.dispatch.fixed;
  }
}

/** Pods on a node that one policy selects, on average. */
function selectedPerPolicy(shape: PolicyShape): number {
  return shape.policies > 0 ? (shape.podsPerNode * shape.matching) / shape.policies : 0;
}

/**
 * Rules (or map entries) one change makes a node's agent write. iptables (Calico Felix): the
 * filter table is replaced whole in the kernel on every commit (iptables-legacy's
 * IPT_SO_SET_REPLACE), so a change costs the node's whole policy ruleset: every policy's chains
 * and every pod's chains. ipset (kube-router): a level-triggered full sync of all its chains on
 * every change (cloudnativelabs/kube-router #1039), one set rule per policy. nftables: one
 * transaction with the changed policy's rules and the selected pods' references to it. ebpf
 * (Cilium): the changed policy's entries in the policy map of each endpoint it selects.
 */
export function syncRules(shape: PolicyShape, fixedRules: number): number {
  const podChains = shape.podsPerNode * (fixedRules + shape.matching);
  switch (shape.enforcement) {
    case 'iptables':
      return SIDES * (shape.policies * shape.rulesPerPolicy + podChains);
    case 'ipset':
      return SIDES * (shape.policies + podChains);
    case 'nftables':
      return SIDES * (shape.rulesPerPolicy + selectedPerPolicy(shape));
    case 'ebpf':
      return SIDES * shape.rulesPerPolicy * selectedPerPolicy(shape);
  }
}

/** What changed: a NetworkPolicy (created, updated, deleted), or a pod its selectors match. */
export type ChangeKind = 'policy' | 'pod';

/**
 * Seconds one node's policy agent takes to apply one change. A pod change is a policy change for
 * kube-router (its sync is always full); Calico adds or removes the pod's address in the ipsets of
 * the selectors matching it; nftables updates its set elements; Cilium its ipcache and the policy
 * map entries of the policies selecting the pod.
 */
export function syncSeconds(shape: PolicyShape, profile: PolicyProfile, kind: ChangeKind = 'policy'): number {
  if (kind === 'pod') {
    switch (shape.enforcement) {
      case 'iptables':
        return profile.iptables.podSync.fixed;
      case 'nftables':
        return profile.nftables.sync.fixed + profile.nftables.sync.perRule * SIDES * shape.matching;
      case 'ebpf':
        return profile.ebpf.sync.fixed + profile.ebpf.sync.perEntry * SIDES * shape.matching;
      default:
        break;
    }
  }
  switch (shape.enforcement) {
    case 'iptables':
      return profile.iptables.sync.fixed + profile.iptables.sync.perRule * syncRules(shape, profile.iptables.dispatch.fixedRules);
    case 'ipset':
      return profile.ipset.sync.fixed + profile.ipset.sync.perRule * syncRules(shape, profile.ipset.dispatch.fixedRules);
    case 'nftables':
      return profile.nftables.sync.fixed + profile.nftables.sync.perRule * syncRules(shape, 0);
    case 'ebpf':
      return profile.ebpf.sync.fixed + profile.ebpf.sync.perEntry * syncRules(shape, 0);
  }
}
