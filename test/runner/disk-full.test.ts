// A full disk at any write of a run (injected: writeSync fails with ENOSPC from the n-th call on,
// no mount needed): the run throws the error naming the file, leaves no temporary file and no
// lock, and --resume then writes summaries byte-identical to an uninterrupted run's.

import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadExperiment } from '../../runner/load.js';
import { WorkerPool } from '../../runner/pool.js';
import { runExperiment } from '../../runner/run.js';
import { scratchDir } from '../cli/helpers.js';
import { writeTinyExperiment } from './helpers.js';

const disk = vi.hoisted(() => ({ writesLeft: Infinity }));
vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  const writeSync = ((...args: Parameters<typeof real.writeSync>) => {
    if (disk.writesLeft-- <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    return (real.writeSync as (...a: unknown[]) => number)(...args);
  }) as typeof real.writeSync;
  return { ...real, writeSync, default: { ...real, writeSync } };
});

const scratch = scratchDir('disk-full');
const loaded = loadExperiment(writeTinyExperiment(scratch, 'full'));
const read = (dir: string, name: string) => fs.readFileSync(join(dir, name), 'utf8');
let pool: WorkerPool;

beforeAll(async () => {
  pool = await WorkerPool.start(2);
  await runExperiment(loaded, { out: join(scratch, 'reference'), workers: 2, pool });
}, 60_000);
afterAll(async () => {
  await pool.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('a full disk', () => {
  it('stops the run at whichever write fails, and --resume completes it byte for byte', async () => {
    // The manifest first; then each run writes its constants (first time only), its line and its
    // timing line; the end
    // timing line; the end writes the last timing line and three whole files. Each fails once.
    for (const failing of [0, 2, 7, 16, 19]) {
      const out = join(scratch, `full-${failing}`);
      disk.writesLeft = failing;
      // Its own pool: a write that fails stops the run by terminating the workers.
      const error = await runExperiment(loaded, { out, workers: 2 }).then(
        () => undefined,
        (e: NodeJS.ErrnoException) => e,
      );
      disk.writesLeft = Infinity;
      expect(error?.code, `write ${failing}`).toBe('ENOSPC');
      expect(error?.path, `write ${failing}`).toMatch(new RegExp(`^${out}/(experiment|points|constants|timing|summary|metrics)\\.(jsonl|json|csv)$`));
      expect(fs.readdirSync(out).filter((name) => name.endsWith('.tmp') || name === '.lock'), `write ${failing}`).toEqual([]);
      const resumed = await runExperiment(loaded, { out, workers: 2, pool, resume: true });
      expect(resumed.status).toBe('complete');
      for (const name of ['summary.json', 'summary.csv', 'constants.json']) expect(read(out, name), `${name} after write ${failing} failed`).toBe(read(join(scratch, 'reference'), name));
    }
  }, 120_000);
});
