// The cost model against real runs: points unlike the calibration points (bench/calibrate-estimate.ts),
// each run alone in a child process, must land within a factor of 2 of the estimate, in peak memory and events.

import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { networkSettings } from '../../models/settings.js';
import { pointCost } from '../../runner/estimate.js';

const SCRIPT = fileURLToPath(new URL('../../bench/calibrate-estimate.ts', import.meta.url));
/** The stated accuracy: estimate / real within [1/FACTOR, FACTOR]. */
const FACTOR = 2;

const POINTS: Record<string, Record<string, unknown>> = {
  'many Services and endpoints': {
    warmup: '1s',
    duration: '4s',
    cluster: { nodes: 8, detailedNodes: 4, podsPerNode: 20, services: 50_000, endpointsPerService: 5 },
    workload: [{ name: 'web', clients: '50%', ratePerClient: 20, connection: 'new' }],
  },
  'keep-alive load': {
    warmup: '1s',
    duration: '8s',
    cluster: { nodes: 4, detailedNodes: 4, podsPerNode: 20, services: 200, endpointsPerService: 3 },
    workload: [{ name: 'web', clients: 40, ratePerClient: 100, connection: { keepAlive: { maxRequests: 50, idle: '30s' } } }],
  },
  'new connections filling conntrack': {
    warmup: 0,
    duration: '10s',
    cluster: { nodes: 4, detailedNodes: 4, podsPerNode: 20, services: 100, endpointsPerService: 3 },
    workload: [{ name: 'web', clients: 40, ratePerClient: 1000, connection: 'new', dnsName: 'clusterIP' }],
  },
};

function measure(input: unknown): { events: number; peakAboveStart: number } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', SCRIPT, 'json', JSON.stringify(input)], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as { events: number; peakAboveStart: number };
}

describe('the cost model', () => {
  for (const [name, input] of Object.entries(POINTS)) {
    it(`estimates ${name} within ×${FACTOR} of a real run, in memory and in events`, () => {
      const estimate = pointCost(networkSettings.parse(input));
      const real = measure(input);
      // What the test measures is printed, so that the closing figures can be quoted.
      console.log(`${name}: memory estimate ${(estimate.bytes / 1e6).toFixed(1)} MB, real ${(real.peakAboveStart / 1e6).toFixed(1)} MB; events estimate ${Math.round(estimate.events)}, real ${real.events}`);
      expect(estimate.bytes / real.peakAboveStart).toBeGreaterThan(1 / FACTOR);
      expect(estimate.bytes / real.peakAboveStart).toBeLessThan(FACTOR);
      expect(estimate.events / real.events).toBeGreaterThan(1 / FACTOR);
      expect(estimate.events / real.events).toBeLessThan(FACTOR);
    }, 120_000);
  }

  it('costs a hostile point in closed form, at once, without building anything', () => {
    const started = performance.now();
    const cost = pointCost(networkSettings.parse({ cluster: { nodes: 131_072, detailedNodes: 'all', podsPerNode: 4_194_304, services: 2 ** 20, endpointsPerService: 1e9 } }));
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(cost.bytes).toBeGreaterThan(1e12);
    expect(cost.terms[0].setting).toBe('cluster.endpointsPerService');
  });
});
