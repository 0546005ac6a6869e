// The experiment file (docs/architecture.md, "The experiment file"): apiVersion, kind, metadata, and a spec made of the models'
// network settings (models/settings.ts, the source of truth: its keys are never copied here)
// plus what only an experiment has: seed, replications, sweep, report, slo and plan.
// One zod definition gives the TypeScript types, the validation and `k8s-netsim schema`.

import { z } from 'zod';
import { networkSettings } from '../models/settings.js';
import { parseDuration } from '../models/units.js';
import { metricKey } from './metric-key.js';
import { didYouMean } from './suggest.js';
import { validationRows } from './validation-rows.js';

export const API_VERSION = 'k8s-netsim/v1alpha1';
const KIND = 'Experiment';

/** Keys of `spec` that are network settings, i.e. what simulate() takes. */
export const NETWORK_KEYS: readonly string[] = Object.keys(networkSettings.shape);

export interface Bound {
  /** `<=` unless the bound was written with `>=`. */
  op: '<=' | '>=';
  value: number;
  /** As written, for messages. */
  text: string;
}

/** An SLO bound: a number, a duration ("50ms"), or a percentage ("1%"), optionally after "<=" or ">=". */
const bound = z.union([z.number(), z.string()]).transform((written, ctx): Bound => {
  const text = String(written);
  if (typeof written === 'number') return { op: '<=', value: written, text };
  const match = /^\s*(<=|>=)?\s*(.*?)\s*$/.exec(written)!;
  const op = (match[1] ?? '<=') as Bound['op'];
  const body = match[2];
  let value = NaN;
  if (/^[-+]?[0-9]*\.?[0-9]+(e[-+]?[0-9]+)?$/i.test(body)) value = Number(body);
  else if (/%$/.test(body)) value = Number(body.slice(0, -1)) / 100;
  else {
    try {
      value = parseDuration(body);
    } catch {
      value = NaN;
    }
  }
  if (!Number.isFinite(value)) {
    ctx.addIssue({ code: 'custom', message: `'${text}' is not a bound: write a number, a duration such as "50ms" or a percentage such as "1%", optionally after "<=" or ">="` });
    return z.NEVER;
  }
  return { op, value, text };
});

const experimentSpec = networkSettings.safeExtend({
  /** Seed of every random stream; replication r of every point uses (seed, r): common random numbers. */
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).prefault(1),
  /** Independent replications per point (each with its own streams). */
  replications: z.number().int().min(1).max(10_000).prefault(5),
  /** Dotted spec paths → values; the points are their cartesian product, the first key varying slowest. */
  sweep: z.record(z.string(), z.array(z.unknown()).min(1, 'a swept path needs at least one value')).prefault({}),
  /**
   * What the report plots: metrics against x, one line per series; baseline is the series value
   * every other one is compared against (default: the series' first swept value).
   */
  report: z
    .object({ x: z.string().optional(), series: z.string().optional(), metrics: z.array(metricKey).min(1).optional(), baseline: z.unknown().optional() })
    .strict()
    .optional(),
  /** For `plan`: bounds every chosen setting must meet (`<=` unless written otherwise). */
  slo: z.record(metricKey, bound).prefault({}),
  /** For `plan`: the swept path whose cheapest value is sought (numbers: smallest; others: first listed). */
  plan: z
    .object({ minimize: z.string(), search: z.enum(['bisect', 'exhaustive']).prefault('bisect') })
    .strict()
    .optional(),
  /** For `k8s-netsim validation`: the published figures this experiment reproduces (runner/validation.ts). */
  validation: validationRows.optional(),
});

export const experimentSchema = z
  .object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(KIND),
    metadata: z
      .object({
        name: z
          .string()
          .max(63, 'at most 63 characters (a DNS label)')
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a DNS label: lower-case letters, digits and "-", starting and ending with a letter or digit'),
        description: z.string().prefault(''),
      })
      .strict(),
    spec: experimentSpec.prefault({}),
  })
  .strict();

/**
 * report.baseline must be one of the series' swept values. The series is report.series, or the
 * only swept path; with several swept paths and no series the baseline's path would be a guess.
 * Returns the problem's path and message, or null.
 */
export function baselineProblem(spec: Pick<ExperimentSpec, 'report' | 'sweep'>): [string[], string] | null {
  const report = spec.report;
  if (report === undefined || report.baseline === undefined) return null;
  const where = ['spec', 'report', 'baseline'];
  const swept = Object.keys(spec.sweep);
  const series = report.series ?? (swept.length === 1 ? swept[0] : undefined);
  if (series === undefined) {
    const why = swept.length === 0 ? 'nothing is swept' : `${swept.length} paths are swept (${swept.join(', ')}): name the one it belongs to in spec.report.series`;
    return [where, `spec.report.baseline: no series to take it from; ${why}`];
  }
  const values = spec.sweep[series] ?? [];
  const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (values.some((v) => JSON.stringify(v) === JSON.stringify(report.baseline))) return null;
  const hint = typeof report.baseline === 'string' ? didYouMean(report.baseline, values.map(text)) : '';
  return [where, `spec.report.baseline: ${JSON.stringify(report.baseline)} is not a swept value of ${series}${hint}; the values are ${values.map(text).join(', ')}`];
}

export type Experiment = z.output<typeof experimentSchema>;
export type ExperimentSpec = z.output<typeof experimentSpec>;

/** The JSON Schema of experiment files, for editors (`# yaml-language-server: $schema=…`). */
export function experimentJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(experimentSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, title: 'k8s-netsim Experiment', description: `An experiment file (${API_VERSION}, kind ${KIND})` };
}
