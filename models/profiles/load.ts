// Calibrated constants live in YAML files beside this one, each constant with its source:
//
//   perRuleCost:
//     value: 18us
//     source: kubernetes/kubernetes #138073 (10.5 s for 578,470 rules)
//     note: derived, see the fit in ...          (optional)
//     assumption: true                             (optional: no published figure backs it)
//
// Constants may be grouped in nested maps (one group per CNI, say). loadProfile() strips the
// metadata, applies an experiment's overrides (a plain partial tree of values), validates the
// result with the model's zod schema (which parses units), and returns the values together with
// the list of constants used and their sources, which the report's assumptions section prints.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { z } from 'zod';

export interface ConstantRecord {
  /** Dotted path inside the profile, e.g. "iptables.perRuleCost". */
  path: string;
  /** The value as written (before unit parsing), or as overridden. */
  value: unknown;
  source: string;
  note?: string;
  /** True where no published figure backs the value: reports flag results that rest on it. */
  assumption: boolean;
  overridden: boolean;
}

export interface LoadedProfile<T> {
  name: string;
  values: T;
  constants: ConstantRecord[];
}

const raw = new Map<string, unknown>();

function readProfileFile(name: string): unknown {
  let document = raw.get(name);
  if (document === undefined) {
    const url = new URL(`./${name}.yaml`, import.meta.url);
    document = parse(readFileSync(url, 'utf8'));
    raw.set(name, document);
  }
  return document;
}

function isConstant(node: unknown): node is { value: unknown; source: string; note?: string; assumption?: boolean } {
  return typeof node === 'object' && node !== null && 'value' in node && 'source' in node;
}

function isPlainObject(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/** Walks the documented tree, producing the plain value tree and the constant records. */
function strip(node: unknown, path: string, records: ConstantRecord[], profile: string): unknown {
  if (isConstant(node)) {
    if (typeof node.source !== 'string' || node.source.trim() === '') {
      throw new Error(`profile ${profile}: constant ${path} has no source`);
    }
    records.push({ path, value: node.value, source: node.source, note: node.note, assumption: node.assumption === true, overridden: false });
    return node.value;
  }
  if (isPlainObject(node)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) out[key] = strip(child, path === '' ? key : `${path}.${key}`, records, profile);
    return out;
  }
  throw new Error(`profile ${profile}: ${path || '(root)'} is neither a group nor a constant with value and source`);
}

/** Lays `overrides` over `values`, recording each overridden leaf. Unknown paths are errors. */
function applyOverrides(values: unknown, overrides: unknown, path: string, records: ConstantRecord[], profile: string): unknown {
  if (overrides === undefined) return values;
  if (isPlainObject(values) && isPlainObject(overrides)) {
    const out: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, values);
    for (const [key, child] of Object.entries(overrides)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      // Own keys only: '__proto__' or 'constructor' is "in" every object, and writing through it
      // would reach Object.prototype.
      if (!Object.hasOwn(values, key)) {
        const known = Object.keys(values).join(', ');
        throw new Error(`profile ${profile} has no constant '${childPath}'; it has: ${known}`);
      }
      out[key] = applyOverrides(values[key], child, childPath, records, profile);
    }
    return out;
  }
  if (isPlainObject(values)) throw new Error(`profile ${profile}: '${path}' is a group; override its constants one by one`);
  const record = records.find((r) => r.path === path);
  if (record !== undefined) {
    record.note = `overrides ${JSON.stringify(record.value)} from ${record.source}`;
    record.value = overrides;
    record.source = 'experiment file';
    record.assumption = false;
    record.overridden = true;
  }
  return overrides;
}

/**
 * Loads `models/profiles/<name>.yaml`, lays the experiment's overrides over it and validates the
 * values with `schema`. Throws with the profile's name and the offending path on any problem.
 */
export function loadProfile<S extends z.ZodType>(name: string, schema: S, overrides?: unknown): LoadedProfile<z.output<S>> {
  const records: ConstantRecord[] = [];
  const plain = strip(readProfileFile(name), '', records, name);
  const merged = applyOverrides(plain, overrides, '', records, name);
  const parsed = schema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`profile ${name}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return { name, values: parsed.data, constants: records };
}
