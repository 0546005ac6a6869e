// The report's "Settings that decided these results": defaults named as such, and the mechanism a
// default switches off said in a sentence, from what the runner records in experiment.json.

import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, scratchDir } from '../cli/helpers.js';

const scratch = scratchDir('deciding');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const EXPERIMENT = `apiVersion: k8s-netsim/v1alpha1
kind: Experiment
metadata: { name: kernels }
spec:
  replications: 2
  warmup: 0s
  duration: 2s
  cluster: { nodes: 4, podsPerNode: 4, services: 20, detailedNodes: all }
  workload: [{ name: web, clients: 2, ratePerClient: 20 }]
  sweep:
    cluster.kernel: ["4.14", "6.1"]
  report:
    metrics: [conntrack_drops_total.rate, dns_lookup_duration_seconds.p99, requests_per_second.mean]
`;

describe('settings that decided the results', () => {
  it('lists defaults as defaults, and says at which points the kernel rules the DNS race out', async () => {
    const file = join(scratch, 'kernels.yaml');
    writeFileSync(file, EXPERIMENT);
    const out = join(scratch, 'out');
    const run = await cli(['run', file, '--out', out, '--workers', '1', '--quiet']);
    expect(run.code).toBe(0);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    const section = md.slice(md.indexOf('## Settings that decided these results'), md.indexOf('## Charts'));
    expect(section).toMatch(/`dns\.coredns\.replicas` \| 2 \| _default_/);
    expect(section).toMatch(/`workload\.0\.server\.serviceTime` \| 1ms \| _default_/);
    expect(section).toMatch(/A\/AAAA race cannot drop a DNS query.*cluster\.kernel 6\.1.*\(at kernel=6\.1\)/);
    expect(section).not.toMatch(/cluster\.kernel` \|/);
    // Every rate says per what: a node's counter per node, a request rate cluster-wide.
    expect(md).toContain('`conntrack_drops_total.rate` (/s, per node)');
    expect(md).toMatch(/`requests_per_second\.mean` (†|⚠ )?\(\/s, cluster-wide\)/);
    expect(md).toMatch(/`dns_lookup_duration_seconds\.p99` (†|⚠ )*\(per lookup\)/);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<section id="settings">');
  });
});
