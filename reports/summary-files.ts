// summary.json and summary.csv, for a results directory that lacks them (the runner writes its
// own; a report never overwrites them). CSV: one row per point, the swept settings, then per
// metric its mean, the 95 % interval's ends and n.

import type { SummaryFile } from './inputs.js';

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let text = typeof value === 'string' ? value : JSON.stringify(value);
  // A spreadsheet would run a cell starting with = + - @ as a formula.
  if (/^[=+\-@\t\r]/.test(text) && !/^[-+]?[0-9.]+([eE][-+]?[0-9]+)?$/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function summaryJson(summary: SummaryFile): string {
  return `${JSON.stringify(summary, null, 2)}\n`;
}

export function summaryCsv(summary: SummaryFile): string {
  const paths = [...new Set(summary.points.flatMap((p) => Object.keys(p.settings)))];
  const metrics = [...new Set(summary.points.flatMap((p) => Object.keys(p.metrics)))];
  const header = ['point', ...paths, ...metrics.flatMap((k) => [`${k}.mean`, `${k}.ci95_low`, `${k}.ci95_high`, `${k}.n`])];
  const rows = summary.points.map((p) => [
    p.id,
    ...paths.map((path) => p.settings[path]),
    ...metrics.flatMap((k) => {
      const s = p.metrics[k];
      return s === undefined ? [null, null, null, null] : [s.mean, s.ci95[0], s.ci95[1], s.n];
    }),
  ]);
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}
