// How points are named in tables and charts: by their swept settings, each path shortened to its
// last segment unless two swept paths share it ("services=1000, mode=ipvs").

import { formatSetting } from './format.js';
import type { ResultPoint, Results } from './inputs.js';

/** The last segment of `path`, or the whole path where another swept path ends the same way. */
export function shortPath(path: string, paths: readonly string[]): string {
  const last = path.slice(path.lastIndexOf('.') + 1);
  const clashes = paths.filter((other) => other.slice(other.lastIndexOf('.') + 1) === last).length > 1;
  return clashes ? path : last;
}

/** "services=1000, mode=ipvs" over `paths`, or the bare value where `paths` is one path; "all" for none. */
export function settingsLabel(point: ResultPoint, paths: readonly string[], allPaths: readonly string[] = paths): string {
  if (paths.length === 0) return allPaths.length === 0 ? 'baseline' : 'all';
  if (paths.length === 1 && allPaths.length > 1) return formatSetting(point.settings[paths[0]]);
  return paths.map((path) => `${shortPath(path, allPaths)}=${formatSetting(point.settings[path])}`).join(', ');
}

/** A point's label over every swept path. */
function pointLabel(results: Results, point: ResultPoint): string {
  return results.swept.length === 0 ? (results.points.length > 1 ? point.id : 'baseline') : settingsLabel(point, results.swept);
}

/** Labels for every point, unique (a duplicate gets its id appended). */
export function pointLabels(results: Results): Map<string, string> {
  const labels = new Map<string, string>();
  const seen = new Set<string>();
  for (const point of results.points) {
    let label = pointLabel(results, point);
    if (seen.has(label)) label = `${label} (${point.id})`;
    seen.add(label);
    labels.set(point.id, label);
  }
  return labels;
}
