// Conntrack through simulate(): occupancy against Little's law, what a full table does to
// connects (SYN drops, Linux's 1 s, 2 s, 4 s … retransmissions, timeouts and deadlines), Cilium's
// BPF CT map under eBPF, and keep-alive's saving of entries.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { summarize } from '../../engine/stats/index.js';
import { loadConntrackProfile } from '../../models/conntrack/index.js';
import type { Metrics } from '../../models/metrics.js';
import { Network } from '../../models/network.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { networkSettings, simulate } from '../../models/simulate.js';

const SEED = 20240612;
/** Seven replications: the Student-t interval of a mean over them. */
const REPLICATIONS = [0, 1, 2, 3, 4, 5, 6];

function run(input: NetworkSettingsInput, seed = SEED, replication = 0): Metrics {
  return simulate(networkSettings.parse(input), seed, replication).metrics;
}

function outcome(m: Metrics, name: string): number {
  return m[`request_outcomes_total{outcome=${name}}.total`];
}

afterEach(() => {
  vi.restoreAllMocks();
});

const NODES = 4;
const PODS_PER_NODE = 10;
const CLIENT_SHARE = 0.5;
const RATE_PER_CLIENT = 10;
const TIMEOUTS = loadConntrackProfile().values;

/**
 * Four nodes simulated in full, 5 client pods each at 10 requests/s, new connection per request,
 * uniform over 20 Services of 5 endpoints: the 100 endpoints sit 25 on each node (spread), so a
 * request crosses nodes with probability (N − 1)/N. No drops: the default limit is 262,144.
 */
function openLoop(extra: Partial<NetworkSettingsInput> = {}): NetworkSettingsInput {
  return {
    warmup: '130s', // > time_wait 120 s + a connection's life: TIME_WAIT is in steady state
    duration: '120s',
    cluster: { nodes: NODES, podsPerNode: PODS_PER_NODE, services: 20, detailedNodes: 'all' },
    // By ClusterIP: this pins TCP flows; DNS's UDP entries have their own tests.
    workload: [{ clients: `${CLIENT_SHARE * 100}%`, ratePerClient: RATE_PER_CLIENT, dnsName: 'clusterIP' }],
    ...extra,
  };
}

/**
 * Entries each node creates per second: one on the client's node for every connection (the DNAT),
 * and one on the server's node for every connection arriving from another node. By symmetry a
 * node receives from the others what it sends them: λ (N − 1)/N.
 */
function entriesPerNodePerSecond(): number {
  const connectionsPerNode = Math.round(CLIENT_SHARE * PODS_PER_NODE) * RATE_PER_CLIENT;
  return connectionsPerNode * (1 + (NODES - 1) / NODES);
}

/** Mean, 95 % CI and relative half-width of observed ÷ expected over the replications. */
function ratioOverReplications(input: NetworkSettingsInput, ratio: (m: Metrics) => number) {
  const summary = summarize(REPLICATIONS.map((r) => ratio(run(input, SEED, r))));
  return { ...summary, halfWidth: (summary.ci95[1] - summary.ci95[0]) / 2 };
}

describe("conntrack occupancy follows Little's law", () => {
  it('holds (client-side + cross-node server-side entries per second) × (connection life + time_wait) entries per node', () => {
    // L = λ W per node, W = the connection's life (≈ the request's duration) + 120 s time_wait.
    const timeWait = TIMEOUTS.netfilter.timeouts.tcpTimeWait;
    const ratio = ratioOverReplications(openLoop(), (m) => {
      expect(m['conntrack_drops_total.total']).toBe(0);
      const expected = entriesPerNodePerSecond() * (m['request_duration_seconds.mean'] + timeWait);
      return m['node_nf_conntrack_entries.mean'] / expected;
    });
    expect(ratio.ci95[0]).toBeLessThanOrEqual(1);
    expect(ratio.ci95[1]).toBeGreaterThanOrEqual(1);
    expect(ratio.halfWidth).toBeLessThan(0.02); // the interval is narrow enough to mean something
    expect(Math.abs(ratio.mean - 1)).toBeLessThan(0.02);
  });

  it("holds for Cilium's BPF CT map under eBPF, with its 10 s tcp-fin timeout, while netfilter sees no pod-to-service flow", () => {
    const fin = TIMEOUTS.cilium.timeouts.tcpFin;
    const input = openLoop({ warmup: '12s', duration: '60s', proxy: { mode: 'ebpf' } });
    const ratio = ratioOverReplications(input, (m) => {
      expect(m['node_nf_conntrack_entries.mean']).toBe(0);
      expect(m['cilium_bpf_ct_drops_total.total']).toBe(0);
      return m['cilium_bpf_ct_entries.mean'] / (entriesPerNodePerSecond() * (m['request_duration_seconds.mean'] + fin));
    });
    expect(ratio.ci95[0]).toBeLessThanOrEqual(1);
    expect(ratio.ci95[1]).toBeGreaterThanOrEqual(1);
    expect(ratio.halfWidth).toBeLessThan(0.03);
  });
  it("reports the BPF CT maps' memory at their full preallocated size, however few entries they hold, and netfilter's as none", () => {
    const m = run(openLoop({ warmup: '2s', duration: '5s', proxy: { mode: 'ebpf' } }));
    const { cilium } = TIMEOUTS;
    expect(m['cilium_bpf_ct_entries.max']).toBeGreaterThan(0);
    expect(m['cilium_bpf_ct_memory_bytes.mean']).toBe((m['cilium_bpf_ct_tcp_entries_limit.mean'] + m['cilium_bpf_ct_any_entries_limit.mean']) * cilium.bytesPerEntry);
    expect(m['cilium_bpf_ct_memory_bytes.max']).toBe(m['cilium_bpf_ct_memory_bytes.mean']);
    expect(m['conntrack_memory_bytes.mean']).toBe(0);
  });
});

/**
 * Two nodes, 5 client pods each at 10 requests/s: each node needs about 50 × 1.5 × 120 = 9000
 * entries in steady state. Warm-up 60 s: a limit of 4000 or less is reached within it.
 */
function pastTheLimit(max: number, workload: Partial<NonNullable<NetworkSettingsInput['workload']>[number]> = {}, extra: Partial<NetworkSettingsInput> = {}): NetworkSettingsInput {
  return {
    warmup: '60s',
    duration: '30s',
    cluster: { nodes: 2, podsPerNode: 10, services: 10, detailedNodes: 'all' },
    conntrack: { max },
    workload: [{ clients: '50%', ratePerClient: 10, dnsName: 'clusterIP', ...workload }],
    ...extra,
  };
}

/** SYN retransmission times after the first SYN with Linux's 1 s initial RTO, doubling. */
const RETRANSMIT_STEPS = [1, 3, 7, 15, 31, 63];
/** A connect's round trip without loss: two one-way trips (~0.1 ms each) and the dispatch. */
const BASE_ROUND_TRIP_BOUND = 0.005;

/** The retransmission step (0: none) whose time plus a base round trip `x` is, or undefined. */
function stepOf(x: number, relativeError: number): number | undefined {
  return [0, ...RETRANSMIT_STEPS].find((step) => x >= step * (1 - relativeError) && x <= step * (1 + relativeError) + BASE_ROUND_TRIP_BOUND);
}

describe('conntrack past its limit', () => {
  it('drops no SYN below the limit', () => {
    const m = run(pastTheLimit(20_000));
    expect(m['conntrack_drops_total.rate']).toBe(0);
    expect(m['connect_duration_seconds.max']).toBeLessThan(BASE_ROUND_TRIP_BOUND);
  });

  it('drops SYNs, and connects then take the 1 s, 3 s, 7 s … retransmission steps plus the base round trip', () => {
    const m = run(pastTheLimit(4000));
    expect(m['conntrack_drops_total.rate']).toBeGreaterThan(0);
    expect(m['node_nf_conntrack_entries.max']).toBe(4000);
    // The maximum is exact: a connect whose last SYN got through after k seconds of retransmissions.
    const max = m['connect_duration_seconds.max'];
    expect(stepOf(max, 0), `max ${max}`).toBeGreaterThanOrEqual(1);
    // Quantiles come from the log histogram, whose representatives are within 1 % of the value.
    for (const stat of ['p50', 'p90', 'p99', 'p999']) {
      const q = m[`connect_duration_seconds.${stat}`];
      expect(stepOf(q, 0.01), `${stat} ${q} is not a retransmission step plus a round trip`).toBeDefined();
    }
    expect(m['connect_duration_seconds.p99']).toBeGreaterThan(0.9); // some connects waited ≥ 1 RTO
  });

  it('makes clients whose deadline comes before the next retransmission give up: deadline_exceeded, and no connect past 1 s', () => {
    // Deadline 2 s: the SYN at 0 s and its retransmission at 1 s; the next would be at 3 s.
    const m = run(pastTheLimit(2000, { deadline: '2s' }));
    expect(outcome(m, 'deadline_exceeded')).toBeGreaterThan(0);
    expect(outcome(m, 'timeout')).toBe(0);
    expect(stepOf(m['connect_duration_seconds.max'], 0)).toBe(1);
  });

  it('makes connect() fail with ETIMEDOUT once tcp_syn_retries is spent, within the deadline: timeout', () => {
    // tcp_syn_retries 2: SYNs at 0, 1 and 3 s, and connect() fails at 3 + 4 = 7 s, before the 10 s deadline.
    const m = run(pastTheLimit(2000, { deadline: '10s' }, { profiles: { kernel: { tcp: { synRetries: 2 } } } }));
    expect(outcome(m, 'timeout')).toBeGreaterThan(0);
    expect(outcome(m, 'deadline_exceeded')).toBe(0);
    expect(stepOf(m['connect_duration_seconds.max'], 0)).toBe(3);
  });

  // An open-loop client compares its deadline with connect()'s failure too, not only with retransmissions.
  it('ends a connect whose deadline passes before connect() fails as deadline_exceeded, not timeout', () => {
    const m = run(pastTheLimit(2000, { deadline: '5s' }, { profiles: { kernel: { tcp: { synRetries: 2 } } } }));
    expect(outcome(m, 'timeout')).toBe(0);
    expect(outcome(m, 'deadline_exceeded')).toBeGreaterThan(0);
  });
});

describe('keep-alive connections', () => {
  const keepAlive = { keepAlive: { maxRequests: 100 } } as const;
  const toOneService = (connection: 'new' | typeof keepAlive): NetworkSettingsInput =>
    openLoop({
      duration: '60s',
      workload: [{ clients: `${CLIENT_SHARE * 100}%`, ratePerClient: RATE_PER_CLIENT, target: 'svc-0', connection, dnsName: 'clusterIP' }],
    });

  it('opens one connection per 100 requests, and so holds far fewer conntrack entries than a new connection per request', () => {
    const start = vi.spyOn(Network.prototype, 'start');
    const pooled = run(toOneService(keepAlive));
    const network = start.mock.contexts[0] as Network;
    const fresh = run(toOneService('new'));

    const requests = outcome(pooled, 'ok');
    const connects = network.metrics.connectDuration.count;
    // Each connection serves exactly 100 requests; only connections open at the window's edges
    // (at most a couple per client pod) are counted on one side and not the other.
    const clientPods = NODES * Math.round(CLIENT_SHARE * PODS_PER_NODE);
    expect(requests).toBeGreaterThan(10_000);
    expect(Math.abs(connects - requests / 100)).toBeLessThanOrEqual(2 * clientPods);
    // Entries ≈ (connections/s × 120 s time_wait) + the open connections: about 1/100 of `new`.
    expect(pooled['node_nf_conntrack_entries.mean']).toBeGreaterThan(0);
    expect(pooled['node_nf_conntrack_entries.mean']).toBeLessThan(fresh['node_nf_conntrack_entries.mean'] / 50);
  });
});
