// Whole simulation points: what one sweep point costs at 100 and at 5,000 nodes (the latter with
// 16 detailed nodes, so that it should cost about the same), with peak memory.

import { networkSettings, simulate } from '../models/simulate.js';
import { medianOf, type BenchResult } from './measure.js';

/** 30 pods per node, 5,000 services, iptables, a new connection per request at 10 requests/s per pod, 60 s. */
function pointSettings(nodes: number, detailedNodes: number | 'all') {
  return networkSettings.parse({
    warmup: '0s',
    duration: '60s',
    cluster: { nodes, podsPerNode: 30, services: 5000, detailedNodes },
    proxy: { mode: 'iptables' },
    workload: [{ name: 'web', clients: '100%', ratePerClient: 10, connection: 'new' }],
  });
}

/** Runs the point benchmarks whose name `wanted` accepts (peak memory is the process's so far). */
export function pointBenchmarks(runs: number, wanted: (name: string) => boolean = () => true): BenchResult[] {
  const results: BenchResult[] = [];
  const cases: [string, number, number | 'all'][] = [
    ['point-100-nodes', 100, 'all'],
    ['point-5000-nodes', 5000, 16],
  ];
  for (const [name, nodes, detailed] of cases) {
    if (!wanted(name)) continue;
    const settings = pointSettings(nodes, detailed);
    const result = medianOf(name, runs, () => {
      const start = performance.now();
      const { events } = simulate(settings, 1, 0);
      return { events, wallSec: (performance.now() - start) / 1000 };
    });
    results.push({ ...result, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) });
  }
  return results;
}
