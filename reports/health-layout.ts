// How the health findings are laid out for a reader: grouped by kind of trouble across points,
// where each is, and the ‼ marks the tables put on unhealthy points.

import { comparisonPath, groupsAcross } from './compare.js';
import type { Health, PointHealth, Severity, Finding } from './health.js';
import type { Results } from './inputs.js';

/** One kind of trouble at one severity across points, the worst of them kept as the example. */
export interface Trouble {
  severity: Severity;
  worst: Finding;
  worstAt: PointHealth;
  at: PointHealth[];
  /** The smallest magnitude seen: where it equals the worst's, no point is worse than another. */
  least: number;
}

/** The findings of `points` grouped by kind and severity: critical first, then in the order first seen. */
export function troubles(points: PointHealth[]): Trouble[] {
  const byKind = new Map<string, Trouble>();
  for (const point of points) {
    for (const f of point.findings) {
      const key = `${f.severity}/${f.kind}`;
      const seen = byKind.get(key);
      if (seen === undefined) {
        byKind.set(key, { severity: f.severity, worst: f, worstAt: point, at: [point], least: f.magnitude });
        continue;
      }
      seen.at.push(point);
      seen.least = Math.min(seen.least, f.magnitude);
      if (f.magnitude > seen.worst.magnitude) Object.assign(seen, { worst: f, worstAt: point });
    }
  }
  const list = [...byKind.values()];
  return [...list.filter((t) => t.severity === 'critical'), ...list.filter((t) => t.severity === 'warning')];
}

/** Points named where a trouble is before they are counted instead. */
const MAX_NAMED = 3;

/** Where a trouble is: "mode=ipvs", "all 4 points; worst mode=ebpf", "5 of 8 points". */
export function troubleWhere(t: Trouble, total: number): string {
  if (t.at.length === 1) return t.at[0].label;
  const points = t.at.length === total ? `all ${total} points` : t.at.length <= MAX_NAMED ? t.at.map((p) => p.label).join(', ') : `${t.at.length} of ${total} points`;
  return t.least < t.worst.magnitude ? `${points}; worst ${t.worstAt.label}` : points;
}

/** Unhealthy points listed one by one up to this many; more read better as one line per kind of trouble. */
const POINTS_IN_FULL = 3;

/** What the Health section shows: points in full, then groups of troubles, each under a title. */
export interface HealthLayout {
  inFull: PointHealth[];
  groups: { title: string; troubles: Trouble[] }[];
}

/**
 * A few unhealthy points each with all its findings; many as one line per kind of trouble saying
 * where it is. Points with warnings only are always grouped, so that a warning every point shares
 * reads once.
 */
export function healthLayout(health: Health): HealthLayout {
  const critical = health.points.filter((p) => p.critical);
  const warned = health.points.filter((p) => !p.critical);
  const groups: HealthLayout['groups'] = [];
  const inFull = critical.length <= POINTS_IN_FULL ? critical : [];
  if (inFull.length === 0 && critical.length > 0) groups.push({ title: critical.length === health.total ? `At all ${critical.length} points` : `At the ${critical.length} unhealthy points`, troubles: troubles(critical) });
  if (warned.length > 0) groups.push({ title: critical.length === 0 ? 'Warnings' : 'Warnings at the other points', troubles: troubles(warned) });
  return { inFull, groups };
}

/** The ‼ mark's tooltip: what is wrong at the point, critical findings only. */
export function markTitle(point: PointHealth): string {
  return `Unhealthy: ${point.findings.filter((f) => f.severity === 'critical').map((f) => f.short).join('; ')} (see Health)`;
}

/** Per point id, its health where it has a critical finding. */
export function criticalById(health: Health): Map<string, PointHealth> {
  return new Map(health.points.filter((p) => p.critical).map((p) => [p.point.id, p]));
}

/** Per group label of the verdict table, the unhealthy points in that group. */
export function unhealthyByGroup(results: Results, health: Health): Map<string, PointHealth[]> {
  const path = comparisonPath(results);
  const critical = criticalById(health);
  const out = new Map<string, PointHealth[]>();
  if (path === null) return out;
  for (const group of groupsAcross(results, path)) {
    const sick = group.points.map((p) => critical.get(p.id)).filter((p): p is PointHealth => p !== undefined);
    if (sick.length > 0) out.set(group.label, sick);
  }
  return out;
}

/** The legend of ‼ under a table, or null where no point is unhealthy. */
export function markLegend(health: Health): string | null {
  if (health.unhealthy.size === 0) return null;
  return '‼ an unhealthy point (see Health): a component saturated, dropping, or at least 1 % of requests failed; its values describe that state, not the setting.';
}
