// Faults of the results directory and the disk: two runs at once, completed runs, a read-only,
// foreign-owned or full output directory, damaged results files. Each ends in one line naming
// the path and what to do (exit 1 or 2), never a stack trace, and nothing completed is lost.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyExperiment } from '../runner/helpers.js';
import { cli, scratchDir, type CliRun } from './helpers.js';

const scratch = scratchDir('file-faults');
const file = writeTinyExperiment(scratch, 'faulty');
const reference = join(scratch, 'reference');
const BIN = new URL('../../bin/k8s-netsim.mjs', import.meta.url).pathname;
const read = (dir: string, name: string) => readFileSync(join(dir, name), 'utf8');
const run = (out: string, ...more: string[]) => cli(['run', file, '--out', out, '--workers', '2', '--quiet', ...more]);

/** Mounts a tmpfs (root in a container may; elsewhere the tests that need one are skipped). */
function mountTmpfs(dir: string, options: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const mounts: string[] = [];
const canMount = mountTmpfs(join(scratch, 'probe'), 'size=1m') && mounts.push(join(scratch, 'probe')) > 0;
const isRoot = process.getuid?.() === 0;

function oneLine(result: CliRun): string {
  expect(result.stderr).not.toMatch(/\n\s+at /);
  const lines = result.stderr.trim().split('\n');
  return lines[lines.length - 1];
}

beforeAll(async () => {
  expect((await run(reference)).code).toBe(0);
}, 120_000);
afterAll(() => {
  for (const dir of mounts) spawnSync('umount', [dir]);
  rmSync(scratch, { recursive: true, force: true });
});

describe('ownership of a results directory', () => {
  it('refuses a second run into a directory another run holds, naming the holder', async () => {
    const out = join(scratch, 'shared');
    const first = run(out);
    while (!existsSync(join(out, '.lock'))) await new Promise((r) => setTimeout(r, 10));
    const second = await run(out, '--resume');
    expect(second.code).toBe(2);
    expect(oneLine(second)).toMatch(new RegExp(`shared: the directory is in use by run \\(pid ${process.pid} on .*\\); wait for it to finish`));
    expect((await first).code).toBe(0);
    expect(existsSync(join(out, '.lock'))).toBe(false);
    expect(read(out, 'summary.json')).toBe(read(reference, 'summary.json'));
  }, 60_000);

  it('never empties a directory with completed runs without --force, and says to use --resume', async () => {
    const out = join(scratch, 'completed');
    cpSync(reference, out, { recursive: true });
    const before = read(out, 'points.jsonl');
    const again = await run(out);
    expect(again.code).toBe(2);
    expect(oneLine(again)).toMatch(/holds 6 completed runs of this experiment; continue with --resume, or pass --force to discard them/);
    expect(read(out, 'points.jsonl')).toBe(before);
    const forced = await run(out, '--force', '--json');
    expect(JSON.parse(forced.stdout)).toMatchObject({ status: 'complete', ran: 6, skipped: 0 });
  }, 60_000);
});

describe('disk faults', () => {
  it.skipIf(!canMount)('a full disk ends in one line and exit 1, no temporary or lock left; --resume then completes it byte for byte', async () => {
    const disk = join(scratch, 'full');
    expect(mountTmpfs(disk, 'size=100k')).toBe(true);
    mounts.push(disk);
    const out = join(disk, 'out');
    const full = await run(out);
    expect(full.code).toBe(1);
    expect(oneLine(full)).toMatch(new RegExp(`^k8s-netsim run: ${out}/[\\w.]+: no space left on device \\(ENOSPC\\); free some space, then continue with --resume`));
    expect(readdirSync(out).filter((name) => name.endsWith('.tmp') || name === '.lock')).toEqual([]);
    execFileSync('mount', ['-o', 'remount,size=20m', disk]);
    expect((await run(out, '--resume')).code).toBe(0);
    for (const name of ['summary.json', 'summary.csv', 'constants.json', 'report.md', 'report.html']) expect(read(out, name), name).toBe(read(reference, name));
  }, 60_000);

  it.skipIf(!canMount)('a read-only output directory is refused in one line with exit 2', async () => {
    const disk = join(scratch, 'read-only');
    expect(mountTmpfs(disk, 'ro,size=1m')).toBe(true);
    mounts.push(disk);
    const refused = await run(join(disk, 'out'));
    expect(refused.code).toBe(2);
    expect(oneLine(refused)).toBe(`k8s-netsim run: ${join(disk, 'out')}: read-only file system (EROFS); choose an --out on a writable file system`);
  });

  it.skipIf(!isRoot || !nobodyCanRun())('a directory owned by someone else is refused in one line with exit 2', () => {
    // Run as nobody, into a directory root owns: what a Job pod with the wrong securityContext meets.
    chmodSync(scratch, 0o755);
    const owned = join(scratch, 'root-owned');
    mkdirSync(owned, { mode: 0o755 });
    const child = spawnSync(process.execPath, [BIN, 'run', file, '--out', join(owned, 'out'), '--workers', '1', '--quiet'], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect(child.status).toBe(2);
    expect(child.stderr).not.toMatch(/\n\s+at /);
    expect(child.stderr.trim()).toBe(`k8s-netsim run: ${join(owned, 'out')}: permission denied (EACCES); fix its permissions or ownership, or choose another --out`);
  }, 60_000);
});

/**
 * Whether user nobody can start the command at all: a checkout inside a private directory (a CI
 * clone under a mode-700 temporary folder) cannot be read by nobody, and the test would then
 * measure that instead of the output directory's permissions.
 */
function nobodyCanRun(): boolean {
  return spawnSync(process.execPath, [BIN, '--version'], { uid: 65534, gid: 65534, encoding: 'utf8' }).status === 0;
}

describe('damaged results files', () => {
  it('report rebuilds a garbage summary.json and constants.json from the runs, byte for byte', async () => {
    const out = join(scratch, 'garbage');
    cpSync(reference, out, { recursive: true });
    writeFileSync(join(out, 'summary.json'), '{"points": [');
    writeFileSync(join(out, 'constants.json'), '\u0000garbage');
    const report = await cli(['report', out]);
    expect(report.code).toBe(0);
    expect(report.stderr).toMatch(/summary\.json and constants\.json were damaged: rebuilt from points\.jsonl/);
    for (const name of ['summary.json', 'summary.csv', 'constants.json', 'report.md', 'report.html']) expect(read(out, name), name).toBe(read(reference, name));
  }, 60_000);

  it('names the line of a null or damaged points.jsonl line, in report and in run --resume', async () => {
    const out = join(scratch, 'damaged-line');
    cpSync(reference, out, { recursive: true });
    const lines = read(out, 'points.jsonl').split('\n');
    for (const [bad, says] of [
      ['null', /not a result record \(null\)/],
      ['{"point": "x", "repl', /not a JSON line/],
    ] as const) {
      writeFileSync(join(out, 'points.jsonl'), [lines[0], bad, ...lines.slice(1)].join('\n'));
      const report = await cli(['report', out]);
      expect(report.code).toBe(2);
      expect(oneLine(report)).toMatch(new RegExp(`^${join(out, 'points.jsonl')}:2: ${says.source}.*delete the line`));
      const resume = await run(out, '--resume');
      expect(resume.code).toBe(2);
      expect(oneLine(resume)).toMatch(new RegExp(`^${join(out, 'points.jsonl')}:2:1: ${says.source}.*delete this line`));
    }
  }, 60_000);

  it('does not count a tampered metric that is not a number', async () => {
    const out = join(scratch, 'tampered');
    cpSync(reference, out, { recursive: true });
    const lines = read(out, 'points.jsonl').split('\n').filter((l) => l !== '');
    const record = JSON.parse(lines[0]);
    record.metrics['requests_per_second.mean'] = '=HYPERLINK("x")';
    lines[0] = JSON.stringify(record);
    writeFileSync(join(out, 'points.jsonl'), `${lines.join('\n')}\n`);
    expect((await run(out, '--resume')).code).toBe(0);
    const summary = JSON.parse(read(out, 'summary.json'));
    const point = summary.points.find((p: { id: string }) => p.id === record.point);
    expect(point.metrics['requests_per_second.mean'].n).toBe(1);
    expect(point.metrics['request_duration_seconds.p50'].n).toBe(2);
  }, 60_000);
});
