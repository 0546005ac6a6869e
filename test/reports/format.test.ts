import { describe, expect, it } from 'vitest';
import { formatBaselineDifference, formatDifference, formatEstimate, formatNumber, formatSetting, formatValue } from '../../reports/format.js';

describe('formatNumber', () => {
  it('gives three significant digits without exponent notation, keeping trailing zeros', () => {
    expect(formatNumber(0.0014948)).toBe('0.00149');
    expect(formatNumber(2.2)).toBe('2.20');
    expect(formatNumber(48.886)).toBe('48.9');
    expect(formatNumber(1234.5)).toBe('1230');
    expect(formatNumber(-3.14159)).toBe('−3.14');
  });

  it('writes zero as 0, and NaN and infinities as symbols', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(125)).toBe('125');
    expect(formatNumber(2)).toBe('2.00');
    expect(formatNumber(NaN)).toBe('—');
    expect(formatNumber(Infinity)).toBe('∞');
  });
});

describe('formatValue', () => {
  it('puts durations in s, ms, µs or ns', () => {
    expect(formatValue('request_duration_seconds.p99', 1.5)).toBe('1.50 s');
    expect(formatValue('request_duration_seconds.p99', 0.0123)).toBe('12.3 ms');
    expect(formatValue('connect_duration_seconds.p50', 0.000178)).toBe('178 µs');
    expect(formatValue('connect_duration_seconds.p50', 5e-8)).toBe('50.0 ns');
  });

  it('writes rates per second, shares in per cent, bytes in binary units, CPU in millicores', () => {
    expect(formatValue('conntrack_drops_total.rate', 262.5)).toBe('263 /s');
    expect(formatValue('coredns_dns_requests_total.rate', 33669)).toBe('33.7 k/s');
    expect(formatValue('coredns_cpu_utilization.mean', 0.452)).toBe('45.2 %');
    expect(formatValue('conntrack_memory_bytes.mean', 1.5 * 1024 * 1024)).toBe('1.50 MiB');
    expect(formatValue('proxy_cpu_cores.mean', 0.0155)).toBe('15.5 mCPU');
    expect(formatValue('proxy_cpu_cores.mean', 2)).toBe('2.00 cores');
  });

  it('writes counts plainly below ten thousand and with k and M above', () => {
    expect(formatValue('node_nf_conntrack_entries.max', 1820)).toBe('1820');
    expect(formatValue('node_nf_conntrack_entries_limit.mean', 262144)).toBe('262 k');
  });
});

describe('formatEstimate', () => {
  it('gives the mean and the 95 % half-width in the mean’s unit', () => {
    expect(formatEstimate('request_duration_seconds.p99', { mean: 0.00224, low: 0.002159, high: 0.002321, n: 5 })).toBe('2.24 ms ± 0.081');
  });

  it('prints n/a for the interval of one replication, and nothing for no value', () => {
    expect(formatEstimate('request_duration_seconds.p99', { mean: 0.002, low: NaN, high: NaN, n: 1 })).toBe('2.00 ms ± n/a');
    expect(formatEstimate('request_duration_seconds.p99', { mean: NaN, low: NaN, high: NaN, n: 0 })).toBe('—');
  });
});

describe('formatEstimate of a cut interval', () => {
  it('gives the ends of an interval cut at zero rather than a half-width reaching below it', () => {
    expect(formatEstimate('request_duration_seconds.p99', { mean: 5, low: 0, high: 30.41, n: 2 })).toBe('5.00 s (0 … 30.4 s)');
  });
});

describe('formatBaselineDifference', () => {
  it('gives the difference, its share of the baseline and its 95 % interval in one unit', () => {
    expect(formatBaselineDifference('connect_duration_seconds.p99', { mean: -180e-6, ci95: [-200e-6, -160e-6] }, 460e-6)).toBe('−180 µs (−39 %, 95 % CI −200 … −160 µs)');
  });

  it('writes a difference of shares in percentage points and leaves the share out against a zero baseline', () => {
    expect(formatBaselineDifference('coredns_cpu_utilization.mean', { mean: -0.05, ci95: [-0.06, -0.04] }, 0.5)).toBe('−5.0 pp (−10 %, 95 % CI −6.0 … −4.0 pp)');
    expect(formatBaselineDifference('conntrack_drops_total.rate', { mean: 12, ci95: [10, 14] }, 0)).toBe('+12 /s (95 % CI 10 … 14 /s)');
  });
});

describe('formatDifference and formatSetting', () => {
  it('signs a difference and gives its half-width in the difference’s own unit', () => {
    expect(formatDifference('kubeproxy_network_programming_duration_seconds.p99', -0.04, 0.0075)).toBe('−40 ms ± 7.5');
    // Identical values across replications leave only floating-point rounding as a half-width.
    expect(formatDifference('connect_duration_seconds.p99', -0.00017, 8.1e-20)).toBe('−170 µs ± 0');
    expect(formatDifference('connect_duration_seconds.p99', 1.7e-4, 9.7e-6)).toBe('+170 µs ± 9.7');
  });

  it('writes scalar settings as the experiment file does, and mappings without JSON braces or quotes', () => {
    expect(formatSetting('ipvs')).toBe('ipvs');
    expect(formatSetting(0.01)).toBe('0.01');
    expect(formatSetting({ external: 'api.example.com' })).toBe('external=api.example.com');
    expect(formatSetting({ keepAlive: { maxRequests: 100, idle: '60s' } })).toBe('keepAlive(maxRequests=100, idle=60s)');
    expect(formatSetting([1, 2])).toBe('[1, 2]');
  });
});
