import { describe, expect, it } from 'vitest';
import { assumptionMarks, cellMark, criticalSummary, foldMetricNames, uniqueConstants, unpublished, type PointUse } from '../../reports/assumptions.js';
import type { ConstantRecord } from '../../models/profiles/load.js';

const race: ConstantRecord = { path: 'dns.race.pairCollisionProbability', value: 0.01, source: 'no published rate exists', assumption: true, overridden: false };
const syncFixed: ConstantRecord = { path: 'proxy.iptables.sync.fixed', value: '5ms', source: 'assumption: fork/exec of iptables-restore', assumption: true, overridden: false };
const derived: ConstantRecord = { path: 'proxy.iptables.sync.restorePerRule', value: '18us', source: 'derived from #138073', assumption: false, overridden: false };
const KEYS = ['dns_lookup_duration_seconds.p99', 'coredns_cpu_utilization.mean', 'request_duration_seconds.p99', 'kubeproxy_sync_proxy_rules_duration_seconds.p99', 'node_nf_conntrack_entries.max'];

describe('assumption marks', () => {
  it('warns beside DNS results, and request results that include lookups, when the race rate is an assumption', () => {
    const marks = assumptionMarks([race, derived], KEYS);
    expect(marks.get('dns_lookup_duration_seconds.p99')?.critical).toBe(true);
    expect(marks.get('coredns_cpu_utilization.mean')?.critical).toBe(true);
    expect(marks.get('request_duration_seconds.p99')?.critical).toBe(true);
    expect(marks.has('node_nf_conntrack_entries.max')).toBe(false);
  });

  it('does not tie request results to the race when the run resolved no names', () => {
    const marks = assumptionMarks([race], ['request_duration_seconds.p99', 'connect_duration_seconds.p99']);
    expect(marks.size).toBe(0);
  });

  it('drops the warning once the experiment overrides the constant', () => {
    const overridden = { ...race, value: 0, source: 'experiment file', assumption: false, overridden: true };
    expect(assumptionMarks([overridden], KEYS).size).toBe(0);
  });

  it('notes, without a warning, a metric resting on a model constant whose source says it is an assumption', () => {
    const mark = assumptionMarks([syncFixed, derived], KEYS).get('kubeproxy_sync_proxy_rules_duration_seconds.p99');
    expect(mark?.critical).toBe(false);
    expect(mark?.constants).toEqual([syncFixed]);
  });

  it('names only the critical constants in the warning sentence, with metric families folded', () => {
    const summary = criticalSummary(assumptionMarks([race, syncFixed], [...KEYS, 'request_duration_seconds.p50', 'dns_queries_per_lookup.mean', 'dns_timeouts_total.rate']));
    expect(summary?.constants).toEqual([race]);
    expect(summary?.names).toContain('dns_*');
    expect(summary?.names).toContain('request_duration_seconds');
  });
});

describe('constants', () => {
  it('keeps one record per path and value, sorted by path', () => {
    expect(uniqueConstants([syncFixed, race, syncFixed, derived]).map((c) => c.path)).toEqual([race.path, syncFixed.path, derived.path]);
  });

  it('folds outcome labels into their metric name', () => {
    expect(foldMetricNames(['request_outcomes_total{outcome=ok}.rate', 'request_outcomes_total{outcome=timeout}.rate'])).toEqual(['request_outcomes_total']);
  });
});

describe('marks on one cell', () => {
  const use = (over: Partial<PointUse> = {}): PointUse => ({ proxyMode: 'iptables', cni: 'calico-bgp', mesh: 'none', zones: 1, usesDns: true, nodeLocal: false, dnsRaceProbability: 0.005, ...over });
  const dispatch: ConstantRecord = { path: 'proxy.iptables.dispatch.fixed', value: '0.5us', source: 'assumption: the same DNAT set-up as nftables', assumption: true, overridden: false };
  const ebpfDispatch: ConstantRecord = { ...dispatch, path: 'proxy.ebpf.dispatch', value: '0.3us' };
  const tail: ConstantRecord = { path: 'cni.common.oneWayP99OverMedian', value: 2, source: 'assumption: DaoCloud published only means', assumption: true, overridden: false };
  const cited: ConstantRecord = { path: 'cni.calico-bgp.singleStreamCpuBound', value: '19.7Gbit/s', source: 'Ducastel 2024 DTS calico', assumption: true, overridden: false };

  it('warns where the race can happen at that point, and not where the kernel, NodeLocal or eBPF rule it out', () => {
    const mark = assumptionMarks([race], KEYS).get('dns_lookup_duration_seconds.p99');
    expect(cellMark(mark, use(), 0.01)).toBe('critical');
    expect(cellMark(mark, use({ dnsRaceProbability: 0 }), 0.01)).toBe(null);
  });

  it('leaves a cell unmarked when the assumed constant is another proxy mode’s', () => {
    const mark = assumptionMarks([ebpfDispatch], ['connect_duration_seconds.p99']).get('connect_duration_seconds.p99');
    expect(mark).toBeDefined();
    expect(cellMark(mark, use(), 289e-6)).toBe(null);
    expect(cellMark(mark, use({ proxyMode: 'ebpf' }), 2e-6)).toBe('assumed');
  });

  it('marks a fixed per-event cost only when it is at least 1 % of the value it is part of', () => {
    const mark = assumptionMarks([dispatch], ['connect_duration_seconds.p99']).get('connect_duration_seconds.p99');
    expect(cellMark(mark, use(), 289e-6)).toBe(null);
    expect(cellMark(mark, use(), 40e-6)).toBe('assumed');
    const sync = assumptionMarks([syncFixed], ['kubeproxy_sync_proxy_rules_duration_seconds.p50']).get('kubeproxy_sync_proxy_rules_duration_seconds.p50');
    expect(cellMark(sync, use(), 33.7e-3)).toBe('assumed');
  });

  it('marks a tail-shape assumption on p99 but not on the median, and never a constant its source cites', () => {
    const marks = assumptionMarks([tail, cited], ['request_duration_seconds.p99', 'request_duration_seconds.p50']);
    expect(cellMark(marks.get('request_duration_seconds.p99'), use(), 1e-3)).toBe('assumed');
    expect(cellMark(marks.get('request_duration_seconds.p50'), use(), 1e-3)).toBe(null);
    expect(unpublished(cited)).toBe(false);
    expect(unpublished(race)).toBe(true);
  });
});
