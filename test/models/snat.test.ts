// The SNAT/MASQUERADE port-allocation race: collisions need racing bindings to one destination,
// rise with the rate, fall with more destinations, are cut by about the port range with
// --random-fully, and each costs the client at least the initial RTO.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../engine/random.js';
import { networkSettings, simulate } from '../../models/simulate.js';
import type { NetworkSettingsInput } from '../../models/settings.js';
import { collisionProbability, loadSnatProfile, samePortProbability, SnatRace, snatConfig } from '../../models/snat.js';

const profile = loadSnatProfile().values;
const OLD_KERNEL = '4.19';
const rover = snatConfig({ randomFully: false }, OLD_KERNEL, profile, 4);
const fully = snatConfig({ randomFully: true }, OLD_KERNEL, profile, 4);

/** Bindings from one node at `rate` per second (Poisson), each to one of `destinations` at random; the share that collides. */
function collisionShare(config: typeof rover, rate: number, destinations: number, count = 200_000): number {
  const streams = new RandomStreams(1, 0);
  const arrivals = streams.stream('test/arrivals');
  const race = new SnatRace(config, streams.stream('test/snat'));
  let now = 0;
  let collided = 0;
  for (let k = 0; k < count; k++) {
    now += -Math.log(1 - arrivals.next()) / rate;
    if (race.collides(0, Math.floor(arrivals.next() * destinations), now)) collided++;
  }
  return collided / count;
}

describe('the port a racing binding takes', () => {
  it('is the shared rover before Linux 5.0 with no flag, a random offset with --random-fully or from 5.0 on', () => {
    expect(samePortProbability({ randomFully: false }, OLD_KERNEL, profile)).toBe(profile.roverSamePort);
    expect(samePortProbability({ randomFully: true }, OLD_KERNEL, profile)).toBe(1 / profile.natPortRange);
    expect(samePortProbability({ randomFully: false }, '5.4', profile)).toBe(1 / profile.natPortRange);
    // Unset: kube-proxy and the CNIs add --random-fully.
    expect(samePortProbability({}, OLD_KERNEL, profile)).toBe(1 / profile.natPortRange);
    // Kernels before 3.13 have no --random-fully to add.
    expect(samePortProbability({ randomFully: true }, '3.10', profile)).toBe(profile.roverSamePort);
  });

  it('never collides with no other binding in flight, nor on a one-core node (softirq runs to the confirm)', () => {
    expect(collisionProbability(rover, 0)).toBe(0);
    expect(collisionProbability(snatConfig({ randomFully: false }, OLD_KERNEL, profile, 1), 5)).toBe(0);
  });

  it('collides with the chance some racing binding is on another core and takes the same port (analytic)', () => {
    const perPair = (rover.samePort * 3) / 4;
    expect(collisionProbability(rover, 2)).toBeCloseTo(1 - (1 - perPair) ** 2, 12);
    expect(collisionProbability(rover, 3)).toBeGreaterThan(collisionProbability(rover, 2));
  });
});

describe('collisions by rate, destinations and --random-fully', () => {
  it('vanish for a lone connection and rise with the rate to one destination', () => {
    const race = new SnatRace(rover, new RandomStreams(1, 0).stream('test/snat'));
    expect(race.collides(0, 0, 0)).toBe(false);
    expect(race.collides(0, 0, 1)).toBe(false); // the first has long been confirmed
    const low = collisionShare(rover, 2_000, 1);
    const high = collisionShare(rover, 20_000, 1);
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(low);
    // Few races at once: the share is about rate × window × (cores-1)/cores.
    const expected = 2_000 * rover.windowSeconds * 0.75;
    expect(low).toBeGreaterThan(expected * 0.8);
    expect(low).toBeLessThan(expected * 1.2);
  });

  it('fall by the number of destinations the same rate is spread over', () => {
    const one = collisionShare(rover, 20_000, 1);
    const ten = collisionShare(rover, 20_000, 10);
    expect(ten).toBeGreaterThan(one / 10 / 1.3);
    expect(ten).toBeLessThan(one / 10 * 1.3);
  });

  it('fall by about the port range with --random-fully', () => {
    const racing = 1;
    expect(collisionProbability(rover, racing) / collisionProbability(fully, racing)).toBeCloseTo(profile.natPortRange, 6);
  });

  it('are not drawn for bindings from different nodes', () => {
    const race = new SnatRace(rover, new RandomStreams(1, 0).stream('test/snat'));
    expect(race.collides(0, 0, 0)).toBe(false);
    expect(race.collides(1, 0, 0)).toBe(false);
  });
});

describe('the race through the whole simulation', () => {
  /** Many pods of one node calling one external API with new connections. */
  function spec(randomFully: boolean | undefined, external: boolean): NetworkSettingsInput {
    return {
      warmup: 0,
      duration: 20,
      cluster: { nodes: 1, coresPerNode: 8, podsPerNode: 40, services: 1, endpointsPerService: 1, kernel: OLD_KERNEL, detailedNodes: 1, masquerade: { randomFully } },
      workload: [{ clients: 40, ratePerClient: 100, connection: 'new', dnsName: external ? { external: { names: 1, dots: 2, zipf: 0 } } : 'clusterIP' }],
      dns: { resolver: { cache: 'ttl' } },
    };
  }
  const run = (input: NetworkSettingsInput) => simulate(networkSettings.parse(input), 3, 0).metrics;

  it('drops SYNs without --random-fully, each costing at least the initial RTO, and (almost) none with it', () => {
    const racy = run(spec(false, true));
    expect(racy['conntrack_insert_failed_total.total']).toBeGreaterThan(0);
    expect(racy['request_duration_seconds.max']).toBeGreaterThanOrEqual(1);
    const fixed = run(spec(true, true));
    expect(fixed['conntrack_insert_failed_total.total']).toBeLessThan(racy['conntrack_insert_failed_total.total'] / 100);
  });

  it('counts nothing with no traffic leaving the cluster', () => {
    // No cluster DNS runs there, so the counter may be absent altogether.
    expect(run(spec(false, false))['conntrack_insert_failed_total.total'] ?? 0).toBe(0);
  });
});
