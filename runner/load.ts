// Loading an experiment file: YAML within limits, the schema, the sweep's keys and each swept
// value checked as if it were set, then expansion into points. Every problem is reported with
// the file, line and column it comes from; nothing is run or written here.

import { profileProblems } from '../models/profile-check.js';
import { networkSettings } from '../models/settings.js';
import { canonicalJson } from './canonical.js';
import { baselineProblem, experimentSchema, NETWORK_KEYS, type Experiment, type ExperimentSpec } from './experiment.js';
import { expandSweep, MAX_FORCED_POINTS, MAX_POINTS, type Point } from './expand.js';
import { dotted, explainIssues, show } from './issues.js';
import { forbiddenMessage, forbiddenSegment, splitPath, withValue, type Segment } from './paths.js';
import { allPaths, resolve } from './schema-walk.js';
import { InputError, Source, type Problem } from './source.js';
import { didYouMean } from './suggest.js';
import { checkTerm } from './validation-rows.js';

export interface LoadOptions {
  /** `--set PATH=VALUE`: values put into the document before it is checked. */
  set?: { path: string; value: unknown }[];
  /** Allow sweeps of more than MAX_POINTS points (never more than MAX_FORCED_POINTS). */
  force?: boolean;
  /** Called every few seconds while a large sweep expands, so that a big --force never looks hung. */
  onExpansionProgress?: (done: number, total: number) => void;
}

export interface LoadedExperiment {
  file: string;
  source: Source;
  experiment: Experiment;
  name: string;
  spec: ExperimentSpec;
  /** The network part of spec as written (simulate()'s input before parsing). */
  base: Record<string, unknown>;
  sweepKeys: string[];
  points: Point[];
  /** Identifies the experiment's results: seed, swept paths and every point's settings (not replications). */
  specHash: string;
}

/** Path of a --set key in the document: sweep and slo keys contain dots and stay whole. */
function documentPath(path: string): Segment[] {
  for (const prefix of ['spec.sweep.', 'spec.slo.']) {
    if (path.startsWith(prefix) && path.length > prefix.length) return [...splitPath(prefix.slice(0, -1)), path.slice(prefix.length)];
  }
  return splitPath(path);
}

export function loadExperiment(file: string, options: LoadOptions = {}): LoadedExperiment {
  const source = Source.read(file);
  for (const { path } of options.set ?? []) {
    const bad = forbiddenSegment(path);
    if (bad !== undefined) throw new InputError([{ file, line: 0, column: 0, message: `--set ${path}: ${forbiddenMessage(bad)}` }]);
  }
  for (const { path, value } of options.set ?? []) source.patch(documentPath(path), value, `--set ${path}`);
  const raw = source.toJS();

  const parsed = experimentSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new InputError(explainIssues(parsed.error.issues, experimentSchema).map((m) => source.problem(m.path, m.message, m.at)));
  }
  const experiment = parsed.data;
  const rawSpec = ((raw as { spec?: Record<string, unknown> }).spec ?? {}) as Record<string, unknown>;
  const base: Record<string, unknown> = {};
  for (const key of NETWORK_KEYS) if (rawSpec[key] !== undefined) base[key] = rawSpec[key];
  const sweep = (rawSpec.sweep ?? {}) as Record<string, unknown[]>;
  const sweepKeys = Object.keys(sweep);

  throwIfAny(checkSweepKeys(source, sweepKeys));
  const count = sweepKeys.reduce((product, key) => product * sweep[key].length, 1);
  // Counted from the values alone, before any point is built: a sweep of 1e9 points is refused at once.
  if (count > MAX_FORCED_POINTS) {
    throw new InputError([source.problem(['spec', 'sweep'], `the sweep expands to ${formatPoints(count)} points, more than ${MAX_FORCED_POINTS.toLocaleString('en-US')} (even with --force): split it into several experiments`, 'key')]);
  }
  if (count > MAX_POINTS && options.force !== true) {
    throw new InputError([source.problem(['spec', 'sweep'], `the sweep expands to ${count.toLocaleString('en-US')} points, more than ${MAX_POINTS.toLocaleString('en-US')}: shrink it, or pass --force to run them all`, 'key')]);
  }
  throwIfAny(checkSweepValues(source, base, sweep));
  throwIfAny(checkReferences(source, experiment.spec, sweepKeys));

  const expansion = expandSweep(base, sweepKeys, sweep, experiment.spec.seed, options.onExpansionProgress);
  if (!expansion.ok) {
    throw new InputError(expansion.failures.slice(0, 3).map((f) => source.problem(['spec', 'sweep', f.key, f.valueIndex], f.message)));
  }
  throwIfAny(checkProfiles(source, base, sweepKeys, expansion.points));
  throwIfAny(
    (experiment.spec.validation ?? []).flatMap((row, i) =>
      checkTerm(row.model, expansion.points, sweepKeys, ['spec', 'validation', i, 'model']).map(([path, message]) => source.problem(path, `${dotted(path)}: ${message}`)),
    ),
  );
  return {
    file,
    source,
    experiment,
    name: experiment.metadata.name,
    spec: experiment.spec,
    base,
    sweepKeys,
    points: expansion.points,
    specHash: expansion.specHash,
  };
}

function formatPoints(count: number): string {
  return count >= 1e12 || !Number.isFinite(count) ? count.toExponential(1).replace('e+', 'e') : count.toLocaleString('en-US');
}

/** Problems shown at most: a sweep with one bad value repeated should not flood the terminal. */
const MAX_PROBLEMS = 5;

function throwIfAny(problems: Problem[]): void {
  if (problems.length > MAX_PROBLEMS) {
    const more = problems.length - MAX_PROBLEMS;
    throw new InputError([...problems.slice(0, MAX_PROBLEMS), { file: problems[0].file, line: 0, column: 0, message: `… and ${more} more problem${more === 1 ? '' : 's'}` }]);
  }
  if (problems.length > 0) throw new InputError(problems);
}

/** Each sweep key is a path into the network settings, and no key lies inside another. */
function checkSweepKeys(source: Source, keys: string[]): Problem[] {
  const problems: Problem[] = [];
  let candidates: string[] | undefined;
  for (const key of keys) {
    const bad = forbiddenSegment(key);
    if (bad !== undefined) {
      problems.push(source.problem(['spec', 'sweep', key], `spec.sweep: '${key}': ${forbiddenMessage(bad)}`, 'key'));
      continue;
    }
    const path = splitPath(key);
    const found = NETWORK_KEYS.includes(String(path[0])) ? resolve(networkSettings, path) : { ok: false as const, depth: 0, keys: NETWORK_KEYS };
    if (!found.ok) {
      candidates ??= allPaths(networkSettings);
      const hint = didYouMean(key, candidates);
      const what = NETWORK_KEYS.includes(String(path[0])) ? `no '${path[found.depth]}' at ${path.slice(0, found.depth).join('.') || 'spec'}` : `'${path[0]}' is not a setting that can be swept`;
      problems.push(source.problem(['spec', 'sweep', key], `spec.sweep: unknown path '${key}' (${what})${hint}`, 'key'));
    }
    for (const other of keys) {
      if (other !== key && key.startsWith(`${other}.`)) {
        problems.push(source.problem(['spec', 'sweep', key], `spec.sweep: '${key}' lies inside '${other}', which is swept too`, 'key'));
      }
    }
  }
  return problems;
}

/** Each swept value, set alone on the base spec, must give valid settings. */
function checkSweepValues(source: Source, base: Record<string, unknown>, sweep: Record<string, unknown[]>): Problem[] {
  const problems: Problem[] = [];
  for (const [key, values] of Object.entries(sweep)) {
    values.forEach((value, i) => {
      const where = ['spec', 'sweep', key, i];
      let input: Record<string, unknown>;
      try {
        input = withValue(base, splitPath(key), value);
      } catch (error) {
        problems.push(source.problem(where, `${dotted(where)}: ${(error as Error).message}`));
        return;
      }
      const result = networkSettings.safeParse(input, { reportInput: true });
      if (!result.success) {
        const message = explainIssues(result.error.issues, networkSettings, ['spec'])[0].message;
        problems.push(source.problem(where, `${dotted(where)} = ${show(value)}: ${message}`));
      }
    });
  }
  return problems;
}

/**
 * spec.profiles overrides, loaded as a simulation would load them: an unknown constant or a value
 * of the wrong kind is bad input, found here rather than when the first simulation starts.
 * Each distinct combination of overrides (and of the CNI and mesh they apply to) is loaded once.
 */
function checkProfiles(source: Source, base: Record<string, unknown>, sweepKeys: string[], points: readonly Point[]): Problem[] {
  if (base.profiles === undefined && !sweepKeys.some((key) => key.startsWith('profiles'))) return [];
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const point of points) {
    const input = point.input as { profiles?: unknown; cluster?: { cni?: unknown }; mesh?: unknown };
    const key = canonicalJson([input.profiles, input.cluster?.cni, input.mesh]);
    if (seen.has(key)) continue;
    seen.add(key);
    for (const { concern, message } of profileProblems(networkSettings.parse(point.input))) {
      const swept = sweepKeys.find((k) => k === 'profiles' || k === `profiles.${concern}` || k.startsWith(`profiles.${concern}.`));
      const path = swept === undefined ? ['spec', 'profiles', concern] : ['spec', 'sweep', swept];
      if (!problems.some((p) => p.message.endsWith(message))) problems.push(source.problem(path, `${dotted(path)}: ${message}`, 'key'));
    }
  }
  return problems;
}

/** report.x, report.series and plan.minimize name swept paths; report.baseline a value of the series. */
function checkReferences(source: Source, spec: ExperimentSpec, sweepKeys: string[]): Problem[] {
  const problems: Problem[] = [];
  const check = (path: string[], value: string | undefined) => {
    if (value !== undefined && !sweepKeys.includes(value)) {
      const keys = sweepKeys.length > 0 ? `the swept paths are ${sweepKeys.join(', ')}` : 'nothing is swept';
      problems.push(source.problem(path, `${dotted(path)}: '${value}' is not swept${didYouMean(value, sweepKeys)}; ${keys}`));
    }
  };
  check(['spec', 'report', 'x'], spec.report?.x);
  check(['spec', 'report', 'series'], spec.report?.series);
  check(['spec', 'plan', 'minimize'], spec.plan?.minimize);
  const baseline = problems.length === 0 ? baselineProblem(spec) : null;
  if (baseline !== null) problems.push(source.problem(baseline[0], baseline[1]));
  return problems;
}
