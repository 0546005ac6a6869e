import { describe, expect, it } from 'vitest';
import { assumptionMarks, criticalSummary, foldMetricNames, uniqueConstants } from '../../reports/assumptions.js';
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
