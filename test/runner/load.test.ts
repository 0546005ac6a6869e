import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { experimentJsonSchema, NETWORK_KEYS } from '../../runner/experiment.js';
import { allJobs, parseShard, shardJobs } from '../../runner/expand.js';
import { loadExperiment } from '../../runner/load.js';
import { InputError } from '../../runner/source.js';
import { nearest } from '../../runner/suggest.js';
import { cli, scratchDir } from '../cli/helpers.js';
import { writeTinyExperiment } from './helpers.js';

const scratch = scratchDir('load');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('report.baseline', () => {
  const file = (name: string, report: string) => {
    const path = join(scratch, `${name}.yaml`);
    writeFileSync(path, `apiVersion: k8s-netsim/v1alpha1\nkind: Experiment\nmetadata: { name: ${name} }\nspec:\n  sweep:\n    proxy.mode: [iptables, ipvs, nftables]\n  report:\n${report}`);
    return path;
  };

  it('accepts a swept value of the series, and a baseline of the only swept path without a series', () => {
    expect(loadExperiment(file('base-ok', '    series: proxy.mode\n    baseline: ipvs\n')).spec.report?.baseline).toBe('ipvs');
    expect(loadExperiment(file('base-only', '    baseline: nftables\n')).spec.report?.baseline).toBe('nftables');
  });

  it('refuses a value not in the sweep with file:line:column, the nearest value and the allowed ones, exit 2', async () => {
    const path = file('base-bad', '    series: proxy.mode\n    baseline: ipvx\n');
    expect(() => loadExperiment(path)).toThrow(InputError);
    try {
      loadExperiment(path);
    } catch (error) {
      const [problem] = (error as InputError).problems;
      expect([problem.line, problem.column]).toEqual([9, 15]);
      expect(problem.message).toBe(`spec.report.baseline: "ipvx" is not a swept value of proxy.mode (did you mean 'ipvs'?); the values are iptables, ipvs, nftables`);
    }
    const run = await cli(['run', path, '--out', join(scratch, 'base-bad-out')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path}:9:15`);
  });
});

describe('loading an experiment', () => {
  it('expands the sweep as a cartesian product, the first path varying slowest', () => {
    const loaded = loadExperiment(writeTinyExperiment(scratch, 'grid', '    cluster.services: [20, 40]\n'));
    expect(loaded.points.map((p) => p.settings)).toEqual([
      { 'proxy.mode': 'iptables', 'cluster.services': 20 },
      { 'proxy.mode': 'iptables', 'cluster.services': 40 },
      { 'proxy.mode': 'ipvs', 'cluster.services': 20 },
      { 'proxy.mode': 'ipvs', 'cluster.services': 40 },
      { 'proxy.mode': 'nftables', 'cluster.services': 20 },
      { 'proxy.mode': 'nftables', 'cluster.services': 40 },
    ]);
    expect(loaded.points[1].input).toMatchObject({ proxy: { mode: 'iptables' }, cluster: { services: 40, nodes: 6 } });
  });

  it('identifies a point by its settings, not by how the file is written', () => {
    const a = join(scratch, 'a.yaml');
    const b = join(scratch, 'b.yaml');
    writeFileSync(a, 'apiVersion: k8s-netsim/v1alpha1\nkind: Experiment\nmetadata: { name: a }\nspec:\n  duration: 10s\n  cluster: { nodes: 20, services: 50 }\n');
    writeFileSync(b, 'kind: Experiment\napiVersion: k8s-netsim/v1alpha1\nmetadata: { name: b }\nspec:\n  cluster: { services: 50, nodes: 20 }\n  duration: 10000ms\n  proxy: { mode: iptables }\n');
    const [pa, pb] = [loadExperiment(a).points[0], loadExperiment(b).points[0]];
    expect(pa.id).toMatch(/^[0-9a-f]{12}$/);
    expect(pb.id).toBe(pa.id);
    expect(loadExperiment(a, { set: [{ path: 'spec.duration', value: '11s' }] }).points[0].id).not.toBe(pa.id);
  });

  it('keeps the spec hash across replication counts but not across seeds', () => {
    const file = writeTinyExperiment(scratch, 'hash');
    const base = loadExperiment(file).specHash;
    expect(loadExperiment(file, { set: [{ path: 'spec.replications', value: 9 }] }).specHash).toBe(base);
    expect(loadExperiment(file, { set: [{ path: 'spec.seed', value: 8 }] }).specHash).not.toBe(base);
  });

  it('refuses two sweep values that give the same point', () => {
    const file = writeTinyExperiment(scratch, 'twins', '    duration: [1s, 1000ms]\n');
    expect(() => loadExperiment(file)).toThrow(/same settings as/);
  });

  it('deals jobs to shards round-robin, every job to exactly one shard', () => {
    const loaded = loadExperiment(writeTinyExperiment(scratch, 'shards'));
    const jobs = allJobs(loaded.points, 2);
    const dealt = [0, 1, 2, 3].flatMap((index) => shardJobs(jobs, { index, count: 4 }));
    expect(dealt).toHaveLength(jobs.length);
    expect(new Set(dealt)).toEqual(new Set(jobs));
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
    for (const bad of ['4/4', '1/0', 'a/b', '-1/3']) expect(parseShard(bad)).toBeUndefined();
  });

  it('places a problem from --set at the override, and finds positions inside flow mappings', () => {
    const file = writeTinyExperiment(scratch, 'flow');
    try {
      loadExperiment(file, { set: [{ path: 'spec.cluster.services', value: 0 }] });
      expect.unreachable();
    } catch (error) {
      expect((error as InputError).problems[0].message).toMatch(/\(from --set spec\.cluster\.services\)$/);
    }
    try {
      loadExperiment(file, { set: [{ path: 'spec.seed', value: -1 }] });
    } catch (error) {
      expect((error as InputError).problems[0].message).toMatch(/spec\.seed: must be ≥ 0/);
    }
  });

  it('suggests the nearest name only when it is near', () => {
    expect(nearest('servces', ['nodes', 'services'])).toBe('services');
    expect(nearest('replicatons', ['seed', 'replications'])).toBe('replications');
    expect(nearest('zzzzzz', ['nodes', 'services'])).toBeUndefined();
  });
});

describe('the JSON Schema', () => {
  it('describes the whole file from the same zod definition, strict, with the network settings under spec', () => {
    const schema = experimentJsonSchema() as any;
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.required).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata']));
    expect(schema.additionalProperties).toBe(false);
    const spec = schema.properties.spec;
    for (const key of [...NETWORK_KEYS, 'seed', 'replications', 'sweep', 'report', 'slo', 'plan']) expect(spec.properties).toHaveProperty(key);
    expect(spec.additionalProperties).toBe(false);
    expect(spec.properties.proxy.properties.mode.enum).toEqual(['iptables', 'ipvs', 'nftables', 'ebpf']);
    expect(spec.properties.sweep.additionalProperties.type).toBe('array');
  });
});
