// One DNS lookup in flight (dns/runtime.ts moves it), the servers it passes through (a CoreDNS
// replica, a node's NodeLocal DNSCache agent), and what the runtime counts, on the clients' side
// and as the servers export it (CoreDNS's and node-cache's own counters and histograms).

import type { LimitedCpu } from './cpu-limit.js';
import type { RandomStream } from '../../engine/random.js';
import { Server } from '../../engine/server.js';
import type { Simulator } from '../../engine/simulator.js';
import { Counter, Histogram, Tally } from '../../engine/stats/index.js';
import type { TokenBucket } from '../../engine/token-bucket.js';
import type { DetailedNode } from '../parts.js';
import type { DnsCache } from './cache.js';
import { FifoCpu } from './fifo-cpu.js';
import type { NameForm } from './names.js';
import type { Rcode } from './questions.js';
import type { CandidateOutcome, LookupPlan, ResolvConf } from './resolver.js';

export interface DnsMetrics {
  readonly lookupDuration: Histogram;
  readonly queriesPerLookup: Tally;
  readonly nxdomainPerLookup: Tally;
  readonly roundTripsPerLookup: Tally;
  readonly failedLookups: Counter;
  readonly timeouts: Counter;
  readonly corednsRequests: Counter;
  readonly corednsCacheHits: Counter;
  readonly corednsCacheMisses: Counter;
  readonly corednsForwards: Counter;
  readonly nodeLocalHits: Counter;
  readonly nodeLocalQueries: Counter;
  readonly upstreamQueries: Counter;
  readonly upstreamDrops: Counter;
  readonly corednsDrops: Counter;
  readonly raceDrops: Counter;
  /** ExternalName answers whose CNAME target a replica resolved itself (replica-answers.ts), per type. */
  readonly cnameChased: Counter;
  /**
   * Responses the replicas sent, by rcode, as CoreDNS's coredns_dns_responses_total counts them:
   * one per query answered; NODATA (no record of the type) is NOERROR. The model sends no
   * SERVFAIL: a forward the upstream drops leaves the client to time out (no response at all).
   * An answer the replica makes itself is counted when it admits the query (FIFO fixes its end
   * then), a forward's when the upstream answers: at a window's edges they differ by the jobs in
   * a replica's queue, and requests = responses + drops + forwards lost or in flight.
   */
  readonly corednsResponses: Readonly<Record<Rcode, Counter>>;
  /** Per query answered, from its arrival at a replica to its response leaving it (countResponses). */
  readonly corednsDuration: Histogram;
  /** Per query a NodeLocal agent answered, from its arrival there to the response leaving, a miss's forward included. */
  readonly nodeLocalDuration: Histogram;
}

export interface Replica {
  readonly index: number;
  readonly node: number;
  readonly cpu: FifoCpu;
  readonly cache: DnsCache;
  readonly upstream: TokenBucket | null;
  /** CPU seconds per unit cost: > 1 when the replica's CPU limit is a fraction of its servers. */
  readonly costScale: number;
  /** Queries this replica received, and those its full receive queue dropped. */
  readonly requests: Counter;
  readonly drops: Counter;
}

export interface Agent {
  readonly cpu: Server;
  /** CPU seconds per unit cost: > 1 when its CPU limit is a fraction of its servers. */
  readonly costScale: number;
  readonly clusterCache: DnsCache;
  readonly otherCache: DnsCache;
  readonly upstream: TokenBucket | null;
}

/** A CoreDNS replica on `node`, its CPU limit served as cpu-limit.ts decides (CFS quota or uniformly slower cores). */
export function newReplica(index: number, node: number, cpu: LimitedCpu, queueLimit: number, clock: { readonly now: number }, cache: DnsCache, upstream: TokenBucket | null): Replica {
  return { index, node, cpu: new FifoCpu(cpu.servers, queueLimit, clock, cpu.quota), cache, upstream, costScale: cpu.costScale, requests: new Counter(), drops: new Counter() };
}

/** A node's NodeLocal DNSCache agent, its CPU limit as a replica's (newReplica). */
export function newAgent(cpu: LimitedCpu, sim: Simulator, caches: { cluster: DnsCache; other: DnsCache }, upstream: TokenBucket | null): Agent {
  return { cpu: new Server(sim, { servers: cpu.servers, quota: cpu.quota ?? undefined }), costScale: cpu.costScale, clusterCache: caches.cluster, otherCache: caches.other, upstream };
}

/** Every counter at zero. */
export function newDnsMetrics(): DnsMetrics {
  return {
    lookupDuration: new Histogram(),
    queriesPerLookup: new Tally(),
    nxdomainPerLookup: new Tally(),
    roundTripsPerLookup: new Tally(),
    failedLookups: new Counter(),
    timeouts: new Counter(),
    corednsRequests: new Counter(),
    corednsCacheHits: new Counter(),
    corednsCacheMisses: new Counter(),
    corednsForwards: new Counter(),
    nodeLocalHits: new Counter(),
    nodeLocalQueries: new Counter(),
    upstreamQueries: new Counter(),
    upstreamDrops: new Counter(),
    corednsDrops: new Counter(),
    raceDrops: new Counter(),
    cnameChased: new Counter(),
    corednsResponses: { NOERROR: new Counter(), NXDOMAIN: new Counter(), SERVFAIL: new Counter() },
    corednsDuration: new Histogram(),
    nodeLocalDuration: new Histogram(),
  };
}

/** Forgets everything counted so far (end of warm-up). */
export function resetDnsMetrics(m: DnsMetrics): void {
  for (const h of [m.lookupDuration, m.corednsDuration, m.nodeLocalDuration]) h.reset();
  for (const t of [m.queriesPerLookup, m.nxdomainPerLookup, m.roundTripsPerLookup]) t.reset();
  for (const c of [m.failedLookups, m.timeouts, m.corednsRequests, m.corednsCacheHits, m.corednsCacheMisses, m.corednsForwards, m.nodeLocalHits, m.nodeLocalQueries, m.upstreamQueries, m.upstreamDrops, m.corednsDrops, m.raceDrops, m.cnameChased]) c.reset();
  for (const c of Object.values(m.corednsResponses)) c.reset();
}

/**
 * Counts `queries` responses a replica sent for a name whose candidate outcome is `outcome`, each
 * `seconds` after its query arrived: the rcode is the name's (NXDOMAIN for every type of a name
 * that does not exist, NOERROR otherwise), and the time is receive-queue wait + CPU (+ the
 * forward's round trip), arrival to send. CoreDNS's own histogram starts when the server has read
 * the packet, so it leaves out the wait in the socket's receive buffer, which the model cannot
 * split from the wait for a CPU (one FIFO stands for both: fifo-cpu.ts); neither counts the
 * network to and from the replica or the kernel's packet work.
 */
export function countResponses(m: DnsMetrics, outcome: CandidateOutcome, queries: number, seconds: number): void {
  if (queries === 0) return;
  (outcome === 'nxdomain' ? m.corednsResponses.NXDOMAIN : m.corednsResponses.NOERROR).add(queries);
  m.corednsDuration.addMany(seconds, queries);
}

/** Counts a lookup that ended at `now` as the resolver's lookup metrics do; a raw query is no lookup (its client counts it). */
export function countFinished(m: DnsMetrics, lookup: Lookup, result: LookupResult, now: number): void {
  if (lookup.plan.raw === true) return;
  m.lookupDuration.add(now - lookup.startedAt);
  m.queriesPerLookup.add(lookup.queries);
  m.nxdomainPerLookup.add(lookup.nxdomain);
  m.roundTripsPerLookup.add(lookup.roundTrips);
  if (result === 'failed') m.failedLookups.add();
}

/** One lookup in flight. */
export class Lookup {
  plan!: LookupPlan;
  conf!: ResolvConf;
  /** The workload's name form: the other nodes' queries are drawn per form (background.ts). */
  form!: NameForm;
  /** Sequential modes: 0 while the A query is out, 1 for AAAA. */
  phase = 0;
  /** The round trip's first packet makes a new flow (conntrack entry) on its way: a new socket, or a long-lived one's first query. */
  newFlow = false;
  node!: DetailedNode;
  agent: Agent | null = null;
  candidate = 0;
  tryIndex = 0;
  /** The nameserver the retry schedule starts at (options rotate). */
  firstNameserver = 0;
  startedAt = 0;
  sentAt = 0;
  queries = 0;
  /** Queries the last round trip sent: as many responses come back when it is answered. */
  sentQueries = 0;
  /** NXDOMAIN responses received (A and AAAA of each candidate that does not exist). */
  nxdomain = 0;
  roundTrips = 0;
  sequential = false;
  /** Question types this hop asks (questions.ts), and queries of each (musl asks every nameserver). */
  asked = 0;
  perType = 1;
  /** Types that missed the last cache: forwarded on, inserted when answered. */
  missed = 0;
  replica: Replica | null = null;
  /** When the current hop's query reached the NodeLocal agent, and the replica (server-side durations). */
  agentArrivedAt = 0;
  replicaArrivedAt = 0;
  clientEntry = false;
  /** A long-lived client socket's key (sticky-sockets.ts), or -1: a new socket per lookup. */
  socket = -1;
  /** An open-loop client's deadline: it stops waiting on a lost query then. */
  deadlineAt = Infinity;
  done!: (result: LookupResult) => void;
}

/** How a lookup ended: with an address, failed (NXDOMAIN or tries spent), or abandoned at the deadline. */
export type LookupResult = 'ok' | 'failed' | 'deadline';

export interface DnsStreams {
  dns: RandomStream;
  latency: RandomStream;
  background: RandomStream;
}
