// What every chart shares: the Chart record, the page's look, units and log-scale choices.
// Data fields inside specs are always plain names (x, y, low, high, series, point), never the
// user's dotted paths, which Vega-Lite would read as nested fields.

import type { TopLevelSpec } from 'vega-lite';
import { unitFor, type DisplayUnit } from '../format.js';
import { unhealthyPointIds } from '../health.js';
import type { Results } from '../inputs.js';
import { pointLabels } from '../labels.js';

/** The mark an unhealthy point carries in every chart, as in every table (see the Health section). */
const UNHEALTHY_MARK = '‼';

/** Point labels for charts: an unhealthy point's label ends with ‼, so that no chart ranks it unseen. */
export function chartLabels(results: Results): Map<string, string> {
  const unhealthy = unhealthyPointIds(results);
  const labels = pointLabels(results);
  for (const id of unhealthy) labels.set(id, `${labels.get(id) ?? id} ${UNHEALTHY_MARK}`);
  return labels;
}

export interface Chart {
  /** File name stem: charts/<name>.svg and charts/<name>.vl.json. */
  name: string;
  title: string;
  /** One sentence on what the chart shows and how to read it. */
  caption: string;
  /** Metric keys drawn, for assumption warnings beside the chart. */
  metrics: string[];
  spec: TopLevelSpec;
}

const WIDTH = 560;

const CONFIG = {
  font: 'sans-serif',
  // Node has no canvas to measure text, so Vega estimates widths generously: limits are wide
  // enough that no setting name is cut.
  axis: { labelLimit: 1000, titleFontWeight: 'normal' as const, titleLimit: 1000 },
  legend: { labelLimit: 1000, titleLimit: 1000 },
  view: { stroke: null },
};

/** Colours by meaning, used wherever the same kind appears. */
export const COLOURS = {
  good: '#2f7d32',
  neutral: '#5470c6',
  warn: '#e6a100',
  bad: '#c62828',
  other: '#7b4fa0',
  limit: '#c62828',
};

/** The spec's frame. Titles are the page's (figure caption, Markdown heading), not the SVG's. */
export function frame(description: string, height: number) {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', description, width: WIDTH, height, background: 'white', config: CONFIG };
}

/** A colour scheme with enough distinct colours for `n` series. */
export function schemeFor(n: number): { scheme: string } {
  return { scheme: n <= 10 ? 'tableau10' : 'tableau20' };
}

/** Tick values for a log axis over [min, max]: powers of ten, with 2 and 5 between them over short spans. */
export function logTicks(values: number[]): number[] {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  const low = Math.floor(Math.log10(Math.min(...positive)));
  const high = Math.ceil(Math.log10(Math.max(...positive)));
  const steps = high - low <= 3 ? [1, 2, 5] : [1];
  const ticks: number[] = [];
  for (let k = low; k <= high; k++) for (const step of steps) ticks.push(Number((step * 10 ** k).toPrecision(3)));
  return ticks;
}

/** A quantitative scale and axis: log with ticks at 1-2-5 or decades, else linear (from zero or not). */
export function scaleAndAxis(log: boolean, values: number[], zero: boolean): { scale: Record<string, unknown>; axis?: Record<string, unknown> } {
  if (!log) {
    // The domain spans every value given (interval ends included), so that no bar runs off the plot.
    const finite = values.filter(Number.isFinite);
    if (finite.length === 0) return { scale: { type: 'linear', zero } };
    const low = Math.min(...finite, ...(zero ? [0] : []));
    const high = Math.max(...finite, ...(zero ? [0] : []));
    return { scale: { type: 'linear', zero, nice: true, domain: low === high ? [low - 1, high + 1] : [low, high] } };
  }
  const ticks = logTicks(values);
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  // A margin of a factor 1.4 keeps the extreme marks off the plot's edges.
  const domain = [Math.min(...positive) / 1.4, Math.max(...positive) * 1.4];
  const inside = ticks.filter((t) => t >= domain[0] && t <= domain[1]);
  return { scale: { type: 'log', domain }, axis: inside.length >= 2 ? { values: inside, grid: true } : {} };
}

/**
 * Integer settings packed close together (ndots 1–5, attempts 1–3) are categories, not a
 * continuum: a continuous axis would tick at 1.5 and draw lines through values no one can set.
 */
export function isCategoricalNumbers(values: number[]): boolean {
  const distinct = [...new Set(values)];
  if (!distinct.every(Number.isInteger)) return false;
  return Math.max(...distinct) - Math.min(...distinct) <= 2 * distinct.length;
}

/** Height for a chart with one row per point. */
export function rowsHeight(rows: number): number {
  return Math.max(80, rows * 26);
}

/**
 * Positive finite values spanning at least `decades` powers of ten: draw them on a log scale.
 * With `allowZeros`, zeros do not prevent it (the caller leaves them off the chart and says so).
 */
export function spansDecades(values: number[], decades = 2, allowZeros = false): boolean {
  const positive = values.filter((v) => Number.isFinite(v) && v > 0);
  const finite = values.filter((v) => Number.isFinite(v) && (!allowZeros || v !== 0));
  if (positive.length < 2 || positive.length < finite.length) return false;
  return Math.max(...positive) / Math.min(...positive) >= 10 ** decades;
}

/** One display unit for a set of values (their median's unit). */
export function unitOfValues(metric: string, values: number[]): DisplayUnit {
  const finite = values.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs).sort((a, b) => a - b);
  return unitFor(metric, finite.length === 0 ? 1 : finite[Math.floor(finite.length / 2)]);
}

/** "request_duration_seconds.p99 (ms)"; a long metric key breaks before its stat, so that a rotated title fits beside the plot. */
export function axisTitle(label: string, unit: DisplayUnit): string | string[] {
  const text = unit.symbol === '' ? label : `${label} (${unit.symbol})`;
  const dot = label.lastIndexOf('.');
  if (text.length <= 36 || dot <= 0) return text;
  return [label.slice(0, dot), unit.symbol === '' ? label.slice(dot + 1) : `${label.slice(dot + 1)} (${unit.symbol})`];
}

/** Interval ends for a log scale: a non-positive low end is clamped just below the lowest mean. */
export function clampForLog(low: number, floor: number): number {
  return low > 0 ? low : floor;
}
