// The model-versus-measurement table (docs/validation.md): one row per published figure, grouped
// by the experiment that reproduces it, with the model's mean and 95 % interval in the published
// value's unit, the signed relative error, and whether it is within the tolerance the experiment
// file stated before the run. A summary first: how many rows hold, counted apart for figures a
// constant was fitted to (agreement by construction) and for independent ones, and the worst misses.
// Deterministic text: no dates or timings, so a rerun of the same models gives the same bytes.

import { escapeMarkdown } from './escape.js';
import { displayUnit, formatNumber, type DisplayUnit } from './format.js';

export interface ValidationResult {
  experiment: string;
  /** The experiment file, relative to the working directory. */
  file: string;
  figure: string;
  source: string;
  published: number | [number, number];
  unit: string;
  tolerance: number;
  why: string;
  basis: 'fitted' | 'independent';
  note?: string;
  /** For a miss: the mechanism the model most likely lacks. */
  missing?: string;
  mean: number;
  ci95: [number, number];
  n: number;
  error: number;
  within: boolean;
}

export interface ValidationExperiment {
  name: string;
  file: string;
  /** The file as a link from the document's folder. */
  link: string;
  description: string;
  seed: number;
  replications: number;
  points: number;
}

const BIT_RATE_UNITS: DisplayUnit[] = [
  { factor: 1e-9, symbol: 'Gbit/s' },
  { factor: 1e-6, symbol: 'Mbit/s' },
  { factor: 1e-3, symbol: 'kbit/s' },
  { factor: 1, symbol: 'bit/s' },
];

/** The unit a row is shown in, chosen from the published value so that both columns share it. */
function rowUnit(unit: string, magnitude: number): DisplayUnit {
  switch (unit) {
    case 's':
      return displayUnit('duration', magnitude);
    case 'B':
      return displayUnit('bytes', magnitude);
    case 'bit/s':
      return BIT_RATE_UNITS.find((u) => Math.abs(magnitude) * u.factor >= 1) ?? BIT_RATE_UNITS[BIT_RATE_UNITS.length - 1];
    case 'ratio':
      return { factor: 1, symbol: '' };
    default:
      return { factor: 1, symbol: unit };
  }
}

const withSymbol = (text: string, unit: DisplayUnit) => (unit.symbol === '' || text === '—' ? text : `${text} ${unit.symbol}`);

function publishedMagnitude(published: number | [number, number]): number {
  return typeof published === 'number' ? published : published[1];
}

/**
 * A number for the table: `significant` digits, trailing zeros dropped (a published "49 µs" reads
 * as written), thousands separated ("33,669 QPS"), no exponent.
 */
function tableNumber(value: number, significant: number): string {
  if (!Number.isFinite(value)) return formatNumber(value);
  const rounded = Number(value.toPrecision(significant));
  const digits = Math.max(0, significant - 1 - Math.floor(Math.log10(Math.abs(rounded) || 1)));
  const text = rounded.toLocaleString('en-US', { maximumFractionDigits: Math.min(digits, 20), useGrouping: true });
  return text.replace(/^-/, '−');
}

/** Published values keep up to 6 significant digits (they are shown as the source wrote them). */
function formatPublished(result: Pick<ValidationResult, 'published' | 'unit'>): string {
  const unit = rowUnit(result.unit, publishedMagnitude(result.published));
  const p = result.published;
  return typeof p === 'number' ? withSymbol(tableNumber(p * unit.factor, 6), unit) : withSymbol(`${tableNumber(p[0] * unit.factor, 6)}–${tableNumber(p[1] * unit.factor, 6)}`, unit);
}

/** The model's mean to 4 significant digits, in the published value's unit, ± the 95 % half-width to 2. */
function formatModel(result: Pick<ValidationResult, 'published' | 'unit' | 'mean' | 'ci95' | 'n'>): string {
  if (result.n === 0 || !Number.isFinite(result.mean)) return '—';
  const unit = rowUnit(result.unit, publishedMagnitude(result.published));
  const mean = withSymbol(tableNumber(result.mean * unit.factor, 4), unit);
  if (result.n < 2) return `${mean} (n = 1)`;
  const half = (result.ci95[1] - result.ci95[0]) / 2;
  const spread = Math.abs(half) <= 1e-9 * Math.abs(result.mean) ? '0' : tableNumber(half * unit.factor, 2);
  return `${mean} ± ${spread}`;
}

function formatError(error: number): string {
  if (!Number.isFinite(error)) return '—';
  const percent = error * 100;
  const text = Math.abs(percent) < 0.05 ? '0.0' : percent.toFixed(1);
  return `${percent > 0 && text !== '0.0' ? '+' : ''}${text.replace(/^-/, '−')} %`;
}

/** Text ending in a full stop. */
const sentence = (text: string) => (/[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`);

const formatTolerance = (tolerance: number) => `±${Number((tolerance * 100).toPrecision(3))} %`;

/** How far outside its tolerance a row is: |error| / tolerance (≤ 1 within). */
const severity = (r: Pick<ValidationResult, 'error' | 'tolerance'>) => (Number.isFinite(r.error) ? Math.abs(r.error) / r.tolerance : Infinity);

function countLine(rows: ValidationResult[], what: string): string {
  const within = rows.filter((r) => r.within).length;
  return `${what}: ${within} of ${rows.length} within tolerance`;
}

/** docs/validation.md. */
export function validationMarkdown(experiments: ValidationExperiment[], results: ValidationResult[], command: string): string {
  const fitted = results.filter((r) => r.basis === 'fitted');
  const independent = results.filter((r) => r.basis === 'independent');
  const misses = results.filter((r) => !r.within).sort((a, b) => severity(b) - severity(a));
  const out: string[] = [
    '# Validation: the models against published measurements',
    '',
    `Generated by \`${command}\` from the experiment files linked below; do not edit by hand.`,
    'Each experiment sets up the published test bed as far as the models can express it (its file says how, and what it cannot).',
    'Each row\'s tolerance was written into the experiment file before the run, from the source\'s own precision; the reason is in the file (`why`).',
    'The model value is the mean over replications with its Student-t 95 % interval (±); the error is the mean\'s relative error against the published value (0 inside a published range).',
    '',
    '**Basis.** *fitted*: a constant of the model was fitted or derived from this very figure, so agreement shows the fit carried through the whole simulation, not that the model predicts it. *independent*: no constant was taken from it; these rows are the evidence of predictive accuracy.',
    '',
    '## Summary',
    '',
    `- ${countLine(results, 'All rows')}`,
    `- ${countLine(independent, 'Independent rows')}`,
    `- ${countLine(fitted, 'Fitted rows')}`,
  ];
  if (misses.length > 0) out.push(`- Misses, worst first: ${missList(misses, misses.length)}`);
  out.push('');
  for (const experiment of experiments) {
    const rows = results.filter((r) => r.experiment === experiment.name);
    out.push(`## ${escapeMarkdown(experiment.name)}`, '');
    if (experiment.description !== '') out.push(`${escapeMarkdown(experiment.description)}`, '');
    out.push(`[\`${experiment.file}\`](${experiment.link}) · ${experiment.points} point${experiment.points === 1 ? '' : 's'} × ${experiment.replications} replication${experiment.replications === 1 ? '' : 's'}, seed ${experiment.seed}`, '');
    out.push('| Figure | Published | Model (95 % CI) | Error | Tolerance | Within | Basis | Source |', '|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      out.push(
        `| ${[
          escapeMarkdown(r.figure),
          formatPublished(r),
          formatModel(r),
          formatError(r.error),
          formatTolerance(r.tolerance),
          r.within ? 'yes' : '**no**',
          r.basis,
          escapeMarkdown(r.source),
        ].join(' | ')} |`,
      );
    }
    // Rows that share a note and a reason (one figure at several sizes) get one line.
    const notes = new Map<string, string[]>();
    for (const r of rows.filter((r) => r.note !== undefined || !r.within)) {
      const note = r.note ?? (r.missing === undefined ? 'outside its tolerance; no explanation recorded in the experiment file' : 'outside its tolerance');
      const missing = r.within || r.missing === undefined ? '' : ` Most likely missing: ${escapeMarkdown(sentence(r.missing))}`;
      const text = `${escapeMarkdown(sentence(note))}${missing} Tolerance: ${escapeMarkdown(sentence(r.why))}`;
      notes.set(text, [...(notes.get(text) ?? []), `*${escapeMarkdown(r.figure)}*`]);
    }
    if (notes.size > 0) {
      out.push('');
      for (const [text, figures] of notes) out.push(`- ${figures.join(', ')}: ${text}`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

type Judged = Pick<ValidationResult, 'figure' | 'basis' | 'error' | 'tolerance' | 'within' | 'missing'>;

/** Misses (worst first), at most `limit`: figure, error, tolerance and the mechanism the file says is missing. */
function missList(misses: readonly Judged[], limit: number): string {
  const shown = misses.slice(0, limit).map((r) => {
    const missing = r.missing === undefined ? '' : `; most likely missing: ${escapeMarkdown(r.missing.trim().replace(/[.]$/, ''))}`;
    return `${escapeMarkdown(r.figure)} (${formatError(r.error)}, tolerance ${formatTolerance(r.tolerance)}${missing})`;
  });
  return `${shown.join('; ')}${misses.length > limit ? `; and ${misses.length - limit} more in docs/validation.md` : ''}`;
}

/**
 * The README's accuracy paragraph, from the table's rows alone (docs/validation.json holds every
 * field it reads, so a test can check the README against the last run).
 */
export function accuracyParagraph(rows: readonly Judged[]): string {
  const count = (subset: readonly Judged[]) => `${subset.filter((r) => r.within).length} of ${subset.length}`;
  const fitted = rows.filter((r) => r.basis === 'fitted');
  const independent = rows.filter((r) => r.basis === 'independent');
  const misses = rows.filter((r) => !r.within).sort((a, b) => severity(b) - severity(a));
  const text = [
    `In its last run, ${count(rows)} rows are within tolerance: ${count(independent)} independent predictions (figures no constant was taken from: the evidence of predictive accuracy)`,
    `and ${count(fitted)} figures a constant was fitted to (the fit carries through the whole simulation).`,
  ];
  if (misses.length > 0) text.push(`The largest misses, by how far outside their tolerance: ${missList(misses, 6)}.`);
  return text.join(' ');
}

const ACCURACY_START = '<!-- accuracy: written by `npm run validate` from docs/validation.json; edits here are overwritten -->';
const ACCURACY_END = '<!-- /accuracy -->';

/** `readme` with the text between the accuracy markers replaced by `paragraph`; undefined when the markers are absent. */
export function spliceAccuracy(readme: string, paragraph: string): string | undefined {
  const start = readme.indexOf(ACCURACY_START);
  const end = readme.indexOf(ACCURACY_END);
  if (start < 0 || end < start) return undefined;
  return `${readme.slice(0, start + ACCURACY_START.length)}\n${paragraph}\n${readme.slice(end)}`;
}

/** docs/validation.json: the same rows, numbers at full precision (for tests and tools). */
export function validationJson(results: ValidationResult[]): string {
  const rows = results.map(({ experiment, figure, published, unit, tolerance, basis, mean, ci95, n, error, within, missing }) => ({ experiment, figure, published, unit, tolerance, basis, mean, ci95, n, error, within, ...(missing === undefined ? {} : { missing }) }));
  return `${JSON.stringify({ rows }, null, 2)}\n`;
}

/** The table for a terminal: one line per row. */
export function validationText(results: ValidationResult[]): string[][] {
  const rows = [['experiment', 'figure', 'published', 'model (95 % CI)', 'error', 'tolerance', 'within', 'basis']];
  for (const r of results) rows.push([r.experiment, r.figure, formatPublished(r), formatModel(r), formatError(r.error), formatTolerance(r.tolerance), r.within ? 'yes' : 'NO', r.basis]);
  return rows;
}
