// Metric names in experiment files are checked against the catalogue of what the models emit:
// a misspelt name is bad input with the nearest valid key, never a silent "n/a" column.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allMetricKeys } from '../../models/metric-catalogue.js';
import { loadExperiment } from '../../runner/load.js';
import { metricKeyProblem } from '../../runner/metric-key.js';
import { InputError } from '../../runner/source.js';
import { cli } from '../cli/helpers.js';

const EXPERIMENTS = new URL('../../experiments/', import.meta.url).pathname;
const QUICKSTART = join(EXPERIMENTS, 'quickstart.yaml');

function loadError(set: { path: string; value: unknown }[]): string {
  try {
    loadExperiment(QUICKSTART, { set });
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error('expected the experiment to be refused');
}

describe('metric keys', () => {
  it('accepts every key the catalogue lists, labelled ones included', () => {
    expect(allMetricKeys().filter((key) => metricKeyProblem(key) !== undefined)).toEqual([]);
    expect(metricKeyProblem('request_outcomes_total{outcome=dns_failed}.rate')).toBeUndefined();
  });

  it('answers a misspelt name with the nearest valid key', () => {
    expect(metricKeyProblem('connect_duration_second.p50')).toMatch(/no metric 'connect_duration_second\.p50' \(did you mean 'connect_duration_seconds\.p50'\?\)/);
    expect(metricKeyProblem('request_outcomes_total{outcome=dns_fail}.rate')).toMatch(/did you mean 'request_outcomes_total\{outcome=dns_failed\}\.rate'/);
  });

  it('lists the stats a known name has when the stat is wrong or missing', () => {
    expect(metricKeyProblem('request_duration_seconds.p42')).toMatch(/has no stat 'p42'.*its stats are p50, p90, p99, p999, mean, max$/);
    expect(metricKeyProblem('conntrack_drops_total.p99')).toMatch(/its stats are total, rate$/);
    expect(metricKeyProblem('node_cpu_utilization')).toMatch(/node_cpu_utilization needs a stat; its stats are mean, max$/);
  });

  it('checks names given through --set, pointing at the override', () => {
    expect(loadError([{ path: 'spec.report.metrics', value: ['connect_duration_second.p50'] }])).toMatch(
      /quickstart\.yaml: spec\.report\.metrics\[0\]: no metric .*did you mean 'connect_duration_seconds\.p50'.*\(from --set spec\.report\.metrics\)/,
    );
    expect(loadError([{ path: 'spec.slo.request_duration_seconds.p42', value: '5ms' }])).toMatch(/has no stat 'p42'.*its stats are p50, p90, p99, p999, mean, max/);
  });

  it('reports a misspelt metric together with the other wrong fields, not after they are fixed', () => {
    const message = loadError([
      { path: 'spec.replications', value: 0 },
      { path: 'spec.report.metrics', value: ['connect_duration_second.p50'] },
    ]);
    expect(message).toMatch(/spec\.replications: must be ≥ 1/);
    expect(message).toMatch(/spec\.report\.metrics\[0\]: no metric 'connect_duration_second\.p50'/);
  });

  it('keeps every experiment in experiments/ and experiments/validation/ loading', () => {
    const files = [EXPERIMENTS, join(EXPERIMENTS, 'validation')].flatMap((dir) =>
      readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .map((f) => join(dir, f)),
    );
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) expect(() => loadExperiment(file, { force: true }), file).not.toThrow();
  });
});

describe('metric keys on the command line', () => {
  it("reads --set PATH=VALUE up to the first '=' outside a key's labels", async () => {
    const wrong = await cli(['validate', QUICKSTART, '--set', 'spec.slo.request_outcomes_total{outcome=ok}.p99=5']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/request_outcomes_total\{outcome=ok\} has no stat 'p99'; its stats are total, rate/);
    expect((await cli(['validate', QUICKSTART, '--set', 'spec.slo.request_outcomes_total{outcome=dns_failed}.rate=5'])).code).toBe(0);
  });
});
