// What an experiment will cost before it runs: each point's peak memory and event count from its
// settings (closed forms over the settings, never a loop or an allocation in proportion to them),
// the totals over the sweep, and a rough wall time. runner/budget.ts refuses what exceeds the limits.

import { toDistribution } from '../models/workload.js';
import { loadConntrackProfile } from '../models/conntrack/index.js';
import { isCiliumBased } from '../models/cni.js';
import { corednsReplicas } from '../models/dns/autoscaler.js';
import { networkSettings, type NetworkSettings } from '../models/settings.js';
import type { Shard } from './expand.js';
import type { LoadedExperiment } from './load.js';

/**
 * Per-object costs, measured with bench/calibrate-estimate.ts (each point alone in a fresh
 * process: peak RSS above the RSS before simulate(), and the events it returned), Node 20 on
 * x86-64, December 2026. The points and what they gave:
 *   base (4 nodes all detailed, 10 pods each, 100 Services × 3, 2 clients at 1/s, 1 s): 11.6 MB, 30 events
 *   services200k (200,000 Services × 1 endpoint): 90.3 MB → (90.3 − 11.6) / 2e5 ≈ 390 B per Service with its endpoint
 *   endpoints1m (10 Services × 100,000 endpoints): 156.5 MB → (156.5 − 11.6) / 1e6 ≈ 145 B per endpoint, so ≈ 250 B per Service
 *   detailed400 (400 nodes, all detailed, 10 pods each): 45.5 MB → ≈ 85 KB per detailed node
 *   pods4x2000 (2,000 pods on each of 4 nodes): within the base's noise (± 4 MB): < 500 B per pod
 *   rate (20 clients × 500/s, new connections, 10 s: 100,000 requests): 1.10 M events (11 per request), 30.9 MB
 *   keepalive (the same with keep-alive, 100 requests per connection): 0.61 M events (6.1 per request), 36.9 MB
 *   dns (20 clients × 100/s looking up short names, 10 s: 19,931 requests): 0.22 M events (11 per request), 26.7 MB
 *   flows (20 clients × 2,000/s new connections for 30 s: 1.2 M offered, 0.44 M completed, the rest queued): 1.06 GB, 8.75 M events, 19–38 s
 *   closed100k (4 clients × 25,000 requests in flight, 0.2 s): 179.7 MB → ≈ 1.7 KB per request in flight
 * Figures are rounded up: the estimate should err towards refusing what will not fit.
 */
export const COST = {
  baseBytes: 16e6,
  serviceBytes: 300,
  endpointBytes: 160,
  detailedNodeBytes: 100e3,
  podBytes: 500,
  /**
   * Conntrack entries live in typed arrays: 40 clients × 1,000/s new connections by ClusterIP for
   * 10 s (≈ 800,000 entries, none expiring) peaked at 36 MB, ≈ 30 B per entry above the base. (A
   * first figure, 450 B, read from `flows`, was 10× too high: that point was overloaded and its
   * 1 GB was mostly ≈ 760,000 requests queued up to their deadline, ≈ 1.25 kB each.)
   */
  flowEntryBytes: 60,
  inFlightRequestBytes: 1800,
  /** A kept-alive connection in a client's pool: its object, its socket's entries at both ends. */
  idleConnectionBytes: 1200,
  /** A DNS cache entry (CoreDNS, NodeLocal or a client's): a key string and its record. */
  dnsCacheEntryBytes: 250,
  /** A CoreDNS replica: its CPU queue, cache shards and counters. */
  dnsReplicaBytes: 64e3,
  eventsPerRequest: 12,
  eventsPerKeptAliveRequest: 7,
  /** Every measured point looked its names up (short names), so the per-request figures include a lookup; this is the margin for longer search lists. */
  eventsPerLookup: 2,
  eventsPerSync: 4,
  eventsPerEndpointChange: 4,
  /** rate: 1.10 M events in 1.2–1.6 s; flows ran at 0.23–0.45 M/s with its 1 GB heap; 0.5 M/s is a middle to quote. */
  eventsPerSecond: 0.5e6,
} as const;

/** One part of a point's memory, with the setting that drives it (a path under spec) for messages. */
interface Term {
  setting: string;
  bytes: number;
  /** What it is, to follow a count: "Services", "conntrack entries". */
  what: string;
  count: number;
}

export interface PointCost {
  /** Estimated peak memory of the process running the point. */
  bytes: number;
  events: number;
  requests: number;
  /** Memory terms, largest first. */
  terms: Term[];
  /** The setting that drives the events most, for messages. */
  eventsDriver: { setting: string; what: string; count: number };
}

const finite = (x: number) => (Number.isFinite(x) ? x : Number.MAX_VALUE);

/** Closed-form cost of one point; `s` is the parsed settings. */
export function pointCost(s: NetworkSettings): PointCost {
  const c = s.cluster;
  const nodes = c.nodes;
  const ppn = c.podsPerNode;
  const seconds = s.warmup + s.duration;
  let detailed = c.detailedNodes === 'all' ? nodes : Math.min(c.detailedNodes, nodes);
  const endpointsPer = typeof c.endpointsPerService === 'number' ? c.endpointsPerService : c.endpointsPerService.uniform[1];
  const endpoints = c.services * endpointsPer;
  // Clients not spread evenly: every node hosting one is detailed, and any node may host a server (cluster.ts).
  let simulatedNodes = detailed;
  for (const w of s.workload) {
    if (typeof w.clients === 'number' && w.clients % nodes !== 0) {
      detailed = Math.max(detailed, Math.min(nodes, w.clients));
      simulatedNodes = Math.max(detailed, Math.min(nodes, endpoints));
    }
  }
  simulatedNodes = Math.max(simulatedNodes, detailed);

  let openRate = 0;
  let closedRate = 0;
  let inFlight = 0;
  let connectionRate = 0;
  let keptAlive = 0;
  let lookupRate = 0;
  let clientPods = 0;
  let rateDriver = { setting: 'workload', what: 'requests', count: 0 };
  s.workload.forEach((w, i) => {
    const pods = typeof w.clients === 'number' ? (w.clients * detailed) / nodes : Math.round(w.clients.share * ppn) * detailed;
    clientPods += pods;
    const service = toDistribution(w.server.serviceTime).mean;
    let rate: number;
    if (w.closedLoop !== undefined) {
      const concurrent = pods * w.closedLoop.concurrency;
      // A closed loop goes as fast as its servers let it: its concurrency over a round trip, at most what the workers serve.
      const capacity = (simulatedNodes * ppn * w.server.workers) / Math.max(service, 1e-6);
      rate = Math.min(concurrent / (w.closedLoop.thinkTime + service + 1e-3), capacity);
      closedRate += rate;
      inFlight += concurrent;
    } else {
      rate = pods * w.ratePerClient;
      openRate += rate;
      // Little's law, with a backlog up to the deadline when the offered rate exceeds what the CPUs serve.
      const cpu = w.cpuPerRequest.client + w.cpuPerRequest.server + service / w.server.workers;
      const capacity = (simulatedNodes * c.coresPerNode) / Math.max(cpu, 1e-9);
      inFlight += rate * (service + 1e-3) + Math.max(0, rate - capacity) * Math.min(w.deadline, seconds);
    }
    if (rate * seconds > rateDriver.count) {
      rateDriver = { setting: w.closedLoop !== undefined ? `workload.${i}.closedLoop.concurrency` : `workload.${i}.ratePerClient`, what: 'requests', count: rate * seconds };
    }
    if (w.connection === 'new') {
      connectionRate += rate;
    } else {
      connectionRate += rate / w.connection.keepAlive.maxRequests;
      // Each request touches one (client pod, Service) pool: at most those pairs, at most the requests of an idle period.
      keptAlive += Math.min(pods * c.services, rate * Math.min(w.connection.keepAlive.idle, seconds));
    }
    if (w.dnsName !== 'clusterIP') lookupRate += rate;
  });
  const requestRate = openRate + closedRate;
  const requests = requestRate * seconds;

  // Conntrack: every connection is tracked at the client's node and the server's, and stays for
  // TIME_WAIT after it closes, up to the table's limit (kube-proxy's nf_conntrack_max formula).
  const profile = loadConntrackProfile(s.profiles.conntrack).values;
  const limit = s.conntrack.max ?? Math.max((s.conntrack.maxPerCore ?? profile.kubeProxy.maxPerCore) * c.coresPerNode, s.conntrack.min ?? profile.kubeProxy.min);
  const perNode = (2 * connectionRate * Math.min(seconds, s.conntrack.tcpTimeWait ?? profile.netfilter.timeouts.tcpTimeWait)) / Math.max(1, simulatedNodes) + keptAlive / Math.max(1, detailed);
  const tables = isCiliumBased(c.cni) ? 2 : 1;
  const flowEntries = tables * simulatedNodes * Math.min(limit, perNode);

  const dns = s.dns;
  const replicas = corednsReplicas(dns.coredns.replicas, dns.coredns.autoscaler, nodes, nodes * c.coresPerNode);
  const names = lookupRate > 0 ? c.services * (dns.resolver.ndots + 1) + 1000 : 0;
  const cacheEntries =
    lookupRate > 0
      ? replicas * Math.min(dns.coredns.cache.capacity + dns.coredns.cache.denialCapacity, names) +
        (dns.nodeLocal.enabled ? detailed * Math.min(dns.nodeLocal.cache.capacity + dns.nodeLocal.cache.denialCapacity, names) : 0) +
        (dns.resolver.cache === 'ttl' ? Math.min(clientPods * names, lookupRate * seconds) : 0)
      : 0;

  const terms: Term[] = [
    { setting: 'cluster.services', what: 'Services', count: c.services, bytes: c.services * COST.serviceBytes },
    { setting: 'cluster.endpointsPerService', what: 'endpoints', count: endpoints, bytes: endpoints * COST.endpointBytes },
    { setting: detailedSetting(s), what: 'simulated nodes', count: simulatedNodes, bytes: simulatedNodes * COST.detailedNodeBytes },
    { setting: 'cluster.podsPerNode', what: 'pods on simulated nodes', count: simulatedNodes * ppn, bytes: simulatedNodes * ppn * COST.podBytes },
    { setting: rateDriver.setting, what: 'requests in flight', count: inFlight, bytes: inFlight * COST.inFlightRequestBytes },
    { setting: rateDriver.setting, what: 'conntrack entries', count: flowEntries, bytes: flowEntries * COST.flowEntryBytes },
    { setting: 'workload', what: 'kept-alive connections', count: keptAlive, bytes: keptAlive * COST.idleConnectionBytes },
    { setting: 'dns.coredns.replicas', what: 'CoreDNS replicas', count: replicas, bytes: replicas * COST.dnsReplicaBytes },
    { setting: 'dns', what: 'DNS cache entries', count: cacheEntries, bytes: cacheEntries * COST.dnsCacheEntryBytes },
  ].map((t) => ({ ...t, count: finite(t.count), bytes: finite(t.bytes) }));
  terms.sort((a, b) => b.bytes - a.bytes);

  const keptAliveShare = connectionRate < requestRate ? 1 - connectionRate / Math.max(requestRate, 1e-300) : 0;
  const perRequest = COST.eventsPerRequest * (1 - keptAliveShare) + COST.eventsPerKeptAliveRequest * keptAliveShare;
  const syncs = detailed * (seconds / Math.max(s.proxy.syncPeriod, 1e-3) + (s.churn.endpointChangesPerSecond > 0 ? seconds / Math.max(s.proxy.minSyncPeriod, 1e-3) : 0));
  const changes = s.churn.endpointChangesPerSecond * seconds;
  const events = finite(requests * perRequest + lookupRate * seconds * COST.eventsPerLookup + syncs * COST.eventsPerSync + changes * COST.eventsPerEndpointChange);
  const bytes = finite(COST.baseBytes + terms.reduce((sum, t) => sum + t.bytes, 0));
  const eventsDriver = changes * COST.eventsPerEndpointChange > requests * perRequest ? { setting: 'churn.endpointChangesPerSecond', what: 'endpoint changes', count: changes } : rateDriver;
  return { bytes, events, requests: finite(requests), terms, eventsDriver: { ...eventsDriver, count: finite(eventsDriver.count) } };
}

function detailedSetting(s: NetworkSettings): string {
  return s.cluster.detailedNodes === 'all' ? 'cluster.nodes' : 'cluster.detailedNodes';
}

interface WorkEstimate {
  points: number;
  replications: number;
  simulations: number;
  /** Warm-up plus measured window, summed over simulations. */
  simulatedSeconds: number;
  /** Requests issued (open loop, and closed loop at the rate its servers allow), summed over simulations. */
  requests: number;
  /** Events summed over simulations. */
  events: number;
  /** Peak memory of the costliest point, and which point (index in the sweep) it is. */
  peakBytes: number;
  peakPoint: number;
  /** Rough single-worker wall time at COST.eventsPerSecond. */
  cpuSeconds: number;
  closedLoop: boolean;
}

export interface CostedExperiment extends WorkEstimate {
  /** Each point's cost, in sweep order. */
  costs: PointCost[];
}

export function estimateWork(loaded: LoadedExperiment, shard?: Shard): CostedExperiment {
  const replications = loaded.spec.replications;
  let simulatedSeconds = 0;
  let requests = 0;
  let events = 0;
  let peakBytes = 0;
  let peakPoint = 0;
  let closedLoop = false;
  const costs: PointCost[] = [];
  loaded.points.forEach((point, i) => {
    const s = networkSettings.parse(point.input);
    const cost = pointCost(s);
    costs.push(cost);
    if (s.workload.some((w) => w.closedLoop !== undefined)) closedLoop = true;
    simulatedSeconds += (s.warmup + s.duration) * replications;
    requests += cost.requests * replications;
    events += cost.events * replications;
    if (cost.bytes > peakBytes) {
      peakBytes = cost.bytes;
      peakPoint = i;
    }
  });
  const simulations = loaded.points.length * replications;
  const share = shard === undefined ? 1 : Math.ceil(simulations / shard.count) / Math.max(1, simulations);
  return {
    points: loaded.points.length,
    replications,
    simulations: Math.round(simulations * share),
    simulatedSeconds: simulatedSeconds * share,
    requests: Math.round(requests * share),
    events: events * share,
    peakBytes,
    peakPoint,
    cpuSeconds: (events * share) / COST.eventsPerSecond,
    closedLoop,
    costs,
  };
}
