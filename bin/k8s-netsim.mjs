#!/usr/bin/env node
// Runs the TypeScript command line through tsx's loader, so no build step stands between a
// clone and a run.
import { register } from 'tsx/esm/api';

// Loading the sources takes a few hundred milliseconds: a Ctrl-C or SIGTERM meanwhile is held
// and handed to main(), which says so and exits 130 or 143, instead of dying without a word.
const early = [];
const hold = (signal) => early.push(signal);
process.on('SIGINT', hold);
process.on('SIGTERM', hold);

register();
const { main } = await import('../cli/main.ts');
const done = main(early);
process.off('SIGINT', hold);
process.off('SIGTERM', hold);
await done;
