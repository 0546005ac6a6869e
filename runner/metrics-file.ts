// metrics.json: what each metric key of a run's summary is (unit, scope, direction, support,
// resolution), from the models' catalogue, so that reports rank, bound and format from the
// results directory alone. Keys the catalogue does not know are left out.

import { Histogram } from '../engine/stats/index.js';
import { metricInfo, metricSupport, splitKey, type MetricDirection, type MetricScope, type MetricUnit } from '../models/metric-catalogue.js';
import type { Summary } from './summary.js';

interface MetricFileEntry {
  unit: MetricUnit;
  scope: MetricScope;
  direction: MetricDirection;
  /** [lo, hi]; null for an unbounded end (JSON has no Infinity). */
  support: [number | null, number | null];
  /** The smallest relative difference between two means that the numbers can resolve. */
  relativeResolution: number;
  help: string;
}

const QUANTILE_STATS = new Set(['p50', 'p90', 'p99', 'p999']);

/**
 * Two sketch estimates, each within relativeAccuracy of its true quantile, can differ by twice
 * that with no difference in the runs. Everything else is computed exactly, and the report
 * shows three significant digits, so a difference under 1e-3 of the value is not one it shows.
 */
const QUANTILE_RESOLUTION = 2 * Histogram.relativeAccuracy;
const SHOWN_RESOLUTION = 1e-3;

function metricEntry(key: string): MetricFileEntry | undefined {
  const info = metricInfo(key);
  if (info === undefined) return undefined;
  const [lo, hi] = metricSupport(key);
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    unit: info.unit,
    scope: info.scope,
    direction: info.direction,
    support: [finite(lo), finite(hi)],
    relativeResolution: info.kind === 'distribution' && QUANTILE_STATS.has(splitKey(key).stat) ? QUANTILE_RESOLUTION : SHOWN_RESOLUTION,
    help: info.help,
  };
}

/** Keys sorted, so that the bytes depend on the set of keys only (not on workers or merge order). */
export function metricsJson(summary: Summary): string {
  const keys = [...new Set(summary.points.flatMap((p) => Object.keys(p.metrics)))].sort();
  const entries: Record<string, MetricFileEntry> = {};
  for (const key of keys) {
    const entry = metricEntry(key);
    if (entry !== undefined) entries[key] = entry;
  }
  return `${JSON.stringify(entries, null, 2)}\n`;
}
