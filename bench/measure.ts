// Timing helpers shared by the benchmarks: a median over runs, and peak memory.

export interface BenchResult {
  name: string;
  /** Events (model events where the benchmark says so) per wall-clock second, median over runs. */
  eventsPerSec: number;
  /** Wall-clock seconds of the median run. */
  wallSec: number;
  runs: number;
  /** Every run's events per second, slowest first: the spread shows the machine's noise. */
  samples: number[];
  [extra: string]: unknown;
}

export interface Measurement {
  events: number;
  wallSec: number;
}

/** Runs `fn` once to warm the JIT, then `runs` times, and keeps the median run. */
export function medianOf(name: string, runs: number, fn: () => Measurement): BenchResult {
  fn();
  const measured: Measurement[] = [];
  for (let i = 0; i < runs; i++) measured.push(fn());
  measured.sort((a, b) => a.events / a.wallSec - b.events / b.wallSec);
  const median = measured[Math.floor(measured.length / 2)];
  return {
    name,
    eventsPerSec: median.events / median.wallSec,
    wallSec: median.wallSec,
    runs,
    samples: measured.map((m) => m.events / m.wallSec),
  };
}

/** Peak resident memory of this process so far, in MiB. */
export function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}
