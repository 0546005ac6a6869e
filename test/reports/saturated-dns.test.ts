// experiments/saturated-dns.yaml end to end: the report of a run whose CoreDNS is saturated opens,
// before any comparison, with the saturation and the share of requests it failed, in numbers.

import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { healthLines } from '../../cli/health-lines.js';
import { writeReports } from '../../reports/index.js';
import { loadExperiment } from '../../runner/load.js';
import { runExperiment } from '../../runner/run.js';
import { scratchDir } from '../cli/helpers.js';

const FILE = new URL('../../experiments/saturated-dns.yaml', import.meta.url).pathname;
const scratch = scratchDir('saturated-dns');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// Shortened to seconds: a 1 s resolver timeout makes a lookup fail 2 s after it starts (two tries)
// instead of 10 s, so a 2.5 s warm-up and a 1 s window see the failures; two of the four modes,
// one replication. Every other setting (5,000 nodes, 30k Services, two replicas) is the file's.
const SHORTER = [
  { path: 'spec.replications', value: 1 },
  { path: 'spec.warmup', value: '2500ms' },
  { path: 'spec.duration', value: '1s' },
  { path: 'spec.dns', value: { resolver: { timeout: '1s' } } },
  { path: 'spec.sweep.proxy.mode', value: ['iptables', 'ebpf'] },
];

describe('experiments/saturated-dns.yaml', () => {
  it('gives a report whose first lines, before the Answer, name CoreDNS saturation and the dns_failed share with numbers', async () => {
    const out = join(scratch, 'run');
    const result = await runExperiment(loadExperiment(FILE, { set: SHORTER }), { out, workers: 1 });
    expect(result.status).toBe('complete');
    await writeReports(out);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const opening = md.slice(0, md.indexOf('## Answer'));
    expect(opening).toContain('## Health');
    expect(opening).toMatch(/CoreDNS saturated: busiest replica of 2 at 100 % CPU, [\d.]+ M queries\/s dropped at its receive queue/);
    expect(opening).toMatch(/9\d\.\d % of requests ended dns\\_failed \([\d.]+ M requests\/s cluster-wide\)/);
    const answer = md.slice(md.indexOf('## Answer'));
    expect(answer.split('\n').find((l) => l.trim() !== '' && !l.startsWith('#'))).toMatch(/^> ‼ \*\*All 2 points are unhealthy \(CoreDNS saturated; .*dns\\_failed\)/);

    const lines = healthLines(out);
    expect(lines[0]).toMatch(/^‼ CoreDNS saturated: .* \[all 2 points(; worst mode=\w+)?\]$/);
    // 99.x % or, rounded, 100 %: with the KUBE-SERVICES walk each lookup costs the replica's node (30k Services), nearly every one fails.
    expect(lines.some((l) => /^‼ (9\d\.\d|100) % of requests ended dns_failed/.test(l))).toBe(true);
  });
});
