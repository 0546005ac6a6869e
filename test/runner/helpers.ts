// A tiny experiment for the runner's tests: a few cheap points, so that runs take seconds.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeTinyExperiment(dir: string, name = 'tiny', extra = ''): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `apiVersion: k8s-netsim/v1alpha1
kind: Experiment
metadata:
  name: ${name}
spec:
  seed: 7
  replications: 2
  warmup: 0s
  duration: 1s
  cluster: { nodes: 6, podsPerNode: 4, services: 20, endpointsPerService: 2, detailedNodes: 2 }
  churn: { endpointChangesPerSecond: 2 }
  workload:
    - name: web
      clients: 50%
      ratePerClient: 20
  sweep:
    proxy.mode: [iptables, ipvs, nftables]
${extra}`,
  );
  return path;
}

export function sortedLines(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').sort();
}
