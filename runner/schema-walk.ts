// Reading the experiment's zod schema as a tree of keys: which keys an object accepts (for
// "did you mean"), whether a dotted path leads anywhere (sweep keys), and every such path (for
// suggesting one). Wrappers (defaults, optionals, pipes) are looked through; a union offers the
// keys of all its object branches; an array is entered by index; z.unknown() accepts any path.

import type { z } from 'zod';

type Schema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  options?: Schema[];
  valueType?: Schema;
  items?: Schema[];
  getter?: () => Schema;
}

const defOf = (schema: Schema): Def => schema._zod.def as unknown as Def;

/** The schema itself with wrappers removed: every shape a value at this place may take. */
function branches(schema: Schema): Schema[] {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return branches(def.innerType!);
    case 'pipe':
      return branches(def.in!);
    case 'lazy':
      return branches(def.getter!());
    case 'union':
      return def.options!.flatMap(branches);
    default:
      return [schema];
  }
}

/** Keys an object at this place accepts (the union of its object branches' keys). */
export function keysOf(schema: Schema): string[] {
  const keys = new Set<string>();
  for (const branch of branches(schema)) {
    const def = defOf(branch);
    if (def.type === 'object') for (const key of Object.keys(def.shape!)) keys.add(key);
  }
  return [...keys];
}

/** The schemas one step down `segment`, or [] if no branch has it; 'any' below z.unknown(). */
function childSchemas(schema: Schema, segment: string | number): Schema[] | 'any' {
  const found: Schema[] = [];
  for (const branch of branches(schema)) {
    const def = defOf(branch);
    if (def.type === 'unknown' || def.type === 'any') return 'any';
    if (def.type === 'object' && typeof segment === 'string' && Object.hasOwn(def.shape!, segment)) found.push(def.shape![segment]);
    if (def.type === 'record' && typeof segment === 'string') found.push(def.valueType!);
    if (def.type === 'array' && isIndex(segment)) found.push(def.element!);
    if (def.type === 'tuple' && isIndex(segment) && Number(segment) < def.items!.length) found.push(def.items![Number(segment)]);
  }
  return found;
}

const isIndex = (segment: string | number) => (typeof segment === 'number' ? Number.isInteger(segment) && segment >= 0 : /^\d+$/.test(segment));

/** The schema at the end of `path`, the keys there if it leads nowhere. */
export function resolve(schema: Schema, path: readonly (string | number)[]): { ok: true } | { ok: false; depth: number; keys: string[] } {
  let current = [schema];
  for (let depth = 0; depth < path.length; depth++) {
    const next: Schema[] = [];
    for (const s of current) {
      const children = childSchemas(s, path[depth]);
      if (children === 'any') return { ok: true };
      next.push(...children);
    }
    if (next.length === 0) return { ok: false, depth, keys: current.flatMap(keysOf) };
    current = next;
  }
  return { ok: true };
}

/** Every dotted path to a leaf or object below `schema` (arrays entered at index 0), for suggestions. */
export function allPaths(schema: Schema, prefix = '', depth = 0): string[] {
  if (depth > 8) return [];
  const paths: string[] = [];
  for (const branch of branches(schema)) {
    const def = defOf(branch);
    if (def.type === 'object') {
      for (const [key, child] of Object.entries(def.shape!)) {
        const path = prefix === '' ? key : `${prefix}.${key}`;
        paths.push(path, ...allPaths(child, path, depth + 1));
      }
    } else if (def.type === 'array') {
      paths.push(...allPaths(def.element!, `${prefix}.0`, depth + 1));
    }
  }
  return [...new Set(paths)];
}

/** The schemas a value at `path` may be checked against ([] if none, 'any' below z.unknown()). */
export function schemasAt(schema: Schema, path: readonly (string | number)[]): Schema[] | 'any' {
  let current = [schema];
  for (const segment of path) {
    const next: Schema[] = [];
    for (const s of current) {
      const children = childSchemas(s, segment);
      if (children === 'any') return 'any';
      next.push(...children);
    }
    current = next;
  }
  return current;
}
