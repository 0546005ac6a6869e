// `merge`, `schema` and `job`: joining shards, the JSON Schema of experiment files, and the
// Kubernetes Indexed Job that runs an experiment as shards.

import { experimentJsonSchema } from '../runner/experiment.js';
import { indexedJobManifests } from '../runner/job.js';
import { mergeResults } from '../runner/merge.js';
import { count } from './format.js';
import { EXIT, parseOptions, UsageError, wholeNumber, writeJson, type Io } from './io.js';
import { loadFromArgs, onePositional } from './run-command.js';

export const MERGE_USAGE = 'k8s-netsim merge <results-dir>... --out DIR [--force] [--json]';
export const SCHEMA_USAGE = 'k8s-netsim schema';
export const JOB_USAGE = 'k8s-netsim job <experiment.yaml> --shards N [--image IMG] [--pvc NAME] [--set PATH=VALUE]...';

export function mergeCommand(argv: string[], io: Io): number {
  const { values, positionals } = parseOptions(argv, { out: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } });
  if (positionals.length === 0 || values.out === undefined) throw new UsageError(`merge needs results directories and --out\nusage: ${MERGE_USAGE}`);
  const result = mergeResults(positionals, values.out, values.force === true);
  if (values.json === true) writeJson(io, { ...result, ok: result.missing.length === 0 });
  else {
    io.stdout.write(`merged ${count(positionals.length, 'directory', 'directories')} of ${result.experiment} into ${result.out}/: ${result.runs} of ${result.expected} runs\n`);
    if (result.missing.length > 0) io.stderr.write(`incomplete: ${count(result.missing.length, 'run')} missing (first: point ${result.missing[0].point} replication ${result.missing[0].replication})\n`);
  }
  return result.missing.length === 0 ? EXIT.ok : EXIT.failed;
}

export function schemaCommand(argv: string[], io: Io): number {
  const { positionals } = parseOptions(argv, {});
  if (positionals.length > 0) throw new UsageError(`schema takes no arguments\nusage: ${SCHEMA_USAGE}`);
  writeJson(io, experimentJsonSchema());
  return EXIT.ok;
}

export function jobCommand(argv: string[], io: Io, version: string): number {
  const { values, positionals } = parseOptions(argv, {
    shards: { type: 'string' },
    image: { type: 'string' },
    pvc: { type: 'string' },
    set: { type: 'string', multiple: true },
  });
  const file = onePositional(positionals, JOB_USAGE);
  const shards = wholeNumber(values.shards, '--shards', 1, 100_000);
  if (shards === undefined) throw new UsageError(`job needs --shards N\nusage: ${JOB_USAGE}`);
  const loaded = loadFromArgs({ file, set: values.set });
  io.stdout.write(
    indexedJobManifests({
      file,
      // The document as loaded, so that --set overrides travel with it to every shard.
      text: String(loaded.source.doc),
      name: loaded.name,
      shards,
      image: values.image ?? `k8s-netsim:${version}`,
      pvc: values.pvc ?? 'k8s-netsim-results',
      version,
    }),
  );
  return EXIT.ok;
}
