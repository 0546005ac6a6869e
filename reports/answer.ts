// The answer the report opens with, as plain data both renderers (HTML, Markdown) draw:
// headline sentences, the better setting per metric where significant, the plan's choice, and
// the table of swept settings against the chosen metrics with 95 % intervals.

import { assumptionMarks, cellMark, type AssumptionMark } from './assumptions.js';
import { decidingSection, pointUse, readContexts, type DecidingSection } from './deciding.js';
import { compareSettings, groupsAcross, winners, type Comparison } from './compare.js';
import { formatDifference, formatEstimate, formatSetting } from './format.js';
import { isPresent, type ResultPoint, type Results } from './inputs.js';
import { pointLabels, shortPath } from './labels.js';
import { chooseMetrics, direction } from './metric-keys.js';
import { describeBound, meets } from './slo.js';

/** Text with emphasised parts; renderers escape each part. */
export type Rich = { text: string; strong?: boolean }[];

export interface MetricColumn {
  key: string;
  /** "≤ 50 ms" where spec.slo bounds the metric. */
  slo?: string;
  mark?: AssumptionMark;
}

export interface Cell {
  text: string;
  /** Significantly better than every other point of its group. */
  best: boolean;
  /** Misses the metric's SLO bound. */
  failsSlo: boolean;
  /** The assumption this cell's value rests on (reports/assumptions.ts cellMark). */
  mark: 'critical' | 'assumed' | null;
}

interface AnswerTable {
  settingHeaders: string[];
  metrics: MetricColumn[];
  rows: { pointId: string; settings: string[]; cells: Cell[] }[];
}

interface VerdictTable {
  /** The compared path's short name. */
  path: string;
  /** Header of the group column (the other swept paths), or null when there is one group. */
  groupHeader: string | null;
  metrics: MetricColumn[];
  rows: { group: string; cells: string[] }[];
}

export interface Answer {
  metrics: MetricColumn[];
  headlines: Rich[];
  plan: Rich[] | null;
  verdicts: VerdictTable | null;
  table: AnswerTable;
  replications: number;
  marks: Map<string, AssumptionMark>;
  /** The settings that decided the results besides the swept ones; null without the points' contexts. */
  deciding: DecidingSection | null;
}

function estimateText(point: ResultPoint, key: string): string {
  const e = point.metrics.get(key);
  return e === undefined ? '—' : formatEstimate(key, e);
}

function differenceText(c: Comparison): string {
  if (c.difference === null || c.runnerUp === null) return '';
  return formatDifference(c.metric, c.difference.mean, (c.difference.ci95[1] - c.difference.ci95[0]) / 2);
}

/** "ebpf"; "ipvs | nftables" where leaders tie; "any but iptables" where all tie but one. */
function leadersText(c: Comparison, path: string): string {
  const value = (p: ResultPoint) => formatSetting(p.settings[path]);
  if (c.leaders.length > 2 && c.trailing.length === 1) return `any but ${value(c.trailing[0])}`;
  return c.leaders.map(value).join(' | ');
}

function headline(metric: string, path: string, comparisons: Comparison[]): Rich {
  const word = direction(metric) === 'lower' ? 'lowest' : 'highest';
  const name = shortPath(path, [path]);
  const value = (c: Comparison) => leadersText(c, path);
  const significant = comparisons.filter((c) => c.significant);
  if (comparisons.length === 1) {
    const c = comparisons[0];
    if (c.runnerUp === null) return [{ text: `${metric}: one ${name} only, nothing to compare.` }];
    const versus = formatSetting(c.runnerUp.settings[path]);
    if (!c.significant) {
      const margin = differenceText(c);
      const lead = margin === '' ? '' : ` (${value(c)} leads ${versus} by ${margin})`;
      return [{ text: `${metric}: no significant difference between ${name} settings${lead}.` }];
    }
    const label = value(c).startsWith('any but ') ? `${name}: ${value(c)}` : `${name}=${value(c)}`;
    return [{ text: `${metric}: ` }, { text: label, strong: true }, { text: ` ${c.leaders.length > 1 ? 'tie' : 'is'} ${word}, ${differenceText(c)} vs ${versus}.` }];
  }
  if (significant.length === 0) return [{ text: `${metric}: no significant difference between ${name} settings in any of ${comparisons.length} cases.` }];
  // Name the cases where few; count them where many.
  const cases = (list: Comparison[]) => (list.length === comparisons.length ? `in all ${list.length} cases` : list.length <= 3 ? `at ${list.map((c) => c.where).join(list.length === 2 ? ' and ' : '; ')}` : `in ${list.length} of ${comparisons.length} cases`);
  const bySetting = new Map<string, Comparison[]>();
  for (const c of significant) bySetting.set(value(c), [...(bySetting.get(value(c)) ?? []), c]);
  const ranked = [...bySetting].sort((a, b) => b[1].length - a[1].length);
  const parts: Rich = [{ text: `${metric}: ` }];
  ranked.forEach(([setting, list], i) => {
    if (i > 0) parts.push({ text: '; ' });
    const label = setting.startsWith('any but ') ? `${name}: ${setting}` : `${name}=${setting}`;
    parts.push({ text: label, strong: true }, { text: ` ${word} ${cases(list)}` });
  });
  const neutral = comparisons.filter((c) => !c.significant);
  parts.push({ text: neutral.length > 0 ? `; no significant difference ${cases(neutral)}.` : '.' });
  return parts;
}

function planAnswer(results: Results, labels: Map<string, string>): Rich[] | null {
  const plan = results.plan;
  if (plan === null) return null;
  const byId = new Map(results.points.map((p) => [p.id, p]));
  const at = (id: string, metric: string) => {
    const point = byId.get(id);
    return point === undefined ? '—' : estimateText(point, metric);
  };
  const cheapest = plan.minimize === undefined ? 'the cheapest setting' : `the smallest ${plan.minimize}`;
  const lines: Rich[] = [];
  for (const d of plan.decisions) {
    const givenPaths = Object.keys(d.given);
    // Within a decision for given other settings, a point is named by the minimised setting alone.
    const name = (id: string) => {
      const point = byId.get(id);
      if (givenPaths.length === 0 || plan.minimize === undefined || point === undefined) return labels.get(id) ?? id;
      return `${plan.minimize}=${formatSetting(point.settings[plan.minimize])}`;
    };
    if (givenPaths.length > 0) lines.push([{ text: `For ${givenPaths.map((path) => `${path}=${formatSetting(d.given[path])}`).join(', ')}:`, strong: true }]);
    if (d.chosen === null) lines.push([{ text: 'No setting in the sweep meets every SLO bound.', strong: true }]);
    else lines.push([{ text: 'Chosen: ' }, { text: name(d.chosen), strong: true }, { text: ` — ${cheapest} that meets every SLO bound.` }]);
    if (d.decidingBound !== null && d.chosen !== null) {
      const b = d.decidingBound;
      lines.push([{ text: 'Deciding bound: ' }, { text: `${b.metric} ${describeBound(b.metric, b.limit)}`, strong: true }, { text: `: ${at(d.chosen, b.metric)} at the chosen setting.` }]);
    }
    if (d.runnerUp !== null) {
      const r = d.runnerUp;
      const b = r.failedBound;
      const failed = b === null ? '.' : ` failed ${b.metric} ${describeBound(b.metric, b.limit)} with ${at(r.pointId, b.metric)}.`;
      lines.push([{ text: d.chosen === null ? 'Dearest tried: ' : 'Runner-up: ' }, { text: name(r.pointId), strong: true }, { text: failed }]);
    }
  }
  return lines;
}

export function buildAnswer(results: Results): Answer {
  const keys = chooseMetrics({
    requested: results.report.metrics,
    slo: Object.keys(results.slo),
    swept: results.swept,
    present: (key) => isPresent(results, key),
  });
  const contexts = readContexts(results.dir);
  const uses = new Map([...contexts].map(([id, context]) => [id, pointUse(context)]));
  const marks = assumptionMarks(results.constants, results.metricKeys, [...uses.values()]);
  const metrics: MetricColumn[] = keys.map((key) => ({
    key,
    slo: results.slo[key] === undefined ? undefined : describeBound(key, results.slo[key]),
    mark: marks.get(key),
  }));
  const { path, comparisons } = compareSettings(results, keys);
  const labels = pointLabels(results);

  const best = new Map(keys.map((key) => [key, winners(comparisons, key)]));
  const table: AnswerTable = {
    settingHeaders: results.swept.length === 0 ? ['point'] : results.swept.map((p) => shortPath(p, results.swept)),
    metrics,
    rows: results.points.map((point) => ({
      pointId: point.id,
      settings: results.swept.length === 0 ? [labels.get(point.id) ?? point.id] : results.swept.map((p) => formatSetting(point.settings[p])),
      cells: keys.map((key) => {
        const mean = point.metrics.get(key)?.mean ?? NaN;
        const bound = results.slo[key];
        const text = estimateText(point, key);
        const mark = text === '—' ? null : cellMark(marks.get(key), uses.get(point.id), mean);
        return { text, best: best.get(key)?.has(point.id) ?? false, failsSlo: bound !== undefined && !Number.isNaN(mean) && !meets(key, bound, mean), mark };
      }),
    })),
  };

  let verdicts: VerdictTable | null = null;
  const headlines: Rich[] = [];
  if (path !== null && comparisons.size > 0 && results.points.length > 1) {
    const compared = metrics.filter((m) => comparisons.has(m.key));
    for (const m of compared) headlines.push(headline(m.key, path, comparisons.get(m.key) ?? []));
    const groups = groupsAcross(results, path).map((g) => g.label);
    const others = results.swept.filter((p) => p !== path);
    verdicts = {
      path: shortPath(path, results.swept),
      groupHeader: others.length === 0 ? null : others.map((p) => shortPath(p, results.swept)).join(', '),
      metrics: compared,
      rows: groups.map((group) => ({
        group,
        cells: compared.map((m) => {
          const c = comparisons.get(m.key)?.find((x) => x.groupLabel === group);
          if (c === undefined || c.runnerUp === null) return '—';
          return c.significant ? `${leadersText(c, path)} (${differenceText(c)} vs ${formatSetting(c.runnerUp.settings[path])})` : 'no significant difference';
        }),
      })),
    };
  }
  if (results.points.length === 1) headlines.push([{ text: `One point: the table gives its metrics with 95 % intervals.` }]);

  return { metrics, headlines, plan: planAnswer(results, labels), verdicts, table, replications: results.replications.length, marks, deciding: decidingSection(results, contexts) };
}
