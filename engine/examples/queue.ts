// A single queue with Poisson arrivals: M/M/c, M/D/c and their finite-buffer forms, written two
// ways on the same engine (callbacks and generator processes). It is how the engine is proven
// against queueing theory (test/engine/queueing.test.ts) and what the benchmarks time.

import { deterministic, exponential, type Distribution } from '../distributions.js';
import { spawn, type ProcessGenerator } from '../process.js';
import { RandomStreams } from '../random.js';
import { Server } from '../server.js';
import { Simulator } from '../simulator.js';
import { Tally } from '../stats/index.js';

export interface QueueExperiment {
  arrivalRate: number;
  serviceRate: number;
  servers: number;
  service: 'exponential' | 'deterministic';
  /** Waiting places; arrivals beyond are dropped. Infinity by default. */
  queueLimit?: number;
  /** Customers to generate in all, warm-up included. */
  customers: number;
  /** Statistics gathered before this simulated time are discarded. */
  warmupSeconds?: number;
  seed: number;
  replication: number;
  style?: 'callbacks' | 'processes';
}

export interface QueueResult {
  /** Mean wait in queue over customers served after warm-up (Wq). */
  meanWait: number;
  /** Fraction of customers served after warm-up that waited at all. */
  probabilityOfWaiting: number;
  /** Mean time in system of customers that completed after warm-up (W). */
  meanSojourn: number;
  /** Time-average number in system after warm-up (L). */
  meanInSystem: number;
  /** Arrivals that were admitted, per second, after warm-up (λ_eff). */
  admittedRate: number;
  /** Fraction of arrivals after warm-up that found the buffer full. */
  dropFraction: number;
  utilisation: number;
  /** Model events: one arrival and one departure per customer served, the benchmark's unit. */
  modelEvents: number;
  /** Events the simulator executed (processes add one per customer, to start it). */
  engineEvents: number;
  simulatedSeconds: number;
}

interface Customer {
  arrivedAt: number;
}

export function runQueue(experiment: QueueExperiment): QueueResult {
  const sim = new Simulator();
  const streams = new RandomStreams(experiment.seed, experiment.replication);
  const arrivals = streams.stream('arrivals');
  const services = streams.stream('service');
  const interarrival = exponential(experiment.arrivalRate);
  const serviceTime: Distribution =
    experiment.service === 'exponential' ? exponential(experiment.serviceRate) : deterministic(1 / experiment.serviceRate);
  const server = new Server(sim, { servers: experiment.servers, queueLimit: experiment.queueLimit });
  const warmup = experiment.warmupSeconds ?? 0;

  // Number in system = waiting + in service, so its time average is the sum of the server's two
  // levels (which reset with it at the end of warm-up): the model keeps no level of its own, which
  // the benchmarks time (docs/performance.md, "M/M/c example").
  const sojourn = new Tally();
  let waited = 0;
  let arrivalsAfterWarmup = 0;
  let droppedAfterWarmup = 0;
  let generated = 0;
  let departures = 0;
  let warm = warmup === 0;

  const endWarmup = () => {
    warm = true;
    server.resetStatistics();
  };
  if (!warm) sim.at(warmup, endWarmup);

  const depart = (arrivedAt: number) => {
    departures++;
    if (warm && arrivedAt >= warmup) sojourn.add(sim.now - arrivedAt);
  };
  // The callbacks' customers carry their arrival time in a record reused after departure: a
  // number passed as serve()'s argument is boxed, an allocation per customer (the records: 989 →
  // 927 instructions a model event under cachegrind, half the L1 misses).
  const idle: Customer[] = [];
  const departCustomer = (customer: Customer) => {
    depart(customer.arrivedAt);
    idle.push(customer);
  };

  if (experiment.style === 'processes') {
    function* customer(arrivedAt: number): ProcessGenerator<void> {
      if (warm) arrivalsAfterWarmup++;
      const mustWait = server.busy === server.servers;
      const granted: boolean = yield server.request();
      if (!granted) {
        if (warm) droppedAfterWarmup++;
        return;
      }
      if (mustWait && warm) waited++;
      yield sim.timeout(serviceTime.sample(services));
      server.release();
      depart(arrivedAt);
    }
    function* source(): ProcessGenerator<void> {
      while (generated < experiment.customers) {
        yield sim.timeout(interarrival.sample(arrivals));
        generated++;
        spawn(sim, customer(sim.now), { immediate: true }); // no start event: it asks for the server now
      }
    }
    spawn(sim, source());
  } else {
    const arrive = () => {
      generated++;
      const now = sim.now;
      if (warm) {
        arrivalsAfterWarmup++;
        if (server.busy === server.servers && server.queueLength < server.queueLimit) waited++;
      }
      const customer = idle.pop() ?? { arrivedAt: 0 };
      customer.arrivedAt = now;
      if (!server.serve(serviceTime.sample(services), departCustomer, customer)) {
        idle.push(customer);
        if (warm) droppedAfterWarmup++;
      }
      if (generated < experiment.customers) sim.schedule(interarrival.sample(arrivals), arrive);
    };
    sim.schedule(interarrival.sample(arrivals), arrive);
  }

  sim.run();
  const measured = sim.now - warmup;
  const admitted = arrivalsAfterWarmup - droppedAfterWarmup;
  return {
    meanWait: server.waits.mean,
    probabilityOfWaiting: admitted > 0 ? waited / admitted : NaN,
    meanSojourn: sojourn.mean,
    meanInSystem: server.busyLevel.mean(sim.now) + server.queueLevel.mean(sim.now),
    admittedRate: admitted / measured,
    dropFraction: arrivalsAfterWarmup > 0 ? droppedAfterWarmup / arrivalsAfterWarmup : 0,
    utilisation: server.utilisation(),
    modelEvents: generated + departures,
    engineEvents: sim.eventsExecuted,
    simulatedSeconds: sim.now,
  };
}
