// What an experiment will cost, before running it: simulations, simulated time, and the requests
// the detailed nodes' open-loop clients will issue (the bulk of the events; closed-loop clients
// go as fast as the simulated servers let them and are not counted).

import { networkSettings } from '../models/settings.js';
import type { Shard } from './expand.js';
import type { LoadedExperiment } from './load.js';

export interface WorkEstimate {
  points: number;
  replications: number;
  simulations: number;
  /** Warm-up plus measured window, summed over simulations. */
  simulatedSeconds: number;
  /** Open-loop requests issued by clients on detailed nodes, summed over simulations. */
  requests: number;
  closedLoop: boolean;
}

export function estimateWork(loaded: LoadedExperiment, shard?: Shard): WorkEstimate {
  const replications = loaded.spec.replications;
  let simulatedSeconds = 0;
  let requests = 0;
  let closedLoop = false;
  for (const point of loaded.points) {
    const s = networkSettings.parse(point.input);
    const seconds = s.warmup + s.duration;
    const detailed = s.cluster.detailedNodes === 'all' ? s.cluster.nodes : Math.min(s.cluster.detailedNodes, s.cluster.nodes);
    let rate = 0;
    for (const w of s.workload) {
      if (w.closedLoop !== undefined) {
        closedLoop = true;
        continue;
      }
      const clients = typeof w.clients === 'number' ? (w.clients * detailed) / s.cluster.nodes : w.clients.share * s.cluster.podsPerNode * detailed;
      rate += clients * w.ratePerClient;
    }
    simulatedSeconds += seconds * replications;
    requests += rate * seconds * replications;
  }
  const simulations = loaded.points.length * replications;
  const share = shard === undefined ? 1 : Math.ceil(simulations / shard.count) / Math.max(1, simulations);
  return {
    points: loaded.points.length,
    replications,
    simulations: Math.round(simulations * share),
    simulatedSeconds: simulatedSeconds * share,
    requests: Math.round(requests * share),
    closedLoop,
  };
}
