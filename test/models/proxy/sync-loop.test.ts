import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../engine/random.js';
import { Server } from '../../../engine/server.js';
import { Simulator } from '../../../engine/simulator.js';
import { ProxySyncLoop, createProxyMode, loadProxyProfile, type ProxyMode, type SyncKind } from '../../../models/proxy/index.js';

/** A mode whose syncs take a known time, so that the loop's timing is exact. */
function fixedSyncMode(partialSeconds: number, fullSeconds: number): ProxyMode & { kinds: SyncKind[] } {
  const kinds: SyncKind[] = [];
  return {
    kinds,
    name: 'iptables',
    endpointPolicy: 'random',
    usesNetfilterConntrack: true,
    translatesAtConnect: false,
    establishedPacketCost: 1e-7, crossNodePacketCost: 0, arrivalCost: () => 0,
    dispatchCost: () => 1e-6,
    syncDuration: (kind) => {
      kinds.push(kind);
      return kind === 'full' ? fullSeconds : partialSeconds;
    },
    restoreSeconds: (kind) => (kind === 'full' ? fullSeconds : partialSeconds) / 2,
  };
}

const cluster = () => ({ services: 1000, endpoints: 5000 });
const settings = { minSyncPeriod: 1, syncPeriod: 30, partialSync: true };

describe('ProxySyncLoop', () => {
  it('programs an isolated change on an idle proxy within [sync duration, 1 s + sync duration] (minSyncPeriod 1 s)', () => {
    const rng = new RandomStreams(3, 0).stream('isolated-changes');
    for (const mode of [fixedSyncMode(0.2, 0.5), createProxyMode('iptables', loadProxyProfile().values)]) {
      const sim = new Simulator();
      const loop = new ProxySyncLoop({ sim, mode, settings, cluster });
      loop.start();
      // Gaps of 0.3–6.3 s: each change is alone in its sync, and some land less than
      // minSyncPeriod after the previous sync started, so they wait for it.
      let t = 5;
      for (let i = 0; i < 300; i++) {
        const at = t;
        sim.at(at, () => loop.notifyChange(at, i % 50));
        t += 0.3 + 6 * rng.next();
      }
      sim.run({ until: t + 5 });
      const latency = loop.programmingLatency;
      expect(latency.count).toBe(300);
      const partial = mode.syncDuration('partial', cluster(), { services: 1, endpoints: 1 });
      const full = mode.syncDuration('full', cluster(), cluster());
      // The Histogram's min and max are exact.
      expect(latency.min).toBeGreaterThanOrEqual(partial - 1e-12);
      expect(latency.max).toBeLessThanOrEqual(1 + full + 1e-12);
      expect(latency.max).toBeGreaterThan(0.5 + partial); // some waited for minSyncPeriod
      expect(latency.quantile(0.5)).toBeLessThan(partial * 1.02); // most did not
    }
  });

  it('measures latency from the trigger time truncated to the second when triggerTimeResolutionSeconds is 1', () => {
    const mode = fixedSyncMode(0.2, 0.5);
    const sim = new Simulator();
    const loop = new ProxySyncLoop({ sim, mode, settings, cluster, triggerTimeResolutionSeconds: 1 });
    loop.start();
    // The first sync (full, 0.5 s) ends at 0.5; a change at 5.7 starts a partial sync at once.
    sim.at(5.7, () => loop.notifyChange(5.7, 3));
    sim.run({ until: 10 });
    // Exact: 0.2 s. From the trigger time 5 s: 0.9 s.
    expect(loop.programmingLatency.count).toBe(1);
    expect(loop.programmingLatency.max).toBeCloseTo(0.9, 12);
  });

  it("truncates against the node's wall clock: with the clock 0.5 s ahead, a change at 5.7 s has trigger time 5.5 s", () => {
    const mode = fixedSyncMode(0.2, 0.5);
    const sim = new Simulator();
    const loop = new ProxySyncLoop({ sim, mode, settings, cluster, triggerTimeResolutionSeconds: 1, wallClockOffsetSeconds: 0.5 });
    loop.start();
    sim.at(5.7, () => loop.notifyChange(5.7, 3));
    sim.run({ until: 10 });
    expect(loop.programmingLatency.max).toBeCloseTo(0.4, 12);
  });

  it('records full and partial syncs apart, and the restore step of each', () => {
    const mode = fixedSyncMode(0.2, 0.5);
    const sim = new Simulator();
    const loop = new ProxySyncLoop({ sim, mode, settings, cluster });
    loop.start();
    for (const at of [5, 9, 13]) sim.at(at, () => loop.notifyChange(at, 1));
    sim.run({ until: 20 });
    expect(loop.fullSyncDurations.count).toBe(1);
    expect(loop.fullSyncDurations.max).toBeCloseTo(0.5, 12);
    expect(loop.partialSyncDurations.count).toBe(3);
    expect(loop.partialSyncDurations.max).toBeCloseTo(0.2, 12);
    expect(loop.syncDurations.count).toBe(4);
    expect(loop.restoreDurations.count).toBe(4);
    expect(loop.restoreDurations.max).toBeCloseTo(0.25, 12);
    expect(loop.restoreDurations.min).toBeCloseTo(0.1, 12);
  });

  it('coalesces a burst of changes within minSyncPeriod into one sync that programs them all', () => {
    const mode = fixedSyncMode(0.2, 0.5);
    const sim = new Simulator();
    const programmed: number[] = [];
    const loop = new ProxySyncLoop({ sim, mode, settings, cluster, onProgrammed: (t) => programmed.push(t) });
    loop.start();
    sim.at(10, () => loop.notifyChange(10, 1)); // starts a sync at once
    for (let k = 0; k < 50; k++) sim.at(10.1 + k * 0.016, () => loop.notifyChange(sim.now, k));
    sim.run({ until: 20 });
    // First sync at 0, the one for the change at 10, one more at 11 for the burst.
    expect(programmed).toEqual([0, 10, 11]);
    expect(loop.partialSyncs.total).toBe(2);
    expect(loop.programmingLatency.count).toBe(51);
    expect(loop.programmingLatency.max).toBeCloseTo(11.2 - 10.1, 9);
    expect(loop.programmingLatency.min).toBeCloseTo(0.2, 9);
    expect(sim.pendingCount).toBeLessThanOrEqual(2);
  });

  it('syncs in full at least every syncPeriod even with no changes', () => {
    const mode = fixedSyncMode(0.2, 0.5);
    const sim = new Simulator();
    const starts: number[] = [];
    const loop = new ProxySyncLoop({ sim, mode, settings, cluster, onProgrammed: (t) => starts.push(t) });
    loop.start();
    sim.run({ until: 300 });
    expect(loop.partialSyncs.total).toBe(0);
    expect(loop.fullSyncs.total).toBe(starts.length);
    expect(starts.length).toBeGreaterThanOrEqual(9);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeCloseTo(30.5, 9);
    expect(loop.programmingLatency.count).toBe(0);
  });

  it('syncs partially between full syncs at least syncPeriod apart with partialSync, and always in full without it', () => {
    for (const partialSync of [true, false]) {
      const mode = fixedSyncMode(0.05, 0.5);
      const sim = new Simulator();
      const loop = new ProxySyncLoop({ sim, mode, settings: { ...settings, partialSync }, cluster });
      loop.start();
      for (let t = 2; t < 200; t += 2) sim.at(t, () => loop.notifyChange(sim.now, t % 7));
      sim.run({ until: 200 });
      expect(mode.kinds[0]).toBe('full');
      if (!partialSync) {
        expect(loop.partialSyncs.total).toBe(0);
        continue;
      }
      // Syncs every 2 s; a full one whenever 30 s have passed since the last full start.
      expect(loop.fullSyncs.total).toBe(7); // at 0, 30, 60, …, 180
      expect(loop.partialSyncs.total).toBe(99 - 6);
    }
  });

  it('counts waiting for a busy CPU in the sync duration, but only the service time in CPU seconds', () => {
    const mode = fixedSyncMode(0.2, 0.5);
    const sim = new Simulator();
    const cpu = new Server(sim, { servers: 1 });
    const loop = new ProxySyncLoop({ sim, mode, settings, cluster, cpu });
    loop.start(); // full sync 0 → 0.5
    sim.at(5, () => cpu.serve(3)); // the only core is busy until 8
    sim.at(6, () => loop.notifyChange(6, 1));
    sim.run({ until: 10 });
    expect(loop.syncDurations.max).toBeCloseTo(2.2, 9); // waits 6 → 8, runs 8 → 8.2
    expect(loop.programmingLatency.max).toBeCloseTo(2.2, 9);
    expect(loop.cpuSeconds).toBeCloseTo(0.7, 12);
    expect(loop.programmedAsOf).toBe(6);
  });

  it('reports programmedAsOf as the snapshot of the last completed sync, and adds the propagation delay to latencies', () => {
    const mode = fixedSyncMode(0.2, 0.5);
    const sim = new Simulator();
    const loop = new ProxySyncLoop({ sim, mode, settings, cluster, propagationDelaySeconds: 0.3 });
    expect(loop.programmedAsOf).toBe(-Infinity);
    loop.start();
    sim.run({ until: 0.4 });
    expect(loop.programmedAsOf).toBe(-Infinity); // the first sync is still running
    sim.run({ until: 0.6 });
    expect(loop.programmedAsOf).toBe(0);
    sim.at(2, () => loop.notifyChange(1.5, 0)); // happened at 1.5, reached the proxy at 2
    sim.run({ until: 2.1 });
    expect(loop.unprogrammedChanges).toBe(1);
    expect(loop.programmedAsOf).toBe(0);
    sim.run({ until: 3 });
    expect(loop.programmedAsOf).toBe(2);
    expect(loop.programmingLatency.max).toBeCloseTo(2.2 - 1.5 + 0.3, 9);
  });

  it('forgets its statistics on resetStatistics() and keeps its rules', () => {
    const sim = new Simulator();
    const loop = new ProxySyncLoop({ sim, mode: fixedSyncMode(0.2, 0.5), settings, cluster });
    loop.start();
    sim.at(5, () => loop.notifyChange(5, 0));
    sim.run({ until: 10 });
    loop.resetStatistics();
    expect([loop.syncDurations.count, loop.programmingLatency.count, loop.fullSyncs.total, loop.partialSyncs.total, loop.cpuSeconds]).toEqual([0, 0, 0, 0, 0]);
    expect(loop.programmedAsOf).toBe(5);
  });

  it('keeps at most one pending event however many changes arrive', () => {
    const sim = new Simulator();
    const loop = new ProxySyncLoop({ sim, mode: fixedSyncMode(0.2, 0.5), settings, cluster });
    loop.start();
    let maxPending = 0;
    sim.at(3, () => {
      for (let k = 0; k < 10000; k++) loop.notifyChange(3, k);
      maxPending = Math.max(maxPending, sim.pendingCount);
    });
    sim.run({ until: 100 });
    expect(maxPending).toBeLessThanOrEqual(2); // the sync's end, and the cancelled periodic sync until it is popped
    expect(loop.programmingLatency.count).toBe(10000);
  });
});
