// `job`: a batch/v1 Indexed Job whose pods each run one shard into a shared volume, checked
// field by field against the Job API.

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cli } from './helpers.js';

describe('job', () => {
  it('prints a ConfigMap with the experiment and an Indexed Job running one shard per index', async () => {
    const { code, stdout } = await cli(['job', 'experiments/quickstart.yaml', '--shards', '4', '--image', 'registry.example/k8s-netsim:1', '--pvc', 'sims', '--set', 'spec.replications=2']);
    expect(code).toBe(0);
    const docs = parseAllDocuments(stdout).map((d) => {
      expect(d.errors).toEqual([]);
      return d.toJS();
    });
    expect(docs.map((d) => `${d.apiVersion}/${d.kind}`)).toEqual(['v1/ConfigMap', 'batch/v1/Job']);
    const [configMap, job] = docs;
    // The experiment travels with its --set overrides applied.
    expect(configMap.data['quickstart.yaml']).toMatch(/replications: 2/);
    expect(configMap.data['quickstart.yaml']).toMatch(/^# Quickstart/);

    expect(job.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 4, parallelism: 4 });
    expect(Object.keys(job.spec).sort()).toEqual(['backoffLimit', 'completionMode', 'completions', 'parallelism', 'template']);
    const pod = job.spec.template.spec;
    expect(['Never', 'OnFailure']).toContain(pod.restartPolicy);
    expect(pod.containers).toHaveLength(1);
    const [container] = pod.containers;
    expect(container.image).toBe('registry.example/k8s-netsim:1');
    expect(container.command).toEqual(['k8s-netsim']);
    expect(container.args.slice(0, 4)).toEqual(['run', '/experiments/quickstart.yaml', '--shard', '$(JOB_COMPLETION_INDEX)/4']);
    expect(container.args).toContain('--resume');
    const out = container.args[container.args.indexOf('--out') + 1];
    expect(out).toBe('/results/quickstart/shard-$(JOB_COMPLETION_INDEX)');
    expect(container.env).toContainEqual({
      name: 'JOB_COMPLETION_INDEX',
      valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
    });
    for (const env of container.env) expect(Object.keys(env).sort()).toEqual(['name', 'valueFrom']);
    // Every mount names a volume of the pod, and the results volume is the claim asked for.
    const volumes = new Map(pod.volumes.map((v: { name: string }) => [v.name, v]));
    for (const mount of container.volumeMounts) {
      expect(volumes.has(mount.name)).toBe(true);
      expect(mount.mountPath).toMatch(/^\//);
    }
    expect(volumes.get('results')).toEqual({ name: 'results', persistentVolumeClaim: { claimName: 'sims' } });
    expect(volumes.get('experiment')).toEqual({ name: 'experiment', configMap: { name: configMap.metadata.name } });
    expect(container.volumeMounts.find((m: { name: string }) => m.name === 'results').mountPath).toBe('/results');
  });

  it('refuses a bad experiment file, and needs --shards', async () => {
    expect((await cli(['job', 'test/fixtures/bad/zero-nodes.yaml', '--shards', '2'])).code).toBe(2);
    expect(await cli(['job', 'experiments/quickstart.yaml'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--shards') });
  });
});
