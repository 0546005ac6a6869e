import { describe, expect, it } from 'vitest';
import { chooseMetrics, direction, splitMetricKey, unitKind } from '../../reports/metric-keys.js';
import { describeBound, meets, parseQuantity } from '../../reports/slo.js';

describe('metric keys', () => {
  it('splits a key into name and stat, labels included', () => {
    expect(splitMetricKey('request_outcomes_total{outcome=ok}.rate')).toEqual({ name: 'request_outcomes_total{outcome=ok}', stat: 'rate' });
    expect(splitMetricKey('request_duration_seconds.p999')).toEqual({ name: 'request_duration_seconds', stat: 'p999' });
  });

  it('knows units and which way is better', () => {
    expect(unitKind('request_duration_seconds.p99')).toBe('duration');
    expect(unitKind('conntrack_drops_total.rate')).toBe('rate');
    expect(unitKind('nodelocal_cache_hit_ratio.mean')).toBe('share');
    expect(direction('request_duration_seconds.p99')).toBe('lower');
    expect(direction('request_outcomes_total{outcome=ok}.rate')).toBe('higher');
    expect(direction('node_nf_conntrack_entries_limit.mean')).toBe('neutral');
    expect(direction('node_nf_conntrack_entries.max')).toBe('neutral');
    expect(direction('coredns_dns_requests_total.rate')).toBe('neutral');
    expect(direction('coredns_memory_bytes.max')).toBe('lower');
  });

  it('picks the metrics of the topic swept, then defaults, where present', () => {
    const present = (key: string) => !key.startsWith('dns_') && !key.startsWith('coredns_') && !key.startsWith('nodelocal_');
    const picked = chooseMetrics({ slo: [], swept: ['proxy.mode'], present });
    expect(picked[0]).toBe('kubeproxy_network_programming_duration_seconds.p99');
    expect(picked).toContain('request_duration_seconds.p99');
    expect(picked.some((k) => k.startsWith('dns_'))).toBe(false);
    expect(chooseMetrics({ slo: [], swept: ['dns.resolver.ndots'], present: () => true })[0]).toBe('dns_lookup_duration_seconds.p99');
  });

  it('takes spec.report.metrics as given, with the SLO metrics added', () => {
    expect(chooseMetrics({ requested: ['a.p99'], slo: ['b.p99'], swept: [], present: () => false })).toEqual(['a.p99', 'b.p99']);
  });
});

describe('SLO bounds', () => {
  it('reads quantities in the metric’s unit', () => {
    expect(parseQuantity('request_duration_seconds.p99', '50ms')).toBeCloseTo(0.05, 12);
    expect(parseQuantity('coredns_cpu_utilization.mean', '80%')).toBeCloseTo(0.8, 12);
    expect(parseQuantity('conntrack_drops_total.rate', '1k/s')).toBe(1000);
    expect(parseQuantity('request_duration_seconds.p99', 'soon')).toBeNaN();
  });

  it('treats a bare bound as a maximum and {min} as a minimum', () => {
    expect(meets('request_duration_seconds.p99', '50ms', 0.04)).toBe(true);
    expect(meets('request_duration_seconds.p99', '50ms', 0.06)).toBe(false);
    expect(meets('requests_per_second.mean', { min: 100 }, 90)).toBe(false);
    expect(describeBound('request_duration_seconds.p99', '50ms')).toBe('≤ 50.0 ms');
    expect(meets('nodelocal_cache_hit_ratio.mean', '>=90%', 0.95)).toBe(true);
    expect(describeBound('request_duration_seconds.p99', '<= 50ms')).toBe('≤ 50.0 ms');
  });
});
