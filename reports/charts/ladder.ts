// The latency percentile ladder: p50, p90, p99 and p99.9 of a duration, one line per point, so
// that a tail that grows faster than the median (a queue, a retransmit, a DNS timeout) shows.

import type { Results } from '../inputs.js';
import { axisTitle, clampForLog, frame, scaleAndAxis, schemeFor, spansDecades, unitOfValues, type Chart, chartLabels } from './common.js';

const RUNGS: [string, string][] = [
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p99', 'p99'],
  ['p999', 'p99.9'],
];

export function ladderChart(results: Results, family: string, name: string): Chart | null {
  const labels = chartLabels(results);
  const rows: { rung: string; y: number; low: number; high: number; point: string }[] = [];
  for (const point of results.points) {
    for (const [stat, rung] of RUNGS) {
      const e = point.metrics.get(`${family}.${stat}`);
      if (e === undefined || !Number.isFinite(e.mean)) continue;
      rows.push({ rung, y: e.mean, low: Number.isFinite(e.low) ? e.low : e.mean, high: Number.isFinite(e.high) ? e.high : e.mean, point: labels.get(point.id) ?? point.id });
    }
  }
  if (rows.length < 2) return null;
  const unit = unitOfValues(`${family}.p50`, rows.map((r) => r.y));
  const logY = spansDecades(rows.map((r) => r.y), 1);
  const floor = Math.min(...rows.map((r) => r.y).filter((y) => y > 0)) / 2;
  const values = rows.map((r) => ({ ...r, y: r.y * unit.factor, low: (logY ? clampForLog(r.low, floor) : r.low) * unit.factor, high: r.high * unit.factor }));
  const x = { field: 'rung', type: 'ordinal', title: 'percentile', sort: RUNGS.map(([, r]) => r), axis: { labelAngle: 0 } } as const;
  const yScale = scaleAndAxis(logY, values.flatMap((r) => [r.low, r.high]), false);
  const y = (field: string) => ({ field, type: 'quantitative', title: axisTitle(family, unit), ...yScale });
  const order = [...labels.values()];
  const color = { field: 'point', type: 'nominal', title: 'point', sort: order, scale: schemeFor(order.length), legend: results.points.length > 1 ? {} : null };
  return {
    name,
    title: `${family}: percentile ladder`,
    caption: `p50 to p99.9 of ${family} per point, each with its 95 % interval over replications${logY ? ' (log scale)' : ''}; a steep last rung is a tail the median hides.`,
    metrics: RUNGS.map(([stat]) => `${family}.${stat}`),
    spec: {
      ...frame(`${family}: p50 to p99.9`, 280),
      data: { values },
      layer: [
        { mark: { type: 'line', point: { filled: true, size: 50 }, strokeWidth: 2 }, encoding: { x, y: y('y'), color } },
        { mark: { type: 'rule', strokeWidth: 1.5 }, encoding: { x, y: y('low'), y2: { field: 'high' }, color } },
      ],
    } as Chart['spec'],
  };
}
