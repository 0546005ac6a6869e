import { describe, it, expect } from 'vitest';
import { Simulator } from '../../engine/simulator.js';
import { Server } from '../../engine/server.js';
import { RandomStreams } from '../../engine/random.js';
import { Request, type WorkloadModel } from '../../models/parts.js';
import { WorkerPools } from '../../models/worker-pools.js';

/** The same arrivals (pod, service time) on `pods` pools, with a reset at `resetAt`. */
function arrivals(seed: number): { at: number; pod: number; seconds: number }[] {
  const rng = new RandomStreams(seed, 0).stream('worker-pools-test');
  const list = [];
  for (let k = 0; k < 3000; k++) list.push({ at: Math.floor(rng.next() * 400) / 20, pod: [3, 700, 41, 5][Math.floor(rng.next() * 4)], seconds: rng.next() * 0.5 });
  return list;
}

const workersOf = (pod: number): number => (pod === 700 ? 1 : pod === 41 ? 4 : 2);

describe('WorkerPools', () => {
  it('serves in the same order, at the same times, with the same utilisation to the bit as a Server per pod', () => {
    const list = arrivals(3);
    const resetAt = 7.5;

    const serverSim = new Simulator();
    const servers = new Map<number, Server>();
    const serverCreated: Server[] = [];
    const serverDone: string[] = [];
    list.forEach(({ at, pod, seconds }, id) =>
      serverSim.at(at, () => {
        let server = servers.get(pod);
        if (server === undefined) {
          servers.set(pod, (server = new Server(serverSim, { servers: workersOf(pod) })));
          serverCreated.push(server);
        }
        server.serve(seconds, () => serverDone.push(`${id}@${serverSim.now}`));
      }),
    );
    serverSim.at(resetAt, () => serverCreated.forEach((s) => s.resetStatistics()));
    serverSim.run({ until: 15 });

    const poolSim = new Simulator();
    const poolDone: string[] = [];
    const ids = new Map<Request, number>();
    const pools = new WorkerPools(poolSim, (request) => poolDone.push(`${ids.get(request)}@${poolSim.now}`));
    list.forEach(({ at, pod, seconds }, id) =>
      poolSim.at(at, () => {
        const request = new Request();
        request.servingPod = pod;
        request.workload = { workers: workersOf(pod) } as WorkloadModel;
        ids.set(request, id);
        pools.serve(request, seconds);
      }),
    );
    poolSim.at(resetAt, () => pools.resetStatistics());
    poolSim.run({ until: 15 });

    expect(Math.max(...serverCreated.map((s) => s.waits.max))).toBeGreaterThan(1); // lines formed
    expect(poolDone).toEqual(serverDone);
    expect(poolSim.eventsExecuted).toBe(serverSim.eventsExecuted);
    expect(pools.count).toBe(4);
    expect(pools.utilisations()).toEqual(serverCreated.map((s) => s.utilisation()));
  });
});
