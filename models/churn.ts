// Endpoint churn as rolling updates make it: at Poisson times an endpoint of a random Service is
// removed (its pod begins terminating), and its replacement becomes ready `podStartDelay` later.
// Each change goes through the control plane (control-plane/propagation.ts) to every detailed
// node's proxy, which programs it at its next sync after it arrives.

import { exponential } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import type { Simulator } from '../engine/simulator.js';
import type { ChurnSettings, Cluster } from './cluster.js';
import type { ControlPlane } from './control-plane/propagation.js';
import type { DetailedNode } from './parts.js';

/**
 * `answersKeptSeconds`: how long a DNS answer listing endpoints (a headless Service's) may be
 * read after it was made, so that removed endpoints are remembered that long; 0 when none is.
 */
export function startChurn(sim: Simulator, cluster: Cluster, nodes: DetailedNode[], settings: ChurnSettings, rng: RandomStream, controlPlane: ControlPlane, answersKeptSeconds = 0): void {
  if (!(settings.endpointChangesPerSecond > 0)) return;
  const gap = exponential(settings.endpointChangesPerSecond);
  const notify = (service: number) => controlPlane.change(service);
  const add = (service: number) => {
    cluster.addEndpoint(service, sim.now);
    notify(service);
  };
  const remove = () => {
    const service = Math.floor(rng.next() * cluster.services);
    const list = cluster.endpoints[service];
    let ready = 0;
    for (const endpoint of list) if (endpoint.removedAt === Infinity) ready++;
    if (ready > 0) {
      let k = Math.floor(rng.next() * ready);
      const index = list.findIndex((endpoint) => endpoint.removedAt === Infinity && k-- === 0);
      cluster.removeEndpoint(service, index, sim.now);
      notify(service);
      sim.schedule(settings.podStartDelay, add, service);
      // Endpoints every node has unprogrammed, and whose pods have stopped, can be forgotten.
      // Nor can a headless Service's DNS answers, made up to answersKeptSeconds ago, still list them.
      let horizon = sim.now - Math.max(settings.terminationGrace, answersKeptSeconds);
      for (const node of nodes) horizon = Math.min(horizon, node.proxy.programmedAsOf);
      cluster.forgetRemovedBefore(service, horizon);
    }
    sim.schedule(gap.sample(rng), remove);
  };
  sim.schedule(gap.sample(rng), remove);
}
