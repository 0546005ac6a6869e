// What the request path needs from each mechanism, as small structural interfaces. The
// implementations live in conntrack/, proxy/, cni.ts and mesh.ts; wiring.ts builds them from
// the settings and profiles.

import type { Distribution } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import type { Histogram } from '../engine/stats/index.js';
import type { FlowTable } from './conntrack/flow-table.js';
import type { NodeKind } from './cluster.js';

/** A node's connection-tracking table (netfilter conntrack or Cilium's BPF CT map): conntrack/. */
export type FlowTableLike = FlowTable;

/** The service proxy's data plane on a node. */
export interface ProxyDataPlane {
  /** CPU seconds to dispatch a connection's first packet (softirq on the client's node). */
  dispatchCost(servicePosition: number, serviceCount: number, endpointIndex: number, nodePort: boolean, rng: RandomStream): number;
  /** CPU seconds per packet of an established connection (conntrack lookup, NAT). */
  readonly establishedPacketCost: number;
  /** False for eBPF socket LB: pod-to-service flows make no netfilter conntrack entry. */
  readonly usesNetfilterConntrack: boolean;
  readonly endpointPolicy: 'random' | 'round-robin';
}

/** The service proxy's control plane on a node (kube-proxy's sync loop). */
export interface ProxyControlPlane {
  /** Endpoint changes made at or before this time are in the node's rules. */
  readonly programmedAsOf: number;
  notifyChange(changeTime: number, service: number): void;
  readonly syncDurations: Histogram;
  readonly fullSyncDurations: Histogram;
  readonly partialSyncDurations: Histogram;
  /** Seconds of each sync in its restore step (iptables-restore, nft, netlink or BPF updates). */
  readonly restoreDurations: Histogram;
  readonly programmingLatency: Histogram;
  /** CPU seconds spent syncing since the last reset. */
  readonly cpuSeconds: number;
  resetStatistics(): void;
}

/** The CNI data path between two pods. */
export interface DataPath {
  oneWayLatency(kind: NodeKind): Distribution;
  transferSeconds(bytes: number, kind: NodeKind, rng: RandomStream): number;
  packetsFor(bytes: number): number;
  readonly cpuPerPacketSeconds: number;
  /** TCP payload per full segment: a message of at most this many bytes is one segment. */
  readonly mssBytes: number;
  /** One TCP stream's payload rate, bits/s. */
  readonly singleStreamBps: number;
  /** All streams leaving one node together, payload bits/s (its NIC's goodput or CPU bound). */
  readonly nodeBps: number;
}

/** A service mesh's sidecars on one hop. */
export interface MeshHop {
  /** Latency the two sidecars of one hop add, together. */
  addedLatency(): Distribution;
  /** CPU seconds per request in each sidecar. */
  readonly cpuPerRequestSeconds: number;
}
