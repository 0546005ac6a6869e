// Uniform draws per second of each seedrandom generator, 32-bit `()` and 53-bit `.double()`
// (ARC4's `()` is its 53-bit call and `.quick()` its 32-bit one), plus the production path
// `RandomStreams.stream(name).next()`. Decides the generator in engine/random.ts.

import seedrandom from 'seedrandom';
import { Bench } from 'tinybench';
import { RandomStreams } from '../engine/random.js';

export interface RandomBenchResult {
  name: string;
  drawsPerSec: number;
  wallSec: number;
}

/** Draws per timed sample: long enough that the timer's resolution does not matter. */
const DRAWS_PER_SAMPLE = 100_000;
const SEED = 'k8s-netsim-bench';

/** A candidate: the object drawn from and the call that draws, e.g. `source()` or `source.next()`. */
interface Candidate {
  name: string;
  source: unknown;
  call: string;
}
type DrawLoop = (source: unknown, n: number) => number;

/**
 * A loop compiled for one candidate only. A shared loop would see every generator at its call
 * site and go megamorphic, penalising whichever runs last; the simulator calls one generator,
 * so each candidate gets its own monomorphic site, as it would in production. The name in the
 * source matters: V8 caches `new Function` by source text, and identical loops would share
 * their inline caches again (measured: tychei fell from ~280 to ~100 M draws/s).
 */
function compileDrawLoop(name: string, call: string): DrawLoop {
  const body = `// ${name}\nlet sum = 0; for (let i = 0; i < n; i++) sum += ${call}; return sum;`;
  return new Function('source', 'n', body) as DrawLoop;
}

function candidates(): Candidate[] {
  const arc4 = seedrandom(SEED);
  const list: Candidate[] = [
    { name: 'arc4 () 53-bit', source: arc4, call: 'source()' },
    { name: 'arc4 .quick() 32-bit', source: arc4, call: 'source.quick()' },
  ];
  const others = ['alea', 'xor128', 'xorwow', 'xorshift7', 'xor4096', 'tychei'] as const;
  for (const kind of others) {
    const prng = seedrandom[kind](SEED);
    list.push(
      { name: `${kind} () 32-bit`, source: prng, call: 'source()' },
      { name: `${kind} .double() 53-bit`, source: prng, call: 'source.double()' },
    );
  }
  const stream = new RandomStreams(1, 0).stream('bench');
  list.push({ name: 'RandomStreams.stream(name).next()', source: stream, call: 'source.next()' });
  return list;
}

/**
 * Measures every candidate in this process. Candidates take turns over several rounds, so that
 * a burst of load from other processes hits all of them alike; drawsPerSec is the median over
 * rounds of each round's median sample, wallSec the candidate's total wall time.
 */
export async function benchRandom(rounds = 7): Promise<RandomBenchResult[]> {
  const measured = candidates().map((candidate) => ({
    ...candidate,
    loop: compileDrawLoop(candidate.name, candidate.call),
    roundDrawsPerSec: [] as number[],
    wallSec: 0,
  }));
  let sink = 0;
  for (let round = 0; round < rounds; round++) {
    for (const candidate of measured) {
      const { name, source, loop } = candidate;
      const bench = new Bench({ time: 80, iterations: 5, warmup: round === 0, warmupTime: 50 });
      bench.add(name, () => {
        sink += loop(source, DRAWS_PER_SAMPLE);
      });
      const startMs = performance.now();
      await bench.run();
      candidate.wallSec += (performance.now() - startMs) / 1000;
      const result = bench.tasks[0].result;
      const medianMs = result?.latency.p50;
      if (result === undefined || medianMs === undefined || result.error !== undefined) {
        throw new Error(`benchRandom: ${name} failed: ${result?.error?.message ?? 'no result'}`);
      }
      candidate.roundDrawsPerSec.push(DRAWS_PER_SAMPLE / (medianMs / 1000));
    }
  }
  if (Number.isNaN(sink)) throw new Error('a generator returned NaN');
  return measured.map(({ name, roundDrawsPerSec, wallSec }) => ({
    name,
    drawsPerSec: median(roundDrawsPerSec),
    wallSec,
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
