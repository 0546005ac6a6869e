// The k8s-netsim command. Until the experiment runner lands, it offers the engine's demo:
// an M/M/c queue simulated with replications, printed against queueing theory.

import { parseArgs } from 'node:util';
import { runQueue } from '../engine/examples/queue.js';
import { summarize } from '../engine/stats/index.js';

const USAGE = `usage: k8s-netsim demo [--replications N] [--seed N]

  demo   simulate M/M/1 at ρ = 0.9 and compare with queueing theory`;

function demo(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { replications: { type: 'string', default: '10' }, seed: { type: 'string', default: '1' } },
  });
  const replications = Number(values.replications);
  const seed = Number(values.seed);
  if (!(Number.isInteger(replications) && replications >= 2)) {
    console.error(`--replications takes a whole number ≥ 2, got ${values.replications}`);
    return 2;
  }
  if (!Number.isSafeInteger(seed)) {
    console.error(`--seed takes a whole number, got ${values.seed}`);
    return 2;
  }
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
    console.log(`${label.padEnd(28)} ${s.mean.toFixed(3).padStart(8)}  [${s.ci95[0].toFixed(3)}, ${s.ci95[1].toFixed(3)}]  theory ${theory.toFixed(3)}  ${inside ? 'inside' : 'OUTSIDE'} the 95 % CI`);
  };
  console.log(`M/M/1, λ = 0.9, μ = 1: ${replications} replications of 500,000 customers (seed ${seed})`);
  row('mean wait in queue (Wq)', results.map((r) => r.meanWait), 9);
  row('mean number in system (L)', results.map((r) => r.meanInSystem), 9);
  row('server utilisation', results.map((r) => r.utilisation), 0.9);
  console.log(`${(events / 1e6).toFixed(1)} M events in ${wallSec.toFixed(2)} s wall (${(events / wallSec / 1e6).toFixed(1)} M events/s)`);
  return 0;
}

const [command, ...rest] = process.argv.slice(2);
let exitCode: number;
try {
  switch (command ?? 'demo') {
    case 'demo':
      exitCode = demo(rest);
      break;
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      exitCode = 0;
      break;
    default:
      console.error(`unknown command '${command}'\n${USAGE}`);
      exitCode = 2;
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  exitCode = 2;
}
process.exitCode = exitCode;
