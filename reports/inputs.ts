// Reads a results directory (docs/architecture.md, "Results") into one model the report sections draw from.
//
// Required: points.jsonl or summary.json (either suffices; points.jsonl is needed for paired
// comparisons, summary.json is derived from it when missing). Optional, written by the runner:
// experiment.json, constants.json and plan.json, in either shape input-shapes.ts accepts, and
// metrics.json (each metric's unit, direction, support, resolution; name patterns without it).
// A missing optional file gives a default (name from summary.json, swept paths from the settings
// that vary, no SLO, no plan) and a note in the report saying what was missing.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ConstantRecord } from './input-shapes.js';
import { summarize } from '../engine/stats/summary.js';
import { constantList, experimentInfo, metricMetaOf, planOf, type ExperimentFile, type MetricMeta, type Plan, type PlanFile, type ReportSpec, type Settings, type SloBound } from './input-shapes.js';
import { support, type MetricCatalogue } from './metric-keys.js';

export interface PointLine {
  point: string;
  settings: Settings;
  replication: number;
  seed: number;
  metrics: Record<string, number | null>;
}

interface MetricSummary {
  mean: number | null;
  ci95: [number | null, number | null];
  n: number;
}

export interface SummaryFile {
  experiment: string;
  points: { id: string; settings: Settings; metrics: Record<string, MetricSummary> }[];
}

export type { ExperimentFile, PlanFile, SloBound } from './input-shapes.js';

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
  seed?: number;
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
  /** metrics.json by key; empty when the directory has none (units and directions then come from the names). */
  metricInfo: MetricCatalogue;
  constants: ConstantRecord[] | null;
  plan: Plan | null;
  /** summary.json as read, or as derived from points.jsonl. */
  summary: SummaryFile;
  /** Optional inputs that were missing, for the report to say so. */
  missing: string[];
}

export interface InputOverrides {
  experiment?: ExperimentFile | unknown;
  constants?: ConstantRecord[] | unknown;
  plan?: PlanFile | unknown;
}

/** A results file that cannot be read as what it should be: one line naming it, and what to do. */
export class DamagedResultsError extends Error {}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DamagedResultsError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new DamagedResultsError(`${path}: not valid JSON (${(error as Error).message}); the file is damaged: \`k8s-netsim run <experiment> --out ${dirname(path)} --resume\` rewrites it`);
  }
}

/**
 * Reads points.jsonl, skipping a torn last line (a run killed mid-write). Any other line that is
 * not a result record is damage, reported with its line number; a metric that is not a number
 * reads as null, so that it is not counted.
 */
function readPointLines(path: string): PointLine[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const out: PointLine[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      if (i < lines.length - 1 && lines.slice(i + 1).some((rest) => rest.trim() !== '')) {
        throw new DamagedResultsError(`${path}:${i + 1}: not a JSON line (${(error as Error).message}); delete the line, and \`k8s-netsim run … --resume\` redoes its run`);
      }
      return;
    }
    const record = asPointLine(parsed);
    if (record === undefined) throw new DamagedResultsError(`${path}:${i + 1}: not a result record (${JSON.stringify(line.slice(0, 40)).slice(1, -1)}); delete the line, and \`k8s-netsim run … --resume\` redoes its run`);
    out.push(record);
  });
  return out;
}

function asPointLine(value: unknown): PointLine | undefined {
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  if (!isObject(value) || typeof value.point !== 'string' || !Number.isSafeInteger(value.replication) || !isObject(value.metrics)) return undefined;
  const metrics: Record<string, number | null> = {};
  for (const [key, metric] of Object.entries(value.metrics)) if (key !== '__proto__') metrics[key] = typeof metric === 'number' ? metric : null;
  return { point: value.point, settings: isObject(value.settings) ? (value.settings as Settings) : {}, replication: value.replication as number, seed: value.seed as number, metrics };
}

/** summary.json as read, or undefined when it is not one (damaged: derived from points.jsonl instead). */
function readSummary(path: string): SummaryFile | undefined {
  let value: unknown;
  try {
    value = readJson(path);
  } catch (error) {
    if (error instanceof DamagedResultsError) return undefined;
    throw error;
  }
  const file = value as Partial<SummaryFile> | null;
  const ok = typeof file === 'object' && file !== null && Array.isArray(file.points) && file.points.every((p) => typeof p === 'object' && p !== null && typeof p.id === 'string' && typeof p.metrics === 'object' && p.metrics !== null);
  return ok ? (file as SummaryFile) : undefined;
}

const toNumber = (value: number | null | undefined): number => (typeof value === 'number' ? value : NaN);

/** summary.json's shape computed from points.jsonl, points in first-seen order, intervals cut at each metric's support. */
function summarizeLines(experiment: string, lines: PointLine[], catalogue?: MetricCatalogue): SummaryFile {
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
      const summary = summarize(group.map((line) => toNumber(line.metrics[key])), support(key, catalogue));
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

export function readResults(dir: string, overrides: InputOverrides = {}): Results {
  const missing: string[] = [];
  const file = (name: string) => join(dir, name);
  const lines = existsSync(file('points.jsonl')) ? readPointLines(file('points.jsonl')) : null;
  if (lines === null) missing.push('points.jsonl');

  const rawExperiment = overrides.experiment ?? (existsSync(file('experiment.json')) ? readJson(file('experiment.json')) : null);
  if (rawExperiment === null) missing.push('experiment.json');
  const experiment = experimentInfo(rawExperiment);

  const metricInfo: Map<string, MetricMeta> = existsSync(file('metrics.json')) ? metricMetaOf(readJson(file('metrics.json'))) : new Map();

  // summary.json is derived from points.jsonl: when it is damaged, the report derives it again.
  const read = existsSync(file('summary.json')) ? readSummary(file('summary.json')) : undefined;
  let summary: SummaryFile;
  if (read !== undefined) summary = read;
  else if (lines !== null) summary = summarizeLines(experiment.name ?? 'experiment', lines, metricInfo);
  else if (existsSync(file('summary.json'))) throw new DamagedResultsError(`${file('summary.json')}: damaged, and there is no points.jsonl to derive it from`);
  else throw new DamagedResultsError(`${dir} holds neither points.jsonl nor summary.json: nothing to report`);

  const rawConstants = overrides.constants ?? (existsSync(file('constants.json')) ? readJson(file('constants.json')) : null);
  if (rawConstants === null) missing.push('constants.json');
  const constants = rawConstants === null ? null : constantList(rawConstants);
  const slo = experiment.slo;
  const plan = planOf(overrides.plan ?? (existsSync(file('plan.json')) ? readJson(file('plan.json')) : null), slo);

  const swept = Object.keys(experiment.sweep).length > 0 ? Object.keys(experiment.sweep) : varyingPaths(summary.points);
  const sweep: Record<string, unknown[]> = {};
  for (const path of swept) {
    const listed = experiment.sweep[path] ?? [];
    sweep[path] = listed.length > 0 ? listed : [...new Map(summary.points.map((p) => [JSON.stringify(p.settings?.[path]), p.settings?.[path]])).values()];
  }
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
    name: experiment.name ?? summary.experiment ?? 'experiment',
    description: experiment.description,
    seed: experiment.seed,
    sweep,
    swept,
    report: experiment.report,
    slo,
    points,
    replications,
    metricKeys: [...new Set(points.flatMap((p) => [...p.metrics.keys()]))],
    metricInfo,
    constants,
    plan,
    summary,
    missing,
  };
}

/** A metric has a value somewhere in the results. */
export function isPresent(results: Results, key: string): boolean {
  return results.points.some((p) => Number.isFinite(p.metrics.get(key)?.mean ?? NaN));
}
