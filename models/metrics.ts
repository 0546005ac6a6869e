// Metric keys as docs/architecture.md ("Results") names them: `<name>.<stat>`, named after the exporters a platform
// engineer's dashboards already show. Distributions give p50, p90, p99, p999, mean, max; counters
// total and rate (per simulated second of the measured window); gauges mean and max.
//
// Scope. Request metrics (request_*, connect_*, requests_per_second) are cluster-wide: what the
// detailed nodes' clients did, scaled by (all client pods ÷ detailed client pods) for counts.
// Node metrics (node_*, conntrack_*, kubeproxy_*, *_cpu_cores) are per node: the mean (or, for
// `.max`, the maximum) over the detailed nodes, as a per-node dashboard panel shows them.
// A quantile of an empty distribution is NaN (no observation), never 0.
//
// kube-proxy exports kubeproxy_sync_full_… and kubeproxy_sync_partial_proxy_rules_duration_seconds
// in iptables mode only; other modes log the same durations ("SyncProxyRules complete"), so the
// model reports them for every mode. proxy_rules_restore_duration_seconds is the model's own: the
// restore step of each sync (iptables-restore, nft, netlink or BPF updates), which kube-proxy
// does not export but issues time by hand.
//
// collectMetrics() gathers a point's metrics at the end of its run, in a fixed key order (the
// order points.jsonl and summary.json list them in).

import { Histogram } from '../engine/stats/index.js';
import { exceedsMemoryLimit } from './dns/coredns-costs.js';
import { RCODES } from './dns/questions.js';
import { meanThrottling } from './dns/cpu-limit.js';
import type { DnsRuntime } from './dns/runtime.js';
import type { DnsClientStats } from './dns-clients.js';
import { OUTCOMES, type DetailedNode, type NetworkMetrics } from './parts.js';
import { BpfConntrack } from './conntrack/index.js';
import type { ControlPlane } from './control-plane/propagation.js';
import type { PolicyStats } from './policy/enforcement.js';
import type { ExternalStats } from './external.js';
import type { IngressStats } from './ingress.js';

export type Metrics = Record<string, number>;

const QUANTILES: [string, number][] = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p99', 0.99],
  ['p999', 0.999],
];

function putDistribution(metrics: Metrics, name: string, histogram: Histogram): void {
  for (const [stat, q] of QUANTILES) metrics[`${name}.${stat}`] = histogram.count > 0 ? histogram.quantile(q) : NaN;
  metrics[`${name}.mean`] = histogram.count > 0 ? histogram.mean : NaN;
  metrics[`${name}.max`] = histogram.count > 0 ? histogram.max : NaN;
}

/** A counter's total over the measured window and its rate per second, scaled by `scale`. */
function putCounter(metrics: Metrics, name: string, total: number, windowSeconds: number, scale = 1): void {
  metrics[`${name}.total`] = total * scale;
  metrics[`${name}.rate`] = (total * scale) / windowSeconds;
}

function putGauge(metrics: Metrics, name: string, mean: number, max: number): void {
  metrics[`${name}.mean`] = mean;
  metrics[`${name}.max`] = max;
}

function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

/** What a point's metrics are read from once its measured window has run. */
export interface MetricsSources {
  network: NetworkMetrics;
  /** The detailed nodes, and the server-only nodes built during the run. */
  nodes: DetailedNode[];
  serverOnlyNodes: DetailedNode[];
  /** Whether the detailed nodes stand for every node (clients spread, cluster.ts). */
  mirror: boolean;
  /** Nodes in the cluster. */
  clusterNodes: number;
  warmupSeconds: number;
  windowSeconds: number;
  /** All client pods ÷ detailed client pods: request counts are scaled by it. */
  requestScale: number;
  netfilterBytesPerEntry: number;
  /** Each server pod's worker pool's utilisation, in order of creation. */
  workerUtilisations: number[];
  /** Throttled periods and seconds per serving pod with a CPU limit (0 when none has one). */
  serverThrottling: { periods: number; seconds: number };
  dns: DnsMetricsSources | null;
  /** What DNS-only workloads' clients saw (dns-clients.ts); null when there are none. */
  dnsClients: DnsClientStats | null;
  /** The EndpointSlice controller and the watch fan-out. */
  controlPlane: ControlPlane;
  /** NetworkPolicy's statistics; null when the cluster has no policies. */
  policy: PolicyStats | null;
  /** External clients' way in; null when no workload is external. */
  external: ExternalStats | null;
  /** The ingress controller's pods; null without an ingress. */
  ingress: IngressStats | null;
}

/** What the DNS metrics are read from. */
interface DnsMetricsSources {
  runtime: DnsRuntime;
  /** CoreDNS memory per replica by the published formula (MiB), and its limit (bytes). */
  memory: { mib: number; limitBytes: number };
  nodeLocal: boolean;
}

/** The nodes a per-node metric averages over, and the window and scale of the counters. */
interface NodeScope {
  nodes: DetailedNode[];
  /** What a per-node sum is divided by: the detailed nodes, or every node of the cluster. */
  nodeCount: number;
  windowSeconds: number;
  requestScale: number;
}

/** A point's metrics, in their fixed order. */
export function collectMetrics(sources: MetricsSources): Metrics {
  const metrics: Metrics = {};
  const window = sources.windowSeconds;
  const scale = sources.requestScale;
  const m = sources.network;
  putDistribution(metrics, 'request_duration_seconds', m.requestDuration);
  putDistribution(metrics, 'connect_duration_seconds', m.connectDuration);
  for (const outcome of OUTCOMES) putCounter(metrics, `request_outcomes_total{outcome=${outcome}}`, m.outcomes[outcome].total, window, scale);
  metrics['requests_per_second.mean'] = (m.outcomes.ok.total * scale) / window;
  putCounter(metrics, 'requests_to_removed_endpoints_total', m.removedEndpointRequests.total, window, scale);
  const zoned = m.zoneRequests;
  metrics['requests_cross_zone_share.mean'] = zoned.answered.total > 0 ? zoned.crossZone.total / zoned.answered.total : NaN;
  putCounter(metrics, 'ipvs_conn_reuse_syn_dropped_total', m.ipvsReuseDrops.total, window, scale);

  // Node metrics: over the detailed nodes, which stand for every node when clients are spread;
  // otherwise over all N nodes, those never touched by the simulated load counting as idle.
  const nodes = sources.nodes;
  const servingNodes = sources.mirror ? nodes : [...nodes, ...sources.serverOnlyNodes];
  const nodeCount = sources.mirror ? nodes.length : sources.clusterNodes;
  const end = sources.warmupSeconds + window;
  // A server-only node created during the window was idle before: its time averages cover only
  // its life, so they are weighted by the share of the window it lived.
  const lived = (n: DetailedNode) => (end - Math.max(n.createdAt, sources.warmupSeconds)) / window;
  const nodeMean = (value: (n: DetailedNode) => number, timeAverage = false) =>
    servingNodes.reduce((sum, n) => sum + value(n) * (timeAverage ? lived(n) : 1), 0) / nodeCount;
  const nodeMax = (value: (n: DetailedNode) => number) => Math.max(...servingNodes.map(value));
  putGauge(metrics, 'node_nf_conntrack_entries', nodeMean((n) => n.netfilter.occupancy.mean(end), true), nodeMax((n) => n.netfilter.occupancy.max));
  putGauge(metrics, 'node_nf_conntrack_entries_limit', nodes[0].netfilter.limit, nodes[0].netfilter.limit);
  putCounter(metrics, 'conntrack_drops_total', nodeMean((n) => n.netfilter.drops.total), window);
  putCounter(metrics, 'conntrack_time_wait_reopened_total', nodeMean((n) => n.netfilter.reopened.total), window);
  putGauge(metrics, 'conntrack_memory_bytes', nodeMean((n) => n.netfilter.memoryBytes(end)), nodeMax((n) => n.netfilter.occupancy.max) * sources.netfilterBytesPerEntry);
  if (nodes[0].flows !== nodes[0].netfilter) {
    putGauge(metrics, 'cilium_bpf_ct_entries', nodeMean((n) => n.flows.occupancy.mean(end), true), nodeMax((n) => n.flows.occupancy.max));
    putCounter(metrics, 'cilium_bpf_ct_drops_total', nodeMean((n) => n.flows.drops.total), window);
    // The CT maps are LRU hash maps, preallocated: their memory is their size, whatever they hold.
    putGauge(metrics, 'cilium_bpf_ct_memory_bytes', nodeMean((n) => n.flows.memoryBytes(end)), nodeMax((n) => n.flows.memoryBytes(end)));
    if (nodes[0].flows instanceof BpfConntrack) {
      // Every node has the same memory, so the same map sizes.
      const limits = nodes[0].flows.mapLimits;
      putGauge(metrics, 'cilium_bpf_ct_tcp_entries_limit', limits.tcp, limits.tcp);
      putGauge(metrics, 'cilium_bpf_ct_any_entries_limit', limits.any, limits.any);
    }
  }
  putProxyMetrics(metrics, nodes, window);
  putControlPlaneMetrics(metrics, sources.controlPlane, nodes, window);
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
  if (sources.dns !== null) putDnsMetrics(metrics, sources.dns, { nodes: servingNodes, nodeCount, windowSeconds: window, requestScale: scale });
  const clients = sources.dnsClients;
  if (clients !== null) {
    // Cluster-wide as the request counts are: the detailed nodes' clients scaled to all of them.
    putDistribution(metrics, 'dns_query_duration_seconds', clients.queryDuration);
    putCounter(metrics, 'dns_client_answered_total', clients.answered.total, window, scale);
    putCounter(metrics, 'dns_client_unanswered_total', clients.unanswered.total, window, scale);
  }
  const pools = sources.workerUtilisations;
  putGauge(metrics, 'server_worker_utilization', mean(pools), pools.length > 0 ? Math.max(...pools) : NaN);
  putCounter(metrics, 'container_cpu_cfs_throttled_periods_total', sources.serverThrottling.periods, window);
  putCounter(metrics, 'container_cpu_cfs_throttled_seconds_total', sources.serverThrottling.seconds, window);
  const policy = sources.policy;
  if (policy !== null) {
    // Evaluations and denials are the detailed clients' connections, scaled as request counts are.
    putDistribution(metrics, 'policy_evaluation_seconds', policy.evaluation);
    putCounter(metrics, 'policy_denied_total', policy.denied.total, window, scale);
    putDistribution(metrics, 'policy_sync_duration_seconds', policy.sync);
    putGauge(metrics, 'policy_cpu_cores', nodeMean((n) => policy.cpuSeconds(n.index)) / window, nodeMax((n) => policy.cpuSeconds(n.index)) / window);
  }
  if (sources.external !== null) putExternalMetrics(metrics, sources.external, window);
  if (sources.ingress !== null) putIngressMetrics(metrics, sources.ingress, window);
  return metrics;
}

/** The ingress controller's pods: every node is in detail, so nothing is scaled. */
function putIngressMetrics(metrics: Metrics, stats: IngressStats, window: number): void {
  putCounter(metrics, 'ingress_requests_total', stats.requests.total, window);
  putDistribution(metrics, 'ingress_request_duration_seconds', stats.duration);
  putCounter(metrics, 'ingress_client_connections_opened_total', stats.clientConnections.total, window);
  putCounter(metrics, 'ingress_upstream_connections_opened_total', stats.upstreamOpened.total, window);
  const forwarded = stats.upstreamOpened.total + stats.upstreamReused.total;
  metrics['ingress_upstream_connection_reuse_share.mean'] = forwarded > 0 ? stats.upstreamReused.total / forwarded : NaN;
  const busy = stats.replicas.map((r) => r.cpu.utilisation() * r.cpu.servers);
  const utilisation = stats.replicas.map((r) => r.cpu.utilisation());
  putGauge(metrics, 'ingress_cpu_utilization', mean(utilisation), Math.max(...utilisation));
  putGauge(metrics, 'ingress_cpu_cores', busy.reduce((a, b) => a + b, 0), Math.max(...busy));
}

/** The way in for external clients: every node is in detail, so nothing is scaled. */
function putExternalMetrics(metrics: Metrics, stats: ExternalStats, window: number): void {
  const connections = stats.connections.total;
  const routed = connections - stats.dropped.total;
  putCounter(metrics, 'external_connections_total', connections, window);
  metrics['external_second_hop_share.mean'] = routed > 0 ? stats.secondHops.total / routed : NaN;
  metrics['external_source_ip_preserved_share.mean'] = routed > 0 ? stats.sourcePreserved.total / routed : NaN;
  const perPod = [...stats.perPod.values()];
  metrics['external_endpoint_imbalance.mean'] = perPod.length > 0 ? Math.max(...perPod) / mean(perPod) : NaN;
  putCounter(metrics, 'lb_dropped_total', stats.dropped.total, window);
  putDistribution(metrics, 'lb_unhealthy_delay_seconds', stats.unhealthyDelay);
  putGauge(metrics, 'lb_connections_per_node', mean(stats.perNode) / window, Math.max(...stats.perNode) / window);
}

/** kube-proxy's sync and programming durations, merged over the detailed nodes. */
function putProxyMetrics(metrics: Metrics, nodes: DetailedNode[], window: number): void {
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
}

/** The control plane's stages, and kube-proxy's CPU throttling (per node, 0 without a limit). */
function putControlPlaneMetrics(metrics: Metrics, controlPlane: ControlPlane, nodes: DetailedNode[], window: number): void {
  putDistribution(metrics, 'endpointslice_controller_delay_seconds', controlPlane.controller.delays);
  putCounter(metrics, 'endpointslice_controller_stale_retries_total', controlPlane.controller.staleRetries.total, window);
  putDistribution(metrics, 'watch_fanout_delay_seconds', controlPlane.fanoutDelays);
  putCounter(metrics, 'kubeproxy_cpu_throttled_periods_total', mean(nodes.map((n) => n.proxy.throttling.periods)), window);
  putCounter(metrics, 'kubeproxy_cpu_throttled_seconds_total', mean(nodes.map((n) => n.proxy.throttling.seconds)), window);
}

/**
 * DNS metrics. Lookup distributions are per lookup; CoreDNS and upstream counters are
 * cluster-wide already (the replicas receive every node's queries, see dns/runtime.ts); the
 * clients' own timeouts are scaled like the other request counts. The servers' own histograms
 * (CoreDNS's over every node's queries, NodeLocal's over the detailed nodes', which stand for the
 * others) are cluster-wide distributions per query; NodeLocal's counters and gauges are per node.
 */
function putDnsMetrics(metrics: Metrics, dns: DnsMetricsSources, scope: NodeScope): void {
  const { nodes, nodeCount, windowSeconds: window, requestScale: scale } = scope;
  const m = dns.runtime.metrics;
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
  for (const rcode of RCODES) putCounter(metrics, `coredns_dns_responses_total{rcode=${rcode}}`, m.corednsResponses[rcode].total, window);
  putDistribution(metrics, 'coredns_dns_request_duration_seconds', m.corednsDuration);
  putCounter(metrics, 'upstream_queries_total', m.upstreamQueries.total, window);
  putCounter(metrics, 'upstream_drops_total', m.upstreamDrops.total, window);
  if (dns.runtime.hasCnames) putCounter(metrics, 'dns_cname_chased_total', m.cnameChased.total, window);
  const replicas = dns.runtime.replicas;
  const utilisation = replicas.map((r) => r.cpu.utilisation());
  putGauge(metrics, 'coredns_cpu_utilization', mean(utilisation), Math.max(...utilisation));
  // The packets' kernel work on the replicas' nodes (server-kernel.ts): CPU seconds, outside the quotas.
  putCounter(metrics, 'coredns_node_kernel_cpu_seconds_total', replicas.reduce((sum, r) => sum + r.cpu.kernelAdmitted, 0), window);
  // Per replica, as a dashboard's panel by pod shows them: the mean over replicas and the busiest.
  const requests = replicas.map((r) => r.requests.total);
  const drops = replicas.map((r) => r.drops.total);
  const allRequests = requests.reduce((a, b) => a + b, 0);
  putGauge(metrics, 'coredns_replica_requests_per_second', mean(requests) / window, Math.max(...requests) / window);
  putGauge(metrics, 'coredns_replica_requests_share', allRequests > 0 ? 1 / replicas.length : NaN, allRequests > 0 ? Math.max(...requests) / allRequests : NaN);
  // Replicas that received any query in the window: with S long-lived client sockets, at most S.
  const receiving = requests.filter((r) => r > 0).length;
  putGauge(metrics, 'coredns_replicas_receiving', receiving, receiving);
  putGauge(metrics, 'coredns_replica_dropped_requests_per_second', mean(drops) / window, Math.max(...drops) / window);
  const throttling = meanThrottling(replicas.map((r) => r.cpu));
  putCounter(metrics, 'coredns_cpu_throttled_periods_total', throttling.periods, window);
  putCounter(metrics, 'coredns_cpu_throttled_seconds_total', throttling.seconds, window);
  putGauge(metrics, 'coredns_replicas', replicas.length, replicas.length);
  const bytes = dns.memory.mib * 1024 * 1024;
  putGauge(metrics, 'coredns_memory_bytes', bytes, bytes);
  // 1 when the published memory formula exceeds the container's limit: a risk of OOM kills.
  const oomRisk = exceedsMemoryLimit(dns.memory.mib, dns.memory.limitBytes) ? 1 : 0;
  putGauge(metrics, 'coredns_oom_risk', oomRisk, oomRisk);
  if (dns.nodeLocal) {
    metrics['nodelocal_cache_hit_ratio.mean'] = m.nodeLocalQueries.total > 0 ? m.nodeLocalHits.total / m.nodeLocalQueries.total : NaN;
    const agents = [...dns.runtime.agents.values()];
    const busy = agents.map((agent) => agent.cpu.utilisation());
    putGauge(metrics, 'nodelocal_cpu_utilization', mean(busy), busy.length > 0 ? Math.max(...busy) : NaN);
    // Per node: the detailed nodes' agents over every node that stands for (nodes without lookups hold none).
    putCounter(metrics, 'nodelocal_dns_requests_total', m.nodeLocalQueries.total / nodeCount, window);
    putDistribution(metrics, 'nodelocal_dns_request_duration_seconds', m.nodeLocalDuration);
    // Entries held at the end of the window, both caches (expired ones included, as coredns_cache_entries counts them).
    const entries = agents.map((a) => a.clusterCache.entries('success') + a.clusterCache.entries('denial') + a.otherCache.entries('success') + a.otherCache.entries('denial'));
    putGauge(metrics, 'nodelocal_cache_entries', entries.reduce((a, b) => a + b, 0) / nodeCount, entries.length > 0 ? Math.max(...entries) : 0);
    const agentThrottling = meanThrottling(agents.map((a) => a.cpu));
    putCounter(metrics, 'nodelocal_cpu_throttled_periods_total', agentThrottling.periods, window);
    putCounter(metrics, 'nodelocal_cpu_throttled_seconds_total', agentThrottling.seconds, window);
  }
  putCounter(metrics, 'conntrack_insert_failed_total', nodes.reduce((sum, n) => sum + n.flows.insertFailed.total, 0) / nodeCount, window);
}
