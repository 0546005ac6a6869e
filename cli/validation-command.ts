// `validation`: run the validation experiments (experiments/validation/), read each row of their
// spec.validation from the results, print the model-versus-measurement table and write
// docs/validation.md and docs/validation.json. Every file is checked before anything runs; each
// experiment's results go to results/validation/<name>/ and are reused when its spec has not
// changed and the models are the same code and constants (an interrupted validation resumes
// where it stopped; a model change reruns everything, since a spec alone does not say what ran). The documents are written only
// when every experiment completed, and only for the whole directory unless --doc is given, so
// a partial run never replaces the published table with part of it. A whole run also rewrites the
// README's accuracy paragraph (between its markers) from the same rows.

import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { writeFileAtomic } from '../reports/atomic.js';
import { accuracyParagraph, spliceAccuracy, validationJson, validationMarkdown, validationText, type ValidationExperiment } from '../reports/validation-table.js';
import type { LoadedExperiment } from '../runner/load.js';
import { WorkerPool } from '../runner/pool.js';
import { progressReporter } from '../runner/progress.js';
import { runExperiment } from '../runner/run.js';
import { evaluate, loadAll, slashes, validationFiles, ValidationFilesError, type ValidationResult } from '../runner/validation.js';
import { count, table } from './format.js';
import { EXIT, parseOptions, UsageError, wholeNumber, writeJson, type Io } from './io.js';

export const VALIDATION_USAGE = 'k8s-netsim validation [FILE|DIR]... [--out DIR] [--doc FILE.md] [--workers N] [--json] [--quiet]';

const DEFAULT_VALIDATION_DIR = 'experiments/validation';
const DEFAULT_OUT = join('results', 'validation');
const DEFAULT_DOC = join('docs', 'validation.md');
const README = 'README.md';

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
  const files = namedFiles(whole ? [DEFAULT_VALIDATION_DIR] : positionals);
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
      // Runs of the same spec by the same model code are reused; any others are replaced.
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
  if (whole && values.doc === undefined) updateReadme(results, say);
  return EXIT.ok;
}

/** The README's accuracy paragraph follows the published table (only a whole run writes either). */
function updateReadme(results: ValidationResult[], say: (line: string) => void): void {
  if (!existsSync(README)) return;
  const updated = spliceAccuracy(readFileSync(README, 'utf8'), accuracyParagraph(results));
  if (updated === undefined) return;
  writeFileAtomic(README, updated);
  say(`updated the accuracy paragraph of ${README}`);
}

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

/** validationFiles(), with a missing path answered as a usage error (exit code and message as for any option). */
function namedFiles(paths: readonly string[]): string[] {
  try {
    return validationFiles(paths);
  } catch (error) {
    if (error instanceof ValidationFilesError) throw new UsageError(error.message);
    throw error;
  }
}
