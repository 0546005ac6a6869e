// Dotted paths into a spec ("cluster.services", "workload.0.ratePerClient"): parsing them and
// setting a value at one in a plain-data tree.

export type Segment = string | number;

/**
 * Segments that name JavaScript's prototype machinery, not a setting: a path through them would
 * write into Object.prototype for the whole process (prototype pollution), so none is accepted.
 */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** The first segment of `path` that may not appear in a path, or undefined. */
export function forbiddenSegment(path: string): string | undefined {
  return path.split('.').find((part) => FORBIDDEN.has(part));
}

export function forbiddenMessage(segment: string): string {
  return `'${segment}' cannot appear in a path: it names JavaScript's object machinery, not a setting`;
}

/** "workload.0.target" → ["workload", 0, "target"]; throws on a forbidden segment. */
export function splitPath(path: string): Segment[] {
  const bad = forbiddenSegment(path);
  if (bad !== undefined) throw new Error(forbiddenMessage(bad));
  return path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

/** A copy of `tree` with `value` at `path`, creating mappings and lists on the way; throws on a list index past its end. */
export function withValue(tree: Record<string, unknown>, path: readonly Segment[], value: unknown): Record<string, unknown> {
  const root = structuredClone(tree);
  let node: unknown = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    if (typeof segment === 'string' && FORBIDDEN.has(segment)) throw new Error(forbiddenMessage(segment));
    const last = i === path.length - 1;
    const container = node as Record<string | number, unknown>;
    if (Array.isArray(node)) {
      if (typeof segment !== 'number') throw new Error(`${path.slice(0, i).join('.')} is a list: index it with a number`);
      if (segment > node.length) throw new Error(`${path.slice(0, i).join('.')} has ${node.length} entries; ${path.join('.')} is past its end`);
    } else if (node === null || typeof node !== 'object') {
      throw new Error(`${path.slice(0, i).join('.')} is not a mapping`);
    }
    if (last) {
      container[segment] = value;
    } else {
      const next = Object.hasOwn(container, segment) ? container[segment] : undefined;
      if (next === undefined || next === null) container[segment] = typeof path[i + 1] === 'number' ? [] : {};
      node = container[segment];
    }
  }
  return root;
}
