// What a metric key (`<name>.<stat>`, docs/architecture.md, "Results") says about its value: its unit,
// whether a lower or a higher value is the better one when two settings are compared, the values
// it can take, and the smallest difference the numbers resolve. From metrics.json where the results
// have it; from the key's name for hand-made or older results without it.

import { Histogram } from '../engine/stats/histogram.js';
import type { MetricMeta } from './input-shapes.js';

export type UnitKind = 'duration' | 'rate' | 'share' | 'bytes' | 'cores' | 'count';
export type Direction = 'lower' | 'higher' | 'neutral';
/** metrics.json as read (empty when the directory has none). */
export type MetricCatalogue = ReadonlyMap<string, MetricMeta>;

const UNIT_KIND: Record<MetricMeta['unit'], UnitKind> = { seconds: 'duration', bytes: 'bytes', ratio: 'share', cores: 'cores', count: 'count' };

const STATS = new Set(['p50', 'p90', 'p99', 'p999', 'mean', 'max', 'total', 'rate']);

/** Splits `request_outcomes_total{outcome=ok}.rate` into its name and stat. */
export function splitMetricKey(key: string): { name: string; stat: string } {
  const dot = key.lastIndexOf('.');
  const stat = dot > key.lastIndexOf('}') ? key.slice(dot + 1) : '';
  return STATS.has(stat) ? { name: key.slice(0, dot), stat } : { name: key, stat: '' };
}

export function unitKind(key: string, catalogue?: MetricCatalogue): UnitKind {
  const { name, stat } = splitMetricKey(key);
  const meta = catalogue?.get(key);
  if (meta !== undefined) return stat === 'rate' || name === 'requests_per_second' ? 'rate' : UNIT_KIND[meta.unit];
  const base = name.replace(/\{.*\}$/, '');
  if (stat === 'rate' || base === 'requests_per_second') return 'rate';
  if (base.endsWith('_seconds')) return 'duration';
  if (base.endsWith('_ratio') || base.endsWith('_utilization')) return 'share';
  if (base.endsWith('_bytes')) return 'bytes';
  if (base.endsWith('_cores')) return 'cores';
  return 'count';
}

/** Which way is better. Loads, sizes and limits (conntrack entries, queries received, replicas) have no better side. */
export function direction(key: string, catalogue?: MetricCatalogue): Direction {
  const meta = catalogue?.get(key);
  if (meta !== undefined) return meta.direction;
  const { name } = splitMetricKey(key);
  if (/_limit$|^coredns_replicas|_entries$|^coredns_(dns_requests|cache_(hits|misses)|forward_requests)_total|^upstream_queries_total|^conntrack_memory_bytes|^server_worker_utilization/.test(name)) return 'neutral';
  if (/^requests_per_second|outcome=ok|hit_ratio/.test(name)) return 'higher';
  return 'lower';
}

/** The values a metric can take: shares within [0, 1], everything the models emit at least 0. */
export function support(key: string, catalogue?: MetricCatalogue): readonly [number, number] {
  const meta = catalogue?.get(key);
  if (meta !== undefined) return meta.support;
  const kind = unitKind(key);
  return [0, kind === 'share' ? 1 : Infinity];
}

const QUANTILE_STATS = new Set(['p50', 'p90', 'p99', 'p999']);

/**
 * The smallest relative difference between two means the numbers resolve: two sketch quantiles
 * can each be off by the histogram's accuracy; other values are exact, shown to 3 digits.
 */
export function relativeResolution(key: string, catalogue?: MetricCatalogue): number {
  const meta = catalogue?.get(key);
  if (meta !== undefined) return meta.relativeResolution;
  return QUANTILE_STATS.has(splitMetricKey(key).stat) ? 2 * Histogram.relativeAccuracy : 1e-3;
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
