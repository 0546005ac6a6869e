// The terminal table `run` prints: each point's settings and metrics as "mean ± half-width" in the
// report's units (reports/format.ts), split into tables that repeat the settings to fit 120 columns.

import { metricInfo, splitKey, type MetricInfo } from '../models/metric-catalogue.js';
import { formatNumber, formatSetting, formatValue, unitFor } from '../reports/format.js';
import { shortPath } from '../reports/labels.js';
import type { MetricSummary, SummaryPoint } from '../runner/summary.js';
import { splitTables, TERMINAL_COLUMNS } from './format.js';

/** A setting wider than this (a swept mapping or list) is cut: the CSV has it whole. */
const MAX_SETTING_CHARS = 40;

/**
 * "289 µs ± 8.1": the mean to three significant digits and the interval's half-width to two, in
 * the mean's unit; an interval lopsided by more than a tenth (a log or bootstrap interval) shows
 * both sides ("5.00 s +2.1 −0.40"). "± n/a" when there is no interval (fewer than 2 replications).
 */
export function formatCell(key: string, summary: Estimate | undefined): string {
  if (summary === undefined || summary.mean === null || !Number.isFinite(summary.mean)) return 'n/a';
  const { mean } = summary;
  const unit = unitFor(key, mean);
  const value = formatValue(key, mean);
  const [low, high] = summary.ci95;
  if ((summary.n !== undefined && summary.n < 2) || low === null || high === null || !Number.isFinite(low) || !Number.isFinite(high)) return `${value} ± n/a`;
  const up = high - mean;
  const down = mean - low;
  const half = (high - low) / 2;
  const side = (x: number) => (Math.abs(x) <= 1e-9 * Math.abs(mean) ? '0' : formatNumber(x * unit.factor, 2));
  if (Math.abs(up - down) > 0.1 * half) return `${value} +${side(up)} −${side(down)}`;
  return `${value} ± ${side(half)}`;
}

/** A mean and its interval; `n` left out where the replications are not known (a plan's check). */
type Estimate = Pick<MetricSummary, 'mean' | 'ci95'> & { n?: number };

/** What one value stands for where the name does not say it: a count or rate per node or cluster-wide. */
function scopeNote(info: MetricInfo): string {
  // A distribution's value is one event (a sync, a lookup): its scope adds nothing.
  if (info.kind === 'distribution' || info.kind === 'average') return '';
  if (info.scope === 'cluster') return info.kind === 'counter' ? 'cluster-wide' : '';
  return info.scope === 'lookup' ? '' : `per ${info.scope}`;
}

/**
 * A metric's column header in two lines, so that a long name does not widen its column twice:
 * the name without `_seconds` (the values carry their unit), then the stat and the scope
 * ("rate /s per node", "max, per node").
 */
export function metricHeader(key: string): [string, string] {
  const { name, stat } = splitKey(key);
  const info = metricInfo(key);
  const note = info === undefined ? '' : scopeNote(info);
  const second = stat === 'rate' ? `rate /s${note === '' ? '' : ` ${note}`}` : note === '' ? stat : `${stat}, ${note}`;
  return [name.replace(/_seconds$/, ''), second];
}

function settingCell(value: unknown): string {
  const text = formatSetting(value);
  return text.length > MAX_SETTING_CHARS ? `${text.slice(0, MAX_SETTING_CHARS - 1)}…` : text;
}

/** A column per swept path: its last segment (then `headerLines` − 1 empty lines), then each point's value. */
export function settingColumns(points: readonly Pick<SummaryPoint, 'settings'>[], sweepKeys: readonly string[], headerLines = 2): string[][] {
  const padding = Array.from({ length: headerLines - 1 }, () => '');
  return sweepKeys.map((key) => [shortPath(key, sweepKeys), ...padding, ...points.map((p) => settingCell(p.settings[key]))]);
}

/**
 * The table (or tables) of `points`: a column per swept path, then one per metric; metric columns
 * go to a further table, with the setting columns again, once a line would pass `columns`.
 */
export function headlineTables(points: readonly SummaryPoint[], sweepKeys: readonly string[], metrics: readonly string[], columns = TERMINAL_COLUMNS): string[] {
  const metricColumns = metrics.map((m) => [...metricHeader(m), ...points.map((p) => formatCell(m, p.metrics[m]))]);
  return splitTables(settingColumns(points, sweepKeys), metricColumns, columns);
}
