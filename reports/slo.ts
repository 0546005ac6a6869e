// SLO bounds (spec.slo) as the report reads them: `metric: 50ms` is an upper bound; `{min: ...}`
// a lower one. Quantities are written as in the experiment file and compared in base units.

import { parseDuration, parseSize } from '../engine/units.js';
import { formatValue } from './format.js';
import type { SloBound } from './inputs.js';
import { unitKind } from './metric-keys.js';

interface Limits {
  max: number;
  min: number;
}

const SUFFIXES: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9 };

/** A bound's quantity in the metric's base unit ("50ms" → 0.05, "2%" → 0.02, "1k/s" → 1000); NaN if unreadable. */
export function parseQuantity(metric: string, value: number | string): number {
  if (typeof value === 'number') return value;
  const text = value.trim();
  const percent = /^([0-9.eE+-]+)\s*%$/.exec(text);
  if (percent !== null) return Number(percent[1]) / 100;
  try {
    const kind = unitKind(metric);
    if (kind === 'duration') return parseDuration(text);
    if (kind === 'bytes') return parseSize(text);
  } catch {
    return NaN;
  }
  const plain = /^([0-9.eE+-]+)\s*([kMG]?)\s*(\/s)?$/.exec(text);
  return plain === null ? NaN : Number(plain[1]) * SUFFIXES[plain[2]];
}

function limitsOf(metric: string, bound: SloBound): Limits {
  // "<=50ms" and ">=99%" as the experiment file may write them.
  if (typeof bound === 'string') {
    const written = /^\s*(<=|>=)\s*(.+)$/.exec(bound);
    if (written !== null) return written[1] === '>=' ? { max: Infinity, min: parseQuantity(metric, written[2]) } : { max: parseQuantity(metric, written[2]), min: -Infinity };
  }
  if (typeof bound === 'object' && bound !== null) {
    return {
      max: bound.max === undefined ? Infinity : parseQuantity(metric, bound.max),
      min: bound.min === undefined ? -Infinity : parseQuantity(metric, bound.min),
    };
  }
  return { max: parseQuantity(metric, bound), min: -Infinity };
}

/** Does a mean meet the bound? NaN (no value, or an unreadable bound) does not. */
export function meets(metric: string, bound: SloBound, value: number): boolean {
  const { max, min } = limitsOf(metric, bound);
  return value <= max && value >= min;
}

/** "≤ 50 ms", "≥ 99 %", "between 1 /s and 5 /s". */
export function describeBound(metric: string, bound: SloBound): string {
  const { max, min } = limitsOf(metric, bound);
  const show = (x: number) => (Number.isNaN(x) ? String(typeof bound === 'object' ? JSON.stringify(bound) : bound) : formatValue(metric, x));
  if (min === -Infinity) return `≤ ${show(max)}`;
  if (max === Infinity) return `≥ ${show(min)}`;
  return `between ${show(min)} and ${show(max)}`;
}
