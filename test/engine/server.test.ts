import { describe, it, expect } from 'vitest';
import { Simulator } from '../../engine/simulator.js';
import { Server } from '../../engine/server.js';
import { spawn } from '../../engine/process.js';
import { RandomStreams } from '../../engine/random.js';

describe('Server', () => {
  for (const servers of [1, 3]) {
    it(`starts service in arrival order under contention (c = ${servers})`, () => {
      const rng = new RandomStreams(5, servers).stream('server-test/fifo');
      const sim = new Simulator();
      const server = new Server(sim, { servers });
      const arrivals: number[] = [];
      const starts: number[] = [];
      for (let id = 0; id < 200; id++) {
        // Arrivals on a coarse grid (many at one instant), service times varied: the line is long.
        sim.at(Math.floor(rng.next() * 20), () => {
          arrivals.push(id);
          server.acquire(() => {
            starts.push(id);
            sim.schedule(0.2 + rng.next() * 2, () => server.release());
          });
        });
      }
      sim.run();
      expect(server.drops.total).toBe(0);
      expect(server.waits.max).toBeGreaterThan(10); // there was contention
      expect(starts).toEqual(arrivals);
    });
  }

  it('finishes serve() jobs in arrival order with one server, calling done with its argument', () => {
    const sim = new Simulator();
    const server = new Server(sim, { servers: 1 });
    const finished: [number, string][] = [];
    const done = (label: string) => finished.push([sim.now, label]);
    sim.at(0, () => server.serve(2, done, 'a'));
    sim.at(0.5, () => { server.serve(1, done, 'b'); server.serve(0.5, done, 'c'); });
    sim.run();
    expect(finished).toEqual([[2, 'a'], [3, 'b'], [3.5, 'c']]);
  });

  it('calls each of many distinct dones with its own argument (fixed finish callbacks, then the job slots)', () => {
    const sim = new Simulator();
    const server = new Server(sim, { servers: 2 });
    const finished: string[] = [];
    const dones = [0, 1, 2, 3, 4].map((k) => (arg: string) => finished.push(`${k}:${arg}@${sim.now}`));
    // Two rounds, so that every kind of finish runs again once its first job has set it up.
    for (const round of [0, 10]) {
      sim.at(round, () => {
        dones.forEach((done, k) => server.serve(1 + k, done, `r${round}`));
      });
    }
    sim.run();
    expect(finished).toEqual([
      '0:r0@1', '1:r0@2', '2:r0@4', '3:r0@6', '4:r0@9',
      '0:r10@11', '1:r10@12', '2:r10@14', '3:r10@16', '4:r10@19',
    ]);
    expect(server.busy).toBe(0);
  });

  it('drops arrivals that find the waiting room full, counting them, and serve() returns false', () => {
    const sim = new Simulator();
    const server = new Server(sim, { servers: 1, queueLimit: 2 });
    const accepted = [1, 2, 3, 4, 5].map(() => server.serve(1));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(server.drops.total).toBe(2);
    expect(server.queueLength).toBe(2);
    sim.run();
    expect(server.started.total).toBe(3);
    expect(sim.now).toBe(3);
  });

  it('drops every arrival that finds all servers busy when queueLimit is 0', () => {
    const sim = new Simulator();
    const server = new Server(sim, { servers: 2, queueLimit: 0 });
    expect([server.serve(1), server.serve(1), server.serve(1)]).toEqual([true, true, false]);
    expect(server.drops.total).toBe(1);
  });

  it('tells a process it was dropped at once: request() evaluates to false without waiting', () => {
    const sim = new Simulator();
    const server = new Server(sim, { servers: 1, queueLimit: 0 });
    const granted: [string, boolean, number][] = [];
    const client = (name: string) => (function* () {
      const ok: boolean = yield server.request();
      granted.push([name, ok, sim.now]);
      if (ok) {
        yield sim.timeout(1);
        server.release();
      }
    })();
    spawn(sim, client('first'));
    spawn(sim, client('second'));
    sim.run();
    expect(granted).toEqual([['first', true, 0], ['second', false, 0]]);
    expect(server.drops.total).toBe(1);
  });

  it('tallies the waits of a hand-computed schedule exactly', () => {
    // One server. Arrivals (time, service): A (0, 2), B (1, 3), C (1.5, 1), D (6, 1).
    // A starts at 0, B at 2 (waits 1), C at 5 (waits 3.5). D arrives at 6, the instant C ends:
    // its arrival was scheduled first, so it joins the line and is handed the server at once (waits 0).
    const sim = new Simulator();
    const server = new Server(sim, { servers: 1 });
    for (const [time, service] of [[0, 2], [1, 3], [1.5, 1], [6, 1]]) sim.at(time, () => server.serve(service));
    sim.run({ until: 8 });
    expect(server.waits.count).toBe(4);
    expect(server.waits.sum).toBe(4.5);
    expect(server.waits.mean).toBe(1.125);
    expect(server.waits.min).toBe(0);
    expect(server.waits.max).toBe(3.5);
    expect(server.queueLevel.max).toBe(2);
    // Queue: 1 on [1, 1.5), 2 on [1.5, 2), 1 on [2, 5): area 4.5 = total wait (Little), over 8 s.
    expect(server.queueLevel.mean(sim.now)).toBe(4.5 / 8);
    // Busy on [0, 7) of [0, 8].
    expect(server.utilisation()).toBe(7 / 8);
  });

  it('reports the exact utilisation of a deterministic schedule on two servers', () => {
    // Jobs (arrival, service): (0, 3), (1, 1), (1.5, 2). The third waits from 1.5 to 2.
    // Busy servers: 1 on [0, 1), 2 on [1, 3), 1 on [3, 4), 0 on [4, 8]: area 6 of 2 × 8.
    const sim = new Simulator();
    const server = new Server(sim, { servers: 2 });
    for (const [time, service] of [[0, 3], [1, 1], [1.5, 2]]) sim.at(time, () => server.serve(service));
    sim.run({ until: 8 });
    expect(server.utilisation()).toBe(0.375);
    expect(server.busyLevel.mean(8)).toBe(0.75);
    expect(server.busyLevel.max).toBe(2);
    expect([server.waits.sum, server.waits.max]).toEqual([0.5, 0.5]);
  });

  it('serves acquire(), request() and serve() arrivals from one FIFO line', () => {
    const sim = new Simulator();
    const server = new Server(sim, { servers: 1 });
    const starts: [string, number][] = [];
    sim.at(0, () => server.acquire(() => {
      starts.push(['holder', sim.now]);
      sim.schedule(5, () => server.release());
    }));
    const processClient = (name: string) => (function* () {
      yield server.request();
      starts.push([name, sim.now]);
      yield sim.timeout(1);
      server.release();
    })();
    sim.at(1, () => spawn(sim, processClient('process A')));
    sim.at(2, () => server.acquire(() => {
      starts.push(['callback B', sim.now]);
      sim.schedule(1, () => server.release());
    }));
    sim.at(2.5, () => server.serve(1, () => starts.push(['serve D ends', sim.now])));
    sim.at(3, () => spawn(sim, processClient('process C')));
    sim.run();
    expect(starts).toEqual([
      ['holder', 0],
      ['process A', 5],
      ['callback B', 6],
      // D is served on [7, 8); its server passes to C before D's done callback runs.
      ['process C', 8],
      ['serve D ends', 8],
    ]);
    expect(server.waits.sum).toBe(0 + 4 + 4 + 4.5 + 5);
  });

  it('throws on release() without a held server', () => {
    const sim = new Simulator();
    const server = new Server(sim, { servers: 2 });
    expect(() => server.release()).toThrow(/without a held server/);
    server.acquire(() => {});
    server.release();
    expect(() => server.release()).toThrow(/without a held server/);
    expect(server.busy).toBe(0);
  });

  it('keeps the busy servers and the line on resetStatistics(), forgetting only the history', () => {
    const sim = new Simulator();
    const server = new Server(sim, { servers: 1, queueLimit: 2 });
    sim.at(0, () => {
      for (let i = 0; i < 4; i++) server.serve(10); // one served, two waiting, one dropped
    });
    sim.at(4, () => server.resetStatistics());
    sim.run({ until: 6 });
    expect([server.busy, server.queueLength]).toEqual([1, 2]);
    expect([server.drops.total, server.started.total, server.waits.count]).toEqual([0, 0, 0]);
    // Measured from 4: the server was busy and two waited all along.
    expect(server.utilisation()).toBe(1);
    expect(server.queueLevel.mean(sim.now)).toBe(2);
    sim.run({ until: 11 });
    expect([server.started.total, server.waits.sum]).toEqual([1, 10]);
  });

  it('rejects a server count that is not a positive integer, and a negative queue limit', () => {
    const sim = new Simulator();
    expect(() => new Server(sim, { servers: 0 })).toThrow(RangeError);
    expect(() => new Server(sim, { servers: 1.5 })).toThrow(RangeError);
    expect(() => new Server(sim, { servers: 1, queueLimit: -1 })).toThrow(RangeError);
  });
});
