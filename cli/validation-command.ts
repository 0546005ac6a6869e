// `validation`: run the validation experiments (experiments/validation/), read each row of their
// spec.validation from the results, print the model-versus-measurement table and write
// docs/validation.md and docs/validation.json. Every file is checked before anything runs; each
// experiment's results go to results/validation/<name>/ and are reused when its spec has not
// changed (an interrupted validation resumes where it stopped). The documents are written only
// when every experiment completed, and only for the whole directory unless --doc is given, so
// a partial run never replaces the published table with part of it.

import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { writeFileAtomic } from '../reports/atomic.js';
import { validationJson, validationMarkdown, validationText, type ValidationExperiment, type ValidationResult } from '../reports/validation-table.js';
import { loadExperiment, type LoadedExperiment } from '../runner/load.js';
import { readManifest, readPoints } from '../runner/results-dir.js';
import { WorkerPool } from '../runner/pool.js';
import { progressReporter } from '../runner/progress.js';
import { runExperiment } from '../runner/run.js';
import { InputError } from '../runner/source.js';
import { evaluateRows } from '../runner/validation.js';
import { count, table } from './format.js';
import { EXIT, parseOptions, UsageError, wholeNumber, writeJson, type Io } from './io.js';

export const VALIDATION_USAGE = 'k8s-netsim validation [FILE|DIR]... [--out DIR] [--doc FILE.md] [--workers N] [--json] [--quiet]';

export const DEFAULT_VALIDATION_DIR = 'experiments/validation';
const DEFAULT_OUT = join('results', 'validation');
const DEFAULT_DOC = join('docs', 'validation.md');

/** The experiment files named: files as given, directories as their *.yaml files in name order. */
export function validationFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    if (!existsSync(path)) throw new UsageError(`no such file or directory: ${path}`);
    if (statSync(path).isDirectory()) {
      files.push(...readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f)));
    } else {
      files.push(path);
    }
  }
  if (files.length === 0) throw new UsageError(`no experiment files in ${paths.join(', ')}`);
  return files;
}

export async function validationCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(argv, {
    out: { type: 'string' },
    doc: { type: 'string' },
    workers: { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
  });
  const workers = wholeNumber(values.workers, '--workers', 1, 1024) ?? availableParallelism();
  const whole = positionals.length === 0;
  const files = validationFiles(whole ? [DEFAULT_VALIDATION_DIR] : positionals);
  const doc = values.doc ?? (whole ? DEFAULT_DOC : undefined);
  const outRoot = values.out ?? DEFAULT_OUT;
  const quiet = values.quiet === true || values.json === true;
  const say = (line: string) => {
    if (!quiet) io.stderr.write(`${line}\n`);
  };

  const loaded = loadAll(files);
  const experiments: ValidationExperiment[] = [];
  const results: ValidationResult[] = [];
  // One pool for every experiment: starting workers costs more than most of these runs.
  const pool = await WorkerPool.start(workers);
  try {
    for (const experiment of loaded) {
      const out = join(outRoot, experiment.name);
      const bar = quiet ? undefined : progressReporter(io.stderr, experiment.name);
      const run = await runExperiment(experiment, { out, workers, resume: true, force: true, signal: io.signal, pool, onProgress: bar?.update });
      bar?.done();
      say(`${experiment.name}: ${run.status}, ${count(run.ran, 'run')} (${count(run.skipped, 'reused run')}) in ${run.wallSeconds.toFixed(1)} s`);
      if (run.status === 'failed') {
        io.stderr.write(`validation failed: ${run.error}\n`);
        return EXIT.failed;
      }
      if (run.status === 'interrupted') {
        say('interrupted: run the same command again to resume');
        return EXIT.interrupted;
      }
      experiments.push(describe(experiment, doc));
      results.push(...evaluate(experiment, out));
    }
  } finally {
    await pool.close();
  }

  if (values.json === true) writeJson(io, { rows: results });
  else io.stdout.write(`${table(validationText(results))}\n`);
  const within = results.filter((r) => r.within).length;
  say(`${within} of ${count(results.length, 'row')} within tolerance`);
  if (doc !== undefined) {
    mkdirSync(dirname(doc), { recursive: true });
    writeFileAtomic(doc, validationMarkdown(experiments, results, whole ? 'npm run validate' : `k8s-netsim validation ${positionals.join(' ')}`));
    writeFileAtomic(doc.replace(/\.md$/, '') + '.json', validationJson(results));
    say(`wrote ${doc} and ${doc.replace(/\.md$/, '')}.json`);
  }
  return EXIT.ok;
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

const slashes = (path: string) => path.split('\\').join('/');

function describe(experiment: LoadedExperiment, doc: string | undefined): ValidationExperiment {
  return {
    name: experiment.name,
    file: slashes(relative(process.cwd(), experiment.file)),
    link: slashes(relative(dirname(doc ?? DEFAULT_DOC), experiment.file)),
    description: experiment.experiment.metadata.description,
    seed: experiment.spec.seed,
    replications: experiment.spec.replications,
    points: experiment.points.length,
  };
}

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
    mean,
    ci95,
    n,
    error,
    within,
  }));
}
