// Metric keys as experiment files write them: `<name>.<stat>`, the name optionally with
// Prometheus-style labels (`request_outcomes_total{outcome=ok}.rate`).

import { z } from 'zod';

const METRIC_STATS = ['p50', 'p90', 'p99', 'p999', 'mean', 'max', 'total', 'rate'] as const;
/** `<name>.<stat>`, the name optionally with Prometheus-style labels: `request_outcomes_total{outcome=ok}.rate`. */
const METRIC_KEY = new RegExp(`^[a-zA-Z_:][a-zA-Z0-9_:]*(\\{[^{}]*\\})?\\.(${METRIC_STATS.join('|')})$`);

export const metricKey = z
  .string()
  .regex(METRIC_KEY, `a metric key is <name>.<stat> with stat one of ${METRIC_STATS.join(', ')}, e.g. request_duration_seconds.p99`);

