// A metric against the swept x axis, one line per series with its 95 % band; points instead of
// lines where x is categorical. Log axes where the values span two decades or more.

import { formatSetting } from '../format.js';
import type { Results } from '../inputs.js';
import { settingsLabel, shortPath } from '../labels.js';
import { slug } from '../escape.js';
import { unhealthyPointIds } from '../health.js';
import { axisTitle, clampForLog, COLOURS, frame, isCategoricalNumbers, scaleAndAxis, schemeFor, spansDecades, unitOfValues, type Chart } from './common.js';

/** The x path: spec.report.x, else the first swept path with numeric values, else the first. */
function xPath(results: Results): string | null {
  const { swept, report } = results;
  if (report.x !== undefined && swept.includes(report.x)) return report.x;
  const numeric = swept.find((path) => results.points.every((p) => typeof p.settings[path] === 'number'));
  return numeric ?? swept[0] ?? null;
}

export function sweepChart(results: Results, metric: string): Chart | null {
  const x = xPath(results);
  if (x === null) return null;
  const seriesPaths = results.swept.filter((p) => p !== x);
  if (results.report.series !== undefined && seriesPaths.includes(results.report.series)) {
    seriesPaths.splice(seriesPaths.indexOf(results.report.series), 1);
    seriesPaths.unshift(results.report.series);
  }
  const raw = results.points
    .map((p) => ({ point: p, estimate: p.metrics.get(metric) }))
    .filter((r) => r.estimate !== undefined && Number.isFinite(r.estimate.mean));
  if (raw.length < 2 || new Set(raw.map((r) => JSON.stringify(r.point.settings[x]))).size < 2) return null;

  const unit = unitOfValues(metric, raw.map((r) => r.estimate?.mean ?? NaN));
  const means = raw.map((r) => r.estimate?.mean ?? NaN);
  const logY = spansDecades(means);
  const floor = Math.min(...means.filter((m) => m > 0)) / 2;
  const unhealthy = unhealthyPointIds(results);
  const rows = raw.map(({ point, estimate }) => {
    const e = estimate as { mean: number; low: number; high: number };
    const low = Number.isFinite(e.low) ? e.low : e.mean;
    const high = Number.isFinite(e.high) ? e.high : e.mean;
    return {
      x: typeof point.settings[x] === 'number' ? (point.settings[x] as number | string) : formatSetting(point.settings[x]),
      y: e.mean * unit.factor,
      low: (logY ? clampForLog(low, floor) : low) * unit.factor,
      high: high * unit.factor,
      series: settingsLabel(point, seriesPaths, results.swept),
      unhealthy: unhealthy.has(point.id),
    };
  });
  const numbers = rows.every((r) => typeof r.x === 'number');
  const numericX = numbers && !isCategoricalNumbers(rows.map((r) => r.x as number));
  // Categories keep their numeric order; their labels are the values as written.
  if (!numericX && numbers) for (const r of rows.sort((a, b) => (a.x as number) - (b.x as number))) r.x = String(r.x);
  const logX = numericX && spansDecades(rows.map((r) => r.x as number));
  const xName = shortPath(x, results.swept);
  const seriesTitle = seriesPaths.length === 0 ? 'series' : seriesPaths.map((p) => shortPath(p, results.swept)).join(', ');
  const seriesOrder = [...new Set(rows.map((r) => r.series))];
  const yTitle = axisTitle(metric, unit);
  const color = {
    field: 'series',
    type: 'nominal',
    title: seriesTitle,
    sort: seriesOrder,
    scale: schemeFor(seriesOrder.length),
    legend: seriesPaths.length === 0 ? null : { symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 },
  };

  const xOrder = [...new Set(rows.map((r) => r.x))];
  const xScale = scaleAndAxis(logX, rows.map((r) => r.x as number), false);
  if (logX) {
    // The x axis spans exactly the swept values, ticked at them where few.
    const xs = rows.map((r) => r.x as number);
    xScale.scale = { type: 'log', domain: [Math.min(...xs), Math.max(...xs)] };
    if (xOrder.length <= 12) xScale.axis = { values: xOrder, grid: true };
  }
  const xEncoding = numericX
    ? { field: 'x', type: 'quantitative', title: x, ...xScale }
    : { field: 'x', type: 'nominal', title: x, sort: xOrder as string[], axis: { labelAngle: 0 } };
  const yScale = scaleAndAxis(logY, rows.flatMap((r) => [r.low, r.high]), false);
  const y = (field: string) => ({ field, type: 'quantitative', title: yTitle, ...yScale });
  // The line layer comes first so that the legend's swatches are the lines', not the faint bands'.
  const layers: Record<string, unknown>[] = numericX
    ? [
        { mark: { type: 'line', point: true, strokeWidth: 2 }, encoding: { x: xEncoding, y: y('y'), color } },
        { mark: { type: 'errorband', opacity: 0.15 }, encoding: { x: xEncoding, y: y('low'), y2: { field: 'high' }, color } },
      ]
    : [
        { mark: { type: 'point', filled: true, size: 70, opacity: 1 }, encoding: { x: xEncoding, xOffset: { field: 'series', sort: seriesOrder }, y: y('y'), color } },
        { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x: xEncoding, xOffset: { field: 'series', sort: seriesOrder }, y: y('low'), y2: { field: 'high' }, color } },
      ];
  // A red ring around each point with a critical finding: its value describes a broken state.
  const sick = rows.some((r) => r.unhealthy);
  if (sick) {
    const offset = numericX ? {} : { xOffset: { field: 'series', sort: seriesOrder } };
    layers.push({ mark: { type: 'point', shape: 'circle', size: 300, filled: false, strokeWidth: 2, color: COLOURS.bad, opacity: 1 }, transform: [{ filter: 'datum.unhealthy' }], encoding: { x: xEncoding, ...offset, y: y('y') } });
  }
  return {
    name: `metric-${slug(metric)}`,
    title: `${metric} vs ${xName}`,
    caption: `Mean over replications with its 95 % confidence ${numericX ? 'band' : 'interval'}, against ${x}${seriesPaths.length > 0 ? `, one ${numericX ? 'line' : 'colour'} per ${seriesTitle}` : ''}${logX || logY ? `; log ${[logX ? 'x' : '', logY ? 'y' : ''].filter(Boolean).join(' and ')} axis` : ''}.${sick ? ' A red ring marks a point with a critical finding (‼, see Health): its value describes a broken state, not the setting.' : ''}`,
    metrics: [metric],
    spec: {
      ...frame(`${metric} vs ${xName}`, 320),
      data: { values: rows },
      layer: layers,
    } as unknown as Chart['spec'],
  };
}
