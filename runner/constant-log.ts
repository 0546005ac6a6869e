// constants.jsonl: the profile constants each point used, appended as its first run ends (each
// distinct set once, then one line per point naming its set), so that a run killed at any moment
// and resumed writes the same constants.json as one that was never interrupted.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ConstantRecord } from '../models/profiles/load.js';
import { shortHash } from './canonical.js';
import { FILES, isObject, readJson, readJsonLines } from './results-dir.js';

/**
 * The constants each point used: constants.json as the last summaries wrote it (directories from
 * before constants.jsonl have only this), with constants.jsonl, appended as runs end, over it;
 * and the hashes of the sets constants.jsonl already holds (a point's line refers to one of them).
 */
export function readConstants(dir: string, repair: boolean): { byPoint: Map<string, ConstantRecord[]>; logged: Set<string> } {
  const map = constantsFromSummary(dir);
  const logged = new Set<string>();
  if (!existsSync(join(dir, FILES.constantLog))) return { byPoint: map, logged };
  const sets = new Map<string, ConstantRecord[]>();
  const asEntry = (value: unknown) => {
    if (!isObject(value) || typeof value.set !== 'string') return undefined;
    if (Array.isArray(value.constants)) return { set: value.set, constants: value.constants as ConstantRecord[] };
    return typeof value.point === 'string' ? { set: value.set, point: value.point } : undefined;
  };
  for (const entry of readJsonLines(join(dir, FILES.constantLog), repair, asEntry).values) {
    if (entry.constants !== undefined) {
      sets.set(entry.set, entry.constants);
      logged.add(entry.set);
    }
    else if (entry.point !== undefined && sets.has(entry.set)) map.set(entry.point, sets.get(entry.set)!);
  }
  return { byPoint: map, logged };
}

/** constants.json is derived: a damaged one is rewritten from the runs, never a reason to stop. */
function constantsFromSummary(dir: string): Map<string, ConstantRecord[]> {
  const map = new Map<string, ConstantRecord[]>();
  let file: unknown;
  try {
    file = readJson<unknown>(join(dir, FILES.constants));
  } catch {
    return map;
  }
  if (!isObject(file) || !isObject(file.points) || !isObject(file.sets)) return map;
  const sets = file.sets;
  for (const [id, hash] of Object.entries(file.points)) {
    const set = typeof hash === 'string' && Object.hasOwn(sets, hash) ? sets[hash] : undefined;
    if (Array.isArray(set)) map.set(id, set as ConstantRecord[]);
  }
  return map;
}

/**
 * The lines of constants.jsonl for a point: its set of constants (keyed by hash) the first time
 * the set is seen, as most points share one, then which set the point used.
 */
export function constantLines(point: string, constants: ConstantRecord[], known: Set<string>): string {
  const set = shortHash(constants);
  const lines = known.has(set) ? '' : `${JSON.stringify({ set, constants })}\n`;
  known.add(set);
  return `${lines}${JSON.stringify({ point, set })}\n`;
}
