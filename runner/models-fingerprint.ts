// A hash of the code and constants that decide a run's values (engine/ and models/, profiles
// included), kept in each results directory's manifest: results from other model code are never
// resumed into, merged with, or reused by the validation table.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

const SOURCE_ROOT = new URL('../', import.meta.url);
let cached: string | undefined;

/** sha256 of every .ts and .yaml file under engine/ and models/, by path and content, in path order. */
export function modelsFingerprint(): string {
  if (cached !== undefined) return cached;
  const hash = createHash('sha256');
  for (const dir of ['engine', 'models']) {
    const root = new URL(`${dir}/`, SOURCE_ROOT);
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => /\.(ts|yaml)$/.test(f)).sort();
    for (const file of files) hash.update(`${dir}/${file}\0`).update(readFileSync(new URL(file, root))).update('\0');
  }
  cached = hash.digest('hex');
  return cached;
}
