// `run` and `validate`: an experiment file to a results directory, or to its plan of work.

import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { estimateWork } from '../runner/estimate.js';
import { parseShard, type Shard } from '../runner/expand.js';
import { loadExperiment, type LoadedExperiment } from '../runner/load.js';
import { progressBar, formatDuration } from '../runner/progress.js';
import { FILES, readJson } from '../runner/results-dir.js';
import { checkOut, runExperiment } from '../runner/run.js';
import type { Summary } from '../runner/summary.js';
import { count, formatMetric, formatSetting, table } from './format.js';
import { healthLines } from './health-lines.js';
import { EXIT, parseOptions, UsageError, wholeNumber, writeJson, type Io } from './io.js';
import { renderReports } from './report-command.js';

export const RUN_USAGE = `k8s-netsim run <experiment.yaml> [--out DIR] [--workers N] [--replications N] [--seed N]
                 [--shard I/N] [--resume] [--force] [--set PATH=VALUE]... [--json] [--quiet]`;
export const VALIDATE_USAGE = 'k8s-netsim validate <experiment.yaml> [--replications N] [--seed N] [--set PATH=VALUE]... [--force] [--json]';

/** Options every command that reads an experiment file takes. */
export const EXPERIMENT_OPTIONS = {
  replications: { type: 'string' },
  seed: { type: 'string' },
  set: { type: 'string', multiple: true },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export interface ExperimentArgs {
  file: string;
  replications?: string;
  seed?: string;
  set?: string[];
  force?: boolean;
}

/** Loads the file named on the command line with its overrides (--replications, --seed, --set). */
export function loadFromArgs(args: ExperimentArgs): LoadedExperiment {
  const set: { path: string; value: unknown }[] = [];
  for (const assignment of args.set ?? []) {
    const eq = assignment.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set takes PATH=VALUE (e.g. spec.duration=10s), got '${assignment}'`);
    set.push({ path: assignment.slice(0, eq).trim(), value: parseYaml(assignment.slice(eq + 1)) as unknown });
  }
  const replications = wholeNumber(args.replications, '--replications', 1);
  const seed = wholeNumber(args.seed, '--seed', 0);
  if (replications !== undefined) set.push({ path: 'spec.replications', value: replications });
  if (seed !== undefined) set.push({ path: 'spec.seed', value: seed });
  return loadExperiment(args.file, { set, force: args.force === true });
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
  const loaded = loadFromArgs({ file, ...values });
  const out = values.out ?? defaultOut(loaded.name, shard);
  checkOut(loaded, { out, force: values.force, shard, resume: values.resume });

  const quiet = values.quiet === true || values.json === true;
  const say = (line: string) => {
    if (!quiet) io.stderr.write(`${line}\n`);
  };
  const work = estimateWork(loaded, shard);
  say(`${loaded.name}: ${count(work.points, 'point')} × ${count(work.replications, 'replication')}${shard ? `, shard ${shard.index}/${shard.count}` : ''} on ${count(Math.min(workers, Math.max(1, work.simulations)), 'worker')}`);
  const bar = !quiet && io.stderr.isTTY === true ? progressBar(io.stderr as NodeJS.WriteStream, loaded.name) : undefined;
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

/** The answer at a glance: the report's metrics (or request latency) per point, mean and CI. */
function printHeadline(io: Io, loaded: LoadedExperiment, out: string): void {
  const summary = readJson<Summary>(join(out, FILES.summary));
  if (summary === undefined || summary.points.length === 0) return;
  const metrics = loaded.spec.report?.metrics ?? ['request_duration_seconds.p99'];
  const rows = [[...loaded.sweepKeys, ...metrics.map((m) => `${m} (95 % CI)`)]];
  for (const point of summary.points.slice(0, 40)) {
    const cells = loaded.sweepKeys.map((k) => formatSetting(point.settings[k]));
    for (const m of metrics) {
      const s = point.metrics[m];
      cells.push(s === undefined ? 'n/a' : `${formatMetric(m, s.mean)} [${formatMetric(m, s.ci95[0])}, ${formatMetric(m, s.ci95[1])}]`);
    }
    rows.push(cells);
  }
  io.stdout.write(`${table(rows)}\n`);
  if (summary.points.length > 40) io.stdout.write(`… ${summary.points.length - 40} more points in ${join(out, FILES.csv)}\n`);
}

export function validateCommand(argv: string[], io: Io): number {
  const { values, positionals } = parseOptions(argv, { ...EXPERIMENT_OPTIONS, shard: { type: 'string' } });
  const file = onePositional(positionals, VALIDATE_USAGE);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (values.shard !== undefined && shard === undefined) throw new UsageError(`--shard takes I/N with 0 ≤ I < N, got '${values.shard}'`);
  const loaded = loadFromArgs({ file, ...values });
  const work = estimateWork(loaded, shard);
  if (values.json === true) {
    writeJson(io, { ok: true, experiment: loaded.name, specHash: loaded.specHash, sweep: loaded.sweepKeys, work, points: loaded.points.map(({ id, settings }) => ({ id, settings })) });
    return EXIT.ok;
  }
  const out = (line: string) => io.stdout.write(`${line}\n`);
  out(`${file}: valid`);
  out(`experiment ${loaded.name}${loaded.experiment.metadata.description ? `: ${loaded.experiment.metadata.description}` : ''}`);
  const axes = loaded.sweepKeys.map((k) => `${k} (${new Set(loaded.points.map((p) => JSON.stringify(p.settings[k]))).size} values)`);
  out(`sweep: ${axes.length > 0 ? axes.join(' × ') : 'none (one point)'}`);
  out(`work${shard ? ` (shard ${shard.index}/${shard.count})` : ''}: ${count(work.points, 'point')} × ${count(work.replications, 'replication')} = ${count(work.simulations, 'simulation')}, ${formatDuration(work.simulatedSeconds)} simulated, ≈ ${formatMillions(work.requests)} requests${work.closedLoop ? ' (plus closed-loop clients, not estimated)' : ''}`);
  const rows = [['point', ...loaded.sweepKeys]];
  for (const point of loaded.points.slice(0, 30)) rows.push([point.id, ...loaded.sweepKeys.map((k) => formatSetting(point.settings[k]))]);
  out(table(rows));
  if (loaded.points.length > 30) out(`… ${loaded.points.length - 30} more (--json lists them all)`);
  return EXIT.ok;
}

function formatMillions(n: number): string {
  return n >= 1e8 ? `${Math.round(n / 1e6).toLocaleString('en-US')} M` : n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : Math.round(n).toLocaleString('en-US');
}
