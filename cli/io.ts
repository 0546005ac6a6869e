// What a command needs from its surroundings, passed in so that tests run commands in-process:
// output streams, whether standard error is a terminal, and the abort signal Ctrl-C raises.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { escapeControls, InputError } from '../runner/source.js';
import { didYouMean } from '../runner/suggest.js';

export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  signal?: AbortSignal;
}

/**
 * Exit codes (docs/architecture.md, "Results"): 0 success; 1 a failed run, or a fault of the machine while it ran (a full disk);
 * 2 bad input, including an output directory that cannot be used (locked, holding other results,
 * not writable) or a damaged results file; 130 and 143 (128 + the signal's number, the shell's
 * convention) stopped by SIGINT or SIGTERM, leaving a directory that --resume continues.
 */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130, terminated: 143 } as const;

/** A usage mistake on the command line: exit 2 with the command's usage. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs, with unknown options answered by the nearest known one. */
export function parseOptions<T extends Options>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    if (unknown !== undefined) {
      const names = Object.keys(options).map((name) => `--${name}`);
      throw new UsageError(`unknown option '${unknown}'${didYouMean(unknown, names)}`);
    }
    throw new UsageError(message.split('\n')[0]);
  }
}

/** A whole number within [min, max] from an option, or a usage error. */
export function wholeNumber(text: string | undefined, option: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(/^\d+$/.test(text.trim()) && Number.isSafeInteger(value) && value >= min && value <= max)) {
    throw new UsageError(`${option} takes a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}, got '${text}'`);
  }
  return value;
}

/** Prints bad input: one problem per line on standard error, and as JSON on standard output with --json. */
export function reportInputError(io: Io, error: InputError, json: boolean): number {
  io.stderr.write(`${error.message}\n`);
  if (json) io.stdout.write(`${JSON.stringify({ ok: false, errors: error.problems })}\n`);
  return EXIT.badInput;
}

export function writeJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** What a failed system call means for the user: the errno codes a results directory meets. */
const SYSTEM_FAULTS: Record<string, { what: string; exit: number; todo: (command: string) => string }> = {
  EACCES: { what: 'permission denied', exit: EXIT.badInput, todo: () => 'fix its permissions or ownership, or choose another --out' },
  EPERM: { what: 'operation not permitted', exit: EXIT.badInput, todo: () => 'fix its permissions or ownership, or choose another --out' },
  EROFS: { what: 'read-only file system', exit: EXIT.badInput, todo: () => 'choose an --out on a writable file system' },
  ENOTDIR: { what: 'a part of the path is not a directory', exit: EXIT.badInput, todo: () => 'check the path' },
  EISDIR: { what: 'is a directory', exit: EXIT.badInput, todo: () => 'check the path' },
  ENOENT: { what: 'no such file or directory', exit: EXIT.badInput, todo: () => 'check the path' },
  ENAMETOOLONG: { what: 'name too long', exit: EXIT.badInput, todo: () => 'choose a shorter path' },
  ENOSPC: { what: 'no space left on device', exit: EXIT.failed, todo: resumeAdvice('free some space') },
  EDQUOT: { what: 'disk quota exceeded', exit: EXIT.failed, todo: resumeAdvice('free some space') },
  EIO: { what: 'input/output error', exit: EXIT.failed, todo: resumeAdvice('check the disk') },
  EMFILE: { what: 'too many open files', exit: EXIT.failed, todo: resumeAdvice('raise the open-file limit (ulimit -n)') },
  ENFILE: { what: 'too many open files in the system', exit: EXIT.failed, todo: resumeAdvice('close other programs') },
};

function resumeAdvice(first: string): (command: string) => string {
  return (command) => (command === 'run' ? `${first}, then continue with --resume (completed runs are kept)` : `${first}, then run it again`);
}

/** One line for a failed system call (a path, what went wrong, what to do), or undefined for other errors. */
export function describeSystemError(error: unknown, command: string): { line: string; exit: number } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, path, dest, syscall } = error as NodeJS.ErrnoException & { dest?: string };
  if (typeof code !== 'string' || typeof syscall !== 'string') return undefined;
  const fault = SYSTEM_FAULTS[code];
  // A temporary file's name (x.json.123.tmp) is an implementation detail: name its target.
  const target = (dest ?? path ?? '').replace(/\.\d+\.tmp$/, '').replace(/\/\.([^/]+)\.\d+\.\d+\.tmp$/, '/$1');
  const where = target === '' ? '' : `${escapeControls(target)}: `;
  if (fault === undefined) return { line: `k8s-netsim ${command}: ${where}${code} (${syscall})`, exit: EXIT.failed };
  return { line: `k8s-netsim ${command}: ${where}${fault.what} (${code}); ${fault.todo(command)}`, exit: fault.exit };
}
