// Reads a results directory (DESIGN §7) into one model the report sections draw from.
//
// Required: points.jsonl or summary.json (either suffices; points.jsonl is needed for paired
// comparisons, summary.json is derived from it when missing). Optional, written by the runner:
//   experiment.json  the validated experiment: {apiVersion, kind, metadata: {name, description},
//                    spec: {..., sweep, report: {x, series, metrics}, slo, plan}}
//   constants.json   ConstantRecord[]: every profile constant the run used, deduplicated
//   plan.json        {chosen, minimize, decidingBound, runnerUp: {pointId, failedBound}} after `plan`
// A missing optional file gives a default (name from summary.json, swept paths from the settings
// that vary, no SLO, no plan) and a note in the report saying what was missing.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConstantRecord } from '../models/profiles/load.js';
import { summarize } from '../engine/stats/summary.js';

export type Settings = Record<string, unknown>;

export interface PointLine {
  point: string;
  settings: Settings;
  replication: number;
  seed: number;
  metrics: Record<string, number | null>;
}

export interface MetricSummary {
  mean: number | null;
  ci95: [number | null, number | null];
  n: number;
}

export interface SummaryFile {
  experiment: string;
  points: { id: string; settings: Settings; metrics: Record<string, MetricSummary> }[];
}

export interface ReportSpec {
  x?: string;
  series?: string;
  metrics?: string[];
}

/** An SLO bound: a number in base units, a quantity string ("50ms", "1%"), or {max, min}. */
export type SloBound = number | string | { max?: number | string; min?: number | string };

export interface ExperimentFile {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; description?: string };
  spec: {
    seed?: number;
    replications?: number;
    sweep?: Record<string, unknown[]>;
    report?: ReportSpec;
    slo?: Record<string, SloBound>;
    plan?: { minimize?: string };
    [key: string]: unknown;
  };
}

export interface Bound {
  metric: string;
  limit: SloBound;
}

export interface PlanFile {
  /** The chosen point's id, or null when no setting in the sweep meets every bound. */
  chosen: string | null;
  /** The setting the plan minimised, e.g. "dns.coredns.replicas". */
  minimize?: string;
  /** The bound with the least headroom at the chosen point. */
  decidingBound: Bound | null;
  /** The next cheaper setting, and the bound it failed. */
  runnerUp: { pointId: string; failedBound: Bound } | null;
}

/** A metric's estimate at a point; NaN where the results hold null. */
export interface Estimate {
  mean: number;
  low: number;
  high: number;
  n: number;
}

export interface ResultPoint {
  id: string;
  settings: Settings;
  metrics: Map<string, Estimate>;
  /** Per metric, the value of each replication, indexed as `Results.replications`. */
  replicationValues: Map<string, number[]>;
}

export interface Results {
  dir: string;
  name: string;
  description: string;
  experiment: ExperimentFile | null;
  sweep: Record<string, unknown[]>;
  /** Swept paths in sweep order. */
  swept: string[];
  report: ReportSpec;
  slo: Record<string, SloBound>;
  points: ResultPoint[];
  /** Replication indices seen in points.jsonl, ascending: the pairing of common random numbers. */
  replications: number[];
  /** Metric keys in first-seen order. */
  metricKeys: string[];
  constants: ConstantRecord[] | null;
  plan: PlanFile | null;
  /** summary.json as read, or as derived from points.jsonl. */
  summary: SummaryFile;
  /** Optional inputs that were missing, for the report to say so. */
  missing: string[];
}

export interface InputOverrides {
  experiment?: ExperimentFile;
  constants?: ConstantRecord[];
  plan?: PlanFile;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path}: ${(error as Error).message}`);
  }
}

/** Reads points.jsonl, skipping a torn last line (a run killed mid-write). */
export function readPointLines(path: string): PointLine[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: PointLine[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as PointLine);
    } catch (error) {
      if (i < lines.length - 1 && lines.slice(i + 1).some((rest) => rest.trim() !== '')) {
        throw new Error(`${path}:${i + 1}: ${(error as Error).message}`);
      }
    }
  });
  return out;
}

const toNumber = (value: number | null | undefined): number => (typeof value === 'number' ? value : NaN);

/** summary.json's shape computed from points.jsonl, points in first-seen order. */
export function summarizeLines(experiment: string, lines: PointLine[]): SummaryFile {
  const byPoint = new Map<string, PointLine[]>();
  for (const line of lines) {
    const list = byPoint.get(line.point) ?? [];
    list.push(line);
    byPoint.set(line.point, list);
  }
  const points = [...byPoint].map(([id, group]) => {
    const keys = [...new Set(group.flatMap((line) => Object.keys(line.metrics)))];
    const metrics: Record<string, MetricSummary> = {};
    for (const key of keys) {
      const summary = summarize(group.map((line) => toNumber(line.metrics[key])));
      const json = (x: number) => (Number.isNaN(x) ? null : x);
      metrics[key] = { mean: json(summary.mean), ci95: [json(summary.ci95[0]), json(summary.ci95[1])], n: summary.n };
    }
    return { id, settings: group[0].settings, metrics };
  });
  return { experiment, points };
}

/** Paths whose values differ between points, in first-seen order. */
function varyingPaths(points: { settings: Settings }[]): string[] {
  const paths = [...new Set(points.flatMap((p) => Object.keys(p.settings)))];
  return paths.filter((path) => new Set(points.map((p) => JSON.stringify(p.settings[path]))).size > 1);
}

function normalisePlan(plan: PlanFile, slo: Record<string, SloBound>): PlanFile {
  // Accept a bare metric key where a Bound is expected: the limit then comes from spec.slo.
  const bound = (b: Bound | string | null | undefined): Bound | null =>
    b === null || b === undefined ? null : typeof b === 'string' ? { metric: b, limit: slo[b] ?? NaN } : b;
  const runnerUp = plan.runnerUp === null || plan.runnerUp === undefined ? null : plan.runnerUp;
  const failed = runnerUp === null ? null : bound(runnerUp.failedBound as Bound | string);
  return {
    chosen: plan.chosen ?? null,
    minimize: plan.minimize,
    decidingBound: bound(plan.decidingBound as Bound | string | null),
    runnerUp: runnerUp === null || failed === null ? null : { pointId: runnerUp.pointId, failedBound: failed },
  };
}

export function readResults(dir: string, overrides: InputOverrides = {}): Results {
  const missing: string[] = [];
  const file = (name: string) => join(dir, name);
  const lines = existsSync(file('points.jsonl')) ? readPointLines(file('points.jsonl')) : null;
  if (lines === null) missing.push('points.jsonl');

  const experiment = overrides.experiment ?? (existsSync(file('experiment.json')) ? (readJson(file('experiment.json')) as ExperimentFile) : null);
  if (experiment === null) missing.push('experiment.json');

  let summary: SummaryFile;
  if (existsSync(file('summary.json'))) summary = readJson(file('summary.json')) as SummaryFile;
  else if (lines !== null) summary = summarizeLines(experiment?.metadata.name ?? 'experiment', lines);
  else throw new Error(`${dir} holds neither points.jsonl nor summary.json: nothing to report`);

  const constants = overrides.constants ?? (existsSync(file('constants.json')) ? (readJson(file('constants.json')) as ConstantRecord[]) : null);
  if (constants === null) missing.push('constants.json');
  const spec = experiment?.spec ?? {};
  const slo = spec.slo ?? {};
  const rawPlan = overrides.plan ?? (existsSync(file('plan.json')) ? (readJson(file('plan.json')) as PlanFile) : null);

  const sweep = spec.sweep ?? {};
  const swept = Object.keys(sweep).length > 0 ? Object.keys(sweep) : varyingPaths(summary.points);
  const replications = lines === null ? [] : [...new Set(lines.map((line) => line.replication))].sort((a, b) => a - b);
  const slot = new Map(replications.map((r, i) => [r, i]));

  const points: ResultPoint[] = summary.points.map((p) => {
    const metrics = new Map<string, Estimate>();
    for (const [key, m] of Object.entries(p.metrics)) {
      metrics.set(key, { mean: toNumber(m.mean), low: toNumber(m.ci95?.[0]), high: toNumber(m.ci95?.[1]), n: m.n ?? 0 });
    }
    return { id: p.id, settings: p.settings ?? {}, metrics, replicationValues: new Map() };
  });
  const byId = new Map(points.map((p) => [p.id, p]));
  for (const line of lines ?? []) {
    const point = byId.get(line.point);
    if (point === undefined) continue;
    for (const [key, value] of Object.entries(line.metrics)) {
      let values = point.replicationValues.get(key);
      if (values === undefined) {
        values = new Array<number>(replications.length).fill(NaN);
        point.replicationValues.set(key, values);
      }
      values[slot.get(line.replication) as number] = toNumber(value);
    }
  }

  return {
    dir,
    name: experiment?.metadata.name ?? summary.experiment ?? 'experiment',
    description: experiment?.metadata.description ?? '',
    experiment,
    sweep,
    swept,
    report: spec.report ?? {},
    slo,
    points,
    replications,
    metricKeys: [...new Set(points.flatMap((p) => [...p.metrics.keys()]))],
    constants,
    plan: rawPlan === null ? null : normalisePlan(rawPlan, slo),
    summary,
    missing,
  };
}

/** A metric has a value somewhere in the results. */
export function isPresent(results: Results, key: string): boolean {
  return results.points.some((p) => Number.isFinite(p.metrics.get(key)?.mean ?? NaN));
}
