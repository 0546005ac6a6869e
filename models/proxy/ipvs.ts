// kube-proxy in IPVS mode: an ipset match sends a service's first packet to IPVS, which looks the
// virtual service up in a hash table, picks a real server with its scheduler (rr by default) and
// keeps its own connection entry beside conntrack's. A sync reconciles desired and kernel state
// and sends netlink messages for the differences only. Leaves out the IPVS connection table's
// timeouts, other schedulers, and the per-sync listing of all virtual servers (O(services), unpublished).

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
  sync: incrementalSyncConstants,
});
export type IpvsConstants = z.output<typeof ipvsConstants>;

export class IpvsMode implements ProxyMode {
  readonly name = 'ipvs';
  readonly endpointPolicy = 'round-robin';
  readonly usesNetfilterConntrack = true;
  readonly translatesAtConnect = false;
  readonly establishedPacketCost: number;
  readonly crossNodePacketCost = 0;

  constructor(private readonly constants: IpvsConstants) {
    this.establishedPacketCost = constants.establishedPacket;
  }

  dispatchCost(): number {
    return this.constants.dispatch;
  }

  /**
   * Proportional to the changes whatever the kind: IPVS mode has no rule file to rewrite. On the
   * first sync everything is a change (the sync loop passes the whole cluster as changed).
   */
  syncDuration(_kind: SyncKind, _cluster: RuleSetSize, changed: RuleSetSize): number {
    return incrementalSyncDuration(this.constants.sync, changed);
  }

  /** Every update is the restore step: the sync is nothing but them. */
  restoreSeconds(kind: SyncKind, cluster: RuleSetSize, changed: RuleSetSize): number {
    return this.syncDuration(kind, cluster, changed);
  }
}
