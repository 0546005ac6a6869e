// The service proxy of one node, as one interface over its four implementations: how much a
// connection's first packet costs to dispatch (data plane) and how long a rule sync takes
// (control plane). Leaves out the sync loop's timing (sync-loop.ts), conntrack (its own model)
// and session affinity, LoadBalancer/externalIP traffic and topology-aware routing.

import { z } from 'zod';
import type { RandomStream } from '../../engine/random.js';
import { duration } from '../units.js';

export type ProxyModeName = 'iptables' | 'ipvs' | 'nftables' | 'ebpf';

/** How the proxy picks an endpoint: kube-proxy iptables `statistic --mode random`, nftables `numgen random`, Cilium random; IPVS `rr`. */
export type EndpointPolicy = 'random' | 'round-robin';

export type SyncKind = 'full' | 'partial';

/** Services (service ports) and endpoints: of the cluster, or changed since the last sync. */
export interface RuleSetSize {
  services: number;
  endpoints: number;
}

/**
 * One proxy mode. Costs are CPU seconds on the node (softirq for netfilter and IPVS, the
 * connect() syscall for eBPF socket LB); the dispatch cost is also latency of the first packet.
 * Constants come from models/profiles/proxy.yaml (sources and fits there).
 *
 * | mode     | first packet (dispatch)                      | full sync                                   | partial sync                                        |
 * |----------|----------------------------------------------|---------------------------------------------|-----------------------------------------------------|
 * | iptables | O(services): 0.5 µs + 14.8 ns × L × rules    | 5 ms + 33.6 µs × all NAT rules              | 5 ms + 18.2 µs × (KUBE-SERVICES + changed chains)   |
 * |          | walked; L lognormal σ 0.395; rules = position |   (2 per service + 2.70 per endpoint)       |   + 1 µs × all NAT rules (generated every sync)     |
 * |          | + endpoint index + 8 (+ whole chain: NodePort)|                                             |                                                     |
 * | ipvs     | O(1): 0.6 µs (ipset, IPVS lookup, rr)         | as partial; the first sync adds everything  | 5 ms + 20 µs × netlink updates (3/service, 1/endpoint) |
 * |          |                                              |                                             |   + 20 µs × 3 reads × all services (the walk)         |
 * | nftables | O(1): 0.5 µs (verdict maps)                   | 5 ms + 4.5 µs × chains + 18.4 µs × objects  | 5 ms + 4.5 µs × chains + 18.4 µs × changed objects  |
 * | ebpf     | ~O(1): 0.15 µs + 3 map lookups at connect()   | as partial; the first sync adds everything  | 1 ms + 5 µs × BPF map updates (1/service, 2/endpoint) |
 * |          | (socket LB), 50 ns each, + 2 × 90 ns × miss share once the LB maps' lines outgrow a 32 MiB cache | |
 *
 * (chains = service + endpoint chains listed every sync; objects = 5 per service, 3 per endpoint.)
 * Established packets: iptables and nftables 149 ns (conntrack lookup + NAT), IPVS 241 ns
 * (IPVS connection table + conntrack), eBPF 50 ns (BPF CT lookup, no NAT per packet), plus 0.2 µs
 * per cross-node packet in tunnel routing (BPF VXLAN/Geneve encapsulation).
 * Memory is not modelled here.
 */
export interface ProxyMode {
  readonly name: ProxyModeName;
  readonly endpointPolicy: EndpointPolicy;
  /** False for eBPF socket LB: pod-to-service traffic creates no netfilter conntrack entry (it uses the BPF CT map). */
  readonly usesNetfilterConntrack: boolean;
  /** True when the service address is translated once at connect() rather than per packet (eBPF socket LB). */
  readonly translatesAtConnect: boolean;
  /** CPU seconds per later packet of an established connection (conntrack lookup, NAT rewrite where there is NAT). */
  readonly establishedPacketCost: number;
  /** CPU seconds the mode adds to each packet between nodes (BPF tunnel encapsulation; 0 but for eBPF in tunnel routing). */
  readonly crossNodePacketCost: number;
  /**
   * CPU seconds a new connection's first packet spends in the proxy's NAT rules on the node it
   * arrives at from another node, already translated (its destination a pod IP): conntrack sees a
   * new flow there too, so iptables walks all of KUBE-SERVICES without a match. O(1) in the other
   * modes (a set or map lookup, or nothing for eBPF's socket LB), which charge nothing for it.
   */
  arrivalCost(serviceCount: number): number;

  /**
   * CPU seconds to dispatch a connection's first packet.
   * @param servicePosition 0-based position of the service's rule in KUBE-SERVICES (for a NodePort,
   *   in KUBE-NODEPORTS); the caller draws it uniform over the chain. Only iptables reads it.
   * @param serviceCount services (service ports) on the node's chain
   * @param endpointIndex 0-based index of the chosen endpoint in the service's endpoint list
   * @param nodePort true for traffic to a NodePort: in iptables it walks the whole KUBE-SERVICES first
   * @param rng draws the cost's spread where the mode has one (iptables); O(1) modes draw nothing
   */
  dispatchCost(servicePosition: number, serviceCount: number, endpointIndex: number, nodePort: boolean, rng: RandomStream): number;

  /**
   * Wall-clock seconds of one rule sync (kubeproxy_sync_proxy_rules_duration_seconds on an idle
   * node), which is also the CPU it holds: one core. `changed.services` are the services touched
   * since the last sync, `changed.endpoints` the endpoints added or removed.
   */
  syncDuration(kind: SyncKind, cluster: RuleSetSize, changed: RuleSetSize): number;

  /**
   * The part of syncDuration spent applying the rules through the kernel's interface:
   * iptables-restore (iptables), the `nft -f` transaction (nftables; its chain listing is
   * not part of it), the netlink or BPF map updates (IPVS, eBPF: the whole sync). kube-proxy
   * exports no metric for it; issues quote it from timing the tool.
   */
  restoreSeconds(kind: SyncKind, cluster: RuleSetSize, changed: RuleSetSize): number;
}

/** Picks endpoints for one node's proxy; round-robin keeps a cursor per service. */
export interface EndpointPicker {
  /** 0-based endpoint index among `endpointCount` (≥ 1) endpoints of service `service`. */
  pick(service: number, endpointCount: number, rng: RandomStream): number;
}

/** A picker following `policy`; `random` draws one uniform, `round-robin` draws none. */
export function endpointPicker(policy: EndpointPolicy): EndpointPicker {
  if (policy === 'random') {
    return { pick: (_service, endpointCount, rng) => Math.floor(rng.next() * endpointCount) };
  }
  // IPVS rr keeps its position per virtual service; the kernel's starts at the first real server.
  const cursors = new Map<number, number>();
  return {
    pick(service, endpointCount) {
      const next = cursors.get(service) ?? 0;
      cursors.set(service, next + 1);
      return next % endpointCount;
    },
  };
}

export function checkRuleSetSize(what: string, size: RuleSetSize): void {
  if (!(size.services >= 0 && size.endpoints >= 0 && Number.isFinite(size.services) && Number.isFinite(size.endpoints))) {
    throw new RangeError(`${what} must have finite services and endpoints ≥ 0, got ${JSON.stringify(size)}`);
  }
}

/**
 * The sync constants of a mode that writes only what changed (IPVS netlink messages, eBPF map
 * updates): a fixed cost and a cost per update, with the updates each changed service and
 * endpoint needs. Each mode documents what an update is for it.
 */
export const incrementalSyncConstants = z.object({
  fixed: duration(),
  perUpdate: duration(),
  updatesPerService: z.number().min(0),
  updatesPerEndpoint: z.number().min(0),
});
export type IncrementalSyncConstants = z.output<typeof incrementalSyncConstants>;

/** Sync duration of an incremental mode: proportional to the changes, whatever the sync's kind. */
export function incrementalSyncDuration(sync: IncrementalSyncConstants, changed: RuleSetSize): number {
  checkRuleSetSize('changed', changed);
  return sync.fixed + sync.perUpdate * (sync.updatesPerService * changed.services + sync.updatesPerEndpoint * changed.endpoints);
}
