// Stacked bars, one per point: what a DNS lookup costs in queries (useful answers vs the
// search path's NXDOMAIN), and how requests ended (ok, refused, timed out, deadline exceeded).

import type { Results } from '../inputs.js';
import { COLOURS, frame, rowsHeight, type Chart, chartLabels } from './common.js';

interface Part {
  point: string;
  part: string;
  order: number;
  value: number;
}

function stackedBars(options: { results: Results; parts: Part[]; order: string[]; name: string; title: string; caption: string; axis: string; kinds: string[]; colours: string[]; normalize: boolean; metrics: string[] }): Chart {
  const y = { field: 'point', type: 'nominal', title: null, sort: options.order } as const;
  return {
    name: options.name,
    title: options.title,
    caption: options.caption,
    metrics: options.metrics,
    spec: {
      ...frame(options.title, rowsHeight(options.order.length)),
      data: { values: options.parts },
      mark: { type: 'bar', height: { band: 0.7 } },
      encoding: {
        y,
        x: {
          field: 'value',
          type: 'quantitative',
          title: options.axis,
          stack: options.normalize ? 'normalize' : 'zero',
          ...(options.normalize ? { axis: { format: '.0%' } } : {}),
        },
        color: { field: 'part', type: 'nominal', title: null, sort: options.kinds, scale: { domain: options.kinds, range: options.colours }, legend: { orient: 'bottom', direction: 'horizontal' } },
        order: { field: 'order', type: 'quantitative' },
      },
    } as Chart['spec'],
  };
}

export function dnsQueriesChart(results: Results): Chart | null {
  const labels = chartLabels(results);
  const parts: Part[] = [];
  for (const point of results.points) {
    const queries = point.metrics.get('dns_queries_per_lookup.mean')?.mean ?? NaN;
    if (!Number.isFinite(queries)) continue;
    const nx = point.metrics.get('dns_nxdomain_per_lookup.mean')?.mean;
    const nxdomain = nx !== undefined && Number.isFinite(nx) ? Math.min(nx, queries) : 0;
    const label = labels.get(point.id) ?? point.id;
    parts.push({ point: label, part: 'useful answers', order: 0, value: queries - nxdomain }, { point: label, part: 'search-path NXDOMAIN', order: 1, value: nxdomain });
  }
  if (parts.length === 0) return null;
  return stackedBars({
    results,
    parts,
    order: [...labels.values()],
    name: 'dns-queries',
    title: 'DNS queries per lookup',
    caption: 'Queries a pod’s resolver sends per name lookup (A and AAAA counted apart): the answers it used, and the NXDOMAIN answers of search-path candidates tried before them (ndots).',
    axis: 'queries per lookup',
    kinds: ['useful answers', 'search-path NXDOMAIN'],
    colours: [COLOURS.good, COLOURS.warn],
    normalize: false,
    metrics: ['dns_queries_per_lookup.mean', 'dns_nxdomain_per_lookup.mean'],
  });
}

const OUTCOMES: [string, string, string][] = [
  ['ok', 'ok', COLOURS.good],
  ['refused', 'refused', COLOURS.warn],
  ['timeout', 'timed out', COLOURS.bad],
  ['deadline_exceeded', 'deadline exceeded', COLOURS.other],
  ['dns_failed', 'DNS lookup failed', '#6d4c41'],
];

export function outcomesChart(results: Results): Chart | null {
  const labels = chartLabels(results);
  const parts: Part[] = [];
  for (const point of results.points) {
    const rates = OUTCOMES.map(([outcome]) => point.metrics.get(`request_outcomes_total{outcome=${outcome}}.rate`)?.mean ?? NaN);
    const total = rates.filter(Number.isFinite).reduce((a, b) => a + b, 0);
    if (!(total > 0)) continue;
    const label = labels.get(point.id) ?? point.id;
    OUTCOMES.forEach(([, part], i) => parts.push({ point: label, part, order: i, value: Number.isFinite(rates[i]) ? rates[i] : 0 }));
  }
  if (parts.length === 0) return null;
  return stackedBars({
    results,
    parts,
    order: [...labels.values()],
    name: 'request-outcomes',
    title: 'Request outcomes',
    caption: 'Share of requests per outcome: answered, refused (RST: no endpoint), timed out (SYN retransmits exhausted or dropped), past the client’s deadline, or failed at name resolution.',
    axis: 'share of requests',
    kinds: OUTCOMES.map(([, part]) => part),
    colours: OUTCOMES.map(([, , colour]) => colour),
    normalize: true,
    metrics: OUTCOMES.map(([outcome]) => `request_outcomes_total{outcome=${outcome}}.rate`),
  });
}
