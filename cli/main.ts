// Entry point of the k8s-netsim command (bin/k8s-netsim.mjs loads it through tsx). Ctrl-C aborts
// the running command, which stops cleanly; a second Ctrl-C exits at once.

import { runCli } from './cli.js';
import { EXIT } from './io.js';

// `k8s-netsim validate x.yaml | head`: a closed pipe ends the output, not with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(EXIT.interrupted);
  process.stderr.write('\ninterrupted: stopping (Ctrl-C again to quit at once)\n');
  controller.abort();
});

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
