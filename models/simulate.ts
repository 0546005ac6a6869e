// One point of an experiment: build the cluster and its network on a fresh Simulator, run the
// warm-up, discard its statistics, run the measured window, and return the metrics.
// `simulate(settings, seed, replication)` is a pure function of its arguments.

import { zipf, type Distribution } from '../engine/distributions.js';
import { RandomStreams } from '../engine/random.js';
import { Simulator } from '../engine/simulator.js';
import { offeredRates, startBackgroundLoad, startClients } from './clients.js';
import { startChurn } from './churn.js';
import { Cluster } from './cluster.js';
import { clientsOnNode } from './cluster.js';
import { mean, putCounter, putDistribution, putGauge, type Metrics } from './metrics.js';
import { Network, OUTCOMES, type DetailedNode, type WorkloadModel } from './network.js';
import type { ConstantRecord } from './profiles/load.js';
import { networkSettings, type NetworkSettings } from './settings.js';
import { buildParts } from './wiring.js';
import { toDistribution, type WorkloadSettings } from './workload.js';
import type { DnsRuntime } from './dns/runtime.js';
import { Histogram } from '../engine/stats/index.js';

export { networkSettings, type NetworkSettings };

export interface SimulationResult {
  metrics: Metrics;
  /** Every profile constant the point used, with its source (for the report's assumptions). */
  constants: ConstantRecord[];
  /** Events the simulator executed: the benchmarks' unit. */
  events: number;
}

function workloadModel(settings: WorkloadSettings, index: number, services: number, dns: NetworkSettings['dns']): WorkloadModel {
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
    clientCpuSeconds: settings.cpuPerRequest.client,
    serverCpuSeconds: settings.cpuPerRequest.server,
    workers: settings.server.workers,
    serviceTime: toDistribution(settings.server.serviceTime),
    deadlineSeconds: settings.deadline,
    closedLoop: settings.closedLoop !== undefined,
    dnsName: settings.dnsName === 'clusterIP' ? null : settings.dnsName,
    pickExternal: externalPicker(settings),
    // A TTL-respecting client keeps an answer for its TTL: the kubernetes plugin's for Services,
    // the upstream's (mean) for external names.
    clientCacheTtlSeconds:
      dns.resolver.cache === 'none' ? 0 : typeof settings.dnsName === 'string' ? dns.coredns.kubernetesTTL : toDistribution(dns.upstream.ttl).mean,
  };
}

/** Which external name a request resolves: one name, or a population drawn uniformly or by Zipf. */
function externalPicker(settings: WorkloadSettings): (rng: { next(): number }) => number {
  const form = settings.dnsName;
  if (typeof form === 'string' || typeof form.external === 'string') return () => 0;
  const { names, zipf: s } = form.external;
  if (s === undefined || s === 0) return (rng) => Math.floor(rng.next() * names);
  const popularity = zipf(names, s);
  return (rng) => popularity.sample(rng);
}

/**
 * DNS metrics. Lookup distributions are per lookup; CoreDNS and upstream counters are
 * cluster-wide already (the replicas receive every node's queries, see dns/runtime.ts); the
 * clients' own timeouts are scaled like the other request counts.
 */
function putDnsMetrics(
  metrics: Metrics,
  dns: DnsRuntime,
  memory: { bytes: number; limitBytes: number },
  nodes: DetailedNode[],
  nodeCount: number,
  window: number,
  scale: number,
  nodeLocal: boolean,
): void {
  const m = dns.metrics;
  putDistribution(metrics, 'dns_lookup_duration_seconds', m.lookupDuration);
  metrics['dns_queries_per_lookup.mean'] = m.queriesPerLookup.mean;
  metrics['dns_nxdomain_per_lookup.mean'] = m.nxdomainPerLookup.mean;
  metrics['dns_round_trips_per_lookup.mean'] = m.roundTripsPerLookup.mean;
  putCounter(metrics, 'dns_lookups_failed_total', m.failedLookups.total, window, scale);
  putCounter(metrics, 'dns_timeouts_total', m.timeouts.total, window, scale);
  putCounter(metrics, 'coredns_dns_requests_total', m.corednsRequests.total, window);
  putCounter(metrics, 'coredns_cache_hits_total', m.corednsCacheHits.total, window);
  putCounter(metrics, 'coredns_cache_misses_total', m.corednsCacheMisses.total, window);
  putCounter(metrics, 'coredns_forward_requests_total', m.corednsForwards.total, window);
  putCounter(metrics, 'coredns_dropped_requests_total', m.corednsDrops.total, window);
  putCounter(metrics, 'upstream_queries_total', m.upstreamQueries.total, window);
  putCounter(metrics, 'upstream_drops_total', m.upstreamDrops.total, window);
  const utilisation = dns.replicas.map((r) => r.cpu.utilisation());
  putGauge(metrics, 'coredns_cpu_utilization', mean(utilisation), Math.max(...utilisation));
  putGauge(metrics, 'coredns_replicas', dns.replicas.length, dns.replicas.length);
  putGauge(metrics, 'coredns_memory_bytes', memory.bytes, memory.bytes);
  // 1 when the published memory formula exceeds the container's limit: a risk of OOM kills.
  putGauge(metrics, 'coredns_oom_risk', memory.bytes > memory.limitBytes ? 1 : 0, memory.bytes > memory.limitBytes ? 1 : 0);
  if (nodeLocal) {
    metrics['nodelocal_cache_hit_ratio.mean'] = m.nodeLocalQueries.total > 0 ? m.nodeLocalHits.total / m.nodeLocalQueries.total : NaN;
    const busy = dns.nodeLocalUtilisations();
    putGauge(metrics, 'nodelocal_cpu_utilization', mean(busy), busy.length > 0 ? Math.max(...busy) : NaN);
  }
  putCounter(metrics, 'conntrack_insert_failed_total', nodes.reduce((sum, n) => sum + n.flows.insertFailed.total, 0) / nodeCount, window);
}

/** Client pods of all workloads on each node. */
function clientsPerNode(workloads: WorkloadSettings[], cluster: Cluster): number[] {
  const perNode = new Array<number>(cluster.nodes).fill(0);
  for (const w of workloads) for (let n = 0; n < cluster.nodes; n++) perNode[n] += clientsOnNode(w.clients, n, cluster.nodes, cluster.podsPerNode);
  return perNode;
}

/** Whether every node hosts the same clients, so that any node can stand in for any other (cluster.ts). */
function clientsAreSpread(workloads: WorkloadSettings[], cluster: Cluster): boolean {
  for (const w of workloads) {
    const first = clientsOnNode(w.clients, 0, cluster.nodes, cluster.podsPerNode);
    for (let n = 1; n < cluster.nodes; n++) if (clientsOnNode(w.clients, n, cluster.nodes, cluster.podsPerNode) !== first) return false;
  }
  return true;
}

export function simulate(input: NetworkSettings, seed: number, replication = 0): SimulationResult {
  const settings = input;
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
  const parts = buildParts(sim, settings, cluster, streams);
  const network = new Network(
    sim,
    cluster,
    parts.nodes,
    parts.proxy,
    parts.path,
    parts.mesh,
    parts.tcp,
    settings.churn.terminationGrace,
    { dispatch: streams.stream('dispatch'), latency: streams.stream('latency'), service: streams.stream('service') },
    parts.makeServerOnlyNode,
  );
  network.dns = parts.dns;

  let clientPodsAll = 0;
  let clientPodsDetailed = 0;
  settings.workload.forEach((w, i) => {
    const model = workloadModel(w, i, cluster.services, settings.dns);
    const clientStreams = { arrivals: streams.stream(`arrivals/${w.name}/${i}`), targets: streams.stream(`targets/${w.name}/${i}`) };
    startClients(sim, network, parts.nodes, model, w, clientStreams);
    if (cluster.mirror && cluster.detailedNodes < cluster.nodes) {
      // Mirrors already carry the detailed clients' share; add what uneven rounding leaves out.
      const rates = offeredRates(w, cluster);
      const missing = (rates.total * cluster.detailedNodes - rates.detailed * cluster.nodes) / cluster.nodes;
      startBackgroundLoad(sim, network, model, missing, { arrivals: streams.stream(`background/${w.name}/${i}`), targets: clientStreams.targets });
    }
    for (let n = 0; n < cluster.nodes; n++) {
      const c = clientsOnNode(w.clients, n, cluster.nodes, cluster.podsPerNode);
      clientPodsAll += c;
      if (n < cluster.detailedNodes) clientPodsDetailed += c;
    }
  });
  startChurn(sim, cluster, parts.nodes, settings.churn, streams.stream('churn'));

  const warmup = settings.warmup;
  const end = warmup + settings.duration;
  if (warmup > 0) {
    sim.run({ until: warmup });
    network.resetStatistics();
    for (const node of [...parts.nodes, ...network.serverOnly()]) parts.resetNode(node, sim.now);
  }
  sim.run({ until: end });

  const window = settings.duration;
  const scale = clientPodsDetailed > 0 ? clientPodsAll / clientPodsDetailed : 0;
  const metrics: Metrics = {};
  const m = network.metrics;
  putDistribution(metrics, 'request_duration_seconds', m.requestDuration);
  putDistribution(metrics, 'connect_duration_seconds', m.connectDuration);
  for (const outcome of OUTCOMES) putCounter(metrics, `request_outcomes_total{outcome=${outcome}}`, m.outcomes[outcome].total, window, scale);
  metrics['requests_per_second.mean'] = (m.outcomes.ok.total * scale) / window;
  putCounter(metrics, 'requests_to_removed_endpoints_total', m.removedEndpointRequests.total, window, scale);

  // Node metrics: over the detailed nodes, which stand for every node when clients are spread;
  // otherwise over all N nodes, those never touched by the simulated load counting as idle.
  const nodes = parts.nodes;
  const servingNodes = cluster.mirror ? nodes : [...nodes, ...network.serverOnly()];
  const nodeCount = cluster.mirror ? nodes.length : cluster.nodes;
  // A server-only node created during the window was idle before: its time averages cover only
  // its life, so they are weighted by the share of the window it lived.
  const lived = (n: DetailedNode) => (end - Math.max(n.createdAt, warmup)) / window;
  const nodeMean = (value: (n: DetailedNode) => number, timeAverage = false) =>
    servingNodes.reduce((sum, n) => sum + value(n) * (timeAverage ? lived(n) : 1), 0) / nodeCount;
  const nodeMax = (value: (n: DetailedNode) => number) => Math.max(...servingNodes.map(value));
  putGauge(metrics, 'node_nf_conntrack_entries', nodeMean((n) => n.netfilter.occupancy.mean(end), true), nodeMax((n) => n.netfilter.occupancy.max));
  putGauge(metrics, 'node_nf_conntrack_entries_limit', nodes[0].netfilter.limit, nodes[0].netfilter.limit);
  putCounter(metrics, 'conntrack_drops_total', nodeMean((n) => n.netfilter.drops.total), window);
  putGauge(metrics, 'conntrack_memory_bytes', nodeMean((n) => n.netfilter.memoryBytes(end)), nodeMax((n) => n.netfilter.occupancy.max) * parts.netfilterBytesPerEntry);
  if (nodes[0].flows !== nodes[0].netfilter) {
    putGauge(metrics, 'cilium_bpf_ct_entries', nodeMean((n) => n.flows.occupancy.mean(end), true), nodeMax((n) => n.flows.occupancy.max));
    putCounter(metrics, 'cilium_bpf_ct_drops_total', nodeMean((n) => n.flows.drops.total), window);
  }

  const syncs = new Histogram();
  const fullSyncs = new Histogram();
  const partialSyncs = new Histogram();
  const restores = new Histogram();
  const programming = new Histogram();
  for (const node of nodes) {
    syncs.merge(node.proxy.syncDurations);
    fullSyncs.merge(node.proxy.fullSyncDurations);
    partialSyncs.merge(node.proxy.partialSyncDurations);
    restores.merge(node.proxy.restoreDurations);
    programming.merge(node.proxy.programmingLatency);
  }
  putDistribution(metrics, 'kubeproxy_sync_proxy_rules_duration_seconds', syncs);
  putDistribution(metrics, 'kubeproxy_sync_full_proxy_rules_duration_seconds', fullSyncs);
  putDistribution(metrics, 'kubeproxy_sync_partial_proxy_rules_duration_seconds', partialSyncs);
  putDistribution(metrics, 'proxy_rules_restore_duration_seconds', restores);
  putDistribution(metrics, 'kubeproxy_network_programming_duration_seconds', programming);
  // Every node syncs alike (sync CPU: mean over detailed nodes); dispatch and packets follow the load.
  const syncCores = mean(nodes.map((n) => n.proxy.cpuSeconds)) / window;
  putGauge(
    metrics,
    'proxy_cpu_cores',
    syncCores + nodeMean((n) => n.dispatchCpuSeconds) / window,
    Math.max(...nodes.map((n) => n.proxy.cpuSeconds / window)) + nodeMax((n) => n.dispatchCpuSeconds) / window,
  );
  putGauge(metrics, 'datapath_cpu_cores', nodeMean((n) => n.packetCpuSeconds) / window, nodeMax((n) => n.packetCpuSeconds) / window);
  putGauge(metrics, 'node_cpu_utilization', nodeMean((n) => n.cpu.utilisation(), true), nodeMax((n) => n.cpu.utilisation()));
  putGauge(metrics, 'nic_utilization', nodeMean((n) => n.nic.utilisation(), true), nodeMax((n) => n.nic.utilisation()));
  if (parts.dns !== null) putDnsMetrics(metrics, parts.dns, parts.corednsMemory, servingNodes, nodeCount, window, scale, settings.dns.nodeLocal.enabled);

  const pools = network.workerUtilisations();
  putGauge(metrics, 'server_worker_utilization', mean(pools), pools.length > 0 ? Math.max(...pools) : NaN);

  return { metrics, constants: parts.constants, events: sim.eventsExecuted };
}
