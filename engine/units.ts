// Quantities as people write them: durations with units ("50us", "1.5s", "2m"), sizes ("1KiB",
// "1500B"), rates ("10Gbit/s"), parsed into SI numbers (seconds, bytes, bits per second). Generic:
// the models' settings schemas (models/units.ts) and the reports' SLO bounds both use it.

// Sub-unit scales are divisors so that "50us" parses to the float nearest 5e-5 (50 × 1e-6 does not).
const DURATION_UNITS: Record<string, number> = { ns: -1e9, us: -1e6, µs: -1e6, ms: -1e3, s: 1, m: 60, h: 3600 };
const SIZE_UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
const RATE_UNITS: Record<string, number> = { 'bit/s': 1, 'kbit/s': 1e3, 'Mbit/s': 1e6, 'Gbit/s': 1e9 };

const NUMBER_WITH_UNIT = /^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([A-Za-zµ/%]+)\s*$/;

function parseWithUnits(text: string, units: Record<string, number>, what: string): number {
  const match = NUMBER_WITH_UNIT.exec(text);
  if (match === null || !(match[2] in units)) {
    throw new Error(`'${text}' is not a ${what}: write a number with one of the units ${Object.keys(units).join(', ')}`);
  }
  const scale = units[match[2]];
  return scale < 0 ? Number(match[1]) / -scale : Number(match[1]) * scale;
}

/** "50us" → 5e-5 seconds. A bare number is taken as seconds. */
export function parseDuration(value: string | number): number {
  return typeof value === 'number' ? value : parseWithUnits(value, DURATION_UNITS, 'duration');
}

/** "1KiB" → 1024 bytes. A bare number is taken as bytes. */
export function parseSize(value: string | number): number {
  return typeof value === 'number' ? value : parseWithUnits(value, SIZE_UNITS, 'size');
}

/** "10Gbit/s" → 1e10 bits per second. A bare number is taken as bits per second. */
export function parseBitRate(value: string | number): number {
  return typeof value === 'number' ? value : parseWithUnits(value, RATE_UNITS, 'bit rate');
}

