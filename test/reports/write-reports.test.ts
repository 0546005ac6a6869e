import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReports } from '../../reports/index.js';
import { CONTENT_SECURITY_POLICY } from '../../reports/html.js';
import { ATTRIBUTE_NAME, FIXTURE_CONSTANTS, SCRIPT_NAME, writeFixture } from './fixture.js';
import { tempDir } from './results-dir.js';

const SMALL = { services: [100, 10000], modes: ['iptables', 'ebpf', SCRIPT_NAME], replications: 3 };

describe('writeReports', () => {
  it('writes the reports, charts and missing summaries, and no temporary file is left', async () => {
    const dir = tempDir();
    writeFixture(dir, SMALL);
    const { files } = await writeReports(dir);
    for (const name of ['report.html', 'report.md', 'summary.json', 'summary.csv']) expect(files).toContain(name);
    expect(files.filter((f) => f.endsWith('.svg')).length).toBe(files.filter((f) => f.endsWith('.vl.json')).length);
    expect(readdirSync(dir).concat(readdirSync(join(dir, 'charts'))).some((f) => f.endsWith('.tmp'))).toBe(false);
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.points).toHaveLength(6);
    expect(summary.points[0].metrics['request_duration_seconds.p99'].n).toBe(3);
    expect(readFileSync(join(dir, 'summary.csv'), 'utf8').split('\n')[0]).toMatch(/^point,cluster\.services,proxy\.mode,/);
  });

  it('leaves the runner’s summary files alone and removes charts that no longer apply', async () => {
    const dir = tempDir();
    writeFixture(dir, SMALL);
    writeFileSync(join(dir, 'summary.csv'), 'runner,csv\n');
    await writeReports(dir);
    expect(readFileSync(join(dir, 'summary.csv'), 'utf8')).toBe('runner,csv\n');
    writeFileSync(join(dir, 'charts', 'old-chart.svg'), '<svg/>');
    await writeReports(dir);
    expect(existsSync(join(dir, 'charts', 'old-chart.svg'))).toBe(false);
  });

  it('escapes hostile names in the page and forbids scripts and fetches', async () => {
    const dir = tempDir();
    writeFixture(dir, SMALL);
    await writeReports(dir);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;')}">`);
    expect(CONTENT_SECURITY_POLICY).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; img-src data:/);
    expect(html).not.toContain(SCRIPT_NAME);
    expect(html).not.toContain(ATTRIBUTE_NAME);
    expect(html).not.toMatch(/<script|<img|<iframe|src="http|href="http/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('states in report.md each setting against the baseline, with its share and 95 % interval', async () => {
    const dir = tempDir();
    writeFixture(dir, SMALL);
    await writeReports(dir);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toMatch(/^- kubeproxy\\_sync\\_proxy\\_rules\\_duration\\_seconds\.p99: \*\*ebpf\*\* −300 ms \(−70 %, 95 % CI −3\d\d … −2\d\d ms, better\), .* vs mode=iptables at services=10000\.$/m);
    expect(md).toMatch(/^- connect\\_duration\\_seconds\.p99: no setting differs significantly from mode=iptables at services=100 \(ebpf, /m);
    expect(md).toContain("intervals are cut at the metric's bounds (0, and 100 % for shares)");
  });

  it('puts the answer first, charts linked, assumptions last in report.md, with the race warning', async () => {
    const dir = tempDir();
    writeFixture(dir, SMALL);
    await writeReports(dir);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    const answer = md.indexOf('## Answer');
    const charts = md.indexOf('## Charts');
    const assumptions = md.indexOf('## Assumptions');
    expect(answer).toBeGreaterThan(0);
    expect(charts).toBeGreaterThan(answer);
    expect(assumptions).toBeGreaterThan(charts);
    expect(md).toContain('![request\\_duration\\_seconds.p99 vs services](charts/metric-request_duration_seconds.p99.svg)');
    expect(md).toMatch(/⚠ These results rest on `dns\.race\.probability` = 0\.001/);
    expect(md).not.toContain('<script>');
    expect(md.split('\n').filter((l) => l.startsWith('|')).every((l) => !/[^\\]\|[^ ]/.test(l.replace(/\\\|/g, '')))).toBe(true);
  });

  it('reports the plan: the chosen setting, the deciding bound and the runner-up that failed', async () => {
    const dir = tempDir();
    writeFixture(dir, {
      ...SMALL,
      plan: (ids) => ({
        chosen: ids.get('100/ebpf') ?? '',
        minimize: 'cluster.services',
        decidingBound: { metric: 'request_duration_seconds.p99', limit: '5ms' },
        runnerUp: { pointId: ids.get('100/iptables') ?? '', failedBound: 'request_duration_seconds.p99' as never },
      }),
    });
    await writeReports(dir);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('> Chosen: **services=100, mode=ebpf**');
    expect(md).toContain('Deciding bound: **request\\_duration\\_seconds.p99 ≤ 5.00 ms**');
    expect(md).toContain('Runner-up: **services=100, mode=iptables** failed request\\_duration\\_seconds.p99 ≤ 5.00 ms');
  });

  it('works from points.jsonl alone, inferring the swept paths and saying what was missing', async () => {
    const dir = tempDir();
    writeFixture(dir, { ...SMALL, files: { experiment: false, constants: false } });
    await writeReports(dir);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('No experiment.json');
    expect(md).toContain('| services | mode |');
    expect(md).toContain('did not record the profile constants');
  });

  it('reads the runner’s shapes: a manifest, constant sets by hash, plan decisions per given setting', async () => {
    const dir = tempDir();
    const ids = writeFixture(dir, { ...SMALL, files: { experiment: false, constants: false } });
    const manifest = {
      apiVersion: 'k8s-netsim/v1alpha1',
      experiment: 'proxy-modes',
      specHash: 'abc',
      seed: 7,
      replications: 3,
      sweep: ['cluster.services', 'proxy.mode'],
      points: [...ids].map(([key, id]) => ({ id, settings: { 'cluster.services': Number(key.split('/')[0]), 'proxy.mode': key.slice(key.indexOf('/') + 1) } })),
      report: { x: 'cluster.services', series: 'proxy.mode' },
      slo: { 'request_duration_seconds.p99': '<=5ms' },
      shard: null,
    };
    writeFileSync(join(dir, 'experiment.json'), JSON.stringify(manifest));
    writeFileSync(join(dir, 'constants.json'), JSON.stringify({ points: { [ids.get('100/ebpf') ?? '']: 'h1' }, sets: { h1: FIXTURE_CONSTANTS } }));
    const evaluation = (key: string, meets: boolean) => ({ point: ids.get(key), value: key, meets, checks: [{ metric: 'request_duration_seconds.p99', bound: '5ms', op: '<=', mean: 0.002, ci95: [0.0019, 0.0021], meets, excess: meets ? -0.5 : 0.1 }] });
    const decisions = [100, 10000].map((services) => ({
      given: { 'cluster.services': services },
      search: 'exhaustive',
      candidates: 3,
      evaluated: 3,
      chosen: evaluation(`${services}/ebpf`, true),
      decidingBound: 'request_duration_seconds.p99 <= 5ms',
      runnerUp: evaluation(`${services}/iptables`, false),
    }));
    writeFileSync(join(dir, 'plan.json'), JSON.stringify({ minimize: 'proxy.mode', slo: manifest.slo, decisions }));
    await writeReports(dir);
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    expect(md).toContain('# proxy-modes');
    expect(md).toContain('seed 7');
    expect(md).toContain('**For cluster.services=10000:**');
    expect(md).toContain('Chosen: **proxy.mode=ebpf**');
    expect(md).toContain('Runner-up: **proxy.mode=iptables** failed request\\_duration\\_seconds.p99 ≤ 5.00 ms');
    expect(md).toContain('(SLO ≤ 5.00 ms)');
    expect(md).toMatch(/⚠ These results rest on `dns\.race\.probability`/);
  });

  it('refuses a directory with no results', async () => {
    const dir = tempDir();
    await expect(writeReports(dir)).rejects.toThrow(/neither points\.jsonl nor summary\.json/);
    rmSync(dir, { recursive: true, force: true });
  });
});
