// Which setting is better, per metric, only where the data say so. Points that differ in one
// swept setting (the comparison path) and agree on the others form a group. Within a group the
// leaders are the point with the best mean and every point not significantly worse than it; the
// leaders win where the rest are all significantly worse (a tie at the top stays a tie).
// Pairs are replications with the same index, which ran with common random numbers, so the
// difference's interval is narrower than the two points' own intervals suggest.
// A difference is significant only when its interval excludes zero and it is larger than the
// metric's resolution: two sketch quantiles of identical runs can differ by 2 %, and a
// difference of 10^-4 of the value is rounding that no table shows. Neutral metrics (loads,
// sizes, limits) have no better side and are never compared.

import { pairedDifference, type PairedDifference } from '../engine/stats/summary.js';
import { direction, relativeResolution } from './metric-keys.js';
import type { ResultPoint, Results } from './inputs.js';
import { settingsLabel } from './labels.js';

export interface Comparison {
  metric: string;
  /** The other swept settings the group's points share ("services=1000"), or "all". */
  groupLabel: string;
  /** The same as "services=1000", for a sentence. */
  where: string;
  /** The best mean in the group. */
  leader: ResultPoint;
  /** The leader and every point whose paired difference from it is not significant, in sweep order. */
  leaders: ResultPoint[];
  /** The points significantly worse than the leader, best first. */
  trailing: ResultPoint[];
  /** The best point outside the leaders (the second best where all tie), or null in a group of one. */
  runnerUp: ResultPoint | null;
  /** leader − runnerUp over paired replications; null without points.jsonl. */
  difference: PairedDifference | null;
  /** Some point of the group is significantly worse than the leader: the leaders are the better settings. */
  significant: boolean;
}

/**
 * The swept path whose settings are compared: spec.report.series, else the only swept path,
 * else the first swept path with non-numeric values, else the last swept path.
 */
export function comparisonPath(results: Results): string | null {
  const { swept, report } = results;
  if (report.series !== undefined && swept.includes(report.series)) return report.series;
  if (swept.length === 0) return null;
  if (swept.length === 1) return swept[0];
  const categorical = swept.find((path) => results.points.some((p) => typeof p.settings[path] !== 'number'));
  return categorical ?? swept[swept.length - 1];
}

/** Points grouped by every swept setting except `path`, in first-seen order. */
export function groupsAcross(results: Results, path: string): { label: string; where: string; points: ResultPoint[] }[] {
  const others = results.swept.filter((p) => p !== path);
  const groups = new Map<string, { label: string; where: string; points: ResultPoint[] }>();
  for (const point of results.points) {
    const key = JSON.stringify(others.map((p) => point.settings[p] ?? null));
    let group = groups.get(key);
    if (group === undefined) {
      group = { label: settingsLabel(point, others, results.swept), where: settingsLabel(point, others), points: [] };
      groups.set(key, group);
    }
    group.points.push(point);
  }
  return [...groups.values()];
}

function meanOf(point: ResultPoint, metric: string): number {
  return point.metrics.get(metric)?.mean ?? NaN;
}

/** Is `a − b` significantly in the better direction? */
function significantlyBetter(difference: PairedDifference, better: 'lower' | 'higher'): boolean {
  if (!difference.significant) return false;
  return better === 'lower' ? difference.ci95[1] < 0 : difference.ci95[0] > 0;
}

/**
 * a − b over paired replications, `significant` only where the interval excludes zero and the
 * mean difference exceeds the metric's resolution relative to the larger of the two means.
 */
function paired(results: Results, a: ResultPoint, b: ResultPoint, metric: string): PairedDifference | null {
  const x = a.replicationValues.get(metric);
  const y = b.replicationValues.get(metric);
  if (x === undefined || y === undefined || results.replications.length === 0) return null;
  const difference = pairedDifference(x, y);
  const scale = Math.max(Math.abs(meanOf(a, metric)), Math.abs(meanOf(b, metric)));
  const resolved = Math.abs(difference.mean) > relativeResolution(metric, results.metricInfo) * scale;
  return { ...difference, significant: difference.significant && resolved };
}

/** The comparison of one metric within one group of points. */
function compareWithin(results: Results, metric: string, group: { label: string; where: string; points: ResultPoint[] }): Comparison | null {
  const points = group.points;
  const better = direction(metric, results.metricInfo);
  if (better === 'neutral') return null;
  const ranked = points.filter((p) => Number.isFinite(meanOf(p, metric))).sort((a, b) => (better === 'lower' ? meanOf(a, metric) - meanOf(b, metric) : meanOf(b, metric) - meanOf(a, metric)));
  if (ranked.length === 0) return null;
  const leader = ranked[0];
  const worse = (other: ResultPoint) => {
    const d = paired(results, leader, other, metric);
    return d !== null && significantlyBetter(d, better);
  };
  // Leaders in the sweep's order, so that the same tie reads the same in every group.
  const leaders = points.filter((p) => p === leader || (ranked.includes(p) && !worse(p)));
  const significant = leaders.length < ranked.length;
  const runnerUp = significant ? (ranked.find((p) => !leaders.includes(p)) ?? null) : (ranked[1] ?? null);
  const difference = runnerUp === null ? null : paired(results, leader, runnerUp, metric);
  const trailing = ranked.filter((p) => !leaders.includes(p));
  return { metric, groupLabel: group.label, where: group.where, leader, leaders, trailing, runnerUp, difference, significant };
}

/** Per metric, one comparison per group of points that differ only in the comparison path. */
export function compareSettings(results: Results, metrics: string[]): { path: string | null; comparisons: Map<string, Comparison[]> } {
  const path = comparisonPath(results);
  const comparisons = new Map<string, Comparison[]>();
  if (path === null) return { path, comparisons };
  const groups = groupsAcross(results, path);
  for (const metric of metrics) {
    const list = groups.map((g) => compareWithin(results, metric, g)).filter((c): c is Comparison => c !== null);
    if (list.length > 0) comparisons.set(metric, list);
  }
  return { path, comparisons };
}

/** The ids of the points that lead their group, significantly, on `metric`. */
export function winners(comparisons: Map<string, Comparison[]>, metric: string): Set<string> {
  return new Set((comparisons.get(metric) ?? []).filter((c) => c.significant).flatMap((c) => c.leaders.map((p) => p.id)));
}

/** One setting against the baseline within a group. */
interface BaselineDifference {
  point: ResultPoint;
  /** point − baseline over paired replications; null without points.jsonl. */
  difference: PairedDifference | null;
}

export interface BaselineComparison {
  metric: string;
  /** The other swept settings of the group ("services=1000"), '' when only one path is swept. */
  where: string;
  baseline: ResultPoint;
  /** Every other point of the group with a value, in sweep order. */
  others: BaselineDifference[];
}

/**
 * The setting of `path` the others are compared against: spec.report.baseline when it is one of
 * the path's values (the runner refuses any other), else the path's first swept value.
 */
function baselineValue(results: Results, path: string): unknown {
  const values = results.sweep[path] ?? [];
  const wanted = results.report.baseline;
  if (wanted !== undefined && values.some((v) => JSON.stringify(v) === JSON.stringify(wanted))) return wanted;
  return values[0];
}

/** Per group, every setting against the group's baseline point; groups without it are left out. */
export function compareWithBaseline(results: Results, metric: string, path: string): BaselineComparison[] {
  if (direction(metric, results.metricInfo) === 'neutral') return [];
  const base = JSON.stringify(baselineValue(results, path));
  const out: BaselineComparison[] = [];
  for (const group of groupsAcross(results, path)) {
    const baseline = group.points.find((p) => JSON.stringify(p.settings[path]) === base);
    if (baseline === undefined || !Number.isFinite(meanOf(baseline, metric))) continue;
    const others = group.points.filter((p) => p !== baseline && Number.isFinite(meanOf(p, metric))).map((point) => ({ point, difference: paired(results, point, baseline, metric) }));
    // A single swept path has one group and nothing else to say where.
    if (others.length > 0) out.push({ metric, where: results.swept.length > 1 ? group.where : '', baseline, others });
  }
  return out;
}
