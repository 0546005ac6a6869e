// The report's charts, in reading order; each builder returns null when its metrics are absent.

import type { Results } from '../inputs.js';
import type { Chart } from './common.js';
import { dnsQueriesChart, outcomesChart } from './composition.js';
import { ladderChart } from './ladder.js';
import { conntrackChart, corednsCpuChart, proxySyncChart } from './per-point.js';
import { sweepChart } from './sweep.js';

export type { Chart } from './common.js';
export { renderSvg } from './render.js';

/** The sweep charts of the answer's metrics, then the fixed panels. */
export function buildCharts(results: Results, answerMetrics: string[]): Chart[] {
  const charts: (Chart | null)[] = [
    ...answerMetrics.map((metric) => sweepChart(results, metric)),
    ladderChart(results, 'request_duration_seconds', 'latency-ladder'),
    ladderChart(results, 'dns_lookup_duration_seconds', 'dns-latency-ladder'),
    outcomesChart(results),
    conntrackChart(results),
    dnsQueriesChart(results),
    corednsCpuChart(results),
    proxySyncChart(results),
  ];
  const names = new Set<string>();
  return charts
    .filter((c): c is Chart => c !== null)
    .map((chart) => {
      let name = chart.name;
      for (let i = 2; names.has(name); i++) name = `${chart.name}-${i}`;
      names.add(name);
      return { ...chart, name };
    });
}
