// One point of an experiment, in three parts: build the cluster and its network on a fresh
// Simulator, run the warm-up, discard its statistics and run the measured window, then collect
// the metrics (metrics.ts). `simulate(settings, seed, replication)` is a pure function of its
// arguments.

import { zipf, type Distribution } from '../engine/distributions.js';
import { RandomStreams } from '../engine/random.js';
import { Simulator } from '../engine/simulator.js';
import { offeredRates, startBackgroundLoad, startClients, startExternalClients } from './clients.js';
import { externalRoute, loadLbProfile } from './external.js';
import { ingressConfig } from './ingress.js';
import { startChurn } from './churn.js';
import { externalPicker, newDnsClientStats, resetDnsClientStats, startDnsClients, type DnsClientStats } from './dns-clients.js';
import { clientsOnNode, Cluster } from './cluster.js';
import { collectMetrics, type Metrics } from './metrics.js';
import { Network } from './network.js';
import type { ExternalRoute, WorkloadModel } from './parts.js';
import { buildPolicy, type BuiltPolicy } from './policy/build.js';
import { NO_POLICY } from './policy/enforcement.js';
import { portConfig, type PortConfig } from './ports.js';
import type { ConstantRecord } from './profiles/load.js';
import { networkSettings, type NetworkSettings } from './settings.js';
import { buildParts, type Parts } from './wiring.js';
import { toDistribution, type WorkloadSettings } from './workload.js';
import { SnatRace } from './snat.js';
import { clampTtl } from './dns/cache.js';

export { networkSettings, type NetworkSettings };

export interface SimulationResult {
  metrics: Metrics;
  /** Every profile constant the point used, with its source (for the report's assumptions). */
  constants: ConstantRecord[];
  /** Events the simulator executed: the benchmarks' unit. */
  events: number;
}

function workloadModel(settings: WorkloadSettings, index: number, services: number, dns: NetworkSettings['dns'], ports: PortConfig, external: ExternalRoute | null): WorkloadModel {
  let pick: (rng: { next(): number }) => number;
  const target = settings.target;
  if (target === 'uniform') {
    pick = (rng) => Math.floor(rng.next() * services);
  } else if (typeof target === 'string') {
    const fixed = Number(target.slice('svc-'.length));
    pick = () => fixed;
  } else {
    const popularity: Distribution = zipf(services, target.zipf);
    pick = (rng) => popularity.sample(rng);
  }
  return {
    name: settings.name,
    index,
    pickService: pick,
    keepAlive: settings.connection === 'new' ? null : { maxRequests: settings.connection.keepAlive.maxRequests, idleSeconds: settings.connection.keepAlive.idle },
    requestBytes: settings.requestSize,
    responseBytes: settings.responseSize,
    // An external client's CPU is its own machine's, not a node's.
    clientCpuSeconds: external === null ? settings.cpuPerRequest.client : 0,
    serverCpuSeconds: settings.cpuPerRequest.server,
    workers: settings.server.workers,
    serviceTime: toDistribution(settings.server.serviceTime),
    serverCpuLimit: settings.server.cpuLimit ?? null,
    serviceTimeIsCpu: settings.server.serviceTimeIsCpu ?? false,
    deadlineSeconds: settings.deadline,
    closedLoop: settings.closedLoop !== undefined,
    // External clients resolve the load balancer's public name, not a cluster one.
    dnsName: settings.dnsName === 'clusterIP' || external !== null ? null : settings.dnsName,
    pickExternal: externalPicker(settings.dnsName),
    // A TTL-respecting client keeps an answer for its TTL: the kubernetes plugin's for Services,
    // the upstream's (mean) for external names.
    clientCacheTtlSeconds:
      dns.resolver.cache === 'none' ? 0 : typeof settings.dnsName === 'string' ? dns.coredns.kubernetesTTL : toDistribution(dns.upstream.ttl).mean,
    headless: settings.service === 'Headless' ? { answerMaxAgeSeconds: headlessAnswerMaxAge(dns) } : null,
    externalName: typeof settings.service === 'object' ? settings.service.externalName : null,
    ports,
    external,
  };
}

/**
 * The oldest a headless Service's answer can be: CoreDNS caches the kubernetes plugin's answer for
 * its TTL within the cache's bounds (cache.ts clampTtl); the plugin learns of endpoint changes
 * from its watch at once (kubernetes/dns#332). A TTL-respecting client's own cache comes on top
 * (network.ts keeps its pick).
 */
function headlessAnswerMaxAge(dns: NetworkSettings['dns']): number {
  return clampTtl(dns.coredns.kubernetesTTL, dns.coredns.cache.minTTL, dns.coredns.cache.successTTL);
}

/** Client pods of all workloads on each node. */
/** The workloads whose clients are pods (external clients are on no node). */
function podWorkloads(workloads: WorkloadSettings[]): WorkloadSettings[] {
  return workloads.filter((w) => w.from !== 'external');
}

function clientsPerNode(workloads: WorkloadSettings[], cluster: Cluster): number[] {
  const perNode = new Array<number>(cluster.nodes).fill(0);
  for (const w of podWorkloads(workloads)) for (let n = 0; n < cluster.nodes; n++) perNode[n] += clientsOnNode(w.clients, n, cluster.nodes, cluster.podsPerNode);
  return perNode;
}

/** Whether every node hosts the same clients, so that any node can stand in for any other (cluster.ts). */
function clientsAreSpread(workloads: WorkloadSettings[], cluster: Cluster): boolean {
  for (const w of podWorkloads(workloads)) {
    const first = clientsOnNode(w.clients, 0, cluster.nodes, cluster.podsPerNode);
    for (let n = 1; n < cluster.nodes; n++) if (clientsOnNode(w.clients, n, cluster.nodes, cluster.podsPerNode) !== first) return false;
  }
  return true;
}

export function simulate(settings: NetworkSettings, seed: number, replication = 0): SimulationResult {
  const point = build(settings, seed, replication);
  run(point, settings.warmup, settings.duration);
  return { metrics: collect(point, settings), constants: point.parts.constants, events: point.sim.eventsExecuted };
}

/** A point built and started: its clients, background load and churn are scheduled. */
interface BuiltPoint {
  sim: Simulator;
  cluster: Cluster;
  parts: Parts;
  network: Network;
  /** Client pods of every workload, on all nodes and on the detailed ones. */
  clientPods: { all: number; detailed: number };
  /** What the DNS-only workloads' clients saw; null when there are none. */
  dnsClients: DnsClientStats | null;
  /** NetworkPolicy, or null when the cluster has none. */
  policy: BuiltPolicy | null;
}

function build(settings: NetworkSettings, seed: number, replication: number): BuiltPoint {
  const sim = new Simulator();
  const streams = new RandomStreams(seed, replication);
  const cluster = new Cluster(settings.cluster, streams.stream('cluster'));
  cluster.mirror = clientsAreSpread(settings.workload, cluster);
  if (!cluster.mirror) {
    // Every node that hosts a client is simulated in detail (clients are placed from node 0 up).
    const perNode = clientsPerNode(settings.workload, cluster);
    let last = 0;
    perNode.forEach((c, n) => (last = c > 0 ? n : last));
    cluster.detailedNodes = Math.max(cluster.detailedNodes, last + 1);
  }
  // External clients may enter at any node and their load is not a pod's to mirror: every node in detail.
  const external = settings.workload.some((w) => w.from === 'external');
  if (external) cluster.detailedNodes = cluster.nodes;
  const parts = buildParts(sim, settings, cluster, streams);
  const policy = buildPolicy(sim, settings, cluster.podsPerNode, parts.nodes, streams);
  if (policy !== null) parts.constants.push(...policy.constants);
  const lb = external ? loadLbProfile(settings.profiles.lb) : null;
  if (lb !== null) parts.constants.push(...lb.constants.map((c) => ({ ...c, path: `lb.${c.path}` })));
  const ingress = settings.ingress === undefined ? null : ingressConfig(settings.ingress, settings.profiles, parts.tcp.connectionSetupSeconds);
  if (ingress !== null) parts.constants.push(...ingress.constants);
  const network = new Network({
    sim,
    cluster,
    nodes: parts.nodes,
    proxy: parts.proxy,
    path: parts.path,
    mesh: parts.mesh,
    tcp: parts.tcp,
    terminationGraceSeconds: settings.churn.terminationGrace,
    streams: { dispatch: streams.stream('dispatch'), latency: streams.stream('latency'), service: streams.stream('service'), lb: streams.stream('lb'), headless: streams.stream('headless') },
    serverOnlyNode: parts.serverOnlyNode,
    dns: parts.dns,
    policy: policy === null ? NO_POLICY : policy.enforcement,
    cfsPeriodSeconds: parts.cfsPeriodSeconds,
    snat: parts.snat === null ? null : new SnatRace(parts.snat, streams.stream('snat')),
    ingress: ingress === null ? null : { config: ingress, rng: streams.stream('ingress') },
  });

  const clientPods = { all: 0, detailed: 0 };
  const dnsClients = settings.workload.some((w) => w.dns !== undefined) ? newDnsClientStats() : null;
  settings.workload.forEach((w, i) => {
    const ports = portConfig(w.sysctls, w.activeClose, parts.ports.profile, parts.ports.conntrackTimeWaitSeconds, parts.ports.ipvsDropSeconds);
    const model = workloadModel(w, i, cluster.services, settings.dns, ports, lb === null ? null : externalRoute(w, lb.values));
    const clientStreams = { arrivals: streams.stream(`arrivals/${w.name}/${i}`), targets: streams.stream(`targets/${w.name}/${i}`) };
    if (w.dns !== undefined) {
      if (parts.dns === null || dnsClients === null) throw new Error(`workload ${w.name}: a DNS-only workload needs cluster DNS`);
      const context = { sim, dns: parts.dns, cluster, nodes: parts.nodes, pickService: model.pickService, resolverTimeoutSeconds: settings.dns.resolver.timeout, stats: dnsClients };
      startDnsClients(context, w, w.dns, clientStreams);
    } else if (model.external !== null) {
      network.external.addRoute(model.external);
      startExternalClients(sim, network, model, w, settings.workload.length, clientStreams);
    } else startClients(sim, network, parts.nodes, model, w, clientStreams);
    if (w.dns === undefined && w.from !== 'external' && cluster.mirror && cluster.detailedNodes < cluster.nodes) {
      // Mirrors already carry the detailed clients' share; add what uneven rounding leaves out.
      const rates = offeredRates(w, cluster);
      const missing = (rates.total * cluster.detailedNodes - rates.detailed * cluster.nodes) / cluster.nodes;
      startBackgroundLoad(sim, network, model, missing, { arrivals: streams.stream(`background/${w.name}/${i}`), targets: clientStreams.targets });
    }
    if (w.from === 'external') {
      // Not pods; counted so that request metrics are not scaled (every node is in detail).
      clientPods.all += w.clients as number;
      clientPods.detailed += w.clients as number;
      return;
    }
    for (let n = 0; n < cluster.nodes; n++) {
      const c = clientsOnNode(w.clients, n, cluster.nodes, cluster.podsPerNode);
      clientPods.all += c;
      if (n < cluster.detailedNodes) clientPods.detailed += c;
    }
  });
  const answersKept = settings.workload.some((w) => w.service === 'Headless') ? headlessAnswerMaxAge(settings.dns) : 0;
  startChurn(sim, cluster, parts.nodes, settings.churn, streams.stream('churn'), parts.controlPlane, answersKept);
  return { sim, cluster, parts, network, clientPods, dnsClients, policy };
}

/** Runs the warm-up, discards what it measured, then runs the measured window. */
function run(point: BuiltPoint, warmupSeconds: number, durationSeconds: number): void {
  const { sim, parts, network } = point;
  if (warmupSeconds > 0) {
    sim.run({ until: warmupSeconds });
    network.resetStatistics();
    if (point.dnsClients !== null) resetDnsClientStats(point.dnsClients);
    point.policy?.enforcement.resetStatistics();
    for (const node of [...parts.nodes, ...parts.serverOnlyNodes()]) parts.resetNode(node, sim.now);
    parts.controlPlane.resetStatistics();
  }
  sim.run({ until: warmupSeconds + durationSeconds });
}

function collect(point: BuiltPoint, settings: NetworkSettings): Metrics {
  const { cluster, parts, network, clientPods } = point;
  return collectMetrics({
    network: network.metrics,
    nodes: parts.nodes,
    serverOnlyNodes: parts.serverOnlyNodes(),
    mirror: cluster.mirror,
    clusterNodes: cluster.nodes,
    warmupSeconds: settings.warmup,
    windowSeconds: settings.duration,
    requestScale: clientPods.detailed > 0 ? clientPods.all / clientPods.detailed : 0,
    netfilterBytesPerEntry: parts.netfilterBytesPerEntry,
    workerUtilisations: network.workerUtilisations(),
    serverThrottling: network.serverCpuQuotas.throttling(),
    dns: parts.dns === null ? null : { runtime: parts.dns, memory: parts.corednsMemory, nodeLocal: settings.dns.nodeLocal.enabled },
    dnsClients: point.dnsClients,
    controlPlane: parts.controlPlane,
    policy: point.policy === null ? null : point.policy.enforcement,
    external: settings.workload.some((w) => w.from === 'external') && network.ingress === null ? network.external.stats : null,
    ingress: network.ingress === null ? null : network.ingress.stats,
  });
}
