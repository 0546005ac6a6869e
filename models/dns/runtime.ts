// DNS lookups as events: a pod's resolver walks its candidate names (resolver.ts, planner.ts);
// each candidate's queries go either to kube-dns through the service proxy (dispatch, UDP
// conntrack entries, the A/AAAA race) to a CoreDNS replica, or to the node's NodeLocal DNSCache
// (NOTRACK: no conntrack); a replica answers from its cache, from the kubernetes plugin, or
// forwards to the upstream (latency, TTLs, an optional per-interface packet limit). A lost query
// costs the resolver's timeout, then a retry; a lookup whose tries are spent fails.
//
// Caches hold each (name, type) apart, as CoreDNS's do: a lookup's A and AAAA take two entries and
// may hit or miss apart; a hop passes on only the types that missed (questions.ts).
//
// Simplifications, stated: a parallel A/AAAA pair is one CPU job of both queries' cost on one
// replica (the pair shares a socket, hence a conntrack entry, hence an endpoint); DNS dispatch and
// packet CPU on the client node are counted but not queued; on the replica's node the packets'
// kernel work (server-kernel.ts) is queued with the query's job, outside the replica's quota; NodeLocal reaches CoreDNS over
// force_tcp connections (no per-query conntrack or dispatch, a replica per query) or, without
// force_tcp, one pooled UDP socket pinned to a replica, as dnsperf's sockets are (sticky-sockets.ts). The other nodes' queries
// (background.ts) cost no event: the runtime catches them up to now before a detailed query
// touches a replica and before anyone reads the metrics (docs/architecture.md, "Cluster DNS").

import type { Distribution } from '../../engine/distributions.js';
import type { Simulator } from '../../engine/simulator.js';
import { TokenBucket } from '../../engine/token-bucket.js';
import type { Cluster } from '../cluster.js';
import type { DetailedNode, ProxyDataPlane } from '../parts.js';
import { BackgroundQueries, PendingAnswers, type QueryTemplate } from './background.js';
import { cacheAnswers, CacheKeys, DnsCache, type DnsCacheConfig } from './cache.js';
import { nodeLocalCpuSeconds } from './coredns-costs.js';
import { limitedCpu } from './cpu-limit.js';
import { countFinished, countResponses, Lookup, newAgent, newDnsMetrics, newReplica, resetDnsMetrics, type Agent, type DnsMetrics, type DnsStreams, type LookupResult, type Replica } from './lookup.js';
import type { NameForm } from './names.js';
import { LookupPlanner, type RawQuery } from './planner.js';
import { ASK_A, ASK_AAAA, ASK_BOTH, QUESTION_TYPES, typeCount } from './questions.js';
import { QueryTemplates, ReplicaAnswers } from './replica-answers.js';
import { isClusterZone, raceExposed, retrySchedule, type CandidateOutcome, type LibraryBehaviour } from './resolver.js';
import { serverKernelSeconds, type ServerKernelCost } from './server-kernel.js';
import type { DnsProfile, DnsSettings } from './settings.js';
import { StickySockets } from './sticky-sockets.js';

/** What a DnsRuntime is built from (wiring.ts derives each from the settings and the DNS profile). */
export interface DnsRuntimeOptions {
  sim: Simulator;
  cluster: Cluster;
  settings: DnsSettings;
  profile: DnsProfile;
  /** The service proxy's data plane, which dispatches queries to kube-dns. */
  proxy: ProxyDataPlane;
  /** One-way latency between two nodes' pods, a fresh draw per call. */
  oneWaySeconds: (fromNode: number, toNode: number) => number;
  streams: DnsStreams;
  replicas: number;
  caches: { coredns: DnsCacheConfig; nodeLocalCluster: DnsCacheConfig; nodeLocalOther: DnsCacheConfig };
  /** A replica's receive queue, in queries. */
  queueLimit: number;
  /** Packets per second the upstream takes from one interface; Infinity: no limit. */
  upstreamPacketsPerSecond: number;
  /** Probability that a parallel A/AAAA pair through DNAT loses one query to the conntrack race. */
  raceProbability: number;
  upstream: { latency: Distribution; ttl: Distribution; denialTtl: Distribution };
  /** The CFS period of a CPU limit's quota (kernel.yaml cfs.period). */
  cfsPeriodSeconds: number;
  /** How long an idle UDP socket's conntrack entry (and so its replica) lives: the proxy's UDP stream timeout. */
  udpStreamTimeoutSeconds: number;
  /** Kernel CPU per query on the answering replica's node (server-kernel.ts), outside its quota. */
  serverKernel: ServerKernelCost;
  /** An ExternalName Service's external host by its name, or null (replica-answers.ts); unset: none is. */
  cnameTarget?: (name: string) => string | null;
}

export class DnsRuntime {
  private readonly counters: DnsMetrics = newDnsMetrics();
  readonly replicas: Replica[] = [];
  /** The NodeLocal agents, one per node that has looked anything up. */
  readonly agents = new Map<number, Agent>();
  private readonly library: LibraryBehaviour;
  private readonly clusterDomain: string;
  private readonly raceProbability: number;
  private readonly upstreamLatency: Distribution;
  private readonly upstreamTtl: Distribution;
  private readonly upstreamDenialTtl: Distribution;
  private readonly copiesPerQuery: number;
  private readonly background: BackgroundQueries;
  private readonly pendingAnswers = new PendingAnswers();
  /** The questions the caches have seen, as the small integers they index by. */
  private readonly keys = new CacheKeys();
  private readonly planner: LookupPlanner;
  private readonly answers: ReplicaAnswers;
  private readonly templates: QueryTemplates;
  /** Long-lived client sockets (dnsperf's), each pinned to a replica by its conntrack entry. */
  readonly sticky: StickySockets;
  /** NodeLocal's pooled UDP socket to kube-dns per node, when it does not force TCP (forward's pool keeps it `expire`). */
  private readonly agentSockets: StickySockets | null;

  private readonly sim: Simulator;
  private readonly cluster: Cluster;
  private readonly settings: DnsSettings;
  private readonly profile: DnsProfile;
  private readonly proxy: ProxyDataPlane;
  private readonly oneWay: (fromNode: number, toNode: number) => number;
  private readonly streams: DnsStreams;
  private readonly nodeLocalCaches: { cluster: DnsCacheConfig; other: DnsCacheConfig };
  private readonly upstreamLimit: number;
  private readonly cfsPeriodSeconds: number;
  private readonly serverKernel: ServerKernelCost;
  /** Whether any Service is an ExternalName (its metric is reported then only). */
  readonly hasCnames: boolean;

  constructor(options: DnsRuntimeOptions) {
    const { sim, cluster, settings, profile, streams, caches, queueLimit } = options;
    this.sim = sim;
    this.cluster = cluster;
    this.settings = settings;
    this.profile = profile;
    this.proxy = options.proxy;
    this.oneWay = options.oneWaySeconds;
    this.streams = streams;
    this.library = profile.libraries[settings.resolver.library];
    this.clusterDomain = profile.pod.clusterDomain;
    this.planner = new LookupPlanner(cluster, settings, this.library, this.clusterDomain);
    this.raceProbability = options.raceProbability;
    this.upstreamLatency = options.upstream.latency;
    this.upstreamTtl = options.upstream.ttl;
    this.upstreamDenialTtl = options.upstream.denialTtl;
    this.copiesPerQuery = cluster.mirror ? (cluster.nodes - cluster.detailedNodes) / cluster.detailedNodes : 0;
    this.background = new BackgroundQueries(this.copiesPerQuery, streams.background, sim.now);
    const upstreamLimit = options.upstreamPacketsPerSecond;
    for (let r = 0; r < options.replicas; r++) {
      const node = Math.floor((r * cluster.nodes) / options.replicas);
      this.replicas.push(newReplica(r, node, limitedCpu(settings.coredns.cpu, settings.cpuLimitModel, options.cfsPeriodSeconds), queueLimit, sim, new DnsCache(caches.coredns, streams.dns, this.keys), this.upstreamBucket(upstreamLimit)));
    }
    this.nodeLocalCaches = { cluster: caches.nodeLocalCluster, other: caches.nodeLocalOther };
    this.upstreamLimit = upstreamLimit;
    this.cfsPeriodSeconds = options.cfsPeriodSeconds;
    this.serverKernel = options.serverKernel;
    this.answers = new ReplicaAnswers(this.counters, profile, settings.coredns.kubernetesTTL);
    this.templates = new QueryTemplates(this.keys, this.clusterDomain, options.cnameTarget ?? (() => null));
    this.hasCnames = options.cnameTarget !== undefined;
    this.sticky = new StickySockets(options.udpStreamTimeoutSeconds);
    const forceTcp = settings.nodeLocal.forceTcp ?? profile.nodeLocal.forceTcpToCoreDns;
    this.agentSockets = forceTcp ? null : new StickySockets(Math.min(profile.coredns.forward.expire, options.udpStreamTimeoutSeconds));
  }

  /** The counters, the other nodes' queries included up to now (see the header). */
  get metrics(): DnsMetrics {
    this.catchUp();
    return this.counters;
  }

  /** Resolves a name for a client on `node` (with `raw`, sends one raw query of it); done() says how it ended. */
  lookup(node: DetailedNode, form: NameForm, service: number, clientPod: number, externalIndex: number, deadlineAt: number, done: (result: LookupResult) => void, raw?: RawQuery): void {
    const lookup = new Lookup();
    const { plan, conf } = this.planner.plan(form, service, clientPod, externalIndex, raw);
    lookup.plan = plan;
    lookup.conf = conf;
    lookup.form = form;
    lookup.node = node;
    lookup.startedAt = this.sim.now;
    lookup.done = done;
    lookup.deadlineAt = deadlineAt;
    lookup.sequential = lookup.plan.roundTripsPerCandidate === 2;
    lookup.firstNameserver = this.planner.firstNameserver(conf);
    lookup.socket = raw?.socket ?? -1;
    if (this.settings.nodeLocal.enabled) lookup.agent = this.agentOf(node.index);
    this.sendCandidate(lookup);
  }

  private agentOf(node: number): Agent {
    let agent = this.agents.get(node);
    if (agent === undefined) {
      // Its CPU limit as a replica's `cpu` (cpu-limit.ts); one core of its own when unset.
      const caches = { cluster: new DnsCache(this.nodeLocalCaches.cluster, this.streams.dns, this.keys), other: new DnsCache(this.nodeLocalCaches.other, this.streams.dns, this.keys) };
      agent = newAgent(limitedCpu(this.settings.nodeLocal.cpu ?? 1, this.settings.cpuLimitModel, this.cfsPeriodSeconds), this.sim, caches, this.upstreamBucket(this.upstreamLimit));
      this.agents.set(node, agent);
    }
    return agent;
  }

  /** A packet limit toward the upstream, per interface: none when the limit is Infinity. */
  private upstreamBucket(limit: number): TokenBucket | null {
    return limit === Infinity ? null : new TokenBucket(this.sim, { ratePerSecond: limit, burst: limit });
  }

  /** One round trip to a server as far away as the upstream resolver. */
  externalRoundTrip(): number {
    return this.upstreamLatency.sample(this.streams.latency);
  }

  // ---- the client's side --------------------------------------------------------------------

  private sendCandidate(lookup: Lookup): void {
    const now = this.sim.now;
    lookup.sentAt = now;
    const queries = lookup.sequential ? 1 : lookup.plan.queriesPerCandidate;
    lookup.queries += queries;
    lookup.sentQueries = queries;
    lookup.roundTrips++;
    lookup.asked = !lookup.sequential ? (lookup.plan.asked ?? ASK_BOTH) : lookup.phase === 0 ? ASK_A : ASK_AAAA;
    lookup.perType = queries / typeCount(lookup.asked);
    if (lookup.agent !== null) {
      this.sim.schedule(this.oneWay(lookup.node.index, lookup.node.index) * 0.5, this.atAgent, lookup);
      return;
    }
    if (lookup.socket >= 0) {
      this.sendOnSocket(lookup, this.sticky, lookup.socket);
      return;
    }
    // Through kube-dns: the proxy picks a replica; the socket's UDP flow gets a conntrack entry.
    lookup.newFlow = true;
    const replica = this.replicas[Math.floor(this.streams.dns.next() * this.replicas.length)];
    lookup.replica = replica;
    const dispatch = this.proxy.dispatchCost(Math.floor(this.streams.dns.next() * this.cluster.services), this.cluster.services, replica.index, false, this.streams.dns);
    lookup.node.dispatchCpuSeconds += dispatch;
    if (!lookup.node.flows.udpOpen(now)) {
      this.lost(lookup);
      return;
    }
    lookup.clientEntry = true;
    // glibc sends A and AAAA from one socket; through DNAT to several replicas the two can race for
    // one conntrack tuple, and the loser is dropped (insert_failed).
    if (!lookup.sequential && raceExposed(lookup.plan.pair) && this.proxy.usesNetfilterConntrack && this.streams.dns.next() < this.raceProbability) {
      lookup.node.flows.insertFailed.add();
      this.counters.raceDrops.add();
      this.lost(lookup);
      return;
    }
    this.sim.schedule(dispatch + this.oneWay(lookup.node.index, replica.node), this.atReplica, lookup);
  }

  /**
   * A long-lived socket (sticky-sockets.ts): its queries follow its conntrack entry to one replica;
   * only the entry's first packet walks the proxy's rules. No A/AAAA race: the entry is confirmed
   * after the socket's first query.
   */
  private sendOnSocket(lookup: Lookup, sockets: StickySockets, key: number): void {
    let dispatch = 0;
    lookup.newFlow = false;
    const index = sockets.route(key, this.sim.now, lookup.node.flows, () => {
      lookup.newFlow = true;
      const r = Math.floor(this.streams.dns.next() * this.replicas.length);
      dispatch = this.proxy.dispatchCost(Math.floor(this.streams.dns.next() * this.cluster.services), this.cluster.services, r, false, this.streams.dns);
      lookup.node.dispatchCpuSeconds += dispatch;
      return r;
    });
    if (index < 0) {
      this.lost(lookup);
      return;
    }
    const replica = this.replicas[index];
    lookup.replica = replica;
    this.sim.schedule(dispatch + this.oneWay(lookup.node.index, replica.node), this.atReplica, lookup);
  }

  private readonly atAgent = (lookup: Lookup): void => {
    const agent = lookup.agent!;
    lookup.agentArrivedAt = this.sim.now;
    const name = lookup.plan.candidates[lookup.candidate];
    const clusterZone = isClusterZone(name, this.clusterDomain);
    const cache = clusterZone ? agent.clusterCache : agent.otherCache;
    let missed = 0;
    let cost = 0;
    for (let t = 0; t < QUESTION_TYPES.length; t++) {
      if ((lookup.asked & (1 << t)) === 0) continue;
      const hit = cache.lookup(this.keys.id(name, QUESTION_TYPES[t]), this.sim.now) !== 'miss';
      if (hit) this.counters.nodeLocalHits.add(lookup.perType);
      else missed |= 1 << t;
      cost += lookup.perType * nodeLocalCpuSeconds(this.profile, hit ? 'cache-hit' : 'forward');
    }
    this.counters.nodeLocalQueries.add(typeCount(lookup.asked) * lookup.perType);
    lookup.missed = missed;
    agent.cpu.serve(cost * agent.costScale, missed === 0 ? this.agentAnswers : this.agentForwards, lookup);
  };

  private readonly agentAnswers = (lookup: Lookup): void => {
    this.agentResponds(lookup, lookup.asked);
    this.sim.schedule(this.oneWay(lookup.node.index, lookup.node.index) * 0.5, this.answered, lookup);
  };

  private readonly agentForwards = (lookup: Lookup): void => {
    const name = lookup.plan.candidates[lookup.candidate];
    const agent = lookup.agent!;
    // The types that hit are answered now; the pair's reply waits for the rest (one job, see the header).
    this.agentResponds(lookup, lookup.asked & ~lookup.missed);
    if (isClusterZone(name, this.clusterDomain) && this.agentSockets !== null) {
      // Over UDP, forward's pooled socket keeps one conntrack entry, hence one replica (coredns#6803).
      lookup.asked = lookup.missed;
      this.sendOnSocket(lookup, this.agentSockets, -1 - lookup.node.index);
      return;
    }
    if (isClusterZone(name, this.clusterDomain)) {
      // force_tcp: pooled connections that the server closes after 128 queries (miekg/dns
      // MaxTCPQueries), so they spread over the replicas: a replica drawn per query.
      const replica = this.replicas[Math.floor(this.streams.dns.next() * this.replicas.length)];
      lookup.replica = replica;
      lookup.asked = lookup.missed;
      lookup.newFlow = false;
      this.sim.schedule(this.oneWay(lookup.node.index, replica.node), this.atReplica, lookup);
      return;
    }
    if (!this.toUpstream(agent.upstream, typeCount(lookup.missed) * lookup.perType)) {
      this.lost(lookup);
      return;
    }
    this.sim.schedule(this.upstreamLatency.sample(this.streams.latency), this.agentUpstreamAnswered, lookup);
  };

  private readonly agentUpstreamAnswered = (lookup: Lookup): void => {
    cacheAnswers(lookup.agent!.otherCache, this.keys, lookup.plan.candidates[lookup.candidate], lookup.plan.outcomes[lookup.candidate], lookup.missed, this.sim.now, this.upstreamTtls);
    this.agentResponds(lookup, lookup.missed);
    this.sim.schedule(this.oneWay(lookup.node.index, lookup.node.index) * 0.5, this.answered, lookup);
  };

  // ---- CoreDNS ------------------------------------------------------------------------------

  private readonly atReplica = (lookup: Lookup): void => {
    const now = this.sim.now;
    this.catchUp();
    const replica = lookup.replica!;
    const query = this.templates.of(lookup.plan.candidates[lookup.candidate], lookup.plan.outcomes[lookup.candidate], lookup.asked, lookup.perType);
    if (this.copiesPerQuery > 0) this.background.add(now, query, lookup.form, lookup.newFlow);
    const queries = typeCount(lookup.asked) * lookup.perType;
    if (!this.answers.received(replica, queries, now)) {
      this.lost(lookup);
      return;
    }
    lookup.replicaArrivedAt = now;
    const walk = Math.max(1, lookup.plan.autopathWalk);
    const cost = walk * replica.costScale * this.answers.answer(replica, query, lookup.plan.autopathWalk, now);
    lookup.missed = this.answers.forwarded;
    // The packets' kernel work on the replica's node: outside its quota, on the same core (server-kernel.ts).
    const kernel = serverKernelSeconds(this.serverKernel, queries, replica.node !== lookup.node.index, lookup.newFlow);
    const end = replica.cpu.admit(now, cost, kernel);
    // Answers from the cache or the kubernetes plugin leave when the job ends; forwards when the upstream answers.
    countResponses(this.counters, query.outcome, typeCount(lookup.asked & ~lookup.missed) * lookup.perType, end - now);
    this.sim.schedule(end - now, lookup.missed !== 0 ? this.replicaForwards : this.replicaAnswers, lookup);
  };

  /** The TTL of an upstream answer with records or of a denial, a draw each. */
  private readonly upstreamTtls = (records: boolean): number => (records ? this.upstreamTtl : this.upstreamDenialTtl).sample(this.streams.latency);

  private readonly replicaAnswers = (lookup: Lookup): void => {
    const back = this.oneWay(lookup.replica!.node, lookup.node.index);
    this.sim.schedule(back, lookup.agent === null ? this.answered : this.agentReceives, lookup);
  };

  /** NodeLocal caches what CoreDNS answered for the cluster zone (the types it asked), then answers the pod. */
  private readonly agentReceives = (lookup: Lookup): void => {
    const ttl = this.settings.coredns.kubernetesTTL;
    cacheAnswers(lookup.agent!.clusterCache, this.keys, lookup.plan.candidates[lookup.candidate], lookup.plan.outcomes[lookup.candidate], lookup.asked, this.sim.now, () => ttl);
    this.agentResponds(lookup, lookup.asked);
    this.sim.schedule(this.oneWay(lookup.node.index, lookup.node.index) * 0.5, this.answered, lookup);
  };

  private readonly replicaForwards = (lookup: Lookup): void => {
    if (!this.toUpstream(lookup.replica!.upstream, typeCount(lookup.missed) * lookup.perType)) {
      this.lost(lookup);
      return;
    }
    this.sim.schedule(this.upstreamLatency.sample(this.streams.latency), this.replicaUpstreamAnswered, lookup);
  };

  private readonly replicaUpstreamAnswered = (lookup: Lookup): void => {
    this.catchUp();
    const outcome = lookup.plan.outcomes[lookup.candidate];
    const query = this.templates.of(lookup.plan.candidates[lookup.candidate], outcome, lookup.asked, lookup.perType);
    this.answers.upstreamAnswered(lookup.replica!.cache, this.keys, query, lookup.missed, this.sim.now, this.upstreamTtls);
    countResponses(this.counters, outcome, typeCount(lookup.missed) * lookup.perType, this.sim.now - lookup.replicaArrivedAt);
    this.replicaAnswers(lookup);
  };

  /** The agent answers the types in `mask` now: node-cache's histogram covers its whole plugin chain, a forward's wait included. */
  private agentResponds(lookup: Lookup, mask: number): void {
    const queries = typeCount(mask) * lookup.perType;
    if (queries > 0) this.counters.nodeLocalDuration.addMany(this.sim.now - lookup.agentArrivedAt, queries);
  }

  private toUpstream(bucket: TokenBucket | null, packets: number): boolean {
    this.counters.upstreamQueries.add(packets);
    if (bucket === null || bucket.tryTake(packets)) return true;
    this.counters.upstreamDrops.add(packets);
    return false;
  }

  /** Brings the other nodes' queries (background.ts) and their forwards' answers up to now. */
  private catchUp(): void {
    if (this.copiesPerQuery === 0) return;
    const now = this.sim.now;
    this.background.catchUp(now, this.backgroundArrives);
    this.applyAnswersBy(now);
  }

  private applyAnswersBy(at: number): void {
    const pending = this.pendingAnswers;
    while (pending.nextAt() <= at) {
      const answer = pending.pop();
      this.answers.upstreamAnswered(this.replicas[answer.replica].cache, this.keys, answer.template, answer.mask, answer.at, this.upstreamTtls);
      countResponses(this.counters, answer.template.outcome, typeCount(answer.mask) * answer.template.perType, answer.at - answer.arrivedAt);
    }
  }

  /** One of the other nodes' queries reaches a replica at `at` (≤ now): answered, queued or dropped, with no event. */
  private readonly backgroundArrives = (at: number, template: QueryTemplate, newFlow: boolean): void => {
    this.applyAnswersBy(at);
    const replica = this.replicas[Math.floor(this.streams.background.next() * this.replicas.length)];
    const queries = typeCount(template.asked) * template.perType;
    if (!this.answers.received(replica, queries, at)) return;
    const cost = replica.costScale * this.answers.answer(replica, template, 0, at);
    const missed = this.answers.forwarded;
    // From another node, on a new flow when the detailed query it copies was on one.
    const end = replica.cpu.admit(at, cost, serverKernelSeconds(this.serverKernel, queries, true, newFlow));
    // The other nodes' queries' server-side times are known here: FIFO fixes the end at admission.
    countResponses(this.counters, template.outcome, typeCount(template.asked & ~missed) * template.perType, end - at);
    // The forward leaves when its CPU job ends; its packets are counted against the limit now
    // (within one detailed query's spacing of then).
    if (missed === 0 || !this.toUpstream(replica.upstream, typeCount(missed) * template.perType)) return;
    this.pendingAnswers.push({ at: end + this.upstreamLatency.sample(this.streams.latency), arrivedAt: at, replica: replica.index, template, mask: missed });
  };

  // ---- answers, losses, the walk ------------------------------------------------------------

  private readonly answered = (lookup: Lookup): void => {
    const now = this.sim.now;
    // Every query of the round trip is answered; a name that does not exist is NXDOMAIN for each.
    if (lookup.plan.outcomes[lookup.candidate] === 'nxdomain') lookup.nxdomain += lookup.sentQueries;
    if (lookup.clientEntry) {
      lookup.node.flows.udpReplied(now);
      lookup.clientEntry = false;
    }
    if (lookup.sequential && lookup.phase === 0) {
      // One at a time: the A answer came; now AAAA, another round trip.
      lookup.phase = 1;
      this.sendCandidate(lookup);
      return;
    }
    if (lookup.candidate === lookup.plan.answerAt) {
      this.finish(lookup, 'ok');
      return;
    }
    if (lookup.candidate >= lookup.plan.stopAt) {
      this.finish(lookup, 'failed');
      return;
    }
    lookup.candidate++;
    lookup.tryIndex = 0;
    lookup.phase = 0;
    lookup.sequential = lookup.plan.roundTripsPerCandidate === 2;
    this.sendCandidate(lookup);
  };

  /** A query or its answer was dropped: the resolver waits its timeout, then tries again. */
  private lost(lookup: Lookup): void {
    this.counters.timeouts.add();
    const tries = retrySchedule(lookup.conf, this.library, lookup.firstNameserver);
    const retryAt = this.sim.now + tries[Math.min(lookup.tryIndex, tries.length - 1)].waitSeconds;
    if (retryAt > lookup.deadlineAt) this.sim.at(Math.max(this.sim.now, lookup.deadlineAt), this.gaveUp, lookup);
    else this.sim.at(retryAt, this.retry, lookup);
  }

  private readonly gaveUp = (lookup: Lookup): void => {
    if (lookup.clientEntry) {
      lookup.node.flows.udpUnanswered(this.sim.now, lookup.sentAt);
      lookup.clientEntry = false;
    }
    this.finish(lookup, 'deadline');
  };

  private readonly retry = (lookup: Lookup): void => {
    if (lookup.clientEntry) {
      lookup.node.flows.udpUnanswered(this.sim.now, lookup.sentAt);
      lookup.clientEntry = false;
    }
    lookup.tryIndex++;
    if (lookup.tryIndex >= retrySchedule(lookup.conf, this.library, lookup.firstNameserver).length) {
      this.finish(lookup, 'failed');
      return;
    }
    // glibc, after a timeout of a parallel pair, resends the two one at a time (no race then).
    if (!lookup.sequential && this.library.sequentialRetryAfterPartialTimeout && lookup.plan.queriesPerCandidate === 2) {
      lookup.sequential = true;
      lookup.phase = 0;
    }
    this.sendCandidate(lookup);
  };

  private finish(lookup: Lookup, result: LookupResult): void {
    countFinished(this.counters, lookup, result, this.sim.now);
    lookup.done(result);
  }

  resetStatistics(): void {
    this.catchUp();
    resetDnsMetrics(this.counters);
    for (const r of this.replicas) {
      r.cpu.resetStatistics();
      r.requests.reset();
      r.drops.reset();
    }
    for (const a of this.agents.values()) a.cpu.resetStatistics();
  }
}
