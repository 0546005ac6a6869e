// Every metric the models emit, declared once: its kind (which stats its keys carry), its unit,
// what one value stands for (cluster-wide, per node, per lookup …), which way is better, and the
// range its values can take. The runner checks metric names in experiment files against it and
// writes the entries of a run's metrics to metrics.json, so that reports know a metric's direction,
// unit and support from the results alone.

import { RCODES } from './dns/questions.js';

/** distribution: p50 … p999, mean, max; counter: total and rate; gauge: mean and max; average: mean only. */
export type MetricKind = 'distribution' | 'counter' | 'gauge' | 'average';
export type MetricUnit = 'seconds' | 'bytes' | 'ratio' | 'cores' | 'count';
/** Whose value it is: the whole cluster, one node (mean over nodes; .max the busiest), one lookup, one replica, one serving pod. */
export type MetricScope = 'cluster' | 'node' | 'lookup' | 'replica' | 'pod';
/** lower or higher is better; neutral metrics (loads, sizes, limits) are shown, never ranked. */
export type MetricDirection = 'lower' | 'higher' | 'neutral';

export interface MetricInfo {
  name: string;
  kind: MetricKind;
  unit: MetricUnit;
  scope: MetricScope;
  direction: MetricDirection;
  help: string;
}

export const STATS_BY_KIND: Record<MetricKind, readonly string[]> = {
  distribution: ['p50', 'p90', 'p99', 'p999', 'mean', 'max'],
  counter: ['total', 'rate'],
  gauge: ['mean', 'max'],
  average: ['mean'],
};

const OUTCOME_NAMES = ['ok', 'refused', 'timeout', 'deadline_exceeded', 'dns_failed', 'port_exhausted'] as const;


const m = (name: string, kind: MetricKind, unit: MetricUnit, scope: MetricScope, direction: MetricDirection, help: string): MetricInfo => ({ name, kind, unit, scope, direction, help });

export const METRICS: readonly MetricInfo[] = [
  m('request_duration_seconds', 'distribution', 'seconds', 'cluster', 'lower', 'a request from the DNS lookup to the last byte of the response'),
  m('connect_duration_seconds', 'distribution', 'seconds', 'cluster', 'lower', 'a new connection from its first SYN to the established state (dispatch, conntrack, handshake)'),
  ...OUTCOME_NAMES.map((outcome) =>
    m(`request_outcomes_total{outcome=${outcome}}`, 'counter', 'count', 'cluster', outcome === 'ok' ? 'higher' : 'lower', `requests that ended ${outcome === 'ok' ? 'with a response' : `as ${outcome}`}`),
  ),
  m('ingress_requests_total', 'counter', 'count', 'cluster', 'neutral', 'requests that reached an ingress controller pod (ingress)'),
  m('ingress_request_duration_seconds', 'distribution', 'seconds', 'cluster', 'lower', 'a request’s time in an ingress controller pod before it is forwarded: waiting for a core, then its processing (TLS handshake included on a new client connection)'),
  m('ingress_client_connections_opened_total', 'counter', 'count', 'cluster', 'neutral', 'new external client connections the ingress controller accepted (each a TLS handshake when tls is on)'),
  m('ingress_upstream_connections_opened_total', 'counter', 'count', 'cluster', 'lower', 'new connections the ingress controller opened to backends (the others went over kept-alive ones)'),
  m('ingress_upstream_connection_reuse_share', 'average', 'ratio', 'cluster', 'higher', 'share of forwarded requests that went over a kept-alive upstream connection'),
  m('ingress_cpu_utilization', 'gauge', 'ratio', 'replica', 'lower', 'share of an ingress controller pod’s cores busy (.max: the busiest pod)'),
  m('ingress_cpu_cores', 'gauge', 'cores', 'cluster', 'neutral', 'cores busy in all the ingress controller pods together (.max: the busiest pod’s)'),
  m('requests_per_second', 'average', 'count', 'cluster', 'higher', 'requests answered per second'),
  m('requests_cross_zone_share', 'average', 'ratio', 'cluster', 'lower', 'share of the answered requests whose client and server pods sit in different zones (cluster.zones)'),
  m('ipvs_conn_reuse_syn_dropped_total', 'counter', 'count', 'cluster', 'lower', 'SYNs IPVS dropped because their 4-tuple’s previous connection was still in TIME_WAIT (conn_reuse_mode 1 or 2 before Linux 5.9); each costs its client a 1 s retransmission'),
  m('requests_to_removed_endpoints_total', 'counter', 'count', 'cluster', 'lower', 'requests sent to an endpoint already removed from its Service: the node had not yet unprogrammed it (ClusterIP), or the client’s DNS answer still listed it (Headless)'),
  m('node_nf_conntrack_entries', 'gauge', 'count', 'node', 'neutral', 'netfilter conntrack entries on a node'),
  m('node_nf_conntrack_entries_limit', 'gauge', 'count', 'node', 'neutral', 'nf_conntrack_max'),
  m('conntrack_drops_total', 'counter', 'count', 'node', 'lower', 'new flows dropped by a full conntrack table, per node'),
  m('conntrack_memory_bytes', 'gauge', 'bytes', 'node', 'neutral', 'kernel memory of a node’s conntrack entries'),
  m('conntrack_time_wait_reopened_total', 'counter', 'count', 'node', 'neutral', 'conntrack entries in TIME_WAIT taken over by a new SYN on their 4-tuple (a client reusing an ephemeral port), per node'),
  m('conntrack_insert_failed_total', 'counter', 'count', 'node', 'lower', 'packets dropped by the conntrack insertion race, per node'),
  m('cilium_bpf_ct_entries', 'gauge', 'count', 'node', 'neutral', 'entries of a node’s Cilium BPF CT map'),
  m('cilium_bpf_ct_memory_bytes', 'gauge', 'bytes', 'node', 'neutral', 'kernel memory of a node’s Cilium BPF CT maps (LRU hash maps, preallocated at their full size)'),
  m('cilium_bpf_ct_tcp_entries_limit', 'gauge', 'count', 'node', 'neutral', 'size of a node’s Cilium TCP CT map (bpf-ct-global-tcp-max, by default from bpf-map-dynamic-size-ratio)'),
  m('cilium_bpf_ct_any_entries_limit', 'gauge', 'count', 'node', 'neutral', 'size of a node’s Cilium non-TCP CT map (bpf-ct-global-any-max, by default from bpf-map-dynamic-size-ratio)'),
  m('cilium_bpf_ct_drops_total', 'counter', 'count', 'node', 'lower', 'new flows refused by a full BPF CT map, per node'),
  m('kubeproxy_sync_proxy_rules_duration_seconds', 'distribution', 'seconds', 'node', 'lower', 'one kube-proxy sync (full or partial)'),
  m('kubeproxy_sync_full_proxy_rules_duration_seconds', 'distribution', 'seconds', 'node', 'lower', 'one full kube-proxy sync'),
  m('kubeproxy_sync_partial_proxy_rules_duration_seconds', 'distribution', 'seconds', 'node', 'lower', 'one partial kube-proxy sync'),
  m('proxy_rules_restore_duration_seconds', 'distribution', 'seconds', 'node', 'lower', 'the restore step of one sync (iptables-restore, nft, netlink or BPF map updates)'),
  m('kubeproxy_network_programming_duration_seconds', 'distribution', 'seconds', 'node', 'lower', 'from an endpoint change to its rules applied on a node'),
  m('endpointslice_controller_delay_seconds', 'distribution', 'seconds', 'cluster', 'lower', 'from a pod change to the commit of the EndpointSlice write that holds it (kubelet status write, controller queue, rate limiter, write)'),
  m('endpointslice_controller_stale_retries_total', 'counter', 'count', 'cluster', 'lower', 'EndpointSlice controller syncs that found their informer stale and requeued the Service with backoff'),
  m('watch_fanout_delay_seconds', 'distribution', 'seconds', 'node', 'lower', 'from an EndpointSlice write’s commit to a kube-proxy receiving it (the API server’s dispatch to N watchers)'),
  m('kubeproxy_cpu_throttled_periods_total', 'counter', 'count', 'node', 'lower', 'CFS periods in which kube-proxy’s CPU limit throttled a sync (cAdvisor container_cpu_cfs_throttled_periods_total)'),
  m('kubeproxy_cpu_throttled_seconds_total', 'counter', 'seconds', 'node', 'lower', 'time kube-proxy’s syncs were paused by its CPU limit’s quota'),
  m('proxy_cpu_cores', 'gauge', 'cores', 'node', 'lower', 'a node’s CPU spent on proxy syncs and first-packet dispatch'),
  m('datapath_cpu_cores', 'gauge', 'cores', 'node', 'lower', 'a node’s CPU spent on packets and connections in the kernel'),
  m('node_cpu_utilization', 'gauge', 'ratio', 'node', 'lower', 'share of a node’s cores busy'),
  m('nic_utilization', 'gauge', 'ratio', 'node', 'lower', 'share of a node’s NIC capacity its multi-segment messages use (single-segment ones are not charged to the link)'),
  m('container_cpu_cfs_throttled_periods_total', 'counter', 'count', 'pod', 'lower', 'CFS periods in which a serving pod’s CPU limit (workload server.cpuLimit) throttled it, per serving pod with a limit (cAdvisor’s name)'),
  m('container_cpu_cfs_throttled_seconds_total', 'counter', 'seconds', 'pod', 'lower', 'time a serving pod’s requests were paused by its CPU limit’s quota, summed over its paused requests, per serving pod with a limit (cAdvisor’s name)'),
  m('server_worker_utilization', 'gauge', 'ratio', 'pod', 'neutral', 'share of a serving pod’s workers busy'),
  m('dns_lookup_duration_seconds', 'distribution', 'seconds', 'lookup', 'lower', 'one name lookup by the pod’s resolver, search path included'),
  m('dns_queries_per_lookup', 'average', 'count', 'lookup', 'lower', 'queries a lookup sends (A and AAAA per candidate name, retries)'),
  m('dns_nxdomain_per_lookup', 'average', 'count', 'lookup', 'lower', 'NXDOMAIN responses a lookup receives (A and AAAA for each search-path name that does not exist)'),
  m('dns_round_trips_per_lookup', 'average', 'count', 'lookup', 'lower', 'sequential round trips a lookup waits for'),
  m('dns_query_duration_seconds', 'distribution', 'seconds', 'cluster', 'lower', 'one raw query of a DNS-only workload (mode: raw, as dnsperf sends it), send to response'),
  m('dns_client_answered_total', 'counter', 'count', 'cluster', 'higher', 'DNS-only workloads: raw queries answered (any rcode) or resolver lookups that found an address; .rate is queries (lookups) answered per second'),
  m('dns_client_unanswered_total', 'counter', 'count', 'cluster', 'lower', 'DNS-only workloads: raw queries lost (no response within their timeout) or resolver lookups that ended without an address'),
  m('dns_lookups_failed_total', 'counter', 'count', 'cluster', 'lower', 'lookups that ended without an answer'),
  m('dns_timeouts_total', 'counter', 'count', 'cluster', 'lower', 'resolver timeouts (each waits the resolver’s timeout), a DNS-only workload’s lost raw queries included'),
  m('coredns_dns_requests_total', 'counter', 'count', 'cluster', 'neutral', 'queries CoreDNS received, all replicas'),
  m('coredns_cache_hits_total', 'counter', 'count', 'cluster', 'neutral', 'CoreDNS cache hits, all replicas'),
  m('coredns_cache_misses_total', 'counter', 'count', 'cluster', 'neutral', 'CoreDNS cache misses, all replicas'),
  m('coredns_forward_requests_total', 'counter', 'count', 'cluster', 'neutral', 'queries CoreDNS forwarded upstream'),
  m('coredns_dropped_requests_total', 'counter', 'count', 'cluster', 'lower', 'queries dropped at a full CoreDNS receive queue'),
  ...RCODES.map((rcode) =>
    m(`coredns_dns_responses_total{rcode=${rcode}}`, 'counter', 'count', 'cluster', rcode === 'SERVFAIL' ? 'lower' : 'neutral', `responses CoreDNS sent with rcode ${rcode}, all replicas${rcode === 'NOERROR' ? ' (NODATA included)' : ''}`),
  ),
  m('coredns_dns_request_duration_seconds', 'distribution', 'seconds', 'cluster', 'lower', 'a query at a CoreDNS replica, all replicas: arrival to response (receive-queue wait, CPU, a forward’s round trip)'),
  m('coredns_replica_requests_per_second', 'gauge', 'count', 'replica', 'neutral', 'queries a CoreDNS replica receives per second'),
  m('coredns_replica_requests_share', 'gauge', 'ratio', 'replica', 'lower', 'a replica’s share of all CoreDNS queries (1/replicas when balanced; .max the busiest)'),
  m('coredns_replicas_receiving', 'gauge', 'count', 'cluster', 'neutral', 'CoreDNS replicas that received any query in the window (long-lived client sockets pin their queries to as many replicas at most)'),
  m('coredns_replica_dropped_requests_per_second', 'gauge', 'count', 'replica', 'lower', 'queries a CoreDNS replica’s full receive queue drops per second'),
  m('coredns_cpu_utilization', 'gauge', 'ratio', 'replica', 'lower', 'share of a CoreDNS replica’s CPU busy (its cores, the node’s kernel work for its queries included; under a CPU limit, the container’s CPU over its quota)'),
  m('coredns_node_kernel_cpu_seconds_total', 'counter', 'seconds', 'cluster', 'lower', 'kernel CPU on the CoreDNS replicas’ nodes for their queries’ packets (CNI path, conntrack and NAT, encapsulation, a new flow’s rule walk), outside the replicas’ CPU quotas'),
  m('coredns_cpu_throttled_periods_total', 'counter', 'count', 'replica', 'lower', 'CFS periods in which a CoreDNS replica’s CPU limit throttled it (cAdvisor container_cpu_cfs_throttled_periods_total)'),
  m('coredns_cpu_throttled_seconds_total', 'counter', 'seconds', 'replica', 'lower', 'time a CoreDNS replica’s queries were paused by its CPU limit’s quota (cAdvisor container_cpu_cfs_throttled_seconds_total)'),
  m('coredns_replicas', 'gauge', 'count', 'cluster', 'neutral', 'CoreDNS replicas'),
  m('coredns_memory_bytes', 'gauge', 'bytes', 'replica', 'lower', 'a CoreDNS replica’s memory by the published formula'),
  m('coredns_oom_risk', 'gauge', 'ratio', 'replica', 'lower', '1 when the memory formula exceeds the container’s limit'),
  m('nodelocal_cache_hit_ratio', 'average', 'ratio', 'cluster', 'higher', 'share of queries NodeLocal DNSCache answered from its cache'),
  m('nodelocal_cpu_utilization', 'gauge', 'ratio', 'node', 'lower', 'share of a node’s NodeLocal DNSCache CPU limit busy'),
  m('nodelocal_dns_requests_total', 'counter', 'count', 'node', 'neutral', 'queries a node’s NodeLocal DNSCache receives, per node'),
  m('nodelocal_dns_request_duration_seconds', 'distribution', 'seconds', 'cluster', 'lower', 'a query at a NodeLocal DNSCache agent, all nodes: arrival to response (CPU wait, a miss’s forward to CoreDNS or upstream)'),
  m('nodelocal_cache_entries', 'gauge', 'count', 'node', 'neutral', 'entries in a node’s NodeLocal DNSCache at the end of the window (both caches, expired ones included)'),
  m('nodelocal_cpu_throttled_periods_total', 'counter', 'count', 'node', 'lower', 'CFS periods in which a node’s NodeLocal DNSCache CPU limit throttled it'),
  m('nodelocal_cpu_throttled_seconds_total', 'counter', 'seconds', 'node', 'lower', 'time a node’s NodeLocal DNSCache queries were paused by its CPU limit’s quota'),
  m('dns_cname_chased_total', 'counter', 'count', 'cluster', 'neutral', 'ExternalName answers whose CNAME target a CoreDNS replica resolved itself, from its cache or by a forward upstream (per question type); only when a workload calls ExternalName Services'),
  m('upstream_queries_total', 'counter', 'count', 'cluster', 'neutral', 'queries sent to the upstream resolver'),
  m('upstream_drops_total', 'counter', 'count', 'cluster', 'lower', 'queries the upstream dropped (its packet rate limit)'),
  m('policy_evaluation_seconds', 'distribution', 'seconds', 'cluster', 'lower', 'CPU of one side’s NetworkPolicy evaluation (egress on the client’s node, ingress on the server’s) of a new connection’s first packet'),
  m('policy_denied_total', 'counter', 'count', 'cluster', 'lower', 'new connections no NetworkPolicy allows (their SYNs dropped: the clients time out)'),
  m('policy_sync_duration_seconds', 'distribution', 'seconds', 'node', 'lower', 'one policy agent sync (Calico Felix, kube-router, Cilium agent) on a policy or pod change'),
  m('policy_cpu_cores', 'gauge', 'cores', 'node', 'lower', 'a node’s CPU spent on NetworkPolicy: first-packet evaluations and agent syncs'),
  m('external_connections_total', 'counter', 'count', 'cluster', 'neutral', 'new connections from clients outside the cluster, entering through a node port or a load balancer'),
  m('external_second_hop_share', 'average', 'ratio', 'cluster', 'lower', 'share of external connections the node they entered at sends on to an endpoint on another node'),
  m('external_source_ip_preserved_share', 'average', 'ratio', 'cluster', 'higher', 'share of external connections whose endpoint sees the client’s own address (no SNAT: externalTrafficPolicy Local)'),
  m('external_endpoint_imbalance', 'average', 'count', 'cluster', 'lower', 'new external connections of the busiest endpoint over the mean endpoint’s (1: even)'),
  m('lb_dropped_total', 'counter', 'count', 'cluster', 'lower', 'external connections sent to a node with no local endpoint under Local (its rules drop them: the clients time out)'),
  m('lb_unhealthy_delay_seconds', 'distribution', 'seconds', 'cluster', 'lower', 'from a node’s last local endpoint of a Service leaving to the load balancer marking the node unhealthy (Local): the window in which its connections are dropped'),
  m('lb_connections_per_node', 'gauge', 'count', 'node', 'neutral', 'new external connections per second entering at a node (mean over nodes; max: the busiest)'),
];

const BY_NAME = new Map(METRICS.map((info) => [info.name, info]));

/** Splits `request_outcomes_total{outcome=ok}.rate` into name and stat ('' when the key has no known stat). */
export function splitKey(key: string): { name: string; stat: string } {
  const dot = key.lastIndexOf('.');
  if (dot <= key.lastIndexOf('}')) return { name: key, stat: '' };
  return { name: key.slice(0, dot), stat: key.slice(dot + 1) };
}

/** The catalogue entry of a metric key, or undefined when the models emit no such name with that stat. */
export function metricInfo(key: string): MetricInfo | undefined {
  const { name, stat } = splitKey(key);
  const info = BY_NAME.get(name);
  return info !== undefined && STATS_BY_KIND[info.kind].includes(stat) ? info : undefined;
}

/** Every key the models can emit, for suggestions. */
export function allMetricKeys(): string[] {
  return METRICS.flatMap((info) => STATS_BY_KIND[info.kind].map((stat) => `${info.name}.${stat}`));
}

/** The smallest and largest value a key can take: ratios of shares and utilisations are at most 1. */
export function metricSupport(key: string): [number, number] {
  const info = metricInfo(key);
  const { stat } = splitKey(key);
  if (info === undefined) return [-Infinity, Infinity];
  return [0, info.unit === 'ratio' && stat !== 'rate' && stat !== 'total' ? 1 : Infinity];
}
