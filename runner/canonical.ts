// Canonical JSON (object keys sorted at every depth) and the short hashes built on it: a point's
// id and an experiment's identity must not depend on the order keys were written in.

import { createHash } from 'node:crypto';

/** JSON with sorted keys and no whitespace; undefined members are left out, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/** The first `length` hex digits of sha256(canonical JSON of `value`). */
export function shortHash(value: unknown, length = 12): string {
  return createHash('sha256').update(canonicalJson(value), 'utf8').digest('hex').slice(0, length);
}
