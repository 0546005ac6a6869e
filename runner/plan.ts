// `plan`: the cheapest setting of one swept path (spec.plan.minimize) that meets every spec.slo
// bound, for each combination of the other swept paths. A bound is met when the whole 95 %
// confidence interval is on its side (for `<=`, the upper end ≤ the bound): a plan is a promise.
//
// Search. Settings are ordered by cost (numbers ascending, anything else as listed). Bisection
// assumes each bounded metric improves as the setting grows: run the dearest (if it fails, none
// can pass), then halve the interval between the dearest known pass and the cheapest unknown.
// If the points run contradict that (a metric significantly worse at a larger setting), the
// group is searched exhaustively instead. Runs go to the results directory, reusing any
// (point, replication) already there, so a plan after a run costs nothing new.

import { join } from 'node:path';
import { dotted } from './issues.js';
import type { Bound } from './experiment.js';
import type { LoadedExperiment } from './load.js';
import type { Point } from './expand.js';
import { WorkerPool } from './pool.js';
import { FILES, readJson, writeAtomic } from './results-dir.js';
import { runExperiment, type Progress, type RunResult } from './run.js';
import { InputError } from './source.js';
import { didYouMean } from './suggest.js';
import type { MetricSummary, Summary } from './summary.js';

export interface Check {
  metric: string;
  bound: string;
  op: Bound['op'];
  mean: number | null;
  ci95: [number | null, number | null];
  meets: boolean;
  /** How far past the bound the interval's far end is, relative to the bound (> 0: fails). */
  excess: number;
}

export interface Evaluation {
  point: string;
  value: unknown;
  meets: boolean;
  checks: Check[];
}

interface Decision {
  /** The other swept paths' values: the situation this decision is for. */
  given: Record<string, unknown>;
  search: 'bisect' | 'exhaustive' | 'bisect, then exhaustive';
  candidates: number;
  evaluated: number;
  chosen: Evaluation | null;
  /** The bound that decided: the one the runner-up fails worst, or the tightest at the chosen. */
  decidingBound: string | null;
  /** The next cheaper setting, which fails (or, when none meets, the dearest tried). */
  runnerUp: Evaluation | null;
}

export interface PlanResult {
  status: 'complete' | 'interrupted' | 'failed';
  minimize: string;
  decisions: Decision[];
  runs: number;
  error?: string;
  out: string;
}

export interface PlanOptions {
  out: string;
  workers: number;
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

interface Group {
  given: Record<string, unknown>;
  /** Points in cost order. */
  candidates: Point[];
  mode: 'bisect' | 'exhaustive';
  switched: boolean;
  results: Map<number, Evaluation>;
  /** Bisection: index of the cheapest known pass (candidates.length if none yet), of the dearest known fail (-1 if none). */
  pass: number;
  fail: number;
  finished: boolean;
}

export function planTarget(loaded: LoadedExperiment): string {
  const { source, spec, sweepKeys } = loaded;
  if (Object.keys(spec.slo).length === 0) throw new InputError([source.problem(['spec'], 'plan needs spec.slo: the bounds a setting must meet, e.g. request_duration_seconds.p99: 50ms', 'key')]);
  const minimize = spec.plan?.minimize ?? (sweepKeys.length === 1 ? sweepKeys[0] : undefined);
  if (minimize === undefined) {
    throw new InputError([source.problem(['spec'], `plan needs spec.plan.minimize: which swept path to keep cheapest (one of ${sweepKeys.join(', ') || 'the swept paths; nothing is swept'})`, 'key')]);
  }
  return minimize;
}

export async function planExperiment(loaded: LoadedExperiment, options: PlanOptions): Promise<PlanResult> {
  const minimize = planTarget(loaded);
  const groups = groupPoints(loaded, minimize);
  const exhaustive = loaded.spec.plan?.search === 'exhaustive';
  for (const g of groups) g.mode = exhaustive ? 'exhaustive' : 'bisect';
  const pool = await WorkerPool.start(options.workers);
  let runs = 0;
  let last: RunResult | undefined;
  try {
    for (;;) {
      const wanted = new Set<string>();
      for (const g of groups) for (const i of nextIndices(g)) wanted.add(g.candidates[i].id);
      if (wanted.size === 0) break;
      last = await runExperiment(loaded, { out: options.out, workers: options.workers, resume: true, force: options.force, signal: options.signal, onProgress: options.onProgress, only: wanted, pool });
      runs += last.ran;
      if (last.status !== 'complete') break;
      const summary = readJson<Summary>(join(options.out, FILES.summary))!;
      const byId = new Map(summary.points.map((p) => [p.id, p.metrics]));
      checkMetricsExist(loaded, byId);
      for (const g of groups) advance(g, loaded, minimize, byId);
    }
  } finally {
    await pool.close();
  }
  const decisions = groups.map((g) => decide(g));
  const status = last === undefined || last.status === 'complete' ? 'complete' : last.status;
  const result: PlanResult = { status, minimize, decisions, runs, out: options.out, error: last?.error };
  if (status === 'complete') writeAtomic(join(options.out, FILES.plan), `${JSON.stringify({ minimize, slo: loaded.spec.slo, decisions }, null, 2)}\n`);
  return result;
}

function groupPoints(loaded: LoadedExperiment, minimize: string): Group[] {
  const others = loaded.sweepKeys.filter((k) => k !== minimize);
  const byGiven = new Map<string, Group>();
  for (const point of loaded.points) {
    const given = Object.fromEntries(others.map((k) => [k, point.settings[k]]));
    const key = JSON.stringify(given);
    let group = byGiven.get(key);
    if (group === undefined) {
      group = { given, candidates: [], mode: 'bisect', switched: false, results: new Map(), pass: -1, fail: -1, finished: false };
      byGiven.set(key, group);
    }
    group.candidates.push(point);
  }
  const numeric = loaded.points.every((p) => typeof p.settings[minimize] === 'number');
  for (const group of byGiven.values()) {
    if (numeric) group.candidates.sort((a, b) => (a.settings[minimize] as number) - (b.settings[minimize] as number));
    group.pass = group.candidates.length;
  }
  return [...byGiven.values()];
}

/** The candidate indices a group needs run next ([] once decided). */
function nextIndices(g: Group): number[] {
  if (g.finished) return [];
  if (g.mode === 'exhaustive') return g.candidates.map((_, i) => i).filter((i) => !g.results.has(i));
  if (g.results.size === 0) return [g.candidates.length - 1];
  return [Math.floor((g.fail + g.pass) / 2)];
}

function advance(g: Group, loaded: LoadedExperiment, minimize: string, byId: Map<string, Record<string, MetricSummary>>): void {
  if (g.finished) return;
  for (const i of nextIndices(g)) {
    const point = g.candidates[i];
    const evaluation = evaluate(point, point.settings[minimize], loaded, byId.get(point.id) ?? {});
    g.results.set(i, evaluation);
    if (g.mode === 'bisect') {
      if (evaluation.meets) g.pass = Math.min(g.pass, i);
      else g.fail = Math.max(g.fail, i);
    }
  }
  if (g.mode === 'exhaustive') {
    g.finished = true;
  } else if (g.pass === g.candidates.length || g.pass - g.fail <= 1) {
    // Decided: none passes, or the cheapest pass sits right above a fail.
    if (contradictsMonotonicity(g)) {
      g.mode = 'exhaustive';
      g.switched = true;
    } else {
      g.finished = true;
    }
  }
}

/** A bounded metric significantly worse at a larger setting than at a smaller one (intervals apart). */
function contradictsMonotonicity(g: Group): boolean {
  const seen = [...g.results.entries()].sort((a, b) => a[0] - b[0]).map(([, e]) => e);
  for (let i = 0; i < seen.length; i++) {
    for (let j = i + 1; j < seen.length; j++) {
      for (let k = 0; k < seen[i].checks.length; k++) {
        const cheap = seen[i].checks[k];
        const dear = seen[j].checks[k];
        if (cheap.ci95[0] === null || cheap.ci95[1] === null || dear.ci95[0] === null || dear.ci95[1] === null) continue;
        const worse = cheap.op === '<=' ? dear.ci95[0] > cheap.ci95[1] : dear.ci95[1] < cheap.ci95[0];
        if (worse) return true;
      }
    }
  }
  return false;
}

function evaluate(point: Point, value: unknown, loaded: LoadedExperiment, metrics: Record<string, MetricSummary>): Evaluation {
  const checks: Check[] = Object.entries(loaded.spec.slo).map(([metric, bound]) => {
    const m = metrics[metric];
    const far = m === undefined ? null : bound.op === '<=' ? (m.ci95[1] ?? m.mean) : (m.ci95[0] ?? m.mean);
    const excess = far === null ? Infinity : bound.op === '<=' ? (far - bound.value) / Math.abs(bound.value || 1) : (bound.value - far) / Math.abs(bound.value || 1);
    return { metric, bound: bound.text, op: bound.op, mean: m?.mean ?? null, ci95: m?.ci95 ?? [null, null], meets: excess <= 0, excess };
  });
  return { point: point.id, value, meets: checks.every((c) => c.meets), checks };
}

function decide(g: Group): Decision {
  const order = [...g.results.entries()].sort((a, b) => a[0] - b[0]);
  const chosenEntry = order.find(([, e]) => e.meets);
  const chosen = chosenEntry?.[1] ?? null;
  let runnerUp: Evaluation | null = null;
  if (chosenEntry !== undefined) {
    const cheaper = order.filter(([i, e]) => i < chosenEntry[0] && !e.meets);
    runnerUp = cheaper.length > 0 ? cheaper[cheaper.length - 1][1] : null;
  } else if (order.length > 0) {
    runnerUp = order[order.length - 1][1];
  }
  let deciding: Check | undefined;
  if (runnerUp !== null) deciding = runnerUp.checks.filter((c) => !c.meets).sort((a, b) => b.excess - a.excess)[0];
  else if (chosen !== null) deciding = [...chosen.checks].sort((a, b) => b.excess - a.excess)[0];
  return {
    given: g.given,
    search: g.switched ? 'bisect, then exhaustive' : g.mode,
    candidates: g.candidates.length,
    evaluated: g.results.size,
    chosen,
    decidingBound: deciding === undefined ? null : `${deciding.metric} ${deciding.op} ${deciding.bound}`,
    runnerUp,
  };
}

/** An SLO metric no point produced is a typo: bad input, with the nearest metric that exists. */
function checkMetricsExist(loaded: LoadedExperiment, byId: Map<string, Record<string, MetricSummary>>): void {
  const known = new Set<string>();
  for (const metrics of byId.values()) for (const key of Object.keys(metrics)) known.add(key);
  const problems = Object.keys(loaded.spec.slo)
    .filter((metric) => !known.has(metric))
    .map((metric) => loaded.source.problem(['spec', 'slo', metric], `${dotted(['spec', 'slo'])}: no metric '${metric}' in the results${didYouMean(metric, known)}`, 'key'));
  if (problems.length > 0) throw new InputError(problems);
}
