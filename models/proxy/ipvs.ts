// kube-proxy in IPVS mode: an ipset match sends a service's first packet to IPVS, which looks the
// virtual service up in a hash table, picks a real server with its scheduler (rr by default) and
// keeps its own connection entry beside conntrack's. A sync reconciles desired and kernel state
// and sends netlink messages for the differences only; but to find them it walks every Service on
// every sync, asking the kernel for the Service's virtual server and its real servers (netlink
// requests: O(services) per sync whatever changed). Leaves out the IPVS connection table's
// timeouts, other schedulers, ipset restores and the node-address listing (once per sync since
// kubernetes/kubernetes #84906).

import { z } from 'zod';
import { duration } from '../units.js';
import { incrementalSyncConstants, incrementalSyncDuration, type ProxyMode, type RuleSetSize, type SyncKind } from './proxy-mode.js';

export const ipvsConstants = z.object({
  dispatch: duration(),
  establishedPacket: duration(),
  /**
   * Updates are netlink messages: a service needs its virtual server, KUBE-CLUSTER-IP ipset entry
   * and kube-ipvs0 address; an endpoint, one real server (see incrementalSyncConstants).
   */
  sync: incrementalSyncConstants.extend({
    /** Netlink requests per Service on every sync to read its kernel state, each costing perUpdate. */
    listedRequestsPerService: z.number().min(0),
  }),
});
export type IpvsConstants = z.output<typeof ipvsConstants>;

export class IpvsMode implements ProxyMode {
  readonly name = 'ipvs';
  readonly endpointPolicy = 'round-robin';
  readonly usesNetfilterConntrack = true;
  readonly translatesAtConnect = false;
  readonly establishedPacketCost: number;
  readonly crossNodePacketCost = 0;
  /** The arriving packet's NAT lookups are set or map matches, O(1): within the costs already charged. */
  arrivalCost(): number {
    return 0;
  }

  constructor(private readonly constants: IpvsConstants) {
    this.establishedPacketCost = constants.establishedPacket;
  }

  dispatchCost(): number {
    return this.constants.dispatch;
  }

  /**
   * The walk of every Service's kernel state, then the updates for the changes, whatever the kind:
   * IPVS mode has no rule file to rewrite. On the first sync everything is a change (the sync loop
   * passes the whole cluster as changed).
   */
  syncDuration(kind: SyncKind, cluster: RuleSetSize, changed: RuleSetSize): number {
    const { perUpdate, listedRequestsPerService } = this.constants.sync;
    return this.restoreSeconds(kind, cluster, changed) + perUpdate * listedRequestsPerService * cluster.services;
  }

  /** The restore step is the updates (netlink messages for the changes). */
  restoreSeconds(_kind: SyncKind, _cluster: RuleSetSize, changed: RuleSetSize): number {
    return incrementalSyncDuration(this.constants.sync, changed);
  }
}
