// A worker thread of the pool: takes jobs (a point's settings, seed and replication), runs
// simulate() and posts back its metrics with NaN written as null, so the result is plain JSON.

import { parentPort } from 'node:worker_threads';
import { networkSettings } from '../models/settings.js';
import { simulate } from '../models/simulate.js';
import type { JobRequest, JobResponse } from './pool.js';

const port = parentPort;
if (port === null) throw new Error('runner/worker.ts runs as a worker thread');

port.on('message', (request: JobRequest) => {
  const start = performance.now();
  let response: JobResponse;
  try {
    const settings = networkSettings.parse(request.input);
    const result = simulate(settings, request.seed, request.replication);
    const metrics: Record<string, number | null> = {};
    for (const [key, value] of Object.entries(result.metrics)) metrics[key] = Number.isFinite(value) ? value : null;
    response = { id: request.id, ok: true, metrics, constants: result.constants, events: result.events, wallSeconds: (performance.now() - start) / 1000 };
  } catch (error) {
    response = { id: request.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
  port.postMessage(response);
});
port.postMessage({ ready: true });
