// The cluster: nodes, pods placed by spread, Services and their endpoints, and endpoint churn
// (rolling updates). Leaves out scheduling constraints (affinity, taints) and pod resources:
// every node is alike, which is what lets a point simulate a few nodes in detail.
//
// Placement. Pod p (global index) runs on node p mod N, as local pod ⌊p / N⌋: spread, so that
// consecutive endpoints of a Service land on different nodes. Endpoint k of the cluster (counting
// over Services in order) is backed by pod k mod (N × podsPerNode): a pod may back several
// Services, as in clusters with more endpoints than pods.
//
// Detailed nodes. Nodes 0 … D−1 are simulated in full (their clients, conntrack, proxy, CPU,
// server pods). When clients are spread evenly (the detailed nodes hold their share of them), a
// server pod on another node n is stood in for by the pod with the same local index on detailed
// node n mod D (its "mirror"): the detailed clients' requests then load the detailed nodes'
// pods exactly as much as the whole cluster's clients load any node's pods, and only load from
// clients elsewhere that this leaves out needs adding (clients.ts). When clients are concentrated
// on some nodes (a handful of load generators), mirroring would overload the detailed nodes: then
// every node that hosts clients is simulated in detail, requests go to their real pods, and the
// nodes those run on are simulated as servers only, so that all the load is simulated.

import { z } from 'zod';
import type { RandomStream } from '../engine/random.js';
import { hardwareProfileNames } from './hardware.js';
import { duration, size } from './units.js';
import { masqueradeSettings } from './snat.js';

/**
 * Physical bounds: what no cluster can have. What is merely expensive is left to the cost
 * model (runner/estimate.ts), which refuses a point that would not fit in memory.
 * - Nodes: the largest published clusters, GKE's 65,000 nodes, with a ×2 margin.
 * - Cores: Linux's largest NR_CPUS (8,192 with MAXSMP, arch/x86/Kconfig NR_CPUS_RANGE_END).
 * - Pods per node: each pod runs at least one process (its sandbox's pause), and a node has at
 *   most PID_MAX_LIMIT = 4,194,304 process ids (include/linux/threads.h, 64-bit).
 * - Services: a ClusterIP each, and kube-apiserver refuses a --service-cluster-ip-range wider
 *   than 20 host bits (an IPv4 /12 or an IPv6 /108: cmd/kube-apiserver/app/options/validation.go).
 */
const MAX_NODES = 131_072;
const MAX_CORES_PER_NODE = 8192;
const MAX_PODS_PER_NODE = 4_194_304;
const MAX_SERVICES = 2 ** 20;

export const clusterSettings = z
  .object({
    nodes: z.number().int().min(1).max(MAX_NODES, `at most ${MAX_NODES.toLocaleString('en-US')} nodes (twice the largest published cluster, GKE's 65,000)`).prefault(100),
    coresPerNode: z.number().int().min(1).max(MAX_CORES_PER_NODE, `at most ${MAX_CORES_PER_NODE} cores (Linux's largest NR_CPUS)`).prefault(8),
    /** A node's memory; unset: coresPerNode × 4 GiB (conntrack.yaml cilium.mapSizing.nodeMemoryPerCore). Sizes Cilium's BPF maps. */
    memoryPerNode: size().pipe(z.number().positive('a node has memory > 0')).optional(),
    podsPerNode: z.number().int().min(1).max(MAX_PODS_PER_NODE, `at most ${MAX_PODS_PER_NODE.toLocaleString('en-US')} pods per node (Linux's PID_MAX_LIMIT: each pod runs a process)`).prefault(30),
    namespaces: z.number().int().min(1).prefault(10),
    services: z.number().int().min(1).max(MAX_SERVICES, `at most ${MAX_SERVICES.toLocaleString('en-US')} Services (a ClusterIP each, and the widest service CIDR kube-apiserver accepts is an IPv4 /12)`).prefault(1000),
    /** Endpoints (ready pods) per Service: a number, or uniform over an inclusive range. */
    endpointsPerService: z
      .union([z.number().int().min(1), z.object({ uniform: z.tuple([z.number().int().min(1), z.number().int().min(1)]) }).strict()])
      .prefault(5),
    /** ClusterIP dispatch walks half of KUBE-SERVICES on average; NodePort's rule sits at its end. */
    serviceType: z.enum(['ClusterIP', 'NodePort']).prefault('ClusterIP'),
    /** Kernel version "major.minor": decides nftables support and conntrack fixes. */
    kernel: z.string().regex(/^\d+\.\d+$/, 'kernel is "major.minor", e.g. "6.1"').prefault('6.1'),
    /**
     * The nodes' hardware (models/profiles/hardware.yaml): factors on the CPU costs fitted on other
     * rigs. `reference` keeps each constant on the rig it was fitted on.
     */
    nodeProfile: z.enum(hardwareProfileNames).prefault('reference'),
    /** Masquerading of pods' traffic to addresses outside the cluster (models/snat.ts). */
    masquerade: masqueradeSettings.prefault({}),
    cni: z.string().prefault('calico-bgp'),
    zones: z.number().int().min(1).prefault(1),
    /**
     * Which zone node n is in: `spread` deals nodes round-robin (n mod zones, so consecutive
     * endpoints of a Service land in different zones, as topology spread constraints with
     * maxSkew 1 place them); `packed` gives each zone a contiguous block of nodes (the first
     * ⌈N / zones⌉ in zone 0 …), so a Service's few endpoints, placed on consecutive nodes, share a zone.
     */
    zonePlacement: z.enum(['spread', 'packed']).prefault('spread'),
    /**
     * Service spec.trafficDistribution for every Service. `PreferClose` (KEP-4444, Kubernetes
     * 1.31+): the EndpointSlice controller hints each endpoint for its own zone and kube-proxy
     * keeps a node's traffic on its zone's endpoints, falling back to all endpoints when its zone
     * has none (pkg/proxy/topology.go, CategorizeEndpoints). `none`: every endpoint alike.
     * Applies to the workloads' Services, not to kube-dns: the DNS model picks CoreDNS replicas
     * as before, so lookups still cross zones.
     */
    trafficDistribution: z.enum(['none', 'PreferClose']).prefault('none'),
    /** Nodes simulated in full; the others are represented by the load they put on shared parts. */
    detailedNodes: z.union([z.number().int().min(1), z.literal('all')]).prefault(16),
  })
  .strict();
export type ClusterSettings = z.output<typeof clusterSettings>;

export const churnSettings = z
  .object({
    /** Endpoint removals per second across the cluster (each followed by its replacement). */
    endpointChangesPerSecond: z.number().min(0).prefault(0),
    /** From an endpoint's removal to its replacement becoming ready. */
    podStartDelay: duration().prefault('5s'),
    /**
     * How long a removed endpoint's pod still accepts connections (preStop hook or graceful
     * shutdown). 0: the pod stops at once, the case that turns slow programming into errors.
     */
    terminationGrace: duration().prefault('0s'),
  })
  .strict();
export type ChurnSettings = z.output<typeof churnSettings>;

/** One endpoint of a Service: the pod behind it and when it was added to and removed from the EndpointSlice. */
export interface Endpoint {
  pod: number;
  addedAt: number;
  removedAt: number;
}

export type NodeKind = 'same-node' | 'cross-node' | 'cross-zone';

export class Cluster {
  readonly nodes: number;
  detailedNodes: number;
  readonly podsPerNode: number;
  readonly totalPods: number;
  readonly zones: number;
  /** Whether server pods on non-detailed nodes are stood in for by mirrors (see the header). */
  mirror = true;
  /** Endpoints of each Service, removed ones kept until no node can still program them. */
  readonly endpoints: Endpoint[][];
  /** Endpoints that are ready now, across the cluster. */
  readyEndpoints = 0;
  /** Whether each Service's endpoints have ever changed: unchanged ones need no visibility check. */
  readonly churned: Uint8Array;
  /**
   * The initial endpoints flat, by slot: Service s's are slots firstSlot[s] … firstSlot[s + 1] − 1.
   * While s has not churned, its pods are read from `initialPods` instead of the Endpoint objects:
   * one int from 100 KB instead of three dependent loads per request, which point-100-nodes does
   * once per request among 25,000 endpoints (docs/performance.md, "Initial endpoints").
   */
  readonly firstSlot: Int32Array;
  readonly initialPods: Int32Array;
  /** The same endpoints' objects by slot: what an endpoint picked by slot is once its Service churns. */
  readonly initialEndpoints: Endpoint[] = [];
  /** Endpoints including removed ones not yet forgotten (what proxies may still hold). */
  private nextEndpoint = 0;

  constructor(
    readonly settings: ClusterSettings,
    rng: RandomStream,
  ) {
    this.nodes = settings.nodes;
    this.detailedNodes = settings.detailedNodes === 'all' ? settings.nodes : Math.min(settings.detailedNodes, settings.nodes);
    this.podsPerNode = settings.podsPerNode;
    this.totalPods = settings.nodes * settings.podsPerNode;
    this.zones = settings.zones;
    const spec = settings.endpointsPerService;
    this.churned = new Uint8Array(settings.services);
    this.firstSlot = new Int32Array(settings.services + 1);
    this.endpoints = [];
    for (let s = 0; s < settings.services; s++) {
      const count = typeof spec === 'number' ? spec : spec.uniform[0] + Math.floor(rng.next() * (spec.uniform[1] - spec.uniform[0] + 1));
      const list: Endpoint[] = [];
      for (let k = 0; k < count; k++) list.push({ pod: this.nextPod(), addedAt: -Infinity, removedAt: Infinity });
      this.endpoints.push(list);
      for (const endpoint of list) this.initialEndpoints.push(endpoint);
      this.firstSlot[s + 1] = this.initialEndpoints.length;
      this.readyEndpoints += count;
    }
    this.initialPods = Int32Array.from(this.initialEndpoints, (endpoint) => endpoint.pod);
  }

  get services(): number {
    return this.endpoints.length;
  }

  /** The pod that backs the next endpoint created (spread over nodes, then over local slots). */
  nextPod(): number {
    return this.nextEndpoint++ % this.totalPods;
  }

  nodeOf(pod: number): number {
    return pod % this.nodes;
  }

  zoneOf(node: number): number {
    if (this.settings.zonePlacement === 'packed') return Math.floor((node * this.zones) / this.nodes);
    return node % this.zones;
  }

  /** Whether kube-proxy keeps traffic on the client's zone's endpoints when it has any (trafficDistribution: PreferClose). */
  get preferClose(): boolean {
    return this.settings.trafficDistribution === 'PreferClose' && this.zones > 1;
  }

  /** Path between two nodes, as the CNI profile distinguishes them. */
  pathKind(fromNode: number, toNode: number): NodeKind {
    if (fromNode === toNode) return 'same-node';
    return this.zoneOf(fromNode) === this.zoneOf(toNode) ? 'cross-node' : 'cross-zone';
  }

  /**
   * The simulated pod that serves requests for `pod`: with mirroring, the pod with the same local
   * index on detailed node (node mod D), an index in [0, D × podsPerNode); without, the pod itself.
   */
  servingPod(pod: number): number {
    if (!this.mirror) return pod;
    const node = pod % this.nodes;
    const local = (pod - node) / this.nodes;
    return (node % this.detailedNodes) * this.podsPerNode + local;
  }

  /** Node on which `servingPod()`'s pod runs. */
  servingNode(pod: number): number {
    return this.mirror ? (pod % this.nodes) % this.detailedNodes : pod % this.nodes;
  }

  /** Index in KUBE-SERVICES is Service order; ClusterIP dispatch draws a position, see the proxies. */
  serviceName(index: number): string {
    return `svc-${index}`;
  }

  /** Removes endpoint `k` of Service `s` now; its replacement will be added by addEndpoint(). */
  removeEndpoint(s: number, k: number, now: number): Endpoint {
    const endpoint = this.endpoints[s][k];
    endpoint.removedAt = now;
    this.churned[s] = 1;
    this.readyEndpoints--;
    return endpoint;
  }

  /** Adds a new endpoint (a replacement pod) to Service `s` now. */
  addEndpoint(s: number, now: number): Endpoint {
    const endpoint: Endpoint = { pod: this.nextPod(), addedAt: now, removedAt: Infinity };
    this.endpoints[s].push(endpoint);
    this.churned[s] = 1;
    this.readyEndpoints++;
    return endpoint;
  }

  /** Drops endpoints removed before `horizon` (no proxy can still have them programmed). */
  forgetRemovedBefore(s: number, horizon: number): void {
    const list = this.endpoints[s];
    let kept = 0;
    for (let i = 0; i < list.length; i++) if (list[i].removedAt >= horizon) list[kept++] = list[i];
    list.length = kept;
  }
}

/** Number of whole pods that make up `share` of a node's pods, or a count spread over nodes. */
export function clientsOnNode(clients: number | { share: number }, node: number, nodes: number, podsPerNode: number): number {
  if (typeof clients !== 'number') return Math.round(clients.share * podsPerNode);
  const base = Math.floor(clients / nodes);
  return base + (node < clients - base * nodes ? 1 : 0);
}
