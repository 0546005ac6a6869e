// Small results directories for unit tests: points.jsonl from a table of per-replication values.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExperimentFile, PointLine } from '../../reports/index.js';
import { readResults, type Results } from '../../reports/inputs.js';

export interface PointSpec {
  settings: Record<string, unknown>;
  /** Per metric key, one value per replication (null where undefined). */
  metrics: Record<string, (number | null)[]>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'k8s-netsim-reports-unit-'));
}

export function writePoints(dir: string, points: PointSpec[], experiment?: ExperimentFile): void {
  const lines: PointLine[] = [];
  points.forEach((p, i) => {
    const replications = Math.max(...Object.values(p.metrics).map((v) => v.length));
    for (let r = 0; r < replications; r++) {
      const metrics = Object.fromEntries(Object.entries(p.metrics).map(([k, v]) => [k, v[r] ?? null]));
      lines.push({ point: `p${i}`, settings: p.settings, replication: r, seed: 1, metrics });
    }
  });
  writeFileSync(join(dir, 'points.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  if (experiment !== undefined) writeFileSync(join(dir, 'experiment.json'), JSON.stringify(experiment));
}

export function resultsOf(points: PointSpec[], experiment?: ExperimentFile): Results {
  const dir = tempDir();
  writePoints(dir, points, experiment);
  return readResults(dir);
}

export function experimentOf(sweep: Record<string, unknown[]>, extra: Partial<ExperimentFile['spec']> = {}): ExperimentFile {
  return { metadata: { name: 'unit' }, spec: { sweep, ...extra } };
}
