// Endpoint choice: which endpoint of a Service a connection goes to, as a node's rules have it
// (as of its last proxy sync) or as the cluster has it now (how other nodes' proxies see it, up
// to their lag), and whether an endpoint's pod still accepts connections. A Service whose
// endpoints never changed is read from Cluster.initialPods, with no Endpoint object touched.
// With trafficDistribution PreferClose a node's rules hold only its zone's endpoints when it has
// any (kubernetes/kubernetes pkg/proxy/topology.go); the other nodes' view (pickReadyEndpoint,
// the load from nodes not simulated) stays uniform over all endpoints.

import type { RandomStream } from '../engine/random.js';
import type { Cluster, Endpoint } from './cluster.js';
import type { DetailedNode, ProxyDataPlane, Request } from './parts.js';

/** An endpoint as a request holds it (see Request.endpoint), its pod, and its index among those the node's rules have. */
export interface EndpointChoice {
  endpoint: Endpoint | null;
  slot: number;
  pod: number;
  index: number;
}

export class EndpointPicker {
  /** Reused result of the pickers (read at once by their callers). */
  private readonly choice: EndpointChoice = { endpoint: null, slot: -1, pod: 0, index: 0 };

  constructor(
    private readonly cluster: Cluster,
    private readonly policy: ProxyDataPlane['endpointPolicy'],
    private readonly terminationGraceSeconds: number,
    /** The dispatch stream, which the request path draws from too: calls keep their order. */
    private readonly rng: RandomStream,
  ) {}

  /** Whether the pod behind an endpoint (as Request.endpoint holds it) has stopped accepting connections by `now`. */
  podGone(endpoint: Endpoint | null, slot: number, service: number, now: number): boolean {
    if (endpoint === null) {
      // An initial endpoint of a Service that has not churned since is still there.
      if (this.cluster.churned[service] === 0) return false;
      endpoint = this.cluster.initialEndpoints[slot];
    }
    return endpoint.removedAt + this.terminationGraceSeconds <= now;
  }

  /** Whether an endpoint (as Request.endpoint holds it) had been removed from its Service by `now`. */
  removedBy(endpoint: Endpoint | null, slot: number, service: number, now: number): boolean {
    if (endpoint === null) {
      if (this.cluster.churned[service] === 0) return false;
      endpoint = this.cluster.initialEndpoints[slot];
    }
    return endpoint.removedAt <= now;
  }

  /** An endpoint as node's rules have it (as of its last sync), chosen by the proxy's policy. */
  pickProgrammedEndpoint(node: DetailedNode, service: number): EndpointChoice | null {
    if (this.cluster.preferClose) {
      const close = this.pickInZone(node, service);
      if (close !== null) return close;
    }
    if (this.cluster.churned[service] === 0) {
      // Never changed: every node has exactly these endpoints (the common case, and the fast one).
      const count = this.cluster.firstSlot[service + 1] - this.cluster.firstSlot[service];
      const k = this.policy === 'round-robin' ? node.roundRobin[service]++ % count : Math.floor(this.rng.next() * count);
      return this.chooseInitial(service, k);
    }
    const list = this.cluster.endpoints[service];
    const asOf = node.proxy.programmedAsOf;
    let visible = 0;
    for (let i = 0; i < list.length; i++) if (list[i].addedAt <= asOf && list[i].removedAt > asOf) visible++;
    if (visible === 0) return null;
    let k: number;
    if (this.policy === 'round-robin') {
      k = node.roundRobin[service]++ % visible;
    } else {
      k = Math.floor(this.rng.next() * visible);
    }
    for (let i = 0, seen = 0; i < list.length; i++) {
      const endpoint = list[i];
      if (endpoint.addedAt <= asOf && endpoint.removedAt > asOf && seen++ === k) return this.chooseObject(endpoint, k);
    }
    throw new Error('unreachable: endpoint index out of range');
  }

  /**
   * An endpoint in the zone of `node`, as its rules have it, chosen by the proxy's policy among
   * those; null when the zone has none (then kube-proxy ignores the hints and uses them all).
   */
  private pickInZone(node: DetailedNode, service: number): EndpointChoice | null {
    const cluster = this.cluster;
    const zone = cluster.zoneOf(node.index);
    return this.pickWhere(node, service, (pod) => cluster.zoneOf(cluster.nodeOf(pod)) === zone);
  }

  /**
   * An endpoint on `node` itself, as its rules have it: externalTrafficPolicy Local's
   * KUBE-EXT/KUBE-SVL chain, which holds the node's own endpoints only (pkg/proxy/iptables/proxier.go);
   * null when it has none (the rules then drop the packet).
   */
  pickOnNode(node: DetailedNode, service: number): EndpointChoice | null {
    const cluster = this.cluster;
    return this.pickWhere(node, service, (pod) => cluster.nodeOf(pod) === node.index);
  }

  /** An endpoint whose pod passes `inZone`, among those node's rules have, chosen by the proxy's policy; null when none does. */
  private pickWhere(node: DetailedNode, service: number, inZone: (pod: number) => boolean): EndpointChoice | null {
    const cluster = this.cluster;
    const initial = cluster.churned[service] === 0;
    const list = cluster.endpoints[service];
    const asOf = node.proxy.programmedAsOf;
    const first = cluster.firstSlot[service];
    const length = initial ? cluster.firstSlot[service + 1] - first : list.length;
    const candidate = (i: number) =>
      initial ? inZone(cluster.initialPods[first + i]) : list[i].addedAt <= asOf && list[i].removedAt > asOf && inZone(list[i].pod);
    let count = 0;
    for (let i = 0; i < length; i++) if (candidate(i)) count++;
    if (count === 0) return null;
    const k = this.policy === 'round-robin' ? node.roundRobin[service]++ % count : Math.floor(this.rng.next() * count);
    for (let i = 0, seen = 0; i < length; i++) {
      if (!candidate(i) || seen++ !== k) continue;
      if (!initial) return this.chooseObject(list[i], k);
      this.chooseInitial(service, i);
      this.choice.index = k;
      return this.choice;
    }
    throw new Error('unreachable: endpoint index out of range');
  }

  /** An endpoint ready now (the cluster's truth), uniformly: how other nodes' proxies see it, up to their lag. */
  pickReadyEndpoint(service: number): EndpointChoice | null {
    if (this.cluster.churned[service] === 0) {
      const count = this.cluster.firstSlot[service + 1] - this.cluster.firstSlot[service];
      return this.chooseInitial(service, Math.floor(this.rng.next() * count));
    }
    const list = this.cluster.endpoints[service];
    let ready = 0;
    for (let i = 0; i < list.length; i++) if (list[i].removedAt === Infinity) ready++;
    if (ready === 0) return null;
    const k = Math.floor(this.rng.next() * ready);
    for (let i = 0, seen = 0; i < list.length; i++) if (list[i].removedAt === Infinity && seen++ === k) return this.chooseObject(list[i], k);
    return null;
  }

  /**
   * A headless Service's endpoint as a DNS answer made at `asOf` lists it: uniform among the
   * endpoints ready then (the kubernetes plugin lists them, `loadbalance` shuffles the list, the
   * client takes the first), drawn from `rng`; null when none was ready (an answer with no address).
   */
  pickAnsweredEndpoint(service: number, asOf: number, rng: RandomStream): EndpointChoice | null {
    if (this.cluster.churned[service] === 0) {
      const count = this.cluster.firstSlot[service + 1] - this.cluster.firstSlot[service];
      return this.chooseInitial(service, Math.floor(rng.next() * count));
    }
    const list = this.cluster.endpoints[service];
    let listed = 0;
    for (let i = 0; i < list.length; i++) if (list[i].addedAt <= asOf && list[i].removedAt > asOf) listed++;
    if (listed === 0) return null;
    const k = Math.floor(rng.next() * listed);
    for (let i = 0, seen = 0; i < list.length; i++) {
      if (list[i].addedAt <= asOf && list[i].removedAt > asOf && seen++ === k) return this.chooseObject(list[i], k);
    }
    throw new Error('unreachable: endpoint index out of range');
  }

  /** Sets `choice` to initial endpoint `k` of `service`, which has not churned (no object read). */
  private chooseInitial(service: number, k: number): EndpointChoice {
    const slot = this.cluster.firstSlot[service] + k;
    this.choice.endpoint = null;
    this.choice.slot = slot;
    this.choice.pod = this.cluster.initialPods[slot];
    this.choice.index = k;
    return this.choice;
  }

  /** Sets `choice` to `endpoint`, the `k`th the picker considered. */
  private chooseObject(endpoint: Endpoint, k: number): EndpointChoice {
    this.choice.endpoint = endpoint;
    this.choice.slot = -1;
    this.choice.pod = endpoint.pod;
    this.choice.index = k;
    return this.choice;
  }
}

/** Points `request` at `choice`'s pod, and its path kind from the client's node (−1: not simulated, kind kept). */
export function bindEndpoint(cluster: Cluster, request: Request, choice: EndpointChoice, clientNode: number): void {
  const pod = choice.pod;
  request.endpoint = choice.endpoint;
  request.slot = choice.slot;
  request.servingPod = cluster.servingPod(pod);
  request.servingNode = cluster.servingNode(pod);
  if (clientNode >= 0) request.kind = cluster.pathKind(clientNode, cluster.nodeOf(pod));
}
