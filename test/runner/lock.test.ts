// The results directory's lock: one holder at a time, a stale lock (its process gone, or from
// another host and no longer touched) taken over and said so, a live one refused by name.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, STALE_AFTER_MS } from '../../runner/lock.js';
import { InputError } from '../../runner/source.js';
import { scratchDir } from '../cli/helpers.js';

const scratch = scratchDir('lock');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function dir(name: string): string {
  const path = join(scratch, name);
  mkdirSync(path);
  return path;
}

/** A pid that is certainly gone: a child that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('the results directory lock', () => {
  it('is held by one at a time, names its holder, and is gone once released', () => {
    const out = dir('held');
    const lock = acquireLock(out);
    expect(JSON.parse(readFileSync(join(out, '.lock'), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), command: 'run' });
    expect(() => acquireLock(out, 'merge')).toThrow(InputError);
    expect(() => acquireLock(out)).toThrow(new RegExp(`in use by run \\(pid ${process.pid} on ${hostname()}, since `));
    lock.release();
    expect(existsSync(join(out, '.lock'))).toBe(false);
    acquireLock(out).release();
  });

  it('takes over a lock whose process is gone on this host, and says whose it was', () => {
    const out = dir('dead');
    const pid = deadPid();
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid, host: hostname(), started: '2026-01-01T00:00:00.000Z', command: 'run' }));
    const lock = acquireLock(out);
    expect(lock.tookOverFrom).toMatchObject({ pid, host: hostname() });
    lock.release();
  });

  it('refuses a lock from another host while it is touched, and takes it over once it is not', () => {
    const out = dir('remote');
    const path = join(out, '.lock');
    writeFileSync(path, JSON.stringify({ pid: 1, host: 'job-pod-0', started: '2026-01-01T00:00:00.000Z', command: 'run' }));
    expect(() => acquireLock(out)).toThrow(/in use by run \(pid 1 on job-pod-0/);
    const old = new Date(Date.now() - STALE_AFTER_MS - 5_000);
    utimesSync(path, old, old);
    const lock = acquireLock(out);
    expect(lock.tookOverFrom).toMatchObject({ pid: 1, host: 'job-pod-0' });
    lock.release();
  });

  it('leaves a lock alone that someone else took over meanwhile', () => {
    const out = dir('taken');
    const lock = acquireLock(out);
    const theirs = JSON.stringify({ pid: 1, host: 'elsewhere', started: 'now', command: 'run' });
    writeFileSync(join(out, '.lock'), theirs);
    lock.release();
    expect(readFileSync(join(out, '.lock'), 'utf8')).toBe(theirs);
  });
});
