// Replica stickiness of long-lived UDP sockets (dnsperf's) against its own physics: a socket keeps
// its replica while its conntrack entry lives; S sockets over R replicas load the busiest replica
// with the expected maximum occupancy of S balls in R bins, over S; per-lookup sockets (the
// resolver's) spread towards 1/R.

import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../../../engine/random.js';
import { StickySockets } from '../../../models/dns/sticky-sockets.js';
import { networkSettings } from '../../../models/settings.js';
import { run, small } from './simulate-fixture.js';

/** A conntrack table that counts entries and refuses past `limit`. */
function table(limit = Infinity) {
  return {
    live: 0,
    released: 0,
    udpOpen(): boolean {
      if (this.live >= limit) return false;
      this.live++;
      return true;
    },
    udpUnanswered(): void {
      this.live--;
      this.released++;
    },
  };
}

/** E[max occupancy] / S for S balls thrown uniformly into R bins, by enumerating all R^S outcomes. */
function expectedBusiestShare(sockets: number, replicas: number): number {
  let sum = 0;
  const outcomes = replicas ** sockets;
  for (let o = 0; o < outcomes; o++) {
    const bins = new Array<number>(replicas).fill(0);
    for (let s = 0, x = o; s < sockets; s++, x = Math.floor(x / replicas)) bins[x % replicas]++;
    sum += Math.max(...bins);
  }
  return sum / outcomes / sockets;
}

describe('a long-lived socket through a Service', () => {
  it('keeps its replica for every query while its entry lives, and makes one entry', () => {
    const sockets = new StickySockets(120);
    const flows = table();
    let draws = 0;
    const pick = (): number => (draws++ % 2 === 0 ? 2 : 0);
    const first = sockets.route(7, 0, flows, pick);
    for (let t = 1; t <= 1000; t++) expect(sockets.route(7, t * 0.1, flows, pick)).toBe(first);
    expect(draws).toBe(1);
    expect(flows.live).toBe(1);
    expect(sockets.opened).toBe(1);
  });

  it('draws a new replica once the entry expired over an idle gap longer than the timeout, releasing the old entry', () => {
    const sockets = new StickySockets(120);
    const flows = table();
    const replicas = [1, 3];
    sockets.route(1, 0, flows, () => replicas.shift()!);
    expect(sockets.route(1, 120, flows, () => 9)).toBe(1);
    expect(sockets.route(1, 240.5, flows, () => replicas.shift()!)).toBe(3);
    expect(flows.released).toBe(1);
    expect(flows.live).toBe(1);
  });

  it('loses the query when a full table refuses the socket’s first packet', () => {
    const sockets = new StickySockets(120);
    expect(sockets.route(1, 0, table(0), () => 0)).toBe(-1);
    expect(sockets.opened).toBe(0);
  });

  it.each([
    [1, 3],
    [2, 2],
    [4, 3],
    [4, 15],
  ])('puts on the busiest replica the expected max occupancy of %i sockets in %i replicas, over the sockets', (s, r) => {
    const rng = new RandomStreams(11, 0).stream('test/sticky');
    const trials = 4000;
    let sum = 0;
    for (let trial = 0; trial < trials; trial++) {
      const sockets = new StickySockets(120);
      const bins = new Array<number>(r).fill(0);
      for (let k = 0; k < s; k++) bins[sockets.route(k, 0, table(), () => Math.floor(rng.next() * r))]++;
      sum += Math.max(...bins) / s;
    }
    const expected = expectedBusiestShare(s, r);
    // The share lies in [1/S, 1]: its standard deviation is at most (1 − 1/S)/2, the mean's /√trials.
    expect(Math.abs(sum / trials - expected)).toBeLessThan((4 * 0.5) / Math.sqrt(trials));
    expect(expected).toBeGreaterThanOrEqual(Math.max(1 / r, 1 / s) - 1e-12);
  });
});

describe('dnsperf and resolver clients against 3 CoreDNS replicas', () => {
  const three = { coredns: { replicas: 3, cpu: 1 } };

  it('sends all of one dnsperf socket’s queries to one replica, with one conntrack entry', () => {
    const m = run(small({ dns: three, workload: [{ clients: 1, target: 'svc-0', closedLoop: { concurrency: 20 }, dns: { mode: 'raw' } }] }));
    expect(m['dns_client_answered_total.total']).toBeGreaterThan(1000);
    expect(m['coredns_replica_requests_share.max']).toBe(1);
    expect(m['coredns_replicas_receiving.max']).toBe(1);
    // The client node holds the socket's entry, not one per query.
    expect(m['node_nf_conntrack_entries.max']).toBeLessThan(5);
  });

  it('reaches at most as many replicas as the client has sockets', () => {
    const m = run(small({ dns: { coredns: { replicas: 15, cpu: 1 } }, workload: [{ clients: 1, target: 'svc-0', closedLoop: { concurrency: 4 }, dns: { mode: 'raw', sockets: 4 } }] }));
    expect(m['coredns_replicas_receiving.max']).toBeLessThanOrEqual(4);
    expect(m['coredns_replica_requests_share.max']).toBeGreaterThanOrEqual(0.25 - 0.01);
  });

  it('spreads per-lookup sockets (the resolver’s) towards 1/R', () => {
    const m = run(small({ dns: three, workload: [{ clients: '50%', ratePerClient: 20, dns: { queries: [{ name: 'fqdn' }] } }] }));
    // 24 pods × 20/s × 10 s ≈ 4,800 lookups: the busiest of 3 multinomial shares is within a few % of 1/3.
    expect(m['coredns_replicas_receiving.max']).toBe(3);
    expect(m['coredns_replica_requests_share.max']).toBeLessThan(1 / 3 + 0.03);
  });
});

describe('NodeLocal DNSCache forwarding cluster-zone misses to 3 replicas', () => {
  // One client pod asking the short names of 50 Services: the agent misses each name once per 30 s.
  const agent = (forceTcp: boolean) => run(small({ dns: { coredns: { replicas: 3, cpu: 1 }, nodeLocal: { enabled: true, forceTcp } }, workload: [{ clients: 1, ratePerClient: 200, dnsName: 'short', target: 'uniform' }] }));

  it('over UDP sends all of a node’s misses to the one replica its pooled socket is pinned to', () => {
    const m = agent(false);
    expect(m['coredns_dns_requests_total.total']).toBeGreaterThan(50);
    expect(m['coredns_replica_requests_share.max']).toBe(1);
  });

  it('over TCP (force_tcp) spreads them over the replicas', () => {
    const m = agent(true);
    expect(m['coredns_replicas_receiving.max']).toBe(3);
    expect(m['coredns_replica_requests_share.max']).toBeLessThan(0.6);
  });
});

describe('the sockets setting', () => {
  it('applies to raw mode only: the resolver opens a socket per lookup', () => {
    const parsed = networkSettings.safeParse({ workload: [{ clients: 1, dns: { mode: 'resolver', sockets: 2 } }] });
    expect(parsed.success).toBe(false);
    expect(networkSettings.safeParse({ workload: [{ clients: 1, dns: { mode: 'raw', sockets: 256 } }] }).success).toBe(true);
    expect(networkSettings.safeParse({ workload: [{ clients: 1, dns: { mode: 'raw', sockets: 257 } }] }).success).toBe(false);
  });
});

