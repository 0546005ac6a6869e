// One behavioural suite run against both flow tables, for what they share: exact lazy expiry,
// the time-weighted occupancy, Little's law, counters, warm-up reset and misuse.

import { describe, expect, it } from 'vitest';
import { deterministic, exponentialMean, type Distribution } from '../../../engine/distributions.js';
import { RandomStreams } from '../../../engine/random.js';
import { Simulator } from '../../../engine/simulator.js';
import { createFlowTable, loadConntrackProfile, type FlowTable, type FlowTableKind } from '../../../models/conntrack/index.js';

const profile = loadConntrackProfile().values;

interface Kind {
  kind: FlowTableKind;
  /** Seconds an entry lingers after a TCP close, after a UDP reply, after an abandoned SYN. */
  closeTimeout: number;
  udpTimeout: number;
  synTimeout: number;
}

const kinds: Kind[] = [
  { kind: 'netfilter', closeTimeout: 120, udpTimeout: 30, synTimeout: 120 },
  { kind: 'bpf', closeTimeout: 10, udpTimeout: 60, synTimeout: 60 },
];

function table(kind: FlowTableKind, seed = 1, now = 0): FlowTable {
  const rng = new RandomStreams(seed, 0).stream('conntrack');
  return createFlowTable(kind, { cores: 8, settings: {}, profile, rng, now });
}

function connect(t: FlowTable, now: number): void {
  if (!t.tcpOpen(now)) throw new Error(`SYN dropped at ${now}`);
  t.tcpEstablished(now);
}

/** Poisson connections at `rate`, each open for a draw of `openTime`, then closed. Returns the mean occupancy over [warmup, warmup + measure]. */
function littleRun(kind: FlowTableKind, rate: number, openTime: Distribution, warmup: number, measure: number): number {
  const streams = new RandomStreams(2026, 0);
  const arrivals = streams.stream('arrivals');
  const holding = streams.stream('holding');
  const sim = new Simulator();
  const t = createFlowTable(kind, { cores: 8, settings: {}, profile, rng: streams.stream('conntrack'), now: 0 });
  const close = () => t.tcpClose(sim.now);
  const arrive = () => {
    connect(t, sim.now);
    sim.schedule(openTime.sample(holding), close);
    sim.schedule(-Math.log(1 - arrivals.next()) / rate, arrive);
  };
  sim.schedule(0, arrive);
  sim.schedule(warmup, () => t.resetStatistics(sim.now));
  sim.run({ until: warmup + measure });
  t.entries(sim.now);
  return t.occupancy.mean(sim.now);
}

describe.each(kinds)('$kind flow table', ({ kind, closeTimeout, udpTimeout, synTimeout }) => {
  it('holds a closed connection exactly until close + its closing timeout', () => {
    const t = table(kind);
    connect(t, 0);
    t.tcpClose(5);
    connect(t, 10);
    t.tcpClose(10);
    expect(t.entries(5 + closeTimeout - 1e-9)).toBe(2);
    expect(t.entries(5 + closeTimeout)).toBe(1);
    expect(t.entries(10 + closeTimeout - 1e-9)).toBe(1);
    expect(t.entries(10 + closeTimeout)).toBe(0);
  });

  it('expires a replied UDP flow at reply + UDP timeout and an unanswered one at its last packet + UDP timeout', () => {
    const t = table(kind);
    expect(t.udpOpen(0)).toBe(true);
    t.udpReplied(0.5);
    expect(t.udpOpen(1)).toBe(true);
    t.udpUnanswered(6, 1); // the resolver gave up at 6 s; the query left at 1 s
    expect(t.entries(0.5 + udpTimeout - 1e-9)).toBe(2);
    expect(t.entries(0.5 + udpTimeout)).toBe(1);
    expect(t.entries(1 + udpTimeout - 1e-9)).toBe(1);
    expect(t.entries(1 + udpTimeout)).toBe(0);
  });

  it('expires an abandoned SYN at its last retransmission + the SYN timeout, out of insertion order', () => {
    const t = table(kind);
    expect(t.tcpOpen(0)).toBe(true);
    connect(t, 1);
    t.tcpClose(2); // leaves at 2 + closeTimeout
    t.tcpAbandon(7, 3); // inserted after the close, but its last SYN left at 3 s: leaves at 3 + synTimeout
    const leaving = [2 + closeTimeout, 3 + synTimeout].sort((a, b) => a - b);
    expect(t.entries(leaving[0] - 1e-9)).toBe(2);
    expect(t.entries(leaving[0])).toBe(1);
    expect(t.entries(leaving[1] - 1e-9)).toBe(1);
    expect(t.entries(leaving[1])).toBe(0);
  });

  it('time-weights occupancy exactly, counting lazily noticed expiries only until they happen', () => {
    const t = table(kind);
    connect(t, 0);
    connect(t, 2);
    t.tcpClose(3); // leaves at 3 + T
    t.tcpClose(4); // leaves at 4 + T
    const T = closeTimeout;
    const end = 10 + T; // nothing consulted between 4 and end
    expect(t.entries(end)).toBe(0);
    // Level 1 on [0,2), 2 on [2, 3+T), 1 on [3+T, 4+T), 0 after.
    const area = 1 * 2 + 2 * (1 + T) + 1 * 1;
    expect(t.occupancy.mean(end)).toBeCloseTo(area / end, 12);
    expect(t.occupancy.max).toBe(2);
  });

  it('forgets statistics at reset but keeps the entries, which count from then on', () => {
    const t = table(kind);
    connect(t, 0);
    connect(t, 0);
    t.tcpClose(1);
    t.resetStatistics(2);
    expect(t.inserts.total).toBe(0);
    expect(t.entries(2)).toBe(2);
    expect(t.occupancy.mean(3)).toBe(2);
    expect(t.tcpOpen(3)).toBe(true);
    expect(t.inserts.total).toBe(1);
    expect(t.drops.total).toBe(0);
  });

  it('counts inserts, and takes no drops or evictions below its limit', () => {
    const t = table(kind);
    for (let k = 0; k < 1000; k++) connect(t, k * 0.001);
    for (let k = 0; k < 500; k++) expect(t.udpOpen(1)).toBe(true);
    expect(t.inserts.total).toBe(1500);
    expect(t.drops.total).toBe(0);
    expect(t.evictions.total).toBe(0);
    expect(t.entries(1)).toBe(1500);
  });

  it('rejects transitions for flows that are not live', () => {
    const t = table(kind);
    expect(() => t.tcpEstablished(0)).toThrow(RangeError);
    expect(() => t.tcpClose(0)).toThrow(RangeError);
    expect(() => t.udpReplied(0)).toThrow(RangeError);
    expect(() => t.entries(-1)).toThrow(RangeError);
  });

  it("obeys Little's law: mean occupancy = rate × (fixed open time + closing timeout)", () => {
    const rate = 50;
    const mean = littleRun(kind, rate, deterministic(2), 300, 2000);
    const expected = rate * (2 + closeTimeout);
    expect(Math.abs(mean / expected - 1)).toBeLessThan(0.02);
  });

  it("obeys Little's law with exponential open times", () => {
    const rate = 50;
    const mean = littleRun(kind, rate, exponentialMean(5), 300, 2000);
    const expected = rate * (5 + closeTimeout);
    expect(Math.abs(mean / expected - 1)).toBeLessThan(0.02);
  });
});
