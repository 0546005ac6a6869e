// `k8s-netsim <command> --help`: one command's usage, what it does, and each option in a line,
// so that a user finds --resume or --shard without reading the global help.

import { DEMO_USAGE } from './demo.js';
import { JOB_USAGE, MERGE_USAGE, SCHEMA_USAGE } from './other-commands.js';
import { PLAN_USAGE } from './plan-command.js';
import { REPORT_USAGE } from './report-command.js';
import { RUN_USAGE, VALIDATE_USAGE } from './run-command.js';
import { VALIDATION_USAGE } from './validation-command.js';

interface CommandHelp {
  usage: string;
  does: string;
  options: [string, string][];
}

const SET: [string, string] = ['--set PATH=VALUE', 'override a field of the file (VALUE is YAML), e.g. --set spec.duration=10s; repeatable'];
const REPLICATIONS: [string, string] = ['--replications N', 'replications per point, instead of spec.replications'];
const SEED: [string, string] = ['--seed N', 'seed of every random stream, instead of spec.seed'];
const WORKERS: [string, string] = ['--workers N', 'simulations in parallel (default: the cores available)'];
const JSON_OPTION: [string, string] = ['--json', 'print the result (or the errors) as JSON on standard output, and nothing else'];
const QUIET: [string, string] = ['--quiet', 'print no progress or summary on standard error'];
const SHARD: [string, string] = ['--shard I/N', 'only shard I of N (0 ≤ I < N) of the point × replication jobs'];

const HELP: Record<string, CommandHelp> = {
  run: {
    usage: RUN_USAGE,
    does: 'run every point × replication of an experiment into a results directory, print the headline table and write the report',
    options: [
      ['--out DIR', 'results directory (default results/<name>/, results/<name>.shard-I-of-N/ with --shard)'],
      WORKERS,
      REPLICATIONS,
      SEED,
      [SHARD[0], `${SHARD[1]}; join the shards with merge`],
      ['--resume', 'keep the runs a stopped run left in the directory and run only the rest'],
      ['--force', 'overwrite a directory holding other results; allow sweeps of more than 10,000 points'],
      SET,
      JSON_OPTION,
      QUIET,
    ],
  },
  validate: {
    usage: VALIDATE_USAGE,
    does: 'check an experiment and print its points and the work they take; runs nothing',
    options: [REPLICATIONS, SEED, SHARD, SET, ['--force', 'allow sweeps of more than 10,000 points'], ['--json', 'print the points and the work as JSON']],
  },
  plan: {
    usage: PLAN_USAGE,
    does: 'find the cheapest spec.plan.minimize setting meeting every spec.slo bound (spec.plan.search: bisect or exhaustive)',
    options: [
      ['--out DIR', 'results directory (default results/<name>/); runs already there are reused'],
      WORKERS,
      REPLICATIONS,
      SEED,
      SET,
      ['--force', 'overwrite a directory holding other results; allow sweeps of more than 10,000 points'],
      JSON_OPTION,
      QUIET,
    ],
  },
  report: {
    usage: REPORT_USAGE,
    does: 'write report.html, report.md and charts/ from a results directory alone (no simulation runs)',
    options: [],
  },
  merge: {
    usage: MERGE_USAGE,
    does: "join shards' results directories into what one run would have written, and say which runs are missing",
    options: [
      ['--out DIR', 'the merged results directory (required)'],
      ['--force', 'overwrite a directory holding other results'],
      ['--json', 'print the merge result as JSON'],
    ],
  },
  job: {
    usage: JOB_USAGE,
    does: 'print a Kubernetes Indexed Job (and its ConfigMap) that runs the experiment as N shards',
    options: [
      ['--shards N', 'number of shards, one pod each (required)'],
      ['--image IMG', 'container image with k8s-netsim (default k8s-netsim:<version>)'],
      ['--pvc NAME', 'PersistentVolumeClaim the shards write their results to (default k8s-netsim-results)'],
      SET,
    ],
  },
  schema: {
    usage: SCHEMA_USAGE,
    does: 'print the JSON Schema of experiment files (for editors: # yaml-language-server: $schema=…)',
    options: [],
  },
  validation: {
    usage: VALIDATION_USAGE,
    does: 'run the validation experiments (default experiments/validation/) and print the model-versus-measurement table',
    options: [
      ['--out DIR', 'root of the results directories, one per experiment (default results/validation/)'],
      ['--doc FILE.md', 'write the table to FILE.md and FILE.json (default docs/validation.md when the whole directory runs)'],
      WORKERS,
      ['--json', 'print the rows as JSON'],
      QUIET,
    ],
  },
  demo: {
    usage: DEMO_USAGE.split('   ')[0],
    does: 'simulate an M/M/1 queue at ρ = 0.9 with replications and compare it with queueing theory',
    options: [
      ['--replications N', 'replications (default 10, at least 2)'],
      ['--seed N', 'seed (default 1)'],
    ],
  },
};

export function hasHelp(command: string): boolean {
  return HELP[command] !== undefined;
}

/** One command's help: usage, what it does, and one line per option. */
export function commandHelp(command: string): string {
  const help = HELP[command];
  const width = Math.max(0, ...help.options.map(([flag]) => flag.length));
  const lines = [`usage: ${help.usage}`, '', help.does];
  if (help.options.length > 0) lines.push('', 'options:', ...help.options.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`));
  lines.push('', 'exit codes: 0 success, 1 failed run (or a plan no setting meets), 2 bad input, 130 interrupted.');
  return lines.join('\n');
}
