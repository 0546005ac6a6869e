// Numbers as a platform engineer reads them: durations in s, ms, µs or ns, rates per second,
// shares in per cent, bytes in binary units, counts with k and M. Three significant digits for a
// mean, two for a confidence half-width, both in the mean's unit so that they compare at a glance.

import type { Estimate } from './inputs.js';
import { unitKind, type MetricCatalogue, type UnitKind } from './metric-keys.js';

export interface DisplayUnit {
  /** Multiply a value in base units (seconds, bytes, fractions) by this to get display units. */
  factor: number;
  /** Appended after a space; '' for plain counts. */
  symbol: string;
}

const DURATION_UNITS: DisplayUnit[] = [
  { factor: 1, symbol: 's' },
  { factor: 1e3, symbol: 'ms' },
  { factor: 1e6, symbol: 'µs' },
  { factor: 1e9, symbol: 'ns' },
];
const BYTE_UNITS: DisplayUnit[] = [
  { factor: 1 / 1024 ** 3, symbol: 'GiB' },
  { factor: 1 / 1024 ** 2, symbol: 'MiB' },
  { factor: 1 / 1024, symbol: 'KiB' },
  { factor: 1, symbol: 'B' },
];
const COUNT_UNITS: DisplayUnit[] = [
  { factor: 1e-9, symbol: 'G' },
  { factor: 1e-6, symbol: 'M' },
  { factor: 1e-3, symbol: 'k' },
  { factor: 1, symbol: '' },
];

/** `value` to `significant` digits, without exponent notation; trailing zeros kept ("1.00"), so that a column reads at one precision. */
export function formatNumber(value: number, significant = 3): string {
  if (Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  if (value === 0) return '0';
  const rounded = Number(value.toPrecision(significant));
  const digits = Math.max(0, significant - 1 - Math.floor(Math.log10(Math.abs(rounded))));
  return rounded.toFixed(Math.min(digits, 20)).replace(/^-/, '−');
}

/** The largest unit in which |magnitude| is at least 1 (the smallest unit for tiny values). */
function pickUnit(units: DisplayUnit[], magnitude: number): DisplayUnit {
  for (const unit of units) if (Math.abs(magnitude) * unit.factor >= 1 - 5e-4) return unit;
  return units[units.length - 1];
}

/** The display unit for a metric whose values are about `magnitude` (base units). */
export function displayUnit(kind: UnitKind, magnitude: number): DisplayUnit {
  const finite = Number.isFinite(magnitude) && magnitude !== 0 ? magnitude : 1;
  switch (kind) {
    case 'duration':
      return pickUnit(DURATION_UNITS, finite);
    case 'bytes':
      return pickUnit(BYTE_UNITS, finite);
    case 'share':
      return { factor: 100, symbol: '%' };
    case 'rate':
      return { ...pickUnit(COUNT_UNITS, finite), symbol: `${pickUnit(COUNT_UNITS, finite).symbol}/s` };
    case 'cores':
      // Kubernetes writes CPU below one core in millicores (250m).
      return Math.abs(finite) >= 1 ? { factor: 1, symbol: 'cores' } : { factor: 1e3, symbol: 'mCPU' };
    case 'count':
      return Math.abs(finite) >= 1e4 ? pickUnit(COUNT_UNITS, finite) : { factor: 1, symbol: '' };
  }
}

/** Display unit for a metric key at a magnitude (its unit from metrics.json where given). */
export function unitFor(key: string, magnitude: number, catalogue?: MetricCatalogue): DisplayUnit {
  return displayUnit(unitKind(key, catalogue), magnitude);
}

function withSymbol(number: string, unit: DisplayUnit): string {
  return unit.symbol === '' || number === '—' ? number : `${number} ${unit.symbol}`;
}

/** One value of a metric with its unit: "12.3 ms", "262 /s", "45.2 %", "1.5 MiB". */
export function formatValue(key: string, value: number, catalogue?: MetricCatalogue): string {
  if (!Number.isFinite(value)) return formatNumber(value);
  const unit = unitFor(key, value, catalogue);
  return withSymbol(formatNumber(value * unit.factor), unit);
}

/**
 * A mean with its 95 % interval as a half-width in the mean's unit: "12.3 ms ± 0.41"; an
 * interval cut at the metric's bounds is no longer symmetric, so its ends are given instead:
 * "5.00 s (0 … 30.4 s)". One replication claims no interval: "2.00 ms ± n/a"; no value is "—".
 */
export function formatEstimate(key: string, estimate: Estimate, catalogue?: MetricCatalogue): string {
  const { mean, low, high, n } = estimate;
  if (n === 0 || Number.isNaN(mean)) return '—';
  if (!Number.isFinite(mean)) return formatNumber(mean);
  const unit = unitFor(key, mean, catalogue);
  const text = withSymbol(formatNumber(mean * unit.factor), unit);
  if (n < 2) return `${text} ± n/a`;
  const half = (high - low) / 2;
  if (!Number.isFinite(half)) return `${text} ± ?`;
  const centre = (high + low) / 2;
  if (Math.abs(centre - mean) > 1e-9 * Math.max(Math.abs(mean), Math.abs(half))) {
    return `${text} (${withSymbol(`${formatNumber(low * unit.factor)} … ${formatNumber(high * unit.factor)}`, unit)})`;
  }
  return `${text} ± ${formatHalfWidth(half, mean, unit.factor)}`;
}

/**
 * A half-width, shown as 0 when it is floating-point rounding of identical values (below a
 * billionth of the value it qualifies) rather than a spread: "± 0", not "± 0.000000000000000081".
 */
function formatHalfWidth(half: number, reference: number, factor: number): string {
  return Math.abs(half) <= 1e-9 * Math.abs(reference) ? '0' : formatNumber(half * factor, 2);
}

/** A signed difference with its 95 % half-width, both in the difference's unit: "−1.2 ms ± 0.3". */
export function formatDifference(key: string, difference: number, halfWidth: number, catalogue?: MetricCatalogue): string {
  if (!Number.isFinite(difference)) return formatNumber(difference);
  const unit = unitFor(key, difference, catalogue);
  const sign = difference > 0 ? '+' : '';
  const half = Number.isFinite(halfWidth) ? ` ± ${formatHalfWidth(halfWidth, difference, unit.factor)}` : '';
  return `${withSymbol(`${sign}${formatNumber(difference * unit.factor, 2)}`, unit)}${half}`;
}

/**
 * A difference from a baseline with its share of the baseline's mean and its 95 % interval, all
 * in one unit: "−180 µs (−39 %, 95 % CI −200 … −160 µs)". The share is left out where the
 * baseline's mean is 0.
 */
export function formatBaselineDifference(key: string, difference: { mean: number; ci95: [number, number] }, baselineMean: number, catalogue?: MetricCatalogue): string {
  const { mean, ci95 } = difference;
  if (!Number.isFinite(mean)) return formatNumber(mean);
  const shown = unitFor(key, Math.max(Math.abs(mean), Math.abs(ci95[0]), Math.abs(ci95[1])) || mean, catalogue);
  // A difference of two shares is in percentage points; "%" is kept for the relative change.
  const unit = shown.symbol === '%' ? { ...shown, symbol: 'pp' } : shown;
  const signed = (x: number, digits: number) => `${x > 0 ? '+' : ''}${formatNumber(x, digits)}`;
  const share = baselineMean !== 0 && Number.isFinite(baselineMean) ? `${signed((mean / Math.abs(baselineMean)) * 100, 2)} %, ` : '';
  const interval = Number.isFinite(ci95[0]) && Number.isFinite(ci95[1]) ? `95 % CI ${withSymbol(`${formatNumber(ci95[0] * unit.factor, 2)} … ${formatNumber(ci95[1] * unit.factor, 2)}`, unit)}` : '95 % CI n/a';
  return `${withSymbol(signed(mean * unit.factor, 2), unit)} (${share}${interval})`;
}

/**
 * A setting's value as a label: scalars as the file wrote them, a list in brackets, a mapping
 * without braces or quotes: { zipf: 1 } → "zipf=1", { keepAlive: { maxRequests: 100 } } →
 * "keepAlive(maxRequests=100)".
 */
export function formatSetting(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return '—';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(formatSetting).join(', ')}]`;
  return Object.entries(value as Record<string, unknown>)
    .map(([key, inner]) => (inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? `${key}(${formatSetting(inner)})` : `${key}=${formatSetting(inner)}`))
    .join(', ');
}
