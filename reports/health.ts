// What went wrong in each point, before any comparison: failed requests, saturated components,
// conntrack at its limit, DNS timeouts and drops, each as a sentence with its numbers, worst first.
// A comparison between points whose results are dominated by such a state compares the failure,
// not the setting, so the report says so first and marks those points.

import { formatNumber, formatValue, unitFor } from './format.js';
import type { ResultPoint, Results } from './inputs.js';
import { pointLabels } from './labels.js';

/**
 * critical: the state dominates the point's results (its latency or throughput describes the
 * failure or only the requests that survived it); warning: worth knowing, the results still stand.
 */
export type Severity = 'critical' | 'warning';

export interface Finding {
  severity: Severity;
  /** What kind of trouble, for grouping across points ("coredns", "outcome:dns_failed"). */
  kind: string;
  /** A few words for the Answer's headline: "CoreDNS saturated", "99.5 % dns_failed". */
  short: string;
  /** The sentence with numbers. */
  text: string;
  /** How bad, to pick the worst of one kind across points: a share or a utilisation (CoreDNS: busy share plus dropped share, both saturate). */
  magnitude: number;
}

export interface PointHealth {
  point: ResultPoint;
  label: string;
  /** Worst first. */
  findings: Finding[];
  critical: boolean;
}

export interface Health {
  /** Points with at least one finding, worst first; healthy points are left out. */
  points: PointHealth[];
  /** Every point in the results. */
  total: number;
  /** Ids of the points with a critical finding. */
  unhealthy: Set<string>;
  /** The largest share of requests that did not end ok, over all points (0 when none failed). */
  failedShareMax: number;
}

// Thresholds. A non-ok share of 1 % already moves a p99 (the failed requests are the tail the
// percentile no longer sees), so it is critical; 0.1 % is a warning, below that churn's refused
// connections and the odd deadline are ordinary. A component is saturated at 95 % busy: an M/M/c
// queue's wait grows as 1/(1−ρ), twenty-fold there, so its latency is the queue's, not the
// setting's; 90 % (ten-fold) is a warning. conntrack at 95 % of nf_conntrack_max is one burst from
// dropping (a warning); a drop is critical, since each dropped SYN waits a retransmit (1 s or more).
// Any DNS timeout is a warning: each costs the resolver's whole timeout (5 s by default).
const OUTCOME_CRITICAL_SHARE = 0.01;
const OUTCOME_WARNING_SHARE = 0.001;
const BUSY_CRITICAL = 0.95;
const BUSY_WARNING = 0.9;
const CONNTRACK_FULL_SHARE = 0.95;
/** Drops a component makes are critical above this share of what it received, else warnings. */
const DROP_CRITICAL_SHARE = 0.01;

const OUTCOME_PREFIX = 'request_outcomes_total{outcome=';

function value(point: ResultPoint, key: string): number {
  return point.metrics.get(key)?.mean ?? NaN;
}

/** The first of `keys` with a finite value, NaN when none has one. */
function firstValue(point: ResultPoint, ...keys: string[]): number {
  for (const key of keys) if (Number.isFinite(value(point, key))) return value(point, key);
  return NaN;
}

const percent = (share: number) => `${formatNumber(share * 100)} %`;
const whole = (n: number) => Math.round(n).toLocaleString('en-US');

/** A rate with what it counts: "4.60 M queries/s", "262 drops/s". */
function perSecond(key: string, rate: number, noun: string): string {
  const unit = unitFor(key, rate);
  const prefix = unit.symbol.replace('/s', '');
  return `${formatNumber(rate * unit.factor)} ${prefix === '' ? '' : `${prefix} `}${noun}/s`;
}

function busy(level: number): Severity | null {
  return level >= BUSY_CRITICAL ? 'critical' : level >= BUSY_WARNING ? 'warning' : null;
}

function outcomeRates(point: ResultPoint): { keys: string[]; total: number; failed: number } {
  const keys = [...point.metrics.keys()].filter((k) => k.startsWith(OUTCOME_PREFIX) && k.endsWith('}.rate'));
  const rate = (k: string) => (Number.isFinite(value(point, k)) ? value(point, k) : 0);
  const total = keys.reduce((sum, k) => sum + rate(k), 0);
  return { keys, total, failed: total - keys.filter((k) => k === `${OUTCOME_PREFIX}ok}.rate`).reduce((sum, k) => sum + rate(k), 0) };
}

function outcomeFindings(point: ResultPoint): Finding[] {
  const { keys: outcomes, total } = outcomeRates(point);
  if (!(total > 0)) return [];
  const out: Finding[] = [];
  for (const key of outcomes) {
    const outcome = key.slice(OUTCOME_PREFIX.length, key.length - '}.rate'.length);
    const rate = value(point, key);
    if (outcome === 'ok' || !(rate > 0)) continue;
    const share = rate / total;
    if (share < OUTCOME_WARNING_SHARE) continue;
    out.push({
      severity: share >= OUTCOME_CRITICAL_SHARE ? 'critical' : 'warning',
      kind: `outcome:${outcome}`,
      short: `${percent(share)} ${outcome}`,
      text: `${percent(share)} of requests ended ${outcome} (${perSecond(key, rate, 'requests')} cluster-wide).`,
      magnitude: share,
    });
  }
  return out.sort((a, b) => b.magnitude - a.magnitude);
}

function coreDnsFinding(point: ResultPoint): Finding | null {
  const cpu = firstValue(point, 'coredns_cpu_utilization.max', 'coredns_cpu_utilization.mean');
  const drops = value(point, 'coredns_dropped_requests_total.rate');
  const received = value(point, 'coredns_dns_requests_total.rate');
  // coredns_dns_requests_total counts a query when it arrives, dropped or not.
  const dropShare = drops > 0 ? (received > 0 ? Math.min(1, drops / received) : 1) : 0;
  const cpuSeverity = busy(cpu);
  const dropSeverity: Severity | null = drops > 0 ? (dropShare >= DROP_CRITICAL_SHARE ? 'critical' : 'warning') : null;
  if (cpuSeverity === null && dropSeverity === null) return null;
  const severity: Severity = cpuSeverity === 'critical' || dropSeverity === 'critical' ? 'critical' : 'warning';
  const replicas = value(point, 'coredns_replicas.max');
  const of = Number.isFinite(replicas) ? ` of ${Number.isInteger(replicas) ? replicas : formatNumber(replicas)}` : '';
  const parts: string[] = [];
  if (Number.isFinite(cpu)) parts.push(`busiest replica${of} at ${percent(cpu)} CPU`);
  if (drops > 0) parts.push(`${perSecond('coredns_dropped_requests_total.rate', drops, 'queries')} dropped at its receive queue${received > 0 ? ` (${percent(dropShare)} of queries)` : ''}`);
  const word = severity === 'critical' ? 'saturated' : 'near saturation';
  return { severity, kind: 'coredns', short: `CoreDNS ${word}`, text: `CoreDNS ${word}: ${parts.join(', ')}.`, magnitude: (Number.isFinite(cpu) ? cpu : 0) + dropShare };
}

/** A component whose busy share alone says it is saturated. */
function busyFinding(point: ResultPoint, kind: string, name: string, busiest: string, key: string): Finding | null {
  const level = firstValue(point, `${key}.max`, `${key}.mean`);
  const severity = busy(level);
  if (severity === null) return null;
  const word = severity === 'critical' ? 'saturated' : 'near saturation';
  return { severity, kind, short: `${name} ${word}`, text: `${name} ${word}: ${busiest} at ${percent(level)} busy.`, magnitude: level };
}

function conntrackFindings(point: ResultPoint): Finding[] {
  const out: Finding[] = [];
  const entries = value(point, 'node_nf_conntrack_entries.max');
  const limit = firstValue(point, 'node_nf_conntrack_entries_limit.max', 'node_nf_conntrack_entries_limit.mean');
  const drops = value(point, 'conntrack_drops_total.rate');
  const fill = limit > 0 ? entries / limit : NaN;
  const fillText = Number.isFinite(fill) ? `busiest node's table at ${percent(fill)} of nf_conntrack_max (${whole(entries)} of ${whole(limit)} entries)` : '';
  if (drops > 0) {
    out.push({ severity: 'critical', kind: 'conntrack', short: 'conntrack dropping', text: `conntrack dropping new flows: ${perSecond('conntrack_drops_total.rate', drops, 'flows')} per node${fillText === '' ? '' : `, ${fillText}`}.`, magnitude: 1 });
  } else if (fill >= CONNTRACK_FULL_SHARE) {
    out.push({ severity: 'warning', kind: 'conntrack', short: 'conntrack near its limit', text: `conntrack near its limit: ${fillText}.`, magnitude: fill });
  }
  const bpfDrops = value(point, 'cilium_bpf_ct_drops_total.rate');
  if (bpfDrops > 0) {
    out.push({ severity: 'critical', kind: 'bpf-ct', short: 'BPF CT map dropping', text: `Cilium's BPF CT map full: ${perSecond('cilium_bpf_ct_drops_total.rate', bpfDrops, 'new flows')} refused per node.`, magnitude: 1 });
  }
  return out;
}

function dnsFindings(point: ResultPoint): Finding[] {
  const out: Finding[] = [];
  const oom = value(point, 'coredns_oom_risk.max');
  if (oom >= 1) {
    const memory = firstValue(point, 'coredns_memory_bytes.max', 'coredns_memory_bytes.mean');
    const size = Number.isFinite(memory) ? ` (${formatValue('coredns_memory_bytes.max', memory)} per replica by the published formula)` : '';
    out.push({ severity: 'critical', kind: 'coredns-oom', short: 'CoreDNS over its memory limit', text: `CoreDNS memory over its limit${size}: replicas risk OOM kills.`, magnitude: 1 });
  }
  const upstreamDrops = value(point, 'upstream_drops_total.rate');
  if (upstreamDrops > 0) {
    const sent = value(point, 'upstream_queries_total.rate');
    const share = sent > 0 ? upstreamDrops / sent : 1;
    out.push({
      severity: share >= DROP_CRITICAL_SHARE ? 'critical' : 'warning',
      kind: 'upstream',
      short: 'upstream dropping',
      text: `Upstream resolver dropping queries at its packet limit: ${perSecond('upstream_drops_total.rate', upstreamDrops, 'queries')}${sent > 0 ? ` (${percent(share)} of those sent)` : ''}.`,
      magnitude: share,
    });
  }
  const timeouts = value(point, 'dns_timeouts_total.rate');
  if (timeouts > 0) {
    out.push({ severity: 'warning', kind: 'dns-timeouts', short: 'DNS timeouts', text: `DNS resolver timeouts: ${perSecond('dns_timeouts_total.rate', timeouts, 'timeouts')} cluster-wide, each a wait of the resolver's timeout.`, magnitude: timeouts });
  }
  return out;
}

/** A point's findings: critical before warning; within each, causes (saturated components, drops) before their symptoms (failed requests, timeouts). */
export function pointFindings(point: ResultPoint): Finding[] {
  const causes = [
    coreDnsFinding(point),
    busyFinding(point, 'nodelocal', 'NodeLocal DNSCache', 'busiest node’s cache', 'nodelocal_cpu_utilization'),
    busyFinding(point, 'node-cpu', 'Node CPU', 'busiest node', 'node_cpu_utilization'),
    busyFinding(point, 'nic', 'NIC', 'busiest node’s link', 'nic_utilization'),
    busyFinding(point, 'ingress-cpu', 'Ingress controller', 'busiest controller pod', 'ingress_cpu_utilization'),
    ...conntrackFindings(point),
  ].filter((f): f is Finding => f !== null);
  const dns = dnsFindings(point);
  const ordered = [...causes, ...dns.filter((f) => f.kind !== 'dns-timeouts'), ...outcomeFindings(point), ...dns.filter((f) => f.kind === 'dns-timeouts')];
  return [...ordered.filter((f) => f.severity === 'critical'), ...ordered.filter((f) => f.severity === 'warning')];
}

export function assessHealth(results: Results): Health {
  const labels = pointLabels(results);
  const assessed = results.points.map((point, index) => {
    const findings = pointFindings(point);
    return { point, label: labels.get(point.id) ?? point.id, findings, critical: findings.some((f) => f.severity === 'critical'), index };
  });
  const count = (p: (typeof assessed)[number], severity: Severity) => p.findings.filter((f) => f.severity === severity).length;
  // Worst first: more critical findings, then more warnings, then the sweep's order.
  const points = assessed
    .filter((p) => p.findings.length > 0)
    .sort((a, b) => count(b, 'critical') - count(a, 'critical') || count(b, 'warning') - count(a, 'warning') || a.index - b.index)
    .map(({ index: _index, ...rest }) => rest);
  const failedShares = results.points.map((p) => outcomeRates(p)).map((o) => (o.total > 0 ? o.failed / o.total : 0));
  return { points, total: results.points.length, unhealthy: new Set(assessed.filter((p) => p.critical).map((p) => p.point.id)), failedShareMax: Math.max(0, ...failedShares) };
}

/** Ids of the points with a critical finding, for tables and charts to mark. */
export function unhealthyPointIds(results: Results): Set<string> {
  return assessHealth(results).unhealthy;
}

/** "All 8 points healthy: …", or null where some point has a finding. */
export function allHealthySentence(health: Health): string | null {
  if (health.points.length > 0) return null;
  const who = health.total === 1 ? 'The one point is' : `All ${health.total} points`;
  const failed = health.failedShareMax === 0 ? 'no request failed' : `under ${OUTCOME_WARNING_SHARE * 100} % of requests failed`;
  return `${who} healthy: ${failed}, no component above ${BUSY_WARNING * 100} % busy, no drops.`;
}

/**
 * The Answer's first headline where some point is critical: "3 of 8 points are unhealthy (CoreDNS
 * saturated; 99.5 % dns_failed): …". Each kind of trouble is named once, by its worst point.
 */
export function healthHeadline(health: Health): string | null {
  const critical = health.points.filter((p) => p.critical);
  if (critical.length === 0) return null;
  const worst = new Map<string, Finding>();
  for (const p of critical) {
    for (const f of p.findings) {
      if (f.severity !== 'critical') continue;
      const seen = worst.get(f.kind);
      if (seen === undefined || f.magnitude > seen.magnitude) worst.set(f.kind, f);
    }
  }
  const what = [...worst.values()].map((f) => f.short).join('; ');
  const failed = [...worst.keys()].some((k) => k.startsWith('outcome:'));
  const whose = critical.length === health.total ? (health.total === 1 ? 'The point is' : `All ${health.total} points are`) : `${critical.length} of ${health.total} points ${critical.length === 1 ? 'is' : 'are'}`;
  const consequence = failed ? 'their latency describes only the requests that succeeded' : 'their results describe the saturated or dropping component, not the settings compared';
  return `${whose} unhealthy (${what}): ${consequence}. See Health.`;
}
