// The optional files of a results directory in the shapes the report accepts. Each file has two
// accepted shapes: the one the report's contract names (experiment.json as the validated
// experiment, constants.json as a ConstantRecord[], plan.json as one decision), and the one the
// runner writes (a manifest with `experiment` and `sweep` paths, constants sets keyed by hash,
// plan decisions per combination of the other swept paths). Both normalise to the same model.


/** One profile constant as constants.json records it (written by the runner from the models). */
export interface ConstantRecord {
  path: string;
  value: unknown;
  source: string;
  note?: string;
  assumption: boolean;
  overridden: boolean;
}

export type Settings = Record<string, unknown>;

/** One entry of metrics.json (written by the runner from the models' metric catalogue). */
export interface MetricMeta {
  unit: 'seconds' | 'bytes' | 'ratio' | 'cores' | 'count';
  scope: string;
  direction: 'lower' | 'higher' | 'neutral';
  /** [lo, hi], ±Infinity where the file has null. */
  support: [number, number];
  /** Differences smaller than this share of the larger mean are below what the numbers resolve. */
  relativeResolution: number;
  help: string;
}

const UNITS = new Set(['seconds', 'bytes', 'ratio', 'cores', 'count']);
const DIRECTIONS = new Set(['lower', 'higher', 'neutral']);

/** metrics.json as a map; entries that do not have the runner's shape are left out (their keys fall back to name patterns). */
export function metricMetaOf(raw: unknown): Map<string, MetricMeta> {
  const map = new Map<string, MetricMeta>();
  if (!isObject(raw)) return map;
  for (const [key, e] of Object.entries(raw)) {
    if (!isObject(e) || !UNITS.has(e.unit as string) || !DIRECTIONS.has(e.direction as string)) continue;
    const support = Array.isArray(e.support) ? e.support : [];
    const end = (x: unknown, fallback: number) => (typeof x === 'number' ? x : fallback);
    map.set(key, {
      unit: e.unit as MetricMeta['unit'],
      scope: typeof e.scope === 'string' ? e.scope : '',
      direction: e.direction as MetricMeta['direction'],
      support: [end(support[0], -Infinity), end(support[1], Infinity)],
      relativeResolution: typeof e.relativeResolution === 'number' ? e.relativeResolution : 0,
      help: typeof e.help === 'string' ? e.help : '',
    });
  }
  return map;
}

export interface ReportSpec {
  x?: string;
  series?: string;
  metrics?: string[];
  /** The series setting every other one is compared against (default: the series' first value). */
  baseline?: unknown;
}

/** An SLO bound: a number in base units, a quantity string ("50ms", "<=1%", ">=99%"), or {max, min}. */
export type SloBound = number | string | { max?: number | string; min?: number | string };

/** experiment.json as the report's contract names it: the validated experiment. */
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

interface Bound {
  metric: string;
  limit: SloBound;
}

/** plan.json as the report's contract names it: one decision. */
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

export interface ExperimentInfo {
  name?: string;
  description: string;
  seed?: number;
  /** Swept paths with their values where the file lists them ([] where only the paths are known). */
  sweep: Record<string, unknown[]>;
  report: ReportSpec;
  slo: Record<string, SloBound>;
}

interface PlanDecision {
  /** The other swept settings this decision holds for ({} for a single decision). */
  given: Settings;
  chosen: string | null;
  decidingBound: Bound | null;
  runnerUp: { pointId: string; failedBound: Bound | null } | null;
}

export interface Plan {
  minimize?: string;
  decisions: PlanDecision[];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

export function experimentInfo(raw: unknown): ExperimentInfo {
  if (!isObject(raw)) return { description: '', sweep: {}, report: {}, slo: {} };
  if (isObject(raw.metadata)) {
    const file = raw as unknown as ExperimentFile;
    return { name: file.metadata.name, description: file.metadata.description ?? '', seed: file.spec?.seed, sweep: file.spec?.sweep ?? {}, report: file.spec?.report ?? {}, slo: file.spec?.slo ?? {} };
  }
  // The runner's manifest: sweep is a list of paths, the values are in its points.
  const paths = Array.isArray(raw.sweep) ? (raw.sweep as string[]) : isObject(raw.sweep) ? Object.keys(raw.sweep) : [];
  const points = Array.isArray(raw.points) ? (raw.points as { settings?: Settings }[]) : [];
  const sweep: Record<string, unknown[]> = {};
  for (const path of paths) {
    const seen = new Map<string, unknown>();
    for (const p of points) if (p.settings !== undefined && path in p.settings) seen.set(JSON.stringify(p.settings[path]), p.settings[path]);
    sweep[path] = [...seen.values()];
  }
  return {
    name: typeof raw.experiment === 'string' ? raw.experiment : undefined,
    description: typeof raw.description === 'string' ? raw.description : '',
    seed: typeof raw.seed === 'number' ? raw.seed : undefined,
    sweep,
    report: isObject(raw.report) ? (raw.report as ReportSpec) : {},
    slo: isObject(raw.slo) ? (raw.slo as Record<string, SloBound>) : {},
  };
}

/** A ConstantRecord[] as given, or the runner's {points, sets} flattened (duplicates stay; reports dedupe). */
export function constantList(raw: unknown): ConstantRecord[] {
  if (Array.isArray(raw)) return raw as ConstantRecord[];
  if (isObject(raw) && isObject(raw.sets)) return Object.values(raw.sets).flatMap((set) => (Array.isArray(set) ? (set as ConstantRecord[]) : []));
  return [];
}

/** A bound from an object, a bare metric key (limit from spec.slo), or "metric <= 50ms". */
function boundOf(raw: unknown, slo: Record<string, SloBound>): Bound | null {
  if (isObject(raw) && typeof raw.metric === 'string') return { metric: raw.metric, limit: (raw.limit as SloBound) ?? slo[raw.metric] ?? NaN };
  if (typeof raw !== 'string') return null;
  const written = /^(\S+)\s*(<=|>=)\s*(.+)$/.exec(raw.trim());
  if (written === null) return { metric: raw, limit: slo[raw] ?? NaN };
  return { metric: written[1], limit: written[2] === '>=' ? { min: written[3] } : written[3] };
}

const pointOf = (raw: unknown): string | null => (typeof raw === 'string' ? raw : isObject(raw) && typeof raw.point === 'string' ? raw.point : null);

export function planOf(raw: unknown, experimentSlo: Record<string, SloBound>): Plan | null {
  if (!isObject(raw)) return null;
  const slo = isObject(raw.slo) ? (raw.slo as Record<string, SloBound>) : experimentSlo;
  const minimize = typeof raw.minimize === 'string' ? raw.minimize : undefined;
  const decide = (d: Record<string, unknown>): PlanDecision => {
    const deciding = boundOf(d.decidingBound, slo);
    const runnerUpId = isObject(d.runnerUp) ? (pointOf(d.runnerUp.pointId) ?? pointOf(d.runnerUp)) : null;
    let failed = isObject(d.runnerUp) && 'failedBound' in d.runnerUp ? boundOf(d.runnerUp.failedBound, slo) : null;
    if (failed === null && runnerUpId !== null && isObject(d.runnerUp) && Array.isArray(d.runnerUp.checks)) {
      // The runner's evaluation: the deciding bound if the runner-up fails it, else its first failed check.
      const checks = d.runnerUp.checks as { metric: string; meets: boolean }[];
      const failing = checks.find((c) => !c.meets && c.metric === deciding?.metric) ?? checks.find((c) => !c.meets);
      failed = failing === undefined ? null : failing.metric === deciding?.metric ? deciding : boundOf(failing.metric, slo);
    }
    return {
      given: isObject(d.given) ? d.given : {},
      chosen: pointOf(d.chosen),
      decidingBound: deciding,
      runnerUp: runnerUpId === null ? null : { pointId: runnerUpId, failedBound: failed },
    };
  };
  const decisions = Array.isArray(raw.decisions) ? (raw.decisions as Record<string, unknown>[]).filter(isObject).map(decide) : [decide(raw)];
  return { minimize, decisions };
}
