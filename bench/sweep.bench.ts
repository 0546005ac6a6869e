// sweep-scaling: points per second of a reduced proxy-modes sweep (the four modes at 1,000 and
// 5,000 Services, the file's 5 replications, a 1 s warm-up and 5 s window: 40 jobs of ~0.2 s)
// run by the worker pool with 1 and with 2 workers. The pools start before the clock does: what
// is measured is the sweep itself, jobs dealt, simulated, appended and summarised. The figure
// the issue asks for is the ratio.
//
// The file's replications are kept: with one replication (8 jobs, 4 per worker) the last job
// runs alone for about half a job, up to an eighth of the two-worker wall time that measures how
// small the reduced sweep is rather than the runner.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadExperiment } from '../runner/load.js';
import { WorkerPool } from '../runner/pool.js';
import { runExperiment } from '../runner/run.js';
import type { BenchResult } from './measure.js';

const EXPERIMENT = new URL('../experiments/proxy-modes.yaml', import.meta.url).pathname;

const REDUCTION = [
  { path: 'spec.warmup', value: '1s' },
  { path: 'spec.duration', value: '5s' },
  { path: 'spec.sweep.cluster.services', value: [1000, 5000] },
];

interface Sample {
  pointsPerSec: number;
  eventsPerSec: number;
  wallSec: number;
}

export async function sweepBenchmarks(runs: number): Promise<BenchResult[]> {
  const loaded = loadExperiment(EXPERIMENT, { set: REDUCTION });
  const scratch = mkdtempSync(join(tmpdir(), 'k8s-netsim-bench-'));
  const pools = new Map<number, WorkerPool>();
  const samples = new Map<number, Sample[]>([
    [1, []],
    [2, []],
  ]);
  try {
    for (const workers of samples.keys()) pools.set(workers, await WorkerPool.start(workers));
    // Alternate the two so that the machine's drifting load hits both alike; the first round warms up.
    for (let round = 0; round <= runs; round++) {
      for (const [workers, list] of samples) {
        const result = await runExperiment(loaded, { out: join(scratch, `w${workers}-${round}`), workers, pool: pools.get(workers) });
        if (result.status !== 'complete') throw new Error(`sweep-scaling: the run ${result.status}: ${result.error ?? ''}`);
        if (round > 0) list.push({ pointsPerSec: result.ran / result.wallSeconds, eventsPerSec: result.events / result.wallSeconds, wallSec: result.wallSeconds });
      }
    }
  } finally {
    for (const pool of pools.values()) await pool.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  const median = (list: Sample[]) => [...list].sort((a, b) => a.pointsPerSec - b.pointsPerSec)[Math.floor(list.length / 2)];
  const one = median(samples.get(1)!);
  const two = median(samples.get(2)!);
  const speedup = two.pointsPerSec / one.pointsPerSec;
  return [...samples].map(([workers, list]) => {
    const m = workers === 1 ? one : two;
    return {
      name: `sweep-scaling workers=${workers} ${m.pointsPerSec.toFixed(2)} points/s${workers === 2 ? ` ${speedup.toFixed(2)}x` : ''}`,
      eventsPerSec: m.eventsPerSec,
      wallSec: m.wallSec,
      runs,
      samples: list.map((s) => s.eventsPerSec).sort((a, b) => a - b),
      workers,
      points: loaded.points.length,
      pointsPerSec: m.pointsPerSec,
      ...(workers === 2 ? { speedup } : {}),
    };
  });
}
