import { describe, it, expect } from 'vitest';
import { Simulator } from '../../engine/simulator.js';
import { Server } from '../../engine/server.js';
import { RandomStreams } from '../../engine/random.js';
import { exponential } from '../../engine/distributions.js';
import { fingerprint, Fnv1a64 } from '../../engine/fingerprint.js';

/** An M/M/1 queue (λ = 0.8, μ = 1) on Server for `seconds`; returns its simulator, not yet run. */
function mm1(streams: RandomStreams, seconds: number): Simulator {
  const sim = new Simulator();
  const server = new Server(sim, { servers: 1 });
  const arrivals = streams.stream('mm1/arrivals');
  const services = streams.stream('mm1/services');
  const interarrival = exponential(0.8);
  const service = exponential(1);
  const arrive = () => {
    server.serve(service.sample(services));
    if (sim.now < seconds) sim.schedule(interarrival.sample(arrivals), arrive);
  };
  sim.schedule(interarrival.sample(arrivals), arrive);
  return sim;
}

function digestOf(sim: Simulator): string {
  const print = fingerprint(sim);
  sim.run();
  expect(print.events).toBe(sim.eventsExecuted);
  return print.digest();
}

describe('fingerprint', () => {
  it('is identical across two runs of a stochastic model with the same seed and replication', () => {
    const first = digestOf(mm1(new RandomStreams(42, 0), 2000));
    const second = digestOf(mm1(new RandomStreams(42, 0), 2000));
    expect(first).toMatch(/^[0-9a-f]{16}$/);
    expect(second).toBe(first);
  });

  it('differs with a different seed or replication', () => {
    const reference = digestOf(mm1(new RandomStreams(42, 0), 2000));
    expect(digestOf(mm1(new RandomStreams(43, 0), 2000))).not.toBe(reference);
    expect(digestOf(mm1(new RandomStreams(42, 1), 2000))).not.toBe(reference);
  });

  it('is unchanged when an unrelated named stream is added and drawn from', () => {
    const reference = digestOf(mm1(new RandomStreams(42, 0), 2000));
    const streams = new RandomStreams(42, 0);
    const unrelated = streams.stream('some-new-component');
    for (let i = 0; i < 1000; i++) unrelated.next();
    expect(digestOf(mm1(streams, 2000))).toBe(reference);
  });

  it('tells apart times that differ only in the last bit, and events that differ only in name', () => {
    const run = (time: number, name: string) => {
      const sim = new Simulator();
      const fn = { [name]: () => {} }[name];
      sim.at(time, fn);
      return digestOf(sim);
    };
    expect(run(0.1 + 0.2, 'arrive')).not.toBe(run(0.3, 'arrive'));
    expect(run(0.3, 'arrive')).not.toBe(run(0.3, 'depart'));
    expect(run(0.3, 'arrive')).toBe(run(0.3, 'arrive'));
  });

  it('separates one event\'s name from the next event\'s time', () => {
    // Without a terminator after the name, "ab" then "c" could hash as "a" then "bc".
    const run = (names: [string, string]) => {
      const sim = new Simulator();
      for (const name of names) sim.at(1, { [name]: () => {} }[name]);
      return digestOf(sim);
    };
    expect(run(['ab', 'c'])).not.toBe(run(['a', 'bc']));
  });

  it('hashes with 64-bit FNV-1a, matching the published test vectors', () => {
    const hash = (text: string) => {
      const h = new Fnv1a64();
      h.updateString(text);
      return h.digest();
    };
    // From the FNV reference test suite (Fowler, Noll, Vo; draft-eastlake-fnv).
    expect(hash('')).toBe('cbf29ce484222325');
    expect(hash('a')).toBe('af63dc4c8601ec8c');
    expect(hash('foobar')).toBe('85944171f73967e8');
  });
});
