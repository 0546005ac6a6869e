// Plain text for a terminal of 120 columns: aligned tables (split when too wide), wrapped lines
// and counted nouns. Numbers are formatted by reports/format.ts, as in the report.

/** The width every command's output keeps within. */
export const TERMINAL_COLUMNS = 120;
const GAP = 2;

/** Rows of cells as columns padded to their widest cell. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd()).join('\n');
}

/**
 * Tables of `keys` (columns that name a row, each a list of cells from the header down) followed
 * by `values` columns: a value column goes to a further table, which repeats the key columns,
 * once a line would pass `columns`. A value column too wide even alone gets a table of its own.
 */
export function splitTables(keys: readonly string[][], values: readonly string[][], columns = TERMINAL_COLUMNS): string[] {
  const widthOf = (cells: readonly string[]) => Math.max(0, ...cells.map((c) => c.length));
  const keysWidth = keys.reduce((sum, column) => sum + widthOf(column) + GAP, 0);
  const groups: number[][] = [];
  let current: number[] = [];
  let width = keysWidth;
  values.forEach((column, i) => {
    const w = widthOf(column) + GAP;
    if (current.length > 0 && width + w - GAP > columns) {
      groups.push(current);
      current = [];
      width = keysWidth;
    }
    current.push(i);
    width += w;
  });
  if (current.length > 0 || groups.length === 0) groups.push(current);
  const height = Math.max(0, ...[...keys, ...values].map((column) => column.length));
  return groups.map((group) => {
    const chosen = [...keys, ...group.map((i) => values[i])];
    return table(Array.from({ length: height }, (_, r) => chosen.map((column) => column[r] ?? '')));
  });
}

/** `text` broken at spaces into lines of at most `columns`, continuation lines indented by `indent`. */
export function wrap(text: string, indent = '  ', columns = TERMINAL_COLUMNS): string {
  const lead = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = lead;
  for (const word of text.slice(lead.length).split(' ')) {
    const candidate = line.trim() === '' ? `${line}${word}` : `${line} ${word}`;
    if (candidate.length > columns && line.trim() !== '') {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = candidate;
    }
  }
  lines.push(line);
  return lines.join('\n');
}

export function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
