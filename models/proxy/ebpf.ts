// Cilium's kube-proxy replacement: socket LB translates the service address once, at connect(),
// by a BPF map lookup, so later packets carry the endpoint's address (no NAT per packet) and
// pod-to-service traffic makes no netfilter conntrack entry; its BPF CT map takes the flows.
// The agent applies service changes as BPF map updates. Leaves out Maglev, XDP NodePort
// acceleration, and the BPF CT map itself (its own model: fixed size, own timeouts).

import { z } from 'zod';
import { duration } from '../units.js';
import { incrementalSyncConstants, incrementalSyncDuration, type ProxyMode, type RuleSetSize, type SyncKind } from './proxy-mode.js';

export const ebpfConstants = z.object({
  /** At connect(): service map lookup, backend choice, socket address rewrite. */
  dispatch: duration(),
  /** BPF CT lookup per packet; no NAT rewrite. */
  establishedPacket: duration(),
  /**
   * Updates are BPF map updates (bpf() syscall plus the agent's work): a service, its services-map
   * entry; an endpoint, its backends-map entry and slot (see incrementalSyncConstants).
   */
  sync: incrementalSyncConstants,
});
export type EbpfConstants = z.output<typeof ebpfConstants>;

export class EbpfMode implements ProxyMode {
  readonly name = 'ebpf';
  readonly endpointPolicy = 'random';
  readonly usesNetfilterConntrack = false;
  readonly translatesAtConnect = true;
  readonly establishedPacketCost: number;

  constructor(private readonly constants: EbpfConstants) {
    this.establishedPacketCost = constants.establishedPacket;
  }

  dispatchCost(): number {
    return this.constants.dispatch;
  }

  /** Proportional to the changes whatever the kind; on the first sync everything is a change. */
  syncDuration(_kind: SyncKind, _cluster: RuleSetSize, changed: RuleSetSize): number {
    return incrementalSyncDuration(this.constants.sync, changed);
  }

  /** Every update is the restore step: the sync is nothing but them. */
  restoreSeconds(kind: SyncKind, cluster: RuleSetSize, changed: RuleSetSize): number {
    return this.syncDuration(kind, cluster, changed);
  }
}
