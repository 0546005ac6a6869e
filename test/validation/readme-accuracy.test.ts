// The README's accuracy paragraph is generated from the last validation run (docs/validation.json),
// and every row outside its tolerance says what the model most likely lacks, so that the paragraph
// a new user reads names the misses and their causes rather than a count alone.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { accuracyParagraph, spliceAccuracy } from '../../reports/validation-table.js';

const ROOT = new URL('../../', import.meta.url).pathname;
type Row = Parameters<typeof accuracyParagraph>[0][number];
const doc = JSON.parse(readFileSync(join(ROOT, 'docs', 'validation.json'), 'utf8')) as { rows: Row[] };

const row = (figure: string, basis: Row['basis'], error: number, missing?: string): Row => ({ figure, basis, error, tolerance: 0.25, within: Math.abs(error) <= 0.25, ...(missing === undefined ? {} : { missing }) });

describe('the README accuracy paragraph', () => {
  it('is the one the last validation run gives', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(spliceAccuracy(readme, accuracyParagraph(doc.rows))).toBe(readme);
  });

  it('has a missing mechanism for every row outside its tolerance', () => {
    const unexplained = doc.rows.filter((r) => !r.within && r.missing === undefined).map((r) => r.figure);
    expect(unexplained).toEqual([]);
  });

  it('counts independent and fitted rows apart and lists misses worst first with their causes', () => {
    const text = accuracyParagraph([row('a', 'independent', 0.1), row('b', 'independent', -0.3, 'x'), row('c', 'fitted', 0), row('d', 'independent', 0.9, 'y')]);
    expect(text).toContain('2 of 4 rows are within tolerance');
    expect(text).toContain('1 of 3 independent predictions');
    expect(text).toContain('1 of 1 figures a constant was fitted to');
    expect(text.indexOf('d (+90.0 %')).toBeLessThan(text.indexOf('b (−30.0 %'));
    expect(text).toContain('most likely missing: y');
  });

  it('replaces only the text between its markers, and nothing without them', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const spliced = spliceAccuracy(readme, 'NEW')!;
    expect(spliced).toContain('NEW');
    expect(spliced.startsWith(readme.slice(0, readme.indexOf('<!-- accuracy')))).toBe(true);
    expect(spliced.endsWith(readme.slice(readme.indexOf('<!-- /accuracy -->')))).toBe(true);
    expect(spliceAccuracy('# no markers\n', 'NEW')).toBeUndefined();
  });
});
