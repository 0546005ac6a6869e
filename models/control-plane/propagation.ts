// The path of an endpoint change from the pod to every node's kube-proxy: the kubelet's status
// write, the EndpointSlice controller (endpointslice-controller.ts), and the API server's watch
// fan-out of the slice write to the N kube-proxies. Leaves out the scheduler and the kubelet's
// own readiness probing (before the change's trigger time, so outside the metric), API server
// priority and fairness, and etcd's own queueing.
//
// Fan-out: the API server's watch cache dispatches each event to its watchers one after another
// (staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go dispatchEvent; the object is
// serialized once for all of them, caching_object.go), in Go map order, which is random per
// event: a kube-proxy is at a uniform position among the N, and waits watchFanoutPerWatcher per
// watcher ahead of it. The delay to the last of N grows linearly with N.

import type { RandomStream } from '../../engine/random.js';
import type { Simulator } from '../../engine/simulator.js';
import { Histogram } from '../../engine/stats/index.js';
import { EndpointSliceController } from './endpointslice-controller.js';
import type { ControlPlaneConstants, EndpointSliceSettings } from './settings.js';

/** A node proxy as the control plane feeds it. */
interface ChangeSink {
  notifyChange(changeTime: number, service: number): void;
}

/** Seconds from a write's commit to the watcher at 0-based `position` of the event's dispatch. */
export function fanoutDelay(constants: ControlPlaneConstants, position: number): number {
  return constants.watchDelivery + position * constants.watchFanoutPerWatcher;
}

export interface ControlPlaneOptions {
  sim: Simulator;
  settings: EndpointSliceSettings;
  constants: ControlPlaneConstants;
  /** Every node's kube-proxy watches the slices: the fan-out's width. */
  watchers: number;
  /** The detailed nodes' proxies, fed in order. */
  sinks: readonly ChangeSink[];
  /** Draws each event's dispatch position per sink. */
  rng: RandomStream;
}

export class ControlPlane {
  readonly controller: EndpointSliceController;
  /** Per slice write and detailed node: from the write's commit to its arrival at the node's kube-proxy. */
  readonly fanoutDelays = new Histogram();
  /** Per sink, the times of changes made and not yet delivered to it (few: the path takes well under a second). */
  private readonly inFlight: number[][];

  constructor(private readonly options: ControlPlaneOptions) {
    if (!(Number.isInteger(options.watchers) && options.watchers >= 1)) throw new RangeError(`watchers must be an integer ≥ 1, got ${options.watchers}`);
    this.inFlight = options.sinks.map(() => []);
    this.controller = new EndpointSliceController({
      sim: options.sim,
      settings: options.settings,
      constants: options.constants,
      onWritten: (service, changeTimes) => this.fanOut(service, changeTimes),
    });
  }

  /** A pod of `service` became ready or began terminating now: the kubelet writes its status, the controller's informer sees it. */
  change(service: number): void {
    const { sim, constants } = this.options;
    const changeTime = sim.now;
    for (const list of this.inFlight) list.push(changeTime);
    sim.schedule(constants.apiWrite + constants.watchDelivery, () => this.controller.podChanged(changeTime, service));
  }

  /** Every change made up to this time (exclusive of later ones) has reached sink `index`. */
  deliveredBefore(index: number): number {
    const list = this.inFlight[index];
    let min = Infinity;
    for (const t of list) if (t < min) min = t;
    return min;
  }

  resetStatistics(): void {
    this.controller.resetStatistics();
    this.fanoutDelays.reset();
  }

  private fanOut(service: number, changeTimes: readonly number[]): void {
    const { sim, constants, watchers, sinks, rng } = this.options;
    sinks.forEach((sink, index) => {
      const delay = fanoutDelay(constants, Math.floor(rng.next() * watchers));
      this.fanoutDelays.add(delay);
      sim.schedule(delay, () => {
        const list = this.inFlight[index];
        for (const t of changeTimes) {
          const k = list.indexOf(t);
          if (k >= 0) list.splice(k, 1);
          sink.notifyChange(t, service);
        }
      });
    });
  }
}
