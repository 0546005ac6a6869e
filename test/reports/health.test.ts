import { describe, expect, it } from 'vitest';
import { formatHealthLines } from '../../cli/health-lines.js';
import { buildAnswer } from '../../reports/answer.js';
import { allHealthySentence, assessHealth, healthHeadline, pointFindings, unhealthyPointIds } from '../../reports/health.js';
import { renderMarkdown } from '../../reports/markdown.js';
import { experimentOf, resultsOf, type PointSpec } from './results-dir.js';

const twice = (x: number) => [x, x];

/** A point of a proxy-mode sweep, healthy unless `extra` says otherwise. */
function point(mode: string, extra: Record<string, number> = {}): PointSpec {
  const base: Record<string, number> = {
    'request_outcomes_total{outcome=ok}.rate': 10000,
    'request_outcomes_total{outcome=refused}.rate': 0,
    'request_outcomes_total{outcome=dns_failed}.rate': 0,
    'request_duration_seconds.p99': 0.002,
    'coredns_cpu_utilization.max': 0.4,
    'coredns_replicas.max': 2,
    'node_cpu_utilization.max': 0.3,
    'node_nf_conntrack_entries.max': 10000,
    'node_nf_conntrack_entries_limit.max': 262144,
    'conntrack_drops_total.rate': 0,
    'dns_timeouts_total.rate': 0,
    'coredns_dropped_requests_total.rate': 0,
    'coredns_dns_requests_total.rate': 50000,
    'coredns_oom_risk.max': 0,
  };
  return { settings: { 'proxy.mode': mode }, metrics: Object.fromEntries(Object.entries({ ...base, ...extra }).map(([k, v]) => [k, twice(v)])) };
}

const SATURATED = {
  'request_outcomes_total{outcome=ok}.rate': 7500,
  'request_outcomes_total{outcome=dns_failed}.rate': 1492500,
  'coredns_cpu_utilization.max': 1,
  'coredns_dns_requests_total.rate': 4.8e6,
  'coredns_dropped_requests_total.rate': 4.6e6,
  'dns_timeouts_total.rate': 3e6,
};

const modes = ['iptables', 'ipvs', 'nftables', 'ebpf'];
const sweep = experimentOf({ 'proxy.mode': modes }, { report: { series: 'proxy.mode' } });

describe('health findings of one point', () => {
  it('says nothing of a point where every threshold is met', () => {
    const results = resultsOf([point('iptables')], sweep);
    expect(pointFindings(results.points[0])).toEqual([]);
  });

  it('names CoreDNS saturation and the dns_failed share with their numbers, the cause first', () => {
    const results = resultsOf([point('iptables', SATURATED)], sweep);
    const findings = pointFindings(results.points[0]);
    expect(findings.map((f) => f.severity)).toEqual(['critical', 'critical', 'warning']);
    expect(findings[0].text).toBe('CoreDNS saturated: busiest replica of 2 at 100 % CPU, 4.60 M queries/s dropped at its receive queue (95.8 % of queries).');
    expect(findings[1].text).toBe('99.5 % of requests ended dns_failed (1.49 M requests/s cluster-wide).');
    expect(findings[2].text).toContain('3.00 M timeouts/s cluster-wide');
  });

  it('grades a share of failed requests: 1 % critical, 0.1 % a warning, below that nothing', () => {
    const at = (refused: number) => pointFindings(resultsOf([point('a', { 'request_outcomes_total{outcome=ok}.rate': 10000 - refused, 'request_outcomes_total{outcome=refused}.rate': refused })], sweep).points[0]);
    expect(at(100).map((f) => f.severity)).toEqual(['critical']);
    expect(at(99).map((f) => f.severity)).toEqual(['warning']);
    expect(at(9)).toEqual([]);
  });

  it('grades a busy component: 95 % saturated (critical), 90 % a warning', () => {
    const at = (cpu: number) => pointFindings(resultsOf([point('a', { 'node_cpu_utilization.max': cpu })], sweep).points[0]);
    expect(at(0.96)[0]).toMatchObject({ severity: 'critical', text: 'Node CPU saturated: busiest node at 96.0 % busy.' });
    expect(at(0.91)[0]).toMatchObject({ severity: 'warning', short: 'Node CPU near saturation' });
    expect(at(0.89)).toEqual([]);
  });

  it('calls conntrack dropping critical and a table at 95 % of its limit a warning', () => {
    const dropping = pointFindings(resultsOf([point('a', { 'conntrack_drops_total.rate': 12, 'node_nf_conntrack_entries.max': 262144 })], sweep).points[0]);
    expect(dropping[0].severity).toBe('critical');
    expect(dropping[0].text).toBe("conntrack dropping new flows: 12.0 flows/s per node, busiest node's table at 100 % of nf_conntrack_max (262,144 of 262,144 entries).");
    const full = pointFindings(resultsOf([point('a', { 'node_nf_conntrack_entries.max': 250000 })], sweep).points[0]);
    expect(full.map((f) => [f.severity, f.kind])).toEqual([['warning', 'conntrack']]);
  });

  it('calls CoreDNS over its memory limit critical, with the memory', () => {
    const findings = pointFindings(resultsOf([point('a', { 'coredns_oom_risk.max': 1, 'coredns_memory_bytes.max': 245366784 })], sweep).points[0]);
    expect(findings[0]).toMatchObject({ severity: 'critical', kind: 'coredns-oom' });
    expect(findings[0].text).toContain('234 MiB per replica');
  });
});

describe('health across points', () => {
  const results = resultsOf([point('iptables'), point('ipvs', SATURATED), point('nftables', { 'dns_timeouts_total.rate': 5 }), point('ebpf', SATURATED)], sweep);
  const health = assessHealth(results);

  it('lists the points with findings worst first and leaves healthy ones out', () => {
    expect(health.points.map((p) => p.label)).toEqual(['ipvs', 'ebpf', 'nftables'].map((m) => `mode=${m}`));
    expect(unhealthyPointIds(results)).toEqual(new Set([results.points[1].id, results.points[3].id]));
  });

  it('opens the Answer with how many points are unhealthy and why, before any ranking', () => {
    expect(healthHeadline(health)).toBe('2 of 4 points are unhealthy (CoreDNS saturated; 99.5 % dns_failed): their latency describes only the requests that succeeded. See Health.');
    const md = renderMarkdown(results, buildAnswer(results), []);
    const answer = md.slice(md.indexOf('## Answer'));
    expect(answer.indexOf('2 of 4 points are unhealthy')).toBeLessThan(answer.indexOf('request\\_duration\\_seconds.p99'));
    expect(md.indexOf('## Health')).toBeLessThan(md.indexOf('## Answer'));
  });

  it('marks the unhealthy points in the Results table and no other', () => {
    const md = renderMarkdown(results, buildAnswer(results), []);
    const rows = md.split('\n').filter((l) => /^\| (iptables|ipvs|nftables|ebpf)/.test(l));
    expect(rows.map((r) => r.split(' | ')[0].includes('‼'))).toEqual([false, true, false, true]);
  });

  it('says every point is healthy when none has a finding', () => {
    const healthy = assessHealth(resultsOf([point('iptables'), point('ipvs')], sweep));
    expect(allHealthySentence(healthy)).toBe('All 2 points healthy: no request failed, no component above 90 % busy, no drops.');
    expect(healthHeadline(healthy)).toBeNull();
    expect(formatHealthLines(healthy)).toEqual(['health: all 2 points healthy']);
  });
});

describe('terminal health lines', () => {
  it('gives one line per kind of trouble, critical first, naming the points it hit', () => {
    const results = resultsOf([point('iptables'), point('ipvs', SATURATED), point('ebpf', { ...SATURATED, 'coredns_dropped_requests_total.rate': 4.7e6 })], sweep);
    const lines = formatHealthLines(assessHealth(results));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('‼ CoreDNS saturated: busiest replica of 2 at 100 % CPU, 4.70 M queries/s dropped at its receive queue (97.9 % of queries). [mode=ipvs, mode=ebpf; worst mode=ebpf]');
    expect(lines[1]).toBe('‼ 99.5 % of requests ended dns_failed (1.49 M requests/s cluster-wide). [mode=ipvs, mode=ebpf]');
    expect(lines[2]).toMatch(/^! DNS resolver timeouts/);
  });

  it('stops at 10 lines and says how many more are in report.html', () => {
    const many: Record<string, number> = { 'request_outcomes_total{outcome=ok}.rate': 100 };
    const points = Array.from({ length: 12 }, (_, i) => point(`m${i}`, { ...many, [`request_outcomes_total{outcome=o${i}}.rate`]: 1 + i }));
    const lines = formatHealthLines(assessHealth(resultsOf(points, experimentOf({ 'proxy.mode': points.map((p) => p.settings['proxy.mode']) }))));
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe('… 2 more in report.html');
  });
});

describe('the Health section', () => {
  it('lists a critical point in full and a warning every other point shares once, with where it is', () => {
    const refused = { 'request_outcomes_total{outcome=ok}.rate': 9960, 'request_outcomes_total{outcome=refused}.rate': 40 };
    const results = resultsOf([point('iptables', { ...SATURATED, 'request_outcomes_total{outcome=refused}.rate': 40 }), ...['ipvs', 'nftables', 'ebpf'].map((m) => point(m, refused))], sweep);
    const md = renderMarkdown(results, buildAnswer(results), []);
    const section = md.slice(md.indexOf('## Health'), md.indexOf('## Answer'));
    expect(section).toContain('**mode=iptables** ‼');
    expect(section.match(/ended refused/g)).toHaveLength(1);
    expect(section).toContain('- warning: 0.400 % of requests ended refused (40.0 requests/s cluster-wide). [mode=ipvs, mode=nftables, mode=ebpf]');
  });
});

describe('the Health section with many unhealthy points', () => {
  it('gives one line per kind of trouble, saying where, instead of every point in full', () => {
    const results = resultsOf(modes.map((m) => point(m, SATURATED)), sweep);
    const md = renderMarkdown(results, buildAnswer(results), []);
    const section = md.slice(md.indexOf('## Health'), md.indexOf('## Answer'));
    expect(section).toContain('**At all 4 points**');
    expect(section.match(/CoreDNS saturated/g)).toHaveLength(1);
    expect(section).toContain('- **critical**: 99.5 % of requests ended dns\\_failed (1.49 M requests/s cluster-wide). [all 4 points]');
  });
});
