// Engine benchmarks: the hold model (event-list throughput at a steady pending-set size) and
// M/M/1 written with callbacks and with generator processes, each beside a baseline measured in
// the same process (a bare typed-array heap; a bare next-event loop with no event list; M/M/1 on
// the Simulator with no Server or statistics, the engine's floor), so that ratios survive the
// machine's noise.

import { BinaryHeap } from '../engine/binary-heap.js';
import { exponential } from '../engine/distributions.js';
import { runQueue } from '../engine/examples/queue.js';
import { RandomStreams } from '../engine/random.js';
import { Simulator } from '../engine/simulator.js';
import type { EventList } from '../engine/event-list.js';
import { medianOf, type BenchResult } from './measure.js';

/** Events per hold run: enough that the pending set's warm-up is a small share. */
const HOLD_EVENTS = 3_000_000;
const MM1_CUSTOMERS = 1_000_000;

/** The hold model through the Simulator: `pending` events, each scheduling one more. */
export function holdSimulator(pending: number, events = HOLD_EVENTS): { events: number; wallSec: number } {
  const sim = new Simulator();
  const rng = new RandomStreams(1, 0).stream('hold');
  const delay = exponential(1);
  let left = events - pending;
  const hold = () => {
    if (left > 0) {
      left--;
      sim.schedule(delay.sample(rng), hold);
    }
  };
  for (let i = 0; i < pending; i++) sim.schedule(delay.sample(rng), hold);
  const start = performance.now();
  sim.run();
  return { events: sim.eventsExecuted, wallSec: (performance.now() - start) / 1000 };
}

/** The hold model on a bare event list, no Simulator around it. */
export function holdQueue(queue: EventList, pending: number, events = HOLD_EVENTS): { events: number; wallSec: number } {
  const rng = new RandomStreams(1, 0).stream('hold');
  const delay = exponential(1);
  let seq = 0;
  let now = 0;
  let left = events - pending;
  const hold = () => {
    if (left > 0) {
      left--;
      queue.push(now + delay.sample(rng), seq++, hold, undefined);
    }
  };
  for (let i = 0; i < pending; i++) queue.push(delay.sample(rng), seq++, hold, undefined);
  let executed = 0;
  const start = performance.now();
  while (queue.size > 0) {
    const fn = queue.pop()!;
    now = queue.poppedTime;
    executed++;
    fn(undefined);
  }
  return { events: executed, wallSec: (performance.now() - start) / 1000 };
}

/**
 * M/M/1 with no event list: the next event is the earlier of two clocks. What any engine costs
 * is measured against this loop, which does the same random draws and the same arithmetic.
 */
export function mm1BareLoop(customers = MM1_CUSTOMERS): { events: number; wallSec: number } {
  const streams = new RandomStreams(1, 0);
  const arrivals = streams.stream('arrivals');
  const services = streams.stream('service');
  const interarrival = exponential(0.9);
  const service = exponential(1);
  let nextArrival = interarrival.sample(arrivals);
  let nextDeparture = Infinity;
  let inSystem = 0;
  let generated = 1;
  let departed = 0;
  let waitSum = 0;
  let busySince = 0;
  const start = performance.now();
  while (departed < customers) {
    if (nextArrival < nextDeparture) {
      const now = nextArrival;
      if (++inSystem === 1) {
        nextDeparture = now + service.sample(services);
        busySince = now;
      }
      nextArrival = generated++ < customers ? now + interarrival.sample(arrivals) : Infinity;
    } else {
      const now = nextDeparture;
      departed++;
      waitSum += now - busySince;
      nextDeparture = --inSystem > 0 ? now + service.sample(services) : Infinity;
      busySince = now;
    }
  }
  if (!(waitSum > 0)) throw new Error('bare loop did no work');
  return { events: 2 * customers, wallSec: (performance.now() - start) / 1000 };
}

/**
 * M/M/1 through the Simulator with nothing else: two callbacks and a count in system, no Server,
 * no statistics. What the event list and the run loop cost on their own, measured in the same
 * process as the bare loop and the full model: the floor any M/M/1 on this engine stands on.
 */
export function mm1EngineFloor(customers = MM1_CUSTOMERS): { events: number; wallSec: number } {
  const sim = new Simulator();
  const streams = new RandomStreams(1, 0);
  const arrivals = streams.stream('arrivals');
  const services = streams.stream('service');
  const interarrival = exponential(0.9);
  const service = exponential(1);
  let inSystem = 0;
  let generated = 0;
  let departed = 0;
  const depart = () => {
    departed++;
    if (--inSystem > 0) sim.post(service.sample(services), depart);
  };
  const arrive = () => {
    generated++;
    if (++inSystem === 1) sim.post(service.sample(services), depart);
    if (generated < customers) sim.post(interarrival.sample(arrivals), arrive);
  };
  sim.post(interarrival.sample(arrivals), arrive);
  const start = performance.now();
  sim.run();
  if (departed !== customers) throw new Error(`engine floor: ${departed} of ${customers} departed`);
  return { events: 2 * customers, wallSec: (performance.now() - start) / 1000 };
}

function mm1(style: 'callbacks' | 'processes'): { events: number; wallSec: number } {
  const start = performance.now();
  const result = runQueue({
    arrivalRate: 0.9,
    serviceRate: 1,
    servers: 1,
    service: 'exponential',
    customers: MM1_CUSTOMERS,
    seed: 1,
    replication: 0,
    style,
  });
  return { events: result.modelEvents, wallSec: (performance.now() - start) / 1000 };
}

/** Runs the engine benchmarks whose name `wanted` accepts (all by default), baselines beside them. */
export function engineBenchmarks(runs: number, wanted: (name: string) => boolean = () => true): BenchResult[] {
  const results: BenchResult[] = [];
  const measure = (name: string, fn: () => { events: number; wallSec: number }) => {
    if (wanted(name)) results.push(medianOf(name, runs, fn));
  };
  for (const pending of [1000, 100_000]) {
    measure(`hold-${pending}`, () => holdSimulator(pending));
    measure(`hold-${pending} queue:binary-heap (engine)`, () => holdQueue(new BinaryHeap(), pending));
  }
  measure('mm1-callbacks', () => mm1('callbacks'));
  measure('mm1-processes', () => mm1('processes'));
  measure('mm1-bare-loop', () => mm1BareLoop());
  measure('mm1-engine-floor', () => mm1EngineFloor());
  return results;
}
