// Charts with one row per point: conntrack occupancy against its limit, CoreDNS CPU per replica,
// and kube-proxy's sync duration beside the network programming latency it causes.

import type { Estimate, ResultPoint, Results } from '../inputs.js';
import { axisTitle, clampForLog, COLOURS, frame, rowsHeight, scaleAndAxis, spansDecades, unitOfValues, type Chart, chartLabels } from './common.js';

interface Dot {
  point: string;
  kind: string;
  x: number;
  low: number;
  high: number;
}

function dotsOf(results: Results, series: [string, string][]): { dots: Dot[]; order: string[] } {
  const labels = chartLabels(results);
  const dots: Dot[] = [];
  const estimate = (p: ResultPoint, key: string): Estimate | undefined => p.metrics.get(key);
  for (const point of results.points) {
    for (const [key, kind] of series) {
      const e = estimate(point, key);
      if (e === undefined || !Number.isFinite(e.mean)) continue;
      dots.push({ point: labels.get(point.id) ?? point.id, kind, x: e.mean, low: Number.isFinite(e.low) ? e.low : e.mean, high: Number.isFinite(e.high) ? e.high : e.mean });
    }
  }
  return { dots, order: [...labels.values()] };
}

/** A dot per (point, kind) with its interval, on a log axis where the values span decades. */
function dotPlot(options: { results: Results; name: string; title: string; caption: string; unitKey: string; axis: string; series: [string, string][]; colours: string[]; share?: boolean }): Chart | null {
  const { dots, order } = dotsOf(options.results, options.series);
  if (dots.length === 0) return null;
  const unit = unitOfValues(options.unitKey, dots.map((d) => d.x));
  const logX = spansDecades(dots.map((d) => d.x), 2, true);
  const zeros = logX ? dots.filter((d) => d.x === 0).length : 0;
  const floor = Math.min(...dots.map((d) => d.x).filter((x) => x > 0)) / 2;
  const values = dots.filter((d) => !logX || d.x > 0).map((d) => ({ ...d, x: d.x * unit.factor, low: (logX ? clampForLog(d.low, floor) : d.low) * unit.factor, high: d.high * unit.factor }));
  const kinds = options.series.map(([, kind]) => kind);
  const y = { field: 'point', type: 'nominal', title: null, sort: order } as const;
  const xScale = scaleAndAxis(logX, values.flatMap((d) => [d.low, d.high]), true);
  if (options.share === true && !logX) xScale.scale = { type: 'linear', domain: [0, Math.max(100, ...values.map((d) => d.high))] };
  const x = (field: string) => ({ field, type: 'quantitative', title: axisTitle(options.axis, unit), ...xScale });
  const color = { field: 'kind', type: 'nominal', title: null, sort: kinds, scale: { domain: kinds, range: options.colours }, legend: { orient: 'bottom', direction: 'horizontal' } } as const;
  return {
    name: options.name,
    title: options.title,
    caption: `${options.caption}${logX ? ' Log scale' : ''}${zeros > 0 ? `; ${zeros} zero value${zeros === 1 ? ' is' : 's are'} left off it (see the table)` : ''}${logX ? '.' : ''}`,
    metrics: options.series.map(([key]) => key),
    spec: {
      ...frame(options.title, rowsHeight(order.length)),
      data: { values },
      layer: [
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, yOffset: { field: 'kind', sort: kinds }, x: x('low'), x2: { field: 'high' }, color } },
        { mark: { type: 'point', filled: true, size: 80 }, encoding: { y, yOffset: { field: 'kind', sort: kinds }, x: x('x'), color } },
      ],
    } as Chart['spec'],
  };
}

export function conntrackChart(results: Results): Chart | null {
  if (!results.points.some((p) => Number.isFinite(p.metrics.get('node_nf_conntrack_entries.max')?.mean ?? NaN))) return null;
  return dotPlot({
    results,
    name: 'conntrack-occupancy',
    title: 'Conntrack occupancy against its limit (per node)',
    caption: 'nf_conntrack entries per node: the time-weighted mean and the maximum over the measured window, beside nf_conntrack_max; a maximum at the limit means new flows were dropped.',
    unitKey: 'node_nf_conntrack_entries.mean',
    axis: 'entries',
    series: [
      ['node_nf_conntrack_entries.mean', 'mean'],
      ['node_nf_conntrack_entries.max', 'max'],
      ['node_nf_conntrack_entries_limit.mean', 'limit (nf_conntrack_max)'],
    ],
    colours: [COLOURS.neutral, COLOURS.warn, COLOURS.limit],
  });
}

export function corednsCpuChart(results: Results): Chart | null {
  if (!results.points.some((p) => Number.isFinite(p.metrics.get('coredns_cpu_utilization.mean')?.mean ?? NaN))) return null;
  return dotPlot({
    results,
    name: 'coredns-cpu',
    title: 'CoreDNS CPU utilisation per replica',
    caption: 'Share of each CoreDNS replica’s CPU in use: the mean over replicas and the busiest replica; near 100 % queries queue and then drop.',
    unitKey: 'coredns_cpu_utilization.mean',
    axis: 'CPU utilisation',
    series: [
      ['coredns_cpu_utilization.mean', 'mean replica'],
      ['coredns_cpu_utilization.max', 'busiest replica'],
    ],
    colours: [COLOURS.neutral, COLOURS.warn],
    share: true,
  });
}

export function proxySyncChart(results: Results): Chart | null {
  const series: [string, string][] = [
    ['kubeproxy_sync_proxy_rules_duration_seconds.p50', 'sync p50'],
    ['kubeproxy_sync_proxy_rules_duration_seconds.p99', 'sync p99'],
    ['kubeproxy_network_programming_duration_seconds.p50', 'programming p50'],
    ['kubeproxy_network_programming_duration_seconds.p99', 'programming p99'],
  ];
  if (!results.points.some((p) => series.some(([key]) => Number.isFinite(p.metrics.get(key)?.mean ?? NaN)))) return null;
  return dotPlot({
    results,
    name: 'proxy-sync',
    title: 'Proxy rule sync and network programming latency',
    caption: 'kube-proxy’s rule sync duration and the network programming latency (an endpoint change until every node’s rules carry it), p50 and p99 per point with 95 % intervals.',
    unitKey: 'kubeproxy_sync_proxy_rules_duration_seconds.p50',
    axis: 'duration',
    series,
    colours: ['#9fb3e6', COLOURS.neutral, '#f0c36b', COLOURS.warn],
  });
}
