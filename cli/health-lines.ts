// The Health section of the report in a few terminal lines, printed by `run` and `plan` after
// their work: one line per kind of trouble, worst first, naming the points it hit.

import { assessHealth, type Finding, type Health, type PointHealth } from '../reports/health.js';
import { readResults } from '../reports/inputs.js';

/** Lines beyond this go to report.html: a terminal summary that scrolls away is not read. */
const MAX_LINES = 10;
/** Points named on a line before they are counted instead. */
const MAX_NAMED = 3;

interface Trouble {
  severity: Finding['severity'];
  worst: Finding;
  worstAt: PointHealth;
  at: PointHealth[];
  /** The smallest magnitude seen: where it equals the worst's, no point is worse than another. */
  least: number;
}

/** Findings of one kind and severity across points, the worst (largest magnitude) kept as the example. */
function troubles(health: Health): Trouble[] {
  const byKind = new Map<string, Trouble>();
  for (const point of health.points) {
    for (const f of point.findings) {
      const key = `${f.severity}/${f.kind}`;
      const seen = byKind.get(key);
      if (seen === undefined) byKind.set(key, { severity: f.severity, worst: f, worstAt: point, at: [point], least: f.magnitude });
      else {
        seen.at.push(point);
        seen.least = Math.min(seen.least, f.magnitude);
        if (f.magnitude > seen.worst.magnitude) Object.assign(seen, { worst: f, worstAt: point });
      }
    }
  }
  const list = [...byKind.values()];
  return [...list.filter((t) => t.severity === 'critical'), ...list.filter((t) => t.severity === 'warning')];
}

function where(t: Trouble, total: number): string {
  if (t.at.length === 1) return t.at[0].label;
  const points = t.at.length === total ? `all ${total} points` : t.at.length <= MAX_NAMED ? t.at.map((p) => p.label).join(', ') : `${t.at.length} of ${total} points`;
  return t.least < t.worst.magnitude ? `${points}; worst ${t.worstAt.label}` : points;
}

/** The lines for a health assessment: "health: all N points healthy", or one line per kind of trouble. */
export function formatHealthLines(health: Health): string[] {
  if (health.points.length === 0) return [`health: all ${health.total} point${health.total === 1 ? '' : 's'} healthy`];
  const lines = troubles(health).map((t) => `${t.severity === 'critical' ? '‼' : '!'} ${t.worst.text} [${where(t, health.total)}]`);
  if (lines.length <= MAX_LINES) return lines;
  return [...lines.slice(0, MAX_LINES), `… ${lines.length - MAX_LINES} more in report.html`];
}

/** The health lines of the results in `dir`. */
export function healthLines(dir: string): string[] {
  return formatHealthLines(assessHealth(readResults(dir)));
}
