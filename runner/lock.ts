// Ownership of a results directory: one writer at a time, through a `.lock` file created with
// link() (exclusive: it fails if the file exists) that names its holder (pid, host, start time,
// command) and is touched while it is held.

import { linkSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { InputError } from './source.js';

export const LOCK_FILE = '.lock';

/**
 * The holder touches its lock this often, so that a lock left by a process on another host (a
 * Kubernetes Job pod that was killed: its pid means nothing here) can be told from a live one.
 */
const HEARTBEAT_MS = 10_000;
/** A lock from another host untouched for this long (six missed heartbeats) is stale. */
export const STALE_AFTER_MS = 6 * HEARTBEAT_MS;

interface LockHolder {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export interface Lock {
  path: string;
  /** Set when a stale lock was taken over: who held it, for the caller to say so. */
  tookOverFrom?: LockHolder;
  release(): void;
}

/** Locks held by this process: a lock naming our own pid is ours only if it is in here. */
const held = new Set<string>();
process.once('exit', () => {
  // The last resort (process.exit on a second Ctrl-C): never leave our own lock behind.
  for (const path of held) rmSync(path, { force: true });
});

/** Takes the lock of `dir` (which must exist), or throws an InputError naming the holder. */
export function acquireLock(dir: string, command = 'run'): Lock {
  const path = join(dir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  let tookOverFrom: LockHolder | undefined;
  // Written beside and linked into place: link() fails if the lock exists, and the lock never
  // exists without its content (a kill between create and write would leave a nameless lock).
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(me)}\n`);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temporary, path);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      }
      const holder = readHolder(path);
      const stale = staleness(path, holder);
      if (stale === undefined) {
        const who = holder === undefined ? 'another process' : `${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.started})`;
        throw new InputError([{ file: dir, line: 0, column: 0, message: `the directory is in use by ${who}; wait for it to finish, or choose another --out (if no run is using it, delete ${path})` }]);
      }
      tookOverFrom = holder ?? { pid: 0, host: 'unknown', started: 'unknown', command: 'unknown' };
      rmSync(path, { force: true });
    }
  } finally {
    rmSync(temporary, { force: true });
  }
  held.add(path);
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // A vanished lock or a full disk: the run's own writes report the fault.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    path,
    tookOverFrom,
    release: () => {
      clearInterval(heartbeat);
      if (!held.delete(path)) return;
      // Only our own lock: if someone took it over meanwhile, theirs stays.
      if (readHolder(path)?.pid === me.pid && readHolder(path)?.host === me.host) rmSync(path, { force: true });
    },
  };
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host, started: String(parsed.started), command: String(parsed.command) };
    }
  } catch {
    // Unreadable or torn (its writer died between creating and writing it): judged by age below.
  }
  return undefined;
}

/** Why the lock is stale, or undefined when its holder may still be alive. */
function staleness(path: string, holder: LockHolder | undefined): string | undefined {
  let age: number;
  try {
    age = Date.now() - statSync(path).mtimeMs;
  } catch {
    return 'gone';
  }
  if (holder !== undefined && holder.host === hostname()) {
    if (holder.pid === process.pid) return held.has(path) ? undefined : 'an earlier process with our pid';
    if (!alive(holder.pid)) return 'its process is gone';
    // Alive but silent: the pid was reused by an unrelated process after the holder died.
    return age > STALE_AFTER_MS ? 'not touched for a minute' : undefined;
  }
  return age > STALE_AFTER_MS ? 'not touched for a minute' : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
