// Cilium's dynamic BPF map sizing (bpf-map-dynamic-size-ratio): a share of the node's memory split
// among the CT, NAT and neighbour maps by their default sizes, clamped to each map's minimum and
// to the table maximum, as cilium pkg/maps/mapsize computes it.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../engine/random.js';
import { ciliumNodeMapSizes, createFlowTable, loadConntrackProfile, type BpfConntrack, type ConntrackSettings } from '../../../models/conntrack/index.js';

const profile = loadConntrackProfile().values;
const GiB = 2 ** 30;
const sizes = (memoryBytes: number, settings: ConntrackSettings = {}) => ciliumNodeMapSizes({ cores: 8, settings, profile, memoryBytes });

describe("Cilium's dynamic BPF map sizes", () => {
  it("give Cilium's own test case at 16 GiB and 0.25 %: CT TCP 151,765, CT any 75,882, NAT 151,765", () => {
    // cilium pkg/option/config_test.go TestBPFMapSizeCalculation, "16GiB, 0.25%".
    expect(sizes(16 * GiB)).toEqual({ ctTcp: 151765, ctAny: 75882, nat: 151765, neigh: 151765 });
  });

  it('equal ratio × memory / (bytes of the default-sized maps) × each default, for every memory above the clamps', () => {
    const defaultMapBytes = (524288 + 262144) * 94 + 524288 * 94 + 524288 * 24 + 262144 * 48;
    for (const gib of [30, 64, 240, 360]) {
      const available = Math.floor(gib * GiB * 0.0025);
      const s = sizes(gib * GiB);
      expect(s.ctTcp).toBe(Math.floor((524288 * available) / defaultMapBytes));
      expect(s.ctAny).toBe(Math.floor((262144 * available) / defaultMapBytes));
    }
    // Cilium's own figures for 30 and 240 GiB.
    expect(sizes(30 * GiB).ctTcp).toBe(284560);
    expect(sizes(240 * GiB).ctTcp).toBe(2276484);
  });

  it('are clamped to the minimums on small nodes (up to 7.5 GiB in Cilium’s tests) and to 16Mi entries on huge ratios', () => {
    for (const gib of [0.5, 1, 2, 7.5]) expect(sizes(gib * GiB)).toEqual({ ctTcp: 131072, ctAny: 65536, nat: 131072, neigh: 131072 });
    expect(sizes(16 * GiB, { bpfMapDynamicSizeRatio: 0.98 })).toMatchObject({ ctTcp: 2 ** 24, ctAny: 2 ** 24 });
  });

  it('never shrink as the node gets more memory or the ratio grows', () => {
    let last = sizes(GiB);
    for (let gib = 2; gib <= 512; gib *= 2) {
      const next = sizes(gib * GiB);
      expect(next.ctTcp).toBeGreaterThanOrEqual(last.ctTcp);
      expect(next.ctAny).toBeGreaterThanOrEqual(last.ctAny);
      expect(next.nat).toBeGreaterThanOrEqual(last.nat);
      last = next;
    }
    expect(sizes(64 * GiB, { bpfMapDynamicSizeRatio: 0.005 }).ctTcp).toBeGreaterThan(sizes(64 * GiB).ctTcp);
  });

  it('keep the static sizes at ratio 0, and a size set by its flag wins over the dynamic one', () => {
    expect(sizes(64 * GiB, { bpfMapDynamicSizeRatio: 0 })).toMatchObject({ ctTcp: 524288, ctAny: 262144 });
    expect(sizes(16 * GiB, { bpfCtGlobalTcpMax: 1000 })).toMatchObject({ ctTcp: 1000, ctAny: 75882 });
  });

  it('cap the NAT map at 2/3 of the CT maps when their flags make them smaller', () => {
    expect(sizes(64 * GiB, { bpfCtGlobalTcpMax: 3000, bpfCtGlobalAnyMax: 1500 }).nat).toBe(3000);
  });

  it('size the node’s CT maps from cluster memory, defaulting to 4 GiB per core, so their preallocated memory follows', () => {
    const table = (memoryBytes?: number) =>
      createFlowTable('bpf', { cores: 4, settings: {}, profile, rng: new RandomStreams(1, 0).stream('bpf-ct'), now: 0, memoryBytes }) as BpfConntrack;
    expect(table().mapLimits).toEqual(table(16 * GiB).mapLimits);
    expect(table(64 * GiB).mapLimits.tcp).toBeGreaterThan(table(16 * GiB).mapLimits.tcp);
    const t = table(64 * GiB);
    expect(t.memoryBytes(0)).toBe((t.mapLimits.tcp + t.mapLimits.any) * profile.cilium.bytesPerEntry);
  });
});
