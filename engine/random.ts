// Named, reproducible random streams: one per model component, each derived from
// (experiment seed, replication, component name) alone. Leaves out distributions (distributions.ts).
//
// Generator: seedrandom's tychei (Neves & Araujo 2011, a ChaCha-derived 128-bit state, period
// ~2^127, no systematic BigCrush failures), called as `()`: 32 random bits per draw. It is the
// fastest of seedrandom's generators that pass BigCrush (bench/random.bench.ts; the figures are
// in docs/performance.md, "Random streams"). 32 bits suffice here: the smallest nonzero draw
// 2^-32 caps an exponential at 22.2 means, a tail of probability 2^-32; `.double()` would halve
// the rate for bits no model needs.

import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';

/**
 * A source of uniform doubles in [0, 1). 0 can occur, 1 never does: callers that take a
 * logarithm use `1 - next()`, which lies in (0, 1]. Streams from RandomStreams draw on the
 * grid k / 2^32 (32 random bits), so 0 comes with probability 2^-32.
 */
export interface RandomStream {
  next(): number;
}

/** The seedrandom generator behind every stream; see the measurements at the top of the file. */
const makeGenerator = seedrandom.tychei;

/**
 * Bump when the derivation changes: it is part of every stream's identity, so old results
 * stay reproducible with the old code and are never silently mixed with new ones.
 */
const DERIVATION = 'k8s-netsim/random-stream/v1';

class SeededStream implements RandomStream {
  /** The generator itself, stored as a property so that `stream.next()` costs one load and one call. */
  readonly next: () => number;

  constructor(readonly name: string, seedText: string) {
    this.next = makeGenerator(seedText);
  }
}

/**
 * The streams of one replication of one experiment point. Each stream's seed is
 * sha256(derivation, seed, replication, name), so a stream's draws depend on nothing else:
 * creating another stream, or creating streams in another order, leaves them unchanged
 * (common random numbers across compared settings, and new components shift nothing).
 */
export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number, readonly replication: number) {
    if (!Number.isSafeInteger(seed)) {
      throw new RangeError(`RandomStreams: seed must be a safe integer, got ${seed}`);
    }
    if (!Number.isSafeInteger(replication) || replication < 0) {
      throw new RangeError(`RandomStreams: replication must be an integer >= 0, got ${replication}`);
    }
  }

  /**
   * The stream named `name` (a component's stable name, e.g. "node-3/conntrack").
   * Calling it again with the same name returns the same object, continuing where it is:
   * a component asks once at setup and keeps the stream.
   */
  stream(name: string): RandomStream {
    let stream = this.streams.get(name);
    if (stream === undefined) {
      if (name.length === 0) throw new RangeError('RandomStreams: a stream name must not be empty');
      stream = new SeededStream(name, this.seedText(name));
      this.streams.set(name, stream);
    }
    return stream;
  }

  /** JSON keeps the three parts apart whatever characters the name holds. */
  private seedText(name: string): string {
    const canonical = JSON.stringify([DERIVATION, this.seed, this.replication, name]);
    return createHash('sha256').update(canonical, 'utf8').digest('hex');
  }
}
