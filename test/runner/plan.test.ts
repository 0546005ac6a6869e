// `plan`: bisection finds the same cheapest setting as trying every one, with fewer runs, and
// names the bound that decided and the cheaper setting that failed it.

import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, scratchDir } from '../cli/helpers.js';

const scratch = scratchDir('plan');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Node CPU utilisation falls as cores grow: a monotone metric to plan cores against. */
function writePlanExperiment(extra = ''): string {
  const path = join(scratch, `plan-cores${extra === '' ? '' : '-x'}.yaml`);
  writeFileSync(
    path,
    `apiVersion: k8s-netsim/v1alpha1
kind: Experiment
metadata:
  name: plan-cores
spec:
  seed: 3
  replications: 2
  warmup: 0s
  duration: 1s
  cluster: { nodes: 4, podsPerNode: 20, services: 20, endpointsPerService: 2, detailedNodes: 2 }
  workload:
    - name: web
      clients: 100%
      ratePerClient: 100
      connection: { keepAlive: { maxRequests: 100, idle: 60s } }
  sweep:
    cluster.coresPerNode: [16, 1, 2, 3, 4, 6, 8, 12]
  slo:
    node_cpu_utilization.mean: 0.1
    request_duration_seconds.p99: "<= 1s"
${extra}`,
  );
  return path;
}

describe('plan', () => {
  const file = writePlanExperiment();

  it('bisects to the cheapest setting meeting every bound, as an exhaustive search does', async () => {
    const bisect = await cli(['plan', file, '--out', join(scratch, 'bisect'), '--workers', '2', '--json']);
    expect(bisect.code).toBe(0);
    const exhaustive = await cli(['plan', file, '--out', join(scratch, 'all'), '--workers', '2', '--json', '--set', 'spec.plan={minimize: cluster.coresPerNode, search: exhaustive}']);
    expect(exhaustive.code).toBe(0);
    const b = JSON.parse(bisect.stdout).decisions[0];
    const e = JSON.parse(exhaustive.stdout).decisions[0];
    expect(b.chosen.value).toBe(e.chosen.value);
    expect(b.chosen.value).toBeGreaterThan(1);
    expect(b.search).toBe('bisect');
    expect(e.evaluated).toBe(8);
    expect(b.evaluated).toBeLessThan(e.evaluated);
    // The runner-up is the next cheaper setting, and fails the deciding bound.
    const order = [1, 2, 3, 4, 6, 8, 12, 16];
    expect(b.runnerUp.value).toBe(order[order.indexOf(b.chosen.value) - 1]);
    expect(b.decidingBound).toBe('node_cpu_utilization.mean <= 0.1');
    expect(b.runnerUp.checks.find((c: { metric: string }) => c.metric === 'node_cpu_utilization.mean').meets).toBe(false);
    expect(JSON.parse(readFileSync(join(scratch, 'bisect', 'plan.json'), 'utf8')).decisions).toHaveLength(1);
  });

  it('prints the chosen setting, the deciding bound and the runner-up, reusing earlier runs', async () => {
    const { code, stdout } = await cli(['plan', file, '--out', join(scratch, 'all'), '--workers', '2']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/cluster\.coresPerNode = \d+ {2}\(bisect, \d of 8 settings run\)/);
    // The bound and the values in the run table's units: a utilisation in per cent, "± half-width".
    expect(stdout).toMatch(/deciding bound node_cpu_utilization\.mean <= 0\.1 \(10\.0 %\): \d+\.\d+ % ± \S+ at \d+\n/);
    expect(stdout).toMatch(/runner-up \d+ fails it: \d+\.?\d* % ± \S+\n/);
    expect(stdout.split('\n').filter((line) => line.length > 120)).toEqual([]);
    expect(stdout).toMatch(/runs: 0 new/);
    // Health after the plan's lines: all healthy in one line, or one line per finding.
    expect(stdout).toMatch(/runs: 0 new.*\n(health: all \d+ points? healthy|[‼!] .*)\n/);
  });

  it('needs spec.slo, and refuses a misspelt SLO metric before running anything', async () => {
    const noSlo = await cli(['plan', 'experiments/quickstart.yaml', '--out', join(scratch, 'none')]);
    expect(noSlo.code).toBe(2);
    expect(noSlo.stderr).toMatch(/plan needs spec\.slo/);
    const typo = await cli(['plan', file, '--out', join(scratch, 'typo'), '--workers', '2', '--set', 'spec.slo={node_cpu_utilisation.mean: 0.1}']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/no metric 'node_cpu_utilisation\.mean' \(did you mean 'node_cpu_utilization\.mean'\?\)/);
    expect(existsSync(join(scratch, 'typo'))).toBe(false);
  });
});
