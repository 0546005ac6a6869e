import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, scratchDir } from './helpers.js';

const BAD = new URL('../fixtures/bad/', import.meta.url).pathname;
const files = readdirSync(BAD).filter((f) => f.endsWith('.yaml')).sort();
const scratch = scratchDir('bad');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What each fixture's one message must say, and where it must point. */
const expected: Record<string, { at: string; says: RegExp }> = {
  'alias-bomb.yaml': { at: '7:10', says: /aliases expand too far/ },
  'bad-clients-share.yaml': { at: '8:16', says: /'150%' is not a share/ },
  'bad-connection.yaml': { at: '8:19', says: /expected "new" or a mapping, got "reuse"/ },
  'bad-duration-unit.yaml': { at: '6:13', says: /'10 parsecs' is not a duration: .*units ns, us, µs, ms, s, m, h/ },
  'bad-name.yaml': { at: '4:9', says: /metadata\.name: a DNS label/ },
  'bad-proxy-mode.yaml': { at: '7:11', says: /"ipvsx" is not allowed \(did you mean 'ipvs'\?\); allowed values: "iptables", "ipvs", "nftables", "ebpf"/ },
  'detailed-exceeds-nodes.yaml': { at: '8:20', says: /detailedNodes \(16\) exceeds nodes \(10\)/ },
  'missing-name.yaml': { at: '4:3', says: /metadata\.name: required/ },
  'missing-service-target.yaml': { at: '10:15', says: /no Service svc-999: the cluster has svc-0 … svc-99/ },
  'negative-rate.yaml': { at: '8:22', says: /ratePerClient: must be > 0, got -5/ },
  'negative-services.yaml': { at: '7:15', says: /services: must be ≥ 1, got -100/ },
  'nftables-old-kernel.yaml': { at: '9:11', says: /nftables mode needs kernel 5\.13 or later; cluster\.kernel is 4\.19/ },
  'profile-unknown-constant.yaml': { at: '7:5', says: /spec\.profiles\.proxy: profile proxy has no constant 'iptables\.perRul'; it has: dispatch, establishedPacket, arrival, sync/ },
  'report-x-not-swept.yaml': { at: '9:8', says: /'cluster\.services' is not swept; the swept paths are proxy\.mode/ },
  'slo-bad-bound.yaml': { at: '7:35', says: /'fast' is not a bound/ },
  'report-metric-misspelt.yaml': { at: '7:15', says: /no metric 'connect_duration_second\.p50' \(did you mean 'connect_duration_seconds\.p50'\?\)/ },
  'slo-bad-metric-key.yaml': { at: '7:5', says: /request_duration_seconds has no stat 'p98'.*its stats are p50, p90, p99, p999, mean, max$/ },
  'slo-metric-wrong-stat.yaml': { at: '6:9', says: /spec\.slo\["request_duration_seconds\.p42"\]: request_duration_seconds has no stat 'p42'.*its stats are p50, p90, p99, p999, mean, max$/ },
  'sweep-empty.yaml': { at: '7:20', says: /needs at least 1 entry/ },
  'sweep-nftables-old-kernel.yaml': { at: '9:28', says: /spec\.sweep\["proxy\.mode"\]\[1\] = "nftables": .*needs kernel 5\.13/ },
  'sweep-profile-wrong-type.yaml': { at: '7:5', says: /profile conntrack: netfilter\.bytesPerEntry: 'fat' is not a size/ },
  'sweep-too-many-points.yaml': { at: '6:3', says: /10,100 points, more than 10,000: .*--force/ },
  'sweep-unknown-path.yaml': { at: '7:5', says: /unknown path 'proxy\.mod'.*did you mean 'proxy\.mode'/ },
  'sweep-wrong-type.yaml': { at: '7:30', says: /spec\.sweep\["cluster\.services"\]\[1\] = "lots": spec\.cluster\.services: expected a number/ },
  'unknown-key-cluster.yaml': { at: '8:5', says: /spec\.cluster\.servces: unknown key \(did you mean 'services'\?\)/ },
  'unknown-key-proxy.yaml': { at: '7:5', says: /unknown key \(did you mean 'minSyncPeriod'\?\)/ },
  'unknown-key-spec.yaml': { at: '6:3', says: /spec\.replicatons: unknown key \(did you mean 'replications'\?\)/ },
  'wrong-api-version.yaml': { at: '1:13', says: /allowed values: "k8s-netsim\/v1alpha1"/ },
  'wrong-kind.yaml': { at: '2:7', says: /did you mean 'Experiment'/ },
  'wrong-type-nodes.yaml': { at: '7:12', says: /expected a number, got "ten"/ },
  'wrong-type-replications.yaml': { at: '6:17', says: /expected a number, got a list/ },
  'yaml-bad-indent.yaml': { at: '8:1', says: /YAML syntax error/ },
  'yaml-duplicate-key.yaml': { at: '7:3', says: /YAML syntax error: Map keys must be unique/ },
  'yaml-unclosed-flow.yaml': { at: '7:3', says: /YAML syntax error/ },
  'yaml-unterminated-string.yaml': { at: '8:1', says: /YAML syntax error: Missing closing "quote/ },
  'zero-duration.yaml': { at: '6:13', says: /spec\.duration: must be > 0, got 0/ },
  'zero-nodes.yaml': { at: '7:12', says: /spec\.cluster\.nodes: must be ≥ 1, got 0/ },
  'zero-rate.yaml': { at: '8:22', says: /must be > 0, got 0/ },
  'zero-replications.yaml': { at: '6:17', says: /spec\.replications: must be ≥ 1, got 0/ },
};

describe('bad experiment files', () => {
  it('has a corpus of at least 25 files, each with an expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(25);
    expect(files.filter((f) => expected[f] === undefined)).toEqual([]);
  });

  it.each(files)('%s: one message with file:line:column, exit 2, nothing written', async (file) => {
    const out = join(scratch, file.replace('.yaml', ''));
    const path = join(BAD, file);
    const { code, stdout, stderr } = await cli(['run', path, '--out', out, '--workers', '1']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0].startsWith(`${path}:${expected[file].at}: `)).toBe(true);
    expect(lines[0]).toMatch(expected[file].says);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses a 50 MB file at once, before reading it', async () => {
    const path = join(scratch, 'huge.yaml');
    writeFileSync(path, `apiVersion: k8s-netsim/v1alpha1\nkind: Experiment\nmetadata:\n  name: huge\n  description: "${'x'.repeat(50_000_000)}"\n`);
    const out = join(scratch, 'huge-out');
    const start = performance.now();
    const { code, stderr } = await cli(['run', path, '--out', out]);
    expect(performance.now() - start).toBeLessThan(1000);
    expect(code).toBe(2);
    expect(stderr.trim()).toBe(`${path}:1:1: the file is 50.0 MB; experiment files are limited to 1 MiB`);
    expect(existsSync(out)).toBe(false);
  });

  it('runs a sweep of more than 10,000 points only with --force (validate shows it)', async () => {
    const path = join(BAD, 'sweep-too-many-points.yaml');
    expect((await cli(['validate', path])).code).toBe(2);
    const forced = await cli(['validate', path, '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).work.points).toBe(10_100);
  });

  it('reports errors as JSON on standard output with --json', async () => {
    const { code, stdout } = await cli(['validate', join(BAD, 'unknown-key-cluster.yaml'), '--json']);
    expect(code).toBe(2);
    const parsed = JSON.parse(stdout);
    expect(parsed.ok).toBe(false);
    expect(parsed.errors[0]).toMatchObject({ line: 8, column: 5 });
  });

  it('answers usage mistakes with exit 2 and the nearest option or command', async () => {
    expect(await cli(['valdate', 'x.yaml'])).toMatchObject({ code: 2, stderr: expect.stringContaining("did you mean 'validate'") });
    expect(await cli(['run', 'experiments/quickstart.yaml', '--worker', '2'])).toMatchObject({ code: 2, stderr: expect.stringContaining("did you mean '--workers'") });
    expect(await cli(['run', 'experiments/quickstart.yaml', '--shard', '3/3'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--shard takes I/N') });
    expect(await cli(['run', join(scratch, 'missing.yaml')])).toMatchObject({ code: 2, stderr: expect.stringContaining('cannot read the file: no such file') });
  });
});
