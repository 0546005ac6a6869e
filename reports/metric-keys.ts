// What a metric key (`<name>.<stat>`, docs/architecture.md, "Results") says about its value: its unit, and whether
// a lower or a higher value is the better one when two settings are compared.

export type UnitKind = 'duration' | 'rate' | 'share' | 'bytes' | 'cores' | 'count';
export type Direction = 'lower' | 'higher' | 'none';

const STATS = new Set(['p50', 'p90', 'p99', 'p999', 'mean', 'max', 'total', 'rate']);

/** Splits `request_outcomes_total{outcome=ok}.rate` into its name and stat. */
export function splitMetricKey(key: string): { name: string; stat: string } {
  const dot = key.lastIndexOf('.');
  const stat = dot > key.lastIndexOf('}') ? key.slice(dot + 1) : '';
  return STATS.has(stat) ? { name: key.slice(0, dot), stat } : { name: key, stat: '' };
}

export function unitKind(key: string): UnitKind {
  const { name, stat } = splitMetricKey(key);
  const base = name.replace(/\{.*\}$/, '');
  if (stat === 'rate' || base === 'requests_per_second') return 'rate';
  if (base.endsWith('_seconds')) return 'duration';
  if (base.endsWith('_ratio') || base.endsWith('_utilization')) return 'share';
  if (base.endsWith('_bytes')) return 'bytes';
  if (base.endsWith('_cores')) return 'cores';
  return 'count';
}

/** Which way is better. Limits and configured sizes have no better side. */
export function direction(key: string): Direction {
  const { name } = splitMetricKey(key);
  if (/_limit$/.test(name) || /^coredns_replicas/.test(name)) return 'none';
  if (/^requests_per_second|outcome=ok|_cache_hits|hit_ratio/.test(name)) return 'higher';
  return 'lower';
}

/** Swept-path topics and the metrics that answer their question, most telling first. */
const TOPIC_METRICS: [RegExp, string[]][] = [
  [
    /^dns\.|\.name$|^workload/,
    ['dns_lookup_duration_seconds.p99', 'dns_queries_per_lookup.mean', 'dns_timeouts_total.rate', 'coredns_cpu_utilization.mean', 'nodelocal_cache_hit_ratio.mean'],
  ],
  [/^conntrack\.|connection/, ['node_nf_conntrack_entries.max', 'conntrack_drops_total.rate', 'conntrack_insert_failed_total.rate']],
  [
    /^proxy\.|^cluster\.(services|endpoints)|^churn\./,
    ['kubeproxy_network_programming_duration_seconds.p99', 'kubeproxy_sync_proxy_rules_duration_seconds.p99', 'proxy_cpu_cores.mean'],
  ],
  [/^churn\./, ['requests_to_removed_endpoints_total.rate']],
  [/cni|^mesh/, ['request_duration_seconds.p50', 'datapath_cpu_cores.mean']],
];

/** Every experiment's candidates after its topics' metrics, kept where the results have them. */
const ALWAYS = [
  'request_duration_seconds.p99',
  'connect_duration_seconds.p99',
  'kubeproxy_network_programming_duration_seconds.p99',
  'node_nf_conntrack_entries.max',
  'conntrack_drops_total.rate',
  'dns_lookup_duration_seconds.p99',
  'dns_queries_per_lookup.mean',
];

const MAX_DEFAULT_METRICS = 6;

/**
 * The answer table's metrics: the experiment's `spec.report.metrics` if given; otherwise its SLO
 * metrics, then the metrics of the topics it sweeps, then the defaults, each only where present.
 */
export function chooseMetrics(options: { requested?: string[]; slo: string[]; swept: string[]; present: (key: string) => boolean }): string[] {
  if (options.requested !== undefined && options.requested.length > 0) return [...new Set([...options.requested, ...options.slo])];
  const candidates: string[] = [...options.slo];
  for (const [topic, metrics] of TOPIC_METRICS) if (options.swept.some((path) => topic.test(path))) candidates.push(...metrics);
  const picked = [...new Set([...candidates, ...ALWAYS])].filter(options.present);
  return picked.slice(0, Math.max(MAX_DEFAULT_METRICS, options.slo.length));
}
