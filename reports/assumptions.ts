// Which results rest on a profile constant that no published figure backs. A family links a
// pattern over constant paths (as constants.json writes them: "<profile>.<path>") to the metrics
// that constant moves. A constant with `assumption: true` that matches a family marks those
// metrics: with a warning beside every value where the family is critical (the DNS race rate:
// no one has published how often the conntrack race drops a parallel A/AAAA pair), and with a
// note on the metric's header where the constant's source says it is an assumption.

import type { ConstantRecord } from './input-shapes.js';
import { splitMetricKey } from './metric-keys.js';

interface AssumptionFamily {
  constant: RegExp;
  metrics: RegExp[];
  /** Warn beside every value, whatever the constant's source says. */
  critical: boolean;
  /** Only where the results also hold a metric matching this (DNS lookups inside requests). */
  onlyWith?: RegExp;
}

const DNS_METRICS = [/^dns_/, /^coredns_/, /^nodelocal_/, /^upstream_/, /^conntrack_insert_failed_total/];
const REQUEST_METRICS = [/^request_/, /^connect_duration_seconds/, /^requests_per_second/];

const ASSUMPTION_FAMILIES: AssumptionFamily[] = [
  { constant: /race/i, metrics: DNS_METRICS, critical: true },
  // Requests resolve a name first where the run models DNS, so their latency carries its timeouts.
  { constant: /race/i, metrics: [/^request_duration_seconds/, /^request_outcomes_total/, /^requests_per_second/], critical: true, onlyWith: /^dns_lookup_duration_seconds/ },
  { constant: /^dns\./, metrics: DNS_METRICS, critical: false },
  { constant: /^proxy\.syncLoop\./, metrics: [/^kubeproxy_network_programming_duration_seconds/], critical: false },
  { constant: /^proxy\.[^.]+\.sync\./, metrics: [/^kubeproxy_/, /^proxy_cpu_cores/], critical: false },
  { constant: /^proxy\.[^.]+\.(dispatch|establishedPacket)/, metrics: [...REQUEST_METRICS, /^proxy_cpu_cores/], critical: false },
  { constant: /^conntrack\./, metrics: [/conntrack/, /^cilium_bpf_ct_/], critical: false },
  { constant: /^(cni|mesh|kernel)\./, metrics: [...REQUEST_METRICS, /^datapath_cpu_cores/], critical: false },
];

export interface AssumptionMark {
  metric: string;
  constants: ConstantRecord[];
  critical: boolean;
  /** The constants of critical families only (the DNS race), for the warning beside values. */
  criticalConstants: ConstantRecord[];
}

const unpublished = (c: ConstantRecord) => /^\s*assum/i.test(c.source);

/** For each metric key resting on an assumption, the constants and whether to warn beside values. */
export function assumptionMarks(constants: ConstantRecord[] | null, metricKeys: string[]): Map<string, AssumptionMark> {
  const marks = new Map<string, AssumptionMark>();
  for (const family of ASSUMPTION_FAMILIES) {
    if (family.onlyWith !== undefined && !metricKeys.some((key) => family.onlyWith?.test(key))) continue;
    const used = (constants ?? []).filter((c) => c.assumption && family.constant.test(c.path) && (family.critical || unpublished(c)));
    if (used.length === 0) continue;
    for (const metric of metricKeys) {
      if (!family.metrics.some((pattern) => pattern.test(metric))) continue;
      const mark = marks.get(metric) ?? { metric, constants: [], critical: false, criticalConstants: [] };
      for (const c of used) {
        if (!mark.constants.includes(c)) mark.constants.push(c);
        if (family.critical && !mark.criticalConstants.includes(c)) mark.criticalConstants.push(c);
      }
      mark.critical ||= family.critical;
      marks.set(metric, mark);
    }
  }
  return marks;
}

/** constants.json may hold the same path more than once (one per point); keep one per path and value. */
export function uniqueConstants(constants: ConstantRecord[]): ConstantRecord[] {
  const seen = new Map<string, ConstantRecord>();
  for (const c of constants) {
    const key = `${c.path}\u0000${JSON.stringify(c.value)}`;
    if (!seen.has(key)) seen.set(key, c);
  }
  return [...seen.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * Metric names folded for a sentence: stats and labels dropped, and three or more names sharing
 * their first word written once as a family ("dns_*").
 */
export function foldMetricNames(keys: string[]): string[] {
  const names = [...new Set(keys.map((key) => splitMetricKey(key).name.replace(/\{.*\}$/, '')))];
  const prefix = (name: string) => name.slice(0, name.indexOf('_') + 1) || name;
  const counts = new Map<string, number>();
  for (const name of names) counts.set(prefix(name), (counts.get(prefix(name)) ?? 0) + 1);
  return [...new Set(names.map((name) => ((counts.get(prefix(name)) ?? 0) >= 3 ? `${prefix(name)}*` : name)))];
}

/** The critical marks folded for a sentence: the critical constants, and the metric names. */
export function criticalSummary(marks: Map<string, AssumptionMark>): { constants: ConstantRecord[]; names: string[] } | null {
  const critical = [...marks.values()].filter((m) => m.critical);
  if (critical.length === 0) return null;
  return {
    constants: uniqueConstants(critical.flatMap((m) => m.criticalConstants)),
    names: foldMetricNames(critical.map((m) => m.metric)),
  };
}
