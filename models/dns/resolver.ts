// The pod's stub resolver as pure logic: which names it tries for a lookup, in which order, how
// many queries and round trips that costs, and how long it waits for a lost query. No simulation
// here; the request path walks a LookupPlan and sends the queries. Leaves out /etc/hosts, EDNS and
// TCP fallback (no answer here is truncated).
//
// Libraries, each from its source (constants and sources in profiles/dns.yaml):
//   glibc  res_query.c __res_context_search: a trailing dot: the name only; dots >= ndots: the name
//          as is, then each search suffix; fewer: each suffix, then the name. NODATA moves on.
//          res_send.c send_dg: A and AAAA together on one UDP socket (sendmmsg); `single-request`
//          sends AAAA after A's reply on the same socket, `single-request-reopen` on a new socket.
//   musl   lookup_name.c name_from_dns_search: at or above ndots (or a trailing dot) the name only,
//          never the search list; below, each suffix then the name. A NOERROR reply without
//          addresses ends the search. A and AAAA in parallel on one socket; single-request options
//          are not parsed. res_msend.c: every nameserver at once, resent every timeout/attempts.
//   go     net/dnsclient_unix.go nameList: glibc's order. A and AAAA from two goroutines, each on
//          its own UDP connection (so never the conntrack race); single-request(-reopen) makes them
//          sequential, still one connection per query.
// Every library asks A and AAAA for each candidate and accepts it when either reply has an address,
// so an IPv4-only Service (A exists, AAAA is NOERROR/NODATA) answers on its first matching candidate.

import { countDots, stripTrailingDot } from './names.js';

export type RequestOption = 'none' | 'single-request' | 'single-request-reopen';

/**
 * How a candidate's A and AAAA queries go out. Only `parallel-same-socket` lets the two packets race
 * for one conntrack tuple through DNAT (race.ts): with `sequential-same-socket` the AAAA finds
 * the A's entry already confirmed; the other modes use two source ports.
 */
export type PairMode = 'parallel-same-socket' | 'parallel-separate-sockets' | 'sequential-same-socket' | 'sequential-new-socket';

/** A library's documented behaviour (profiles/dns.yaml `libraries.<name>`, units parsed). */
export interface LibraryBehaviour {
  timeout: number;
  attempts: number;
  ndots: number;
  maxNameservers: number;
  pair: 'parallel-same-socket' | 'parallel-separate-sockets';
  honoursSingleRequest: boolean;
  asIsFirstThenSearch: boolean;
  stopsOnNoData: boolean;
  rotates: boolean;
  retransmit: 'per-server-scaled' | 'per-server' | 'all-servers-every-interval';
  sequentialRetryAfterPartialTimeout: boolean;
}

/** The parts of a pod's /etc/resolv.conf the resolver reads. */
export interface ResolvConf {
  /** Search suffixes in order, without trailing dots. */
  search: readonly string[];
  ndots: number;
  options: RequestOption;
  nameservers: number;
  timeoutSeconds: number;
  attempts: number;
  rotate: boolean;
}

/**
 * A ClusterFirst pod's resolv.conf as kubelet writes it: `search <ns>.svc.<domain> svc.<domain>
 * <domain>` followed by the node's search domains, `options ndots:<n>`, one nameserver (the
 * kube-dns ClusterIP, or NodeLocal DNSCache's link-local address).
 */
export function podResolvConf(
  namespace: string,
  resolver: { ndots: number; nodeSearchDomains: readonly string[]; options: RequestOption; timeout: number; attempts: number; rotate: boolean; nameservers?: number },
  clusterDomain: string,
): ResolvConf {
  return {
    search: [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain, ...resolver.nodeSearchDomains.map(stripTrailingDot)],
    ndots: resolver.ndots,
    options: resolver.options,
    nameservers: resolver.nameservers ?? 1,
    timeoutSeconds: resolver.timeout,
    attempts: resolver.attempts,
    rotate: resolver.rotate,
  };
}

/** The absolute names (no trailing dot) the library tries for `name`, in order. */
function candidateNames(name: string, conf: ResolvConf, library: LibraryBehaviour): string[] {
  if (name.endsWith('.')) return [stripTrailingDot(name)];
  const suffixed = conf.search.map((suffix) => `${name}.${suffix}`);
  if (countDots(name) >= conf.ndots) {
    // glibc and Go fall back to the search list; musl treats the name as global.
    return library.asIsFirstThenSearch ? [name, ...suffixed] : [name];
  }
  return [...suffixed, name];
}

/** How the library sends a candidate's A/AAAA pair under the pod's options. */
export function pairMode(library: LibraryBehaviour, options: RequestOption): PairMode {
  if (options === 'none' || !library.honoursSingleRequest) return library.pair;
  // Go dials a connection per query, so both of its options mean a new socket.
  if (library.pair === 'parallel-separate-sockets') return 'sequential-new-socket';
  return options === 'single-request' ? 'sequential-same-socket' : 'sequential-new-socket';
}

/** Whether the pair's two packets can race for one conntrack tuple (same socket, in flight together). */
export function raceExposed(mode: PairMode): boolean {
  return mode === 'parallel-same-socket';
}

/** Round trips one candidate costs: both queries at once, or one after the other. */
function roundTripsPerCandidate(mode: PairMode): 1 | 2 {
  return mode === 'parallel-same-socket' || mode === 'parallel-separate-sockets' ? 1 : 2;
}

/**
 * What the DNS answers for a candidate: addresses for A and AAAA, for A only (AAAA is
 * NOERROR/NODATA: an IPv4-only Service), NOERROR without addresses for both, or NXDOMAIN.
 */
export type CandidateOutcome = 'a-and-aaaa' | 'a-only' | 'nodata' | 'nxdomain';
export type Existence = (candidate: string) => CandidateOutcome;

/** Only `fqdn` (no trailing dot) exists; it has an A record and, if `dualStack`, an AAAA. */
export function existsOnly(fqdn: string, dualStack = false): Existence {
  const found: CandidateOutcome = dualStack ? 'a-and-aaaa' : 'a-only';
  return (candidate) => (candidate === fqdn ? found : 'nxdomain');
}

/** True if `name` (no trailing dot) lies in the cluster zone the kubernetes plugin serves. */
export function isClusterZone(name: string, clusterDomain: string): boolean {
  return name === clusterDomain || name.endsWith(`.${clusterDomain}`);
}

export interface LookupPlan {
  /** The name as the workload wrote it. */
  readonly name: string;
  /** Names the library would try, in order (absolute, no trailing dot). */
  readonly candidates: readonly string[];
  /** What the DNS answers for each candidate. */
  readonly outcomes: readonly CandidateOutcome[];
  /** The candidate whose reply carries an address, or -1 when the lookup fails. */
  readonly answerAt: number;
  /** The last candidate tried: answerAt, musl's NODATA stop, or the last candidate. */
  readonly stopAt: number;
  readonly pair: PairMode;
  /** Queries per candidate: A and AAAA, to every nameserver at once for musl. */
  readonly queriesPerCandidate: number;
  readonly roundTripsPerCandidate: 1 | 2;
  /**
   * With CoreDNS autopath: how many names CoreDNS walks server-side to answer candidate 0 (the
   * whole walk then costs one client round trip); 0 when autopath does not apply.
   */
  readonly autopathWalk: number;
  /** The types a candidate's round trip asks (questions.ts mask); unset: A and AAAA. */
  readonly asked?: number;
  /** A raw query (planRawQuery): any response answers it, and it is not a lookup of the resolver's. */
  readonly raw?: boolean;
}

export interface PlanOptions {
  /** CoreDNS autopath (`autopath @kubernetes`): server-side search for the pod's first suffix. */
  autopath?: boolean;
}

/**
 * Plans one lookup of `name`: the candidates in the library's order and where the walk stops given
 * what exists. The walk stops at the first candidate with an address, moves on after NXDOMAIN (and
 * after NODATA, except in musl), and fails after the last candidate.
 */
export function planLookup(name: string, conf: ResolvConf, library: LibraryBehaviour, exists: Existence, options: PlanOptions = {}): LookupPlan {
  const candidates = candidateNames(name, conf, library);
  const outcomes = candidates.map(exists);
  let answerAt = -1;
  let stopAt = candidates.length - 1;
  for (let i = 0; i < outcomes.length; i++) {
    const outcome = outcomes[i];
    if (outcome === 'a-only' || outcome === 'a-and-aaaa') {
      answerAt = i;
      stopAt = i;
      break;
    }
    if (outcome === 'nodata' && library.stopsOnNoData) {
      stopAt = i;
      break;
    }
  }
  let autopathWalk = 0;
  // autopath answers a query for `<name>.<first search suffix>` by walking the search path itself
  // (coredns plugin/autopath). It helps only when the search list comes first, and only if some
  // later name answers; otherwise CoreDNS returns NXDOMAIN and the client walks on as before.
  if (options.autopath === true && conf.search.length > 0 && candidates.length > 1 && candidates[0] === `${name}.${conf.search[0]}` && answerAt > 0) {
    autopathWalk = answerAt + 1;
    const answered = outcomes[answerAt];
    answerAt = 0;
    stopAt = 0;
    outcomes[0] = answered;
  }
  const pair = pairMode(library, conf.options);
  const askedAtOnce = library.retransmit === 'all-servers-every-interval' ? conf.nameservers : 1;
  return {
    name,
    candidates,
    outcomes,
    answerAt,
    stopAt,
    pair,
    queriesPerCandidate: 2 * askedAtOnce,
    roundTripsPerCandidate: roundTripsPerCandidate(pair),
    autopathWalk,
  };
}

/**
 * A raw query of `name` as written, as dig and dnsperf send it: the name absolute (no search path,
 * whatever its dots), `queries` questions of the types in `asked` at once, and any response,
 * NXDOMAIN included, answers it (its rcode is what the server counts).
 */
export function planRawQuery(name: string, exists: Existence, asked: number, queries: number): LookupPlan {
  const candidate = stripTrailingDot(name);
  // Each question is its own query from its own source port (no shared tuple, so no conntrack race).
  return { name, candidates: [candidate], outcomes: [exists(candidate)], answerAt: 0, stopAt: 0, pair: 'parallel-separate-sockets', queriesPerCandidate: queries, roundTripsPerCandidate: 1, autopathWalk: 0, asked, raw: true };
}

export interface LookupCount {
  candidatesTried: number;
  queries: number;
  /** Replies with NXDOMAIN (two per NXDOMAIN candidate: A and AAAA). */
  nxdomain: number;
  /** NOERROR replies without an address (the AAAA of an IPv4-only name, or NODATA candidates). */
  nodata: number;
  roundTrips: number;
  answered: boolean;
}

/** Counts what a lookup costs when nothing is lost: queries, NXDOMAIN and NODATA replies, round trips. */
export function countLookup(plan: LookupPlan): LookupCount {
  const tried = plan.stopAt + 1;
  let nxdomain = 0;
  let nodata = 0;
  for (let i = 0; i < tried; i++) {
    const outcome = plan.outcomes[i];
    if (outcome === 'nxdomain') nxdomain += 2;
    else if (outcome === 'nodata') nodata += 2;
    else if (outcome === 'a-only') nodata += 1;
  }
  const perReply = plan.queriesPerCandidate / 2;
  return {
    candidatesTried: tried,
    queries: tried * plan.queriesPerCandidate,
    nxdomain: nxdomain * perReply,
    nodata: nodata * perReply,
    roundTrips: tried * plan.roundTripsPerCandidate,
    answered: plan.answerAt >= 0,
  };
}

/** One try of a query: the nameserver asked (-1: all at once) and how long the resolver waits. */
export interface ResolverTry {
  nameserver: number;
  waitSeconds: number;
}

/**
 * The tries of one query before the resolver gives up, each with its wait. glibc: for each
 * attempt, each nameserver in turn, waiting timeout × 2^ns / nameservers (ns > 0; res_send.c
 * send_dg). Go: timeout per server per attempt. musl: all servers at once, resent every
 * timeout/attempts until timeout. A lost query costs the first try's wait.
 */
export function retrySchedule(conf: ResolvConf, library: LibraryBehaviour, first = 0): ResolverTry[] {
  const tries: ResolverTry[] = [];
  const n = conf.nameservers;
  if (library.retransmit === 'all-servers-every-interval') {
    const interval = conf.timeoutSeconds / conf.attempts;
    for (let a = 0; a < conf.attempts; a++) tries.push({ nameserver: -1, waitSeconds: interval });
    return tries;
  }
  for (let a = 0; a < conf.attempts; a++) {
    for (let shift = 0; shift < n; shift++) {
      const ns = (first + shift) % n;
      let wait = conf.timeoutSeconds;
      if (library.retransmit === 'per-server-scaled' && ns > 0) {
        // glibc: seconds = (retrans << ns) / nscount, at least 1 (integer seconds).
        wait = Math.max(1, Math.floor((conf.timeoutSeconds * 2 ** ns) / n));
      }
      tries.push({ nameserver: ns, waitSeconds: wait });
    }
  }
  return tries;
}
