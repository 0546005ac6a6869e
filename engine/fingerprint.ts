// A regression fingerprint of a run: a hash of its event trajectory, as OMNeT++ keeps one, so a
// test can pin that a model with a given seed does exactly what it did before. It sees only what
// the simulator's tracer sees; it says nothing about why two trajectories differ.
//
// What is hashed, per executed event, in order: the time as the 8 bytes of its float64 (little-
// endian, so 0.1 + 0.2 and 0.3 differ), then the callback's `name`, then a 0 that ends the name.
// Names are stable across runs and machines (`resume`, `finishJob`, a model's function names);
// arguments are left out, since they are mostly objects and their numbering (e.g. a job slot) is
// bookkeeping, not behaviour. The hash is 64-bit FNV-1a computed in two 32-bit lanes, fed one byte
// per step (one UTF-16 code unit per step for the name: identical to FNV-1a over the bytes for
// ASCII names). Not cryptographic: it catches accidental change, not deliberate collisions.

import type { Simulator } from './simulator.js';

export interface Fingerprint {
  /** The hash of every event traced so far: 16 hex digits (64-bit FNV-1a). */
  digest(): string;
  /** Events hashed so far. */
  readonly events: number;
}

// FNV-1a 64: offset basis 0xcbf29ce484222325, prime 0x100000001b3 = 2^40 + 0x1b3.
const PRIME_LO = 0x1b3;
const TWO_TO_32 = 4294967296;

/** 64-bit FNV-1a on two 32-bit lanes, fed one unit (a byte, or a UTF-16 code unit) at a time. */
export class Fnv1a64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  /** h = (h ^ unit) · (2^40 + 0x1b3) mod 2^64. lo · 0x1b3 < 2^41 is exact in a float64, so its carry into hi is too; the 2^40 term moves lo << 8 into hi. */
  update(unit: number): void {
    const x = (this.lo ^ unit) >>> 0;
    const product = x * PRIME_LO;
    this.hi = (Math.imul(this.hi, PRIME_LO) + Math.floor(product / TWO_TO_32) + (x << 8)) >>> 0;
    this.lo = product >>> 0;
  }

  updateString(text: string): void {
    for (let i = 0; i < text.length; i++) this.update(text.charCodeAt(i));
  }

  /** 16 hex digits. */
  digest(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/**
 * Turns tracing on for `sim` and hashes every event it executes from the next run() on (run()
 * reads the tracer when it starts). Replaces any tracer already set; `sim.trace(null)` ends it.
 * Allocates nothing per event.
 */
export function fingerprint(sim: Simulator): Fingerprint {
  const hash = new Fnv1a64();
  const timeBytes = new DataView(new ArrayBuffer(8));
  let events = 0;
  sim.trace((time, fn) => {
    events++;
    timeBytes.setFloat64(0, time, true);
    for (let i = 0; i < 8; i++) hash.update(timeBytes.getUint8(i));
    hash.updateString(fn.name);
    hash.update(0);
  });
  return {
    digest: () => hash.digest(),
    get events() {
      return events;
    },
  };
}
