// kube-proxy's bounded-frequency sync loop on one node: changes request a sync, syncs start at
// least minSyncPeriod apart and at least every syncPeriod, each sync programs the cluster as of
// its start. Outputs the sync durations and the network programming latency. Leaves out failed
// syncs and their retries, and the runner's burst of 2 (burstSyncs): here a burst of changes
// costs one sync, as with a burst of 1.
//
// Timing, after pkg/util/async/bounded_frequency_runner.go: a requested sync starts at
// max(request, previous start + minSyncPeriod), never during another sync (one goroutine); with
// nothing pending the periodic sync comes syncPeriod after the previous sync's end (the runner
// resets its timer when a run returns). With partialSync a sync is partial unless it is the first
// or the last full one started syncPeriod or more ago (KEP-3453); without it every sync is full.
//
// CPU: a sync holds one core of the node for its duration (iptables-restore is CPU-bound: 12.5 of
// its 12.8 s wall in kubernetes/kubernetes #96018). Waiting for a core counts in the recorded
// sync duration, as kube-proxy's metric is wall-clock time from the start of syncProxyRules and a
// runnable but descheduled kube-proxy still counts; CPU seconds count the service time only.
// The snapshot of pending changes is taken when the sync is requested of the CPU.
//
// Latency is kube-proxy's metric: from the change's trigger time, the time the EndpointSlice
// controller writes into the slice's endpoints.kubernetes.io/last-change-trigger-time, which is
// the pod's Ready condition LastTransitionTime (pkg/controller/util/endpoint/trigger_time_tracker.go).
// That condition is a metav1.Time, stored and served with whole-second precision (apimachinery
// meta/v1 time_proto.go drops the nanoseconds: "our JSON only handled seconds"), so the trigger
// time is the change time truncated to the second (triggerTimeResolutionSeconds). Where the
// second boundaries fall relative to this node's syncs is arbitrary (wallClockOffsetSeconds): under
// steady churn syncs start exactly minSyncPeriod apart, so a grid locked to simulation time 0 would
// add the same fraction to every change.
//
// Changes reach the loop through the control plane (models/control-plane/), later than they were
// made: a sync's rules then reflect the cluster as of just before the earliest change not yet
// delivered (deliveredBefore), not as of its start. With a CPU limit (quota: kube-proxy's
// container's CFS quota, engine/cfs-quota.ts) a sync runs at full speed while the period's quota
// lasts and pauses until the next period otherwise; its CPU is still charged to the node's cores,
// off the sync's path (it is not queued behind the node's other work, a lower bound on its length).

import type { CfsQuota } from '../../engine/cfs-quota.js';
import type { Server } from '../../engine/server.js';
import type { Simulator } from '../../engine/simulator.js';
import { Counter, Histogram, Tally } from '../../engine/stats/index.js';
import type { ProxyMode, RuleSetSize, SyncKind } from './proxy-mode.js';

export interface ProxySyncLoopOptions {
  sim: Simulator;
  mode: ProxyMode;
  /** Seconds; see proxySettings in index.ts. */
  settings: { minSyncPeriod: number; syncPeriod: number; partialSync: boolean };
  /** The cluster as this proxy sees it, read at each sync's start. */
  cluster: () => RuleSetSize;
  /** The node's CPU (one server per core); without it a sync takes its duration uncontended. */
  cpu?: Server;
  /** Seconds from a change to its arrival here, added to each latency (profile: syncLoop.propagationDelay). */
  propagationDelaySeconds?: number;
  /** Trigger times are the change times truncated to this (profile: syncLoop.triggerTimeResolution); 0 keeps them exact. */
  triggerTimeResolutionSeconds?: number;
  /** The wall clock's reading at simulation time 0 (only its fraction of the resolution matters). */
  wallClockOffsetSeconds?: number;
  /** Called at each sync's end with the time its rules reflect the cluster as of. */
  onProgrammed?: (snapshotTime: number) => void;
  /** Every change made before this time has been notified (Infinity: all of them); without it, changes are notified as they are made. */
  deliveredBefore?: () => number;
  /** kube-proxy's container's CPU limit as a CFS quota (one sync at a time: one goroutine); none by default. */
  quota?: CfsQuota;
}

const NO_EVENT = -1;

export class ProxySyncLoop {
  /** kubeproxy_network_programming_duration_seconds: per change, from the change to the end of the sync that applied it, plus the propagation delay. */
  readonly programmingLatency = new Histogram();
  /** kubeproxy_sync_proxy_rules_duration_seconds: wall-clock seconds per sync, CPU queueing included. */
  readonly syncDurations = new Histogram();
  /** kubeproxy_sync_full_proxy_rules_duration_seconds and …_partial_…: the same, by the sync's kind. */
  readonly fullSyncDurations = new Histogram();
  readonly partialSyncDurations = new Histogram();
  /** Seconds of each sync in its restore step (ProxyMode.restoreSeconds): service time, no CPU queueing. */
  readonly restoreDurations = new Histogram();
  readonly fullSyncs = new Counter();
  readonly partialSyncs = new Counter();
  /** CPU seconds per sync (its service time). */
  readonly syncCpu = new Tally();
  /** Snapshot time of the last completed sync: the node's rules reflect the cluster as of then. -Infinity before the first. */
  programmedAsOf = -Infinity;

  private readonly sim: Simulator;
  private readonly mode: ProxyMode;
  private readonly minSyncPeriod: number;
  private readonly syncPeriod: number;
  private readonly partialSync: boolean;
  private readonly propagationDelay: number;
  private readonly triggerTimeResolution: number;
  private readonly wallClockOffset: number;

  // Changes waiting for the next sync, and those the running sync took (swapped, not reallocated).
  private pendingTimes: number[] = [];
  private inFlightTimes: number[] = [];
  private readonly pendingServices = new Set<number>();

  private started = false;
  private running = false;
  private event = NO_EVENT;
  private eventTime = Infinity;
  private lastStart = -Infinity;
  private lastFullStart = -Infinity;
  private snapshotTime = NaN;
  private programmedTime = NaN;
  private runningCpuSeconds = 0;
  private runningRestoreSeconds = 0;
  private runningKind: SyncKind = 'full';

  private readonly beginSync = () => this.begin();
  private readonly endSync = () => this.end();

  constructor(private readonly options: ProxySyncLoopOptions) {
    const { minSyncPeriod, syncPeriod, partialSync } = options.settings;
    if (!(minSyncPeriod >= 0 && Number.isFinite(minSyncPeriod))) throw new RangeError(`minSyncPeriod must be ≥ 0, got ${minSyncPeriod}`);
    if (!(syncPeriod > 0)) throw new RangeError(`syncPeriod must be > 0, got ${syncPeriod}`);
    const delay = options.propagationDelaySeconds ?? 0;
    if (!(delay >= 0 && Number.isFinite(delay))) throw new RangeError(`propagationDelaySeconds must be ≥ 0, got ${delay}`);
    const resolution = options.triggerTimeResolutionSeconds ?? 0;
    if (!(resolution >= 0 && Number.isFinite(resolution))) throw new RangeError(`triggerTimeResolutionSeconds must be ≥ 0, got ${resolution}`);
    this.triggerTimeResolution = resolution;
    const offset = options.wallClockOffsetSeconds ?? 0;
    if (!Number.isFinite(offset)) throw new RangeError(`wallClockOffsetSeconds must be finite, got ${offset}`);
    this.wallClockOffset = offset;
    this.sim = options.sim;
    this.mode = options.mode;
    this.minSyncPeriod = minSyncPeriod;
    this.syncPeriod = syncPeriod;
    this.partialSync = partialSync;
    this.propagationDelay = delay;
  }

  /** kube-proxy starting: the first sync (full, everything new) runs now. */
  start(): void {
    if (this.started) throw new Error('ProxySyncLoop already started');
    this.started = true;
    this.scheduleAt(this.sim.now);
  }

  /**
   * An endpoint of `service` was added or removed at `changeTime` (≤ now), and the change reaches
   * this proxy now (the profile's propagation delay is on top of that, in the latency only).
   */
  notifyChange(changeTime: number, service: number): void {
    if (!(changeTime <= this.sim.now)) throw new RangeError(`a change at ${changeTime} cannot reach the proxy at ${this.sim.now}, before it happened`);
    this.pendingTimes.push(changeTime);
    this.pendingServices.add(service);
    if (this.started && !this.running) this.scheduleAt(Math.max(this.sim.now, this.lastStart + this.minSyncPeriod));
  }

  /** CPU seconds spent on syncs since the last reset. */
  get cpuSeconds(): number {
    return this.syncCpu.sum;
  }

  /** Changes received and not yet programmed (pending or in the running sync). */
  get unprogrammedChanges(): number {
    return this.pendingTimes.length + this.inFlightTimes.length;
  }

  /** Discards statistics gathered so far (end of warm-up); the loop's state is kept. */
  resetStatistics(): void {
    this.programmingLatency.reset();
    this.syncDurations.reset();
    this.fullSyncDurations.reset();
    this.partialSyncDurations.reset();
    this.restoreDurations.reset();
    this.fullSyncs.reset();
    this.partialSyncs.reset();
    this.syncCpu.reset();
    this.options.quota?.resetStatistics(this.sim.now);
  }

  /** The change's time as the slice's trigger-time annotation carries it. */
  private triggerTime(changeTime: number): number {
    const resolution = this.triggerTimeResolution;
    if (!(resolution > 0)) return changeTime;
    const wall = changeTime + this.wallClockOffset;
    return Math.floor(wall / resolution) * resolution - this.wallClockOffset;
  }

  /** Keeps one pending event: moves it earlier if `time` is sooner than the one scheduled. */
  private scheduleAt(time: number): void {
    if (this.event !== NO_EVENT) {
      if (this.eventTime <= time) return;
      this.sim.cancel(this.event);
    }
    this.event = this.sim.at(time, this.beginSync);
    this.eventTime = time;
  }

  private begin(): void {
    this.event = NO_EVENT;
    this.eventTime = Infinity;
    const now = this.sim.now;
    const first = this.lastStart === -Infinity;
    const kind: SyncKind = first || !this.partialSync || now - this.lastFullStart >= this.syncPeriod ? 'full' : 'partial';
    const cluster = this.options.cluster();
    const changed = first ? cluster : { services: this.pendingServices.size, endpoints: this.pendingTimes.length };
    const seconds = this.mode.syncDuration(kind, cluster, changed);

    [this.inFlightTimes, this.pendingTimes] = [this.pendingTimes, this.inFlightTimes];
    this.pendingServices.clear();
    this.running = true;
    this.runningKind = kind;
    this.runningCpuSeconds = seconds;
    this.runningRestoreSeconds = this.mode.restoreSeconds(kind, cluster, changed);
    this.snapshotTime = now;
    this.programmedTime = this.options.deliveredBefore === undefined ? now : Math.min(now, justBefore(this.options.deliveredBefore()));
    this.lastStart = now;
    if (kind === 'full') this.lastFullStart = now;
    const quota = this.options.quota;
    if (quota !== undefined) {
      this.options.cpu?.serve(seconds);
      this.sim.schedule(quota.run(now, seconds) - now, this.endSync);
    } else if (this.options.cpu !== undefined) this.options.cpu.serve(seconds, this.endSync);
    else this.sim.schedule(seconds, this.endSync);
  }

  /** CFS periods in which the CPU limit throttled a sync, and the seconds syncs were paused, since the last reset. */
  get throttling(): { periods: number; seconds: number } {
    const quota = this.options.quota;
    return { periods: quota?.throttledPeriods ?? 0, seconds: quota?.throttledSeconds ?? 0 };
  }

  private end(): void {
    const now = this.sim.now;
    this.running = false;
    const wallSeconds = now - this.snapshotTime;
    this.syncDurations.add(wallSeconds);
    (this.runningKind === 'full' ? this.fullSyncDurations : this.partialSyncDurations).add(wallSeconds);
    this.restoreDurations.add(this.runningRestoreSeconds);
    this.syncCpu.add(this.runningCpuSeconds);
    (this.runningKind === 'full' ? this.fullSyncs : this.partialSyncs).add();
    for (const changeTime of this.inFlightTimes) this.programmingLatency.add(now - this.triggerTime(changeTime) + this.propagationDelay);
    this.inFlightTimes.length = 0;
    this.programmedAsOf = this.programmedTime;
    this.options.onProgrammed?.(this.programmedTime);
    if (this.pendingTimes.length > 0) this.scheduleAt(Math.max(now, this.lastStart + this.minSyncPeriod));
    else this.scheduleAt(now + this.syncPeriod);
  }
}

/** A time just below `t` (a few ulps): the changes made at `t` itself are not yet in. */
function justBefore(t: number): number {
  if (t === Infinity) return t;
  return t - Math.max(Math.abs(t) * Number.EPSILON, Number.MIN_VALUE);
}
