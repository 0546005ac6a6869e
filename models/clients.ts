// Client pods on the detailed nodes, and the load that clients elsewhere put on them.
//
// Open loop: Poisson arrivals are generated per (node, workload) as one stream whose rate is the
// sum of its clients' rates (superposed Poisson processes are Poisson), each arrival going to a
// client pod drawn uniformly; constant and on/off arrivals keep a timer per client pod. Closed
// loop: each client pod keeps `concurrency` requests going, each followed by its think time.

import { exponential, exponentialMean } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import type { Simulator } from '../engine/simulator.js';
import { clientsOnNode, type Cluster } from './cluster.js';
import type { Network } from './network.js';
import { Request, type DetailedNode, type WorkloadModel } from './parts.js';
import type { WorkloadSettings } from './workload.js';

export interface ClientStreams {
  arrivals: RandomStream;
  targets: RandomStream;
}

/** Offered request rates of a workload: cluster-wide and from the detailed nodes' clients. */
export function offeredRates(settings: WorkloadSettings, cluster: Cluster): { total: number; detailed: number } {
  const perClient = settings.closedLoop === undefined ? settings.ratePerClient : 0;
  let total = 0;
  let detailed = 0;
  for (let n = 0; n < cluster.nodes; n++) {
    const clients = clientsOnNode(settings.clients, n, cluster.nodes, cluster.podsPerNode);
    total += clients * perClient;
    if (n < cluster.detailedNodes) detailed += clients * perClient;
  }
  return { total, detailed };
}

/** Client pods of a workload on detailed node `node`: global pod indices. */
export function clientPods(settings: WorkloadSettings, cluster: Cluster, node: number): number[] {
  const count = clientsOnNode(settings.clients, node, cluster.nodes, cluster.podsPerNode);
  const pods: number[] = [];
  for (let j = 0; j < count; j++) pods.push(j * cluster.nodes + node);
  return pods;
}

export function startClients(
  sim: Simulator,
  network: Network,
  nodes: DetailedNode[],
  workload: WorkloadModel,
  settings: WorkloadSettings,
  streams: ClientStreams,
): void {
  const cluster = network.cluster;
  const newRequest = (node: DetailedNode, pod: number): Request => {
    const request = new Request();
    request.node = node;
    request.workload = workload;
    request.clientPod = pod;
    request.service = workload.pickService(streams.targets);
    return request;
  };

  for (const node of nodes) {
    const pods = clientPods(settings, cluster, node.index);
    if (pods.length === 0) continue;

    if (settings.closedLoop !== undefined) {
      const think = settings.closedLoop.thinkTime;
      const next = (done: Request) => {
        const again = () => {
          const request = newRequest(node, done.clientPod);
          request.onDone = next;
          network.start(request);
        };
        if (think > 0) sim.schedule(think, again);
        else sim.schedule(0, again);
      };
      for (const pod of pods) {
        for (let c = 0; c < settings.closedLoop.concurrency; c++) {
          const request = newRequest(node, pod);
          request.onDone = next;
          sim.schedule(0, () => network.start(request));
        }
      }
      continue;
    }

    openLoop(sim, settings, pods, streams.arrivals, (pod) => network.start(newRequest(node, pod)));
  }
}

/**
 * Open-loop arrivals for the client pods `pods` of one node: Poisson as one superposed stream,
 * constant and on/off per pod; `fire(pod)` starts one request (or query) of that pod.
 */
export function openLoop(sim: Simulator, settings: WorkloadSettings, pods: number[], rng: RandomStream, fire: (pod: number) => void): void {
  const rate = settings.ratePerClient;
  const arrival = settings.arrival;
  if (arrival === 'poisson') {
    const gap = exponential(rate * pods.length);
    const arrive = () => {
      const pod = pods[Math.floor(rng.next() * pods.length)];
      fire(pod);
      sim.schedule(gap.sample(rng), arrive);
    };
    sim.schedule(gap.sample(rng), arrive);
  } else if (arrival === 'constant') {
    const period = 1 / rate;
    for (const pod of pods) {
      const tick = () => {
        fire(pod);
        sim.schedule(period, tick);
      };
      sim.schedule(rng.next() * period, tick);
    }
  } else {
    // On/off: exponential on and off periods with the given means; Poisson during "on" at the
    // rate that keeps the long-run mean at ratePerClient.
    const { on, off } = arrival.onOff;
    const onPeriod = exponentialMean(on);
    const offPeriod = exponentialMean(off);
    const burst = exponential((rate * (on + off)) / on);
    for (const pod of pods) {
      let onUntil = 0;
      const arrive = () => {
        if (sim.now >= onUntil) {
          sim.schedule(offPeriod.sample(rng), startOn);
          return;
        }
        fire(pod);
        sim.schedule(burst.sample(rng), arrive);
      };
      const startOn = () => {
        onUntil = sim.now + onPeriod.sample(rng);
        sim.schedule(burst.sample(rng), arrive);
      };
      // Start in "on" or "off" in proportion to their means (the stationary state).
      if (rng.next() < on / (on + off)) startOn();
      else sim.schedule(offPeriod.sample(rng), startOn);
    }
  }
}

/**
 * Requests that clients on non-detailed nodes send to the detailed nodes' pods, as one Poisson
 * stream of rate `rate` (server side only: conntrack on the server node, CPU, workers).
 */
export function startBackgroundLoad(sim: Simulator, network: Network, workload: WorkloadModel, rate: number, streams: ClientStreams): void {
  if (!(rate > 0)) return;
  const gap = exponential(rate);
  const arrive = () => {
    const request = new Request();
    request.workload = workload;
    request.service = workload.pickService(streams.targets);
    network.startBackground(request);
    sim.schedule(gap.sample(streams.arrivals), arrive);
  };
  sim.schedule(gap.sample(streams.arrivals), arrive);
}

/**
 * External clients (workload `from: external`): `settings.clients` machines outside the cluster,
 * each with an id past every pod's, unique per (workload, machine), for its ports and keep-alive
 * pools. Their requests enter through the load balancer or a node port (network.ts, external.ts).
 */
export function startExternalClients(sim: Simulator, network: Network, workload: WorkloadModel, settings: WorkloadSettings, workloads: number, streams: ClientStreams): void {
  const pods = network.cluster.totalPods;
  const machines = settings.clients as number;
  const ids: number[] = [];
  for (let k = 0; k < machines; k++) ids.push((k * workloads + workload.index + 1) * pods * (workloads + 1));
  const newRequest = (id: number): Request => {
    const request = new Request();
    request.node = network.nodes[0]; // until the load balancer picks its node
    request.workload = workload;
    request.clientPod = id;
    request.service = workload.pickService(streams.targets);
    request.externalSeconds = workload.external!.oneWaySeconds;
    return request;
  };
  if (settings.closedLoop !== undefined) {
    const { concurrency, thinkTime } = settings.closedLoop;
    const next = (done: Request) => {
      sim.schedule(thinkTime, () => {
        const request = newRequest(done.clientPod);
        request.onDone = next;
        network.start(request);
      });
    };
    for (const id of ids) {
      for (let c = 0; c < concurrency; c++) {
        const request = newRequest(id);
        request.onDone = next;
        sim.schedule(0, () => network.start(request));
      }
    }
    return;
  }
  openLoop(sim, settings, ids, streams.arrivals, (id) => network.start(newRequest(id)));
}
