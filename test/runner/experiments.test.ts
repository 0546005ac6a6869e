// Every experiment file users run is checked whole and run at a reduced size (one replication,
// a one-second window, at most ten nodes, the first two values of each swept path), so that
// none rots as the models change: the file loads, every point runs, and every metric its report
// and SLO name exists in the results.

import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadExperiment } from '../../runner/load.js';
import { WorkerPool } from '../../runner/pool.js';
import { runExperiment } from '../../runner/run.js';
import { scratchDir } from '../cli/helpers.js';

const DIR = new URL('../../experiments/', import.meta.url).pathname;
const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
const scratch = scratchDir('experiments');
let pool: WorkerPool;
beforeAll(async () => {
  pool = await WorkerPool.start(2);
});
afterAll(async () => {
  await pool.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** --set overrides that shrink an experiment to seconds of work. */
function reduction(file: string): { path: string; value: unknown }[] {
  const spec = (parse(readFileSync(file, 'utf8')) as { spec: Record<string, any> }).spec;
  const sweep: Record<string, unknown[]> = spec.sweep ?? {};
  const swept = (path: string) => Object.keys(sweep).some((k) => k === path || k.startsWith(`${path}.`));
  const set: { path: string; value: unknown }[] = [
    { path: 'spec.replications', value: 1 },
    { path: 'spec.warmup', value: '0s' },
    { path: 'spec.duration', value: '1s' },
  ];
  if (!swept('cluster.nodes')) set.push({ path: 'spec.cluster.nodes', value: Math.min(spec.cluster?.nodes ?? 100, 10) });
  if (!swept('cluster.detailedNodes')) set.push({ path: 'spec.cluster.detailedNodes', value: 2 });
  for (const [key, values] of Object.entries(sweep)) set.push({ path: `spec.sweep.${key}`, value: values.slice(0, 2) });
  return set;
}

describe('experiments/', () => {
  it('holds the experiment files users are pointed to', () => {
    for (const name of ['quickstart', 'proxy-modes', 'conntrack-exhaustion', 'cni-compare', 'mesh-overhead', 'rolling-update']) expect(files).toContain(`${name}.yaml`);
  });

  it.each(files)('%s opens with a comment saying what it answers, and loads whole', (name) => {
    const text = readFileSync(join(DIR, name), 'utf8');
    expect(text.split('\n').filter((l) => l.startsWith('#')).length).toBeGreaterThanOrEqual(2);
    const loaded = loadExperiment(join(DIR, name));
    expect(loaded.name).toBe(name.replace('.yaml', ''));
    expect(loaded.points.length).toBeGreaterThan(0);
  });

  it.each(files)('%s runs at a reduced size, and its report and SLO metrics exist', async (name) => {
    const loaded = loadExperiment(join(DIR, name), { set: reduction(join(DIR, name)) });
    const out = join(scratch, loaded.name);
    const result = await runExperiment(loaded, { out, workers: 2, pool });
    expect(result.status).toBe('complete');
    expect(result.ran).toBe(loaded.points.length);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const keys = new Set(summary.points.flatMap((p: { metrics: object }) => Object.keys(p.metrics)));
    for (const metric of [...(loaded.spec.report?.metrics ?? []), ...Object.keys(loaded.spec.slo)]) expect(keys).toContain(metric);
  });
});
