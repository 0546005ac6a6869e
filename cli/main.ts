// Entry point of the k8s-netsim command (bin/k8s-netsim.mjs loads it through tsx). SIGINT (Ctrl-C)
// and SIGTERM (what Kubernetes sends a Job's pod) abort the running command, which stops cleanly
// and exits 130 or 143; the same signal again exits at once (--resume still finishes the run).

import { runCli } from './cli.js';
import { EXIT } from './io.js';

type Signal = 'SIGINT' | 'SIGTERM';
const SIGNAL_EXIT: Record<Signal, number> = { SIGINT: EXIT.interrupted, SIGTERM: EXIT.terminated };

// `k8s-netsim validate x.yaml | head`: a closed pipe ends the output, not with a stack trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

/**
 * Runs the command line. The signal handlers are installed before this returns its promise, so
 * none falls between bin/k8s-netsim.mjs's (for the loading) and these.
 */
export async function main(): Promise<void> {
  const controller = new AbortController();
  let received: Signal | undefined;
  const onSignal = (signal: Signal) => {
    if (received !== undefined) {
      process.stderr.write(`${signal} again: quitting at once; run again with --resume to finish\n`);
      process.exit(SIGNAL_EXIT[received]);
    }
    received = signal;
    const how = signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : 'terminated (SIGTERM)';
    process.stderr.write(`\n${how}: stopping after a consistent write (${signal === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'} again to quit at once)\n`);
    controller.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
  // A command that stopped because of the signal exits with the signal's code (128 + its number).
  process.exitCode = received !== undefined && code === EXIT.interrupted ? SIGNAL_EXIT[received] : code;
}
