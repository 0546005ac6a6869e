// Fault injection: a run killed (SIGKILL, or SIGTERM as Kubernetes sends it) at pseudo-random
// moments under 1 and 2 workers, then resumed, leaves every results file byte-identical to an
// uninterrupted run's: summaries, constants, report and charts (timing.jsonl is wall-clock; the
// line files are compared as sets, since workers finish in any order).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyExperiment } from '../runner/helpers.js';
import { cli, scratchDir } from './helpers.js';

const scratch = scratchDir('faults');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const BIN = new URL('../../bin/k8s-netsim.mjs', import.meta.url).pathname;
const file = writeTinyExperiment(scratch, 'faults');
const reference = join(scratch, 'reference');
let referenceSeconds = 0;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Runs the command as a child process, sending `signal` after `delayMs` if given. */
function runChild(args: string[], kill?: { signal: NodeJS.Signals; delayMs: number }): Promise<Exit> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const timer = kill === undefined ? undefined : setTimeout(() => child.kill(kill.signal), kill.delayMs);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    }),
  );
}

/** Every file under `dir`, as paths relative to it. */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => relative(dir, join(dir, name)))
    .sort();
}

/** The files of `dir` that differ from the reference's (or are missing or extra). */
function differingFiles(dir: string, against = reference): string[] {
  const theirs = files(against).filter((name) => name !== 'timing.jsonl');
  const mine = files(dir).filter((name) => name !== 'timing.jsonl');
  const differing = [...mine.filter((name) => !theirs.includes(name)), ...theirs.filter((name) => !mine.includes(name))];
  for (const name of theirs.filter((n) => mine.includes(n))) {
    const a = readFileSync(join(dir, name), 'utf8');
    const b = readFileSync(join(against, name), 'utf8');
    const same = name.endsWith('.jsonl') ? sortedLines(a) === sortedLines(b) : a === b;
    if (!same) differing.push(name);
  }
  return differing;
}

const sortedLines = (text: string) => text.split('\n').sort().join('\n');

/** A seeded generator (mulberry32): the kill moments are the same on every run of the suite. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  const started = performance.now();
  const run = await runChild(['run', file, '--out', reference, '--workers', '2', '--quiet']);
  referenceSeconds = (performance.now() - started) / 1000;
  expect(run.code).toBe(0);
}, 120_000);

describe('kill and --resume', () => {
  it('leaves every results file byte-identical to an uninterrupted run, whatever the moment and the signal', async () => {
    const random = generator(14);
    const cases: { signal: NodeJS.Signals; workers: number }[] = [
      { signal: 'SIGKILL', workers: 1 },
      { signal: 'SIGTERM', workers: 1 },
      { signal: 'SIGKILL', workers: 2 },
      { signal: 'SIGTERM', workers: 2 },
      { signal: 'SIGKILL', workers: 2 },
      { signal: 'SIGTERM', workers: 1 },
    ];
    const totals = { kills: 0, interruptedMidRun: 0, differing: [] as string[] };
    for (const [index, { signal, workers }] of cases.entries()) {
      // Anywhere from the loading of the sources to the end of the run.
      const delayMs = Math.round(random() * referenceSeconds * 1000);
      const out = join(scratch, `kill-${index}`);
      const args = ['run', file, '--out', out, '--workers', String(workers), '--quiet'];
      const killed = await runChild(args, { signal, delayMs });
      totals.kills++;
      const context = `${signal} after ${delayMs} ms under ${workers} worker(s)`;
      expect(killed.stderr, context).not.toMatch(/\n\s+at /);
      if (signal === 'SIGTERM') {
        // 143 when caught, 0 when the run had already finished.
        expect([143, 0], context).toContain(killed.code);
        if (killed.code === 143) expect(killed.stderr, context).toMatch(/terminated \(SIGTERM\)/);
        if (/continue with: .*--resume/.test(killed.stderr)) totals.interruptedMidRun++;
      } else if (killed.signal === 'SIGKILL' && existsSync(join(out, 'points.jsonl'))) {
        totals.interruptedMidRun++;
      }
      const resumed = await cli([...args, '--resume']);
      expect(resumed.code, `${context}: ${resumed.stderr}`).toBe(0);
      const differing = differingFiles(out);
      totals.differing.push(...differing.map((name) => `${context}: ${name}`));
    }
    console.info(`kill/resume: ${totals.kills} kills (${totals.interruptedMidRun} mid-run), ${totals.differing.length} files differing after resume`);
    expect(totals.differing).toEqual([]);
  }, 180_000);

  it('says how to resume and exits 143 on SIGTERM, and a stale lock left by SIGKILL is taken over', async () => {
    const out = join(scratch, 'term');
    const args = ['run', file, '--out', out, '--workers', '1', '--quiet'];
    // SIGTERM once the run has started writing: the directory exists with its manifest.
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    while (!existsSync(join(out, 'experiment.json'))) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain(`interrupted: ${out} is consistent; continue with: k8s-netsim run ${file} --out ${out} --workers 1 --quiet --resume`);
    expect(existsSync(join(out, '.lock'))).toBe(false);

    // SIGKILL cannot be caught: the lock stays, naming a pid that is gone.
    const killed = join(scratch, 'killed');
    const victim = spawn(process.execPath, [BIN, 'run', file, '--out', killed, '--workers', '1', '--quiet'], { stdio: 'ignore' });
    const gone = new Promise((resolve) => victim.on('exit', resolve));
    while (!existsSync(join(killed, 'experiment.json'))) await new Promise((r) => setTimeout(r, 20));
    victim.kill('SIGKILL');
    await gone;
    expect(JSON.parse(readFileSync(join(killed, '.lock'), 'utf8'))).toMatchObject({ pid: victim.pid, command: 'run' });
    const resumed = await cli(['run', file, '--out', killed, '--workers', '2', '--resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`took over a stale lock of ${killed} \\(left by pid ${victim.pid} on `));
    expect(differingFiles(killed)).toEqual([]);
  }, 120_000);

  it('exits 130 on an early Ctrl-C, before the sources have loaded, writing nothing', async () => {
    const out = join(scratch, 'early');
    const run = await runChild(['run', file, '--out', out, '--workers', '1'], { signal: 'SIGINT', delayMs: 80 });
    // Node's own start-up (before bin/k8s-netsim.mjs runs) cannot catch a signal: either way, nothing written.
    if (run.signal === null) {
      expect(run.code).toBe(130);
      expect(run.stderr).toMatch(/interrupted \(Ctrl-C\)/);
    }
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(out, 'points.jsonl')) ? readFileSync(join(out, 'points.jsonl'), 'utf8') : '').toBe('');
  }, 60_000);
});
