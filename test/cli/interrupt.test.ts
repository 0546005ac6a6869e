// Ctrl-C during a run: the command stops, exits non-zero, and leaves a consistent directory
// (whole lines only, summaries of what finished) that --resume completes.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTinyExperiment } from '../runner/helpers.js';
import { cli, scratchDir } from './helpers.js';

const scratch = scratchDir('interrupt');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const BIN = new URL('../../bin/k8s-netsim.mjs', import.meta.url).pathname;

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : [];
}

describe('Ctrl-C', () => {
  it('stops cleanly, exits 130, and --resume finishes the run', async () => {
    const file = writeTinyExperiment(scratch, 'slow', '    workload.0.ratePerClient: [100, 200]\n');
    const out = join(scratch, 'out');
    const child = spawn(process.execPath, [BIN, 'run', file, '--out', out, '--workers', '1', '--replications', '3', '--set', 'spec.duration=2s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const points = join(out, 'points.jsonl');
    const deadline = Date.now() + 60_000;
    while (lines(points).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupted/);
    // The last line is the command that continues the run.
    expect(stderr.trim().split('\n').at(-1)).toBe(`interrupted: ${out} is consistent; continue with: k8s-netsim run ${file} --out ${out} --workers 1 --replications 3 --set spec.duration=2s --resume`);
    expect(existsSync(join(out, '.lock'))).toBe(false);

    const written = lines(points);
    const total = 3 * 2 * 3;
    expect(written.length).toBeGreaterThan(0);
    expect(written.length).toBeLessThan(total);
    for (const line of written) expect(() => JSON.parse(line)).not.toThrow();
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const counted = summary.points.reduce((sum: number, p: { metrics: Record<string, { n: number }> }) => sum + p.metrics['requests_per_second.mean'].n, 0);
    expect(counted).toBe(written.length);

    const resumed = await cli(['run', file, '--out', out, '--workers', '2', '--replications', '3', '--set', 'spec.duration=2s', '--resume', '--json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ status: 'complete', skipped: written.length, ran: total - written.length });
    expect(lines(points)).toHaveLength(total);
  });
});
