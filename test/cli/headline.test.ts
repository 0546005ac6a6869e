// The terminal table of `run`: values in the report's units with "± half-width", "± n/a" without
// an interval, scopes said once in the header, and never wider than 120 columns.

import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wrap } from '../../cli/format.js';
import { formatCell, headlineTables, metricHeader } from '../../cli/headline.js';
import { formatSetting as readableSetting } from '../../reports/format.js';
import type { SummaryPoint } from '../../runner/summary.js';
import { cli, scratchDir } from './helpers.js';

const scratch = scratchDir('headline');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SIX = [
  'request_duration_seconds.p99',
  'connect_duration_seconds.p99',
  'kubeproxy_network_programming_duration_seconds.p99',
  'conntrack_drops_total.rate',
  'node_cpu_utilization.mean',
  'request_outcomes_total{outcome=dns_failed}.rate',
];

function point(services: number, mode: string): SummaryPoint {
  const metrics = Object.fromEntries(SIX.map((key, i) => [key, { mean: (i + 1) * 1.234e-4 * services, ci95: [(i + 1) * 1.2e-4 * services, (i + 1) * 1.268e-4 * services] as [number, number], n: 3 }]));
  return { id: `${services}-${mode}`, settings: { 'cluster.services': services, 'proxy.mode': mode }, metrics };
}

describe('run terminal table', () => {
  it('prints a mean to three significant digits with its half-width in the same unit', () => {
    expect(formatCell('connect_duration_seconds.p99', { mean: 289.1e-6, ci95: [281e-6, 297.2e-6], n: 3 })).toBe('289 µs ± 8.1');
    expect(formatCell('node_cpu_utilization.mean', { mean: 0.0473, ci95: [0.0469, 0.0477], n: 3 })).toBe('4.73 % ± 0.040');
    expect(formatCell('conntrack_drops_total.rate', { mean: 1520, ci95: [1420, 1620], n: 5 })).toBe('1.52 k/s ± 0.10');
  });

  it('says "± n/a" when there is one replication or no interval', () => {
    expect(formatCell('request_duration_seconds.p99', { mean: 0.0021, ci95: [0.0021, 0.0021], n: 1 })).toBe('2.10 ms ± n/a');
    expect(formatCell('request_duration_seconds.p99', { mean: 0.0021, ci95: [null, null], n: 3 })).toBe('2.10 ms ± n/a');
    expect(formatCell('request_duration_seconds.p99', undefined)).toBe('n/a');
  });

  it('shows both sides of a lopsided interval rather than a misleading half-width', () => {
    expect(formatCell('dns_lookup_duration_seconds.p99', { mean: 5.001, ci95: [4.6, 7.2], n: 2 })).toBe('5.00 s +2.2 −0.40');
  });

  it('drops _seconds from headers and names the scope of rates once, in the header', () => {
    expect(metricHeader('connect_duration_seconds.p99')).toEqual(['connect_duration', 'p99']);
    expect(metricHeader('conntrack_drops_total.rate')).toEqual(['conntrack_drops_total', 'rate /s per node']);
    expect(metricHeader('request_outcomes_total{outcome=ok}.rate')).toEqual(['request_outcomes_total{outcome=ok}', 'rate /s cluster-wide']);
    expect(metricHeader('node_cpu_utilization.max')).toEqual(['node_cpu_utilization', 'max, per node']);
  });

  it('splits a 6-metric table into tables of at most 120 columns that repeat the settings', () => {
    const points = [point(1000, 'iptables'), point(1000, 'nftables'), point(10000, 'iptables'), point(10000, 'nftables')];
    const tables = headlineTables(points, ['cluster.services', 'proxy.mode'], SIX);
    expect(tables.length).toBeGreaterThan(1);
    for (const text of tables) {
      const lines = text.split('\n');
      expect(lines.filter((line) => line.length > 120)).toEqual([]);
      expect(lines[0]).toMatch(/^services +mode +\S/);
      expect(lines.slice(2).map((line) => line.split(/ {2,}/).slice(0, 2))).toEqual([
        ['1000', 'iptables'],
        ['1000', 'nftables'],
        ['10000', 'iptables'],
        ['10000', 'nftables'],
      ]);
    }
    const headers = tables.join('\n');
    for (const key of ['request_duration', 'connect_duration', 'kubeproxy_network_programming_duration', 'conntrack_drops_total', 'node_cpu_utilization']) {
      expect(headers.match(new RegExp(`\\b${key}\\b`, 'g'))).toHaveLength(1);
    }
  });

  it("keeps every line of the quickstart's table within 120 columns", async () => {
    const out = join(scratch, 'quickstart');
    const set = ['--set', 'spec.duration=2s', '--set', 'spec.warmup=1s'];
    const { code, stdout } = await cli(['run', 'experiments/quickstart.yaml', '--out', out, '--workers', '2', '--replications', '2', ...set]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^mean ± half-width of the 95 % CI over 2 replications/);
    expect(lines[1]).toMatch(/^services +mode +connect_duration +kubeproxy_sync_proxy_rules_duration$/);
    expect(lines).toHaveLength(9);
    // A two-second window may hold no sync at a point: that cell is n/a.
    const cell = '(\\S+ (µs|ms|s) ± \\S+|n/a)';
    for (const line of lines.slice(3)) expect(line).toMatch(new RegExp(`^\\d+ +(iptables|nftables) +${cell} +${cell}$`));
    expect(lines.filter((line) => line.length > 120)).toEqual([]);
  });

  it('names a swept mapping without JSON quotes and braces', () => {
    expect(readableSetting({ keepAlive: { maxRequests: 100, idle: '60s' } })).toBe('keepAlive(maxRequests=100, idle=60s)');
    expect(readableSetting([1, 'a'])).toBe('[1, a]');
    expect(readableSetting(5)).toBe('5');
  });

  it('wraps a long line at spaces, keeping its indentation', () => {
    const text = wrap(`  ${'word '.repeat(40).trim()}`, '    ', 50);
    const lines = text.split('\n');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => line.length <= 50)).toBe(true);
    expect(lines[0].startsWith('  word')).toBe(true);
    expect(lines[1].startsWith('    word')).toBe(true);
  });

  it("keeps validate's output within 120 columns for every experiment, swept mappings readable", async () => {
    const dirs = ['experiments', 'experiments/validation'];
    for (const file of dirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f)))) {
      const { code, stdout } = await cli(['validate', file]);
      expect(code, file).toBe(0);
      expect(stdout.split('\n').filter((line) => line.length > 120), file).toEqual([]);
    }
    const { stdout } = await cli(['validate', 'experiments/conntrack-exhaustion.yaml']);
    expect(stdout).toMatch(/^[0-9a-f]{12} +5 +keepAlive\(maxRequests=100, idle=60s\)$/m);
  });
});
