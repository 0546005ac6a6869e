// The conntrack DNS race (docs/architecture.md, "Cluster DNS"): glibc and musl send a candidate's A and AAAA from one UDP
// socket at once; both packets miss conntrack, each gets an unconfirmed entry for the same original
// tuple, and DNAT may send them to different CoreDNS endpoints. When the second entry is confirmed
// the kernel either resolves the clash or drops the packet (insert_failed), and the resolver waits
// its timeout. Which clashes drop depends on the kernel:
//   before 4.19   every clash drops;
//   4.19          ed07d9a021df merges clashing entries with identical tuples (same endpoint), but an
//                 entry confirmed before the other's NAT lookup still drops until
//   5.0           4e35c1cb9460 skips NAT clash resolution for same-origin entries;
//   5.7           6a757c07e51f inserts a clash with a different DNAT target (1 s timeout) instead of
//                 dropping it: the multi-endpoint case is gone.
// How often a pair clashes at all has no published rate: profiles/dns.yaml race.pairCollisionProbability
// is an assumption, and every result that depends on it says so. The race needs a parallel pair on
// one socket through netfilter DNAT: never with single-request(-reopen), Go, TCP, NodeLocal
// DNSCache (NOTRACK) or eBPF socket load balancing (translated at connect(), no DNAT per packet).

import { compareKernel } from '../kernel.js';
import type { DnsProfile } from './settings.js';

/**
 * The probability that a parallel same-socket A/AAAA pair sent through DNAT to `endpoints` CoreDNS
 * endpoints loses one packet, on `kernel` ("major.minor"). The two packets pick the same endpoint
 * with probability 1/endpoints (random DNAT), and a clash drops with the kernel's share for that case.
 */
export function dnsRaceProbability(race: DnsProfile['race'], kernel: string, endpoints: number): number {
  if (!(endpoints >= 1)) return 0;
  const sameShare =
    compareKernel(kernel, race.sameEndpointFixedIn) >= 0
      ? 0
      : compareKernel(kernel, race.sameEndpointPartiallyFixedIn) >= 0
        ? race.sameEndpointDropShareBetweenFixes
        : 1;
  const differentShare = compareKernel(kernel, race.differentEndpointFixedIn) >= 0 ? 0 : 1;
  const same = 1 / endpoints;
  return race.pairCollisionProbability * (same * sameShare + (1 - same) * differentShare);
}
