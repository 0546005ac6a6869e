import { describe, it, expect } from 'vitest';
import { RandomStreams } from '../../engine/random.js';
import type { Distribution } from '../../engine/distributions.js';
import { loadMesh, meshName } from '../../models/mesh.js';
import { networkSettings, simulate } from '../../models/simulate.js';
import { duration } from '../../models/units.js';
import { ISTIO_1_20_ADDED, ISTIO_1_20_PERFORMANCE, MeshRuns, meshTestbed } from '../../calibration/calibrate-mesh.js';

function sortedDraws(dist: Distribution, name: string, n: number): Float64Array {
  const stream = new RandomStreams(20240601, 0).stream(`test/mesh/${name}`);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dist.sample(stream);
  return out.sort();
}

function quantile(xs: Float64Array, q: number): number {
  return xs[Math.floor(q * (xs.length - 1))];
}

describe.each(meshName.options)('mesh profile %s', (name) => {
  const mesh = loadMesh(name);

  it('adds non-negative latency, CPU and memory', () => {
    const xs = sortedDraws(mesh.addedLatency(), `${name}/nonneg`, 2000);
    expect(xs[0]).toBeGreaterThanOrEqual(0);
    expect(mesh.cpuPerRequestSeconds).toBeGreaterThanOrEqual(0);
    expect(mesh.memoryBytesPerSidecar).toBeGreaterThanOrEqual(0);
  });

  it('reports its own constants, each with a source', () => {
    expect(mesh.constants.length).toBe(4);
    for (const c of mesh.constants) {
      expect(c.path.startsWith(`${name}.`)).toBe(true);
      expect(c.source.length).toBeGreaterThan(0);
    }
  });
});

describe('mesh sidecars', () => {
  it('none adds exactly zero latency, CPU and memory', () => {
    const none = loadMesh('none');
    const xs = sortedDraws(none.addedLatency(), 'none', 100);
    expect(xs[0]).toBe(0);
    expect(xs[xs.length - 1]).toBe(0);
    expect(none.addedLatency().mean).toBe(0);
    expect(none.cpuPerRequestSeconds).toBe(0);
    expect(none.memoryBytesPerSidecar).toBe(0);
  });

  it('draws a lognormal through the profile\'s p90 and p99, within 10 %', () => {
    const istio = loadMesh('istio', { istio: { addedLatencyP90: '0.228ms', addedLatencyP99: '0.298ms' } });
    const xs = sortedDraws(istio.addedLatency(), 'istio', 40_000);
    expect(Math.abs(quantile(xs, 0.9) - 0.228e-3) / 0.228e-3).toBeLessThan(0.1);
    expect(Math.abs(quantile(xs, 0.99) - 0.298e-3) / 0.298e-3).toBeLessThan(0.1);
  });

  it('charges Istio 1.24\'s 0.20 vCPU per 1000 rps per sidecar and 60 MB', () => {
    const istio = loadMesh('istio');
    expect(istio.cpuPerRequestSeconds * 1000).toBeCloseTo(0.2, 9);
    expect(istio.memoryBytesPerSidecar).toBe(60e6);
  });

  it('linkerd adds less latency, CPU and memory than istio', () => {
    const istio = loadMesh('istio');
    const linkerd = loadMesh('linkerd');
    const istioDraws = sortedDraws(istio.addedLatency(), 'cmp/istio', 20_000);
    const linkerdDraws = sortedDraws(linkerd.addedLatency(), 'cmp/linkerd', 20_000);
    for (const q of [0.5, 0.9, 0.99]) expect(quantile(linkerdDraws, q)).toBeLessThan(quantile(istioDraws, q));
    // The derivation: 6 ms vs 17 ms added median latency on emojivoto at 2000 rps.
    expect(linkerd.addedLatency().mean / istio.addedLatency().mean).toBeCloseTo(6 / 17, 2);
    expect(linkerd.cpuPerRequestSeconds).toBeLessThan(istio.cpuPerRequestSeconds);
    expect(linkerd.memoryBytesPerSidecar).toBeLessThan(istio.memoryBytesPerSidecar);
  });

  it('takes Istio 1.20\'s 0.5 vCPU per 1000 rps as an override', () => {
    const istio = loadMesh('istio', { istio: { cpuPerRequest: '500us' } });
    expect(istio.cpuPerRequestSeconds).toBeCloseTo(500e-6, 12);
    expect(istio.constants.find((c) => c.path === 'istio.cpuPerRequest')?.overridden).toBe(true);
  });

  it('rejects a p99 below the p90', () => {
    expect(() => loadMesh('istio', { istio: { addedLatencyP99: '0.1ms' } })).toThrow(RangeError);
  });
});

describe('mesh sidecars through simulate()', () => {
  /** Two nodes, one client pod on node 0 sending 1000 requests/s to a pod on node 1 over kept-alive connections; a path with almost no spread. */
  const point = (mesh: 'none' | 'istio' | 'linkerd') =>
    simulate(
      networkSettings.parse({
        warmup: '1s',
        duration: '10s',
        mesh,
        cluster: { nodes: 2, coresPerNode: 8, podsPerNode: 2, services: 2, endpointsPerService: 1, detailedNodes: 'all' },
        profiles: { cni: { common: { oneWayP99OverMedian: 1.001 } } },
        workload: [{ clients: 1, target: 'svc-1', dnsName: 'clusterIP', ratePerClient: 1000, arrival: 'constant', connection: { keepAlive: { maxRequests: 1000000 } }, server: { serviceTime: '0s' } }],
      }),
      20240601,
    ).metrics;

  it('adds one draw of the hop\'s latency per request: on a steady path, duration quantiles shift by the sidecars\' own', () => {
    const none = point('none');
    const istio = point('istio');
    const own = (path: string) => duration().parse(loadMesh('istio').constants.find((c) => c.path === path)?.value);
    // Two independent half-draws per request would narrow the spread: p90 about 8 % low, p99 about 17 %.
    for (const [stat, sidecars] of [['p90', own('istio.addedLatencyP90')], ['p99', own('istio.addedLatencyP99')]] as const) {
      const added = istio[`request_duration_seconds.${stat}`] - none[`request_duration_seconds.${stat}`];
      expect(Math.abs(added - sidecars) / sidecars).toBeLessThan(0.04);
    }
  });

  it('on istio.io\'s test bed, request p90 and p99 with Istio minus without are the published +0.228 ms and +0.298 ms within 5 %', () => {
    // The path's own spread makes these differences smaller than the sidecars' own percentiles,
    // which calibration/calibrate-mesh.ts fits (on another seed) so that they come out as published.
    const testbed = meshTestbed(ISTIO_1_20_PERFORMANCE);
    const runs = new MeshRuns(testbed, testbed.seed, testbed.replications);
    for (const stat of ['p90', 'p99'] as const) {
      const added = runs.added('istio', stat);
      expect(Math.abs(added - ISTIO_1_20_ADDED[stat]) / ISTIO_1_20_ADDED[stat]).toBeLessThan(0.05);
    }
  });

  it('spends the sidecars\' CPU on the nodes without adding it to the request\'s latency', () => {
    const none = point('none');
    const istio = point('istio');
    const meanAdded = loadMesh('istio').addedLatency().mean;
    const added = istio['request_duration_seconds.mean'] - none['request_duration_seconds.mean'];
    expect(Math.abs(added - meanAdded) / meanAdded).toBeLessThan(0.03);
    // 2 sidecars × 200 µs × 1000 requests/s = 0.4 cores, over 2 nodes of 8 cores.
    const cores = (istio['node_cpu_utilization.mean'] - none['node_cpu_utilization.mean']) * 2 * 8;
    expect(cores).toBeCloseTo(0.4, 2);
  });
});
