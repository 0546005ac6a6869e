// A replica's CPU computed at arrival (fifo-cpu.ts): the same schedule as the event-driven
// engine/Server job by job, and queueing theory for waits, utilisation and drops. Statistical
// checks use the 95 % CI of 12 independent replications (seed 2026, replications 0..11; not tuned).

import { describe, expect, it } from 'vitest';
import { CfsQuota } from '../../../engine/cfs-quota.js';
import { RandomStreams } from '../../../engine/random.js';
import { Server } from '../../../engine/server.js';
import { Simulator } from '../../../engine/simulator.js';
import { FifoCpu } from '../../../models/dns/fifo-cpu.js';
import { erlangC, expectInsideCi } from '../../queueing-theory.js';

const SEED = 2026;
const REPLICATIONS = 12;

interface Run {
  meanWait: number;
  utilisation: number;
  dropped: number;
}

/** Poisson arrivals at `rate`, exponential service of mean 1, after `warmup` jobs. */
function runMmc(servers: number, rate: number, queueLimit: number, jobs: number, replication: number): Run {
  const rng = new RandomStreams(SEED, replication).stream('test/dns/fifo-cpu');
  const clock = { now: 0 };
  const cpu = new FifoCpu(servers, queueLimit, clock);
  const warmup = jobs / 10;
  let waited = 0;
  let served = 0;
  let dropped = 0;
  for (let i = 0; i < jobs; i++) {
    clock.now += -Math.log(1 - rng.next()) / rate;
    if (i === warmup) cpu.resetStatistics();
    const service = -Math.log(1 - rng.next());
    const end = cpu.admit(clock.now, service);
    if (i < warmup) continue;
    if (end < 0) dropped++;
    else {
      waited += end - service - clock.now;
      served++;
    }
  }
  return { meanWait: waited / served, utilisation: cpu.utilisation(), dropped: dropped / (jobs - warmup) };
}

describe('FifoCpu', () => {
  it('gives every job the end and the drop engine/Server gives it (c = 2, 3 may wait)', () => {
    const rng = new RandomStreams(SEED, 0).stream('test/dns/fifo-cpu/same');
    const jobs: { at: number; seconds: number }[] = [];
    jobs.push(...poissonJobs(rng, 5000, 2.2, 1));
    const sim = new Simulator();
    const server = new Server(sim, { servers: 2, queueLimit: 3 });
    const byEvents = endsByEvents(sim, server, jobs);
    const clock = { now: 0 };
    const cpu = new FifoCpu(2, 3, clock);
    const atArrival = jobs.map((job) => cpu.admit(job.at, job.seconds));
    expect(byEvents.filter((end) => end < 0).length).toBeGreaterThan(100); // drops happened
    for (let i = 0; i < jobs.length; i++) expect(atArrival[i]).toBeCloseTo(byEvents[i], 9);
    clock.now = sim.now;
    expect(cpu.utilisation()).toBeCloseTo(server.utilisation(), 9);
  });

  it('gives every job the end and the drop a quota-limited engine/Server gives it (1.5 cores on 2, 100 ms periods)', () => {
    // Work at 1.4 cores against a 1.5-core quota: periods run out, jobs pause, a few are dropped.
    const rng = new RandomStreams(SEED, 0).stream('test/dns/fifo-cpu/cfs');
    const jobs: { at: number; seconds: number }[] = [];
    jobs.push(...poissonJobs(rng, 20_000, 1400, 0.001));
    const quota = () => new CfsQuota({ quotaSeconds: 0.15, periodSeconds: 0.1, cores: 2 });
    const sim = new Simulator();
    const server = new Server(sim, { servers: 2, queueLimit: 20, quota: quota() });
    const byEvents = endsByEvents(sim, server, jobs);
    const clock = { now: 0 };
    const cpu = new FifoCpu(2, 20, clock, quota());
    const atArrival = jobs.map((job) => cpu.admit(job.at, job.seconds));
    expect(server.quota!.throttledPeriods).toBeGreaterThan(10); // the quota bound
    expect(byEvents.filter((end) => end < 0).length).toBeGreaterThan(0);
    for (let i = 0; i < jobs.length; i++) expect(atArrival[i]).toBeCloseTo(byEvents[i], 9);
    expect(cpu.quota!.throttledPeriods).toBe(server.quota!.throttledPeriods);
    clock.now = sim.now;
    expect(cpu.utilisation()).toBeCloseTo(server.utilisation(), 9);
  });

  describe('M/M/2 at ρ = 0.8 with no queue limit', () => {
    const runs = Array.from({ length: REPLICATIONS }, (_, r) => runMmc(2, 1.6, Infinity, 100_000, r));

    it('has mean wait C(2, 1.6)/(2μ − λ) = 3.556 inside the 95 % CI (Erlang C)', () => {
      expectInsideCi(
        runs.map((r) => r.meanWait),
        erlangC(2, 1.6) / (2 - 1.6),
      );
    });

    it('keeps its servers busy a fraction ρ of the time', () => {
      expectInsideCi(
        runs.map((r) => r.utilisation),
        0.8,
      );
    });
  });

  it('drops at overload as M/M/1/K blocks: ρ = 1.5, K = 5 in all (4 may wait)', () => {
    // P(block) = (1 − ρ) ρ^K / (1 − ρ^(K+1)), PASTA: arrivals see the time-average state.
    const rho = 1.5;
    const K = 5;
    const expected = ((1 - rho) * rho ** K) / (1 - rho ** (K + 1));
    const runs = Array.from({ length: REPLICATIONS }, (_, r) => runMmc(1, rho, K - 1, 100_000, r));
    expectInsideCi(
      runs.map((r) => r.dropped),
      expected,
    );
    // Served work: the server is busy 1 − P0 of the time, P0 = (1 − ρ)/(1 − ρ^(K+1)).
    expectInsideCi(
      runs.map((r) => r.utilisation),
      1 - (1 - rho) / (1 - rho ** (K + 1)),
    );
  });

  it('counts work admitted before a reset only from the reset on', () => {
    const clock = { now: 0 };
    const cpu = new FifoCpu(1, Infinity, clock);
    cpu.admit(0, 10);
    clock.now = 4;
    cpu.resetStatistics();
    clock.now = 8;
    expect(cpu.utilisation()).toBe(1);
    clock.now = 16;
    expect(cpu.utilisation()).toBe(0.5);
    expect(cpu.queueLength(16)).toBe(0);
  });
});

/** `n` jobs arriving as a Poisson stream at `rate` per second, each exponential with mean `meanSeconds`. */
function poissonJobs(rng: { next(): number }, n: number, rate: number, meanSeconds: number): { at: number; seconds: number }[] {
  const jobs: { at: number; seconds: number }[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    at += -Math.log(1 - rng.next()) / rate;
    jobs.push({ at, seconds: -Math.log(1 - rng.next()) * meanSeconds });
  }
  return jobs;
}

/** Each job's end through engine/Server run by events, −1 where the queue dropped it. */
function endsByEvents(sim: Simulator, server: Server, jobs: readonly { at: number; seconds: number }[]): number[] {
  const ends: number[] = [];
  jobs.forEach((job, i) =>
    sim.at(job.at, () => {
      if (!server.serve(job.seconds, () => (ends[i] = sim.now))) ends[i] = -1;
    }),
  );
  sim.run();
  return ends;
}
