// Clients outside the cluster entering through a Service's node port: NodePort (clients spread
// over the nodes' IPs) or LoadBalancer (a cloud load balancer spreads them over the nodes it finds
// healthy), under externalTrafficPolicy Cluster or Local. Decides which node a connection enters
// by and which endpoint that node sends it to; the load balancer probes kube-proxy's health check
// node port. Leaves out: the load balancer's own capacity and connection draining, DSR (Cilium's
// source-preserving Cluster mode), PROXY protocol, and SYNs rerouted once their node turns
// unhealthy (a flow's packets keep their node: its 5-tuple hash). docs/architecture.md, "External clients: NodePort and LoadBalancer".

import { z } from 'zod';
import type { RandomStream } from '../engine/random.js';
import type { Simulator } from '../engine/simulator.js';
import { Counter, Histogram } from '../engine/stats/index.js';
import type { Cluster } from './cluster.js';
import type { EndpointChoice, EndpointPicker } from './endpoints.js';
import type { DetailedNode, ExternalRoute, Request } from './parts.js';
import { loadProfile, type LoadedProfile } from './profiles/load.js';
import { positiveDuration } from './units.js';
import type { WorkloadSettings } from './workload.js';

const provider = z.object({ healthCheckInterval: positiveDuration(), unhealthyThreshold: z.number().int().min(1), healthyThreshold: z.number().int().min(1), oneWayLatency: positiveDuration() }).strict();
const lbProfileSchema = z.object({ gcp: provider, 'aws-nlb': provider, client: z.object({ oneWayLatency: positiveDuration() }).strict() }).strict();
type LbProfile = z.output<typeof lbProfileSchema>;

export function loadLbProfile(overrides?: unknown): LoadedProfile<LbProfile> {
  return loadProfile('lb', lbProfileSchema, overrides);
}

export function externalRoute(settings: WorkloadSettings, profile: LbProfile): ExternalRoute | null {
  if (settings.from !== 'external') return null;
  const serviceType = settings.serviceType ?? 'LoadBalancer';
  const lb = profile[settings.loadBalancer?.provider ?? 'gcp'];
  return {
    serviceType,
    policy: settings.externalTrafficPolicy ?? 'Cluster',
    oneWaySeconds: profile.client.oneWayLatency + (serviceType === 'LoadBalancer' ? lb.oneWayLatency : 0),
    healthCheck: {
      intervalSeconds: settings.loadBalancer?.healthCheckInterval ?? lb.healthCheckInterval,
      unhealthyThreshold: settings.loadBalancer?.unhealthyThreshold ?? lb.unhealthyThreshold,
      healthyThreshold: settings.loadBalancer?.healthyThreshold ?? lb.healthyThreshold,
    },
  };
}

/** What the way in counted (models/metrics.ts turns it into lb_* and external_* keys). */
export interface ExternalStats {
  connections: Counter;
  secondHops: Counter;
  sourcePreserved: Counter;
  dropped: Counter;
  /** New connections by the node they entered at. */
  perNode: number[];
  /** New connections by serving pod. */
  perPod: Map<number, number>;
  /** From a node's last local endpoint leaving to the load balancer marking the node unhealthy. */
  unhealthyDelay: Histogram;
}

/**
 * A LoadBalancer's view of one workload's Services under Local: per Service, the nodes it sends
 * to (those whose health check passed `healthyThreshold` times running, until it fails
 * `unhealthyThreshold` times running). Cluster and NodePort send to every node.
 */
class HealthView {
  private readonly healthy: Uint8Array[] = [];
  private readonly streak: Int32Array[] = [];
  private readonly targets: number[][] = [];
  /** When the last local endpoint left, read at the first failing probe (before the list forgets it). */
  private readonly wentAt: Float64Array[] = [];

  constructor(
    private readonly sim: Simulator,
    private readonly cluster: Cluster,
    private readonly nodes: DetailedNode[],
    private readonly check: ExternalRoute['healthCheck'],
    rng: RandomStream,
    private readonly stats: ExternalStats,
  ) {
    for (let s = 0; s < cluster.services; s++) {
      // The load balancer converged before the run: a node is healthy iff it has an endpoint.
      const row = new Uint8Array(cluster.nodes);
      for (let n = 0; n < cluster.nodes; n++) row[n] = localEndpoints(cluster, nodes[n], s) > 0 ? 1 : 0;
      this.healthy.push(row);
      this.streak.push(new Int32Array(cluster.nodes));
      this.wentAt.push(new Float64Array(cluster.nodes));
      this.targets.push(this.listTargets(s));
    }
    // Each node's probes keep their own phase: the load balancer's probers are not synchronised.
    for (let n = 0; n < cluster.nodes; n++) {
      const probe = () => {
        this.probe(n);
        sim.schedule(check.intervalSeconds, probe);
      };
      sim.schedule(rng.next() * check.intervalSeconds, probe);
    }
  }

  /** The nodes a new connection to `service` may go to; every node when none is healthy (the providers fail open). */
  nodesFor(service: number): number[] {
    return this.targets[service];
  }

  /** One probe of kube-proxy's health check node port on node n: 200 while it has a local endpoint. */
  private probe(n: number): void {
    for (let s = 0; s < this.cluster.services; s++) {
      if (this.cluster.churned[s] === 0) continue; // never changed: the probe's answer is the initial one
      const up = localEndpoints(this.cluster, this.nodes[n], s) > 0;
      const streak = this.streak[s];
      const healthy = this.healthy[s][n] === 1;
      if (up === healthy) {
        streak[n] = 0;
        continue;
      }
      streak[n]++;
      if (!up && streak[n] === 1) this.wentAt[s][n] = this.lastRemoval(s, n);
      if (streak[n] >= (up ? this.check.healthyThreshold : this.check.unhealthyThreshold)) {
        this.healthy[s][n] = up ? 1 : 0;
        streak[n] = 0;
        if (!up && this.wentAt[s][n] > -Infinity) this.stats.unhealthyDelay.add(this.sim.now - this.wentAt[s][n]);
        this.targets[s] = this.listTargets(s);
      }
    }
  }

  /** When the last endpoint of s on node n left (its removal, before kube-proxy's sync and the probes). */
  private lastRemoval(s: number, n: number): number {
    let last = -Infinity;
    for (const endpoint of this.cluster.endpoints[s]) if (this.cluster.nodeOf(endpoint.pod) === n && endpoint.removedAt <= this.sim.now) last = Math.max(last, endpoint.removedAt);
    return last;
  }

  private listTargets(s: number): number[] {
    const list: number[] = [];
    for (let n = 0; n < this.cluster.nodes; n++) if (this.healthy[s][n] === 1) list.push(n);
    // AWS NLB and GCP passthrough load balancers fail open: with no healthy target, send to all.
    return list.length > 0 ? list : allNodes(this.cluster.nodes);
  }
}

function allNodes(count: number): number[] {
  return Array.from({ length: count }, (_, n) => n);
}

/** Endpoints of `service` on `node` as its kube-proxy has them (what its health check node port reports). */
function localEndpoints(cluster: Cluster, node: DetailedNode, service: number): number {
  let count = 0;
  if (cluster.churned[service] === 0) {
    for (let slot = cluster.firstSlot[service]; slot < cluster.firstSlot[service + 1]; slot++) if (cluster.nodeOf(cluster.initialPods[slot]) === node.index) count++;
    return count;
  }
  const asOf = node.proxy.programmedAsOf;
  for (const endpoint of cluster.endpoints[service]) if (endpoint.addedAt <= asOf && endpoint.removedAt > asOf && cluster.nodeOf(endpoint.pod) === node.index) count++;
  return count;
}

/** The way in for external workloads: one load balancer view per workload. */
export class ExternalEntry {
  readonly stats: ExternalStats;
  private readonly views = new Map<ExternalRoute, HealthView>();
  private readonly everyNode: number[];

  constructor(
    private readonly sim: Simulator,
    private readonly cluster: Cluster,
    private readonly nodes: DetailedNode[],
    private readonly endpoints: EndpointPicker,
    private readonly rng: RandomStream,
  ) {
    this.everyNode = allNodes(cluster.nodes);
    this.stats = { connections: new Counter(), secondHops: new Counter(), sourcePreserved: new Counter(), dropped: new Counter(), perNode: new Array<number>(cluster.nodes).fill(0), perPod: new Map(), unhealthyDelay: new Histogram() };
  }

  /** Starts the load balancer's health checks of a workload's route (Local LoadBalancer only). */
  addRoute(route: ExternalRoute): void {
    if (route.serviceType === 'LoadBalancer' && route.policy === 'Local') this.views.set(route, new HealthView(this.sim, this.cluster, this.nodes, route.healthCheck, this.rng, this.stats));
  }

  /**
   * A new connection enters: sets request.node to the node it enters at and returns the endpoint
   * that node's rules send it to, or null when they have none: under Cluster kube-proxy rejects
   * it, under Local drops it (counted in `dropped`).
   */
  enter(request: Request, route: ExternalRoute): EndpointChoice | null {
    const view = this.views.get(route);
    const targets = view === undefined ? this.everyNode : view.nodesFor(request.service);
    const node = this.nodes[targets[Math.floor(this.rng.next() * targets.length)]];
    request.node = node;
    this.stats.connections.add();
    this.stats.perNode[node.index]++;
    const choice = route.policy === 'Local' ? this.endpoints.pickOnNode(node, request.service) : this.endpoints.pickProgrammedEndpoint(node, request.service);
    if (choice === null) {
      if (route.policy === 'Local') this.stats.dropped.add();
      return null;
    }
    // Cluster masquerades every external connection (KUBE-EXT's KUBE-MARK-MASQ); Local never does.
    if (route.policy === 'Local') this.stats.sourcePreserved.add();
    if (this.cluster.nodeOf(choice.pod) !== node.index) this.stats.secondHops.add();
    this.stats.perPod.set(choice.pod, (this.stats.perPod.get(choice.pod) ?? 0) + 1);
    return choice;
  }

  resetStatistics(): void {
    const s = this.stats;
    for (const counter of [s.connections, s.secondHops, s.sourcePreserved, s.dropped]) counter.reset();
    s.perNode.fill(0);
    s.perPod.clear();
    s.unhealthyDelay.reset();
  }
}
