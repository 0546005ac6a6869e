// Fault injection: a run killed (SIGKILL, or SIGTERM as Kubernetes sends it) at pseudo-random
// moments under 1 and 2 workers, then resumed, leaves every results file byte-identical to an
// uninterrupted run's: summaries, constants, report and charts (timing.jsonl is wall-clock; the
// line files are compared as sets, since workers finish in any order).

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyExperiment } from '../runner/helpers.js';
import { cli, scratchDir } from './helpers.js';

const scratch = scratchDir('faults');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const BIN = new URL('../../bin/k8s-netsim.mjs', import.meta.url).pathname;
// Two points × two replications of a tiny cluster, each run a fraction of a second: six kills fit
// in about a minute, and those timed from the first finished run land with part of the runs done.
const file = writeTinyExperiment(scratch, 'faults');
writeFileSync(file, readFileSync(file, 'utf8').replace('[iptables, ipvs, nftables]', '[iptables, ipvs]').replace('duration: 1s', 'duration: 10s').replace('ratePerClient: 20', 'ratePerClient: 200'));
const reference = join(scratch, 'reference');
/** How long (ms) the reference took from its start to its first write, to its first run's line, and to its last run's. */
type Anchor = 'start' | 'manifest' | 'firstRun';
let spans: Record<Anchor, number> = { start: 0, manifest: 0, firstRun: 0 };
const ANCHOR_FILE: Record<Anchor, string | undefined> = { start: undefined, manifest: 'experiment.json', firstRun: 'points.jsonl' };
const TOTAL_RUNS = 2 * 2;

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the command as a child process, sending `signal` `delayMs` after it starts, or after the
 * file `startedWhen` has content (experiment.json: the run has begun; points.jsonl: a run ended).
 */
function runChild(args: string[], kill?: { signal: NodeJS.Signals; delayMs: number; startedWhen?: string }): Promise<Exit> {
  const started = (path: string) => existsSync(path) && statSync(path).size > 0;
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  let exited = false;
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let timer: NodeJS.Timeout | undefined;
  const arm = () => (timer = setTimeout(() => child.kill(kill!.signal), kill!.delayMs));
  const poll = () => {
    if (exited) return;
    if (started(kill!.startedWhen!)) arm();
    else timer = setTimeout(poll, 10);
  };
  if (kill !== undefined) (kill.startedWhen === undefined ? arm : poll)();
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      exited = true;
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
  const child = runChild(['run', file, '--out', reference, '--workers', '1', '--quiet']);
  const moments: number[] = [];
  const lines = (name: string) => (existsSync(join(reference, name)) ? readFileSync(join(reference, name), 'utf8').split('\n').length - 1 : 0);
  const reached = [() => lines('experiment.json') > 0, () => lines('points.jsonl') > 0, () => lines('points.jsonl') === TOTAL_RUNS];
  for (const until of reached) {
    while (!until()) await new Promise((r) => setTimeout(r, 2));
    moments.push(performance.now());
  }
  expect((await child).code).toBe(0);
  spans = { start: moments[0] - started, manifest: moments[1] - moments[0], firstRun: moments[2] - moments[1] };
}, 120_000);

describe('kill and --resume', () => {
  it('leaves every results file byte-identical to an uninterrupted run, whatever the moment and the signal', async () => {
    const random = generator(14);
    // Each kill at a seeded fraction of the span after its anchor: while loading, while the
    // workers start, and (most) once runs have begun to end.
    const cases: { signal: NodeJS.Signals; workers: number; after: Anchor }[] = [
      { signal: 'SIGKILL', workers: 1, after: 'firstRun' },
      { signal: 'SIGTERM', workers: 1, after: 'firstRun' },
      { signal: 'SIGKILL', workers: 2, after: 'firstRun' },
      { signal: 'SIGTERM', workers: 2, after: 'firstRun' },
      { signal: 'SIGKILL', workers: 2, after: 'manifest' },
      { signal: 'SIGTERM', workers: 1, after: 'start' },
    ];
    const totals = { kills: 0, partial: 0, moments: [] as string[], differing: [] as string[] };
    for (const [index, { signal, workers, after }] of cases.entries()) {
      const out = join(scratch, `kill-${index}`);
      const delayMs = Math.round(random() * spans[after]);
      const args = ['run', file, '--out', out, '--workers', String(workers), '--quiet'];
      const anchor = ANCHOR_FILE[after];
      const killed = await runChild(args, { signal, delayMs, startedWhen: anchor === undefined ? undefined : join(out, anchor) });
      totals.kills++;
      const context = `${signal} ${delayMs} ms after ${anchor ?? 'the start'} under ${workers} worker(s)`;
      expect(killed.stderr, context).not.toMatch(/\n\s+at /);
      if (signal === 'SIGTERM') {
        // 143 when caught, 0 when the run had already finished.
        expect([143, 0], context).toContain(killed.code);
        if (killed.code === 143) expect(killed.stderr, context).toMatch(/terminated \(SIGTERM\)/);
      }
      const done = existsSync(join(out, 'points.jsonl')) ? readFileSync(join(out, 'points.jsonl'), 'utf8').split('\n').length - 1 : 0;
      if (done > 0 && done < TOTAL_RUNS) totals.partial++;
      totals.moments.push(`${context}: ${done}/${TOTAL_RUNS} runs done`);
      const resumed = await cli([...args, '--resume']);
      expect(resumed.code, `${context}: ${resumed.stderr}`).toBe(0);
      const differing = differingFiles(out);
      totals.differing.push(...differing.map((name) => `${context}: ${name}`));
    }
    console.info(`kill/resume: ${totals.kills} kills (${totals.partial} with part of the runs done), ${totals.differing.length} files differing after resume\n  ${totals.moments.join('\n  ')}`);
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

  it('exits 130 with a message on a Ctrl-C while the sources load, instead of dying silently', async () => {
    const out = join(scratch, 'early');
    // 300 ms: after Node's own start-up (which no program can catch a signal in), before or
    // just after the TypeScript sources have loaded.
    const run = await runChild(['run', file, '--out', out, '--workers', '1'], { signal: 'SIGINT', delayMs: 300 });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/interrupted \(Ctrl-C\)/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(out, '.lock'))).toBe(false);
  }, 60_000);
});
