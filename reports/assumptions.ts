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

/**
 * A constant flagged `assumption` either rests on a published figure by a stated reading or
 * calculation ("derived from …", a kernel default, a vendor's bound: calibrated, not marked) or
 * has no published figure at all (marked): profiles start the second kind's source with
 * "assumption" or "no published".
 */
export const unpublished = (c: ConstantRecord) => c.assumption && /^\s*(assum|no published)/i.test(c.source);

/** What a point used, from experiment.json's context (runner/context.ts): which constants can move its values. */
export interface PointUse {
  proxyMode?: string;
  cni?: string;
  mesh?: string;
  zones?: number;
  usesDns: boolean;
  nodeLocal: boolean;
  /** 0 where the A/AAAA race cannot happen at this point (kernel, NodeLocal, eBPF, resolver). */
  dnsRaceProbability: number;
}

/**
 * Whether a constant can move a point's values: the profile of another proxy mode, CNI or mesh
 * cannot; DNS constants only where lookups run; the race rate only where the race can happen.
 */
function constantInUse(c: ConstantRecord, use: PointUse): boolean {
  const [profile, group] = c.path.split('.');
  if (profile === 'proxy' && ['iptables', 'ipvs', 'nftables', 'ebpf'].includes(group)) return group === use.proxyMode;
  if (profile === 'proxy' && group === 'testbeds') return use.cni === `${c.path.split('.')[2]}-testbed`;
  if (profile === 'conntrack' && group === 'cilium') return use.proxyMode === 'ebpf';
  if (profile === 'cni' && group !== 'common') return group === use.cni;
  // netperf's own per-transaction handling belongs to the calibration's test bed, not to simulations.
  if (c.path === 'cni.common.netperfTransactionOverhead') return false;
  if (c.path.startsWith('cni.common.zoneOneWay')) return (use.zones ?? 1) > 1;
  if (profile === 'mesh') return group === use.mesh;
  if (profile === 'dns') {
    if (!use.usesDns) return false;
    if (group === 'race') return use.dnsRaceProbability > 0;
    if (group === 'nodeLocal') return use.nodeLocal;
  }
  return true;
}

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** A duration as profiles write it ("0.5us", "5ms"), in seconds; NaN for anything else. */
function durationSeconds(value: unknown): number {
  const match = typeof value === 'string' ? /^\s*([\d.]+(?:e-?\d+)?)\s*(ns|us|µs|ms|s|m|h)\s*$/.exec(value) : null;
  return match === null ? NaN : Number(match[1]) * UNIT_SECONDS[match[2]];
}

/** Below this share of a duration, a once-per-event cost cannot move it beyond the histogram's 1 % resolution. */
const MATERIAL_SHARE = 0.01;

/**
 * Whether a constant in use moves a cell's value materially. A fixed duration paid once per event
 * (a dispatch, a sync's fixed part) is material to a duration metric when it is at least 1 % of the
 * value; a cost paid per rule, update or object scales with the cluster, and a constant that is not
 * a duration (a probability, a tail shape, a rate) reshapes the distribution: both always count.
 */
function materialTo(c: ConstantRecord, metric: string, value: number): boolean {
  const seconds = durationSeconds(c.value);
  const last = c.path.slice(c.path.lastIndexOf('.') + 1);
  // A tail's shape (a p99 over the median) leaves the median where it is.
  if (/P99|p99/.test(last) && /\.(p50)$/.test(metric)) return false;
  // A connection's set-up is one-segment packets: link and stream bit rates do not pace it.
  if (typeof c.value === 'string' && /bit\/s$/.test(c.value) && /^connect_duration_seconds/.test(metric)) return false;
  if (!Number.isFinite(seconds) || /per[A-Z]/.test(last) || !/_seconds\b/.test(metric) || !(value > 0)) return true;
  return seconds >= MATERIAL_SHARE * value;
}

/**
 * The mark one cell earns: critical where a critical constant (the race rate) can move this
 * point's value, assumed where another unpublished constant linked to the metric is in use here
 * and material to the value (materialTo), none otherwise. Without the point's context (older
 * results), the column's critical mark.
 */
export function cellMark(mark: AssumptionMark | undefined, use: PointUse | undefined, value = NaN): 'critical' | 'assumed' | null {
  if (mark === undefined) return null;
  if (use === undefined) return mark.critical ? 'critical' : null;
  if (mark.criticalConstants.some((c) => constantInUse(c, use))) return 'critical';
  const assumed = mark.constants.filter((c) => !mark.criticalConstants.includes(c) && unpublished(c) && constantInUse(c, use));
  return assumed.some((c) => materialTo(c, mark.metric, value)) ? 'assumed' : null;
}

/**
 * For each metric key resting on an assumption, the constants and whether to warn beside values.
 * With the points' uses, only constants in use at some point count.
 */
export function assumptionMarks(constants: ConstantRecord[] | null, metricKeys: string[], uses?: PointUse[]): Map<string, AssumptionMark> {
  const marks = new Map<string, AssumptionMark>();
  const anywhere = (c: ConstantRecord) => uses === undefined || uses.length === 0 || uses.some((use) => constantInUse(c, use));
  for (const family of ASSUMPTION_FAMILIES) {
    if (family.onlyWith !== undefined && !metricKeys.some((key) => family.onlyWith?.test(key))) continue;
    const used = (constants ?? []).filter((c) => c.assumption && family.constant.test(c.path) && (family.critical || unpublished(c)) && anywhere(c));
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
