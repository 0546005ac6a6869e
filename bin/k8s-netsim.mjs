#!/usr/bin/env node
// Runs the TypeScript command line through tsx's loader, so no build step stands between a
// clone and a run.

// Loading tsx and the sources takes a few hundred milliseconds, before anything is written: a
// Ctrl-C or SIGTERM meanwhile exits at once with a word and the signal's code (cli/io.ts EXIT),
// instead of dying silently. Installed before any import is evaluated, so tsx is imported here.
const whileLoading = (signal) => {
  process.stderr.write(`${signal === 'SIGINT' ? 'interrupted (Ctrl-C)' : 'terminated (SIGTERM)'} while starting: nothing was written\n`);
  process.exit(signal === 'SIGINT' ? 130 : 143);
};
process.on('SIGINT', whileLoading);
process.on('SIGTERM', whileLoading);

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../cli/main.ts');
// main() installs its own handlers before it returns its promise: no signal falls between.
const done = main();
process.off('SIGINT', whileLoading);
process.off('SIGTERM', whileLoading);
await done;
