// Validation against published measurements (experiments/validation/): an experiment's
// `spec.validation` lists the figures it reproduces. Each row names the figure, its source, the
// published value, the tolerance stated before the run with the reason for it (the source's own
// precision), whether the model's constants were fitted to that very figure, and how the model's
// value is read from the results: a metric at one point, optionally minus the same metric at
// another point (an overhead), over another such value (a ratio), or a number over it (a
// throughput from a duration). The value is computed per replication, with every point of a
// replication sharing its random streams (common random numbers), and summarized as a mean with
// a Student-t 95 % interval over replications.

import { z } from 'zod';
import { summarize } from '../engine/stats/index.js';
import { parseBitRate, parseDuration } from '../engine/units.js';
import type { Point } from './expand.js';
import type { Manifest, PointRecord } from './results-dir.js';
import { canonicalJson } from './canonical.js';
import { metricKey } from './metric-key.js';
import { recordsByPoint } from './summary.js';

/** A published quantity: a number, a duration ("49us"), or a bit rate ("21.9Gbit/s", in bit/s). */
const quantity = z.union([z.number(), z.string()]).transform((written, ctx): number => {
  if (typeof written === 'number') return written;
  for (const parse of [parseDuration, parseBitRate]) {
    try {
      const value = parse(written);
      if (Number.isFinite(value)) return value;
    } catch {
      // try the next reading
    }
  }
  ctx.addIssue({ code: 'custom', message: `'${written}' is not a quantity: write a number, a duration such as "49us" or a bit rate such as "21.9Gbit/s"` });
  return z.NEVER;
});

export interface ModelTerm {
  /** `<name>.<stat>`; a nested term inherits its parent's metric when it names none. */
  metric?: string;
  /** The point: swept path → value. May be omitted when the experiment has one point. */
  at?: Record<string, unknown>;
  /** Subtract this term (e.g. the same metric without a sidecar: the sidecar's overhead). */
  minus?: ModelTerm;
  /** Divide by this term (a ratio). */
  over?: ModelTerm;
  /** Report `into / value` instead of the value (e.g. bits moved over a transfer's duration). */
  into?: number;
  /** Multiply the result by this. */
  times?: number;
}

const term: z.ZodType<ModelTerm> = z.lazy(() =>
  z
    .object({
      metric: metricKey.optional(),
      at: z.record(z.string(), z.unknown()).optional(),
      minus: term.optional(),
      over: term.optional(),
      into: z.number().positive().optional(),
      times: z.number().positive().optional(),
    })
    .strict(),
);

const tolerance = z.union([z.number().positive(), z.string().regex(/^\s*[0-9]*\.?[0-9]+\s*%\s*$/, 'a tolerance is a fraction (0.25) or a percentage ("25%")')]).transform((t) => (typeof t === 'number' ? t : Number(t.replace('%', '').trim()) / 100));

const validationRow = z
  .object({
    /** What was measured, e.g. "iptables first-packet RTT p99, 30k Services". */
    figure: z.string().min(1),
    /** Where it was published. */
    source: z.string().min(1),
    /** The published value, or the published range [low, high]. */
    published: z.union([quantity, z.tuple([quantity, quantity])]),
    /** How values are shown: "s" (durations), "bit/s", or any label ("QPS", "ratio"). */
    unit: z.string().prefault(''),
    /** Largest relative error accepted, stated before the run. */
    tolerance,
    /** Why this tolerance: the source's precision (chart reading, single run, hardware unknown). */
    why: z.string().min(1),
    /** `fitted`: a constant of the model was fitted to this figure, so agreement is by construction. */
    basis: z.enum(['fitted', 'independent']),
    /** What the table should say besides the numbers (e.g. why a miss is expected). */
    note: z.string().optional(),
    /**
     * For a row outside its tolerance: the mechanism the model most likely lacks. Written after the
     * run (unlike the tolerance, it explains a result rather than judging it); the table's summary
     * and the README's accuracy paragraph quote it.
     */
    missing: z.string().min(1).optional(),
    model: term,
  })
  .strict();

export type ValidationRow = z.output<typeof validationRow>;
export const validationRows = z.array(validationRow).min(1);

/** The one point a selector names, or a message saying why there is not exactly one. */
function selectPoint(points: readonly Point[], sweepKeys: readonly string[], at: Record<string, unknown> | undefined): Point | string {
  const selector = at ?? {};
  for (const key of Object.keys(selector)) {
    if (!sweepKeys.includes(key)) return `'${key}' is not swept (${sweepKeys.length > 0 ? `the swept paths are ${sweepKeys.join(', ')}` : 'nothing is swept'})`;
  }
  const matches = points.filter((p) => Object.entries(selector).every(([key, value]) => canonicalJson(p.settings[key]) === canonicalJson(value)));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) return `no point has ${describe(selector)}`;
  return `${matches.length} points match ${Object.keys(selector).length > 0 ? describe(selector) : 'an empty selector'}: give a value for every swept path`;
}

const describe = (selector: Record<string, unknown>) => Object.entries(selector).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');

/** Every point and metric a term reads, checked against the experiment; problems as [path, message]. */
export function checkTerm(model: ModelTerm, points: readonly Point[], sweepKeys: readonly string[], path: (string | number)[], inherited?: string): [(string | number)[], string][] {
  const problems: [(string | number)[], string][] = [];
  const metric = model.metric ?? inherited;
  if (metric === undefined) problems.push([path, 'name a metric (metric: <name>.<stat>)']);
  const point = selectPoint(points, sweepKeys, model.at);
  if (typeof point === 'string') problems.push([[...path, 'at'], point]);
  if (model.minus !== undefined) problems.push(...checkTerm(model.minus, points, sweepKeys, [...path, 'minus'], metric));
  if (model.over !== undefined) problems.push(...checkTerm(model.over, points, sweepKeys, [...path, 'over'], metric));
  return problems;
}

/** The term's value in replication `r`, or NaN when a metric is missing. */
function termValue(model: ModelTerm, points: readonly Point[], sweepKeys: readonly string[], metricsOf: (pointId: string) => Record<string, number | null> | undefined, inherited?: string): number {
  const metric = (model.metric ?? inherited)!;
  const point = selectPoint(points, sweepKeys, model.at) as Point;
  const raw = metricsOf(point.id)?.[metric];
  let value = raw === undefined || raw === null ? NaN : raw;
  if (model.minus !== undefined) value -= termValue(model.minus, points, sweepKeys, metricsOf, metric);
  if (model.over !== undefined) value /= termValue(model.over, points, sweepKeys, metricsOf, metric);
  if (model.into !== undefined) value = model.into / value;
  if (model.times !== undefined) value *= model.times;
  return value;
}

export interface RowResult {
  row: ValidationRow;
  mean: number;
  ci95: [number, number];
  n: number;
  /** Signed relative error of the mean against the published value (0 inside a published range). */
  error: number;
  within: boolean;
}

/** Relative error of `value` against a published value or range. */
export function relativeError(value: number, published: number | [number, number]): number {
  if (typeof published === 'number') return (value - published) / published;
  const [low, high] = published;
  if (value < low) return (value - low) / low;
  if (value > high) return (value - high) / high;
  return 0;
}

/** Each row's model value over the replications present, against its published value. */
export function evaluateRows(rows: readonly ValidationRow[], manifest: Manifest, points: readonly Point[], records: readonly PointRecord[]): RowResult[] {
  const byPoint = recordsByPoint(manifest, records);
  return rows.map((row) => {
    const values: number[] = [];
    for (let r = 0; r < manifest.replications; r++) {
      const metricsOf = (id: string) => byPoint.get(id)?.find((record) => record.replication === r)?.metrics;
      const value = termValue(row.model, points, manifest.sweep, metricsOf);
      if (Number.isFinite(value)) values.push(value);
    }
    const { mean, ci95, n } = summarize(values);
    const error = relativeError(mean, row.published);
    return { row, mean, ci95, n, error, within: Number.isFinite(error) && Math.abs(error) <= row.tolerance };
  });
}
