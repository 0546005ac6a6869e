// Numbers for people: metric values in the units their names carry, and plain aligned tables.

/** A metric's value: durations (names with _seconds) in s, ms or µs; others to 4 significant digits. */
export function formatMetric(key: string, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return 'n/a';
  if (/_seconds[.{]/.test(key)) {
    const a = Math.abs(value);
    if (a === 0) return '0 s';
    if (a < 1e-3) return `${trim(value * 1e6)} µs`;
    if (a < 1) return `${trim(value * 1e3)} ms`;
    return `${trim(value)} s`;
  }
  return trim(value);
}

function trim(value: number): string {
  if (Math.abs(value) >= 1e4) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(4)));
}

export function formatSetting(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Rows of cells as columns padded to their widest cell. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
