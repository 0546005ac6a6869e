// Reports from a results directory (docs/architecture.md, "Reports"): report.html (self-contained), report.md,
// charts/<name>.svg with charts/<name>.vl.json, and summary.json/summary.csv where the runner
// has not written them. Reads results files only; never runs a simulation.

import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildAnswer } from './answer.js';
import { writeFileAtomic } from './atomic.js';
import { buildCharts, renderSvg } from './charts/index.js';
import { renderHtml } from './html.js';
import { readResults, type InputOverrides } from './inputs.js';
import { renderMarkdown } from './markdown.js';
import { summaryCsv, summaryJson } from './summary-files.js';

export type { ExperimentFile, PlanFile, PointLine } from './inputs.js';

export interface WriteReportsOptions extends InputOverrides {}

export interface WrittenReports {
  /** Paths written, relative to the results directory. */
  files: string[];
}

/**
 * Writes the reports of the results in `resultsDir`. `options` may hand over the experiment,
 * the constants or the plan in memory instead of experiment.json, constants.json or plan.json.
 */
export async function writeReports(resultsDir: string, options: WriteReportsOptions = {}): Promise<WrittenReports> {
  const results = readResults(resultsDir, options);
  const answer = buildAnswer(results);
  const charts = buildCharts(results, answer.metrics.map((m) => m.key));
  const rendered = [];
  for (const chart of charts) rendered.push({ chart, svg: await renderSvg(chart.spec) });

  const files: string[] = [];
  const write = (name: string, content: string) => {
    writeFileAtomic(join(resultsDir, name), content);
    files.push(name);
  };
  if (!existsSync(join(resultsDir, 'summary.json'))) write('summary.json', summaryJson(results.summary));
  if (!existsSync(join(resultsDir, 'summary.csv'))) write('summary.csv', summaryCsv(results.summary));

  const chartsDir = join(resultsDir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const current = new Set(rendered.flatMap(({ chart }) => [`${chart.name}.svg`, `${chart.name}.vl.json`]));
  for (const stale of readdirSync(chartsDir)) {
    if ((stale.endsWith('.svg') || stale.endsWith('.vl.json')) && !current.has(stale)) rmSync(join(chartsDir, stale));
  }
  for (const { chart, svg } of rendered) {
    write(`charts/${chart.name}.vl.json`, `${JSON.stringify(chart.spec, null, 2)}\n`);
    write(`charts/${chart.name}.svg`, `${svg}\n`);
  }
  write('report.md', renderMarkdown(results, answer, charts));
  write('report.html', renderHtml(results, answer, rendered));
  return { files };
}
