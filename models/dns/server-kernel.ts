// The kernel work a query costs on the node of the CoreDNS replica that answers it: its two
// packets (the query in, the reply out) through the CNI's data path, the service proxy's per-packet
// work on an established flow (conntrack lookup, and the reply's reverse NAT where the proxy
// NATs), an encapsulating CNI's outer headers on a packet between nodes, and, for the first packet
// of a new flow from another node, the proxy's walk of its rules there (iptables: all of
// KUBE-SERVICES, since the packet already carries the pod IP; proxy-mode.ts arrivalCost).
//
// It is softirq and syscall work of the kernel, not of CoreDNS: it draws nothing from the
// replica's CFS quota (softirq time is not charged to the cgroup), but it holds the core the query
// is served on, before and after the application's work (runtime.ts adds it to the job outside
// the quota, fifo-cpu.ts). docs/architecture.md, "Cluster DNS", states the assumption.
// Leaves out: the conntrack insert itself (inside the packet's path cost), RSS/RPS spreading the
// softirq onto cores the replica does not use (the model's throughput is then a lower bound), and
// NodeLocal's TCP connections' set-up (one per 128 queries).

import type { DataPath, ProxyDataPlane } from '../parts.js';

/** A query is one request packet in and one reply packet out on the server's node. */
const PACKETS_PER_QUERY = 2;

/** Kernel CPU seconds per query on the server's node, by where the query comes from. */
export interface ServerKernelCost {
  /** Per query from the replica's own node. */
  readonly sameNode: number;
  /** Per query from another node. */
  readonly crossNode: number;
  /** Once per new flow from another node (the first packet's walk of the proxy's rules). */
  readonly newFlowCrossNode: number;
}

/**
 * The costs for a cluster of `services` Services. The overlay's per-packet work counts once:
 * eBPF's tunnel encapsulation (proxy.crossNodePacketCost) and an encapsulating CNI's
 * (path.tunnelPacketCpuSeconds) describe the same driver's work, so the larger is taken.
 */
export function serverKernelCost(path: Pick<DataPath, 'cpuPerPacketSeconds' | 'tunnelPacketCpuSeconds'>, proxy: Pick<ProxyDataPlane, 'establishedPacketCost' | 'crossNodePacketCost' | 'arrivalCost'>, services: number): ServerKernelCost {
  const packet = path.cpuPerPacketSeconds + proxy.establishedPacketCost;
  const tunnel = Math.max(path.tunnelPacketCpuSeconds, proxy.crossNodePacketCost);
  return {
    sameNode: PACKETS_PER_QUERY * packet,
    crossNode: PACKETS_PER_QUERY * (packet + tunnel),
    newFlowCrossNode: proxy.arrivalCost(services),
  };
}

/** Kernel CPU seconds on the server's node for `queries` queries of one flow's round trip. */
export function serverKernelSeconds(cost: ServerKernelCost, queries: number, crossNode: boolean, newFlow: boolean): number {
  if (!crossNode) return queries * cost.sameNode;
  return queries * cost.crossNode + (newFlow ? cost.newFlowCrossNode : 0);
}
