// `job`: a Kubernetes Indexed Job that runs an experiment as N shards, one pod per shard index,
// each writing its own directory on a shared volume; `k8s-netsim merge` then joins them. The
// experiment file travels in a ConfigMap printed before the Job.

import { basename } from 'node:path';
import { stringify } from 'yaml';

export interface JobOptions {
  /** The experiment file's path and text. */
  file: string;
  text: string;
  name: string;
  shards: number;
  image: string;
  /** PersistentVolumeClaim holding /results (ReadWriteMany when pods land on several nodes). */
  pvc: string;
  version: string;
}

const RESULTS = '/results';
const EXPERIMENTS = '/experiments';

/** The ConfigMap and the Job, as one multi-document YAML stream. */
export function indexedJobManifests(options: JobOptions): string {
  const resource = `k8s-netsim-${options.name}`.slice(0, 52).replace(/-+$/, '');
  const fileName = basename(options.file);
  const out = `${RESULTS}/${options.name}/shard-$(JOB_COMPLETION_INDEX)`;
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: resource, labels: { 'app.kubernetes.io/name': 'k8s-netsim' } },
    data: { [fileName]: options.text },
  };
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: resource, labels: { 'app.kubernetes.io/name': 'k8s-netsim', 'k8s-netsim/experiment': options.name } },
    spec: {
      completionMode: 'Indexed',
      completions: options.shards,
      parallelism: options.shards,
      backoffLimit: options.shards * 2,
      template: {
        metadata: { labels: { 'app.kubernetes.io/name': 'k8s-netsim', 'k8s-netsim/experiment': options.name } },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'k8s-netsim',
              image: options.image,
              command: ['k8s-netsim'],
              // --resume: a pod retried after eviction continues its shard instead of starting over.
              args: ['run', `${EXPERIMENTS}/${fileName}`, '--shard', `$(JOB_COMPLETION_INDEX)/${options.shards}`, '--out', out, '--workers', '1', '--resume', '--quiet'],
              env: [
                {
                  // Set by the Job controller in Indexed mode; declared so that $(…) expands in args.
                  name: 'JOB_COMPLETION_INDEX',
                  valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
                },
              ],
              resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '2Gi' } },
              volumeMounts: [
                { name: 'results', mountPath: RESULTS },
                { name: 'experiment', mountPath: EXPERIMENTS, readOnly: true },
              ],
            },
          ],
          volumes: [
            { name: 'results', persistentVolumeClaim: { claimName: options.pvc } },
            { name: 'experiment', configMap: { name: resource } },
          ],
        },
      },
    },
  };
  const header = [
    `# k8s-netsim ${options.version}: ${options.name} as ${options.shards} shards (kubectl apply -f -).`,
    `# The image must have k8s-netsim on its PATH (e.g. a Node 20 image with this repository, npm ci, npm link).`,
    `# When the Job completes, merge the shards from a pod that mounts the volume:`,
    `#   k8s-netsim merge ${RESULTS}/${options.name}/shard-* --out ${RESULTS}/${options.name}/merged`,
  ].join('\n');
  return `${header}\n---\n${stringify(configMap, { lineWidth: 0 })}---\n${stringify(job, { lineWidth: 0 })}`;
}
