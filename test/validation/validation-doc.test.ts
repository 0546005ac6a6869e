// docs/validation.md is generated from a real run of main's models: docs/validation.json (written
// beside it by the same run) lists exactly the rows the experiment files declare, with their
// published values, tolerances and bases, so a changed figure or tolerance without a rerun fails
// here; and every validation experiment, rerun in full (about a minute in all), gives exactly the
// values it records (runs are deterministic), so a model change that moves a row without a rerun
// of `npm run validate` fails too.

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, loadAll, validationFiles } from '../../runner/validation.js';
import { WorkerPool } from '../../runner/pool.js';
import { runExperiment } from '../../runner/run.js';
import { scratchDir } from '../cli/helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const experiments = loadAll(validationFiles([join(ROOT, 'experiments', 'validation')]));
const doc = JSON.parse(readFileSync(join(ROOT, 'docs', 'validation.json'), 'utf8')) as {
  rows: { experiment: string; figure: string; published: unknown; unit: string; tolerance: number; basis: string; mean: number | null; within: boolean }[];
};


describe('docs/validation.json', () => {
  it('lists the rows the validation experiments declare, in order', () => {
    const declared = experiments.flatMap((e) =>
      e.spec.validation!.map((row) => ({ experiment: e.name, figure: row.figure, published: row.published, unit: row.unit, tolerance: row.tolerance, basis: row.basis })),
    );
    expect(doc.rows.map(({ experiment, figure, published, unit, tolerance, basis }) => ({ experiment, figure, published, unit, tolerance, basis }))).toEqual(declared);
  });

  it('has a table row for each of them in docs/validation.md', () => {
    const markdown = readFileSync(join(ROOT, 'docs', 'validation.md'), 'utf8');
    const tableRows = markdown.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Figure'));
    expect(tableRows).toHaveLength(doc.rows.length);
  });
});

describe('validation experiments, rerun', () => {
  const scratch = scratchDir('validation-rerun');
  let pool: WorkerPool;
  beforeAll(async () => {
    pool = await WorkerPool.start(2);
  });
  afterAll(async () => {
    await pool.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  // JSON writes a NaN mean (no value) as null.
  const orNull = (x: number | null) => (x === null || !Number.isFinite(x) ? null : x);

  it.each(experiments.map((e) => [e.name, e] as const))('%s gives the values docs/validation.json records', async (name, experiment) => {
    const out = join(scratch, name);
    const run = await runExperiment(experiment, { out, workers: 2, pool });
    expect(run.status).toBe('complete');
    const rows = evaluate(experiment, out);
    const recorded = doc.rows.filter((r) => r.experiment === name);
    expect(rows.map((r) => ({ figure: r.figure, mean: orNull(r.mean), within: r.within }))).toEqual(recorded.map((r) => ({ figure: r.figure, mean: orNull(r.mean), within: r.within })));
  }, 300_000);
});
