// kube-proxy in iptables mode: a first packet walks KUBE-SERVICES rule by rule until its
// service's rule matches, then the service's KUBE-SVC chain (one `statistic --mode random` rule
// per endpoint) and the endpoint's KUBE-SEP chain (masquerade mark, DNAT). A sync restores the
// NAT table with iptables-restore: all of it (full), or KUBE-SERVICES plus the changed services'
// chains (partial, MinimizeIPTablesRestore, KEP-3453). Releases before 1.21 put each Service's
// masquerade rule in KUBE-SERVICES beside its jump (kubernetes/kubernetes PR #96959), so a packet
// walks two rules per Service ahead of its own. Leaves out the filter table's rules,
// KUBE-EXT/KUBE-FW chains (LoadBalancer, externalIPs) and session affinity.

import { z } from 'zod';
import { lognormal, type Distribution } from '../../engine/distributions.js';
import type { RandomStream } from '../../engine/random.js';
import { duration } from '../units.js';
import { checkRuleSetSize, type ProxyMode, type RuleSetSize, type SyncKind } from './proxy-mode.js';

export const iptablesConstants = z.object({
  dispatch: z.object({
    /** Seconds per first packet besides the rules walked: conntrack entry, DNAT set-up. */
    fixed: duration(),
    /** Rules walked outside KUBE-SERVICES and the endpoint list: PREROUTING jump, KUBE-SVC masquerade rule, KUBE-SEP's two, POSTROUTING's two. */
    fixedRules: z.number().int().min(0),
    /** Median seconds per rule traversed. */
    perRule: duration(),
    /** σ of the lognormal factor on the per-rule cost, drawn per packet (cache state). */
    perRuleSpreadSigma: z.number().min(0),
  }),
  establishedPacket: duration(),
  /** A new connection arriving from another node, already DNATed to a pod IP. */
  arrival: z.object({
    /** Rules it walks besides KUBE-SERVICES' per-Service rules (the jumps into and out of the chains). */
    fixedRules: z.number().int().min(0),
  }),
  sync: z.object({
    natRulesPerService: z.number().min(0),
    natRulesPerEndpoint: z.number().min(0),
    fixed: duration(),
    /** iptables-restore seconds per NAT rule written. */
    restorePerRule: duration(),
    /** Rule generation in kube-proxy, for every rule on every sync (partial syncs compute and discard the unchanged ones). */
    generatePerRule: duration(),
    /** The rest of a full SyncProxyRules per rule: iptables-save for stale-chain cleanup and the like. */
    fullSyncExtraPerRule: duration(),
  }),
});
export type IptablesConstants = z.output<typeof iptablesConstants>;

export class IptablesMode implements ProxyMode {
  readonly name = 'iptables';
  readonly endpointPolicy = 'random';
  readonly usesNetfilterConntrack = true;
  readonly translatesAtConnect = false;
  readonly establishedPacketCost: number;
  readonly crossNodePacketCost = 0;
  /** Mean of the per-packet lognormal factor on the per-rule cost, exp(σ²/2): the arrival walk is charged at its mean (it draws nothing, so no stream shifts). */
  private readonly meanSpread: number;
  private readonly spread: Distribution | null;

  /**
   * @param servicesChainRulesPerService rules per Service in KUBE-SERVICES (and KUBE-NODEPORTS):
   *   1 from kube-proxy 1.21, 2 before (the masquerade rule sat beside the jump; KUBE-SVC had none).
   */
  constructor(
    private readonly constants: IptablesConstants,
    private readonly servicesChainRulesPerService: 1 | 2 = 1,
  ) {
    this.establishedPacketCost = constants.establishedPacket;
    const sigma = constants.dispatch.perRuleSpreadSigma;
    this.spread = sigma > 0 ? lognormal(0, sigma) : null;
    this.meanSpread = Math.exp((sigma * sigma) / 2);
  }

  /**
   * Rules a new connection walks on the node it arrives at from another node: its destination is
   * already a pod IP, so no KUBE-SERVICES rule matches and it walks all of them, then the chain's
   * last rule (the addrtype LOCAL jump to KUBE-NODEPORTS, no match), plus the jumps into
   * KUBE-SERVICES and KUBE-POSTROUTING and the latter's mark check.
   */
  arrivalRules(serviceCount: number): number {
    return this.servicesChainRulesPerService * serviceCount + this.constants.arrival.fixedRules;
  }

  arrivalCost(serviceCount: number): number {
    return this.constants.dispatch.perRule * this.meanSpread * this.arrivalRules(serviceCount);
  }

  /** Rules a first packet traverses: its service's position, the endpoint rules before its endpoint, the fixed chain rules. */
  rulesWalked(servicePosition: number, serviceCount: number, endpointIndex: number, nodePort: boolean): number {
    // KUBE-SERVICES ends with the jump to KUBE-NODEPORTS, so a NodePort walks the whole chain first.
    // With two rules per Service, the own Service's masquerade rule is walked here rather than in
    // KUBE-SVC (one of fixedRules): the total grows by one rule per Service passed over.
    const k = this.servicesChainRulesPerService;
    const servicesChain = nodePort ? k * serviceCount + 1 : 0;
    return servicesChain + k * servicePosition + 1 + endpointIndex + 1 + this.constants.dispatch.fixedRules;
  }

  dispatchCost(servicePosition: number, serviceCount: number, endpointIndex: number, nodePort: boolean, rng: RandomStream): number {
    const { fixed, perRule } = this.constants.dispatch;
    const factor = this.spread === null ? 1 : this.spread.sample(rng);
    return fixed + perRule * factor * this.rulesWalked(servicePosition, serviceCount, endpointIndex, nodePort);
  }

  /** NAT rules kube-proxy owns for a cluster of this size (the restore input of a full sync). */
  natRules(cluster: RuleSetSize): number {
    const { natRulesPerService, natRulesPerEndpoint } = this.constants.sync;
    return natRulesPerService * cluster.services + natRulesPerEndpoint * cluster.endpoints;
  }

  /** Rules a partial sync writes: all of KUBE-SERVICES, and the changed services' chains whole. */
  partialRules(cluster: RuleSetSize, changed: RuleSetSize): number {
    const { natRulesPerService, natRulesPerEndpoint } = this.constants.sync;
    const servicesChain = cluster.services + 1;
    const changedServices = Math.min(changed.services, cluster.services);
    const endpointsPerService = cluster.services > 0 ? cluster.endpoints / cluster.services : 0;
    const perChangedService = natRulesPerService - 1 + natRulesPerEndpoint * endpointsPerService;
    return servicesChain + changedServices * perChangedService;
  }

  /** iptables-restore alone, for `rules` NAT rules. */
  restoreDuration(rules: number): number {
    return this.constants.sync.fixed + this.constants.sync.restorePerRule * rules;
  }

  /** iptables-restore of what this sync writes: the whole NAT table (full) or KUBE-SERVICES and the changed chains (partial). */
  restoreSeconds(kind: SyncKind, cluster: RuleSetSize, changed: RuleSetSize): number {
    checkRuleSetSize('cluster', cluster);
    checkRuleSetSize('changed', changed);
    return this.restoreDuration(kind === 'full' ? this.natRules(cluster) : this.partialRules(cluster, changed));
  }

  syncDuration(kind: SyncKind, cluster: RuleSetSize, changed: RuleSetSize): number {
    checkRuleSetSize('cluster', cluster);
    checkRuleSetSize('changed', changed);
    const { generatePerRule, fullSyncExtraPerRule } = this.constants.sync;
    const all = this.natRules(cluster);
    const generate = generatePerRule * all;
    const restore = this.restoreSeconds(kind, cluster, changed);
    return kind === 'full' ? restore + generate + fullSyncExtraPerRule * all : restore + generate;
  }
}
