// The request path's types: the request, the node it runs on, the workload that sends it, and
// what the path needs from each mechanism, as small structural interfaces. The mechanisms live
// in conntrack/, proxy/, cni.ts and mesh.ts; wiring.ts builds them from the settings and
// profiles; network.ts moves requests through them (docs/architecture.md, "The request's path").

import type { Distribution } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import type { Server } from '../engine/server.js';
import { Counter, type Histogram } from '../engine/stats/index.js';
import type { Endpoint, NodeKind } from './cluster.js';
import type { FlowTable } from './conntrack/flow-table.js';
import type { NameForm } from './dns/names.js';
import type { SharedLink } from './nic.js';
import type { PortConfig } from './ports.js';

/** A node's connection-tracking table (netfilter conntrack or Cilium's BPF CT map): conntrack/. */
type FlowTableLike = FlowTable;

/** The service proxy's data plane on a node. */
export interface ProxyDataPlane {
  /** CPU seconds to dispatch a connection's first packet (softirq on the client's node). */
  dispatchCost(servicePosition: number, serviceCount: number, endpointIndex: number, nodePort: boolean, rng: RandomStream): number;
  /** CPU seconds per packet of an established connection (conntrack lookup, NAT). */
  readonly establishedPacketCost: number;
  /** CPU seconds the proxy adds to each packet between nodes (eBPF tunnel encapsulation). */
  readonly crossNodePacketCost: number;
  /** CPU seconds a new connection's first packet spends in the NAT rules of the node it arrives at from another node (iptables: all of KUBE-SERVICES). */
  arrivalCost(serviceCount: number): number;
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
  /** CFS periods in which kube-proxy's CPU limit throttled it, and the seconds its syncs were paused (0 without a limit). */
  readonly throttling: { periods: number; seconds: number };
  resetStatistics(): void;
}

/** The CNI data path between two pods. */
export interface DataPath {
  oneWayLatency(kind: NodeKind): Distribution;
  transferSeconds(bytes: number, kind: NodeKind, rng: RandomStream): number;
  packetsFor(bytes: number): number;
  readonly cpuPerPacketSeconds: number;
  /** CPU seconds an encapsulating CNI adds to each cross-node packet on each node (0 without encapsulation). */
  readonly tunnelPacketCpuSeconds: number;
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

export const OUTCOMES = ['ok', 'refused', 'timeout', 'deadline_exceeded', 'dns_failed', 'port_exhausted'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** NetworkPolicy enforcement on a new connection's first packet (policy/): CPU seconds on each side's path. */
export interface PolicyHook {
  /** The client's node: its egress evaluation (and the ingress one when the server is on the same node); marks a denied pair. */
  egress(request: Request, node: DetailedNode): number;
  /** The server's node, for a connection from another node: its ingress evaluation. */
  ingress(request: Request, node: DetailedNode): number;
}

/** TCP constants of the client's kernel, from the kernel profile. */
export interface TcpConstants {
  initialRtoSeconds: number;
  synRetries: number;
  /** Kernel CPU per new connection on each node it touches (socket, connect/accept, teardown). */
  connectionSetupSeconds: number;
}

export interface DetailedNode {
  readonly index: number;
  /** When the node's statistics began (a server-only node is created at its first request). */
  readonly createdAt: number;
  readonly cpu: Server;
  /** The table pod flows are tracked in: netfilter conntrack, or the BPF CT map under eBPF. */
  readonly flows: FlowTableLike;
  /** netfilter conntrack, also under eBPF (where pod-to-service flows bypass it). */
  readonly netfilter: FlowTableLike;
  readonly proxy: ProxyControlPlane;
  /** The node's NIC, shared by the multi-segment messages leaving it for other nodes (nic.ts). */
  readonly nic: SharedLink;
  /** IPVS round-robin position per Service on this node. */
  readonly roundRobin: Uint32Array;
  dispatchCpuSeconds: number;
  packetCpuSeconds: number;
}

/** What a workload does, resolved from its settings. */
export interface WorkloadModel {
  readonly name: string;
  readonly index: number;
  /** Picks the Service a request calls. */
  pickService(rng: RandomStream): number;
  readonly keepAlive: { maxRequests: number; idleSeconds: number } | null;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly clientCpuSeconds: number;
  readonly serverCpuSeconds: number;
  readonly workers: number;
  readonly serviceTime: Distribution;
  /** The serving pods' CPU limit in cores (a CFS quota, server-cpu-limit.ts); null: none. */
  readonly serverCpuLimit: number | null;
  /** Whether the service time is the pod's own CPU (under its limit) rather than waiting. */
  readonly serviceTimeIsCpu: boolean;
  readonly deadlineSeconds: number;
  /** Closed loop: the request's end starts the client's next one. */
  readonly closedLoop: boolean;
  /** The name the client resolves before a new connection; null: it connects by ClusterIP. */
  readonly dnsName: NameForm | null;
  /** External names: picks which of the population a request resolves. */
  pickExternal(rng: RandomStream): number;
  /** Client-side DNS cache (TTL-respecting resolver library), or none (glibc). */
  readonly clientCacheTtlSeconds: number;
  /**
   * Headless target Services: the oldest a DNS answer's endpoint list can be when it reaches the
   * client (CoreDNS's cache of the kubernetes plugin's answer); null for ClusterIP Services.
   */
  readonly headless: { answerMaxAgeSeconds: number } | null;
  /** ExternalName target Services: the external host the client connects to (egress.ts); null otherwise. */
  readonly externalName: string | null;
  /** The client pods' ephemeral ports: range, TIME_WAIT hold, conntrack TIME_WAIT (ports.ts). */
  readonly ports: PortConfig;
  /** Clients outside the cluster: how they enter (external.ts); null for client pods. */
  readonly external: ExternalRoute | null;
}

/** How an external workload's connections enter the cluster (external.ts). */
export interface ExternalRoute {
  serviceType: 'NodePort' | 'LoadBalancer';
  policy: 'Cluster' | 'Local';
  /** One way from the client to a node's NIC, the load balancer's forwarding included. */
  oneWaySeconds: number;
  healthCheck: { intervalSeconds: number; unhealthyThreshold: number; healthyThreshold: number };
}

/** A TCP connection between a client pod and the pod serving it, kept while it idles in a pool. */
export interface Connection {
  service: number;
  endpoint: Endpoint | null;
  slot: number;
  servingPod: number;
  servingNode: number;
  kind: NodeKind;
  serverFlows: FlowTableLike | null;
  clientFlows: FlowTableLike;
  requests: number;
  idleHandle: number;
  poolKey: number;
  /** The record of the client's port the connection holds (port-pool.ts; -1: none). */
  portRecord: number;
  /** An external client's connection: the node it entered at (its requests go through it); null for a client pod's. */
  ingress: DetailedNode | null;
}

/** One request in flight. Plain fields, one object per request. */
export class Request {
  node!: DetailedNode;
  workload!: WorkloadModel;
  clientPod = 0;
  service = 0;
  startedAt = 0;
  connectStartedAt = 0;
  dispatchSeconds = 0;
  lastSynAt = 0;
  synAttempts = 0;
  /** The record of the port the connection being set up took (port-pool.ts); -1 before connect() and once handed on. */
  portRecord = -1;
  /** The port taken reuses a 4-tuple whose conntrack entry is still in TIME_WAIT. */
  reopenTuple = false;
  /** The same, on the server's node: the reused tuple's previous connection went to the same pod. */
  reopenServerTuple = false;
  /** IPVS will drop the first SYN: the tuple's IPVS connection is in TIME_WAIT (conn_reuse_mode, before 5.9). */
  ipvsReuseDrop = false;
  clientEntry = false;
  serverEntry = false;
  /**
   * The endpoint: its object when picked from a churned Service, else null and its slot among
   * the initial endpoints (Cluster.initialPods), whose object is read only if the Service churns.
   */
  endpoint: Endpoint | null = null;
  slot = -1;
  servingPod = 0;
  servingNode = 0;
  kind: NodeKind = 'same-node';
  connection: Connection | null = null;
  /** Server-side only: load that clients on other nodes put on a detailed node's pods. */
  background = false;
  finished = false;
  deadlineHandle = -1;
  /** External names: which name of the population, and the connection's conntrack entry. */
  externalIndex = 0;
  /** Closed loop: called with the request once its outcome is known. */
  onDone: ((request: Request) => void) | null = null;
  /** The mesh's added latency for this request: one draw, half on each leg. */
  meshSeconds = 0;
  /** A message on a shared NIC: the path latency still to go once its last bit has left. */
  tailSeconds = 0;
  /** No NetworkPolicy allows this connection: its SYNs are dropped on the server's side. */
  policyDenied = false;
  /** An external client: its one-way distance to the node it enters at, on every packet's trip (external.ts). */
  externalSeconds = 0;
  /** Through an ingress controller (ingress.ts): past the controller, the request is the controller pod's. */
  viaIngress = false;
  /** The external client's id while the controller pod stands in as the upstream connection's client. */
  ingressClient = 0;
  ingressReplica = 0;
  ingressCpuSeconds = 0;
  ingressArrivedAt = 0;
  /** The client's one-way distance, for the response's last leg from the controller. */
  ingressReturnSeconds = 0;
}


export interface NetworkStreams {
  dispatch: RandomStream;
  latency: RandomStream;
  service: RandomStream;
  /** External clients' load balancer: node choice and health-check phases (external.ts). */
  lb: RandomStream;
  /** Headless Services' answers: their age and the endpoint the client takes (a stream of its own). */
  headless: RandomStream;
}

/** What the network counts of the requests (models/metrics.ts turns them into metric keys). */
export interface NetworkMetrics {
  readonly requestDuration: Histogram;
  readonly connectDuration: Histogram;
  readonly outcomes: Record<Outcome, Counter>;
  readonly removedEndpointRequests: Counter;
  readonly backgroundRequests: Counter;
  readonly zoneRequests: ZoneRequests;
  /** SYNs IPVS dropped because their tuple's connection was in TIME_WAIT (conn_reuse_mode). */
  readonly ipvsReuseDrops: Counter;
}

/** Answered requests of the simulated clients, and those of them whose path crossed zones. */
export class ZoneRequests {
  readonly answered = new Counter();
  readonly crossZone = new Counter();

  count(kind: NodeKind): void {
    this.answered.add();
    if (kind === 'cross-zone') this.crossZone.add();
  }

  reset(): void {
    this.answered.reset();
    this.crossZone.reset();
  }
}
