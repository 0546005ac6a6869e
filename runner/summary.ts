// From points.jsonl to summary.json and summary.csv: per point and metric, the mean and Student-t
// 95 % interval over replications (engine/stats summarize), cut at the metric's support (a
// latency's interval never goes below 0, a share's never above 1); no interval for one
// replication. A pure function of the set of
// records: points in the sweep's order, replications in their order, so the bytes do not depend
// on how many workers ran, in which order jobs ended, or how shards were merged.

import { summarize } from '../engine/stats/index.js';
import { metricSupport } from '../models/metric-catalogue.js';
import type { ConstantRecord } from '../models/profiles/load.js';
import { shortHash } from './canonical.js';
import type { Manifest, PointRecord } from './results-dir.js';

export interface MetricSummary {
  mean: number | null;
  ci95: [number | null, number | null];
  n: number;
}

export interface SummaryPoint {
  id: string;
  settings: Record<string, unknown>;
  metrics: Record<string, MetricSummary>;
}

export interface Summary {
  experiment: string;
  points: SummaryPoint[];
}

/** The records that count: one per (point, replication) of the manifest, the first if repeated. */
export function recordsByPoint(manifest: Manifest, records: readonly PointRecord[]): Map<string, PointRecord[]> {
  const byPoint = new Map<string, PointRecord[]>(manifest.points.map((p) => [p.id, []]));
  const seen = new Set<string>();
  for (const record of records) {
    const list = byPoint.get(record.point);
    const key = `${record.point}/${record.replication}`;
    if (list === undefined || record.replication >= manifest.replications || seen.has(key)) continue;
    seen.add(key);
    list.push(record);
  }
  for (const list of byPoint.values()) list.sort((a, b) => a.replication - b.replication);
  return byPoint;
}

const orNull = (value: number) => (Number.isFinite(value) ? value : null);

export function buildSummary(manifest: Manifest, records: readonly PointRecord[]): Summary {
  const byPoint = recordsByPoint(manifest, records);
  const points: SummaryPoint[] = [];
  for (const { id, settings } of manifest.points) {
    const list = byPoint.get(id)!;
    if (list.length === 0) continue;
    const keys: string[] = [];
    const known = new Set<string>();
    for (const record of list) {
      for (const key of Object.keys(record.metrics)) {
        if (!known.has(key)) {
          known.add(key);
          keys.push(key);
        }
      }
    }
    const metrics: Record<string, MetricSummary> = {};
    for (const key of keys) {
      const values = list.map((record) => record.metrics[key] ?? NaN);
      const s = summarize(values, metricSupport(key));
      metrics[key] = { mean: orNull(s.mean), ci95: [orNull(s.ci95[0]), orNull(s.ci95[1])], n: s.n };
    }
    points.push({ id, settings, metrics });
  }
  return { experiment: manifest.experiment, points };
}

export function summaryJson(summary: Summary): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

/** One row per point: the point's id, its swept settings, then mean and CI ends of each metric. */
export function summaryCsv(summary: Summary, sweepKeys: readonly string[]): string {
  const metricKeys: string[] = [];
  const known = new Set<string>();
  for (const point of summary.points) {
    for (const key of Object.keys(point.metrics)) {
      if (!known.has(key)) {
        known.add(key);
        metricKeys.push(key);
      }
    }
  }
  const header = ['point', ...sweepKeys, ...metricKeys.flatMap((k) => [`${k}.mean`, `${k}.ci95lo`, `${k}.ci95hi`])];
  const rows = [header.map(csvField).join(',')];
  for (const point of summary.points) {
    const cells: string[] = [point.id, ...sweepKeys.map((k) => settingText(point.settings[k]))];
    for (const key of metricKeys) {
      const m = point.metrics[key];
      cells.push(numberText(m?.mean ?? null), numberText(m?.ci95[0] ?? null), numberText(m?.ci95[1] ?? null));
    }
    rows.push(cells.map(csvField).join(','));
  }
  return `${rows.join('\n')}\n`;
}

const numberText = (value: number | null) => (value === null ? '' : String(value));
const settingText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value) ?? '');

/**
 * One CSV cell. A text cell starting with = + - @, a tab or a carriage return would run as a
 * formula in a spreadsheet (OWASP's CSV injection rule): it gets a leading quote. Numbers, which
 * may start with a minus, are left as they are.
 */
export function csvField(text: string): string {
  const safe = /^[=+\-@\t\r]/.test(text) && !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/**
 * constants.json: each distinct set of profile constants once, keyed by its hash, and which set
 * each point used (most points share one), in the sweep's order.
 */
export function constantsJson(manifest: Manifest, byPoint: ReadonlyMap<string, ConstantRecord[]>): string {
  const sets: Record<string, ConstantRecord[]> = {};
  const points: Record<string, string> = {};
  for (const { id } of manifest.points) {
    const constants = byPoint.get(id);
    if (constants === undefined) continue;
    const hash = shortHash(constants);
    sets[hash] ??= constants;
    points[id] = hash;
  }
  return `${JSON.stringify({ points, sets }, null, 2)}\n`;
}
