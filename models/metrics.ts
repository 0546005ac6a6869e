// Metric keys as DESIGN §7 names them: `<name>.<stat>`, named after the exporters a platform
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

import type { Counter, Histogram } from '../engine/stats/index.js';

export type Metrics = Record<string, number>;

const QUANTILES: [string, number][] = [
  ['p50', 0.5],
  ['p90', 0.9],
  ['p99', 0.99],
  ['p999', 0.999],
];

export function putDistribution(metrics: Metrics, name: string, histogram: Histogram): void {
  for (const [stat, q] of QUANTILES) metrics[`${name}.${stat}`] = histogram.count > 0 ? histogram.quantile(q) : NaN;
  metrics[`${name}.mean`] = histogram.count > 0 ? histogram.mean : NaN;
  metrics[`${name}.max`] = histogram.count > 0 ? histogram.max : NaN;
}

/** A counter's total over the measured window and its rate per second, scaled by `scale`. */
export function putCounter(metrics: Metrics, name: string, total: number, windowSeconds: number, scale = 1): void {
  metrics[`${name}.total`] = total * scale;
  metrics[`${name}.rate`] = (total * scale) / windowSeconds;
}

export function putGauge(metrics: Metrics, name: string, mean: number, max: number): void {
  metrics[`${name}.mean`] = mean;
  metrics[`${name}.max`] = max;
}

/** Sum of several counters' totals. */
export function sumCounters(counters: Iterable<Counter>): number {
  let total = 0;
  for (const counter of counters) total += counter.total;
  return total;
}

export function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}
