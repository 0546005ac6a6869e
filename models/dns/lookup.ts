// One DNS lookup in flight (dns/runtime.ts moves it), the servers it passes through (a CoreDNS
// replica, a node's NodeLocal DNSCache agent), and what the runtime counts.

import type { RandomStream } from '../../engine/random.js';
import type { Server } from '../../engine/server.js';
import { Counter, Histogram, Tally } from '../../engine/stats/index.js';
import type { TokenBucket } from '../../engine/token-bucket.js';
import type { DetailedNode } from '../parts.js';
import type { DnsCache } from './cache.js';
import type { FifoCpu } from './fifo-cpu.js';
import type { NameForm } from './names.js';
import type { LookupPlan, ResolvConf } from './resolver.js';

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
}

export interface Replica {
  readonly index: number;
  readonly node: number;
  readonly cpu: FifoCpu;
  readonly cache: DnsCache;
  readonly upstream: TokenBucket | null;
  /** CPU seconds per unit cost: > 1 when the replica's CPU limit is a fraction of its servers. */
  readonly costScale: number;
}

export interface Agent {
  readonly cpu: Server;
  /** CPU seconds per unit cost: > 1 when its CPU limit is a fraction of its servers. */
  readonly costScale: number;
  readonly clusterCache: DnsCache;
  readonly otherCache: DnsCache;
  readonly upstream: TokenBucket | null;
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
  };
}

/** One lookup in flight. */
export class Lookup {
  plan!: LookupPlan;
  conf!: ResolvConf;
  /** The workload's name form: the other nodes' queries are drawn per form (background.ts). */
  form!: NameForm;
  /** Sequential modes: 0 while the A query is out, 1 for AAAA. */
  phase = 0;
  node!: DetailedNode;
  agent: Agent | null = null;
  candidate = 0;
  tryIndex = 0;
  /** The nameserver the retry schedule starts at (options rotate). */
  firstNameserver = 0;
  startedAt = 0;
  sentAt = 0;
  queries = 0;
  nxdomain = 0;
  roundTrips = 0;
  sequential = false;
  /** Question types this hop asks (questions.ts), and queries of each (musl asks every nameserver). */
  asked = 0;
  perType = 1;
  /** Types that missed the last cache: forwarded on, inserted when answered. */
  missed = 0;
  replica: Replica | null = null;
  clientEntry = false;
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
