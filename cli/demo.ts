// `k8s-netsim demo`: the engine's proof in a minute: an M/M/1 queue at ρ = 0.9 simulated with
// replications and printed against queueing theory.

import { runQueue } from '../engine/examples/queue.js';
import { summarize } from '../engine/stats/index.js';
import { EXIT, parseOptions, wholeNumber, type Io } from './io.js';

export const DEMO_USAGE = 'k8s-netsim demo [--replications N] [--seed N]   M/M/1 at ρ = 0.9 against queueing theory';

export function demo(argv: string[], io: Io): number {
  const { values } = parseOptions(argv, { replications: { type: 'string' }, seed: { type: 'string' } });
  const replications = wholeNumber(values.replications, '--replications', 2) ?? 10;
  const seed = wholeNumber(values.seed, '--seed', 0) ?? 1;
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const start = performance.now();
  const results = [];
  let events = 0;
  for (let r = 0; r < replications; r++) {
    const result = runQueue({ arrivalRate: 0.9, serviceRate: 1, servers: 1, service: 'exponential', customers: 500_000, warmupSeconds: 5_000, seed, replication: r });
    results.push(result);
    events += result.engineEvents;
  }
  const wallSec = (performance.now() - start) / 1000;
  const row = (label: string, values: number[], theory: number) => {
    const s = summarize(values);
    const inside = s.ci95[0] <= theory && theory <= s.ci95[1];
    out(`${label.padEnd(28)} ${s.mean.toFixed(3).padStart(8)}  [${s.ci95[0].toFixed(3)}, ${s.ci95[1].toFixed(3)}]  theory ${theory.toFixed(3)}  ${inside ? 'inside' : 'OUTSIDE'} the 95 % CI`);
  };
  out(`M/M/1, λ = 0.9, μ = 1: ${replications} replications of 500,000 customers (seed ${seed})`);
  row('mean wait in queue (Wq)', results.map((r) => r.meanWait), 9);
  row('mean number in system (L)', results.map((r) => r.meanInSystem), 9);
  row('server utilisation', results.map((r) => r.utilisation), 0.9);
  out(`${(events / 1e6).toFixed(1)} M events in ${wallSec.toFixed(2)} s wall (${(events / wallSec / 1e6).toFixed(1)} M events/s)`);
  return EXIT.ok;
}
