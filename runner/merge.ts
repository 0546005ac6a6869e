// Joining results directories (shards of one experiment, or runs resumed elsewhere) into one:
// the union of their points.jsonl lines and the summaries recomputed from it, which is exactly
// what a single run would have written.

import { join, resolve } from 'node:path';
import type { ConstantRecord } from '../models/profiles/load.js';
import { allJobs } from './expand.js';
import { constantLines } from './constant-log.js';
import { acquireLock } from './lock.js';
import { checkResultsDir, clearResults, ensureDir, FILES, readManifest, readPoints, readTimingLines, recordLine, writeAtomic, type Manifest, type PointRecord } from './results-dir.js';
import { loadConstants, writeSummaries } from './run.js';
import { InputError } from './source.js';

export interface MergeResult {
  out: string;
  experiment: string;
  /** (point, replication) pairs present, and the number a complete run has. */
  runs: number;
  expected: number;
  missing: { point: string; replication: number }[];
}

export function mergeResults(dirs: readonly string[], out: string, force = false): MergeResult {
  if (dirs.length === 0) throw new InputError([{ file: out, line: 0, column: 0, message: 'merge needs at least one results directory' }]);
  const manifests: Manifest[] = dirs.map((dir) => {
    const manifest = readManifest(dir);
    if (manifest === undefined) throw new InputError([{ file: dir, line: 0, column: 0, message: `not a results directory (no ${FILES.manifest})` }]);
    return manifest;
  });
  const first = manifests[0];
  manifests.forEach((m, i) => {
    const same = m.experiment === first.experiment && m.specHash === first.specHash && m.replications === first.replications && m.models === first.models;
    if (!same) {
      throw new InputError([
        {
          file: dirs[i],
          line: 0,
          column: 0,
          message: `holds experiment '${m.experiment}' (spec hash ${m.specHash}, ${m.replications} replications, models ${m.models?.slice(0, 12) ?? 'unknown'}), not '${first.experiment}' (spec hash ${first.specHash}, ${first.replications} replications, models ${first.models?.slice(0, 12) ?? 'unknown'}) as ${dirs[0]} does`,
        },
      ]);
    }
  });

  const manifest: Manifest = { ...first, shard: null };
  // The runs already in `out` (an earlier merge of the same experiment) are merged in, never lost.
  const state = checkResultsDir(out, manifest, force, true);
  const sources = state === 'same' && !force && !dirs.some((dir) => resolve(dir) === resolve(out)) ? [...dirs, out] : dirs;
  ensureDir(out);
  const lock = acquireLock(out, 'merge');
  try {
    return mergeLocked(sources, out, manifest, state);
  } finally {
    lock.release();
  }
}

function mergeLocked(dirs: readonly string[], out: string, manifest: Manifest, state: 'absent' | 'same' | 'replace'): MergeResult {
  const byPair = new Map<string, { record: PointRecord; line: string; dir: string }>();
  const constants = new Map<string, ConstantRecord[]>();
  const timing: string[] = [];
  for (const dir of dirs) {
    for (const record of readPoints(dir, false).records) {
      const key = `${record.point}/${record.replication}`;
      const line = recordLine(record);
      const earlier = byPair.get(key);
      if (earlier !== undefined && earlier.line !== line) {
        throw new InputError([{ file: join(dir, FILES.points), line: 0, column: 0, message: `point ${record.point} replication ${record.replication} differs from the one in ${earlier.dir}: the shards were not run by the same code` }]);
      }
      byPair.set(key, { record, line, dir });
    }
    for (const [id, list] of loadConstants(dir)) if (!constants.has(id)) constants.set(id, list);
    timing.push(...readTimingLines(dir));
  }

  if (state !== 'absent') clearResults(out);
  const lines: string[] = [];
  const missing: { point: string; replication: number }[] = [];
  for (const job of allJobs(manifest.points.map((p, index) => ({ ...p, index, input: {} })), manifest.replications)) {
    const found = byPair.get(`${job.point.id}/${job.replication}`);
    if (found === undefined) missing.push({ point: job.point.id, replication: job.replication });
    else lines.push(found.line);
  }
  writeAtomic(join(out, FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  writeAtomic(join(out, FILES.points), lines.join(''));
  writeAtomic(join(out, FILES.timing), timing.join(''));
  const known = new Set<string>();
  const log = manifest.points.flatMap(({ id }) => (constants.has(id) ? [constantLines(id, constants.get(id)!, known)] : []));
  writeAtomic(join(out, FILES.constantLog), log.join(''));
  writeSummaries(out, manifest, constants);
  return { out, experiment: manifest.experiment, runs: lines.length, expected: lines.length + missing.length, missing };
}
