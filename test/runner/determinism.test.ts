// Determinism (docs/architecture.md): the same experiment and seed give a byte-identical summary.json and the same set of
// points.jsonl lines, whatever the number of workers, however shards are cut and merged, and
// after an interrupted run is resumed.

import { readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../runner/load.js';
import { mergeResults } from '../../runner/merge.js';
import { WorkerPool } from '../../runner/pool.js';
import { runExperiment } from '../../runner/run.js';
import { scratchDir } from '../cli/helpers.js';
import { sortedLines, writeTinyExperiment } from './helpers.js';

const scratch = scratchDir('determinism');
let one: WorkerPool;
let two: WorkerPool;
const file = writeTinyExperiment(scratch);
const loaded = loadExperiment(file);
const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');

beforeAll(async () => {
  [one, two] = await Promise.all([WorkerPool.start(1), WorkerPool.start(2)]);
  await runExperiment(loaded, { out: join(scratch, 'w1'), workers: 1, pool: one });
});
afterAll(async () => {
  await Promise.all([one.close(), two.close()]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('determinism', () => {
  it('runs the TypeScript models in worker threads through tsx', async () => {
    const summary = JSON.parse(read(join(scratch, 'w1'), 'summary.json'));
    expect(summary.experiment).toBe('tiny');
    expect(summary.points).toHaveLength(3);
    expect(summary.points[0].metrics['request_duration_seconds.p50'].n).toBe(2);
  });

  it('writes the same summary.json bytes and points.jsonl lines with 1 and 2 workers', async () => {
    const result = await runExperiment(loaded, { out: join(scratch, 'w2'), workers: 2, pool: two });
    expect(result).toMatchObject({ status: 'complete', ran: 6 });
    expect(read(join(scratch, 'w2'), 'summary.json')).toBe(read(join(scratch, 'w1'), 'summary.json'));
    expect(read(join(scratch, 'w2'), 'summary.csv')).toBe(read(join(scratch, 'w1'), 'summary.csv'));
    expect(read(join(scratch, 'w2'), 'metrics.json')).toBe(read(join(scratch, 'w1'), 'metrics.json'));
    expect(JSON.parse(read(join(scratch, 'w1'), 'metrics.json'))['request_duration_seconds.p99']).toMatchObject({ unit: 'seconds', direction: 'lower', support: [0, null] });
    expect(sortedLines(join(scratch, 'w2', 'points.jsonl'))).toEqual(sortedLines(join(scratch, 'w1', 'points.jsonl')));
  });

  it('merges shards 0/3, 1/3 and 2/3 into exactly what one run wrote', async () => {
    const shards = [0, 1, 2].map((index) => join(scratch, `shard-${index}`));
    for (const [index, out] of shards.entries()) {
      const result = await runExperiment(loaded, { out, workers: 2, pool: two, shard: { index, count: 3 } });
      expect(result.jobs).toBe(2);
    }
    const merged = mergeResults(shards, join(scratch, 'merged'));
    expect(merged).toMatchObject({ runs: 6, expected: 6, missing: [] });
    expect(read(join(scratch, 'merged'), 'summary.json')).toBe(read(join(scratch, 'w1'), 'summary.json'));
    expect(read(join(scratch, 'merged'), 'constants.json')).toBe(read(join(scratch, 'w1'), 'constants.json'));
    expect(read(join(scratch, 'merged'), 'metrics.json')).toBe(read(join(scratch, 'w1'), 'metrics.json'));
    expect(sortedLines(join(scratch, 'merged', 'points.jsonl'))).toEqual(sortedLines(join(scratch, 'w1', 'points.jsonl')));
  });

  it('resumes after a kill: keeps whole lines, drops the torn one, runs only what is missing', async () => {
    const out = join(scratch, 'resumed');
    await runExperiment(loaded, { out, workers: 2, pool: two });
    const lines = read(out, 'points.jsonl').split('\n').filter((l) => l !== '');
    // Two jobs completed, a third torn mid-write.
    writeFileSync(join(out, 'points.jsonl'), `${lines[0]}\n${lines[3]}\n${lines[4].slice(0, 40)}`);
    const result = await runExperiment(loaded, { out, workers: 2, pool: two, resume: true });
    expect(result).toMatchObject({ status: 'complete', skipped: 2, ran: 4 });
    expect(result.tornBytes).toBe(40);
    expect(read(out, 'summary.json')).toBe(read(join(scratch, 'w1'), 'summary.json'));
    expect(sortedLines(join(out, 'points.jsonl'))).toEqual(sortedLines(join(scratch, 'w1', 'points.jsonl')));
  });

  it('keeps the constants of runs done before a kill, also in a directory from before constants.jsonl', async () => {
    for (const [label, oldDirectory] of [['killed', false], ['old', true]] as const) {
      const out = join(scratch, `constants-${label}`);
      await runExperiment(loaded, { out, workers: 2, pool: two });
      const lines = read(out, 'points.jsonl').split('\n').filter((l) => l !== '');
      // Both replications of one point done, nothing else: its constants come from no later run.
      const first = JSON.parse(lines[0]).point;
      writeFileSync(join(out, 'points.jsonl'), lines.filter((l) => JSON.parse(l).point === first).map((l) => `${l}\n`).join(''));
      if (oldDirectory) {
        // What an interrupted run wrote before constants.jsonl: constants.json of the points done.
        rmSync(join(out, 'constants.jsonl'));
        const constants = JSON.parse(read(out, 'constants.json'));
        constants.points = { [first]: constants.points[first] };
        writeFileSync(join(out, 'constants.json'), JSON.stringify(constants));
      } else {
        rmSync(join(out, 'constants.json'));
      }
      const result = await runExperiment(loaded, { out, workers: 2, pool: two, resume: true });
      expect(result).toMatchObject({ status: 'complete', skipped: 2, ran: 4 });
      expect(read(out, 'constants.json'), label).toBe(read(join(scratch, 'w1'), 'constants.json'));
    }
  });

  it('gives every point of replication r the same seed and r (common random numbers)', () => {
    const records = read(join(scratch, 'w1'), 'points.jsonl').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
    expect(new Set(records.map((r) => `${r.seed}/${r.replication}`))).toEqual(new Set(['7/0', '7/1']));
    expect(records[0]).toEqual({ point: loaded.points[0].id, settings: { 'proxy.mode': 'iptables' }, replication: 0, seed: 7, metrics: expect.any(Object) });
  });

  it('starts afresh without --resume, keeping nothing of the earlier run', async () => {
    const out = join(scratch, 'fresh');
    await runExperiment(loaded, { out, workers: 2, pool: two, shard: { index: 0, count: 2 } });
    truncateSync(join(out, 'points.jsonl'), 10);
    const result = await runExperiment(loaded, { out, workers: 2, pool: two });
    expect(result).toMatchObject({ skipped: 0, ran: 6 });
    expect(read(out, 'summary.json')).toBe(read(join(scratch, 'w1'), 'summary.json'));
  });
});
