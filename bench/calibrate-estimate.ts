// Measures what the cost model in runner/estimate.ts predicts: each point below runs alone in a
// fresh process (`npx tsx bench/calibrate-estimate.ts`, or `… one NAME` for a single point), which
// reports its peak RSS above the process's RSS before simulate(), and the events simulate() ran.
// The per-object figures in runner/estimate.ts are the differences between these points.
// `… json '{settings}'` runs any point: test/runner/estimate.test.ts checks the estimate with it.

import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { networkSettings, simulate } from '../models/simulate.js';

const small = { nodes: 4, detailedNodes: 4, podsPerNode: 10, services: 100, endpointsPerService: 3, coresPerNode: 8 };
const web = { name: 'web', clients: 2, ratePerClient: 1, connection: 'new' };

export const POINTS: Record<string, Record<string, unknown>> = {
  base: { warmup: 0, duration: '1s', cluster: small, workload: [web] },
  services200k: { warmup: 0, duration: '1s', cluster: { ...small, services: 200_000, endpointsPerService: 1 }, workload: [web] },
  endpoints1m: { warmup: 0, duration: '1s', cluster: { ...small, services: 10, endpointsPerService: 100_000 }, workload: [web] },
  detailed400: { warmup: 0, duration: '1s', cluster: { ...small, nodes: 400, detailedNodes: 'all' }, workload: [web] },
  pods4x2000: { warmup: 0, duration: '1s', cluster: { ...small, podsPerNode: 2000 }, workload: [web] },
  // 4 nodes × 5 clients × 2,000/s new connections: TIME_WAIT (120 s) holds ≈ 2,000 × 120 × 5 entries per node, bounded by the table.
  flows: { warmup: 0, duration: '30s', cluster: small, conntrack: { max: 10_000_000 }, workload: [{ ...web, clients: 20, ratePerClient: 2000 }] },
  closed100k: { warmup: 0, duration: '0.2s', cluster: small, workload: [{ name: 'web', clients: 4, closedLoop: { concurrency: 25_000 }, connection: 'new' }] },
  rate: { warmup: 0, duration: '10s', cluster: small, workload: [{ ...web, clients: 20, ratePerClient: 500 }] },
  keepalive: { warmup: 0, duration: '10s', cluster: small, workload: [{ ...web, clients: 20, ratePerClient: 500, connection: { keepAlive: { maxRequests: 100, idle: '60s' } } }] },
  dns: { warmup: 0, duration: '10s', cluster: small, workload: [{ ...web, clients: 20, ratePerClient: 100, dnsName: 'short' }] },
  churn: { warmup: 0, duration: '20s', cluster: { ...small, services: 2000 }, churn: { endpointChangesPerSecond: 50 }, workload: [web] },
};

/**
 * This process's peak RSS in bytes. Linux's getrusage maxrss survives execve, so a child spawned
 * by a large parent (a vitest worker) would report the parent's size; /proc/self/status VmHWM
 * belongs to the new address space and does not.
 */
function peakRss(): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match !== null) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: fall back to getrusage.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** Runs one point (by name, or its settings as JSON) and prints its events and peak memory. */
export function one(name: string, input: unknown = POINTS[name]): void {
  const settings = networkSettings.parse(input);
  const before = process.memoryUsage().rss;
  const started = performance.now();
  const { events, metrics } = simulate(settings, 1, 0);
  const seconds = (performance.now() - started) / 1000;
  const peak = peakRss();
  process.stdout.write(`${JSON.stringify({ name, events, seconds, peakAboveStart: peak - before, peak, requests: metrics['request_outcomes_total{outcome=ok}.total'], conntrackMax: metrics['node_nf_conntrack_entries.max'] })}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === 'one') one(process.argv[3]);
  else if (process.argv[2] === 'json') one('json', JSON.parse(process.argv[3]));
  else for (const name of Object.keys(POINTS)) process.stdout.write(execFileSync('npx', ['tsx', fileURLToPath(import.meta.url), 'one', name], { encoding: 'utf8' }));
}
