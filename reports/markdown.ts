// report.md for a pull request: the answer first (tables), charts linked as images beside their
// Vega-Lite specs, assumptions at the end. Every user-supplied string goes through escapeMarkdown.

import type { Answer, Cell, MetricColumn, Rich } from './answer.js';
import { criticalSummary, uniqueConstants } from './assumptions.js';
import type { Chart } from './charts/index.js';
import { escapeMarkdown as m } from './escape.js';
import { formatSetting } from './format.js';
import type { Results } from './inputs.js';
import { describeRun, missingNotes } from './prose.js';

function rich(parts: Rich): string {
  return parts.map((p) => (p.strong === true ? `**${m(p.text)}**` : m(p.text))).join('');
}

/** Inline code; a backtick inside would end it early, so it becomes a quote. */
function code(text: string): string {
  return `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')}\``;
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(headers: string[], rows: string[][], numericFrom = Infinity): string[] {
  const align = headers.map((_, i) => (i >= numericFrom ? '---:' : '---'));
  return [row(headers), row(align), ...rows.map(row)];
}

function metricHeader(c: MetricColumn): string {
  const mark = c.mark === undefined ? '' : c.mark.critical ? ' ⚠' : ' †';
  return `${code(c.key)}${mark}${c.slo === undefined ? '' : ` (SLO ${m(c.slo)})`}`;
}

function cell(c: Cell, column: MetricColumn): string {
  const text = `${m(c.text)}${c.best ? ' ★' : ''}${c.failsSlo ? ' ✗' : ''}${column.mark?.critical === true && c.text !== '—' ? ' ⚠' : ''}`;
  return c.best ? `**${text}**` : text;
}

export function renderMarkdown(results: Results, answer: Answer, charts: Chart[]): string {
  const out: string[] = [`# ${m(results.name)}`, ''];
  if (results.description !== '') out.push(`> ${m(results.description)}`, '');
  out.push(m(describeRun(results)), '');
  for (const note of missingNotes(results)) out.push(`_${m(note)}_`, '');

  out.push('## Answer', '');
  if (answer.plan !== null) out.push(...answer.plan.map((line) => `> ${rich(line)}  `), '');
  for (const h of answer.headlines) out.push(`- ${rich(h)}`);
  if (answer.headlines.length > 0) out.push('');
  const v = answer.verdicts;
  if (v !== null && v.rows.length > 1) {
    out.push(`### Better ${m(v.path)} per metric, where the difference is significant`, '');
    out.push(...table([m(v.groupHeader ?? ''), ...v.metrics.map(metricHeader)], v.rows.map((r) => [m(r.group), ...r.cells.map(m)])), '');
    out.push(`Paired over replications with common random numbers. Named: the best ${m(v.path)} and any not significantly worse than it, where at least one other is significantly worse; the difference is the best against the best of the rest.`, '');
  }
  const t = answer.table;
  out.push('### Results', '');
  out.push(
    ...table(
      [...t.settingHeaders.map(m), ...t.metrics.map(metricHeader)],
      t.rows.map((r) => [...r.settings.map(m), ...r.cells.map((c, i) => cell(c, t.metrics[i]))]),
      t.settingHeaders.length,
    ),
    '',
  );
  out.push(
    `Mean ± half-width of the 95 % confidence interval over ${answer.replications || 'the'} replications; intervals are cut at the metric's bounds (0, and 100 % for shares), and then given by their ends; ± n/a: one replication, no interval. ★ significantly better than the other settings it was compared with (paired, common random numbers); ✗ misses its SLO bound; ⚠ rests on an assumption with no published figure; † rests on a model constant without a published figure. Every metric is in [summary.csv](summary.csv).`,
    '',
  );

  out.push('## Charts', '');
  if (charts.length === 0) out.push('No chart applies: the results hold none of the charted metrics.', '');
  for (const chart of charts) {
    out.push(`### ${m(chart.title)}`, '', `![${m(chart.title)}](charts/${chart.name}.svg)`, '', `${m(chart.caption)} ([Vega-Lite spec](charts/${chart.name}.vl.json))`, '');
  }

  out.push('## Assumptions', '');
  const critical = criticalSummary(answer.marks);
  if (critical !== null) {
    const constants = critical.constants.map((c) => `${code(c.path)} = ${m(formatSetting(c.value))}`).join(', ');
    out.push(`> ⚠ These results rest on ${constants}, for which no published figure exists: ${critical.names.map(code).join(', ')}. Read them as conditional on that value; override it in the experiment file to see how they move.`, '');
  }
  if (results.constants === null) {
    out.push('This run did not record the profile constants it used (no `constants.json`); they are in `models/profiles/*.yaml`, each with its source.', '');
  } else {
    const constants = uniqueConstants(results.constants);
    out.push(
      ...table(
        ['constant', 'value', 'source', 'flags'],
        constants.map((c) => [code(c.path), m(formatSetting(c.value)), m(c.note === undefined ? c.source : `${c.source} (${c.note})`), [c.assumption ? 'assumption' : '', c.overridden ? 'overridden' : ''].filter(Boolean).join(', ')]),
      ),
      '',
    );
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
