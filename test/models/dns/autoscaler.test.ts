import { describe, it, expect } from 'vitest';
import { corednsReplicas, linearReplicas, type LinearParams } from '../../../models/dns/autoscaler.js';
import { dnsSettings, loadDnsProfile } from '../../../models/dns/settings.js';

// The dns-horizontal-autoscaler addon's parameters (kubernetes cluster/addons/dns-horizontal-autoscaler).
const ADDON: LinearParams = { coresPerReplica: 256, nodesPerReplica: 16, min: 1, preventSinglePointFailure: true };
// linear_controller_test.go TestScaleFromMultipleParams's parameters.
const CPA_TEST: LinearParams = { coresPerReplica: 2, nodesPerReplica: 2.5, min: 1, max: 100, preventSinglePointFailure: true };

// Expected values by hand from the README's equation: max(ceil(cores/cpr), ceil(nodes/npr)),
// then min(·, max), max(·, min), then at least 2 when preventSinglePointFailure and nodes > 1.
const TABLE: Array<[string, number, number, LinearParams, number]> = [
  // label                                   nodes cores  params  replicas
  ['addon, 1 node of 4 cores', 1, 4, ADDON, 1], // max(1, 1) = 1; one node: no floor of 2
  ['addon, 2 nodes', 2, 8, ADDON, 2], // max(1, 1) = 1, raised to 2 (more than one node)
  ['addon, 16 nodes of 8 cores', 16, 128, ADDON, 2], // max(1, 1) = 1 -> 2
  ['addon, 17 nodes', 17, 136, ADDON, 2], // max(1, 2) = 2
  ['addon, 100 nodes of 8 cores', 100, 800, ADDON, 7], // max(ceil(3.125)=4, ceil(6.25)=7) = 7
  ['addon, 1000 nodes of 8 cores', 1000, 8000, ADDON, 63], // max(ceil(31.25)=32, ceil(62.5)=63)
  ['addon, 5000 nodes of 64 cores', 5000, 320000, ADDON, 1250], // max(1250, ceil(312.5)=313)
  ['addon with max 20', 5000, 320000, { ...ADDON, max: 20 }, 20], // min(1250, 20)
  ['addon with min 3, one node', 1, 2, { ...ADDON, min: 3 }, 3], // max(1, 3)
  ['addon without preventSinglePointFailure', 2, 8, { ...ADDON, preventSinglePointFailure: false }, 1],
  ['nodes only', 40, 0, { nodesPerReplica: 16 }, 3], // ceil(2.5)
  ['cores only', 40, 320, { coresPerReplica: 100 }, 4], // ceil(3.2)
  ['max 1 with preventSinglePointFailure, 3 nodes', 3, 12, { ...ADDON, max: 1 }, 2], // floor of 2 applied last
  // linear_controller_test.go TestScaleFromMultipleParams rows (cores, nodes) -> replicas:
  ['CPA test 0 cores 0 nodes', 0, 0, CPA_TEST, 1],
  ['CPA test 1 core 2 nodes', 2, 1, CPA_TEST, 2],
  ['CPA test 2 cores 3 nodes', 3, 2, CPA_TEST, 2],
  ['CPA test 6 cores 4 nodes', 4, 6, CPA_TEST, 3],
  ['CPA test 8 cores 15 nodes', 15, 8, CPA_TEST, 6],
  ['CPA test 8 cores 16 nodes', 16, 8, CPA_TEST, 7],
  ['CPA test 19 cores 21 nodes', 21, 19, CPA_TEST, 10],
  ['CPA test 23 cores 20 nodes', 20, 23, CPA_TEST, 12],
  ['CPA test 26 cores 38 nodes', 38, 26, CPA_TEST, 16],
  ['CPA test 30 cores 49 nodes', 49, 30, CPA_TEST, 20],
  ['CPA test 40 cores 20 nodes', 20, 40, CPA_TEST, 20],
];

describe('cluster-proportional-autoscaler, linear mode', () => {
  it.each(TABLE)('%s: %i nodes, %i cores', (_label, nodes, cores, params, replicas) => {
    expect(linearReplicas(nodes, cores, params)).toBe(replicas);
  });

  it('needs coresPerReplica or nodesPerReplica', () => {
    expect(() => linearReplicas(3, 12, { min: 1 })).toThrow(RangeError);
  });

  it('uses the addon defaults from settings and keeps a fixed replica count as is', () => {
    const settings = dnsSettings.parse({ coredns: { replicas: 'autoscaler' } }).coredns;
    const profile = loadDnsProfile().values.autoscaler;
    expect(settings.autoscaler).toMatchObject({ coresPerReplica: profile.coresPerReplica, nodesPerReplica: profile.nodesPerReplica, min: profile.min, preventSinglePointFailure: profile.preventSinglePointFailure });
    expect(corednsReplicas(settings.replicas, settings.autoscaler, 1000, 8000)).toBe(63);
    expect(corednsReplicas(3, settings.autoscaler, 1000, 8000)).toBe(3);
  });
});
