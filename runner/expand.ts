// From an experiment to its work: the sweep's cartesian product (the first swept path varying
// slowest) gives the points, each point runs `replications` times, and the (point, replication)
// pairs in that order are the jobs, dealt to shards round-robin.
//
// Seeds. Replication r of every point runs simulate(settings, spec.seed, r): the random streams
// depend on (seed, r, component) only, never on the point. Points compared at the same r thus
// see the same arrivals, targets and service times (common random numbers): the difference
// between two settings is measured with the traffic held fixed, so its confidence interval is
// far narrower than two independent runs would give, and a `plan` comparison is not decided by
// one point's luckier draws. Replications differ in r, so they stay independent.

import { networkSettings } from '../models/settings.js';
import { shortHash } from './canonical.js';
import { explainIssues, show } from './issues.js';
import { splitPath, withValue } from './paths.js';

/** Sweeps larger than this need --force: a typo in a sweep should not launch a week of work. */
export const MAX_POINTS = 10_000;
/**
 * Sweeps larger than this are refused even with --force: every point's settings are held in
 * memory (a few kB each) and written to summary.json, so 100,000 points already take ≈ 0.5 GB
 * and minutes to expand; a bigger study is several experiments, or shards of one.
 */
export const MAX_FORCED_POINTS = 100_000;
/** A sweep this long or longer reports its expansion's progress (every PROGRESS_SECONDS). */
const PROGRESS_SECONDS = 2;

export interface Point {
  /** Position in the sweep's order. */
  index: number;
  /** Stable hash of the point's full settings after parsing (defaults included). */
  id: string;
  /** The swept paths and their values as written. */
  settings: Record<string, unknown>;
  /** simulate()'s settings before parsing: the spec with the swept values set. */
  input: Record<string, unknown>;
}

export interface Job {
  point: Point;
  replication: number;
}

export interface Shard {
  index: number;
  count: number;
}

export type Expansion =
  | { ok: true; points: Point[]; specHash: string }
  | { ok: false; failures: { key: string; valueIndex: number; message: string }[] };

/** `onProgress(done, total)` is called every PROGRESS_SECONDS while a large sweep expands. */
export function expandSweep(
  base: Record<string, unknown>,
  keys: string[],
  sweep: Record<string, unknown[]>,
  seed: number,
  onProgress?: (done: number, total: number) => void,
): Expansion {
  const points: Point[] = [];
  const failures: { key: string; valueIndex: number; message: string }[] = [];
  const byId = new Map<string, Point>();
  const indices = keys.map(() => 0);
  const count = keys.reduce((product, key) => product * sweep[key].length, 1);
  let reportAt = Date.now() + PROGRESS_SECONDS * 1000;
  for (let index = 0; index < count; index++) {
    if (onProgress !== undefined && (index & 255) === 0 && Date.now() >= reportAt) {
      onProgress(index, count);
      reportAt = Date.now() + PROGRESS_SECONDS * 1000;
    }
    const settings: Record<string, unknown> = {};
    let input = base;
    keys.forEach((key, k) => {
      settings[key] = sweep[key][indices[k]];
      input = withValue(input, splitPath(key), settings[key]);
    });
    const parsed = networkSettings.safeParse(input, { reportInput: true });
    if (!parsed.success) {
      const message = explainIssues(parsed.error.issues, networkSettings, ['spec'])[0];
      const blamed = Math.max(0, keys.findIndex((key) => message.path.slice(1).join('.').startsWith(key)));
      const combination = keys.map((key) => `${key}=${show(settings[key])}`).join(', ');
      failures.push({ key: keys[blamed], valueIndex: indices[blamed], message: `the point ${combination} is invalid: ${message.message}` });
    } else {
      const id = shortHash(parsed.data);
      const twin = byId.get(id);
      if (twin !== undefined) {
        const blamed = keys.findIndex((key) => JSON.stringify(twin.settings[key]) !== JSON.stringify(settings[key]));
        failures.push({
          key: keys[Math.max(0, blamed)],
          valueIndex: indices[Math.max(0, blamed)],
          message: `this value gives the same settings as ${keys.map((key) => `${key}=${show(twin.settings[key])}`).join(', ')}: each point must differ`,
        });
      }
      const point = { index, id, settings, input };
      byId.set(id, point);
      points.push(point);
    }
    // Odometer: the last key turns fastest.
    for (let k = keys.length - 1; k >= 0; k--) {
      if (++indices[k] < sweep[keys[k]].length) break;
      indices[k] = 0;
    }
  }
  if (failures.length > 0) return { ok: false, failures };
  return { ok: true, points, specHash: shortHash({ seed, sweep: keys, points: points.map((p) => p.id) }, 16) };
}

/** Every (point, replication) pair in order: point-major, replication-minor. */
export function allJobs(points: readonly Point[], replications: number): Job[] {
  const jobs: Job[] = [];
  for (const point of points) for (let replication = 0; replication < replications; replication++) jobs.push({ point, replication });
  return jobs;
}

/** Shard i of n takes jobs i, i + n, i + 2n, … of the full list: deterministic, and balanced within one job. */
export function shardJobs(jobs: readonly Job[], shard: Shard | undefined): Job[] {
  return shard === undefined ? [...jobs] : jobs.filter((_, k) => k % shard.count === shard.index);
}

/** "2/8" → { index: 2, count: 8 }, or undefined when malformed. */
export function parseShard(text: string): Shard | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (match === null) return undefined;
  const index = Number(match[1]);
  const count = Number(match[2]);
  return count >= 1 && index < count ? { index, count } : undefined;
}

/** The seed and replication simulate() gets for a job: see the header (common random numbers). */
export function streamsFor(seed: number, job: Job): { seed: number; replication: number } {
  return { seed, replication: job.replication };
}
