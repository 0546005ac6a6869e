import { describe, expect, it } from 'vitest';
import { CfsQuota } from '../../../engine/cfs-quota.js';
import { RandomStreams } from '../../../engine/random.js';
import { Simulator } from '../../../engine/simulator.js';
import { EndpointSliceController, WaitingRateLimiter } from '../../../models/control-plane/endpointslice-controller.js';
import { ControlPlane, fanoutDelay } from '../../../models/control-plane/propagation.js';
import { controlPlaneSettings } from '../../../models/control-plane/settings.js';
import { loadProxyProfile, ProxySyncLoop, type ProxyMode } from '../../../models/proxy/index.js';

const constants = loadProxyProfile().values.controlPlane;
const defaults = controlPlaneSettings.parse({}).endpointSlice;

/** A mode whose every sync costs `seconds` of CPU. */
function fixedSyncMode(seconds: number): ProxyMode {
  return {
    name: 'nftables',
    endpointPolicy: 'random',
    usesNetfilterConntrack: true,
    translatesAtConnect: false,
    establishedPacketCost: 1e-7,
    crossNodePacketCost: 0,
    arrivalCost: () => 0,
    dispatchCost: () => 1e-6,
    syncDuration: () => seconds,
    restoreSeconds: () => seconds,
  };
}

describe('EndpointSlice controller', () => {
  it('has the upstream defaults: 5 workers, no batching, 20 QPS, burst 30', () => {
    expect(defaults).toEqual({ concurrentSyncs: 5, batchPeriod: 0, apiQps: 20, apiBurst: 30 });
  });

  it('writes an isolated change after its sync and one API write, and a batch period delays it by at most the period', () => {
    for (const batchPeriod of [0, 0.5, 1]) {
      const sim = new Simulator();
      const written: number[] = [];
      const controller = new EndpointSliceController({ sim, settings: { ...defaults, batchPeriod }, constants, onWritten: () => written.push(sim.now) });
      // Services far apart in time: each change alone.
      for (let i = 0; i < 20; i++) sim.at(10 * i, () => controller.podChanged(sim.now, i));
      sim.run({ until: 300 });
      expect(controller.delays.count).toBe(20);
      const base = constants.syncCpu + constants.apiWrite;
      expect(controller.delays.min).toBeGreaterThanOrEqual(base - 1e-9);
      expect(controller.delays.max).toBeLessThanOrEqual(base + batchPeriod + 1e-9);
    }
  });

  it('lets a batch period fold several changes of one Service into one write', () => {
    const sim = new Simulator();
    const controller = new EndpointSliceController({ sim, settings: { ...defaults, batchPeriod: 1 }, constants, onWritten: () => {} });
    for (let i = 0; i < 10; i++) sim.at(0.05 * i, () => controller.podChanged(sim.now, 7));
    sim.run({ until: 10 });
    expect(controller.writes.total).toBe(1);
    expect(controller.delays.count).toBe(10);
  });

  it('holds writes to the client rate limit: n writes at once take (n − burst) / qps beyond the burst', () => {
    const sim = new Simulator();
    const settings = { ...defaults, concurrentSyncs: 1000, apiQps: 20, apiBurst: 30 };
    const controller = new EndpointSliceController({ sim, settings, constants, onWritten: () => {} });
    const n = 130;
    sim.at(0, () => {
      for (let s = 0; s < n; s++) controller.podChanged(0, s);
    });
    sim.run({ until: 100 });
    expect(controller.writes.total).toBe(n);
    // The last write waits for token n − burst at (n − burst) / qps = 5 s.
    expect(controller.delays.max).toBeCloseTo(constants.syncCpu + (n - settings.apiBurst) / settings.apiQps + constants.apiWrite, 9);
  });

  it('reserves tokens as x/time/rate does: a burst passes at once, then one per 1/qps', () => {
    const limiter = new WaitingRateLimiter(10, 3, 0);
    expect([limiter.reserve(0), limiter.reserve(0), limiter.reserve(0)]).toEqual([0, 0, 0]);
    expect(limiter.reserve(0)).toBeCloseTo(0.1, 12);
    expect(limiter.reserve(0)).toBeCloseTo(0.2, 12);
  });

  it("requeues with 1 s backoff a Service changed again before its informer saw the controller's own write (stale cache)", () => {
    const sim = new Simulator();
    const controller = new EndpointSliceController({ sim, settings: defaults, constants, onWritten: () => {} });
    sim.at(0, () => controller.podChanged(0, 3));
    // Arrives while the first sync is writing: the Service is requeued when that sync ends, before its write is visible.
    const second = constants.syncCpu + constants.apiWrite / 2;
    sim.at(second, () => controller.podChanged(second, 3));
    sim.run({ until: 10 });
    expect(controller.staleRetries.total).toBe(1);
    expect(controller.delays.max).toBeGreaterThanOrEqual(constants.staleRetryBase);
  });
});

describe('watch fan-out', () => {
  it('delays the last of N watchers more as N grows (non-decreasing), from one watcher’s delivery up', () => {
    let previous = -Infinity;
    for (const n of [1, 2, 10, 100, 1000, 5000]) {
      const last = fanoutDelay(constants, n - 1);
      expect(last).toBeGreaterThanOrEqual(previous);
      expect(last).toBeGreaterThanOrEqual(constants.watchDelivery);
      previous = last;
    }
    expect(fanoutDelay(constants, 0)).toBe(constants.watchDelivery);
  });
});

describe('the path from a pod change to every node', () => {
  it('adds its stages: programming latency ≥ kubelet write + watch + controller sync + write + watch + the sync', () => {
    const sim = new Simulator();
    const syncSeconds = 0.01;
    const settings = { minSyncPeriod: 1, syncPeriod: 30, partialSync: true };
    let controlPlane: ControlPlane | null = null;
    const loops = [0, 1, 2].map(
      (index) =>
        new ProxySyncLoop({ sim, mode: fixedSyncMode(syncSeconds), settings, cluster: () => ({ services: 10, endpoints: 30 }), deliveredBefore: () => controlPlane?.deliveredBefore(index) ?? Infinity }),
    );
    controlPlane = new ControlPlane({ sim, settings: defaults, constants, watchers: 100, sinks: loops, rng: new RandomStreams(1, 0).stream('fanout') });
    for (const loop of loops) loop.start();
    const rng = new RandomStreams(2, 0).stream('changes');
    let t = 1;
    for (let i = 0; i < 200; i++) {
      sim.at(t, () => controlPlane.change(i % 10));
      t += 0.05 + 2 * rng.next();
    }
    sim.run({ until: t + 40 });
    const minimum = 2 * (constants.apiWrite + constants.watchDelivery) + constants.syncCpu + syncSeconds;
    for (const loop of loops) {
      expect(loop.programmingLatency.count).toBe(200);
      expect(loop.programmingLatency.min).toBeGreaterThanOrEqual(minimum - 1e-9);
      // Rules never claim a change made after the earliest one still on its way.
      expect(loop.programmedAsOf).toBeLessThanOrEqual(sim.now);
    }
  });

  it('keeps a sync’s rules as of before the earliest change still on its way to the node', () => {
    const sim = new Simulator();
    let controlPlane: ControlPlane | null = null;
    const loop = new ProxySyncLoop({
      sim,
      mode: fixedSyncMode(0.001),
      settings: { minSyncPeriod: 0, syncPeriod: 0.2, partialSync: true },
      cluster: () => ({ services: 1, endpoints: 1 }),
      deliveredBefore: () => controlPlane?.deliveredBefore(0) ?? Infinity,
    });
    controlPlane = new ControlPlane({ sim, settings: defaults, constants, watchers: 1, sinks: [loop], rng: new RandomStreams(1, 0).stream('fanout') });
    loop.start();
    sim.at(5, () => controlPlane.change(0));
    // Periodic syncs every 0.2 s: the one that starts while the change is on its way must not claim it.
    sim.run({ until: 5.03 });
    expect(loop.programmedAsOf).toBeLessThan(5);
    sim.run({ until: 6 });
    expect(loop.programmedAsOf).toBeGreaterThanOrEqual(5);
  });
});

describe("kube-proxy's CPU limit (CFS quota)", () => {
  const run = (quota: CfsQuota | undefined, work: number) => {
    const sim = new Simulator();
    const loop = new ProxySyncLoop({ sim, mode: fixedSyncMode(work), settings: { minSyncPeriod: 1, syncPeriod: 30, partialSync: true }, cluster: () => ({ services: 1, endpoints: 1 }), quota });
    loop.start();
    sim.run({ until: 1 });
    return loop;
  };

  it('stretches a sync of W CPU seconds under quota q per period P to (W/q − 1) periods plus q (the first period starts with it)', () => {
    // Binary-exact quotas and work, so that the ledger's sums do not round into an extra period.
    const period = 0.125;
    for (const [limit, work] of [
      [0.125, 0.0625],
      [0.25, 0.125],
      [0.5, 0.25],
    ]) {
      const q = limit * period;
      const loop = run(new CfsQuota({ quotaSeconds: q, periodSeconds: period, cores: 1 }), work);
      const periods = Math.round(work / q);
      expect(loop.syncDurations.max).toBeCloseTo((periods - 1) * period + q, 9);
      expect(loop.throttling.periods).toBe(periods - 1);
      expect(loop.syncCpu.sum).toBeCloseTo(work, 12);
    }
  });

  it('leaves a sync alone when its work fits in one period’s quota, and without a limit', () => {
    expect(run(new CfsQuota({ quotaSeconds: 0.05, periodSeconds: 0.1, cores: 1 }), 0.02).syncDurations.max).toBeCloseTo(0.02, 12);
    const free = run(undefined, 0.3);
    expect(free.syncDurations.max).toBeCloseTo(0.3, 12);
    expect(free.throttling).toEqual({ periods: 0, seconds: 0 });
  });
});
