// `npm run bench`: prints a table of benchmark figures; `npm run bench -- --json` prints one JSON
// object per line instead. `--only <substring>` keeps the benchmarks whose name contains it;
// `--runs N` sets the runs per benchmark (median kept; default 5).

import { parseArgs } from 'node:util';
import { engineBenchmarks } from './engine.bench.js';
import { peakRssMiB, type BenchResult } from './measure.js';
import { pointBenchmarks } from './points.bench.js';
import { benchRandom } from './random.bench.js';
import { sweepBenchmarks } from './sweep.bench.js';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string' },
    runs: { type: 'string', default: '5' },
  },
});
const runs = Number(values.runs);
if (!(Number.isInteger(runs) && runs >= 1)) {
  console.error(`--runs takes a whole number ≥ 1, got ${values.runs}`);
  process.exit(2);
}
const wanted = (name: string) => values.only === undefined || name.includes(values.only);

const suites: { prefix: string; run: () => Promise<BenchResult[]> | BenchResult[] }[] = [
  { prefix: 'hold mm1', run: () => engineBenchmarks(runs, wanted) },
  { prefix: 'point', run: () => pointBenchmarks(Math.min(runs, 3), wanted) },
  {
    prefix: 'random',
    run: async () =>
      (await benchRandom(runs)).map((r) => ({
        name: `random ${r.name}`,
        eventsPerSec: r.drawsPerSec,
        wallSec: r.wallSec,
        runs,
        samples: [],
      })),
  },
  { prefix: 'sweep-scaling', run: () => sweepBenchmarks(Math.min(runs, 3)) },
];

function printRow(result: BenchResult): void {
  if (values.json) {
    const { samples, ...rest } = result;
    console.log(JSON.stringify({ ...rest, samples: samples.map((s) => Math.round(s)), peakRssMiB: Math.round(peakRssMiB()) }));
    return;
  }
  const rate = `${(result.eventsPerSec / 1e6).toFixed(2)} M/s`;
  const spread = result.samples.length > 0 ? `[${result.samples.map((s) => (s / 1e6).toFixed(2)).join(' ')}]` : '';
  console.log(`${result.name.padEnd(44)} ${rate.padStart(12)} ${result.wallSec.toFixed(3).padStart(8)} s  ${spread}`);
}

if (!values.json) console.log(`${'benchmark'.padEnd(44)} ${'median'.padStart(12)} ${'wall'.padStart(10)}  runs (M/s)`);
for (const suite of suites) {
  // A suite runs when --only is absent, or is part of one of its prefixes ("mm1", "point") or
  // names one of its benchmarks ("point-dns-1000-nodes" starts with the prefix "point").
  const only = values.only;
  if (only !== undefined && !suite.prefix.split(' ').some((p) => p.includes(only) || only.startsWith(p))) continue;
  for (const result of await suite.run()) if (wanted(result.name)) printRow(result);
}
if (!values.json) console.log(`peak memory ${peakRssMiB().toFixed(0)} MiB`);
