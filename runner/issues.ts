// zod issues as messages a user can act on: the path in dotted form, what was wrong, the
// allowed values where there is a list of them, the nearest valid key for an unknown one, and
// for unions the message of the branch the value was evidently meant for.

import type { z } from 'zod';
import { keysOf, schemasAt } from './schema-walk.js';
import { didYouMean } from './suggest.js';

type Issue = z.core.$ZodIssue;
export type IssuePath = (string | number)[];

export interface Message {
  path: IssuePath;
  message: string;
  /** Point at the key (unknown keys) rather than the value. */
  at: 'value' | 'key';
}

/**
 * Marks a custom issue about one field alone (params[FIELD_CHECK]: true), shown with the other
 * field errors rather than held back like a cross-field check.
 */
export const FIELD_CHECK = 'fieldCheck';

/** Dotted form of a path: spec.workload[0].target, spec.sweep["proxy.mode"][1]. */
export function dotted(path: readonly (string | number)[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (segment.includes('.')) text += `[${JSON.stringify(segment)}]`;
    else text += text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** Messages for `issues` of a parse of `root`; `base` is prepended to every path. */
export function explainIssues(issues: readonly Issue[], root: z.core.$ZodType, base: IssuePath = []): Message[] {
  // Cross-field checks (custom issues) still run when a field is wrong, and then often only echo
  // it ("detailedNodes exceeds nodes" when nodes is 0): show them only when nothing else is wrong.
  const structural = issues.filter((issue) => issue.code !== 'custom' || issue.params?.[FIELD_CHECK] === true);
  const messages: Message[] = [];
  for (const issue of structural.length > 0 ? structural : issues) messages.push(...explain(issue, root, [...base], []));
  const seen = new Set<string>();
  return messages.filter((m) => {
    const key = `${JSON.stringify(m.path)} ${m.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function explain(issue: Issue, root: z.core.$ZodType, base: IssuePath, outer: IssuePath): Message[] {
  const schemaPath = [...outer, ...(issue.path as IssuePath)];
  const path = [...base, ...(issue.path as IssuePath)];
  const where = dotted(path);
  const got = 'input' in issue ? ` got ${show(issue.input)}` : '';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const schemas = schemasAt(root, schemaPath);
      const valid = schemas === 'any' ? [] : [...new Set(schemas.flatMap(keysOf))];
      return issue.keys.map((key) => ({
        path: [...path, key],
        at: 'key' as const,
        message: `${dotted([...path, key])}: unknown key${didYouMean(key, valid)}; valid keys here: ${valid.join(', ')}`,
      }));
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => show(v)).join(', ');
      const input = 'input' in issue ? issue.input : undefined;
      const guess = typeof input === 'string' ? didYouMean(input, issue.values.map(String)) : '';
      return [{ path, at: 'value', message: `${where}: ${show(input)} is not allowed${guess}; allowed values: ${values}` }];
    }
    case 'invalid_type':
      if ('input' in issue && issue.input === undefined) return [{ path, at: 'value', message: `${where}: required (${article(issue.expected)})` }];
      return [{ path, at: 'value', message: `${where}: expected ${article(issue.expected)},${got}` }];
    case 'too_small':
    case 'too_big': {
      const scalar = 'input' in issue && (typeof issue.input === 'number' || typeof issue.input === 'string');
      return [{ path, at: 'value', message: `${where}: ${limitText(issue, issue.code === 'too_small' ? 'small' : 'big')}${scalar ? `,${got}` : ''}` }];
    }
    case 'invalid_key': {
      // A record's key failed its schema (e.g. an SLO's metric key): the path ends at the key.
      const inner = issue.issues.map((i) => i.message).join('; ');
      return [{ path, at: 'key', message: `${where}: ${inner}` }];
    }
    case 'invalid_union':
      return explainUnion(issue, root, base, outer);
    default:
      return [{ path, at: 'value', message: `${where}: ${issue.message}` }];
  }
}

/**
 * A value fits none of a union's branches. The branches it failed only by its type are the ones
 * it was not meant for; if one branch remains, its issues are the message. Otherwise the message
 * lists what the union accepts.
 */
function explainUnion(issue: Extract<Issue, { code: 'invalid_union' }>, root: z.core.$ZodType, base: IssuePath, outer: IssuePath): Message[] {
  const path = [...base, ...(issue.path as IssuePath)];
  const inner = [...outer, ...(issue.path as IssuePath)];
  const errors = issue.errors ?? [];
  const meant = errors.filter((branch) => !branch.every((i) => (i.code === 'invalid_type' || i.code === 'invalid_value') && i.path.length === 0));
  if (meant.length >= 1) {
    const best = meant.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    return best.flatMap((i) => explain(i, root, path, inner));
  }
  const expected: string[] = [];
  for (const branch of errors) {
    for (const i of branch) {
      if (i.code === 'invalid_type') expected.push(article(i.expected));
      if (i.code === 'invalid_value') expected.push(...i.values.map((v) => show(v)));
    }
  }
  const input = errors.flat().find((i) => 'input' in i) as { input?: unknown } | undefined;
  const got = input !== undefined ? `, got ${show(input.input)}` : '';
  return [{ path, at: 'value', message: `${dotted(path)}: expected ${[...new Set(expected)].join(' or ')}${got}` }];
}

/** How far into the value a branch's issues reach: the branch that got furthest was meant. */
function depth(branch: readonly Issue[]): number {
  return Math.max(...branch.map((i) => i.path.length + (i.code === 'invalid_type' ? 0 : 0.5)));
}

function limitText(issue: Extract<Issue, { code: 'too_small' | 'too_big' }>, side: 'small' | 'big'): string {
  const limit = side === 'small' ? (issue as { minimum: number | bigint }).minimum : (issue as { maximum: number | bigint }).maximum;
  const inclusive = issue.inclusive !== false;
  const sign = side === 'small' ? (inclusive ? '≥' : '>') : inclusive ? '≤' : '<';
  switch (issue.origin) {
    case 'array':
    case 'set':
      return `needs ${side === 'small' ? 'at least' : 'at most'} ${limit} entr${Number(limit) === 1 ? 'y' : 'ies'}`;
    case 'string':
      return `needs ${side === 'small' ? 'at least' : 'at most'} ${limit} character${Number(limit) === 1 ? '' : 's'}`;
    default:
      return `must be ${sign} ${limit}`;
  }
}

function article(type: string): string {
  const names: Record<string, string> = { int: 'a whole number', number: 'a number', string: 'a string', boolean: 'true or false', object: 'a mapping', array: 'a list', record: 'a mapping' };
  return names[type] ?? type;
}

/** A value as it would be written in the file. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a mapping';
  return String(value);
}
