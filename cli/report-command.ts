// `k8s-netsim report <results-dir>`: re-render report.html, report.md and charts/ from the results
// a run left (reports/ reads results files only; it never runs a simulation).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeReports } from '../reports/index.js';
import { repairSummaries } from '../runner/run.js';
import { EXIT, UsageError, type Io } from './io.js';

export const REPORT_USAGE = 'k8s-netsim report <results-dir>';

export async function reportCommand(argv: string[], io: Io): Promise<number> {
  const dirs = argv.filter((a) => !a.startsWith('--'));
  if (dirs.length !== 1) throw new UsageError(`usage: ${REPORT_USAGE}`);
  const dir = dirs[0];
  if (!existsSync(join(dir, 'points.jsonl')) && !existsSync(join(dir, 'summary.json'))) {
    throw new UsageError(`${dir} holds no results (no points.jsonl or summary.json): run an experiment into it first`);
  }
  // summary.json and constants.json are derived from the runs: damaged ones are rebuilt first.
  const rebuilt = repairSummaries(dir);
  if (rebuilt.length > 0) io.stderr.write(`${rebuilt.join(' and ')} ${rebuilt.length === 1 ? 'was' : 'were'} damaged: rebuilt from points.jsonl\n`);
  await renderReports(dir, io);
  return EXIT.ok;
}

/** Writes the reports of `dir` and tells the user where report.html is. */
export async function renderReports(dir: string, io: Io, quiet = false): Promise<void> {
  await writeReports(dir);
  if (!quiet) io.stderr.write(`report: ${join(dir, 'report.html')} (and report.md, charts/)\n`);
}
