// Cilium's kube-proxy replacement: socket LB translates the service address once, at connect(),
// by a BPF map lookup, so later packets carry the endpoint's address (no NAT per packet) and
// pod-to-service traffic makes no netfilter conntrack entry; its BPF CT map takes the flows.
// The agent applies service changes as BPF map updates. Leaves out Maglev, XDP NodePort
// acceleration, and the BPF CT map itself (its own model: fixed size, own timeouts).

import { z } from 'zod';
import { duration } from '../units.js';
import { checkRuleSetSize, type ProxyMode, type RuleSetSize, type SyncKind } from './proxy-mode.js';

export const ebpfConstants = z.object({
  /** At connect(): service map lookup, backend choice, socket address rewrite. */
  dispatch: duration(),
  /** BPF CT lookup per packet; no NAT rewrite. */
  establishedPacket: duration(),
  sync: z.object({
    fixed: duration(),
    /** Seconds per BPF map update (bpf() syscall plus the agent's work for it). */
    perUpdate: duration(),
    /** A service: its entry in the services map (slot 0). */
    updatesPerService: z.number().min(0),
    /** An endpoint: its backends-map entry and its slot in the service's entries. */
    updatesPerEndpoint: z.number().min(0),
  }),
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
    checkRuleSetSize('changed', changed);
    const { fixed, perUpdate, updatesPerService, updatesPerEndpoint } = this.constants.sync;
    return fixed + perUpdate * (updatesPerService * changed.services + updatesPerEndpoint * changed.endpoints);
  }
}
