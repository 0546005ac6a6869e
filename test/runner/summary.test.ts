import { describe, expect, it } from 'vitest';
import type { Manifest, PointRecord } from '../../runner/results-dir.js';
import { buildSummary, csvField, summaryCsv, summaryJson } from '../../runner/summary.js';
import { metricsJson } from '../../runner/metrics-file.js';
import { Histogram } from '../../engine/stats/index.js';

const manifest = {
  experiment: 'x',
  replications: 3,
  sweep: ['workload.0.name'],
  points: [
    { id: 'p1', settings: { 'workload.0.name': 'a,"b"' } },
    { id: 'p2', settings: { 'workload.0.name': 'c' } },
    { id: 'p3', settings: { 'workload.0.name': 'd' } },
  ],
} as unknown as Manifest;

const record = (point: string, replication: number, value: number | null): PointRecord => ({ point, settings: {}, replication, seed: 1, metrics: { 'm.mean': value } });

describe('summaries', () => {
  it('are the same bytes whatever order the records came in', () => {
    const records = [record('p1', 0, 1), record('p1', 1, 2), record('p1', 2, 4), record('p2', 0, 3), record('p2', 1, 5)];
    const reversed = [...records].reverse();
    expect(summaryJson(buildSummary(manifest, reversed))).toBe(summaryJson(buildSummary(manifest, records)));
  });

  it('count only replications with an observation, write null for none, and leave out points not run', () => {
    const summary = buildSummary(manifest, [record('p1', 0, 1), record('p1', 1, null), record('p2', 0, null), record('p1', 5, 9), record('p1', 0, 7)]);
    expect(summary.points.map((p) => p.id)).toEqual(['p1', 'p2']);
    expect(summary.points[0].metrics['m.mean']).toEqual({ mean: 1, ci95: [null, null], n: 1 });
    expect(summary.points[1].metrics['m.mean']).toEqual({ mean: null, ci95: [null, null], n: 0 });
  });

  it('write one CSV row per point: settings, then mean and CI ends per metric', () => {
    const csv = summaryCsv(buildSummary(manifest, [record('p1', 0, 1), record('p1', 1, 3), record('p2', 0, null)]), manifest.sweep);
    const rows = csv.trimEnd().split('\n');
    expect(rows[0]).toBe('point,workload.0.name,m.mean.mean,m.mean.ci95lo,m.mean.ci95hi');
    expect(rows[1]).toMatch(/^p1,"a,""b""",2,-10\.7\d+,14\.7\d+$/);
    expect(rows[2]).toBe('p2,c,,,');
  });

  it('cut the interval of a catalogued nonnegative metric at zero and of a share at 100 %', () => {
    const rec = (point: string, replication: number, metrics: Record<string, number>): PointRecord => ({ point, settings: {}, replication, seed: 1, metrics });
    const summary = buildSummary(manifest, [
      rec('p1', 0, { 'request_duration_seconds.p99': 0.1, 'node_cpu_utilization.mean': 0.99 }),
      rec('p1', 1, { 'request_duration_seconds.p99': 9.9, 'node_cpu_utilization.mean': 0.7 }),
    ]);
    expect(summary.points[0].metrics['request_duration_seconds.p99'].ci95[0]).toBe(0);
    expect(summary.points[0].metrics['node_cpu_utilization.mean'].ci95[1]).toBe(1);
  });

  it('write metrics.json from the catalogue, keys sorted, unknown keys left out, whatever order the records came in', () => {
    const rec = (point: string, replication: number, metrics: Record<string, number>): PointRecord => ({ point, settings: {}, replication, seed: 1, metrics });
    const records = [
      rec('p1', 0, { 'request_duration_seconds.p99': 0.1, 'm.mean': 1 }),
      rec('p2', 0, { 'node_nf_conntrack_entries.max': 10, 'node_cpu_utilization.mean': 0.5 }),
    ];
    const text = metricsJson(buildSummary(manifest, records));
    expect(metricsJson(buildSummary(manifest, [...records].reverse()))).toBe(text);
    const file = JSON.parse(text);
    expect(Object.keys(file)).toEqual(['node_cpu_utilization.mean', 'node_nf_conntrack_entries.max', 'request_duration_seconds.p99']);
    expect(file['request_duration_seconds.p99']).toMatchObject({ unit: 'seconds', scope: 'cluster', direction: 'lower', support: [0, null], relativeResolution: 2 * Histogram.relativeAccuracy });
    expect(file['node_cpu_utilization.mean']).toMatchObject({ unit: 'ratio', support: [0, 1], relativeResolution: 1e-3 });
    expect(file['node_nf_conntrack_entries.max'].direction).toBe('neutral');
  });
});

describe('summary.csv cells', () => {
  it('neutralises cells a spreadsheet would run as formulas, and leaves negative numbers alone', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+cmd|calc')).toBe("'+cmd|calc");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('-2.5e-3')).toBe('-2.5e-3');
    expect(csvField('ipvs')).toBe('ipvs');
  });
});
