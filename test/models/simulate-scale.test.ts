// Scale by fidelity (docs/architecture.md): a point simulating 16 of 200 nodes in detail, with mirrors
// standing in for the rest, must agree with simulating all 200 within their confidence intervals,
// and cost far less.

import { describe, expect, it } from 'vitest';
import { studentTQuantile, summarize } from '../../engine/stats/index.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { networkSettings, simulate, type SimulationResult } from '../../models/simulate.js';

const SEED = 20240614;
const REPLICATIONS = [0, 1, 2, 3, 4, 5, 6, 7];

/**
 * 200 nodes of 4 pods, 2 client pods per node at 5 requests/s (2000 requests/s in the cluster),
 * 160 Services of 5 endpoints: one endpoint per pod, 4 per node. Exponential service time, so
 * that request quantiles have a spread to estimate. The 16-node point sees 16/200 of the requests:
 * about 1600 a replication, 16 above its p99.
 */
function point(detailedNodes: number | 'all'): NetworkSettingsInput {
  return {
    warmup: '2s',
    duration: '10s',
    cluster: { nodes: 200, podsPerNode: 4, services: 160, detailedNodes },
    // By ClusterIP: the TCP path; CoreDNS, which sees every node's queries, is checked in dns tests.
    workload: [{ clients: '50%', ratePerClient: 5, dnsName: 'clusterIP', server: { serviceTime: { exponential: { mean: '1ms' } } } }],
  };
}

/**
 * Welch's 95 % interval for the difference of two means from independent replications with
 * unequal variances (Welch–Satterthwaite degrees of freedom). The two points draw from
 * differently shaped streams (one arrival stream per detailed node), so they are not paired.
 */
function welchDifference(a: number[], b: number[]): { difference: number; ci95: [number, number] } {
  const sa = summarize(a);
  const sb = summarize(b);
  const va = sa.stdDev ** 2 / sa.n;
  const vb = sb.stdDev ** 2 / sb.n;
  const se = Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (sa.n - 1) + vb ** 2 / (sb.n - 1));
  const difference = sa.mean - sb.mean;
  const half = studentTQuantile(0.975, df) * se;
  return { difference, ci95: [difference - half, difference + half] };
}

describe('detailedNodes: 16 of 200 nodes with mirrors vs all 200', () => {
  const runs = (detailed: number | 'all'): SimulationResult[] =>
    REPLICATIONS.map((r) => simulate(networkSettings.parse(point(detailed)), SEED, r));
  const all = runs('all');
  const sixteen = runs(16);

  it.each(['request_duration_seconds.p50', 'request_duration_seconds.p99', 'node_nf_conntrack_entries.mean', 'proxy_cpu_cores.mean'])(
    'agrees on %s: the Welch 95-percent interval of the difference covers 0',
    (key) => {
      const a = all.map((r) => r.metrics[key]);
      const b = sixteen.map((r) => r.metrics[key]);
      expect(a.every(Number.isFinite) && b.every(Number.isFinite)).toBe(true);
      const { difference, ci95 } = welchDifference(a, b);
      expect(ci95[0], `difference ${difference}`).toBeLessThanOrEqual(0);
      expect(ci95[1], `difference ${difference}`).toBeGreaterThanOrEqual(0);
      // The interval would catch a 10 % disagreement: its half-width is under 10 % of the metric.
      expect((ci95[1] - ci95[0]) / 2).toBeLessThan(0.1 * summarize(a).mean);
    },
  );

  it('agrees on the request rate of the whole cluster (scaled from the detailed clients)', () => {
    const a = all.map((r) => r.metrics['requests_per_second.mean']);
    const b = sixteen.map((r) => r.metrics['requests_per_second.mean']);
    const { ci95 } = welchDifference(a, b);
    expect(ci95[0]).toBeLessThanOrEqual(0);
    expect(ci95[1]).toBeGreaterThanOrEqual(0);
    const offered = 200 * 2 * 5;
    expect(summarize(a).ci95[0]).toBeLessThanOrEqual(offered);
    expect(summarize(a).ci95[1]).toBeGreaterThanOrEqual(offered);
  });

  it('costs a small fraction of the events of simulating every node', () => {
    const events = (results: SimulationResult[]) => results.reduce((sum, r) => sum + r.events, 0);
    expect(events(sixteen)).toBeLessThan(events(all) / 5);
  });
});

describe('detailedNodes: 16 of 200 nodes with the clients concentrated on 32 nodes', () => {
  // clients: 32 puts one client pod on each of nodes 0–31: the 16 detailed nodes hold half of
  // them, more than their share, so cluster.ts turns mirroring off (server-only nodes instead).
  const concentrated = (detailedNodes: number | 'all'): NetworkSettingsInput => ({
    ...point(detailedNodes),
    workload: [{ clients: 32, ratePerClient: 20, server: { serviceTime: { exponential: { mean: '1ms' } } } }],
  });
  const runs = (detailed: number | 'all') => REPLICATIONS.slice(0, 5).map((r) => simulate(networkSettings.parse(concentrated(detailed)), SEED, r).metrics);
  const all = runs('all');
  const sixteen = runs(16);

  it('agrees on the request rate and median latency', () => {
    for (const key of ['requests_per_second.mean', 'request_duration_seconds.p50']) {
      const { ci95 } = welchDifference(all.map((m) => m[key]), sixteen.map((m) => m[key]));
      expect(ci95[0], key).toBeLessThanOrEqual(0);
      expect(ci95[1], key).toBeGreaterThanOrEqual(0);
    }
  });

  // With clients concentrated, every client-hosting node is detailed and node metrics average all
  // N nodes (untouched ones idle), so the two must agree.
  it('agrees on node_nf_conntrack_entries.mean', () => {
    const key = 'node_nf_conntrack_entries.mean';
    const { ci95 } = welchDifference(all.map((m) => m[key]), sixteen.map((m) => m[key]));
    expect(ci95[0]).toBeLessThanOrEqual(0);
    expect(ci95[1]).toBeGreaterThanOrEqual(0);
  });
});
