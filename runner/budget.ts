// The limits an experiment must fit before anything runs: each point's estimated peak memory
// under a budget (--max-memory, by default half the machine's memory), and the total work under
// a bound that --force lifts. A refusal names the setting that drives the estimate, at its place.

import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { parseSize } from '../models/units.js';
import { COST, type CostedExperiment } from './estimate.js';
import type { LoadedExperiment } from './load.js';
import { splitPath, type Segment } from './paths.js';
import { InputError } from './source.js';

/** Share of the machine's memory one point may take by default: room for the OS, the parent and a second worker. */
const DEFAULT_MEMORY_SHARE = 0.5;
/** Events above which a run needs --force: 1e11 events are ≈ 55 hours of one core at COST.eventsPerSecond. */
const MAX_EVENTS = 1e11;
/** Simulations above which a run needs --force: each has a setup cost (≈ 10 ms) that the events do not count. */
const MAX_SIMULATIONS = 1_000_000;

export interface MemoryBudget {
  bytes: number;
  /** Where the figure comes from, for messages. */
  origin: string;
}

/**
 * The per-point memory budget: --max-memory if given, else DEFAULT_MEMORY_SHARE of the machine's
 * memory; never above the JavaScript heap limit a worker thread gets, past which V8 aborts.
 */
export function memoryBudget(maxMemory?: string): MemoryBudget {
  let bytes: number;
  let origin: string;
  if (maxMemory !== undefined) {
    try {
      bytes = parseSize(maxMemory);
    } catch {
      bytes = NaN;
    }
    if (!(bytes > 0)) throw new InputError([{ file: '--max-memory', line: 0, column: 0, message: `'${maxMemory}' is not a size: write e.g. 4GiB or 512MiB` }]);
    origin = `--max-memory ${maxMemory}`;
  } else {
    bytes = totalmem() * DEFAULT_MEMORY_SHARE;
    origin = `half of this machine's ${formatBytes(totalmem())}; --max-memory SIZE to change`;
  }
  const heap = getHeapStatistics().heap_size_limit;
  if (heap < bytes) return { bytes: heap, origin: `a worker's JavaScript heap limit; ${origin}` };
  return { bytes, origin };
}

/** Throws InputError when a point exceeds the budget, or the total work the bounds (unless `force`). */
export function checkBudget(loaded: LoadedExperiment, work: CostedExperiment, budget: MemoryBudget, force: boolean): void {
  if (work.peakBytes > budget.bytes) {
    const cost = work.costs[work.peakPoint];
    const term = cost.terms[0];
    const message = `spec.${term.setting}: ${formatCount(term.count)} ${term.what} need ≈ ${formatBytes(cost.bytes)} per point, over the memory budget of ${formatBytes(budget.bytes)} (${budget.origin})`;
    throw refusal(loaded, term.setting, work.peakPoint, message);
  }
  if (force) return;
  if (work.simulations > MAX_SIMULATIONS) {
    const blame = work.replications >= work.points ? ['spec', 'replications'] : ['spec', 'sweep'];
    const message = `${work.points.toLocaleString('en-US')} points × ${work.replications.toLocaleString('en-US')} replications = ${work.simulations.toLocaleString('en-US')} simulations, more than ${MAX_SIMULATIONS.toLocaleString('en-US')}: fewer replications or points, or pass --force to run them all`;
    throw new InputError([loaded.source.problem(blame, `${blame.join('.')}: ${message}`)]);
  }
  if (work.events > MAX_EVENTS) {
    let worst = 0;
    work.costs.forEach((c, i) => (worst = c.events > work.costs[worst].events ? i : worst));
    const cost = work.costs[worst];
    const seconds = work.simulatedSeconds / Math.max(1, work.simulations);
    const setting = seconds > 86_400 ? 'duration' : cost.eventsDriver.setting;
    const message = `spec.${setting}: ≈ ${formatCount(work.events)} events in all (≈ ${formatCount(cost.events)} in the largest point, ${formatCount(cost.requests)} requests), ≈ ${formatHours(work.cpuSeconds)} of one core at ${COST.eventsPerSecond / 1e6} M events/s; more than ${formatCount(MAX_EVENTS)}: shorten the run or lower the load, or pass --force to run it anyway`;
    throw refusal(loaded, setting, worst, message);
  }
}

/** A refusal at the setting's place: its swept value when it is swept, else where the spec sets it. */
function refusal(loaded: LoadedExperiment, setting: string, pointIndex: number, message: string): InputError {
  const path: Segment[] = ['spec', ...splitPath(setting)];
  const point = loaded.points[pointIndex];
  for (const key of loaded.sweepKeys) {
    if (setting === key || setting.startsWith(`${key}.`) || key.startsWith(`${setting}.`)) {
      const values = loaded.spec.sweep[key] ?? [];
      const index = values.findIndex((v) => JSON.stringify(v) === JSON.stringify(point?.settings[key]));
      return new InputError([loaded.source.problem(['spec', 'sweep', key, Math.max(0, index)], message)]);
    }
  }
  return new InputError([loaded.source.problem(path, message)]);
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes >= 1e18) return 'more than 1 EB';
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** 1234567 → "1,234,567"; beyond a trillion in powers of ten, which is all such a figure means. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n) || n >= 1e300) return 'more than 1e300';
  if (n >= 1e12) return n.toExponential(1).replace('e+', 'e');
  return Math.round(n).toLocaleString('en-US');
}

export function formatHours(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'forever';
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400 * 3) return `${Math.round(seconds / 3600)} h`;
  const days = seconds / 86_400;
  return days < 1e6 ? `${Math.round(days).toLocaleString('en-US')} days` : `${days.toExponential(1).replace('e+', 'e')} days`;
}
