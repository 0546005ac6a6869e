// The serving pods' CPU limit as a CFS quota: the analytic pause of one request, no throttling
// while the work fits the quota, throttling that rises with load, and tails that only lengthen.

import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../models/metrics.js';
import { Request, type WorkloadModel } from '../../models/parts.js';
import { ServerCpuQuotas } from '../../models/server-cpu-limit.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { networkSettings, simulate } from '../../models/simulate.js';

const PERIOD = 0.1;

function request(limit: number | null, serviceTimeIsCpu = true, pod = 0): Request {
  const r = new Request();
  r.workload = { serverCpuLimit: limit, serviceTimeIsCpu } as WorkloadModel;
  r.servingPod = pod;
  return r;
}

function run(server: Record<string, unknown>, rate: number, arrival = 'poisson', extra: Record<string, unknown> = {}): Metrics {
  const input = {
    warmup: 1,
    duration: 60,
    cluster: { nodes: 1, coresPerNode: 4, podsPerNode: 2, services: 1, endpointsPerService: 1, detailedNodes: 1 },
    workload: [{ clients: 1, ratePerClient: rate, arrival, target: 'svc-0', dnsName: 'clusterIP', connection: { keepAlive: {} }, server, ...extra }],
  } as NetworkSettingsInput;
  return simulate(networkSettings.parse(input), 15, 0).metrics;
}

const throttledShare = (m: Metrics) => (m['container_cpu_cfs_throttled_periods_total.total'] * PERIOD) / 60;

describe('a serving pod’s CPU work under its CFS quota', () => {
  it('a request of CPU W under quota q per period P ends after ⌈W/q⌉ − 1 whole periods plus the rest', () => {
    for (const [w, limit] of [[0.025, 0.1], [0.01, 0.1], [0.31, 0.25], [0.3, 0.25], [0.049, 0.5]] as const) {
      const quotas = new ServerCpuQuotas(PERIOD, 4);
      const q = limit * PERIOD;
      const periods = Math.ceil(w / q) - 1;
      const held = quotas.serviceSeconds(request(limit), w, 0);
      expect(held).toBeCloseTo(periods * PERIOD + (w - periods * q), 12);
    }
  });

  it('without a limit, or when the service time is not CPU, the work is never paused', () => {
    const quotas = new ServerCpuQuotas(PERIOD, 4);
    expect(quotas.serviceSeconds(request(null), 5, 0)).toBe(5);
    expect(quotas.serviceSeconds(request(0.1, false), 5, 0)).toBe(5);
    expect(quotas.pause(request(null, true, 1), 5, 0)).toBe(0);
    expect(quotas.count).toBe(0);
  });

  it('a limit of every core of the node cannot throttle', () => {
    const quotas = new ServerCpuQuotas(PERIOD, 4);
    expect(quotas.serviceSeconds(request(4), 1, 0)).toBe(1);
    expect(quotas.throttling().periods).toBe(0);
  });

  it('one worker (one thread) under a one-core limit is never throttled, whatever its bursts', () => {
    // It cannot run more than one core's period in a period: the quota can never run dry (no
    // cpuPerRequest.server, whose job would run beside the worker's next request: a second thread).
    const server = { workers: 1, serviceTime: { uniform: { min: '0s', max: '500ms' } }, serviceTimeIsCpu: true, cpuLimit: 1 };
    const m = run(server, 3, 'poisson', { cpuPerRequest: { client: '50us', server: '0s' } });
    expect(m['container_cpu_cfs_throttled_periods_total.total']).toBe(0);
  });

  it('a limit above the demand, whose work fits one period, never throttles and changes nothing', () => {
    // 10 requests/s, one per period, of 1 ms + 100 µs CPU, under 50 ms of quota per period.
    const server = { serviceTime: '1ms', serviceTimeIsCpu: true };
    const free = run(server, 10, 'constant');
    const limited = run({ ...server, cpuLimit: 0.5 }, 10, 'constant');
    expect(limited['container_cpu_cfs_throttled_periods_total.total']).toBe(0);
    expect(limited['container_cpu_cfs_throttled_seconds_total.total']).toBe(0);
    for (const stat of ['p50', 'p99', 'mean', 'max']) expect(limited[`request_duration_seconds.${stat}`]).toBe(free[`request_duration_seconds.${stat}`]);
  });

  it('one request per second of 25 ms CPU under 100m pays two whole periods less their quota', () => {
    const server = { serviceTime: '25ms', serviceTimeIsCpu: true };
    const free = run(server, 1, 'constant');
    const limited = run({ ...server, cpuLimit: 0.1 }, 1, 'constant');
    // (⌈25 / 10⌉ − 1) × (100 − 10) ms; the 100 µs of cpuPerRequest.server fits the third period.
    expect(limited['request_duration_seconds.mean'] - free['request_duration_seconds.mean']).toBeCloseTo(2 * (PERIOD - 0.01), 6);
  });

  it('at a fixed limit, the share of periods throttled rises with the load', () => {
    const server = { serviceTime: { exponential: { mean: '5ms' } }, serviceTimeIsCpu: true, cpuLimit: 0.5 };
    const shares = [20, 50, 80].map((rate) => throttledShare(run(server, rate)));
    expect(shares[0]).toBeLessThan(shares[1]);
    expect(shares[1]).toBeLessThan(shares[2]);
    expect(shares[2]).toBeLessThanOrEqual(1);
  });

  it('the p99 under a limit is never below the p99 without', () => {
    const server = { serviceTime: { exponential: { mean: '5ms' } }, serviceTimeIsCpu: true };
    for (const limit of [0.2, 0.5, 1]) {
      const free = run(server, 30);
      const limited = run({ ...server, cpuLimit: limit }, 30);
      expect(limited['request_duration_seconds.p99']).toBeGreaterThanOrEqual(free['request_duration_seconds.p99']);
    }
  });

  it('cpuPerRequest.server alone (service time not CPU) is throttled too', () => {
    const m = run({ serviceTime: '1ms', cpuLimit: 0.01 }, 50);
    // 50 × 100 µs = 5 ms of CPU per second under 1 ms per 100 ms: half the periods at least run dry.
    expect(m['container_cpu_cfs_throttled_periods_total.total']).toBeGreaterThan(0);
  });
});
