import { describe, expect, it } from 'vitest';
import { buildCharts, renderSvg } from '../../reports/charts/index.js';
import { chartLabels, isCategoricalNumbers, logTicks, scaleAndAxis, spansDecades } from '../../reports/charts/common.js';
import { unhealthyPointIds } from '../../reports/health.js';
import { sweepChart } from '../../reports/charts/sweep.js';
import { readResults } from '../../reports/inputs.js';
import { ATTRIBUTE_NAME, SCRIPT_NAME, writeFixture } from './fixture.js';
import { experimentOf, resultsOf, tempDir } from './results-dir.js';

type Layered = { layer: { mark: { type: string }; encoding: { x: { type: string; scale?: { type: string } } } }[] };

function sweepOf(services: number[], modes = ['iptables', 'ebpf']) {
  const points = services.flatMap((s) => modes.map((mode) => ({ settings: { 'cluster.services': s, 'proxy.mode': mode }, metrics: { 'connect_duration_seconds.p99': [1e-4 * (1 + s / 1000), 1.1e-4 * (1 + s / 1000)] } })));
  return resultsOf(points, experimentOf({ 'cluster.services': services, 'proxy.mode': modes }));
}

describe('chart specs', () => {
  it('draws a sweep spanning two decades on a log x axis, one line and band per series', () => {
    const chart = sweepChart(sweepOf([100, 1000, 10000]), 'connect_duration_seconds.p99');
    const spec = chart?.spec as unknown as Layered;
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['line', 'errorband']);
    expect(spec.layer[0].encoding.x.scale?.type).toBe('log');
  });

  it('keeps a linear x axis for a sweep within two decades', () => {
    const spec = sweepChart(sweepOf([1000, 5000, 30000]), 'connect_duration_seconds.p99')?.spec as unknown as Layered;
    expect(spec.layer[0].encoding.x.scale?.type).toBe('linear');
  });

  it('uses points and interval rules on a categorical axis', () => {
    const results = resultsOf(
      ['iptables', 'ipvs'].map((mode) => ({ settings: { 'proxy.mode': mode }, metrics: { 'connect_duration_seconds.p99': [1e-4, 1.2e-4] } })),
      experimentOf({ 'proxy.mode': ['iptables', 'ipvs'] }),
    );
    const spec = sweepChart(results, 'connect_duration_seconds.p99')?.spec as unknown as Layered;
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['point', 'rule']);
    expect(spec.layer[0].encoding.x.type).toBe('nominal');
  });

  it('skips a chart whose metric is absent, and the DNS charts without DNS metrics', () => {
    const results = sweepOf([100, 1000]);
    expect(sweepChart(results, 'dns_lookup_duration_seconds.p99')).toBeNull();
    const names = buildCharts(results, ['connect_duration_seconds.p99']).map((c) => c.name);
    expect(names).toEqual(['metric-connect_duration_seconds.p99']);
  });

  it('chooses log ticks at 1-2-5 over short spans and at decades over long ones', () => {
    expect(logTicks([3, 40])).toEqual([1, 2, 5, 10, 20, 50, 100, 200, 500]);
    expect(logTicks([1, 1e6])).toEqual([1, 10, 100, 1000, 1e4, 1e5, 1e6]);
    expect(spansDecades([1, 99])).toBe(false);
    expect(spansDecades([0, 1, 100])).toBe(false);
    expect(spansDecades([0, 1, 100], 2, true)).toBe(true);
  });
});

describe('rendering', () => {
  it('renders every fixture chart to an SVG with marks, without compiler warnings, hostile names escaped', async () => {
    const dir = tempDir();
    writeFixture(dir, { services: [100, 10000], replications: 3 });
    const results = readResults(dir);
    const charts = buildCharts(results, ['request_duration_seconds.p99', 'connect_duration_seconds.p99']);
    expect(charts.map((c) => c.name)).toEqual([
      'metric-request_duration_seconds.p99',
      'metric-connect_duration_seconds.p99',
      'latency-ladder',
      'dns-latency-ladder',
      'request-outcomes',
      'conntrack-occupancy',
      'dns-queries',
      'coredns-cpu',
      'proxy-sync',
    ]);
    const warnings: string[] = [];
    for (const chart of charts) {
      const svg = await renderSvg(chart.spec, warnings);
      expect(svg.startsWith('<svg'), chart.name).toBe(true);
      expect(svg, chart.name).toMatch(/class="mark-(line|area|symbol|rect|rule)[^"]*role-mark/);
      expect(svg).not.toContain('<script');
      expect(svg).not.toContain('<img');
    }
    expect(warnings).toEqual([]);
    const legend = await renderSvg(charts[0].spec);
    expect(legend).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(legend).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(SCRIPT_NAME + ATTRIBUTE_NAME).toContain('alert(1)');
  });
});

describe('axes for the values swept', () => {
  it('draws closely packed integer settings (ndots 1–5) as categories and spread ones (Services) as a continuum', () => {
    expect(isCategoricalNumbers([1, 2, 3, 5])).toBe(true);
    expect(isCategoricalNumbers([1000, 5000, 10000, 30000])).toBe(false);
    expect(isCategoricalNumbers([0.5, 1, 1.5])).toBe(false);
  });

  it('spans every interval end on a linear axis, so that no bar runs off the plot', () => {
    const { scale } = scaleAndAxis(false, [2, 5, -1, 12], false);
    expect(scale.domain).toEqual([-1, 12]);
    expect(scaleAndAxis(false, [2, 5], true).scale.domain).toEqual([0, 5]);
  });
});
