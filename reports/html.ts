// report.html: one self-contained page that reads offline. Charts are inline SVG rendered in Node,
// the style is inline, and the Content-Security-Policy forbids scripts and every fetch, so a
// hostile string that slipped past escapeHtml still could not run or call out.

import type { Answer, Cell, MetricColumn, Rich } from './answer.js';
import { criticalSummary, uniqueConstants, type AssumptionMark } from './assumptions.js';
import type { Chart } from './charts/index.js';
import { escapeHtml as e } from './escape.js';
import { formatSetting } from './format.js';
import { allHealthySentence, assessHealth, healthHeadline, type Health, type PointHealth } from './health.js';
import { criticalById, healthLayout, markLegend, markTitle as healthMarkTitle, troubleWhere, unhealthyByGroup } from './health-layout.js';
import type { Results } from './inputs.js';
import { describeRun, missingNotes } from './prose.js';

export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --best: #e5f4e6; --bad: #b3261e; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 24px 32px 48px; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 26px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 20px; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 22px 0 8px; }
p.description { font-size: 17px; margin: 4px 0 8px; overflow-wrap: anywhere; }
p.meta, .note, figcaption, .links { color: var(--muted); font-size: 13px; }
nav a { margin-right: 14px; }
ul.headlines { padding-left: 20px; } ul.headlines li { margin: 4px 0; }
.plan { border: 1px solid var(--line); border-left: 4px solid #2f7d32; padding: 10px 16px; margin: 12px 0; background: #fafcfa; }
.plan p { margin: 4px 0; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0 4px; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 5px 10px; text-align: left; vertical-align: top; }
th { background: #f3f5f9; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num .v { white-space: nowrap; }
td.setting { max-width: 16em; overflow-wrap: break-word; }
td.best { background: var(--best); font-weight: 600; }
td.fail { color: var(--bad); }
tbody tr:nth-child(even) td:not(.best) { background: #fbfcfd; }
th .slo { display: block; font-weight: normal; color: var(--muted); font-size: 12px; }
.warn { color: var(--warn); cursor: help; }
figure { margin: 20px 0 28px; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption strong { color: var(--ink); font-size: 15px; }
tr.assumption td:first-child { border-left: 3px solid var(--warn); }
td.source { max-width: 560px; overflow-wrap: anywhere; }
.flag { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; background: #fff3d6; color: var(--warn); margin: 1px 2px; }
.flag.override { background: #e6eefc; color: #24468f; }
code { font-size: 13px; background: #f3f5f9; padding: 0 3px; border-radius: 3px; overflow-wrap: anywhere; }
p.critical { border-left: 4px solid var(--warn); background: #fff8e6; padding: 8px 12px; }
p.health-headline { border-left: 4px solid var(--bad); background: #fdecea; padding: 8px 12px; font-weight: 600; }
.sick { color: var(--bad); cursor: help; font-weight: 700; }
section#health ul { padding-left: 20px; } section#health li { margin: 3px 0; }
.sev { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 8px; margin-right: 6px; }
.sev.critical { background: #fdecea; color: var(--bad); } .sev.warning { background: #fff3d6; color: var(--warn); }
footer { margin-top: 40px; color: var(--muted); font-size: 13px; }
`;

function rich(parts: Rich): string {
  return parts.map((p) => (p.strong === true ? `<strong>${e(p.text)}</strong>` : e(p.text))).join('');
}

function markTitle(mark: AssumptionMark, criticalOnly = false): string {
  const constants = criticalOnly ? mark.criticalConstants : mark.constants;
  return `Rests on ${constants.length === 1 ? 'an assumption' : 'assumptions'} with no published figure: ${constants.map((c) => `${c.path} = ${formatSetting(c.value)}`).join('; ')}`;
}

function markBadge(mark: AssumptionMark | undefined): string {
  if (mark === undefined) return '';
  return ` <a class="warn" href="#assumptions" title="${e(markTitle(mark))}">${mark.critical ? '⚠' : '†'}</a>`;
}

function metricHeader(m: MetricColumn): string {
  // Break long metric names after _ and . rather than mid-word.
  const name = e(m.key).replace(/([_.])/g, '$1<wbr>');
  const per = m.per === '' ? '' : `<span class="slo">${e(m.per)}</span>`;
  return `<th scope="col"><code>${name}</code>${markBadge(m.mark)}${per}${m.slo === undefined ? '' : `<span class="slo">SLO ${e(m.slo)}</span>`}</th>`;
}

function cell(c: Cell, m: MetricColumn): string {
  const classes = ['num', c.best ? 'best' : '', c.failsSlo ? 'fail' : ''].filter(Boolean).join(' ');
  const badge = c.mark === null || m.mark === undefined ? '' : ` <span class="warn" title="${e(markTitle(m.mark, c.mark === 'critical'))}">${c.mark === 'critical' ? '⚠' : '†'}</span>`;
  const marks = `${c.best ? ' ★' : ''}${c.failsSlo ? ' ✗' : ''}${badge}`;
  // A narrow column breaks between the value and its interval, never inside either.
  const text = c.text.split(' ± ').map((part, i) => `<span class="v">${i > 0 ? '± ' : ''}${e(part)}</span>`).join(' ');
  return `<td class="${classes}">${text}${marks}</td>`;
}

function sickMark(title: string): string {
  return ` <a class="sick" href="#health" title="${e(title)}">‼</a>`;
}

function answerSection(results: Results, answer: Answer, health: Health): string {
  const out: string[] = ['<section id="answer">', '<h2>Answer</h2>'];
  const warning = healthHeadline(health);
  if (warning !== null) out.push(`<p class="health-headline">‼ ${e(warning)}</p>`);
  const sickPoints = criticalById(health);
  const sickGroups = unhealthyByGroup(results, health);
  const groupMark = (group: string) => {
    const sick = sickGroups.get(group);
    return sick === undefined ? '' : sickMark(sick.map((p) => `${p.label}: ${healthMarkTitle(p)}`).join(' · '));
  };
  const rowMark = (id: string) => {
    const sick = sickPoints.get(id);
    return sick === undefined ? '' : sickMark(healthMarkTitle(sick));
  };
  if (answer.plan !== null) out.push(`<div class="plan">${answer.plan.map((line) => `<p>${rich(line)}</p>`).join('')}</div>`);
  if (answer.headlines.length > 0) out.push(`<ul class="headlines">${answer.headlines.map((h) => `<li>${rich(h)}</li>`).join('')}</ul>`);
  const v = answer.verdicts;
  if (v !== null && v.rows.length > 1) {
    out.push(`<h3>Better ${e(v.path)} per metric, where the difference is significant</h3>`, '<div class="scroll"><table><thead><tr>');
    out.push(`<th scope="col">${e(v.groupHeader ?? '')}</th>`, ...v.metrics.map(metricHeader), '</tr></thead><tbody>');
    for (const row of v.rows) out.push(`<tr><td class="setting">${e(row.group)}${groupMark(row.group)}</td>${row.cells.map((c) => `<td>${e(c)}</td>`).join('')}</tr>`);
    out.push('</tbody></table></div>', `<p class="note">Paired over replications with common random numbers. Named: the best ${e(v.path)} and any not significantly worse than it, where at least one other is significantly worse (the 95 % interval of the paired difference excludes zero); the difference is the best against the best of the rest.</p>`);
  }
  const t = answer.table;
  out.push('<h3>Results</h3>', '<div class="scroll"><table><thead><tr>');
  out.push(...t.settingHeaders.map((h) => `<th scope="col">${e(h)}</th>`), ...t.metrics.map(metricHeader), '</tr></thead><tbody>');
  for (const row of t.rows) out.push(`<tr>${row.settings.map((s, i) => `<td class="setting">${e(s)}${i === row.settings.length - 1 ? rowMark(row.pointId) : ''}</td>`).join('')}${row.cells.map((c, i) => cell(c, t.metrics[i])).join('')}</tr>`);
  out.push('</tbody></table></div>');
  out.push(`<p class="note">Mean ± half-width of the 95 % confidence interval over ${answer.replications || 'the'} replications; intervals are cut at the metric's bounds (0, and 100 % for shares), and then given by their ends; ± n/a: one replication, no interval. ★ significantly better than the other settings it was compared with; ✗ misses its SLO bound; ⚠ the value can move with the DNS race rate, which nobody has published; † the value rests on a model constant with no published figure that this point uses (another proxy mode's, CNI's or mesh's constants, and mechanisms the point does not run, do not mark it; constants derived from a published figure are calibrated, see <a href="#assumptions">Assumptions</a>). Every metric is in <a href="summary.csv">summary.csv</a>.</p>`);
  const legend = markLegend(health);
  if (legend !== null) out.push(`<p class="note">${e(legend)}</p>`);
  if (results.points.length === 0) out.push('<p>No points in the results.</p>');
  out.push('</section>');
  return out.join('\n');
}

function decidingSection(answer: Answer): string {
  const d = answer.deciding;
  if (d === null) return '';
  const out: string[] = ['<section id="settings">', '<h2>Settings that decided these results</h2>'];
  for (const note of d.notes) out.push(`<p class="critical">${e(note.text)}${note.where === '' ? '' : ` <span class="note">(at ${e(note.where)})</span>`}</p>`);
  out.push('<p class="note">Besides the swept settings, these values decide the results; <em>default</em> means the experiment file does not set it.</p>');
  out.push('<div class="scroll"><table><thead><tr><th scope="col">setting</th><th scope="col">value</th><th scope="col">from</th><th scope="col">decides</th></tr></thead><tbody>');
  for (const row of d.rows) out.push(`<tr><td><code>${e(row.path)}</code></td><td>${e(row.value)}</td><td>${row.origin === 'default' ? '<span class="flag">default</span>' : 'file'}</td><td>${e(row.decides)}</td></tr>`);
  out.push('</tbody></table></div>', '</section>');
  return out.join('\n');
}

const severityBadge = (severity: string) => `<span class="sev ${severity}">${severity}</span>`;

function pointFindings(p: PointHealth): string {
  const items = p.findings.map((f) => `<li class="${f.severity}">${severityBadge(f.severity)}${e(f.text)}</li>`);
  return `<h3>${e(p.label)}${p.critical ? ' <span class="sick">‼</span>' : ''}</h3>\n<ul>${items.join('')}</ul>`;
}

function healthSection(health: Health): string {
  const out: string[] = ['<section id="health">', '<h2>Health</h2>'];
  const healthy = allHealthySentence(health);
  if (healthy !== null) {
    out.push(`<p class="healthy">${e(healthy)}</p>`);
  } else {
    const sick = health.unhealthy.size;
    out.push(`<p>What went wrong, worst first. ${sick === 0 ? 'No point has a critical finding.' : `‼ marks the ${sick === 1 ? 'point' : `${sick} points`} with a critical finding, in every table below.`}</p>`);
    const layout = healthLayout(health);
    out.push(...layout.inFull.map(pointFindings));
    for (const group of layout.groups) {
      out.push(`<h3>${e(group.title)}</h3>`);
      out.push(`<ul>${group.troubles.map((t) => `<li class="${t.severity}">${severityBadge(t.severity)}${e(t.worst.text)} <span class="note">[${e(troubleWhere(t, health.total))}]</span></li>`).join('')}</ul>`);
    }
    const rest = health.total - health.points.length;
    if (rest > 0) out.push(`<p class="note">The other ${rest === 1 ? 'point is' : `${rest} points are`} healthy.</p>`);
  }
  out.push('</section>');
  return out.join('\n');
}

function chartsSection(charts: { chart: Chart; svg: string }[], marks: Map<string, AssumptionMark>): string {
  if (charts.length === 0) return '<section id="charts"><h2>Charts</h2><p>No chart applies: the results hold none of the charted metrics.</p></section>';
  const figures = charts.map(({ chart, svg }) => {
    const mark = chart.metrics.map((m) => marks.get(m)).find((m) => m?.critical === true) ?? chart.metrics.map((m) => marks.get(m)).find((m) => m !== undefined);
    return [
      `<figure id="chart-${e(chart.name)}">`,
      `<figcaption><strong>${e(chart.title)}</strong>${markBadge(mark)}<br>${e(chart.caption)}</figcaption>`,
      svg,
      `<p class="links"><a href="charts/${e(chart.name)}.svg">SVG</a> · <a href="charts/${e(chart.name)}.vl.json">Vega-Lite spec</a></p>`,
      '</figure>',
    ].join('\n');
  });
  return ['<section id="charts">', '<h2>Charts</h2>', ...figures, '</section>'].join('\n');
}

function assumptionsSection(results: Results, marks: Map<string, AssumptionMark>): string {
  const out: string[] = ['<section id="assumptions">', '<h2>Assumptions</h2>'];
  const critical = criticalSummary(marks);
  if (critical !== null) {
    const constants = critical.constants.map((c) => `<code>${e(c.path)}</code> = ${e(formatSetting(c.value))}`).join(', ');
    out.push(`<p class="critical"><span class="warn">⚠</span> These results rest on ${constants}, for which no published figure exists: ${critical.names.map((n) => `<code>${e(n)}</code>`).join(', ')}. Read them as conditional on that value; override it in the experiment file to see how they move.</p>`);
  }
  if (results.constants === null) {
    out.push('<p>This run did not record the profile constants it used (no <code>constants.json</code>); they are in <code>models/profiles/*.yaml</code>, each with its source.</p>');
  } else {
    const constants = uniqueConstants(results.constants);
    const assumed = constants.filter((c) => c.assumption).length;
    out.push(`<p>Every profile constant the run used (${constants.length}), its value and its source; ${assumed} marked as an assumption where no published figure backs the value.</p>`);
    out.push('<div class="scroll"><table><thead><tr><th scope="col">constant</th><th scope="col">value</th><th scope="col">source</th></tr></thead><tbody>');
    for (const c of constants) {
      const flags = `${c.assumption ? '<span class="flag">assumption</span>' : ''}${c.overridden ? '<span class="flag override">overridden</span>' : ''}`;
      const note = c.note === undefined ? '' : `<br><span class="note">${e(c.note)}</span>`;
      out.push(`<tr${c.assumption ? ' class="assumption"' : ''}><td><code>${e(c.path)}</code> ${flags}</td><td class="num">${e(formatSetting(c.value))}</td><td class="source">${e(c.source)}${note}</td></tr>`);
    }
    out.push('</tbody></table></div>');
  }
  out.push('</section>');
  return out.join('\n');
}

export function renderHtml(results: Results, answer: Answer, charts: { chart: Chart; svg: string }[]): string {
  const notes = missingNotes(results);
  const health = assessHealth(results);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${e(CONTENT_SECURITY_POLICY)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    `<title>${e(results.name)} — k8s-netsim report</title>`,
    '<link rel="icon" href="data:,">',
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<header>',
    `<h1>${e(results.name)}</h1>`,
    results.description === '' ? '' : `<p class="description">${e(results.description)}</p>`,
    `<p class="meta">${e(describeRun(results))}</p>`,
    notes.length === 0 ? '' : `<p class="note">${notes.map(e).join(' ')}</p>`,
    '<nav><a href="#health">Health</a><a href="#answer">Answer</a><a href="#settings">Settings</a><a href="#charts">Charts</a><a href="#assumptions">Assumptions</a></nav>',
    '</header>',
    healthSection(health),
    answerSection(results, answer, health),
    decidingSection(answer),
    chartsSection(charts, answer.marks),
    assumptionsSection(results, answer.marks),
    '<footer>Files: <a href="summary.csv">summary.csv</a> · <a href="summary.json">summary.json</a> · <a href="points.jsonl">points.jsonl</a> · <a href="report.md">report.md</a> · charts/*.svg and charts/*.vl.json. Written by k8s-netsim.</footer>',
    '</body>',
    '</html>',
    '',
  ]
    .filter((line) => line !== '')
    .join('\n');
}
