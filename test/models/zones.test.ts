import { describe, it, expect } from 'vitest';
import { RandomStreams } from '../../engine/random.js';
import { Cluster, clusterSettings } from '../../models/cluster.js';
import { cloudCniNames, loadCni, type CniName } from '../../models/cni.js';
import { networkSettings, simulate } from '../../models/simulate.js';

const SEED = 20261204;
const CLOUD = cloudCniNames as CniName[];

function cluster(settings: Record<string, unknown>): Cluster {
  return new Cluster(clusterSettings.parse(settings), new RandomStreams(SEED, 0).stream('test/zones'));
}

/** Six nodes, one client pod on each at the same Poisson rate (so each zone sends the same share), Services of `endpoints` endpoints on consecutive nodes; a new connection per request. */
function sixNodes(cluster: Record<string, unknown>, endpoints: number) {
  return simulate(
    networkSettings.parse({
      warmup: '0.2s',
      duration: '2s',
      cluster: { nodes: 6, coresPerNode: 8, podsPerNode: 5, services: 4, endpointsPerService: endpoints, detailedNodes: 'all', cni: 'aws-vpc-cni', ...cluster },
      proxy: { mode: 'iptables' },
      workload: [{ clients: 6, target: 'svc-0', dnsName: 'clusterIP', ratePerClient: 500, connection: 'new', cpuPerRequest: { client: '0s', server: '0s' }, server: { workers: 4, serviceTime: '0s' } }],
    }),
    SEED,
  ).metrics;
}

describe('zone placement', () => {
  it('spreads nodes round-robin over zones by default, so consecutive nodes sit in different zones', () => {
    const c = cluster({ nodes: 7, zones: 3 });
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => c.zoneOf(n))).toEqual([0, 1, 2, 0, 1, 2, 0]);
  });

  it('packs contiguous blocks of nodes into each zone, block sizes differing by at most one', () => {
    const c = cluster({ nodes: 10, zones: 3, zonePlacement: 'packed' });
    const zones = Array.from({ length: 10 }, (_, n) => c.zoneOf(n));
    for (let n = 1; n < 10; n++) expect(zones[n]).toBeGreaterThanOrEqual(zones[n - 1]);
    const sizes = [0, 1, 2].map((z) => zones.filter((x) => x === z).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(10);
  });

  it('names a path cross-zone exactly when the two nodes are in different zones', () => {
    const c = cluster({ nodes: 6, zones: 3 });
    expect(c.pathKind(0, 0)).toBe('same-node');
    expect(c.pathKind(0, 3)).toBe('cross-node');
    expect(c.pathKind(0, 1)).toBe('cross-zone');
  });
});

describe('share of requests that cross zones', () => {
  it('is (zones − 1) / zones with uniform spreading and one endpoint per zone', () => {
    // Three endpoints on consecutive nodes, one in each of 3 zones; each client picks uniformly.
    const share = sixNodes({ zones: 3 }, 3)['requests_cross_zone_share.mean'];
    expect(Math.abs(share - 2 / 3)).toBeLessThan(0.03);
  });

  it('is 0 in one zone', () => {
    expect(sixNodes({ zones: 1 }, 3)['requests_cross_zone_share.mean']).toBe(0);
  });

  it('falls to 0 with trafficDistribution PreferClose when every zone has endpoints', () => {
    expect(sixNodes({ zones: 3, trafficDistribution: 'PreferClose' }, 3)['requests_cross_zone_share.mean']).toBe(0);
  });

  it('falls back to every endpoint when the client\'s zone has none (kube-proxy ignores the hints)', () => {
    // Packed: 2 nodes a zone; one endpoint on node 0 (zone 0): clients in zones 1 and 2 must cross.
    const m = sixNodes({ zones: 3, zonePlacement: 'packed', trafficDistribution: 'PreferClose' }, 1);
    expect(Math.abs(m['requests_cross_zone_share.mean'] - 2 / 3)).toBeLessThan(0.05);
    expect(m['request_outcomes_total{outcome=refused}.total']).toBe(0);
  });

  it('costs latency: keeping traffic in its zone lowers the mean request duration', () => {
    const spread = sixNodes({ zones: 3 }, 3)['request_duration_seconds.mean'];
    const close = sixNodes({ zones: 3, trafficDistribution: 'PreferClose' }, 3)['request_duration_seconds.mean'];
    expect(close).toBeLessThan(spread);
  });
});

describe.each(CLOUD)('cloud CNI profile %s', (name) => {
  const path = loadCni(name);

  it('orders mean one-way latency: same node < same zone < cross zone', () => {
    expect(path.oneWayLatency('same-node').mean).toBeLessThan(path.oneWayLatency('cross-node').mean);
    expect(path.oneWayLatency('cross-node').mean).toBeLessThan(path.oneWayLatency('cross-zone').mean);
  });

  it('never streams faster than its instance NIC carries payload', () => {
    const nic = path.constants.find((c) => c.path === `${name}.nicBitRate`);
    const mtu = path.constants.find((c) => c.path === `${name}.underlayMtu`);
    expect(nic).toBeDefined();
    expect(mtu).toBeDefined();
    const nicBps = Number.parseFloat(String(nic!.value)) * 1e9;
    const goodput = (nicBps * path.mssBytes) / (Number.parseInt(String(mtu!.value), 10) + 38);
    expect(path.nodeBps).toBeLessThanOrEqual(goodput * (1 + 1e-12));
    expect(path.singleStreamBps).toBeLessThanOrEqual(path.nodeBps * (1 + 1e-12));
    // The CPU bounds lie above these NICs: the NIC binds.
    expect(path.nodeBps).toBeCloseTo(goodput, -3);
  });

  it('uses its own underlay and zone hop, not the bare-metal common ones', () => {
    const paths = path.constants.map((c) => c.path);
    expect(paths).not.toContain('common.nicBitRate');
    expect(paths).not.toContain('common.underlayMtu');
    expect(paths.some((p) => p.startsWith('common.zoneOneWay'))).toBe(false);
    expect(paths).toContain('common.ethernetFramingBytes');
  });

  it('scales its NIC bound with an instance-type override', () => {
    const slower = loadCni(name, { [name]: { nicBitRate: '5Gbit/s' } });
    expect(slower.nodeBps).toBeLessThan(path.nodeBps);
    expect(slower.nodeBps).toBeCloseTo((5e9 * slower.mssBytes) / (slower.mtu + slower.encapBytes + 38), -3);
  });
});

describe('a cloud transfer through simulate()', () => {
  it('moves 100 MB across zones no faster than the instance NIC allows', () => {
    const m = simulate(
      networkSettings.parse({
        warmup: '0.2s',
        duration: '3s',
        cluster: { nodes: 2, coresPerNode: 8, podsPerNode: 2, services: 2, endpointsPerService: 1, detailedNodes: 'all', cni: 'aws-vpc-cni', zones: 2 },
        proxy: { mode: 'iptables' },
        workload: [{ clients: 1, target: 'svc-1', dnsName: 'clusterIP', closedLoop: { concurrency: 1 }, connection: { keepAlive: { maxRequests: 1000 } }, requestSize: '100MB', responseSize: '0B', cpuPerRequest: { client: '0s', server: '0s' }, server: { workers: 1, serviceTime: '0s' } }],
      }),
      SEED,
    ).metrics;
    const bps = 8e8 / m['request_duration_seconds.mean'];
    const path = loadCni('aws-vpc-cni');
    expect(bps).toBeLessThan(path.nodeBps);
    expect(bps).toBeGreaterThan(0.95 * path.nodeBps);
    expect(m['requests_cross_zone_share.mean']).toBe(1);
  });
});
