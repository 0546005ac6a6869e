// Running an experiment's jobs into a results directory: check the directory, skip what is
// already there (--resume), deal the rest to the worker pool, append each result as it comes,
// and finish with the summaries. Ctrl-C (an abort) abandons the jobs in flight and still leaves
// a consistent directory: whole lines in points.jsonl and summaries of what was completed.

import { join } from 'node:path';
import type { ConstantRecord } from '../models/profiles/load.js';
import { contextOf } from './context.js';
import { API_VERSION } from './experiment.js';
import { allJobs, shardJobs, streamsFor, type Job, type Shard } from './expand.js';
import type { LoadedExperiment } from './load.js';
import { WorkerPool, type JobRequest } from './pool.js';
import {
  checkResultsDir,
  clearResults,
  ensureDir,
  FILES,
  LineAppender,
  readJson,
  readPoints,
  recordLine,
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
export function checkOut(loaded: LoadedExperiment, options: Pick<RunOptions, 'out' | 'force' | 'shard'>): void {
  checkResultsDir(options.out, manifestFor(loaded, options.shard), options.force === true);
}

export async function runExperiment(loaded: LoadedExperiment, options: RunOptions): Promise<RunResult> {
  const start = performance.now();
  const out = options.out;
  const manifest = manifestFor(loaded, options.shard);
  const state = checkResultsDir(out, manifest, options.force === true);
  let existing: PointRecord[] = [];
  let tornBytes = 0;
  if (state === 'same' && options.resume === true) {
    ({ records: existing, tornBytes } = readPoints(out, true));
  } else if (state !== 'absent') {
    clearResults(out);
  }
  ensureDir(out);
  writeAtomic(join(out, FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);

  const done = new Set(existing.map((r) => `${r.point}/${r.replication}`));
  const mine = shardJobs(allJobs(loaded.points, loaded.spec.replications), options.shard).filter((job) => options.only === undefined || options.only.has(job.point.id));
  const todo = mine.filter((job) => !done.has(`${job.point.id}/${job.replication}`));
  const constants = loadConstants(out);

  const points = new LineAppender(join(out, FILES.points));
  const timing = new LineAppender(join(out, FILES.timing));
  let ran = 0;
  let events = 0;
  let outcome: Awaited<ReturnType<WorkerPool['run']>> = { status: 'done' };
  const pool = todo.length === 0 ? undefined : (options.pool ?? (await WorkerPool.start(Math.min(options.workers, todo.length))));
  try {
    if (pool !== undefined) {
      const requests: JobRequest[] = todo.map((job, id) => ({ id, input: job.point.input, ...streamsFor(loaded.spec.seed, job) }));
      // Rates and time left count from the first dispatch, not from the workers' start-up.
      const dispatched = performance.now();
      options.onProgress?.({ done: 0, total: todo.length, events: 0, elapsedSeconds: 0 });
      outcome = await pool.run(
        requests,
        (response) => {
          const job = todo[response.id];
          points.append(recordLine({ point: job.point.id, settings: job.point.settings, replication: job.replication, seed: requests[response.id].seed, metrics: response.metrics }));
          timing.append(`${JSON.stringify({ point: job.point.id, replication: job.replication, events: response.events, wallSeconds: round(response.wallSeconds), eventsPerSecond: Math.round(response.events / response.wallSeconds) })}\n`);
          if (!constants.has(job.point.id)) constants.set(job.point.id, response.constants);
          ran++;
          events += response.events;
          options.onProgress?.({ done: ran, total: todo.length, events, elapsedSeconds: (performance.now() - dispatched) / 1000 });
        },
        options.signal,
      );
    }
  } finally {
    if (options.pool === undefined) await pool?.close();
    points.close();
    const wallSeconds = (performance.now() - start) / 1000;
    timing.append(`${JSON.stringify({ run: { workers: pool?.size ?? 0, jobs: mine.length, ran, wallSeconds: round(wallSeconds), eventsPerSecond: Math.round(events / wallSeconds), status: outcome.status } })}\n`);
    timing.close();
    writeSummaries(out, manifest, constants);
  }

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

/** The constants each point of an earlier (resumed) run used. */
export function loadConstants(dir: string): Map<string, ConstantRecord[]> {
  const file = readJson<{ points: Record<string, string>; sets: Record<string, ConstantRecord[]> }>(join(dir, FILES.constants));
  const map = new Map<string, ConstantRecord[]>();
  if (file !== undefined) for (const [id, hash] of Object.entries(file.points)) if (file.sets[hash] !== undefined) map.set(id, file.sets[hash]);
  return map;
}

function describeFailure(job: Job | undefined, error: string): string {
  if (job === undefined) return `a worker failed: ${error}`;
  const settings = Object.entries(job.point.settings).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  // The message and the frames nearest the throw: enough to find it, short enough to read.
  const trimmed = error.split('\n').slice(0, 4).join('\n');
  return `point ${job.point.id}${settings ? ` (${settings})` : ''}, replication ${job.replication}, failed:\n${trimmed}`;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
