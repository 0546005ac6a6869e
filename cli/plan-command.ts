// `plan`: the cheapest setting that meets the experiment's SLO, and why it wins.

import { availableParallelism } from 'node:os';
import { planExperiment, planTarget, type Check, type Evaluation } from '../runner/plan.js';
import { progressReporter } from '../runner/progress.js';
import { checkOut } from '../runner/run.js';
import { wrap } from './format.js';
import { formatSetting, formatValue } from '../reports/format.js';
import { formatCell } from './headline.js';
import { healthLines } from './health-lines.js';
import { renderReports } from './report-command.js';
import { EXIT, parseOptions, wholeNumber, writeJson, type Io } from './io.js';
import { defaultOut, estimateLine, EXPERIMENT_OPTIONS, loadFromArgs, onePositional } from './run-command.js';

export const PLAN_USAGE = `k8s-netsim plan <experiment.yaml> [--out DIR] [--workers N] [--replications N] [--seed N]
                  [--set PATH=VALUE]... [--force] [--max-memory SIZE] [--json] [--quiet]`;

export async function planCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(argv, { ...EXPERIMENT_OPTIONS, out: { type: 'string' }, workers: { type: 'string' }, quiet: { type: 'boolean' } });
  const file = onePositional(positionals, PLAN_USAGE);
  const workers = wholeNumber(values.workers, '--workers', 1, 1024) ?? availableParallelism();
  const quiet = values.quiet === true || values.json === true;
  const say = (line: string) => {
    if (!quiet) io.stderr.write(`${line}\n`);
  };
  const loaded = loadFromArgs({ file, ...values, progress: say });
  planTarget(loaded);
  const out = values.out ?? defaultOut(loaded.name);
  // plan always keeps the runs a directory of the same experiment holds (its rounds resume).
  checkOut(loaded, { out, force: values.force, resume: true });
  // The whole sweep's estimate: bisection runs fewer points, never more.
  say(estimateLine(loaded.work, loaded.budget, workers));
  const bar = quiet ? undefined : progressReporter(io.stderr, `plan ${loaded.name}`);
  const result = await planExperiment(loaded, { out, workers, force: values.force, signal: io.signal, onProgress: bar?.update });
  bar?.done();
  const unmet = result.decisions.filter((d) => d.chosen === null).length;
  if (values.json === true) {
    writeJson(io, { ...result, ok: result.status === 'complete' && unmet === 0 });
  } else if (result.status === 'complete') {
    const lines: string[] = [];
    const bounds = Object.entries(loaded.spec.slo).map(([metric, b]) => boundText({ metric, op: b.op, bound: b.text })).join(', ');
    lines.push(`plan ${loaded.name}: the smallest ${result.minimize} meeting ${bounds} (a bound is met when its whole 95 % CI is)`);
    for (const d of result.decisions) {
      const given = Object.entries(d.given).map(([k, v]) => `${k}=${formatSetting(v)}`).join(', ');
      const head = given === '' ? '' : `${given}: `;
      const how = `${d.search}, ${d.evaluated} of ${d.candidates} settings run`;
      if (d.chosen === null) {
        lines.push(`${head}no setting meets the bounds (${how})`);
        if (d.runnerUp !== null) lines.push(`  even ${result.minimize} = ${formatSetting(d.runnerUp.value)} fails ${describeFailures(d.runnerUp)}`);
        continue;
      }
      lines.push(`${head}${result.minimize} = ${formatSetting(d.chosen.value)}  (${how})`);
      const decidingCheck = (e: Evaluation) => e.checks.find((c) => `${c.metric} ${c.op} ${c.bound}` === d.decidingBound);
      const atChosen = decidingCheck(d.chosen);
      if (atChosen !== undefined) lines.push(`  deciding bound ${boundText(atChosen)}: ${describe(atChosen)} at ${formatSetting(d.chosen.value)}`);
      if (d.runnerUp !== null) {
        const atRunnerUp = decidingCheck(d.runnerUp);
        lines.push(`  runner-up ${formatSetting(d.runnerUp.value)} fails it: ${atRunnerUp === undefined ? describeFailures(d.runnerUp) : describe(atRunnerUp)}`);
      } else {
        lines.push(`  it is the cheapest setting swept: try smaller values to tighten the plan`);
      }
    }
    lines.push(`runs: ${result.runs} new; results in ${out}/ (plan.json, summary.json)`);
    lines.push(...healthLines(out));
    io.stdout.write(`${lines.map((line) => wrap(line, line.startsWith('  ') ? '      ' : '    ')).join('\n')}\n`);
  }
  if (result.status === 'failed') {
    io.stderr.write(`plan failed: ${result.error}\n`);
    return EXIT.failed;
  }
  if (result.status === 'interrupted') {
    // plan keeps every run a directory holds: the same command continues where this one stopped.
    io.stderr.write(`interrupted: ${out} is consistent; run the same plan command again to continue\n`);
    return EXIT.interrupted;
  }
  await renderReports(out, io, values.json === true || values.quiet === true);
  return unmet > 0 ? EXIT.failed : EXIT.ok;
}

/** A bound as written, and in the metric's display unit where that reads differently ("<= 0.1 (10.0 %)"). */
function boundText(c: Pick<Check, 'metric' | 'op' | 'bound'>): string {
  const written = c.bound.replace(/^\s*(<=|>=)\s*/, '');
  const value = Number(written);
  const shown = Number.isFinite(value) ? formatValue(c.metric, value) : written;
  return `${c.metric} ${c.op} ${written}${shown === written ? '' : ` (${shown})`}`;
}

/** The metric as the run table shows it: "289 µs ± 8.1". */
function describe(c: Check): string {
  return formatCell(c.metric, { mean: c.mean, ci95: c.ci95 });
}

function describeFailures(e: Evaluation): string {
  return e.checks
    .filter((c) => !c.meets)
    .map((c) => `${boundText(c)} (${describe(c)})`)
    .join('; ');
}
