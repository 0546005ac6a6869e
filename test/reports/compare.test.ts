import { describe, expect, it } from 'vitest';
import { buildAnswer } from '../../reports/answer.js';
import { compareSettings, comparisonPath, compareWithBaseline } from '../../reports/compare.js';
import { experimentOf, resultsOf } from './results-dir.js';

// Replication r moves every point by the same common factor (common random numbers), so a small
// constant gap between two settings is clear in the paired difference although each point's
// own interval is wide enough to overlap the other's.
const COMMON = [0.8, 1.1, 0.95, 1.25, 0.9];
const series = (base: number, jitter = [0, 0.001, -0.001, 0.002, -0.002]) => COMMON.map((c, r) => base * c + jitter[r]);

describe('significance over paired replications', () => {
  const results = resultsOf(
    [
      { settings: { 'proxy.mode': 'iptables' }, metrics: { 'connect_duration_seconds.p99': series(1.05) } },
      { settings: { 'proxy.mode': 'ebpf' }, metrics: { 'connect_duration_seconds.p99': series(1.0) } },
    ],
    experimentOf({ 'proxy.mode': ['iptables', 'ebpf'] }),
  );

  it('finds the lower setting significantly better though the two intervals overlap', () => {
    const [a, b] = results.points.map((p) => p.metrics.get('connect_duration_seconds.p99'));
    expect(a?.low).toBeLessThan(b?.high ?? NaN);
    const c = compareSettings(results, ['connect_duration_seconds.p99']).comparisons.get('connect_duration_seconds.p99')?.[0];
    expect(c?.significant).toBe(true);
    expect(c?.leader.settings['proxy.mode']).toBe('ebpf');
    expect(c?.difference?.mean).toBeCloseTo(-0.05, 6);
  });

  it('stars only the better setting in the answer table and names it in the headline', () => {
    const answer = buildAnswer(results);
    expect(answer.table.rows.map((r) => r.cells[0].best)).toEqual([false, true]);
    expect(answer.headlines[0].map((part) => part.text).join('')).toMatch(/^connect_duration_seconds\.p99: ebpf −50 ms \(−4\.8 %, 95 % CI −\d+ … −\d+ ms, better\) vs mode=iptables\.$/);
  });
});

describe('ties and noise', () => {
  it('names no better setting when the difference is within the noise', () => {
    const results = resultsOf([
      { settings: { mode: 'a' }, metrics: { 'request_duration_seconds.p99': [1, 2, 3, 4, 5] } },
      { settings: { mode: 'b' }, metrics: { 'request_duration_seconds.p99': [1.5, 1.4, 3.6, 3.8, 5.1] } },
    ]);
    const c = compareSettings(results, ['request_duration_seconds.p99']).comparisons.get('request_duration_seconds.p99')?.[0];
    expect(c?.significant).toBe(false);
    expect(buildAnswer(results).table.rows.every((r) => !r.cells[0].best)).toBe(true);
  });

  it('keeps a tie at the top a tie: the leaders are every setting not significantly worse than the best', () => {
    const results = resultsOf(
      [
        { settings: { 'proxy.mode': 'iptables' }, metrics: { 'connect_duration_seconds.p99': series(1.5) } },
        { settings: { 'proxy.mode': 'ipvs' }, metrics: { 'connect_duration_seconds.p99': series(1.0, [0.01, -0.01, 0.02, -0.02, 0]) } },
        { settings: { 'proxy.mode': 'ebpf' }, metrics: { 'connect_duration_seconds.p99': series(1.0, [-0.01, 0.01, -0.02, 0.02, 0.001]) } },
      ],
      experimentOf({ 'proxy.mode': ['iptables', 'ipvs', 'ebpf'] }),
    );
    const c = compareSettings(results, ['connect_duration_seconds.p99']).comparisons.get('connect_duration_seconds.p99')?.[0];
    expect(c?.significant).toBe(true);
    expect(c?.leaders.map((p) => p.settings['proxy.mode'])).toEqual(['ipvs', 'ebpf']);
    expect(c?.runnerUp?.settings['proxy.mode']).toBe('iptables');
  });

  it('counts higher as better for throughput', () => {
    const results = resultsOf([
      { settings: { mode: 'a' }, metrics: { 'requests_per_second.mean': series(100, [0, 0, 0, 0, 0]) } },
      { settings: { mode: 'b' }, metrics: { 'requests_per_second.mean': series(110, [0, 0.1, 0, -0.1, 0]) } },
    ]);
    const c = compareSettings(results, ['requests_per_second.mean']).comparisons.get('requests_per_second.mean')?.[0];
    expect(c?.leader.settings.mode).toBe('b');
    expect(c?.significant).toBe(true);
  });

  it('pairs by replication index and leaves out a replication one side lacks', () => {
    const results = resultsOf([
      { settings: { mode: 'a' }, metrics: { 'connect_duration_seconds.p99': [1, 2, null, 4, 5] } },
      { settings: { mode: 'b' }, metrics: { 'connect_duration_seconds.p99': [2, 3, 100, 5, 6.01] } },
    ]);
    const c = compareSettings(results, ['connect_duration_seconds.p99']).comparisons.get('connect_duration_seconds.p99')?.[0];
    expect(c?.difference?.n).toBe(4);
    expect(c?.significant).toBe(true);
  });
});

describe('groups', () => {
  it('compares the series path within each value of the other swept paths', () => {
    const points = [100, 10000].flatMap((services) =>
      ['iptables', 'ebpf'].map((mode) => ({
        settings: { 'cluster.services': services, 'proxy.mode': mode },
        metrics: { 'kubeproxy_sync_proxy_rules_duration_seconds.p99': series(mode === 'ebpf' ? 0.001 : services * 1e-5 + 0.002) },
      })),
    );
    const results = resultsOf(points, experimentOf({ 'cluster.services': [100, 10000], 'proxy.mode': ['iptables', 'ebpf'] }, { report: { x: 'cluster.services', series: 'proxy.mode' } }));
    expect(comparisonPath(results)).toBe('proxy.mode');
    const answer = buildAnswer(results);
    expect(answer.verdicts?.rows.map((r) => r.group)).toEqual(['100', '10000']);
    expect(answer.verdicts?.rows.every((r) => r.cells[0].startsWith('ebpf ('))).toBe(true);
    expect(answer.headlines.map((h) => h.map((p) => p.text).join(''))).toEqual([
      expect.stringMatching(/^kubeproxy_sync_proxy_rules_duration_seconds\.p99: ebpf −2\.0 ms \(−67 %, 95 % CI .* ms, better\) vs mode=iptables at services=100\.$/),
      expect.stringMatching(/^kubeproxy_sync_proxy_rules_duration_seconds\.p99: ebpf −100 ms \(−99 %, 95 % CI .* ms, better\) vs mode=iptables at services=10000\.$/),
    ]);
  });
});

describe('significance that matches the numbers', () => {
  const text = (rich: { text: string }[]) => rich.map((p) => p.text).join('');

  it('stars neither of two settings with equal means, whatever their intervals', () => {
    // ebpf 283 µs ± 14 next to ipvs 283 µs ± 0: the same mean, one noisy.
    const results = resultsOf([
      { settings: { 'proxy.mode': 'ipvs' }, metrics: { 'connect_duration_seconds.p99': [283e-6, 283e-6, 283e-6, 283e-6, 283e-6] } },
      { settings: { 'proxy.mode': 'ebpf' }, metrics: { 'connect_duration_seconds.p99': [270e-6, 296e-6, 275e-6, 291e-6, 283e-6] } },
    ]);
    const answer = buildAnswer(results);
    expect(answer.table.rows.map((r) => r.cells[0].best)).toEqual([false, false]);
  });

  it('finds a −5.6 µs difference on a 283 µs p99, below the sketch resolution, not significant even with a zero-width interval', () => {
    const results = resultsOf([
      { settings: { 'proxy.mode': 'ipvs' }, metrics: { 'connect_duration_seconds.p99': [283e-6, 283e-6, 283e-6] } },
      { settings: { 'proxy.mode': 'ebpf' }, metrics: { 'connect_duration_seconds.p99': [277.4e-6, 277.4e-6, 277.4e-6] } },
    ]);
    const c = compareSettings(results, ['connect_duration_seconds.p99']).comparisons.get('connect_duration_seconds.p99')?.[0];
    expect(c?.difference?.ci95[1]).toBeLessThan(0);
    expect(c?.significant).toBe(false);
    expect(buildAnswer(results).table.rows.every((r) => !r.cells[0].best)).toBe(true);
  });

  it('finds −0.00027 mCPU on a 1 mCPU metric not significant', () => {
    const base = [1e-3, 1.1e-3, 0.9e-3, 1.05e-3];
    const results = resultsOf([
      { settings: { 'proxy.mode': 'ipvs' }, metrics: { 'proxy_cpu_cores.mean': base } },
      { settings: { 'proxy.mode': 'ebpf' }, metrics: { 'proxy_cpu_cores.mean': base.map((x, i) => x - 2.7e-7 + [0, 1e-9, -1e-9, 0][i]) } },
    ]);
    const c = compareSettings(results, ['proxy_cpu_cores.mean']).comparisons.get('proxy_cpu_cores.mean')?.[0];
    expect(c?.difference?.ci95[1]).toBeLessThan(0);
    expect(c?.significant).toBe(false);
  });

  it('never stars or ranks a neutral metric, however large the difference', () => {
    const results = resultsOf(
      [
        { settings: { 'proxy.mode': 'iptables' }, metrics: { 'node_nf_conntrack_entries.max': series(40000) } },
        { settings: { 'proxy.mode': 'ebpf' }, metrics: { 'node_nf_conntrack_entries.max': series(0.001, [0, 0, 0, 0, 0]) } },
      ],
      experimentOf({ 'proxy.mode': ['iptables', 'ebpf'] }, { report: { metrics: ['node_nf_conntrack_entries.max'] } }),
    );
    const answer = buildAnswer(results);
    expect(answer.table.rows.every((r) => !r.cells[0].best)).toBe(true);
    expect(answer.headlines).toEqual([]);
    expect(compareWithBaseline(results, 'node_nf_conntrack_entries.max', 'proxy.mode')).toEqual([]);
  });

  it('compares every setting with spec.report.baseline, not with the first, when one is given', () => {
    const results = resultsOf(
      ['iptables', 'ipvs', 'nftables'].map((mode) => ({
        settings: { 'proxy.mode': mode },
        metrics: { 'connect_duration_seconds.p99': series(mode === 'nftables' ? 280e-6 : 460e-6, [0, 1e-7, -1e-7, 2e-7, -2e-7]) },
      })),
      experimentOf({ 'proxy.mode': ['iptables', 'ipvs', 'nftables'] }, { report: { series: 'proxy.mode', baseline: 'ipvs' } }),
    );
    const lines = buildAnswer(results).headlines.map(text);
    expect(lines).toEqual([expect.stringMatching(/^connect_duration_seconds\.p99: nftables −180 µs \(−39 %, 95 % CI −\d+ … −\d+ µs, better\) vs mode=ipvs; iptables: no significant difference\.$/)]);
  });
});

describe('intervals the report derives from points.jsonl', () => {
  const results = resultsOf([
    { settings: { mode: 'a' }, metrics: { 'node_cpu_utilization.mean': [0.99, 0.7, 1], 'request_duration_seconds.p99': [0.1, 9.9, null] } },
    { settings: { mode: 'b' }, metrics: { 'node_cpu_utilization.mean': [0.5, null, null], 'request_duration_seconds.p99': [1, 1.1, 1.2] } },
  ]);

  it('keeps a share at or below 100 % and a latency at or above 0', () => {
    expect(results.points[0].metrics.get('node_cpu_utilization.mean')?.high).toBeLessThanOrEqual(1);
    expect(results.points[0].metrics.get('request_duration_seconds.p99')?.low).toBe(0);
  });

  it('prints n/a for the interval of a point with one replication', () => {
    const answer = buildAnswer({ ...results, report: { metrics: ['node_cpu_utilization.mean'] } });
    expect(answer.table.rows[1].cells[0].text).toBe('50.0 % ± n/a');
  });
});
