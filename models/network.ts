// The simulated network: detailed nodes (CPU, conntrack, proxy), server pods, keep-alive
// pools, and the life of each request from its client's first CPU cycle to its outcome.
//
// A request (new connection):
//   client CPU (app work, socket set-up, proxy dispatch, handshake packets) → SYN: conntrack on the client node
//   → one-way latency → conntrack on the server node (traffic from another node) → SYN-ACK back
//   (connect_duration) → request bytes → server workers (service time) → server CPU → response
//   bytes → outcome; the connection closes (entries go to TIME_WAIT) or returns to its pool.
// A dropped SYN is retransmitted after 1 s, 2 s, 4 s … (Linux initial RTO, doubling) until
// tcp_syn_retries is spent or the deadline passes. Every request ends in exactly one outcome.
//
// CPU on and off the request's path. A node's cores serve, on the request's path: the app's work,
// the kernel's per-connection work (socket, connect/accept, teardown: once on each node a new
// connection touches), proxy dispatch, and the handshake, close and first data segment of each
// message. Off the path (a job that holds a core but that the request does not wait for): the
// rest of each message's segments, whose CPU overlaps their transfer (a stream's rate already is
// its CPU bound, cni.ts), and the sidecars' CPU, whose delay the mesh's added latency already
// holds. Both still queue other work when the cores are busy.
//
// A node's NIC (nic.ts) is shared by the messages of more than one segment that leave it for
// another node: fair shares of the CNI's node rate, each at most the single-stream rate. A
// one-segment message skips it (no event, no charge: see transfer()), as do same-node messages.
// Only the sender's NIC is charged: the receiver's ingress binds only when several nodes send to
// one (incast), and charging both would take a max-min allocation across links at each change.
//
// Leaves out: TCP congestion control and loss other than conntrack drops; HTTP/2 multiplexing.

import type { Distribution } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import type { Server } from '../engine/server.js';
import type { Simulator } from '../engine/simulator.js';
import { Counter, Histogram } from '../engine/stats/index.js';
import type { Cluster, Endpoint, NodeKind } from './cluster.js';
import type { DataPath, FlowTableLike, MeshHop, ProxyControlPlane, ProxyDataPlane } from './parts.js';
import type { DnsRuntime } from './dns/runtime.js';
import type { SharedLink } from './nic.js';
import type { NameForm } from './dns/names.js';
import { WorkerPools } from './worker-pools.js';

const noop = (): void => {};

export const OUTCOMES = ['ok', 'refused', 'timeout', 'deadline_exceeded', 'dns_failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

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
  readonly deadlineSeconds: number;
  /** Closed loop: the request's end starts the client's next one. */
  readonly closedLoop: boolean;
  /** The name the client resolves before a new connection; null: it connects by ClusterIP. */
  readonly dnsName: NameForm | null;
  /** External names: picks which of the population a request resolves. */
  pickExternal(rng: RandomStream): number;
  /** Client-side DNS cache (TTL-respecting resolver library), or none (glibc). */
  readonly clientCacheTtlSeconds: number;
}

interface Connection {
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
}

export interface NetworkMetrics {
  readonly requestDuration: Histogram;
  readonly connectDuration: Histogram;
  readonly outcomes: Record<Outcome, Counter>;
  readonly removedEndpointRequests: Counter;
  readonly backgroundRequests: Counter;
}

/** An endpoint as a request holds it (see Request.endpoint), its pod, and its index among those the node's rules have. */
interface EndpointChoice {
  endpoint: Endpoint | null;
  slot: number;
  pod: number;
  index: number;
}

export interface NetworkStreams {
  dispatch: RandomStream;
  latency: RandomStream;
  service: RandomStream;
}

export class Network {
  readonly metrics: NetworkMetrics = {
    requestDuration: new Histogram(),
    connectDuration: new Histogram(),
    outcomes: { ok: new Counter(), refused: new Counter(), timeout: new Counter(), deadline_exceeded: new Counter(), dns_failed: new Counter() },
    removedEndpointRequests: new Counter(),
    backgroundRequests: new Counter(),
  };
  /** Nodes that only serve (clients concentrated elsewhere, see cluster.ts), created on first use. */
  private readonly serverOnlyNodes = new Map<number, DetailedNode>();
  /** Worker pools of the simulated server pods, by serving pod, created on first use. */
  private readonly workers: WorkerPools;
  /** Idle keep-alive connections by (client pod, Service). */
  private readonly pools = new Map<number, Connection[]>();
  private readonly nodePort: boolean;
  /** Client-side DNS caches: expiry time by (client pod, name). */
  private readonly clientDnsCache = new Map<string, number>();
  /** Cluster DNS, once wired (null when no workload resolves names). */
  dns: DnsRuntime | null = null;
  /** Reused result of the endpoint pickers (read at once by their callers). */
  private readonly choice: EndpointChoice = { endpoint: null, slot: -1, pod: 0, index: 0 };
  private readonly meshLatency: Distribution | null;

  constructor(
    private readonly sim: Simulator,
    readonly cluster: Cluster,
    readonly nodes: DetailedNode[],
    private readonly proxy: ProxyDataPlane,
    private readonly path: DataPath,
    private readonly mesh: MeshHop | null,
    private readonly tcp: TcpConstants,
    private readonly terminationGraceSeconds: number,
    private readonly streams: NetworkStreams,
    private readonly makeServerOnlyNode: (index: number) => DetailedNode,
  ) {
    this.nodePort = cluster.settings.serviceType === 'NodePort';
    this.meshLatency = mesh === null ? null : mesh.addedLatency();
    this.workers = new WorkerPools(sim, this.workDone);
  }

  // ---- starting requests ------------------------------------------------------------------

  /** A client pod on a detailed node starts a request now. */
  start(request: Request): void {
    const now = this.sim.now;
    request.startedAt = now;
    if (request.workload.closedLoop) {
      request.deadlineHandle = this.sim.schedule(request.workload.deadlineSeconds, this.onDeadline, request);
    }
    if (request.workload.keepAlive !== null && this.reuseConnection(request)) return;
    this.openConnection(request);
  }

  /** A request from a client on a non-detailed node reaches a detailed node's pod (server side only). */
  startBackground(request: Request): void {
    const now = this.sim.now;
    request.background = true;
    request.startedAt = now;
    const choice = this.pickReadyEndpoint(request.service);
    if (choice === null) return;
    this.metrics.backgroundRequests.add();
    this.bindEndpoint(request, choice, -1);
    request.kind = 'cross-node';
    const serverFlows = this.serverNode(request.servingNode).flows;
    if (!serverFlows.tcpOpen(now)) return; // its client retransmits on its own node, out of view
    serverFlows.tcpEstablished(now);
    request.serverEntry = true;
    this.requestArrives(request);
  }

  private reuseConnection(request: Request): boolean {
    const key = request.clientPod * this.cluster.services + request.service;
    const pool = this.pools.get(key);
    while (pool !== undefined && pool.length > 0) {
      const connection = pool.pop()!;
      this.sim.cancel(connection.idleHandle);
      if (this.podGone(connection.endpoint, connection.slot, connection.service, this.sim.now)) {
        // The server pod went away while the connection idled: the client sees it reset.
        this.closeConnection(connection);
        continue;
      }
      request.connection = connection;
      request.endpoint = connection.endpoint;
      request.slot = connection.slot;
      request.servingPod = connection.servingPod;
      request.servingNode = connection.servingNode;
      request.kind = connection.kind;
      const cpu = request.workload.clientCpuSeconds + this.packetCpu(request.node, 2);
      request.node.cpu.serve(cpu, this.sendRequest, request);
      this.offPathCpu(request.node, request.workload);
      return true;
    }
    return false;
  }

  private openConnection(request: Request): void {
    const workload = request.workload;
    if (workload.dnsName !== null && this.dns !== null) {
      if (typeof workload.dnsName !== 'string') request.externalIndex = workload.pickExternal(this.streams.dispatch);
      const cacheKey = workload.clientCacheTtlSeconds > 0 ? `${request.clientPod}/${typeof workload.dnsName === 'string' ? request.service : -1 - request.externalIndex}` : '';
      const cachedUntil = cacheKey === '' ? -Infinity : (this.clientDnsCache.get(cacheKey) ?? -Infinity);
      if (cachedUntil <= this.sim.now) {
        const deadlineAt = workload.closedLoop ? Infinity : request.startedAt + workload.deadlineSeconds;
        this.dns.lookup(request.node, workload.dnsName, request.service, request.clientPod, request.externalIndex, deadlineAt, (result) => {
          if (request.finished) return; // a closed-loop client gave up meanwhile
          if (result !== 'ok') {
            this.finish(request, result === 'deadline' ? 'deadline_exceeded' : 'dns_failed');
            return;
          }
          if (cacheKey !== '') this.clientDnsCache.set(cacheKey, this.sim.now + workload.clientCacheTtlSeconds);
          this.afterLookup(request);
        });
        return;
      }
    }
    this.afterLookup(request);
  }

  private afterLookup(request: Request): void {
    if (!request.workload.closedLoop && this.sim.now - request.startedAt > request.workload.deadlineSeconds) {
      this.finish(request, 'deadline_exceeded');
      return;
    }
    if (request.workload.dnsName !== null && typeof request.workload.dnsName !== 'string') {
      this.externalRequest(request);
      return;
    }
    this.connectToService(request);
  }

  /**
   * A connection to a name outside the cluster: egress through the node (a conntrack entry for the
   * masqueraded flow), a connect round trip and a request round trip to a server whose distance is
   * the upstream resolver's (DNS upstream latency), with no Service dispatch.
   */
  private externalRequest(request: Request): void {
    if (!request.node.flows.tcpOpen(this.sim.now)) {
      this.finish(request, 'timeout');
      return;
    }
    this.sim.schedule(2 * this.dns!.externalRoundTrip(), this.externalDone, request);
  }

  private readonly externalDone = (request: Request): void => {
    const now = this.sim.now;
    request.node.flows.tcpEstablished(now);
    request.node.flows.tcpClose(now);
    if (request.finished) return;
    const elapsed = now - request.startedAt;
    if (elapsed > request.workload.deadlineSeconds) {
      this.finish(request, 'deadline_exceeded');
      return;
    }
    this.metrics.requestDuration.add(elapsed);
    this.finish(request, 'ok');
  };

  private connectToService(request: Request): void {
    const node = request.node;
    const choice = this.pickProgrammedEndpoint(node, request.service);
    if (choice === null) {
      // No endpoints in this node's rules: kube-proxy's REJECT rule answers at once.
      this.finish(request, 'refused');
      return;
    }
    this.bindEndpoint(request, choice, node.index);
    if (choice.endpoint !== null && choice.endpoint.removedAt <= this.sim.now) this.metrics.removedEndpointRequests.add();
    const position = this.nodePort ? this.cluster.services : Math.floor(this.streams.dispatch.next() * this.cluster.services);
    const dispatch = this.proxy.dispatchCost(position, this.cluster.services, choice.index, this.nodePort, this.streams.dispatch);
    node.dispatchCpuSeconds += dispatch;
    request.dispatchSeconds = dispatch;
    // Handshake (3), the first segment of the request and of the response (2), and close (4).
    const packets = 3 + 2 + 4;
    // Dispatch is the last of this CPU work: the SYN's own trip through the rules on its way out.
    const cpu = request.workload.clientCpuSeconds + this.tcp.connectionSetupSeconds + this.packetCpu(node, packets) + dispatch;
    node.cpu.serve(cpu, this.sendSyn, request);
    this.offPathCpu(node, request.workload);
  }

  // ---- connection set-up --------------------------------------------------------------------

  private readonly sendSyn = (request: Request): void => {
    const now = this.sim.now;
    if (request.finished) {
      // A closed-loop client gave up at its deadline and closed the socket.
      this.releaseEntries(request, true);
      return;
    }
    // connect_duration counts from the SYN's dispatch through the proxy's rules.
    if (request.synAttempts === 0) request.connectStartedAt = now - request.dispatchSeconds;
    request.synAttempts++;
    request.lastSynAt = now;
    if (!request.clientEntry) {
      if (!request.node.flows.tcpOpen(now)) {
        this.retransmitLater(request);
        return;
      }
      request.clientEntry = true;
    }
    this.sim.schedule(this.oneWay(request.kind), this.synArrives, request);
  };

  private readonly synArrives = (request: Request): void => {
    const now = this.sim.now;
    if (this.podGone(request.endpoint, request.slot, request.service, now)) {
      // The pod has stopped: its node answers with a reset, one way back.
      this.sim.schedule(this.oneWay(request.kind), this.refusedArrives, request);
      return;
    }
    if (request.kind !== 'same-node' && !request.serverEntry) {
      if (!this.serverNode(request.servingNode).flows.tcpOpen(now)) {
        this.retransmitLater(request);
        return;
      }
      request.serverEntry = true;
    }
    this.sim.schedule(this.oneWay(request.kind), this.synAckArrives, request);
  };

  private readonly refusedArrives = (request: Request): void => {
    if (request.clientEntry) request.node.flows.tcpRefused(this.sim.now);
    if (request.serverEntry) this.serverNode(request.servingNode).flows.tcpRefused(this.sim.now);
    request.clientEntry = false;
    request.serverEntry = false;
    this.finish(request, 'refused');
  };

  private readonly synAckArrives = (request: Request): void => {
    const now = this.sim.now;
    request.node.flows.tcpEstablished(now);
    const serverFlows = request.serverEntry ? this.serverNode(request.servingNode).flows : null;
    if (serverFlows !== null) serverFlows.tcpEstablished(now);
    if (request.finished) {
      // The client gave up during the handshake and closes the new connection.
      request.node.flows.tcpClose(now);
      if (serverFlows !== null) serverFlows.tcpClose(now);
      return;
    }
    this.metrics.connectDuration.add(now - request.connectStartedAt);
    request.connection = {
      service: request.service,
      endpoint: request.endpoint,
      slot: request.slot,
      servingPod: request.servingPod,
      servingNode: request.servingNode,
      kind: request.kind,
      serverFlows,
      clientFlows: request.node.flows,
      requests: 0,
      idleHandle: -1,
      poolKey: request.clientPod * this.cluster.services + request.service,
    };
    this.sendRequest(request);
  };

  /** The SYN was dropped: retransmit after the doubling RTO, or give up. */
  private retransmitLater(request: Request): void {
    const rto = this.tcp.initialRtoSeconds * 2 ** (request.synAttempts - 1);
    // Next: another SYN, or, with the retries spent, connect() failing with ETIMEDOUT.
    const nextAt = request.lastSynAt + rto;
    const deadlineAt = request.startedAt + request.workload.deadlineSeconds;
    if (!request.workload.closedLoop && nextAt > deadlineAt) {
      // The client gives up first (a closed-loop client's own deadline event does this).
      this.sim.at(Math.max(this.sim.now, deadlineAt), this.connectGaveUp, request);
      return;
    }
    this.sim.at(nextAt, request.synAttempts > this.tcp.synRetries ? this.connectTimedOut : this.sendSyn, request);
  }

  private readonly connectTimedOut = (request: Request): void => {
    this.releaseEntries(request, true);
    this.finish(request, 'timeout');
  };

  private readonly connectGaveUp = (request: Request): void => {
    this.releaseEntries(request, true);
    this.finish(request, 'deadline_exceeded');
  };

  // ---- the request proper -----------------------------------------------------------------

  private readonly sendRequest = (request: Request): void => {
    // One draw of the two sidecars' latency per request: its quantiles are the published ones.
    request.meshSeconds = this.meshLatency === null ? 0 : this.meshLatency.sample(this.streams.latency);
    this.transfer(request, request.node, request.workload.requestBytes, this.requestLeft, this.requestArrives);
  };

  private readonly requestLeft = (request: Request): void => {
    this.sim.schedule(request.tailSeconds, this.requestArrives, request);
  };

  private readonly requestArrives = (request: Request): void => {
    this.workers.serve(request, request.workload.serviceTime.sample(this.streams.service));
  };

  private readonly workDone = (request: Request): void => {
    const node = this.serverNode(request.servingNode);
    // The server node's own per-connection work (accept, teardown) on a connection's first
    // request, when the client is on another node; on one node, the client's charge covers it.
    const newHere = request.kind !== 'same-node' && (request.background || request.connection!.requests === 0);
    const cpu = request.workload.serverCpuSeconds + (newHere ? this.tcp.connectionSetupSeconds : 0) + this.packetCpu(node, 2);
    node.cpu.serve(cpu, this.serverCpuDone, request);
    this.offPathCpu(node, request.workload);
  };

  private readonly serverCpuDone = (request: Request): void => {
    const node = this.serverNode(request.servingNode);
    if (request.background) {
      // The response leaves for a node out of view, loading this node's NIC when it is large
      // (its client's latency does not matter); its connection closes there.
      node.flows.tcpClose(this.sim.now);
      const bytes = request.workload.responseBytes;
      if (bytes > this.path.mssBytes) node.nic.start(bytes * 8, noop, null);
      return;
    }
    this.transfer(request, node, request.workload.responseBytes, this.responseLeft, this.responseArrives);
  };

  private readonly responseLeft = (request: Request): void => {
    this.sim.schedule(request.tailSeconds, this.responseArrives, request);
  };

  private readonly responseArrives = (request: Request): void => {
    const connection = request.connection!;
    connection.requests++;
    const keepAlive = request.workload.keepAlive;
    if (keepAlive === null || connection.requests >= keepAlive.maxRequests) {
      this.closeConnection(connection);
    } else {
      connection.idleHandle = this.sim.schedule(keepAlive.idleSeconds, this.idleExpired, connection);
      let pool = this.pools.get(connection.poolKey);
      if (pool === undefined) this.pools.set(connection.poolKey, (pool = []));
      pool.push(connection);
    }
    if (request.finished) return; // a closed-loop client already gave up at its deadline
    const elapsed = this.sim.now - request.startedAt;
    if (elapsed > request.workload.deadlineSeconds) {
      this.finish(request, 'deadline_exceeded');
      return;
    }
    this.metrics.requestDuration.add(elapsed);
    this.finish(request, 'ok');
  };

  private readonly idleExpired = (connection: Connection): void => {
    const pool = this.pools.get(connection.poolKey)!;
    pool.splice(pool.indexOf(connection), 1);
    this.closeConnection(connection);
  };

  private readonly onDeadline = (request: Request): void => {
    request.deadlineHandle = -1;
    if (!request.finished) this.finish(request, 'deadline_exceeded');
  };

  // ---- helpers ----------------------------------------------------------------------------

  /**
   * A message of `bytes` from `sender` to the request's other end: path latency + bytes at the
   * rate it gets (DESIGN §4.7), half the mesh's latency on top. A message of more than one
   * segment to another node is a flow on the sender's NIC (nic.ts): its bits leave at a fair
   * share of the NIC, at most the single-stream rate, then the path latency runs (`left`, then
   * `arrives`). One segment goes at the single-stream rate as before, in one event: it holds a
   * NIC for one frame (~1 µs at 10 Gbit/s), so leaving it out speeds the flows up by at most
   * the single-segment traffic's own bit rate, e.g. 100 Mbit/s for 10,000 1 KiB messages/s.
   * Same-node messages never cross the NIC.
   */
  private transfer(request: Request, sender: DetailedNode, bytes: number, left: (request: Request) => void, arrives: (request: Request) => void): void {
    const path = this.path;
    if (bytes <= path.mssBytes || request.kind === 'same-node') {
      const delay = path.transferSeconds(bytes, request.kind, this.streams.latency) + request.meshSeconds / 2;
      this.sim.schedule(delay, arrives, request);
      return;
    }
    // The same draw as transferSeconds makes, so the latency stream's sequence does not change.
    request.tailSeconds = path.oneWayLatency(request.kind).sample(this.streams.latency) + request.meshSeconds / 2;
    sender.nic.start(bytes * 8, left, request);
  }

  private finish(request: Request, outcome: Outcome): void {
    if (request.finished) return;
    request.finished = true;
    if (request.deadlineHandle >= 0) this.sim.cancel(request.deadlineHandle);
    this.metrics.outcomes[outcome].add();
    if (request.onDone !== null) request.onDone(request);
  }

  private closeConnection(connection: Connection): void {
    const now = this.sim.now;
    connection.clientFlows.tcpClose(now);
    if (connection.serverFlows !== null) connection.serverFlows.tcpClose(now);
  }

  /** Frees the conntrack entries of a connection that never got established. */
  private releaseEntries(request: Request, abandoned: boolean): void {
    const now = this.sim.now;
    if (request.clientEntry && abandoned) request.node.flows.tcpAbandon(now, request.lastSynAt);
    if (request.serverEntry && abandoned) this.serverNode(request.servingNode).flows.tcpAbandon(now, request.lastSynAt);
    request.clientEntry = false;
    request.serverEntry = false;
  }

  private bindEndpoint(request: Request, choice: EndpointChoice, clientNode: number): void {
    const pod = choice.pod;
    request.endpoint = choice.endpoint;
    request.slot = choice.slot;
    request.servingPod = this.cluster.servingPod(pod);
    request.servingNode = this.cluster.servingNode(pod);
    if (clientNode >= 0) request.kind = this.cluster.pathKind(clientNode, this.cluster.nodeOf(pod));
  }

  /** Whether the pod behind an endpoint (as Request.endpoint holds it) has stopped accepting connections by `now`. */
  private podGone(endpoint: Endpoint | null, slot: number, service: number, now: number): boolean {
    if (endpoint === null) {
      // An initial endpoint of a Service that has not churned since is still there.
      if (this.cluster.churned[service] === 0) return false;
      endpoint = this.cluster.initialEndpoints[slot];
    }
    return endpoint.removedAt + this.terminationGraceSeconds <= now;
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

  /** An endpoint as node's rules have it (as of its last sync), chosen by the proxy's policy. */
  private pickProgrammedEndpoint(node: DetailedNode, service: number): EndpointChoice | null {
    if (this.cluster.churned[service] === 0) {
      // Never changed: every node has exactly these endpoints (the common case, and the fast one).
      const count = this.cluster.firstSlot[service + 1] - this.cluster.firstSlot[service];
      const k = this.proxy.endpointPolicy === 'round-robin' ? node.roundRobin[service]++ % count : Math.floor(this.streams.dispatch.next() * count);
      return this.chooseInitial(service, k);
    }
    const list = this.cluster.endpoints[service];
    const asOf = node.proxy.programmedAsOf;
    let visible = 0;
    for (let i = 0; i < list.length; i++) if (list[i].addedAt <= asOf && list[i].removedAt > asOf) visible++;
    if (visible === 0) return null;
    let k: number;
    if (this.proxy.endpointPolicy === 'round-robin') {
      k = node.roundRobin[service]++ % visible;
    } else {
      k = Math.floor(this.streams.dispatch.next() * visible);
    }
    for (let i = 0, seen = 0; i < list.length; i++) {
      const endpoint = list[i];
      if (endpoint.addedAt <= asOf && endpoint.removedAt > asOf && seen++ === k) return this.chooseObject(endpoint, k);
    }
    throw new Error('unreachable: endpoint index out of range');
  }

  /** An endpoint ready now (the cluster's truth), uniformly: how other nodes' proxies see it, up to their lag. */
  private pickReadyEndpoint(service: number): EndpointChoice | null {
    if (this.cluster.churned[service] === 0) {
      const count = this.cluster.firstSlot[service + 1] - this.cluster.firstSlot[service];
      return this.chooseInitial(service, Math.floor(this.streams.dispatch.next() * count));
    }
    const list = this.cluster.endpoints[service];
    let ready = 0;
    for (let i = 0; i < list.length; i++) if (list[i].removedAt === Infinity) ready++;
    if (ready === 0) return null;
    const k = Math.floor(this.streams.dispatch.next() * ready);
    for (let i = 0, seen = 0; i < list.length; i++) if (list[i].removedAt === Infinity && seen++ === k) return this.chooseObject(list[i], k);
    return null;
  }

  private oneWay(kind: NodeKind): number {
    return this.path.oneWayLatency(kind).sample(this.streams.latency);
  }

  /**
   * CPU a node spends on a request off its path: the segments of each message after its first,
   * and the sidecar's work. A job of its own (no event at all when there is none, as for
   * single-segment messages without a mesh).
   */
  private offPathCpu(node: DetailedNode, workload: WorkloadModel): void {
    const segments = this.path.packetsFor(workload.requestBytes) + this.path.packetsFor(workload.responseBytes) - 2;
    const seconds = (segments > 0 ? this.packetCpu(node, segments) : 0) + (this.mesh === null ? 0 : this.mesh.cpuPerRequestSeconds);
    if (seconds > 0) node.cpu.serve(seconds);
  }

  /** Kernel CPU for `packets` packets on `node` (data path plus conntrack lookup and NAT). */
  private packetCpu(node: DetailedNode, packets: number): number {
    const seconds = packets * (this.path.cpuPerPacketSeconds + this.proxy.establishedPacketCost);
    node.packetCpuSeconds += seconds;
    return seconds;
  }

  /** The node serving a pod: a detailed node, or one simulated as a server only. */
  serverNode(index: number): DetailedNode {
    if (index < this.nodes.length) return this.nodes[index];
    let node = this.serverOnlyNodes.get(index);
    if (node === undefined) {
      node = this.makeServerOnlyNode(index);
      this.serverOnlyNodes.set(index, node);
    }
    return node;
  }

  /** Nodes simulated as servers only, created so far. */
  serverOnly(): DetailedNode[] {
    return [...this.serverOnlyNodes.values()];
  }

  /** Each worker pool's utilisation so far, in order of creation. */
  workerUtilisations(): number[] {
    return this.workers.utilisations();
  }

  resetStatistics(): void {
    const m = this.metrics;
    m.requestDuration.reset();
    m.connectDuration.reset();
    for (const counter of Object.values(m.outcomes)) counter.reset();
    m.removedEndpointRequests.reset();
    m.backgroundRequests.reset();
    this.dns?.resetStatistics();
    this.workers.resetStatistics();
  }
}
