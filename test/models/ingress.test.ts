// The ingress hop (models/ingress.ts) against its own arithmetic: a controller pod's cores are
// busy rate × cost / (replicas × cores) of the time; near and past that capacity its queue grows
// (an M/D/c queue's wait); each accepted client connection adds the kernel's per-connection
// CPU; kept-alive upstream connections leave far fewer new connections (and
// conntrack entries) than requests; sending to Pod IPs skips the Service's endpoint dispatch; and
// TLS adds handshake CPU once per new client connection.

import { describe, expect, it } from 'vitest';
import type { Metrics } from '../../models/metrics.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { networkSettings, simulate } from '../../models/simulate.js';

const SEED = 23;
/** ingress.yaml's nginx CPU per request, and its TLS handshakes. */
const NGINX_CPU = 200e-6;
const FULL_HANDSHAKE = 1e-3;
const RESUMED_HANDSHAKE = 100e-6;
/** kernel.yaml tcp.connectionSetup on the reference hardware. */
const CONNECTION_SETUP = 116e-6;

interface Options {
  rate: number;
  ingress?: Record<string, unknown>;
  connection?: unknown;
  spec?: Partial<NetworkSettingsInput>;
}

function run({ rate, ingress = {}, connection = { keepAlive: { maxRequests: 1000, idle: '60s' } }, spec = {} }: Options): Metrics {
  const clients = 100;
  const input = {
    warmup: 1,
    duration: 5,
    cluster: { nodes: 4, coresPerNode: 16, podsPerNode: 8, services: 1, endpointsPerService: 4, kernel: '6.1', detailedNodes: 'all' },
    ingress: { controller: 'nginx', replicas: 2, cpu: 2, ...ingress },
    workload: [{ name: 'internet', from: 'external', clients, ratePerClient: rate / clients, target: 'svc-0', connection }],
    ...spec,
  } as NetworkSettingsInput;
  return simulate(networkSettings.parse(input), SEED, 0).metrics;
}

describe('ingress controller CPU', () => {
  it('keeps rate × cost / (replicas × cores) of its cores busy', () => {
    for (const [rate, replicas, cores] of [
      [4000, 2, 2],
      [6000, 3, 1],
    ] as const) {
      const m = run({ rate, ingress: { replicas, cpu: cores } });
      const expected = (rate * NGINX_CPU) / (replicas * cores);
      expect(Math.abs(m['ingress_cpu_utilization.mean'] - expected) / expected).toBeLessThan(0.05);
      expect(Math.abs(m['ingress_cpu_cores.mean'] - rate * NGINX_CPU) / (rate * NGINX_CPU)).toBeLessThan(0.05);
      expect(m['ingress_requests_total.rate']).toBeGreaterThan(rate * 0.95);
    }
  });

  it('charges the kernel’s per-connection CPU to the pod for each client connection it accepts', () => {
    const rate = 2000;
    const kept = run({ rate });
    const perRequest = run({ rate, connection: 'new' });
    const accepted = perRequest['ingress_client_connections_opened_total.total'];
    // (counted on arrival and after the handshakes: the window's edges differ by a few)
    expect(Math.abs(accepted / perRequest['ingress_requests_total.total'] - 1)).toBeLessThan(1e-3);
    const extra = perRequest['ingress_cpu_cores.mean'] - kept['ingress_cpu_cores.mean'];
    expect(Math.abs(extra - rate * CONNECTION_SETUP) / (rate * CONNECTION_SETUP)).toBeLessThan(0.05);
  });

  it('follows a profile override of the CPU per request', () => {
    const m = run({ rate: 2000, spec: { profiles: { ingress: { nginx: { cpuPerRequest: '500us' } } } } });
    expect(Math.abs(m['ingress_cpu_cores.mean'] - 1) / 1).toBeLessThan(0.05);
  });

  it('queues near capacity and grows without bound past it', () => {
    // One pod of 2 cores: capacity 2 / 200 µs = 10,000 requests/s.
    const light = run({ rate: 3000, ingress: { replicas: 1 } });
    const heavy = run({ rate: 9500, ingress: { replicas: 1 } });
    const over = run({ rate: 12000, ingress: { replicas: 1 } });
    // Light load: hardly any wait, the time in the proxy is its processing.
    expect(light['ingress_request_duration_seconds.mean']).toBeLessThan(NGINX_CPU * 1.1);
    expect(light['ingress_request_duration_seconds.mean']).toBeGreaterThanOrEqual(NGINX_CPU * 0.999);
    expect(heavy['ingress_request_duration_seconds.mean']).toBeGreaterThan(2 * NGINX_CPU);
    expect(heavy['ingress_cpu_utilization.mean']).toBeGreaterThan(0.9);
    // Past capacity the cores are saturated and the backlog grows for the whole window:
    // at 12,000/s against 10,000/s, 2,000 requests/s pile up, about 0.2 s of wait per second.
    expect(over['ingress_cpu_utilization.mean']).toBeGreaterThan(0.99);
    expect(over['ingress_request_duration_seconds.max']).toBeGreaterThan(0.5);
    expect(over['request_duration_seconds.p99']).toBeGreaterThan(100 * light['request_duration_seconds.p99']);
  });
});

describe('upstream connections', () => {
  it('reuses kept-alive connections: far fewer new connections and conntrack entries than requests', () => {
    const pooled = run({ rate: 3000 });
    const none = run({ rate: 3000, ingress: { keepAlive: { connections: 0 } } });
    const requests = pooled['ingress_requests_total.total'];
    expect(pooled['ingress_upstream_connections_opened_total.total']).toBeLessThan(requests / 100);
    expect(pooled['ingress_upstream_connection_reuse_share.mean']).toBeGreaterThan(0.99);
    // Without a pool every request opens (and closes) its own connection to a backend.
    expect(none['ingress_upstream_connections_opened_total.total']).toBeGreaterThan(none['ingress_requests_total.total'] * 0.999);
    expect(none['ingress_upstream_connection_reuse_share.mean']).toBe(0);
    // Each closed connection holds its conntrack entry through TIME_WAIT: many more entries.
    expect(none['node_nf_conntrack_entries.mean']).toBeGreaterThan(20 * pooled['node_nf_conntrack_entries.mean']);
  });

  it('closes a connection after its maximum requests', () => {
    const m = run({ rate: 3000, ingress: { keepAlive: { requests: 10 } } });
    const opened = m['ingress_upstream_connections_opened_total.total'];
    const requests = m['ingress_requests_total.total'];
    expect(Math.abs(opened / requests - 0.1)).toBeLessThan(0.01);
  });

  it('to Pod IPs skips the Service dispatch that going through the ClusterIP pays', () => {
    // IPVS: a Service's first packet pays the virtual-server lookup; a Pod IP matches no virtual server.
    const spec = { proxy: { mode: 'ipvs' } } as Partial<NetworkSettingsInput>;
    const direct = run({ rate: 3000, ingress: { upstream: 'endpoints', keepAlive: { connections: 0 } }, spec });
    const clusterIp = run({ rate: 3000, ingress: { upstream: 'service', keepAlive: { connections: 0 } }, spec });
    const syncOnly = run({ rate: 0.001, ingress: { upstream: 'service' }, spec });
    expect(direct['proxy_cpu_cores.mean']).toBeCloseTo(syncOnly['proxy_cpu_cores.mean'], 6);
    expect(clusterIp['proxy_cpu_cores.mean']).toBeGreaterThan(direct['proxy_cpu_cores.mean']);
  });
});

describe('TLS termination', () => {
  it('adds the handshake CPU once per new client connection', () => {
    const rate = 2000;
    const plain = run({ rate, connection: 'new' });
    const tls = run({ rate, connection: 'new', ingress: { tls: { enabled: true } } });
    const resumed = run({ rate, connection: 'new', ingress: { tls: { enabled: true, sessionResumption: 0.5 } } });
    const kept = run({ rate, ingress: { tls: { enabled: true } } });
    const keptPlain = run({ rate });
    // Every request a new connection: the difference is rate × handshake.
    const full = tls['ingress_cpu_cores.mean'] - plain['ingress_cpu_cores.mean'];
    expect(Math.abs(full - rate * FULL_HANDSHAKE) / (rate * FULL_HANDSHAKE)).toBeLessThan(0.05);
    const half = resumed['ingress_cpu_cores.mean'] - plain['ingress_cpu_cores.mean'];
    const expected = rate * (0.5 * FULL_HANDSHAKE + 0.5 * RESUMED_HANDSHAKE);
    expect(Math.abs(half - expected) / expected).toBeLessThan(0.08);
    // Kept-alive clients (1000 requests each): the handshakes are × new-connection share.
    const share = kept['ingress_client_connections_opened_total.total'] / kept['ingress_requests_total.total'];
    expect(share).toBeLessThan(0.01);
    const keptDiff = kept['ingress_cpu_cores.mean'] - keptPlain['ingress_cpu_cores.mean'];
    expect(keptDiff).toBeLessThan(rate * FULL_HANDSHAKE * 0.02);
    // The client waits an extra round trip for the TLS handshake on each new connection.
    expect(tls['request_duration_seconds.p50']).toBeGreaterThan(plain['request_duration_seconds.p50']);
  });
});

describe('closed-loop clients', () => {
  it('send their next request as themselves, over their own connection to the controller', () => {
    const clients = 50;
    const input = {
      warmup: 0,
      duration: 3,
      cluster: { nodes: 4, coresPerNode: 16, podsPerNode: 8, services: 1, endpointsPerService: 4, kernel: '6.1', detailedNodes: 'all' },
      ingress: { controller: 'nginx', replicas: 2, cpu: 2 },
      workload: [{ name: 'internet', from: 'external', clients, closedLoop: { concurrency: 1, thinkTime: '10ms' }, target: 'svc-0', connection: { keepAlive: { maxRequests: 1000000, idle: '60s' } } }],
    } as NetworkSettingsInput;
    const m = simulate(networkSettings.parse(input), SEED, 0).metrics;
    expect(m['ingress_requests_total.total']).toBeGreaterThan(clients * 100);
    // One connection per client machine, opened once: none under the controller pods' ids.
    expect(m['ingress_client_connections_opened_total.total']).toBe(clients);
  });
});

describe('settings', () => {
  it('takes the API from the controller, rejects a mismatch, and an ingress with no external clients', () => {
    const base = { cluster: { nodes: 2, services: 1, endpointsPerService: 1, detailedNodes: 'all' }, workload: [{ name: 'w', from: 'external', clients: 1, ratePerClient: 1, target: 'svc-0' }] };
    expect(() => networkSettings.parse({ ...base, ingress: { api: 'Ingress', controller: 'istio' } })).toThrow(/Gateway API/);
    expect(networkSettings.parse({ ...base, ingress: { controller: 'istio' } }).ingress?.api).toBe('Gateway');
    expect(networkSettings.parse({ ...base, ingress: { controller: 'nginx' } }).ingress?.api).toBe('Ingress');
    expect(() => networkSettings.parse({ ...base, ingress: { api: 'Gateway', controller: 'nginx' } })).toThrow(/Ingress controller/);
    expect(networkSettings.parse({ ...base, ingress: { api: 'Gateway', controller: 'envoy-gateway' } }).ingress?.controller).toBe('envoy-gateway');
    expect(() => networkSettings.parse({ ...base, workload: [{ name: 'w', clients: 1, ratePerClient: 1 }], ingress: { controller: 'nginx' } })).toThrow(/from: external/);
  });
});
