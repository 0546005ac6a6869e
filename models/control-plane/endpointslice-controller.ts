// The EndpointSlice controller of kube-controller-manager: a work queue of Services served by
// `concurrentSyncs` workers; each sync reconciles a Service's slices and writes them through a
// client rate-limited to apiQps/apiBurst. Leaves out slices split at maxEndpointsPerSlice (a change
// rewrites the one slice holding the endpoint: one write per sync), topology hints, and the
// Services' own informer events.
//
// After pkg/controller/endpointslice/endpointslice_controller.go and client-go util/workqueue:
// - a pod change queues its Service after the batch period (AddAfter); a Service already waiting
//   in the queue is not queued twice, and one being synced is queued again when its sync ends;
// - a sync first checks that the controller's informer has seen its own last write of the
//   Service's slices (the EndpointSliceTracker's stale check); if not, the sync fails and the
//   Service is requeued with the rate limiter's per-item backoff (1 s, 2 s, 4 s … 1000 s,
//   kubernetes/kubernetes PRs #89438 and #112353), which a success resets (Forget);
// - the write waits for a token of the client's limiter (golang.org/x/time/rate, as client-go's
//   token bucket: it reserves and sleeps), holding its worker meanwhile.

import type { Simulator } from '../../engine/simulator.js';
import { Counter, Histogram } from '../../engine/stats/index.js';
import type { ControlPlaneConstants, EndpointSliceSettings } from './settings.js';

/** A token bucket that makes a request wait for its token instead of refusing it (x/time/rate's Reserve). */
export class WaitingRateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    start: number,
  ) {
    if (!(qps > 0)) throw new RangeError(`qps must be > 0, got ${qps}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be ≥ 1, got ${burst}`);
    this.tokens = burst;
    this.last = start;
  }

  /** Reserves one token at `now` (nondecreasing): returns the seconds to wait for it. */
  reserve(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens < 0 ? -this.tokens / this.qps : 0;
  }
}

export interface EndpointSliceControllerOptions {
  sim: Simulator;
  settings: EndpointSliceSettings;
  constants: ControlPlaneConstants;
  /** A Service's slice write committed at `sim.now`, carrying the pod changes (their times) it holds. */
  onWritten: (service: number, changeTimes: readonly number[]) => void;
}

export class EndpointSliceController {
  /** Per pod change: from the change to the commit of the slice write that holds it. */
  readonly delays = new Histogram();
  /** Syncs that found the informer's cache stale and requeued their Service. */
  readonly staleRetries = new Counter();
  /** Slice writes committed. */
  readonly writes = new Counter();

  private readonly pending = new Map<number, number[]>();
  private readonly dirty = new Set<number>();
  private readonly processing = new Set<number>();
  private readonly queue: number[] = [];
  private queueHead = 0;
  private busy = 0;
  private readonly addAt = new Map<number, number>();
  private readonly failures = new Map<number, number>();
  /** When the controller's informer holds its last write of each Service's slices. */
  private readonly visibleAt = new Map<number, number>();
  private readonly limiter: WaitingRateLimiter;
  private readonly sim: Simulator;
  private readonly settings: EndpointSliceSettings;
  private readonly constants: ControlPlaneConstants;

  constructor(private readonly options: EndpointSliceControllerOptions) {
    this.sim = options.sim;
    this.settings = options.settings;
    this.constants = options.constants;
    this.limiter = new WaitingRateLimiter(options.settings.apiQps, options.settings.apiBurst, options.sim.now);
  }

  /** A pod of `service` changed at `changeTime`; the controller's pod informer receives it now. */
  podChanged(changeTime: number, service: number): void {
    let list = this.pending.get(service);
    if (list === undefined) this.pending.set(service, (list = []));
    list.push(changeTime);
    this.addAfter(service, this.settings.batchPeriod);
  }

  /** Pod changes received and not yet written. */
  get unwritten(): number {
    let n = 0;
    for (const list of this.pending.values()) n += list.length;
    return n;
  }

  resetStatistics(): void {
    this.delays.reset();
    this.staleRetries.reset();
    this.writes.reset();
  }

  /** The delaying queue: one pending add per Service, the earliest. */
  private addAfter(service: number, delay: number): void {
    if (!(delay > 0)) {
      this.add(service);
      return;
    }
    const at = this.sim.now + delay;
    const scheduled = this.addAt.get(service);
    if (scheduled !== undefined && scheduled <= at) return;
    this.addAt.set(service, at);
    this.sim.at(at, () => {
      if (this.addAt.get(service) !== at) return; // superseded by an earlier add
      this.addAt.delete(service);
      this.add(service);
    });
  }

  private add(service: number): void {
    if (this.dirty.has(service)) return;
    this.dirty.add(service);
    if (this.processing.has(service)) return;
    this.queue.push(service);
    this.startWorkers();
  }

  private startWorkers(): void {
    while (this.busy < this.settings.concurrentSyncs && this.queueHead < this.queue.length) {
      const service = this.queue[this.queueHead++];
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue.splice(0, this.queueHead);
        this.queueHead = 0;
      }
      this.dirty.delete(service);
      this.processing.add(service);
      this.busy++;
      this.sync(service);
    }
  }

  private sync(service: number): void {
    const now = this.sim.now;
    if (now < (this.visibleAt.get(service) ?? -Infinity)) {
      // Stale informer cache: the sync fails before writing; the changes wait for the retry.
      const failures = this.failures.get(service) ?? 0;
      this.failures.set(service, failures + 1);
      this.staleRetries.add();
      this.done(service);
      this.addAfter(service, Math.min(this.constants.staleRetryMax, this.constants.staleRetryBase * 2 ** failures));
      return;
    }
    const changes = this.pending.get(service);
    this.pending.delete(service);
    if (changes === undefined) {
      // Nothing changed since the last write (a requeue that an earlier sync already served).
      this.failures.delete(service);
      this.done(service);
      return;
    }
    this.sim.schedule(this.constants.syncCpu, () => {
      const wait = this.limiter.reserve(this.sim.now);
      this.sim.schedule(wait + this.constants.apiWrite, () => {
        const committed = this.sim.now;
        for (const t of changes) this.delays.add(committed - t);
        this.writes.add();
        this.visibleAt.set(service, committed + this.constants.watchDelivery);
        this.failures.delete(service);
        this.options.onWritten(service, changes);
        this.done(service);
      });
    });
  }

  private done(service: number): void {
    this.busy--;
    this.processing.delete(service);
    if (this.dirty.has(service)) this.queue.push(service);
    this.startWorkers();
  }
}
