// The k8s-netsim command: dispatch to the subcommands, and turn their errors into exit codes
// (cli/io.ts EXIT): an expected fault is one line, never a stack trace.

import { readFileSync } from 'node:fs';
import { DamagedResultsError } from '../reports/inputs.js';
import { escapeControls, InputError } from '../runner/source.js';
import { didYouMean } from '../runner/suggest.js';
import { demo, DEMO_USAGE } from './demo.js';
import { commandHelp, hasHelp } from './help.js';
import { describeSystemError, EXIT, reportInputError, UsageError, type Io } from './io.js';
import { jobCommand, JOB_USAGE, mergeCommand, MERGE_USAGE, schemaCommand, SCHEMA_USAGE } from './other-commands.js';
import { planCommand, PLAN_USAGE } from './plan-command.js';
import { reportCommand, REPORT_USAGE } from './report-command.js';
import { runCommand, RUN_USAGE, validateCommand, VALIDATE_USAGE } from './run-command.js';
import { validationCommand, VALIDATION_USAGE } from './validation-command.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const USAGE = `k8s-netsim ${VERSION}: a discrete-event simulator of the Kubernetes network

usage:
  ${RUN_USAGE}
      run every point × replication of an experiment into a results directory (default results/<name>/)
  ${VALIDATE_USAGE}
      check an experiment and print its points and the work they take; runs nothing
  ${PLAN_USAGE}
      find the cheapest spec.plan.minimize setting that meets every spec.slo bound
  ${REPORT_USAGE}
      write report.html, report.md and charts/ from a results directory
  ${MERGE_USAGE}
      join shards' results directories into what one run would have written
  ${JOB_USAGE}
      print a Kubernetes Indexed Job (and its ConfigMap) running the experiment as N shards
  ${SCHEMA_USAGE}
      print the JSON Schema of experiment files
  ${VALIDATION_USAGE}
      run the validation experiments (default experiments/validation/) and write the model-versus-measurement
      table (default docs/validation.md and .json when the whole directory is run)
  ${DEMO_USAGE}

--set PATH=VALUE overrides a field of the file (VALUE is YAML), e.g. --set spec.duration=10s.
k8s-netsim <command> --help explains each option of a command.
exit codes: 0 success; 1 failed run (or a plan no setting meets, or a disk fault mid-run such as a full disk);
  2 bad input (including an output directory that is locked by another run, holds other results or completed
  runs without --resume, or cannot be written, and a damaged results file); 130 interrupted by SIGINT (Ctrl-C),
  143 terminated by SIGTERM: the results directory is consistent and --resume continues it.`;

const COMMANDS: Record<string, (argv: string[], io: Io) => number | Promise<number>> = {
  run: runCommand,
  validate: validateCommand,
  plan: planCommand,
  report: reportCommand,
  merge: mergeCommand,
  schema: schemaCommand,
  job: (argv, io) => jobCommand(argv, io, VERSION),
  validation: validationCommand,
  demo,
};

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'help' && rest.length > 0 && hasHelp(rest[0])) {
    io.stdout.write(`${commandHelp(rest[0])}\n`);
    return EXIT.ok;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(`${USAGE}\n`);
    return command === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (command === '--version') {
    io.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const handler = COMMANDS[command];
  if (handler === undefined) {
    io.stderr.write(`unknown command '${command}'${didYouMean(command, Object.keys(COMMANDS))}\n\n${USAGE}\n`);
    return EXIT.badInput;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return EXIT.ok;
  }
  const json = rest.includes('--json');
  try {
    return await handler(rest, io);
  } catch (error) {
    if (error instanceof InputError) return reportInputError(io, error, json);
    if (error instanceof UsageError) {
      io.stderr.write(`${error.message}\n`);
      if (json) io.stdout.write(`${JSON.stringify({ ok: false, errors: [{ message: error.message }] })}\n`);
      return EXIT.badInput;
    }
    if (error instanceof DamagedResultsError) {
      io.stderr.write(`${escapeControls(error.message)}\n`);
      return EXIT.badInput;
    }
    const system = describeSystemError(error, command);
    if (system !== undefined) {
      io.stderr.write(`${system.line}\n`);
      return system.exit;
    }
    // Anything else is a bug: the stack is what its report needs.
    io.stderr.write(`k8s-netsim ${command} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failed;
  }
}
