// `plan`: the cheapest setting that meets the experiment's SLO, and why it wins.

import { availableParallelism } from 'node:os';
import { planExperiment, planTarget, type Check, type Evaluation } from '../runner/plan.js';
import { progressBar } from '../runner/progress.js';
import { checkOut } from '../runner/run.js';
import { formatMetric, formatSetting } from './format.js';
import { healthLines } from './health-lines.js';
import { renderReports } from './report-command.js';
import { EXIT, parseOptions, wholeNumber, writeJson, type Io } from './io.js';
import { defaultOut, EXPERIMENT_OPTIONS, loadFromArgs, onePositional } from './run-command.js';

export const PLAN_USAGE = 'k8s-netsim plan <experiment.yaml> [--out DIR] [--workers N] [--replications N] [--seed N] [--set PATH=VALUE]... [--force] [--json] [--quiet]';

export async function planCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseOptions(argv, { ...EXPERIMENT_OPTIONS, out: { type: 'string' }, workers: { type: 'string' }, quiet: { type: 'boolean' } });
  const file = onePositional(positionals, PLAN_USAGE);
  const workers = wholeNumber(values.workers, '--workers', 1, 1024) ?? availableParallelism();
  const loaded = loadFromArgs({ file, ...values });
  planTarget(loaded);
  const out = values.out ?? defaultOut(loaded.name);
  // plan always keeps the runs a directory of the same experiment holds (its rounds resume).
  checkOut(loaded, { out, force: values.force, resume: true });
  const quiet = values.quiet === true || values.json === true;
  const bar = !quiet && io.stderr.isTTY === true ? progressBar(io.stderr as NodeJS.WriteStream, `plan ${loaded.name}`) : undefined;
  const result = await planExperiment(loaded, { out, workers, force: values.force, signal: io.signal, onProgress: bar?.update });
  bar?.done();
  const unmet = result.decisions.filter((d) => d.chosen === null).length;
  if (values.json === true) {
    writeJson(io, { ...result, ok: result.status === 'complete' && unmet === 0 });
  } else if (result.status === 'complete') {
    const lines: string[] = [];
    const bounds = Object.entries(loaded.spec.slo).map(([k, b]) => `${k} ${b.op} ${b.text}`).join(', ');
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
      if (atChosen !== undefined) lines.push(`  deciding bound ${d.decidingBound}: ${describe(atChosen)} at ${formatSetting(d.chosen.value)}`);
      if (d.runnerUp !== null) {
        const atRunnerUp = decidingCheck(d.runnerUp);
        lines.push(`  runner-up ${formatSetting(d.runnerUp.value)} fails it: ${atRunnerUp === undefined ? describeFailures(d.runnerUp) : describe(atRunnerUp)}`);
      } else {
        lines.push(`  it is the cheapest setting swept: try smaller values to tighten the plan`);
      }
    }
    lines.push(`runs: ${result.runs} new; results in ${out}/ (plan.json, summary.json)`);
    lines.push(...healthLines(out));
    io.stdout.write(`${lines.join('\n')}\n`);
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

function describe(c: Check): string {
  return `${formatMetric(c.metric, c.mean)} [${formatMetric(c.metric, c.ci95[0])}, ${formatMetric(c.metric, c.ci95[1])}]`;
}

function describeFailures(e: Evaluation): string {
  return e.checks
    .filter((c) => !c.meets)
    .map((c) => `${c.metric} ${c.op} ${c.bound} (${describe(c)})`)
    .join('; ');
}
