import { describe, it, expect } from 'vitest';
import { dnsRaceProbability } from '../../../models/dns/race.js';
import { loadDnsProfile } from '../../../models/dns/settings.js';

const loaded = loadDnsProfile();
const race = loaded.values.race;
const p = race.pairCollisionProbability;

describe('the conntrack DNS race by kernel', () => {
  it('drops every clash before 4.19', () => {
    expect(dnsRaceProbability(race, '4.14', 1)).toBeCloseTo(p, 12);
    expect(dnsRaceProbability(race, '4.14', 3)).toBeCloseTo(p, 12);
  });

  it('resolves half the same-endpoint clashes from 4.19 and all of them from 5.0', () => {
    // Two endpoints: same endpoint with probability 1/2.
    expect(dnsRaceProbability(race, '4.19', 2)).toBeCloseTo(p * (0.5 * 0.5 + 0.5), 12);
    expect(dnsRaceProbability(race, '5.4', 2)).toBeCloseTo(p * 0.5, 12);
    expect(dnsRaceProbability(race, '5.4', 1)).toBe(0);
  });

  it('is gone from 5.7, where clashing entries with another DNAT target are inserted', () => {
    expect(dnsRaceProbability(race, '5.7', 3)).toBe(0);
    expect(dnsRaceProbability(race, '6.1', 10)).toBe(0);
  });

  it('is an assumption, named as such in the profile', () => {
    const record = loaded.constants.find((c) => c.path === 'race.pairCollisionProbability');
    expect(record?.assumption).toBe(true);
  });
});
