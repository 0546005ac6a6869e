// "Did you mean …?": the nearest of a set of valid names to a misspelt one, by edit distance
// (optimal string alignment: insertions, deletions, substitutions and adjacent swaps).

/** Edits that turn `a` into `b`, case-insensitive. */
function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = s.length + 1;
  const cols = t.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[rows - 1][cols - 1];
}

/**
 * The valid name nearest to `wrong`, if it is near enough to be a slip (at most a third of its
 * length, and at least 2, edits away; or one name contains the other); ties go to the first.
 */
export function nearest(wrong: string, valid: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  const lower = wrong.toLowerCase();
  for (const name of valid) {
    const distance = editDistance(wrong, name);
    const contains = name.length >= 3 && lower.length >= 3 && (name.toLowerCase().includes(lower) || lower.includes(name.toLowerCase()));
    const near = distance <= Math.max(2, Math.floor(wrong.length / 3)) || contains;
    if (near && distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** " (did you mean 'x'?)" or "". */
export function didYouMean(wrong: string, valid: Iterable<string>): string {
  const guess = nearest(wrong, valid);
  return guess === undefined ? '' : ` (did you mean '${guess}'?)`;
}
