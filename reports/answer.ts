// The answer the report opens with, as plain data both renderers (HTML, Markdown) draw:
// headline sentences (every setting against the baseline, per metric and group), the better
// setting per metric where significant, the plan's choice, and the table of swept settings
// against the chosen metrics with 95 % intervals.

import { assumptionMarks, cellMark, type AssumptionMark } from './assumptions.js';
import { decidingSection, pointUse, readContexts, type DecidingSection } from './deciding.js';
import { compareSettings, compareWithBaseline, groupsAcross, winners, type BaselineComparison, type Comparison } from './compare.js';
import { formatBaselineDifference, formatDifference, formatEstimate, formatSetting } from './format.js';
import { isPresent, type ResultPoint, type Results } from './inputs.js';
import { pointLabels, shortPath } from './labels.js';
import { chooseMetrics, direction, type MetricCatalogue } from './metric-keys.js';
import { describeBound, meets } from './slo.js';

/** Text with emphasised parts; renderers escape each part. */
export type Rich = { text: string; strong?: boolean }[];

export interface MetricColumn {
  key: string;
  /** What one value stands for: "/s, per node", "per lookup", "cluster-wide"; '' where metrics.json does not say. */
  per: string;
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

const SCOPE_WORDS: Record<string, string> = { cluster: 'cluster-wide', node: 'per node', lookup: 'per lookup', replica: 'per replica', pod: 'per serving pod' };

/** "/s, per node" for a node counter's rate; the scope alone for other keys. */
function perText(key: string, scope: string | undefined): string {
  const words = scope === undefined ? '' : (SCOPE_WORDS[scope] ?? scope);
  const rate = key.endsWith('.rate') || key.startsWith('requests_per_second');
  return rate ? (words === '' ? '/s' : `/s, ${words}`) : words;
}

function estimateText(point: ResultPoint, key: string, catalogue?: MetricCatalogue): string {
  const e = point.metrics.get(key);
  return e === undefined ? '—' : formatEstimate(key, e, catalogue);
}

function differenceText(c: Comparison, catalogue?: MetricCatalogue): string {
  if (c.difference === null || c.runnerUp === null) return '';
  return formatDifference(c.metric, c.difference.mean, (c.difference.ci95[1] - c.difference.ci95[0]) / 2, catalogue);
}

/** "ebpf"; "ipvs | nftables" where leaders tie; "any but iptables" where all tie but one. */
function leadersText(c: Comparison, path: string): string {
  const value = (p: ResultPoint) => formatSetting(p.settings[path]);
  if (c.leaders.length > 2 && c.trailing.length === 1) return `any but ${value(c.trailing[0])}`;
  return c.leaders.map(value).join(' | ');
}

/**
 * "connect_duration_seconds.p99: nftables −180 µs (−39 %, 95 % CI −200 … −160 µs, better) vs
 * iptables at services=10000; ipvs: no significant difference."
 */
function baselineHeadline(c: BaselineComparison, path: string, catalogue: MetricCatalogue): Rich {
  const value = (p: ResultPoint) => formatSetting(p.settings[path]);
  const better = direction(c.metric, catalogue);
  const baseMean = c.baseline.metrics.get(c.metric)?.mean ?? NaN;
  const at = c.where === '' ? '' : ` at ${c.where}`;
  const versus = `${shortPath(path, [path])}=${value(c.baseline)}`;
  const significant = c.others.filter((o) => o.difference?.significant === true);
  const unpaired = c.others.filter((o) => o.difference === null || o.difference.n < 2);
  const same = c.others.filter((o) => !significant.includes(o) && !unpaired.includes(o));
  const parts: Rich = [{ text: `${c.metric}: ` }];
  if (significant.length === 0) {
    parts.push({ text: `no setting differs significantly from ${versus}${at}` });
    if (same.length > 0) parts.push({ text: ` (${same.map((o) => value(o.point)).join(', ')})` });
  } else {
    significant.forEach((o, i) => {
      const d = o.difference!;
      const side = (better === 'lower') === d.mean < 0 ? 'better' : 'worse';
      if (i > 0) parts.push({ text: ', ' });
      parts.push({ text: value(o.point), strong: true }, { text: ` ${formatBaselineDifference(c.metric, d, baseMean, catalogue).replace(/\)$/, `, ${side})`)}` });
    });
    parts.push({ text: ` vs ${versus}${at}` });
    if (same.length > 0) parts.push({ text: `; ${same.map((o) => value(o.point)).join(', ')}: no significant difference` });
  }
  if (unpaired.length > 0) parts.push({ text: `; ${unpaired.map((o) => value(o.point)).join(', ')}: n/a (fewer than two paired replications)` });
  parts.push({ text: '.' });
  return parts;
}

function planAnswer(results: Results, labels: Map<string, string>): Rich[] | null {
  const plan = results.plan;
  if (plan === null) return null;
  const byId = new Map(results.points.map((p) => [p.id, p]));
  const at = (id: string, metric: string) => {
    const point = byId.get(id);
    return point === undefined ? '—' : estimateText(point, metric, results.metricInfo);
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
    per: perText(key, results.metricInfo.get(key)?.scope),
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
        const text = estimateText(point, key, results.metricInfo);
        const mark = text === '—' ? null : cellMark(marks.get(key), uses.get(point.id), mean);
        return { text, best: best.get(key)?.has(point.id) ?? false, failsSlo: bound !== undefined && !Number.isNaN(mean) && !meets(key, bound, mean), mark };
      }),
    })),
  };

  let verdicts: VerdictTable | null = null;
  const headlines: Rich[] = [];
  if (path !== null && comparisons.size > 0 && results.points.length > 1) {
    const compared = metrics.filter((m) => comparisons.has(m.key));
    for (const m of compared) for (const c of compareWithBaseline(results, m.key, path)) headlines.push(baselineHeadline(c, path, results.metricInfo));
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
          return c.significant ? `${leadersText(c, path)} (${differenceText(c, results.metricInfo)} vs ${formatSetting(c.runnerUp.settings[path])})` : 'no significant difference';
        }),
      })),
    };
  }
  if (results.points.length === 1) headlines.push([{ text: `One point: the table gives its metrics with 95 % intervals.` }]);

  return { metrics, headlines, plan: planAnswer(results, labels), verdicts, table, replications: results.replications.length, marks, deciding: decidingSection(results, contexts) };
}
