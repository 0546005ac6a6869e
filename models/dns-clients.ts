// DNS-only clients, as dnsperf and resperf measure DNS: client pods that only resolve names and
// connect to nothing, in an open loop (clients.ts arrivals) or a closed loop (dnsperf -c/-q: the
// next query when one is answered or lost). Leaves out the client's own CPU per query and, when
// the detailed nodes stand for others, the rounding remainder that request workloads add back.

import { zipf } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import type { Simulator } from '../engine/simulator.js';
import { Counter, Histogram } from '../engine/stats/index.js';
import { clientPods, openLoop, type ClientStreams } from './clients.js';
import type { Cluster } from './cluster.js';
import type { NameForm } from './dns/names.js';
import type { RawQuery } from './dns/planner.js';
import { ASK_A, ASK_AAAA, ASK_BOTH } from './dns/questions.js';
import type { DnsRuntime } from './dns/runtime.js';
import type { DetailedNode } from './parts.js';
import type { DnsOnlySettings, WorkloadSettings } from './workload.js';

/** What the DNS-only clients of every workload saw: the detailed nodes' clients, unscaled. */
export interface DnsClientStats {
  /** Raw queries, send to response; resolver-mode lookups go to dns_lookup_duration_seconds. */
  readonly queryDuration: Histogram;
  /** Raw queries answered (any rcode), or resolver lookups that ended with an address. */
  readonly answered: Counter;
  /** Raw queries whose timeout passed with no response, or lookups that ended without an address. */
  readonly unanswered: Counter;
}

export function newDnsClientStats(): DnsClientStats {
  return { queryDuration: new Histogram(), answered: new Counter(), unanswered: new Counter() };
}

export function resetDnsClientStats(stats: DnsClientStats): void {
  stats.queryDuration.reset();
  stats.answered.reset();
  stats.unanswered.reset();
}

/** Which external name of a form's population a query asks: one name, or drawn uniformly or by Zipf. */
export function externalPicker(form: NameForm | 'clusterIP'): (rng: { next(): number }) => number {
  if (typeof form === 'string' || typeof form.external === 'string') return () => 0;
  const { names, zipf: s } = form.external;
  if (s === undefined || s === 0) return (rng) => Math.floor(rng.next() * names);
  const popularity = zipf(names, s);
  return (rng) => popularity.sample(rng);
}

const ASKED = { A: ASK_A, AAAA: ASK_AAAA, both: ASK_BOTH } as const;
const QUERIES = { A: 1, AAAA: 1, both: 2 } as const;
/** dnsperf -c: one client socket unless told (DNS-OARC/dnsperf src/dnsperf.c), at most 256 (workload.ts). */
const DNSPERF_DEFAULT_SOCKETS = 1;
const MAX_SOCKETS = 256;

/** What one DNS-only workload needs from the point it runs in. */
export interface DnsClientContext {
  sim: Simulator;
  dns: DnsRuntime;
  cluster: Cluster;
  nodes: DetailedNode[];
  /** The workload's Service choice (its `target`). */
  pickService: (rng: RandomStream) => number;
  /** The resolver's timeout, a raw query's when it sets none. */
  resolverTimeoutSeconds: number;
  stats: DnsClientStats;
}

export function startDnsClients(context: DnsClientContext, settings: WorkloadSettings, only: DnsOnlySettings, streams: ClientStreams): void {
  const { sim, dns, cluster, stats } = context;
  const entries = only.queries.map((q) => ({ form: q.name, pickExternal: externalPicker(q.name) }));
  const cumulative: number[] = [];
  let sum = 0;
  for (const q of only.queries) cumulative.push((sum += q.weight));
  const raw: RawQuery | undefined = only.mode === 'raw' ? { asked: ASKED[only.types], timeoutSeconds: only.timeout ?? context.resolverTimeoutSeconds } : undefined;
  const queriesEach = only.mode === 'raw' ? QUERIES[only.types] : 1;
  // dnsperf's sockets (-c, default 1: DNS-OARC/dnsperf src/dnsperf.c) stay open for the run and
  // take queries in turn; a socket's key is unique per client pod.
  const sockets = only.sockets ?? DNSPERF_DEFAULT_SOCKETS;
  const nextSocket = new Map<number, number>();
  const socketOf = (pod: number): number => {
    const k = nextSocket.get(pod) ?? 0;
    nextSocket.set(pod, (k + 1) % sockets);
    return pod * MAX_SOCKETS + k;
  };
  const closed = settings.closedLoop !== undefined;

  const send = (node: DetailedNode, pod: number, then: (() => void) | null): void => {
    let e = 0;
    if (entries.length > 1) {
      const u = streams.targets.next() * sum;
      while (e < entries.length - 1 && u >= cumulative[e]) e++;
    }
    const { form, pickExternal } = entries[e];
    const service = context.pickService(streams.targets);
    const external = pickExternal(streams.targets);
    const startedAt = sim.now;
    // A closed-loop client waits out each query (its timeout, the resolver's retries); an open-loop one gives up at its deadline.
    const deadlineAt = closed ? Infinity : startedAt + settings.deadline;
    dns.lookup(node, form, service, pod, external, deadlineAt, (result) => {
      if (result === 'ok') {
        stats.answered.add(queriesEach);
        if (raw !== undefined) stats.queryDuration.addMany(sim.now - startedAt, queriesEach);
      } else stats.unanswered.add(queriesEach);
      if (then !== null) then();
    }, raw === undefined ? undefined : { ...raw, socket: socketOf(pod) });
  };

  for (const node of context.nodes) {
    const pods = clientPods(settings, cluster, node.index);
    if (pods.length === 0) continue;
    if (settings.closedLoop === undefined) {
      openLoop(sim, settings, pods, streams.arrivals, (pod) => send(node, pod, null));
      continue;
    }
    const think = settings.closedLoop.thinkTime;
    for (const pod of pods) {
      const again = (): void => send(node, pod, () => sim.schedule(think, again));
      for (let c = 0; c < settings.closedLoop.concurrency; c++) sim.schedule(0, again);
    }
  }
}
