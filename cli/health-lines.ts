// The Health section of the report in a few terminal lines, printed by `run` and `plan` after
// their work: one line per kind of trouble, worst first, naming the points it hit.

import { assessHealth, type Health } from '../reports/health.js';
import { troubles, troubleWhere } from '../reports/health-layout.js';
import { readResults } from '../reports/inputs.js';

/** Lines beyond this go to report.html: a terminal summary that scrolls away is not read. */
const MAX_LINES = 10;

/** The lines for a health assessment: "health: all N points healthy", or one line per kind of trouble. */
export function formatHealthLines(health: Health): string[] {
  if (health.points.length === 0) return [`health: all ${health.total} point${health.total === 1 ? '' : 's'} healthy`];
  const lines = troubles(health.points).map((t) => `${t.severity === 'critical' ? '‼' : '!'} ${t.worst.text} [${troubleWhere(t, health.total)}]`);
  if (lines.length <= MAX_LINES) return lines;
  return [...lines.slice(0, MAX_LINES), `… ${lines.length - MAX_LINES} more in report.html`];
}

/** The health lines of the results in `dir`. */
export function healthLines(dir: string): string[] {
  return formatHealthLines(assessHealth(readResults(dir)));
}
