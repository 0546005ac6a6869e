// The simulated network: the life of each request, from its client's first CPU cycle to its
// outcome, across the detailed nodes (CPU, conntrack, proxy, NIC), the server pods' workers and
// the keep-alive pools. Every request ends in exactly one outcome. The path step by step, the
// CPU charged on and off it, SYN retransmission and how a node's NIC is shared:
// docs/architecture.md, "The request's path".
//
// Leaves out: TCP congestion control and loss other than conntrack drops; HTTP/2 multiplexing;
// the receiving node's side of NIC sharing (incast).

import type { Distribution } from '../engine/distributions.js';
import type { Simulator } from '../engine/simulator.js';
import { Counter, Histogram } from '../engine/stats/index.js';
import type { Cluster, NodeKind } from './cluster.js';
import { ConnectionSetup } from './connection-setup.js';
import { ExternalConnections } from './egress.js';
import type { DnsRuntime } from './dns/runtime.js';
import { bindEndpoint, EndpointPicker, type EndpointChoice } from './endpoints.js';
import { ExternalEntry } from './external.js';
import { HeadlessAnswers } from './headless.js';
import { IngressRuntime, type IngressConfig } from './ingress.js';
import { ZoneRequests, type Connection, type DataPath, type DetailedNode, type MeshHop, type NetworkMetrics, type NetworkStreams, type Outcome, type PolicyHook, type ProxyDataPlane, type Request, type TcpConstants, type WorkloadModel } from './parts.js';
import type { RandomStream } from '../engine/random.js';
import type { SnatRace } from './snat.js';
import { WorkerPools } from './worker-pools.js';
import { ServerCpuQuotas } from './server-cpu-limit.js';

const noop = (): void => {};

/** What a Network is built from (wiring.ts builds the parts; simulate.ts passes them on). */
export interface NetworkOptions {
  sim: Simulator;
  cluster: Cluster;
  /** The detailed nodes, index = node number. */
  nodes: DetailedNode[];
  proxy: ProxyDataPlane;
  path: DataPath;
  mesh: MeshHop | null;
  tcp: TcpConstants;
  /** How long a removed endpoint's pod still accepts connections. */
  terminationGraceSeconds: number;
  streams: NetworkStreams;
  /** A node simulated as a server only (clients concentrated elsewhere, cluster.ts), the same object for the same index. */
  serverOnlyNode: (index: number) => DetailedNode;
  /** Cluster DNS, or null when no workload resolves names. */
  dns: DnsRuntime | null;
  policy: PolicyHook;
  cfsPeriodSeconds: number;
  /** The masquerade port-allocation race for connections leaving the cluster, or null (eBPF masquerading). */
  snat: SnatRace | null;
  /** An ingress controller in front of the external workloads (ingress.ts), with its stream; null: none. */
  ingress: { config: IngressConfig; rng: RandomStream } | null;
}

export class Network {
  readonly metrics: NetworkMetrics = {
    requestDuration: new Histogram(),
    connectDuration: new Histogram(),
    outcomes: { ok: new Counter(), refused: new Counter(), timeout: new Counter(), deadline_exceeded: new Counter(), dns_failed: new Counter(), port_exhausted: new Counter() },
    removedEndpointRequests: new Counter(),
    backgroundRequests: new Counter(),
    zoneRequests: new ZoneRequests(),
    ipvsReuseDrops: new Counter(),
  };
  /** Worker pools of the simulated server pods, by serving pod, created on first use. */
  private readonly workers: WorkerPools;
  /** The serving pods' CPU limits (server-cpu-limit.ts). */
  readonly serverCpuQuotas: ServerCpuQuotas;
  /** Idle keep-alive connections by (client pod, Service). */
  private readonly pools = new Map<number, Connection[]>();
  private readonly nodePort: boolean;
  /** Client-side DNS caches: expiry time by (client pod, name). */
  private readonly clientDnsCache = new Map<string, number>();
  /** Headless Services' answers and clients' picks (headless.ts). */
  private readonly headless: HeadlessAnswers;
  /** Cluster DNS (null when no workload resolves names). */
  readonly dns: DnsRuntime | null;
  private readonly endpoints: EndpointPicker;
  /** From connect() to the SYN-ACK (connection-setup.ts). */
  private readonly setup: ConnectionSetup;
  private readonly meshLatency: Distribution | null;
  private readonly sim: Simulator;
  readonly cluster: Cluster;
  readonly nodes: DetailedNode[];
  private readonly proxy: ProxyDataPlane;
  private readonly path: DataPath;
  private readonly mesh: MeshHop | null;
  private readonly tcp: TcpConstants;
  private readonly streams: NetworkStreams;
  private readonly serverOnlyNode: (index: number) => DetailedNode;
  private readonly policy: PolicyHook;
  /** The way in for clients outside the cluster (external.ts). */
  readonly external: ExternalEntry;
  /** Connections from pods to addresses outside the cluster (egress.ts). */
  private readonly egress: ExternalConnections;
  /** The ingress controller's pods external clients go through (ingress.ts), or null. */
  readonly ingress: IngressRuntime | null;

  constructor(options: NetworkOptions) {
    const { sim, cluster, mesh } = options;
    this.sim = sim;
    this.cluster = cluster;
    this.nodes = options.nodes;
    this.proxy = options.proxy;
    this.path = options.path;
    this.mesh = mesh;
    this.tcp = options.tcp;
    this.streams = options.streams;
    this.serverOnlyNode = options.serverOnlyNode;
    this.dns = options.dns;
    this.policy = options.policy;
    this.nodePort = cluster.settings.serviceType === 'NodePort';
    this.meshLatency = mesh === null ? null : mesh.addedLatency();
    this.endpoints = new EndpointPicker(cluster, options.proxy.endpointPolicy, options.terminationGraceSeconds, options.streams.dispatch);
    this.headless = new HeadlessAnswers(this.endpoints, options.streams.headless);
    this.serverCpuQuotas = new ServerCpuQuotas(options.cfsPeriodSeconds, cluster.settings.coresPerNode);
    this.workers = new WorkerPools(sim, this.workDone, (request, seconds, now) => this.serverCpuQuotas.serviceSeconds(request, seconds, now));
    this.external = new ExternalEntry(sim, cluster, options.nodes, this.endpoints, options.streams.lb);
    this.setup = new ConnectionSetup({
      sim,
      path: options.path,
      tcp: options.tcp,
      streams: options.streams,
      endpoints: this.endpoints,
      metrics: this.metrics,
      services: cluster.services,
      pods: cluster.totalPods,
      arrivalSeconds: options.proxy.arrivalCost(cluster.services),
      serverNode: (index) => this.serverNode(index),
      established: this.sendRequest,
      finish: (request, outcome) => this.finish(request, outcome),
    });
    this.egress = new ExternalConnections({
      sim,
      setup: this.setup,
      tcp: options.tcp,
      snat: options.snat,
      services: cluster.services,
      roundTrip: () => this.dns!.externalRoundTrip(),
      requestDuration: this.metrics.requestDuration,
      finish: (request, outcome) => this.finish(request, outcome),
    });
    this.ingress = options.ingress === null ? null : new IngressRuntime(sim, options.ingress.config, cluster, options.nodes, options.ingress.rng, this.fromIngress);
  }

  // ---- starting requests ------------------------------------------------------------------

  /** A client pod on a detailed node starts a request now. */
  start(request: Request): void {
    const now = this.sim.now;
    request.startedAt = now;
    if (request.workload.closedLoop) {
      request.deadlineHandle = this.sim.schedule(request.workload.deadlineSeconds, this.onDeadline, request);
    }
    if (this.ingress !== null && request.workload.external !== null) {
      this.ingress.arrive(request);
      return;
    }
    if (request.workload.keepAlive !== null && this.reuseConnection(request)) return;
    this.openConnection(request);
  }

  /** The ingress controller forwards a request: over one of its pod's kept-alive connections to the Service, or a new one. */
  private readonly fromIngress = (request: Request): void => {
    const stats = this.ingress!.stats;
    if (this.reuseConnection(request)) {
      stats.upstreamReused.add();
      return;
    }
    stats.upstreamOpened.add();
    this.connectToService(request);
  };

  /** A request from a client on a non-detailed node reaches a detailed node's pod (server side only). */
  startBackground(request: Request): void {
    const now = this.sim.now;
    request.background = true;
    request.startedAt = now;
    const choice = this.endpoints.pickReadyEndpoint(request.service);
    if (choice === null) return;
    this.metrics.backgroundRequests.add();
    bindEndpoint(this.cluster, request, choice, -1);
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
      if (this.endpoints.podGone(connection.endpoint, connection.slot, connection.service, this.sim.now)) {
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
      if (connection.ingress !== null) request.node = connection.ingress;
      const cpu = request.workload.clientCpuSeconds + this.packetCpu(request.node, 2, request.kind);
      request.node.cpu.serve(cpu, this.sendRequest, request);
      this.offPathCpu(request.node, request.workload, request.kind);
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
    if (request.workload.external !== null) {
      this.connectFromOutside(request);
      return;
    }
    if ((request.workload.dnsName !== null && typeof request.workload.dnsName !== 'string') || request.workload.externalName !== null) {
      // An external name, or an ExternalName Service's CNAME target (its one host: externalIndex 0).
      this.egress.connect(request);
      return;
    }
    this.connectToService(request);
  }

  private connectToService(request: Request): void {
    const node = request.node;
    if (request.workload.headless !== null) {
      const choice = this.headless.pick(request, this.sim.now, this.clientDnsCache.get(`${request.clientPod}/${request.service}`));
      // An answer with no address: getaddrinfo fails.
      if (choice === null) return this.finish(request, 'dns_failed');
      // The SYN's destination is already a pod: it walks the node's NAT rules and matches none (arrivalCost).
      this.dial(request, choice, this.endpoints.removedBy(choice.endpoint, choice.slot, request.service, this.sim.now), this.setup.arrivalSeconds);
      return;
    }
    // An ingress controller sending to Pod IPs picks among the endpoints it watches itself.
    const direct = request.viaIngress && this.ingress!.config.direct;
    const choice = direct ? this.endpoints.pickReadyEndpoint(request.service) : this.endpoints.pickProgrammedEndpoint(node, request.service);
    if (choice === null) {
      // No endpoints in this node's rules: kube-proxy's REJECT rule answers at once.
      this.finish(request, 'refused');
      return;
    }
    const removed = choice.endpoint !== null && choice.endpoint.removedAt <= this.sim.now;
    // To a Pod IP: no Service matches, so no endpoint choice; the SYN still walks the NAT rules
    // without a match (iptables: all of KUBE-SERVICES, as on arrival from another node).
    if (direct) return this.dial(request, choice, removed, this.setup.arrivalSeconds);
    const position = this.nodePort ? this.cluster.services : Math.floor(this.streams.dispatch.next() * this.cluster.services);
    this.dial(request, choice, removed, this.proxy.dispatchCost(position, this.cluster.services, choice.index, this.nodePort, this.streams.dispatch));
  }

  /** Binds a pod's new connection to `choice` and sends its SYN after the client node's CPU work, `dispatch` (the NAT rules' walk) its last part. */
  private dial(request: Request, choice: EndpointChoice, removed: boolean, dispatch: number): void {
    const node = request.node;
    bindEndpoint(this.cluster, request, choice, node.index);
    if (removed) this.metrics.removedEndpointRequests.add();
    node.dispatchCpuSeconds += dispatch;
    request.dispatchSeconds = dispatch + this.policy.egress(request, node);
    // Handshake (3), the first segment of the request and of the response (2), and close (4).
    const packets = 3 + 2 + 4;
    // Dispatch (and NetworkPolicy's egress walk) is the last of this CPU work: the SYN's own trip through the rules on its way out.
    const cpu = request.workload.clientCpuSeconds + this.tcp.connectionSetupSeconds + this.packetCpu(node, packets, request.kind) + request.dispatchSeconds;
    node.cpu.serve(cpu, this.setup.sendSyn, request);
    this.offPathCpu(node, request.workload, request.kind);
  }

  /**
   * An external client's new connection: the node it enters at dispatches it as a NodePort (the
   * proxy's whole walk to KUBE-NODEPORTS, or its map lookup), its conntrack takes the DNAT'd (and,
   * under Cluster, SNAT'd) entry, and the SYN goes on to the endpoint, on another node or its own.
   */
  private connectFromOutside(request: Request): void {
    const choice = this.external.enter(request, request.workload.external!);
    const node = request.node;
    if (choice === null) {
      if (request.workload.external!.policy === 'Cluster') return this.finish(request, 'refused');
      // Local, no endpoint here: the rules drop it; the client's SYNs (same 5-tuple, same node) go unanswered until it gives up.
      if (!request.workload.closedLoop) {
        const giveUp = this.tcp.initialRtoSeconds * (2 ** (this.tcp.synRetries + 1) - 1);
        const deadline = request.workload.deadlineSeconds;
        this.sim.schedule(Math.min(giveUp, deadline), () => this.finish(request, giveUp < deadline ? 'timeout' : 'deadline_exceeded'));
      }
      return;
    }
    bindEndpoint(this.cluster, request, choice, node.index);
    if (choice.endpoint !== null && choice.endpoint.removedAt <= this.sim.now) this.metrics.removedEndpointRequests.add();
    const services = this.cluster.services;
    const dispatch = this.proxy.dispatchCost(services, services, choice.index, true, this.streams.dispatch);
    node.dispatchCpuSeconds += dispatch;
    request.dispatchSeconds = dispatch;
    // The node forwards the handshake, the first segments and the close; no socket of its own.
    node.cpu.serve(this.packetCpu(node, 3 + 2 + 4, request.kind) + dispatch, this.setup.sendSyn, request);
    this.offPathCpu(node, request.workload, request.kind);
  }

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
    // The pod's own CPU draws on its limit's quota: paused until the next period when it is spent.
    const pause = this.serverCpuQuotas.pause(request, request.workload.serverCpuSeconds, this.sim.now);
    if (pause > 0) this.sim.post(pause, this.serverCpu, request);
    else this.serverCpu(request);
  };

  private readonly serverCpu = (request: Request): void => {
    const node = this.serverNode(request.servingNode);
    // The server node's own per-connection work (accept, teardown) on a connection's first
    // request, when the client is on another node or outside; on one node, the client's charge covers it.
    const newHere = (request.kind !== 'same-node' || (request.workload.external !== null && !request.viaIngress)) && (request.background || request.connection!.requests === 0);
    const cpu = request.workload.serverCpuSeconds + (newHere ? this.tcp.connectionSetupSeconds + this.policy.ingress(request, node) : 0) + this.packetCpu(node, 2, request.kind);
    node.cpu.serve(cpu, this.serverCpuDone, request);
    this.offPathCpu(node, request.workload, request.kind);
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
    // Past an ingress controller, the connection is the controller pod's, kept by its upstream keep-alive.
    const keepAlive = request.viaIngress ? this.ingress!.config.keepAlive : request.workload.keepAlive;
    const pool = keepAlive === null ? undefined : this.pools.get(connection.poolKey);
    if (keepAlive === null || connection.requests >= keepAlive.maxRequests || (request.viaIngress && (pool?.length ?? 0) >= this.ingress!.config.keepAlive.connections)) {
      this.closeConnection(connection);
    } else {
      connection.idleHandle = this.sim.schedule(keepAlive.idleSeconds, this.idleExpired, connection);
      if (pool === undefined) this.pools.set(connection.poolKey, [connection]);
      else pool.push(connection);
    }
    if (request.finished) return; // a closed-loop client already gave up at its deadline
    if (request.viaIngress) {
      // The controller relays the response: its last leg to the client outside.
      this.sim.schedule(request.ingressReturnSeconds, this.clientReceives, request);
      return;
    }
    this.clientReceives(request);
  };

  private readonly clientReceives = (request: Request): void => {
    if (request.finished) return;
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
   * A message of `bytes` from `sender` to the request's other end: path latency plus bytes at the
   * rate it gets, half the mesh's latency on top. More than one segment to another node is a flow
   * on the sender's NIC (nic.ts), then the path latency (`left`, then `arrives`); one segment, or
   * one node, goes in one event (docs/architecture.md, "The request's path").
   */
  private transfer(request: Request, sender: DetailedNode, bytes: number, left: (request: Request) => void, arrives: (request: Request) => void): void {
    const path = this.path;
    if (bytes <= path.mssBytes || request.kind === 'same-node') {
      const delay = path.transferSeconds(bytes, request.kind, this.streams.latency) + request.meshSeconds / 2 + request.externalSeconds;
      this.sim.schedule(delay, arrives, request);
      return;
    }
    // The same draw as transferSeconds makes, so the latency stream's sequence does not change.
    request.tailSeconds = path.oneWayLatency(request.kind).sample(this.streams.latency) + request.meshSeconds / 2 + request.externalSeconds;
    sender.nic.start(bytes * 8, left, request);
  }

  private finish(request: Request, outcome: Outcome): void {
    if (request.finished) return;
    request.finished = true;
    if (request.deadlineHandle >= 0) this.sim.cancel(request.deadlineHandle);
    // The external client, not the controller pod, sends its next request (closed loop).
    if (request.viaIngress) request.clientPod = request.ingressClient;
    this.metrics.outcomes[outcome].add();
    if (outcome === 'ok' && !request.background) this.metrics.zoneRequests.count(request.kind);
    if (request.onDone !== null) request.onDone(request);
  }

  private closeConnection(connection: Connection): void {
    const now = this.sim.now;
    connection.clientFlows.tcpClose(now);
    if (connection.serverFlows !== null) connection.serverFlows.tcpClose(now);
    this.setup.closePort(connection);
  }

  /**
   * CPU a node spends on a request off its path: the segments of each message after its first,
   * and the sidecar's work. A job of its own (no event at all when there is none, as for
   * single-segment messages without a mesh).
   */
  private offPathCpu(node: DetailedNode, workload: WorkloadModel, kind: NodeKind): void {
    const segments = this.path.packetsFor(workload.requestBytes) + this.path.packetsFor(workload.responseBytes) - 2;
    const seconds = (segments > 0 ? this.packetCpu(node, segments, kind) : 0) + (this.mesh === null ? 0 : this.mesh.cpuPerRequestSeconds);
    if (seconds > 0) node.cpu.serve(seconds);
  }

  /** Kernel CPU for `packets` packets on `node` (data path, conntrack lookup and NAT, and a tunnel's encapsulation between nodes). */
  private packetCpu(node: DetailedNode, packets: number, kind: NodeKind): number {
    const seconds = packets * (this.path.cpuPerPacketSeconds + this.proxy.establishedPacketCost + (kind === 'same-node' ? 0 : this.proxy.crossNodePacketCost));
    node.packetCpuSeconds += seconds;
    return seconds;
  }

  /** The node serving a pod: a detailed node, or one simulated as a server only. */
  serverNode(index: number): DetailedNode {
    return index < this.nodes.length ? this.nodes[index] : this.serverOnlyNode(index);
  }

  /** Each worker pool's utilisation so far, in order of creation. */
  workerUtilisations(): number[] {
    return this.workers.utilisations();
  }

  resetStatistics(): void {
    const m = this.metrics;
    for (const counter of Object.values(m.outcomes)) counter.reset();
    for (const stat of [m.requestDuration, m.connectDuration, m.removedEndpointRequests, m.backgroundRequests, m.zoneRequests, m.ipvsReuseDrops]) stat.reset();
    this.dns?.resetStatistics();
    this.external.resetStatistics();
    this.ingress?.resetStatistics();
    this.workers.resetStatistics();
    this.serverCpuQuotas.resetStatistics(this.sim.now);
  }
}
