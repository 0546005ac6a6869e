// `k8s-netsim validation`: rows read from the results as their experiment file says (a point, an
// overhead, a ratio, a rate from a duration), errors against a value or a range, the documents
// written whole and only for a complete run, and bad rows refused before anything runs.

import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { relativeError } from '../../runner/validation-rows.js';
import { writeTinyExperiment } from '../runner/helpers.js';
import { cli, scratchDir } from './helpers.js';

const scratch = scratchDir('validation');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const ROWS = `  validation:
    - figure: connect p50 under iptables
      source: a test
      published: 1ms
      unit: s
      tolerance: 10%
      why: made up for the test
      basis: independent
      model: { metric: connect_duration_seconds.p50, at: { proxy.mode: iptables } }
    - figure: iptables minus nftables connect mean
      source: a test
      published: [1us, 2us]
      unit: s
      tolerance: 50%
      why: made up for the test
      basis: fitted
      note: a note the table carries
      model: { metric: connect_duration_seconds.mean, at: { proxy.mode: iptables }, minus: { at: { proxy.mode: nftables } } }
    - figure: requests per second over itself
      source: a test
      published: 1
      unit: ratio
      tolerance: 0.001
      why: identity
      basis: fitted
      model: { metric: requests_per_second.mean, at: { proxy.mode: ipvs }, over: { at: { proxy.mode: ipvs } } }
    - figure: seconds per request
      source: a test
      published: 0.01
      unit: s
      tolerance: 1%
      why: made up
      basis: independent
      model: { metric: requests_per_second.mean, at: { proxy.mode: ipvs }, into: 1 }
`;

interface JsonRow {
  figure: string;
  mean: number;
  n: number;
  error: number;
  within: boolean;
  ci95: [number, number];
}

function metricByReplication(out: string, mode: string, key: string): number[] {
  return readFileSync(join(out, 'points.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { settings: Record<string, string>; replication: number; metrics: Record<string, number> })
    .filter((r) => r.settings['proxy.mode'] === mode)
    .sort((a, b) => a.replication - b.replication)
    .map((r) => r.metrics[key]);
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

describe('validation', () => {
  const file = writeTinyExperiment(scratch, 'tiny-validation', ROWS);
  const out = join(scratch, 'results');
  const doc = join(scratch, 'docs', 'validation.md');

  it('reads each row from the results per replication, and writes the table', async () => {
    const { code, stdout, stderr } = await cli(['validation', file, '--out', out, '--doc', doc, '--workers', '1', '--json']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const rows = (JSON.parse(stdout) as { rows: JsonRow[] }).rows;
    expect(rows.map((r) => r.figure)).toEqual(['connect p50 under iptables', 'iptables minus nftables connect mean', 'requests per second over itself', 'seconds per request']);
    const dir = join(out, 'tiny-validation');
    const p50 = metricByReplication(dir, 'iptables', 'connect_duration_seconds.p50');
    expect(rows[0].n).toBe(2);
    expect(rows[0].mean).toBeCloseTo(mean(p50), 15);
    expect(rows[0].error).toBeCloseTo(mean(p50) / 1e-3 - 1, 12);
    const iptables = metricByReplication(dir, 'iptables', 'connect_duration_seconds.mean');
    const nftables = metricByReplication(dir, 'nftables', 'connect_duration_seconds.mean');
    expect(rows[1].mean).toBeCloseTo(mean(iptables.map((x, r) => x - nftables[r])), 15);
    expect(rows[2]).toMatchObject({ mean: 1, error: 0, within: true });
    expect(rows[2].ci95).toEqual([1, 1]);
    const rps = metricByReplication(dir, 'ipvs', 'requests_per_second.mean');
    expect(rows[3].mean).toBeCloseTo(mean(rps.map((x) => 1 / x)), 15);

    const markdown = readFileSync(doc, 'utf8');
    expect(markdown).toContain('| requests per second over itself | 1 | 1 ± 0 | 0.0 % | ±0.1 % | yes | fitted | a test |');
    expect(markdown).toContain('*iptables minus nftables connect mean*: a note the table carries');
    expect(markdown).toMatch(/All rows: \d of 4 within tolerance/);
    const json = JSON.parse(readFileSync(doc.replace(/\.md$/, '.json'), 'utf8')) as { rows: JsonRow[] };
    expect(json.rows.map((r) => r.mean)).toEqual(rows.map((r) => r.mean));
  });

  it('reuses results whose experiment has not changed (an interrupted validation resumes)', async () => {
    const { code, stderr } = await cli(['validation', file, '--out', out, '--workers', '1']);
    expect(code).toBe(0);
    expect(stderr).toContain('0 runs (6 reused runs)');
  });

  it('refuses a row naming a point the sweep does not have, before running anything', async () => {
    const bad = writeTinyExperiment(scratch, 'bad-row', ROWS.replace('at: { proxy.mode: ipvs }, into: 1', 'at: { proxy.mode: ebpf }, into: 1'));
    const badOut = join(scratch, 'bad-results');
    const { code, stderr } = await cli(['validation', bad, '--out', badOut, '--doc', join(scratch, 'bad.md')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/bad-row\.yaml:\d+:\d+: .*spec\.validation\[3\]\.model\.at: no point has proxy\.mode="ebpf"/);
    expect(existsSync(badOut)).toBe(false);
    expect(existsSync(join(scratch, 'bad.md'))).toBe(false);
  });
});

describe('relative error', () => {
  it('is signed against a value, and zero inside a published range, measured from the nearer bound outside it', () => {
    expect(relativeError(110, 100)).toBeCloseTo(0.1, 12);
    expect(relativeError(90, 100)).toBeCloseTo(-0.1, 12);
    expect(relativeError(15, [10, 20])).toBe(0);
    expect(relativeError(22, [10, 20])).toBeCloseTo(0.1, 12);
    expect(relativeError(9, [10, 20])).toBeCloseTo(-0.1, 12);
  });
});
