import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeTinyExperiment } from '../runner/helpers.js';
import { cli, scratchDir } from './helpers.js';

const scratch = scratchDir('run');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const file = writeTinyExperiment(scratch, 'tiny');

describe('run', () => {
  it('writes the results directory and says where the summaries are', async () => {
    const out = join(scratch, 'out');
    const { code, stdout, stderr } = await cli(['run', file, '--out', out, '--workers', '2', '--replications', '1']);
    expect(code).toBe(0);
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['constants.json', 'experiment.json', 'points.jsonl', 'summary.csv', 'summary.json', 'timing.jsonl']));
    expect(stderr).toContain(`results: ${join(out, 'summary.json')} and ${join(out, 'summary.csv')}`);
    // Health right after the run's "done:" line: all healthy in one line, or one line per finding.
    expect(stderr).toMatch(/^done: .*\n(health: all \d+ points healthy|[‼!] .*)\n/m);
    // The answer at a glance: a caption, two header lines, one row per point.
    expect(stdout.trim().split('\n')).toHaveLength(6);
    // Wall-clock figures only in timing.jsonl.
    expect(readFileSync(join(out, 'points.jsonl'), 'utf8')).not.toMatch(/wallSeconds|eventsPerSecond/);
    expect(readFileSync(join(out, 'timing.jsonl'), 'utf8')).toMatch(/eventsPerSecond/);
  });

  it('prints only JSON on standard output with --json', async () => {
    const { code, stdout } = await cli(['run', file, '--out', join(scratch, 'json'), '--workers', '1', '--replications', '1', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'complete', jobs: 3, ran: 3, files: { summary: join(scratch, 'json', 'summary.json') } });
  });

  it('never overwrites a different experiment or foreign files without --force', async () => {
    const other = join(scratch, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'experiment.json'), JSON.stringify({ experiment: 'someone-else', specHash: 'abc' }));
    writeFileSync(join(other, 'points.jsonl'), 'precious\n');
    const refused = await cli(['run', file, '--out', other, '--workers', '1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/holds results of experiment 'someone-else'; choose another --out, or pass --force/);
    expect(readFileSync(join(other, 'points.jsonl'), 'utf8')).toBe('precious\n');

    const foreign = join(scratch, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    expect((await cli(['run', file, '--out', foreign, '--workers', '1'])).stderr).toMatch(/files that are not k8s-netsim results/);

    const changed = await cli(['run', file, '--out', join(scratch, 'out'), '--workers', '1', '--seed', '99']);
    expect(changed.code).toBe(2);
    expect(changed.stderr).toMatch(/a different version of experiment 'tiny'/);

    const forced = await cli(['run', file, '--out', other, '--workers', '2', '--replications', '1', '--force', '--quiet']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(other, 'points.jsonl'), 'utf8')).not.toMatch(/precious/);
  });

  it('never resumes runs that other model code made: refuses with the fingerprints, and --force replaces them', async () => {
    const out = join(scratch, 'other-models');
    const first = await cli(['run', file, '--out', out, '--workers', '1', '--replications', '1', '--quiet']);
    expect(first.code, first.stderr).toBe(0);
    const manifestPath = join(out, 'experiment.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    expect(manifest.models).toMatch(/^[0-9a-f]{64}$/);
    // The same experiment, as a build with other engine or model code would have written it.
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, models: 'f'.repeat(64) }));
    const points = readFileSync(join(out, 'points.jsonl'), 'utf8');
    const refused = await cli(['run', file, '--out', out, '--workers', '1', '--replications', '1', '--resume']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/made by other model code \(models ffffffffffff, now [0-9a-f]{12}\); resuming would mix their results: pass --force/);
    expect(readFileSync(join(out, 'points.jsonl'), 'utf8')).toBe(points);
    const forced = await cli(['run', file, '--out', out, '--workers', '1', '--replications', '1', '--resume', '--force', '--quiet']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(manifestPath, 'utf8')).models).toBe(manifest.models);
    expect(readFileSync(join(out, 'points.jsonl'), 'utf8')).toBe(points);
  });

  it('exits 1 when a simulation fails, naming the point and the error', async () => {
    const out = join(scratch, 'failing');
    const { code, stderr } = await cli(['run', file, '--out', out, '--workers', '1', '--replications', '1', '--set', 'spec.conntrack={maxPerCore: 0}']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/run failed: point [0-9a-f]{12} \(proxy\.mode="iptables"\), replication 0, failed:\n.*conntrack\.maxPerCore 0 makes kube-proxy leave the kernel limit alone/);
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')).points).toEqual([]);
  });

  it('validate prints the points and the work without running anything', async () => {
    const { code, stdout } = await cli(['validate', file]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/valid/);
    expect(stdout).toMatch(/3 points × 2 replications = 6 simulations/);
    expect(stdout).toMatch(/proxy\.mode \(3 values\)/);
    expect(existsSync(join('results', 'tiny'))).toBe(false);
  });

  it('merge refuses directories of different experiments', async () => {
    const a = join(scratch, 'merge-a');
    const b = join(scratch, 'merge-b');
    for (const [dir, name] of [[a, 'one'], [b, 'two']]) {
      mkdirSync(dir);
      writeFileSync(join(dir, 'experiment.json'), JSON.stringify({ experiment: name, specHash: name, replications: 1, points: [] }));
    }
    const { code, stderr } = await cli(['merge', a, b, '--out', join(scratch, 'merged')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/holds experiment 'two'/);
    expect(existsSync(join(scratch, 'merged'))).toBe(false);
  });

  it('schema prints the JSON Schema', async () => {
    const { code, stdout } = await cli(['schema']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).properties.kind).toMatchObject({ const: 'Experiment' });
  });
});
