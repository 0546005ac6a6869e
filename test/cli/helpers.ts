// Running the command in-process, with its output captured, for the CLI tests.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../cli/cli.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(argv: string[], signal?: AbortSignal): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    signal,
  });
  return { code, stdout, stderr };
}

export function scratchDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `k8s-netsim-${label}-`));
}
