// Running an experiment's jobs into a results directory: check the directory, skip what is
// already there (--resume), deal the rest to the worker pool, append each result as it comes,
// and finish with the summaries, all under the directory's lock. Ctrl-C or SIGTERM (an abort), or
// a write that fails, abandons the jobs in flight and still leaves a consistent directory: whole
// lines in points.jsonl and constants.jsonl, and summaries of what was completed.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConstantRecord } from '../models/profiles/load.js';
import { contextOf } from './context.js';
import { modelsFingerprint } from './models-fingerprint.js';
import { API_VERSION } from './experiment.js';
import { allJobs, shardJobs, streamsFor, type Job, type Shard } from './expand.js';
import type { LoadedExperiment } from './load.js';
import { WorkerPool, type JobRequest } from './pool.js';
import { constantLines, readConstants } from './constant-log.js';
import { acquireLock } from './lock.js';
import {
  checkResultsDir,
  clearResults,
  ensureDir,
  FILES,
  LineAppender,
  readManifest,
  readPoints,
  recordLine,
  removeTemporaries,
  writeAtomic,
  type Manifest,
  type PointRecord,
} from './results-dir.js';
import { metricsJson } from './metrics-file.js';
import { buildSummary, constantsJson, summaryCsv, summaryJson } from './summary.js';

export interface RunOptions {
  out: string;
  workers: number;
  shard?: Shard;
  /** Keep completed (point, replication) pairs of the same experiment and run only the rest. */
  resume?: boolean;
  /** Replace a directory holding something else. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** Run only these points (plan); all points when absent. */
  only?: ReadonlySet<string>;
  /** A pool to use and leave open (plan's rounds); otherwise one is started and closed. */
  pool?: WorkerPool;
  /** Told what the user should know before the run starts (a stale lock taken over). */
  onNotice?: (line: string) => void;
}

export interface Progress {
  done: number;
  total: number;
  events: number;
  elapsedSeconds: number;
}

export interface RunResult {
  status: 'complete' | 'interrupted' | 'failed';
  out: string;
  /** Jobs this run was responsible for (its shard, its points), including those already done. */
  jobs: number;
  ran: number;
  skipped: number;
  /** Bytes of a torn last line dropped on resume. */
  tornBytes: number;
  events: number;
  wallSeconds: number;
  error?: string;
  files: { summary: string; csv: string; points: string };
}

function manifestFor(loaded: LoadedExperiment, shard?: Shard): Manifest {
  return {
    apiVersion: API_VERSION,
    experiment: loaded.name,
    description: loaded.experiment.metadata.description,
    specHash: loaded.specHash,
    models: modelsFingerprint(),
    seed: loaded.spec.seed,
    replications: loaded.spec.replications,
    sweep: loaded.sweepKeys,
    points: loaded.points.map((point) => ({ id: point.id, settings: point.settings, context: contextOf(point) })),
    report: loaded.spec.report ?? null,
    slo: Object.fromEntries(Object.entries(loaded.spec.slo).map(([key, bound]) => [key, bound.text])),
    shard: shard === undefined ? null : `${shard.index}/${shard.count}`,
  };
}

/** Checks the output directory for `loaded` without writing anything (bad input is found first). */
export function checkOut(loaded: LoadedExperiment, options: Pick<RunOptions, 'out' | 'force' | 'shard' | 'resume'>): void {
  checkResultsDir(options.out, manifestFor(loaded, options.shard), options.force === true, options.resume === true);
}

export async function runExperiment(loaded: LoadedExperiment, options: RunOptions): Promise<RunResult> {
  const start = performance.now();
  const out = options.out;
  const manifest = manifestFor(loaded, options.shard);
  checkResultsDir(out, manifest, options.force === true, options.resume === true);
  ensureDir(out);
  const lock = acquireLock(out);
  if (lock.tookOverFrom !== undefined) {
    const from = lock.tookOverFrom;
    options.onNotice?.(`took over a stale lock of ${out} (left by pid ${from.pid} on ${from.host}, since ${from.started})`);
  }
  try {
    // Checked again under the lock: another run may have written between the first check and now.
    return await runLocked(loaded, options, manifest, start);
  } finally {
    lock.release();
  }
}

async function runLocked(loaded: LoadedExperiment, options: RunOptions, manifest: Manifest, start: number): Promise<RunResult> {
  const out = options.out;
  const state = checkResultsDir(out, manifest, options.force === true, options.resume === true);
  removeTemporaries(out);
  let existing: PointRecord[] = [];
  let tornBytes = 0;
  let constants = new Map<string, ConstantRecord[]>();
  // The sets constants.jsonl holds: a point's line may name one of them without repeating it.
  let knownSets = new Set<string>();
  if (state === 'same' && options.resume === true) {
    ({ records: existing, tornBytes } = readPoints(out, true));
    ({ byPoint: constants, logged: knownSets } = readConstants(out, true));
  } else if (state !== 'absent') {
    clearResults(out);
  }
  writeAtomic(join(out, FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);

  const done = new Set(existing.map((r) => `${r.point}/${r.replication}`));
  const mine = shardJobs(allJobs(loaded.points, loaded.spec.replications), options.shard).filter((job) => options.only === undefined || options.only.has(job.point.id));
  const todo = mine.filter((job) => !done.has(`${job.point.id}/${job.replication}`));

  const constantLog = new LineAppender(join(out, FILES.constantLog));
  const points = new LineAppender(join(out, FILES.points));
  const timing = new LineAppender(join(out, FILES.timing));
  let ran = 0;
  let events = 0;
  let outcome: Awaited<ReturnType<WorkerPool['run']>> = { status: 'done' };
  // A write that fails (a full disk) stops the run like an abort, and is thrown at the end.
  let writeError: unknown;
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) stop.abort();
  const pool = todo.length === 0 || stop.signal.aborted ? undefined : (options.pool ?? (await WorkerPool.start(Math.min(options.workers, todo.length))));
  try {
    if (stop.signal.aborted) outcome = { status: 'aborted' };
    else if (pool !== undefined) {
      const requests: JobRequest[] = todo.map((job, id) => ({ id, input: job.point.input, ...streamsFor(loaded.spec.seed, job) }));
      // Rates and time left count from the first dispatch, not from the workers' start-up.
      const dispatched = performance.now();
      options.onProgress?.({ done: 0, total: todo.length, events: 0, elapsedSeconds: 0 });
      outcome = await pool.run(
        requests,
        (response) => {
          if (writeError !== undefined) return;
          const job = todo[response.id];
          try {
            // Constants before the run's line: a kill between the two redoes the run, never loses them.
            if (!constants.has(job.point.id)) {
              constantLog.append(constantLines(job.point.id, response.constants, knownSets));
              constants.set(job.point.id, response.constants);
            }
            points.append(recordLine({ point: job.point.id, settings: job.point.settings, replication: job.replication, seed: requests[response.id].seed, metrics: response.metrics }));
            timing.append(`${JSON.stringify({ point: job.point.id, replication: job.replication, events: response.events, wallSeconds: round(response.wallSeconds), eventsPerSecond: Math.round(response.events / response.wallSeconds) })}\n`);
          } catch (error) {
            writeError = error;
            stop.abort();
            return;
          }
          ran++;
          events += response.events;
          options.onProgress?.({ done: ran, total: todo.length, events, elapsedSeconds: (performance.now() - dispatched) / 1000 });
        },
        stop.signal,
      );
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (options.pool === undefined) await pool?.close();
    constantLog.close();
    points.close();
    const wallSeconds = (performance.now() - start) / 1000;
    try {
      timing.append(`${JSON.stringify({ run: { workers: pool?.size ?? 0, jobs: mine.length, ran, wallSeconds: round(wallSeconds), eventsPerSecond: Math.round(events / wallSeconds), status: outcome.status } })}\n`);
    } catch (error) {
      writeError ??= error;
    } finally {
      timing.close();
    }
    try {
      writeSummaries(out, manifest, constants);
    } catch (error) {
      writeError ??= error;
    }
  }
  if (writeError !== undefined) throw writeError;

  const status = outcome.status === 'done' ? 'complete' : outcome.status === 'aborted' ? 'interrupted' : 'failed';
  const error = outcome.status === 'failed' ? describeFailure(outcome.id >= 0 ? todo[outcome.id] : undefined, outcome.error) : undefined;
  return {
    status,
    out,
    jobs: mine.length,
    ran,
    skipped: mine.length - todo.length,
    tornBytes,
    events,
    wallSeconds: (performance.now() - start) / 1000,
    error,
    files: { summary: join(out, FILES.summary), csv: join(out, FILES.csv), points: join(out, FILES.points) },
  };
}

/** summary.json, summary.csv, metrics.json and constants.json from the whole of points.jsonl. */
export function writeSummaries(out: string, manifest: Manifest, constants: ReadonlyMap<string, ConstantRecord[]>): void {
  const { records } = readPoints(out, false);
  const summary = buildSummary(manifest, records);
  writeAtomic(join(out, FILES.summary), summaryJson(summary));
  writeAtomic(join(out, FILES.csv), summaryCsv(summary, manifest.sweep));
  writeAtomic(join(out, FILES.metrics), metricsJson(summary));
  const summarized = new Set(summary.points.map((p) => p.id));
  const used = new Map([...constants].filter(([id]) => summarized.has(id)));
  writeAtomic(join(out, FILES.constants), constantsJson(manifest, used));
}

/**
 * Rewrites summary.json, summary.csv and constants.json from points.jsonl and constants.jsonl when
 * summary.json or constants.json is damaged (they are derived; the runs are the record). Returns
 * the damaged files' names; nothing when the directory has no experiment.json to rebuild from.
 */
export function repairSummaries(dir: string): string[] {
  const damaged = [FILES.summary, FILES.constants].filter((name) => existsSync(join(dir, name)) && !isJsonObject(join(dir, name)));
  if (damaged.length === 0) return [];
  const manifest = readManifest(dir);
  if (manifest === undefined || !Array.isArray(manifest.points)) return [];
  const lock = acquireLock(dir, 'report');
  try {
    writeSummaries(dir, manifest, readConstants(dir, false).byPoint);
  } finally {
    lock.release();
  }
  return damaged;
}

function isJsonObject(path: string): boolean {
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** The constants each point of an earlier (resumed) run used. */
export function loadConstants(dir: string): Map<string, ConstantRecord[]> {
  return readConstants(dir, false).byPoint;
}

function describeFailure(job: Job | undefined, error: string): string {
  if (job === undefined) return `a worker failed: ${error}`;
  const settings = Object.entries(job.point.settings).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  // The message and the frames nearest the throw: enough to find it, short enough to read.
  const trimmed = error.split('\n').slice(0, 4).join('\n');
  return `point ${job.point.id}${settings ? ` (${settings})` : ''}, replication ${job.replication}, failed:\n${trimmed}`;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
