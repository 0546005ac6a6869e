// `run` and `validate`: an experiment file to a results directory, or to its plan of work.

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { checkBudget, formatBytes, formatCount, formatHours, memoryBudget, type MemoryBudget } from '../runner/budget.js';
import { COST, estimateWork, type CostedExperiment } from '../runner/estimate.js';
import { parseShard, type Shard } from '../runner/expand.js';
import { loadExperiment, type LoadedExperiment } from '../runner/load.js';
import { formatDuration, progressReporter } from '../runner/progress.js';
import { FILES, readJson } from '../runner/results-dir.js';
import { checkOut, runExperiment } from '../runner/run.js';
import type { Summary } from '../runner/summary.js';
import { count, splitTables, wrap } from './format.js';
import { headlineTables, settingColumns } from './headline.js';
import { healthLines } from './health-lines.js';
import { EXIT, parseOptions, UsageError, wholeNumber, writeJson, type Io } from './io.js';
import { renderReports } from './report-command.js';

export const RUN_USAGE = `k8s-netsim run <experiment.yaml> [--out DIR] [--workers N] [--replications N] [--seed N]
                 [--shard I/N] [--resume] [--force] [--max-memory SIZE] [--set PATH=VALUE]... [--json] [--quiet]`;
export const VALIDATE_USAGE = `k8s-netsim validate <experiment.yaml> [--replications N] [--seed N] [--shard I/N]
                      [--set PATH=VALUE]... [--force] [--max-memory SIZE] [--json]`;

/** Points the terminal table shows; the rest are in summary.csv. */
const MAX_HEADLINE_POINTS = 40;

/** Options every command that reads an experiment file takes. */
export const EXPERIMENT_OPTIONS = {
  replications: { type: 'string' },
  seed: { type: 'string' },
  set: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  'max-memory': { type: 'string' },
  json: { type: 'boolean' },
} as const;

export interface ExperimentArgs {
  file: string;
  replications?: string;
  seed?: string;
  set?: string[];
  force?: boolean;
  'max-memory'?: string;
  shard?: Shard;
  /** Where a large sweep's expansion reports its progress. */
  progress?: (line: string) => void;
}

export interface CostedLoad extends LoadedExperiment {
  work: CostedExperiment;
  budget: MemoryBudget;
}

/**
 * Loads the file named on the command line with its overrides (--replications, --seed, --set),
 * estimates its cost and refuses it (InputError, exit 2) when a point would not fit the memory
 * budget or the work exceeds the bounds without --force: before anything runs or is written.
 */
export function loadFromArgs(args: ExperimentArgs): CostedLoad {
  const set: { path: string; value: unknown }[] = [];
  for (const assignment of args.set ?? []) {
    // The first '=' outside braces: a metric key's labels hold '=' too (spec.slo.x{outcome=ok}.rate=1%).
    const eq = assignmentSplit(assignment);
    if (eq <= 0) throw new UsageError(`--set takes PATH=VALUE (e.g. spec.duration=10s), got '${assignment}'`);
    set.push({ path: assignment.slice(0, eq).trim(), value: parseYaml(assignment.slice(eq + 1)) as unknown });
  }
  const replications = wholeNumber(args.replications, '--replications', 1);
  const seed = wholeNumber(args.seed, '--seed', 0);
  if (replications !== undefined) set.push({ path: 'spec.replications', value: replications });
  if (seed !== undefined) set.push({ path: 'spec.seed', value: seed });
  const budget = memoryBudget(args['max-memory']);
  const progress = args.progress;
  const onExpansionProgress = progress && ((done: number, total: number) => progress(`expanding the sweep: ${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} points`));
  const loaded = loadExperiment(args.file, { set, force: args.force === true, onExpansionProgress });
  const work = estimateWork(loaded, args.shard);
  checkBudget(loaded, work, budget, args.force === true);
  return { ...loaded, work, budget };
}

/** The estimate in one line: the costliest point's memory against the budget, the events and a rough time. */
export function estimateLine(work: CostedExperiment, budget: MemoryBudget, workers = 1): string {
  const time = formatHours(work.cpuSeconds / Math.max(1, Math.min(workers, work.simulations)));
  return `estimate: peak ≈ ${formatBytes(work.peakBytes)} per point (budget ${formatBytes(budget.bytes)}), ≈ ${formatCount(work.events)} events, ≈ ${time} on ${count(workers, 'worker')} at ${COST.eventsPerSecond / 1e6} M events/s each`;
}

function assignmentSplit(assignment: string): number {
  let depth = 0;
  for (let i = 0; i < assignment.length; i++) {
    const c = assignment[i];
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (c === '=' && depth === 0) return i;
  }
  return -1;
}

export function onePositional(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected one experiment file\nusage: ${usage}`);
  return positionals[0];
}

export function defaultOut(name: string, shard?: Shard): string {
  return join('results', shard === undefined ? name : `${name}.shard-${shard.index}-of-${shard.count}`);
}

export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    ...EXPERIMENT_OPTIONS,
    out: { type: 'string' },
    workers: { type: 'string' },
    shard: { type: 'string' },
    resume: { type: 'boolean' },
    quiet: { type: 'boolean' },
  });
  const file = onePositional(positionals, RUN_USAGE);
  const workers = wholeNumber(values.workers, '--workers', 1, 1024) ?? availableParallelism();
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (values.shard !== undefined && shard === undefined) throw new UsageError(`--shard takes I/N with 0 ≤ I < N, got '${values.shard}'`);
  const quiet = values.quiet === true || values.json === true;
  const say = (line: string) => {
    if (!quiet) io.stderr.write(`${line}\n`);
  };
  const loaded = loadFromArgs({ file, ...values, shard, progress: say });
  const out = values.out ?? defaultOut(loaded.name, shard);
  checkOut(loaded, { out, force: values.force, shard, resume: values.resume });

  const work = loaded.work;
  say(`${loaded.name}: ${count(work.points, 'point')} × ${count(work.replications, 'replication')}${shard ? `, shard ${shard.index}/${shard.count}` : ''} on ${count(Math.min(workers, Math.max(1, work.simulations)), 'worker')}`);
  say(estimateLine(work, loaded.budget, Math.min(workers, Math.max(1, work.simulations))));
  const bar = quiet ? undefined : progressReporter(io.stderr, loaded.name);
  const result = await runExperiment(loaded, { out, workers, shard, resume: values.resume, force: values.force, signal: io.signal, onProgress: bar?.update, onNotice: (line) => io.stderr.write(`${line}\n`) });
  bar?.done();

  if (values.json === true) {
    writeJson(io, result);
  } else {
    if (result.tornBytes > 0) say(`resumed: dropped a torn last line (${result.tornBytes} bytes) from points.jsonl`);
    if (result.skipped > 0) say(`resumed: ${count(result.skipped, 'run')} already done`);
    const rate = result.wallSeconds > 0 ? result.events / result.wallSeconds : 0;
    say(`${result.status === 'complete' ? 'done' : result.status}: ${count(result.ran, 'run')} in ${formatDuration(result.wallSeconds)} (${(rate / 1e6).toFixed(2)} M events/s)`);
    if (result.status === 'complete') for (const line of healthLines(out)) say(line);
    if (result.status === 'complete' && !quiet) printHeadline(io, loaded, out);
    say(`results: ${result.files.summary} and ${result.files.csv} (every run in ${result.files.points})`);
  }
  // Even with --quiet or --json: a Job's log must say how to pick the work up again.
  if (result.status === 'interrupted') io.stderr.write(`interrupted: ${out} is consistent; continue with: ${resumeCommand(argv)}\n`);
  if (result.status === 'failed') {
    io.stderr.write(`run failed: ${result.error}\n`);
    return EXIT.failed;
  }
  // A sharded run's directory is one part of the whole: its report comes after `merge`.
  if (result.status === 'complete' && shard === undefined) await renderReports(out, io, quiet);
  return result.status === 'interrupted' ? EXIT.interrupted : EXIT.ok;
}

/** The command line that continues an interrupted run: the same one with --resume. */
function resumeCommand(argv: string[]): string {
  const args = argv.includes('--resume') ? argv : [...argv, '--resume'];
  const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);
  return ['k8s-netsim', 'run', ...args].map(quote).join(' ');
}

/** The answer at a glance: the report's metrics (or request latency) per point, mean ± 95 % CI half-width. */
function printHeadline(io: Io, loaded: LoadedExperiment, out: string): void {
  const summary = readJson<Summary>(join(out, FILES.summary));
  if (summary === undefined || summary.points.length === 0) return;
  const metrics = loaded.spec.report?.metrics ?? ['request_duration_seconds.p99'];
  const shown = summary.points.slice(0, MAX_HEADLINE_POINTS);
  io.stdout.write(`mean ± half-width of the 95 % CI over ${count(loaded.spec.replications, 'replication')} (n/a: fewer than 2)\n`);
  io.stdout.write(`${headlineTables(shown, loaded.sweepKeys, metrics).join('\n\n')}\n`);
  if (summary.points.length > shown.length) io.stdout.write(`… ${summary.points.length - shown.length} more points in ${join(out, FILES.csv)}\n`);
}

export function validateCommand(argv: string[], io: Io): number {
  const { values, positionals } = parseOptions(argv, { ...EXPERIMENT_OPTIONS, shard: { type: 'string' } });
  const file = onePositional(positionals, VALIDATE_USAGE);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (values.shard !== undefined && shard === undefined) throw new UsageError(`--shard takes I/N with 0 ≤ I < N, got '${values.shard}'`);
  const loaded = loadFromArgs({ file, ...values, shard, progress: (line) => io.stderr.write(`${line}\n`) });
  const { costs, ...work } = loaded.work;
  if (values.json === true) {
    writeJson(io, { ok: true, experiment: loaded.name, specHash: loaded.specHash, sweep: loaded.sweepKeys, work, memoryBudgetBytes: loaded.budget.bytes, points: loaded.points.map(({ id, settings }, i) => ({ id, settings, peakBytes: costs[i].bytes, events: costs[i].events })) });
    return EXIT.ok;
  }
  const out = (line: string) => io.stdout.write(`${wrap(line)}\n`);
  out(`${file}: valid`);
  out(`experiment ${loaded.name}${loaded.experiment.metadata.description ? `: ${loaded.experiment.metadata.description}` : ''}`);
  const axes = loaded.sweepKeys.map((k) => `${k} (${new Set(loaded.points.map((p) => JSON.stringify(p.settings[k]))).size} values)`);
  out(`sweep: ${axes.length > 0 ? axes.join(' × ') : 'none (one point)'}`);
  out(`work${shard ? ` (shard ${shard.index}/${shard.count})` : ''}: ${count(work.points, 'point')} × ${count(work.replications, 'replication')} = ${count(work.simulations, 'simulation')}, ${formatDuration(work.simulatedSeconds)} simulated, ≈ ${formatMillions(work.requests)} requests${work.closedLoop ? ' (closed-loop clients at the rate their servers allow)' : ''}`);
  out(estimateLine(loaded.work, loaded.budget));
  const shown = loaded.points.slice(0, 30);
  const ids = ['point', ...shown.map((p) => p.id)];
  for (const text of splitTables([ids], settingColumns(shown, loaded.sweepKeys, 1))) io.stdout.write(`${text}\n`);
  if (loaded.points.length > 30) out(`… ${loaded.points.length - 30} more (--json lists them all)`);
  return EXIT.ok;
}

function formatMillions(n: number): string {
  return n >= 1e8 ? `${Math.round(n / 1e6).toLocaleString('en-US')} M` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : Math.round(n).toLocaleString('en-US');
}
