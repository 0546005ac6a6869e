// Cilium's BPF CT maps: separate TCP and non-TCP LRU maps that never drop a new flow but evict the
// least recently used entry, Cilium's timeouts, and preallocated memory.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../engine/random.js';
import { BpfConntrack, createFlowTable, loadConntrackProfile, type ConntrackSettings } from '../../../models/conntrack/index.js';

const profile = loadConntrackProfile().values;

function bpf(settings: ConntrackSettings = {}): BpfConntrack {
  const rng = new RandomStreams(1, 0).stream('conntrack');
  return createFlowTable('bpf', { cores: 8, settings, profile, rng, now: 0 }) as BpfConntrack;
}

function connect(t: BpfConntrack, now: number): void {
  if (!t.tcpOpen(now)) throw new Error(`SYN dropped at ${now}`);
  t.tcpEstablished(now);
}

describe('Cilium BPF CT maps', () => {
  it('hold bpf-ct-global-tcp-max + bpf-ct-global-any-max entries: sized from 0.25 % of 8 cores × 4 GiB by default, 524288 + 262144 with the ratio at 0', () => {
    // cilium pkg/maps/mapsize: ⌊524288 × ⌊32 GiB × 0.0025⌋ / 148,373,504 B⌋ and half that for the any map.
    expect(bpf().limit).toBe(303531 + 151765);
    expect(bpf({ bpfMapDynamicSizeRatio: 0 }).limit).toBe(524288 + 262144);
    expect(bpf({ bpfCtGlobalTcpMax: 1000, bpfCtGlobalAnyMax: 10 }).limit).toBe(1010);
  });

  it('when full, evict the least recently used closing entry instead of dropping the new flow', () => {
    const t = bpf({ bpfCtGlobalTcpMax: 3 });
    for (const at of [0, 1, 2]) {
      connect(t, at);
      t.tcpClose(at); // closing entries last used at 0, 1, 2; they would expire at 10, 11, 12
    }
    expect(t.tcpOpen(3)).toBe(true);
    expect(t.drops.total).toBe(0);
    expect(t.evictions.total).toBe(1);
    expect(t.liveEvictions.total).toBe(0);
    // The one closed at 0 is gone: nothing leaves at 10, one leaves at 11.
    expect(t.entries(10.5)).toBe(3);
    expect(t.entries(11)).toBe(2);
  });

  it('judge recency by last use, not by expiry: an abandoned SYN goes before a later close', () => {
    const t = bpf({ bpfCtGlobalTcpMax: 2 });
    expect(t.tcpOpen(0)).toBe(true);
    connect(t, 4);
    t.tcpAbandon(5, 0); // last SYN at 0: expires at 60
    t.tcpClose(6); // last used at 6: expires at 16
    expect(t.tcpOpen(7)).toBe(true);
    expect(t.snapshot(7).tcp).toMatchObject({ closing: 1, synExpiring: 0, live: 1 });
  });

  it('keep TCP and other protocols in separate maps with separate limits', () => {
    const t = bpf({ bpfCtGlobalTcpMax: 2, bpfCtGlobalAnyMax: 2 });
    connect(t, 0);
    connect(t, 0);
    expect(t.udpOpen(0)).toBe(true);
    expect(t.udpOpen(0)).toBe(true);
    expect(t.evictions.total).toBe(0);
    expect(t.entries(0)).toBe(4);
    t.udpReplied(1);
    t.udpReplied(1);
    expect(t.udpOpen(2)).toBe(true); // the any map evicts one of its own replied entries
    expect(t.snapshot(2)).toMatchObject({ tcp: { live: 2, held: 2 }, any: { live: 1, replied: 1, held: 2 } });
  });

  it("take a live flow's entry when live flows alone fill the map, still without dropping", () => {
    const t = bpf({ bpfCtGlobalTcpMax: 2 });
    connect(t, 0);
    connect(t, 0);
    connect(t, 1);
    expect(t.drops.total).toBe(0);
    expect(t.liveEvictions.total).toBe(1);
    expect(t.entries(1)).toBe(2);
    t.tcpClose(2); // three live flows, two entries: this one's entry is displaced at once
    expect(t.entries(2)).toBe(2);
    t.tcpClose(2);
    expect(t.snapshot(2).tcp).toMatchObject({ live: 1, closing: 1, held: 2 });
    expect(t.entries(12)).toBe(1);
  });

  it("use Cilium's timeouts: TCP close 10 s, SYN 60 s, non-TCP 60 s", () => {
    const t = bpf();
    connect(t, 0);
    t.tcpClose(0);
    expect(t.tcpOpen(0)).toBe(true);
    expect(t.udpOpen(0)).toBe(true);
    t.udpReplied(2);
    t.tcpAbandon(3, 1);
    expect(t.entries(10 - 1e-9)).toBe(3);
    expect(t.entries(10)).toBe(2);
    expect(t.entries(61)).toBe(1);
    expect(t.entries(62)).toBe(0);
  });

  it('take their full preallocated memory whatever they hold', () => {
    const t = bpf({ bpfMapDynamicSizeRatio: 0 });
    const full = (524288 + 262144) * 120;
    expect(t.memoryBytes(0)).toBe(full);
    for (let k = 0; k < 100; k++) connect(t, 0);
    expect(t.memoryBytes(0)).toBe(full);
  });
});
