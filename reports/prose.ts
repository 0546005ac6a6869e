// Sentences both renderers print: what was run, and which optional inputs were missing.

import { formatSetting } from './format.js';
import type { Results } from './inputs.js';

export function describeRun(results: Results): string {
  const points = results.points.length;
  const replications = results.replications.length > 0 ? results.replications.length : Math.max(0, ...results.points.flatMap((p) => [...p.metrics.values()].map((m) => m.n)));
  const parts = [`${points} point${points === 1 ? '' : 's'} × ${replications} replication${replications === 1 ? '' : 's'}`];
  if (results.swept.length > 0) {
    parts.push(`swept: ${results.swept.map((path) => {
      const values = results.sweep[path] ?? [...new Set(results.points.map((p) => formatSetting(p.settings[path])))];
      return `${path} ∈ {${values.map(formatSetting).join(', ')}}`;
    }).join('; ')}`);
  }
  const seed = results.seed;
  if (seed !== undefined) parts.push(`seed ${seed}`);
  return parts.join(' · ');
}

export function missingNotes(results: Results): string[] {
  const notes: string[] = [];
  if (results.missing.includes('experiment.json')) notes.push('No experiment.json: the name comes from summary.json, the swept paths from the settings that vary, and no SLO applies.');
  if (results.missing.includes('points.jsonl')) notes.push('No points.jsonl: without per-replication values no paired comparison is made.');
  return notes;
}
