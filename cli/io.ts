// What a command needs from its surroundings, passed in so that tests run commands in-process:
// output streams, whether standard error is a terminal, and the abort signal Ctrl-C raises.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../runner/source.js';
import { didYouMean } from '../runner/suggest.js';

export interface Io {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  signal?: AbortSignal;
}

/** Exit codes (docs/architecture.md, "Results"). */
export const EXIT = { ok: 0, failed: 1, badInput: 2, interrupted: 130 } as const;

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
