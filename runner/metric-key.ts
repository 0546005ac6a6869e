// Metric keys as experiment files write them (`request_outcomes_total{outcome=ok}.rate`), checked
// against the metrics the models emit: a misspelt name is bad input, not an empty column.

import { z } from 'zod';
import { allMetricKeys, METRICS, metricInfo, splitKey, STATS_BY_KIND } from '../models/metric-catalogue.js';
import { FIELD_CHECK } from './issues.js';
import { didYouMean } from './suggest.js';

const BY_NAME = new Map(METRICS.map((info) => [info.name, info]));

/**
 * Why `key` names no metric the models emit, or undefined when it names one. A known name with a
 * stat it does not have lists the stats it has; anything else gets the nearest valid key.
 */
export function metricKeyProblem(key: string): string | undefined {
  if (metricInfo(key) !== undefined) return undefined;
  const { name, stat } = splitKey(key);
  const info = BY_NAME.get(name);
  if (info !== undefined) {
    const stats = STATS_BY_KIND[info.kind];
    const what = stat === '' ? 'needs a stat' : `has no stat '${stat}'${didYouMean(stat, stats)}`;
    return `${name} ${what}; its stats are ${stats.join(', ')}`;
  }
  return `no metric '${key}'${didYouMean(key, allMetricKeys())}; a metric key is <name>.<stat>, e.g. request_duration_seconds.p99`;
}

export const metricKey = z
  .string()
  .check((ctx) => {
    const problem = metricKeyProblem(ctx.value);
    if (problem !== undefined) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value, params: { [FIELD_CHECK]: true } });
  })
  // The JSON Schema lists the keys so that editors complete them.
  .meta({ description: 'a metric the models emit: <name>.<stat>', enum: allMetricKeys() });
