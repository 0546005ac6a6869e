// The small cluster the DNS simulation tests run on, and one run's metrics at a fixed seed.

import type { NetworkSettingsInput } from '../../../models/settings.js';
import { networkSettings, simulate } from '../../../models/simulate.js';

const SEED = 7;

export function run(input: NetworkSettingsInput, replication = 0): Record<string, number> {
  return simulate(networkSettings.parse(input), SEED, replication).metrics;
}

/** 8 nodes of 6 pods, every node detailed, half the pods looking up a short name 5 times a second. */
export const small = (extra: Partial<NetworkSettingsInput> = {}): NetworkSettingsInput => ({
  warmup: '2s',
  duration: '10s',
  cluster: { nodes: 8, podsPerNode: 6, services: 50, detailedNodes: 'all' },
  workload: [{ clients: '50%', ratePerClient: 5 }],
  ...extra,
});
