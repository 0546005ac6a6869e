// Quantities as users write them: durations with units ("50us", "1.5s", "2m"), sizes ("1KiB",
// "1500B", "64kB"), rates ("10Gbit/s"), shares ("50%"). Parsed once, at load time, into SI
// numbers (seconds, bytes, bits per second, fractions), and exposed as zod schemas so that the
// experiment file and the profiles validate them the same way.

import { z } from 'zod';
import { parseBitRate, parseDuration, parseSize } from '../engine/units.js';

export { parseDuration, parseSize };

/** Wraps a parser as a zod schema that reports the parser's message as the issue. */
function quantity(parse: (value: string | number) => number, what: string) {
  return z.union([z.number(), z.string()]).transform((value, ctx) => {
    try {
      const parsed = parse(value);
      if (!Number.isFinite(parsed)) throw new Error(`${what} must be finite, got ${value}`);
      return parsed;
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

/** A duration ≥ 0, in seconds once parsed. */
export const duration = () => quantity(parseDuration, 'a duration').pipe(z.number().min(0, 'a duration must be ≥ 0'));
/** A duration > 0, in seconds once parsed. */
export const positiveDuration = () => quantity(parseDuration, 'a duration').pipe(z.number().positive('the duration must be > 0'));
/** A size ≥ 0, in bytes once parsed. */
export const size = () => quantity(parseSize, 'a size').pipe(z.number().min(0, 'a size must be ≥ 0'));
/** A bit rate > 0, in bits per second once parsed. */
export const bitRate = () => quantity(parseBitRate, 'a bit rate').pipe(z.number().positive('a bit rate must be > 0'));

/** "50%" or a fraction in [0, 1]. */
export const share = () =>
  z.union([z.number(), z.string()]).transform((value, ctx) => {
    const fraction = typeof value === 'number' ? value : /^\s*[0-9.]+\s*%\s*$/.test(value) ? Number(value.trim().slice(0, -1).trim()) / 100 : NaN;
    if (!(fraction >= 0 && fraction <= 1)) {
      ctx.addIssue({ code: 'custom', message: `'${value}' is not a share: write a percentage such as "50%" or a fraction in [0, 1]` });
      return z.NEVER;
    }
    return fraction;
  });
