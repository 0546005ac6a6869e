// kube-proxy in nftables mode: a first packet is dispatched by verdict-map lookups (the
// service-ips map, then `numgen random mod N vmap` over the endpoint chains), O(1) in services.
// A sync sends one nft transaction: every object (full) or the changed services' objects
// (partial); both first list the table's chains to find stale ones, which is O(chains).
// Leaves out NodePort/LoadBalancer maps and the no-endpoints reject set.

import { z } from 'zod';
import { duration } from '../units.js';
import { checkRuleSetSize, type ProxyMode, type RuleSetSize, type SyncKind } from './proxy-mode.js';

export const nftablesConstants = z.object({
  dispatch: duration(),
  establishedPacket: duration(),
  sync: z.object({
    fixed: duration(),
    /** Seconds per chain in the `nft list chains` kube-proxy runs on every sync. */
    perChainListed: duration(),
    /** Seconds per object (chain, rule, set or map element) in the nft transaction. */
    perObject: duration(),
    /** cluster-ips element, service-ips element, service chain, its masquerade and vmap rules. */
    objectsPerService: z.number().min(0),
    /** Endpoint chain, its masquerade and DNAT rules. */
    objectsPerEndpoint: z.number().min(0),
  }),
});
export type NftablesConstants = z.output<typeof nftablesConstants>;

export class NftablesMode implements ProxyMode {
  readonly name = 'nftables';
  readonly endpointPolicy = 'random';
  readonly usesNetfilterConntrack = true;
  readonly translatesAtConnect = false;
  readonly establishedPacketCost: number;
  readonly crossNodePacketCost = 0;
  /** The arriving packet's NAT lookups are set or map matches, O(1): within the costs already charged. */
  arrivalCost(): number {
    return 0;
  }

  constructor(private readonly constants: NftablesConstants) {
    this.establishedPacketCost = constants.establishedPacket;
  }

  dispatchCost(): number {
    return this.constants.dispatch;
  }

  /** Objects written for `size` services and endpoints. */
  objects(size: RuleSetSize): number {
    const { objectsPerService, objectsPerEndpoint } = this.constants.sync;
    return objectsPerService * size.services + objectsPerEndpoint * size.endpoints;
  }

  /** The nft transaction: fork/exec and the objects written (everything on a full sync). */
  restoreSeconds(kind: SyncKind, cluster: RuleSetSize, changed: RuleSetSize): number {
    checkRuleSetSize('cluster', cluster);
    checkRuleSetSize('changed', changed);
    const { fixed, perObject } = this.constants.sync;
    return fixed + perObject * (kind === 'full' ? this.objects(cluster) : this.objects(changed));
  }

  /** The transaction plus the `nft list chains` every sync runs first. */
  syncDuration(kind: SyncKind, cluster: RuleSetSize, changed: RuleSetSize): number {
    const chainsListed = cluster.services + cluster.endpoints;
    return this.restoreSeconds(kind, cluster, changed) + this.constants.sync.perChainListed * chainsListed;
  }
}
