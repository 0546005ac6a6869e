// Whole simulation points: what one sweep point costs at 100 and at 5,000 nodes (the latter with
// 16 detailed nodes, so that it should cost about the same), with peak memory.

import { networkSettings, simulate } from '../models/simulate.js';
import { medianOf, type BenchResult } from './measure.js';

/** 30 pods per node, 5,000 services, iptables, a new connection per request at 10 requests/s per pod, 60 s. */
function pointSettings(nodes: number, detailedNodes: number | 'all') {
  return networkSettings.parse({
    // Connections by ClusterIP: these points time the TCP path (point-dns-1000-nodes times DNS).
    warmup: '0s',
    duration: '60s',
    cluster: { nodes, podsPerNode: 30, services: 5000, detailedNodes },
    proxy: { mode: 'iptables' },
    workload: [{ name: 'web', clients: '100%', ratePerClient: 10, connection: 'new', dnsName: 'clusterIP' }],
  });
}

/** Runs the point benchmarks whose name `wanted` accepts (peak memory is the process's so far). */
/** 1,000 nodes (16 detailed), 30 pods each making 5 external lookups/s (ndots 5, one node search domain), 3 CoreDNS replicas. */
export function dnsPointSettings(durationSeconds = 60) {
  return networkSettings.parse({
    warmup: '0s',
    duration: `${durationSeconds}s`,
    cluster: { nodes: 1000, podsPerNode: 30, services: 1000, detailedNodes: 16 },
    dns: { coredns: { replicas: 3 }, resolver: { ndots: 5, nodeSearchDomains: ['ec2.internal'], cache: 'none' } },
    workload: [{ name: 'lookups', clients: '100%', ratePerClient: 5, dnsName: { external: 'api.example.com' } }],
  });
}

export function pointBenchmarks(runs: number, wanted: (name: string) => boolean = () => true): BenchResult[] {
  const results: BenchResult[] = [];
  const cases: [string, number, number | 'all'][] = [
    ['point-100-nodes', 100, 'all'],
    ['point-5000-nodes', 5000, 16],
  ];
  const all: [string, ReturnType<typeof pointSettings>][] = cases.map(([name, nodes, detailed]) => [name, pointSettings(nodes, detailed)]);
  all.push(['point-dns-1000-nodes', dnsPointSettings()]);
  for (const [name, settings] of all) {
    if (!wanted(name)) continue;
    const result = medianOf(name, runs, () => {
      const start = performance.now();
      const { events } = simulate(settings, 1, 0);
      return { events, wallSec: (performance.now() - start) / 1000 };
    });
    results.push({ ...result, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) });
  }
  return results;
}
