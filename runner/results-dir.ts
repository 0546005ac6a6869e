// The results directory (docs/architecture.md, "Results"), the contract between runs, shards, merges and reports:
//   experiment.json  what was run: name, spec hash, seed, replications, points, shard
//   points.jsonl     one line per (point, replication), appended as each job ends
//   summary.json     mean, 95 % CI and n per point and metric; summary.csv, one row per point
//   constants.json   the profile constants each point used, with their sources (for reports)
//   timing.jsonl     wall-clock figures, kept apart so the files above are reproducible
// Whole files are replaced atomically (written beside, then renamed); points.jsonl grows by one
// write per line, so a kill loses at most the jobs in flight and tears at most the last line.

import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { ManifestContext } from './context.js';
import { InputError } from './source.js';

export const FILES = {
  manifest: 'experiment.json',
  points: 'points.jsonl',
  summary: 'summary.json',
  csv: 'summary.csv',
  constants: 'constants.json',
  timing: 'timing.jsonl',
  plan: 'plan.json',
  metrics: 'metrics.json',
} as const;

export interface Manifest {
  apiVersion: string;
  experiment: string;
  description: string;
  specHash: string;
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
 * results) unless `force`. Writes nothing: a refusal leaves the disk as it was.
 */
export function checkResultsDir(dir: string, manifest: Pick<Manifest, 'experiment' | 'specHash'>, force: boolean): 'absent' | 'same' | 'replace' {
  if (!existsSync(dir)) return 'absent';
  if (!statSync(dir).isDirectory()) throw new InputError([{ file: dir, line: 0, column: 0, message: 'the output path exists and is not a directory' }]);
  const existing = readManifest(dir);
  if (existing !== undefined && existing.experiment === manifest.experiment && existing.specHash === manifest.specHash) return 'same';
  if (existing === undefined && readdirSync(dir).length === 0) return 'absent';
  if (force) return 'replace';
  const what =
    existing === undefined
      ? 'files that are not k8s-netsim results'
      : existing.experiment === manifest.experiment
        ? `results of a different version of experiment '${existing.experiment}' (spec hash ${existing.specHash}, now ${manifest.specHash})`
        : `results of experiment '${existing.experiment}'`;
  throw new InputError([{ file: dir, line: 0, column: 0, message: `the directory holds ${what}; choose another --out, or pass --force to replace them` }]);
}

/** Empties the results files of `dir` (only ours: a forced run never deletes anything else). */
export function clearResults(dir: string): void {
  for (const name of [...Object.values(FILES), 'report.html', 'report.md']) rmSync(join(dir, name), { force: true });
}

export function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

/** Writes `text` to `path` atomically: a reader sees the old file or the new one, never half. */
export function writeAtomic(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    writeAll(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

/** An append-only line file: one write per line. */
export class LineAppender {
  private readonly fd: number;
  constructor(path: string) {
    this.fd = openSync(path, 'a');
  }
  append(line: string): void {
    writeAll(this.fd, line);
  }
  close(): void {
    closeSync(this.fd);
  }
}

/**
 * The records of points.jsonl. A last line without its newline, or that does not parse, is torn
 * (the process died while writing it): `repair` cuts it off the file. A bad line elsewhere is
 * damage this program never causes, and is an error.
 */
export function readPoints(dir: string, repair: boolean): { records: PointRecord[]; tornBytes: number } {
  const path = join(dir, FILES.points);
  if (!existsSync(path)) return { records: [], tornBytes: 0 };
  const text = readFileSync(path, 'utf8');
  const records: PointRecord[] = [];
  let offset = 0;
  let goodBytes = 0;
  let lineNumber = 0;
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    lineNumber++;
    const line = end === -1 ? text.slice(offset) : text.slice(offset, end);
    let record: PointRecord | undefined;
    try {
      record = JSON.parse(line) as PointRecord;
    } catch {
      record = undefined;
    }
    const last = end === -1 || end === text.length - 1;
    if (record === undefined || end === -1) {
      if (!last) throw new Error(`${path}:${lineNumber}: not a JSON line; the file is damaged`);
      break;
    }
    records.push(record);
    offset = end + 1;
    goodBytes += Buffer.byteLength(line, 'utf8') + 1;
  }
  const tornBytes = Buffer.byteLength(text, 'utf8') - goodBytes;
  if (repair && tornBytes > 0) truncateSync(path, goodBytes);
  return { records, tornBytes };
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
