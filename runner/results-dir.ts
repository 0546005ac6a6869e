// The results directory (docs/architecture.md, "Results"), the contract between runs, shards, merges and reports:
//   experiment.json  what was run: name, spec hash, seed, replications, points, shard
//   points.jsonl     one line per (point, replication), appended as each job ends
//   summary.json     mean, 95 % CI and n per point and metric; summary.csv, one row per point
//   constants.json   the profile constants each point used, with their sources (for reports)
//   constants.jsonl  the same, one line per point appended as its first run ends, so a resume
//                    after a kill knows the constants of the runs finished before it
//   timing.jsonl     wall-clock figures, kept apart so the files above are reproducible
// Whole files are replaced atomically (written beside, then renamed); points.jsonl grows by one
// write per line, so a kill loses at most the jobs in flight and tears at most the last line.
// A run holds the directory's .lock (runner/lock.ts) while it writes.

import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ManifestContext } from './context.js';
import { LOCK_FILE } from './lock.js';
import { InputError } from './source.js';

export const FILES = {
  manifest: 'experiment.json',
  points: 'points.jsonl',
  summary: 'summary.json',
  csv: 'summary.csv',
  constants: 'constants.json',
  constantLog: 'constants.jsonl',
  timing: 'timing.jsonl',
  plan: 'plan.json',
  metrics: 'metrics.json',
} as const;

export interface Manifest {
  apiVersion: string;
  experiment: string;
  description: string;
  specHash: string;
  /** The model code's fingerprint (runner/models-fingerprint.ts); absent in directories written before it was kept. */
  models?: string;
  seed: number;
  replications: number;
  sweep: string[];
  /** Each point's swept settings, and the context its results were produced in (runner/context.ts). */
  points: { id: string; settings: Record<string, unknown>; context?: ManifestContext }[];
  /** What the report draws and the SLO it checks, as the file wrote them. */
  report: unknown;
  slo: unknown;
  /** "i/n" for a shard's directory, null for a whole run or a merge. */
  shard: string | null;
}

export interface PointRecord {
  point: string;
  settings: Record<string, unknown>;
  replication: number;
  seed: number;
  metrics: Record<string, number | null>;
}

/** One line of points.jsonl, fields in the order docs/architecture.md ("Results") gives. */
export function recordLine(record: PointRecord): string {
  const { point, settings, replication, seed, metrics } = record;
  return `${JSON.stringify({ point, settings, replication, seed, metrics })}\n`;
}

export function readManifest(dir: string): Manifest | undefined {
  const path = join(dir, FILES.manifest);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch {
    throw new InputError([{ file: path, line: 0, column: 0, message: 'not a valid experiment.json' }]);
  }
}

/**
 * Refuses a directory that holds something else (another experiment, or files that are not
 * results) unless `force`, and one holding completed runs of this experiment unless `resume`
 * (keep them) or `force` (discard them). Writes nothing: a refusal leaves the disk as it was.
 */
export function checkResultsDir(dir: string, manifest: Pick<Manifest, 'experiment' | 'specHash' | 'models'>, force: boolean, resume = false): 'absent' | 'same' | 'replace' {
  if (!existsSync(dir)) return 'absent';
  if (!statSync(dir).isDirectory()) throw new InputError([{ file: dir, line: 0, column: 0, message: 'the output path exists and is not a directory' }]);
  const existing = readManifest(dir);
  if (existing !== undefined && existing.experiment === manifest.experiment && existing.specHash === manifest.specHash) {
    const completed = () => readPoints(dir, false).records.length;
    if (existing.models !== manifest.models) {
      // Same spec, other model code: its runs would not be this code's results.
      if (force || completed() === 0) return 'replace';
      const was = existing.models === undefined ? 'an earlier version without a models fingerprint' : `models ${existing.models.slice(0, 12)}`;
      throw new InputError([{ file: dir, line: 0, column: 0, message: `the directory holds ${count(completed(), 'completed run')} of this experiment made by other model code (${was}, now ${manifest.models?.slice(0, 12)}); resuming would mix their results: pass --force to discard them, or choose another --out` }]);
    }
    if (resume || force) return 'same';
    const done = completed();
    if (done === 0) return 'same';
    throw new InputError([{ file: dir, line: 0, column: 0, message: `the directory holds ${count(done, 'completed run')} of this experiment; continue with --resume, or pass --force to discard them` }]);
  }
  if (existing === undefined && readdirSync(dir).filter((name) => !name.startsWith(LOCK_FILE)).length === 0) return 'absent';
  if (force) return 'replace';
  const what =
    existing === undefined
      ? 'files that are not k8s-netsim results'
      : existing.experiment === manifest.experiment
        ? `results of a different version of experiment '${existing.experiment}' (spec hash ${existing.specHash}, now ${manifest.specHash})`
        : `results of experiment '${existing.experiment}'`;
  throw new InputError([{ file: dir, line: 0, column: 0, message: `the directory holds ${what}; choose another --out, or pass --force to replace them` }]);
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** Empties the results files of `dir` (only ours: a forced run never deletes anything else). */
export function clearResults(dir: string): void {
  for (const name of [...Object.values(FILES), 'report.html', 'report.md']) rmSync(join(dir, name), { force: true });
}

/**
 * Removes temporary files a killed process left (ours: x.json.<pid>.tmp; the reports':
 * .x.html.<pid>.<n>.tmp, also in charts/). Called under the lock, so no live writer owns them.
 */
export function removeTemporaries(dir: string): void {
  for (const folder of [dir, join(dir, 'charts')]) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) if (/\.\d+(\.\d+)?\.tmp$/.test(name)) rmSync(join(folder, name), { force: true });
  }
}

export function ensureDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    // A recursive mkdir reports ENOENT for a read-only file system; the plain one says why.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !existsSync(dirname(dir))) throw error;
    mkdirSync(dir);
  }
}

/** Writes `text` to `path` atomically: a reader sees the old file or the new one, never half. */
export function writeAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(temporary, 'w');
    try {
      writeAll(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (error) {
    // A full disk or a lost permission: the old file stays whole, and no .tmp is left beside it.
    rmSync(temporary, { force: true });
    throw naming(error, path);
  }
}

/** A write through a descriptor fails without a path: the user needs to know which file. */
function naming(error: unknown, path: string): unknown {
  const failure = error as NodeJS.ErrnoException;
  if (failure instanceof Error && typeof failure.code === 'string') failure.path = path;
  return error;
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** An append-only line file: one write per line. */
export class LineAppender {
  private readonly fd: number;
  constructor(private readonly path: string) {
    this.fd = openSync(path, 'a');
  }
  append(line: string): void {
    try {
      writeAll(this.fd, line);
    } catch (error) {
      throw naming(error, this.path);
    }
  }
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The records of points.jsonl. A last line without its newline, or that does not parse, is torn
 * (the process died while writing it): `repair` cuts it off the file. A bad line elsewhere, or a
 * line that parses but is not a record (`null`, a number), is damage this program never causes:
 * an InputError naming its line. A metric that is not a number is read as null (not counted).
 */
export function readPoints(dir: string, repair: boolean): { records: PointRecord[]; tornBytes: number } {
  const { values, tornBytes } = readJsonLines(join(dir, FILES.points), repair, asRecord);
  return { records: values, tornBytes };
}

/** The JSON lines of `path` that `accept` takes; a torn last line is cut off with `repair`, any other bad line is damage. */
export function readJsonLines<T>(path: string, repair: boolean, accept: (value: unknown) => T | undefined): { values: T[]; tornBytes: number } {
  if (!existsSync(path)) return { values: [], tornBytes: 0 };
  const text = readFileSync(path, 'utf8');
  const values: T[] = [];
  let offset = 0;
  let goodBytes = 0;
  let lineNumber = 0;
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    lineNumber++;
    const line = end === -1 ? text.slice(offset) : text.slice(offset, end);
    let parsed: { value: unknown } | undefined;
    try {
      parsed = { value: JSON.parse(line) };
    } catch {
      parsed = undefined;
    }
    const last = end === -1 || end === text.length - 1;
    if (parsed === undefined || end === -1) {
      if (!last) throw damaged(path, lineNumber, 'not a JSON line');
      break;
    }
    const value = accept(parsed.value);
    if (value === undefined) throw damaged(path, lineNumber, `not a result record (${escapeExcerpt(line)})`);
    values.push(value);
    offset = end + 1;
    goodBytes += Buffer.byteLength(line, 'utf8') + 1;
  }
  const tornBytes = Buffer.byteLength(text, 'utf8') - goodBytes;
  if (repair && tornBytes > 0) truncateSync(path, goodBytes);
  return { values, tornBytes };
}

function damaged(path: string, line: number, what: string): InputError {
  return new InputError([{ file: path, line, column: 1, message: `${what}: the file is damaged; delete this line (--resume then redoes its run)` }]);
}

function asRecord(value: unknown): PointRecord | undefined {
  if (!isObject(value) || typeof value.point !== 'string' || !Number.isSafeInteger(value.replication) || !isObject(value.metrics)) return undefined;
  const metrics: Record<string, number | null> = {};
  for (const [key, metric] of Object.entries(value.metrics)) if (key !== '__proto__') metrics[key] = typeof metric === 'number' ? metric : null;
  const settings = isObject(value.settings) ? value.settings : {};
  return { point: value.point, settings, replication: value.replication as number, seed: value.seed as number, metrics };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short excerpt of a damaged line: at most 40 characters, control characters escaped. */
function escapeExcerpt(line: string): string {
  const short = line.length > 40 ? `${line.slice(0, 40)}…` : line;
  return JSON.stringify(short).slice(1, -1);
}

export function readTimingLines(dir: string): string[] {
  const path = join(dir, FILES.timing);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '' && isJson(line))
    .map((line) => `${line}\n`);
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

export function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}
