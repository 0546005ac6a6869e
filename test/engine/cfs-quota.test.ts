// CFS quota (engine/cfs-quota.ts) through engine/Server: a limit that cannot bind is the plain FIFO
// job by job; an idle group runs a job at full speed; a spent quota pauses until the next period
// (a case computed by hand); saturated, the group runs exactly quota per period; at low load the
// waits are the unthrottled queue's.

import { describe, expect, it } from 'vitest';
import { CfsQuota } from '../../engine/cfs-quota.js';
import { RandomStreams } from '../../engine/random.js';
import { Server } from '../../engine/server.js';
import { Simulator } from '../../engine/simulator.js';

const PERIOD = 0.1;

interface Job {
  at: number;
  seconds: number;
}

function poissonJobs(seed: number, stream: string, rate: number, meanSeconds: number, count: number): Job[] {
  const rng = new RandomStreams(seed, 0).stream(stream);
  const jobs: Job[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    at += -Math.log(1 - rng.next()) / rate;
    jobs.push({ at, seconds: -Math.log(1 - rng.next()) * meanSeconds });
  }
  return jobs;
}

/** Each job's end (−1 when dropped) through a Server of `servers`, with `quota` or none. */
function endsThroughServer(jobs: Job[], servers: number, quota?: CfsQuota, queueLimit = Infinity): { ends: number[]; server: Server; sim: Simulator } {
  const sim = new Simulator();
  const server = new Server(sim, { servers, queueLimit, quota });
  const ends: number[] = [];
  jobs.forEach((job, i) =>
    sim.at(job.at, () => {
      if (!server.serve(job.seconds, () => (ends[i] = sim.now))) ends[i] = -1;
    }),
  );
  sim.run();
  return { ends, server, sim };
}

describe('CfsQuota', () => {
  it('is the plain FIFO job by job when the quota is every core for the whole period (c = 2)', () => {
    const jobs = poissonJobs(16, 'test/cfs/no-limit', 1800, 0.001, 20_000);
    const plain = endsThroughServer(jobs, 2);
    const quota = new CfsQuota({ quotaSeconds: 2 * PERIOD, periodSeconds: PERIOD, cores: 2 });
    expect(quota.binds).toBe(false);
    const limited = endsThroughServer(jobs, 2, quota);
    expect(plain.server.waits.max).toBeGreaterThan(0.001); // there was queueing
    expect(limited.ends).toEqual(plain.ends);
    expect(quota.throttledPeriods).toBe(0);
    expect(quota.throttledSeconds).toBe(0);
    expect(limited.server.utilisation()).toBeCloseTo(plain.server.utilisation(), 9);
  });

  it('runs a job arriving at an idle, unthrottled group at full core speed: it ends at arrival + cost', () => {
    const quota = new CfsQuota({ quotaSeconds: 0.005, periodSeconds: PERIOD });
    const { ends } = endsThroughServer([{ at: 0.37, seconds: 0.004 }], 1, quota);
    expect(ends[0]).toBe(0.37 + 0.004);
    expect(quota.throttledPeriods).toBe(0);
  });

  it('pauses a job that finds the quota spent until the next period (50m: 5 ms per 100 ms, by hand)', () => {
    // Periods from the first job at 0. The first job spends the whole 5 ms by 5 ms; the second,
    // arriving then, is throttled for the rest of the period, 100 − 5 = 95 ms, and ends at 101 ms.
    // The third, 4 ms at 102 ms, finds 4 ms of the new period's quota left: no pause.
    const quota = new CfsQuota({ quotaSeconds: 0.005, periodSeconds: PERIOD });
    const { ends } = endsThroughServer(
      [
        { at: 0, seconds: 0.005 },
        { at: 0.005, seconds: 0.001 },
        { at: 0.102, seconds: 0.004 },
      ],
      1,
      quota,
    );
    expect(ends[0]).toBeCloseTo(0.005, 12);
    expect(ends[1]).toBeCloseTo(0.101, 12);
    expect(ends[2]).toBeCloseTo(0.106, 12);
    expect(quota.throttledPeriods).toBe(1);
    expect(quota.throttledSeconds).toBeCloseTo(PERIOD - 0.005, 12);
    expect(quota.delays.max).toBeCloseTo(PERIOD - 0.005, 12);
  });

  it('splits a job longer than the quota over periods (12 ms at 5 ms per period: 2 pauses of 95 ms)', () => {
    const quota = new CfsQuota({ quotaSeconds: 0.005, periodSeconds: PERIOD, origin: 0 });
    const { ends } = endsThroughServer([{ at: 0, seconds: 0.012 }], 1, quota);
    expect(ends[0]).toBeCloseTo(0.202, 12);
    expect(quota.throttledPeriods).toBe(2);
    expect(quota.throttledSeconds).toBeCloseTo(2 * 0.095, 12);
  });

  it('keeps the phase of a given origin: a job at 0.15 with periods from 0.12 is paused to 0.22', () => {
    const quota = new CfsQuota({ quotaSeconds: 0.005, periodSeconds: PERIOD, origin: 0.12 });
    const { ends } = endsThroughServer([{ at: 0.15, seconds: 0.007 }], 1, quota);
    expect(ends[0]).toBeCloseTo(0.222, 12);
  });

  it('runs exactly quota / period cores when saturated (1.5 cores on 2, 100 periods)', () => {
    const quota = new CfsQuota({ quotaSeconds: 0.15, periodSeconds: PERIOD, origin: 0 });
    // Far more work than 1.5 cores can do, bounded by a waiting room so the backlog never empties.
    const jobs = poissonJobs(16, 'test/cfs/saturated', 4000, 0.001, 60_000);
    const sim = new Simulator();
    const server = new Server(sim, { servers: 2, queueLimit: 50, quota });
    for (const job of jobs) sim.at(job.at, () => server.serve(job.seconds));
    sim.run({ until: 100 * PERIOD });
    expect(server.drops.total).toBeGreaterThan(0);
    expect(quota.cpuSecondsBy(sim.now)).toBeCloseTo(100 * 0.15, 9);
    expect(server.utilisation()).toBeCloseTo(1, 9); // of the 1.5 cores the quota allows
    expect(quota.throttledPeriods).toBe(100);
  });

  it('waits as the unthrottled queue at low load (2 % busy under a 50 % quota: never throttled)', () => {
    const jobs = poissonJobs(16, 'test/cfs/low-load', 20, 0.001, 20_000);
    const plain = endsThroughServer(jobs, 1);
    const quota = new CfsQuota({ quotaSeconds: 0.05, periodSeconds: PERIOD });
    const limited = endsThroughServer(jobs, 1, quota);
    expect(limited.server.waits.mean).toBe(plain.server.waits.mean);
    expect(limited.ends).toEqual(plain.ends);
    expect(quota.throttledPeriods).toBe(0);
  });

  it('pauses no job for longer than period − quota on one core when every job fits in a quota', () => {
    // 100m, 40 % of the limit busy on average: some periods run out, none can pause a job longer.
    const jobs = poissonJobs(16, 'test/cfs/moderate', 40, 0.001, 20_000);
    const quota = new CfsQuota({ quotaSeconds: 0.01, periodSeconds: PERIOD });
    const plain = endsThroughServer(jobs, 1);
    const limited = endsThroughServer(
      jobs.map((j) => ({ at: j.at, seconds: Math.min(j.seconds, 0.01) })),
      1,
      quota,
    );
    expect(quota.throttledPeriods).toBeGreaterThan(0);
    expect(quota.delays.max).toBeLessThanOrEqual(PERIOD - 0.01 + 1e-12);
    expect(quota.delays.max).toBeGreaterThan(0.5 * (PERIOD - 0.01));
    expect(limited.server.waits.mean).toBeGreaterThan(plain.server.waits.mean);
  });

  it('refuses starts that go back in time', () => {
    const quota = new CfsQuota({ quotaSeconds: 0.01, periodSeconds: PERIOD });
    quota.run(1, 0.001);
    expect(() => quota.run(0.5, 0.001)).toThrow(RangeError);
  });
});
