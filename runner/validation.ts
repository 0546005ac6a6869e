// Running the validation set (experiments/validation/): which files it is, each loaded and
// checked before anything runs, and the rows of one experiment read from its results. The rows'
// schema and their evaluation live in validation-rows.ts; cli/validation-command.ts runs the
// experiments and writes docs/validation.md and docs/validation.json from what evaluate() returns.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadExperiment, type LoadedExperiment } from './load.js';
import { readManifest, readPoints } from './results-dir.js';
import { InputError } from './source.js';
import { evaluateRows, type ValidationRow } from './validation-rows.js';

/** One row of docs/validation.json: a published figure beside the model's value. */
export interface ValidationResult {
  experiment: string;
  /** The experiment file, relative to the working directory. */
  file: string;
  figure: string;
  source: string;
  published: ValidationRow['published'];
  unit: string;
  tolerance: number;
  why: string;
  basis: ValidationRow['basis'];
  note?: string;
  missing?: string;
  mean: number;
  ci95: [number, number];
  n: number;
  error: number;
  within: boolean;
}

/** A path named on the command line that is missing, or names no experiment file. */
export class ValidationFilesError extends Error {}

/** The experiment files named: files as given, directories as their *.yaml files in name order. */
export function validationFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new ValidationFilesError(`no such file or directory: ${path}`);
    if (statSync(path).isDirectory()) {
      files.push(...readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f)));
    } else {
      files.push(path);
    }
  }
  if (files.length === 0) throw new ValidationFilesError(`no experiment files in ${paths.join(', ')}`);
  return files;
}

/** Every file loaded and checked first: one bad file stops the validation before anything runs. */
export function loadAll(files: readonly string[]): LoadedExperiment[] {
  const loaded = files.map((file) => loadExperiment(file));
  const problems = loaded.filter((l) => l.spec.validation === undefined).map((l) => ({ file: l.file, line: 1, column: 1, message: 'spec.validation: a validation experiment lists the published figures it reproduces' }));
  if (problems.length > 0) throw new InputError(problems);
  const seen = new Map<string, string>();
  for (const l of loaded) {
    const other = seen.get(l.name);
    if (other !== undefined) throw new InputError([{ file: l.file, line: 1, column: 1, message: `metadata.name '${l.name}' is also the name of ${other}: each validation experiment needs its own results directory` }]);
    seen.set(l.name, l.file);
  }
  return loaded;
}

/** A path with forward slashes, as the documents print it on every platform. */
export const slashes = (path: string) => path.split('\\').join('/');

/** The rows of one experiment, from the results in `out`. */
export function evaluate(experiment: LoadedExperiment, out: string): ValidationResult[] {
  const manifest = readManifest(out)!;
  const { records } = readPoints(out, false);
  const file = slashes(relative(process.cwd(), experiment.file));
  return evaluateRows(experiment.spec.validation!, manifest, experiment.points, records).map(({ row, mean, ci95, n, error, within }) => ({
    experiment: experiment.name,
    file,
    figure: row.figure,
    source: row.source,
    published: row.published,
    unit: row.unit,
    tolerance: row.tolerance,
    why: row.why,
    basis: row.basis,
    ...(row.note === undefined ? {} : { note: row.note }),
    ...(row.missing === undefined ? {} : { missing: row.missing }),
    mean,
    ci95,
    n,
    error,
    within,
  }));
}
