// report.md for a pull request: the answer first (tables), charts linked as images beside their
// Vega-Lite specs, assumptions at the end. Every user-supplied string goes through escapeMarkdown.

import type { Answer, Cell, MetricColumn, Rich } from './answer.js';
import { criticalSummary, uniqueConstants } from './assumptions.js';
import type { Chart } from './charts/index.js';
import { escapeMarkdown as m } from './escape.js';
import { formatSetting } from './format.js';
import { allHealthySentence, assessHealth, healthHeadline, type Health } from './health.js';
import { criticalById, healthLayout, markLegend, troubleWhere, unhealthyByGroup } from './health-layout.js';
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
  const per = c.per === '' ? '' : ` (${m(c.per)})`;
  return `${code(c.key)}${mark}${per}${c.slo === undefined ? '' : ` (SLO ${m(c.slo)})`}`;
}

function cell(c: Cell): string {
  const text = `${m(c.text)}${c.best ? ' ★' : ''}${c.failsSlo ? ' ✗' : ''}${c.mark === 'critical' ? ' ⚠' : c.mark === 'assumed' ? ' †' : ''}`;
  return c.best ? `**${text}**` : text;
}

function healthSection(health: Health): string[] {
  const out = ['## Health', ''];
  const healthy = allHealthySentence(health);
  if (healthy !== null) return [...out, m(healthy), ''];
  const sick = health.unhealthy.size;
  out.push(`What went wrong, worst first.${sick === 0 ? '' : ` ‼ marks the ${sick === 1 ? 'point' : `${sick} points`} with a critical finding, in every table below.`}`, '');
  const severity = (s: string) => (s === 'critical' ? '**critical**' : 'warning');
  const layout = healthLayout(health);
  for (const p of layout.inFull) {
    out.push(`**${m(p.label)}** ‼`, '');
    for (const f of p.findings) out.push(`- ${severity(f.severity)}: ${m(f.text)}`);
    out.push('');
  }
  for (const group of layout.groups) {
    out.push(`**${m(group.title)}**`, '');
    for (const t of group.troubles) out.push(`- ${severity(t.severity)}: ${m(t.worst.text)} [${m(troubleWhere(t, health.total))}]`);
    out.push('');
  }
  const rest = health.total - health.points.length;
  if (rest > 0) out.push(`The other ${rest === 1 ? 'point is' : `${rest} points are`} healthy.`, '');
  return out;
}

export function renderMarkdown(results: Results, answer: Answer, charts: Chart[]): string {
  const out: string[] = [`# ${m(results.name)}`, ''];
  if (results.description !== '') out.push(`> ${m(results.description)}`, '');
  out.push(m(describeRun(results)), '');
  for (const note of missingNotes(results)) out.push(`_${m(note)}_`, '');
  const health = assessHealth(results);
  out.push(...healthSection(health));
  const sickPoints = criticalById(health);
  const sickGroups = unhealthyByGroup(results, health);

  out.push('## Answer', '');
  const warning = healthHeadline(health);
  if (warning !== null) out.push(`> ‼ **${m(warning)}**`, '');
  if (answer.plan !== null) out.push(...answer.plan.map((line) => `> ${rich(line)}  `), '');
  for (const h of answer.headlines) out.push(`- ${rich(h)}`);
  if (answer.headlines.length > 0) out.push('');
  const v = answer.verdicts;
  if (v !== null && v.rows.length > 1) {
    out.push(`### Better ${m(v.path)} per metric, where the difference is significant`, '');
    out.push(...table([m(v.groupHeader ?? ''), ...v.metrics.map(metricHeader)], v.rows.map((r) => [`${m(r.group)}${sickGroups.has(r.group) ? ' ‼' : ''}`, ...r.cells.map(m)])), '');
    out.push(`Paired over replications with common random numbers. Named: the best ${m(v.path)} and any not significantly worse than it, where at least one other is significantly worse; the difference is the best against the best of the rest.`, '');
  }
  const t = answer.table;
  out.push('### Results', '');
  out.push(
    ...table(
      [...t.settingHeaders.map(m), ...t.metrics.map(metricHeader)],
      t.rows.map((r) => [...r.settings.map((s, i) => `${m(s)}${i === r.settings.length - 1 && sickPoints.has(r.pointId) ? ' ‼' : ''}`), ...r.cells.map((c) => cell(c))]),
      t.settingHeaders.length,
    ),
    '',
  );
  out.push(
    `Mean ± half-width of the 95 % confidence interval over ${answer.replications || 'the'} replications; intervals are cut at the metric's bounds (0, and 100 % for shares), and then given by their ends; ± n/a: one replication, no interval. ★ significantly better than the other settings it was compared with (paired, common random numbers); ✗ misses its SLO bound; ⚠ the value can move with the DNS race rate, which nobody has published; † the value rests on a model constant with no published figure that this point uses (constants derived from a published figure count as calibrated). Every metric is in [summary.csv](summary.csv).`,
    '',
  );

  const legend = markLegend(health);
  if (legend !== null) out.push(m(legend), '');

  if (answer.deciding !== null) {
    out.push('## Settings that decided these results', '');
    for (const note of answer.deciding.notes) out.push(`> ${m(note.text)}${note.where === '' ? '' : ` (at ${m(note.where)})`}`, '');
    out.push('Besides the swept settings, these values decide the results; _default_ means the experiment file does not set it.', '');
    out.push(...table(['setting', 'value', 'from', 'decides'], answer.deciding.rows.map((r) => [code(r.path), m(r.value), r.origin === 'default' ? '_default_' : 'file', m(r.decides)])), '');
  }
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
