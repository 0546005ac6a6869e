// The experiment's `dns:` key (docs/architecture.md, "The experiment file") and the DNS profile's schema (profiles/dns.yaml).
// Defaults are what a kubeadm cluster runs: glibc pods with ndots:5, two CoreDNS replicas with
// `cache 30` and the kubernetes plugin's 5 s TTL, no NodeLocal DNSCache.

import { z } from 'zod';
import { loadProfile, type LoadedProfile } from '../profiles/load.js';
import { duration, positiveDuration, size } from '../units.js';
import { durationDistribution } from '../workload.js';
import type { DnsCacheConfig } from './cache.js';

const count = () => z.number().int().min(1);
const domain = z.string().regex(/^([A-Za-z0-9-]{1,63}\.)*[A-Za-z0-9-]{1,63}\.?$/, 'a search domain is a DNS name such as "ec2.internal"');

// ---- profile ----

const libraryBehaviour = z
  .object({
    timeout: positiveDuration(),
    attempts: count(),
    ndots: z.number().int().min(0),
    maxNameservers: count(),
    pair: z.enum(['parallel-same-socket', 'parallel-separate-sockets']),
    honoursSingleRequest: z.boolean(),
    asIsFirstThenSearch: z.boolean(),
    stopsOnNoData: z.boolean(),
    rotates: z.boolean(),
    retransmit: z.enum(['per-server-scaled', 'per-server', 'all-servers-every-interval']),
    sequentialRetryAfterPartialTimeout: z.boolean(),
  })
  .strict();

const kernelVersion = z.string().regex(/^\d+\.\d+$/);
const cacheZone = z.object({ capacity: count(), maxTtl: positiveDuration() }).strict();

/** profiles/dns.yaml, once its units are parsed. */
const dnsProfileSchema = z
  .object({
    libraries: z.object({ glibc: libraryBehaviour, musl: libraryBehaviour, go: libraryBehaviour }).strict(),
    pod: z.object({ ndots: z.number().int().min(0), clusterDomain: domain }).strict(),
    coredns: z
      .object({
        cache: z
          .object({
            shards: count(),
            capacity: count(),
            minShardSize: count(),
            successMaxTtl: positiveDuration(),
            denialMaxTtl: positiveDuration(),
            minTtl: duration(),
            kubernetesDeploymentMaxTtl: positiveDuration(),
            prefetchDuration: positiveDuration(),
            prefetchPercentage: z.number().min(10).max(90),
            eviction: z.literal('random-in-shard'),
            bytesPerEntryFull: size(),
          })
          .strict(),
        kubernetesTtl: positiveDuration(),
        forward: z.object({ maxConcurrent: count(), readTimeout: positiveDuration(), maxFails: count(), expire: positiveDuration() }).strict(),
        resources: z.object({ memoryLimit: size() }).strict(),
        cpu: z.object({ cacheHit: positiveDuration(), autopathAnswer: positiveDuration(), kubernetesAnswer: positiveDuration(), forward: positiveDuration() }).strict(),
        calibration: z.object({ internalMaxQps: z.number().positive(), externalClientMaxQps: z.number().positive(), externalQueriesPerLookup: count(), cores: z.number().positive() }).strict(),
        memory: z
          .object({
            defaultPerThousandObjects: z.number().min(0),
            defaultBaseMb: z.number().min(0),
            autopathPerThousandObjects: z.number().min(0),
            autopathBaseMb: z.number().min(0),
            cacheFullMb: z.number().min(0),
            cacheReferenceEntries: count(),
          })
          .strict(),
        receiveQueuePackets: z.number().int().min(0),
      })
      .strict(),
    autoscaler: z
      .object({ coresPerReplica: z.number().positive(), nodesPerReplica: z.number().positive(), min: count(), preventSinglePointFailure: z.boolean(), pollPeriod: positiveDuration() })
      .strict(),
    nodeLocal: z
      .object({
        clusterZoneSuccess: cacheZone,
        clusterZoneDenial: cacheZone,
        otherZonesMaxTtl: positiveDuration(),
        forceTcpToCoreDns: z.boolean(),
        notrack: z.boolean(),
        cpuRequest: z.number().positive(),
        memoryRequest: size(),
        cpu: z.object({ cacheHit: positiveDuration(), forward: positiveDuration() }).strict(),
      })
      .strict(),
    upstream: z.object({ awsPacketsPerSecond: z.number().positive(), latency: positiveDuration(), ttl: positiveDuration(), denialTtl: positiveDuration() }).strict(),
    race: z
      .object({
        pairCollisionProbability: z.number().min(0).max(1),
        sameEndpointPartiallyFixedIn: kernelVersion,
        sameEndpointFixedIn: kernelVersion,
        sameEndpointDropShareBetweenFixes: z.number().min(0).max(1),
        differentEndpointFixedIn: kernelVersion,
      })
      .strict(),
  })
  .strict();
export type DnsProfile = z.output<typeof dnsProfileSchema>;

/** Loads profiles/dns.yaml with an experiment's overrides (a partial tree of values). */
export function loadDnsProfile(overrides?: unknown): LoadedProfile<DnsProfile> {
  return loadProfile('dns', dnsProfileSchema, overrides);
}

// ---- settings ----

const resolverLibrary = z.enum(['glibc', 'musl', 'go']);
const requestOption = z.enum(['none', 'single-request', 'single-request-reopen']);

const resolverSettings = z
  .object({
    /** options ndots:n; kubelet writes 5. glibc caps it at 15 (RES_MAXNDOTS). */
    ndots: z.number().int().min(0).max(15).prefault(5),
    /** The node's search domains, appended by kubelet after the cluster's three. */
    nodeSearchDomains: z.array(domain).max(32).prefault([]),
    library: resolverLibrary.prefault('glibc'),
    /** options single-request / single-request-reopen (glibc and Go; musl ignores both). */
    options: requestOption.prefault('none'),
    /** options timeout:n; glibc caps it at 30 s (RES_MAXRETRANS). */
    timeout: positiveDuration().pipe(z.number().max(30)).prefault('5s'),
    /** options attempts:n; glibc caps it at 5 (RES_MAXRETRY). */
    attempts: z.number().int().min(1).max(5).prefault(2),
    /** options rotate: glibc and Go start each query at the next nameserver. */
    rotate: z.boolean().prefault(false),
    /** Nameservers in resolv.conf: one for ClusterFirst pods (at most 3). */
    nameservers: z.number().int().min(1).max(3).prefault(1),
    /** Client-side caching: none (glibc, musl and Go cache nothing) or TTL-respecting (nscd, a JVM). */
    cache: z.enum(['none', 'ttl']).prefault('none'),
  })
  .strict();

const prefetch = z.union([
  z.literal(false),
  z
    .object({
      amount: count(),
      duration: positiveDuration().prefault('1m'),
      percentage: z.number().int().min(10).max(90).prefault(10),
    })
    .strict(),
]);

/** CoreDNS `cache`: defaults are coredns/deployment's and kubeadm's `cache 30`. */
const corednsCache = z
  .object({
    /** success CAPACITY (rounded down to a multiple of 256 shards). */
    capacity: count().prefault(9984),
    /** denial CAPACITY. */
    denialCapacity: count().prefault(9984),
    /** Maximum TTL of a cached answer (`cache 30`; the plugin's own default is 3600 s). */
    successTTL: positiveDuration().prefault('30s'),
    /** Maximum TTL of a cached NXDOMAIN or NODATA (`cache 30`; the plugin's own default is 1800 s). */
    denialTTL: positiveDuration().prefault('30s'),
    /** MINTTL for both. */
    minTTL: duration().prefault('5s'),
    prefetch: prefetch.prefault(false),
  })
  .strict();

const autoscalerSettings = z
  .object({
    coresPerReplica: z.number().positive().prefault(256),
    nodesPerReplica: z.number().positive().prefault(16),
    min: count().prefault(1),
    /** 0: no maximum. */
    max: z.number().int().min(0).prefault(0),
    preventSinglePointFailure: z.boolean().prefault(true),
  })
  .strict();

const corednsSettings = z
  .object({
    /** A number, or `autoscaler` for the cluster-proportional-autoscaler's linear formula. kubeadm deploys 2. */
    replicas: z.union([count(), z.literal('autoscaler')]).prefault(2),
    autoscaler: autoscalerSettings.prefault({}),
    /** Cores per replica (at most Linux's largest NR_CPUS, 8,192: a container cannot have more cores than its node). */
    cpu: z.number().positive().max(8192, 'at most 8,192 cores (Linux\'s largest NR_CPUS)').prefault(1),
    /** Queries a replica's socket holds before dropping; default: profile coredns.receiveQueuePackets. */
    queueLimit: z.number().int().min(0).optional(),
    cache: corednsCache.prefault({}),
    /** The kubernetes plugin's `ttl` (kubeadm sets 30). */
    kubernetesTTL: positiveDuration().prefault('5s'),
    /** `autopath @kubernetes`: server-side search, more memory. */
    autopath: z.boolean().prefault(false),
    /** Container memory limit, against which the published memory formula is reported. */
    memoryLimit: size().prefault('170MiB'),
    /** forward's max_concurrent (coredns/deployment sets 1000); above it forward answers REFUSED. */
    maxConcurrent: count().prefault(1000),
  })
  .strict();

const nodeLocalSettings = z
  .object({
    enabled: z.boolean().prefault(false),
    /**
     * A CPU limit in cores (0.05 for 50m). Unset: no limit (the addon only requests 25m); the model
     * then gives the agent one core of its own, not shared with the node's pods.
     */
    cpu: z.number().positive().max(8192, 'at most 8,192 cores (Linux\'s largest NR_CPUS)').optional(),
    /**
     * Whether the agent reaches CoreDNS over TCP (`force_tcp`, the addon's default: dns.yaml
     * nodeLocal.forceTcpToCoreDns). Over UDP its forward pool reuses one socket, whose conntrack
     * entry pins all of the node's cluster-zone misses to one replica.
     */
    forceTcp: z.boolean().optional(),
    cache: z
      .object({
        capacity: count().prefault(9984),
        denialCapacity: count().prefault(9984),
        successTTL: positiveDuration().prefault('30s'),
        denialTTL: positiveDuration().prefault('5s'),
        /** `cache 30` of the server block for every other zone. */
        externalTTL: positiveDuration().prefault('30s'),
      })
      .strict()
      .prefault({}),
  })
  .strict();

const upstreamSettings = z
  .object({
    /** Round trip from CoreDNS (or NodeLocal) to the upstream resolver and back. */
    latency: durationDistribution().prefault('1ms'),
    /** TTL of the upstream's positive answers. */
    ttl: durationDistribution().prefault('300s'),
    /** TTL of the upstream's NXDOMAIN and NODATA answers (the zone's SOA minimum). */
    denialTTL: durationDistribution().prefault('60s'),
    /** Packets per second per network interface beyond which queries are dropped; `aws` = 1024. */
    packetsPerSecondLimit: z.union([z.number().positive(), z.literal('aws')]).optional(),
  })
  .strict();

/**
 * How a CPU limit below a whole number of cores is served (CoreDNS `cpu`, NodeLocal `cpu`). `cfs`,
 * the default, is what the kernel does: full-speed cores until the period's quota (limit × 100 ms)
 * is spent, then throttled to the period's end, so a 50m container answers a lone query as fast as
 * an unlimited one but queries after a burst wait up to 95 ms. `uniform` spreads the limit evenly
 * (one core at 1/20 of its speed for 50m), the model before issue 16: the same mean rate, none of
 * the tail; kept to compare against. Whole-core limits never throttle and are the same in both.
 */
const cpuLimitModel = z.enum(['cfs', 'uniform']);
export type CpuLimitModel = z.output<typeof cpuLimitModel>;

export const dnsSettings = z
  .object({
    resolver: resolverSettings.prefault({}),
    cpuLimitModel: cpuLimitModel.prefault('cfs'),
    coredns: corednsSettings.prefault({}),
    nodeLocal: nodeLocalSettings.prefault({}),
    upstream: upstreamSettings.prefault({}),
  })
  .strict()
  .superRefine((dns, ctx) => {
    const a = dns.coredns.autoscaler;
    if (a.max > 0 && a.max < a.min) {
      ctx.addIssue({ code: 'custom', path: ['coredns', 'autoscaler', 'max'], message: `max (${a.max}) is below min (${a.min})` });
    }
  });

export type CorednsSettings = z.output<typeof corednsSettings>;
export type NodeLocalSettings = z.output<typeof nodeLocalSettings>;
export type UpstreamSettings = z.output<typeof upstreamSettings>;
export type DnsSettings = z.output<typeof dnsSettings>;

/** The per-interface packet limit in packets per second, or Infinity when none is set. */
export function upstreamPacketLimit(upstream: UpstreamSettings, profile: DnsProfile): number {
  const limit = upstream.packetsPerSecondLimit;
  if (limit === undefined) return Infinity;
  return limit === 'aws' ? profile.upstream.awsPacketsPerSecond : limit;
}

/** A replica's receive-queue limit: the setting, or the profile's socket-buffer estimate. */
export function corednsQueueLimit(coredns: CorednsSettings, profile: DnsProfile): number {
  return coredns.queueLimit ?? profile.coredns.receiveQueuePackets;
}

// ---- caches from settings ----

/** One CoreDNS replica's cache (`cache` plugin) from the settings and the plugin's constants. */
export function corednsCacheConfig(coredns: CorednsSettings, profile: DnsProfile): DnsCacheConfig {
  const c = coredns.cache;
  const p = profile.coredns.cache;
  return {
    successCapacity: c.capacity,
    denialCapacity: c.denialCapacity,
    successMaxTtl: c.successTTL,
    denialMaxTtl: c.denialTTL,
    successMinTtl: c.minTTL,
    denialMinTtl: c.minTTL,
    shards: p.shards,
    minShardSize: p.minShardSize,
    prefetch: c.prefetch === false ? undefined : { amount: c.prefetch.amount, duration: c.prefetch.duration, percentage: c.prefetch.percentage },
  };
}

/**
 * NodeLocal DNSCache's two caches: the cluster.local server block (`success 9984 30`,
 * `denial 9984 5`) and the `.:53` block for every other zone (`cache 30`, plugin capacities).
 */
export function nodeLocalCacheConfigs(nodeLocal: NodeLocalSettings, profile: DnsProfile): { clusterZone: DnsCacheConfig; otherZones: DnsCacheConfig } {
  const c = nodeLocal.cache;
  const p = profile.coredns.cache;
  const common = { shards: p.shards, minShardSize: p.minShardSize, successMinTtl: p.minTtl, denialMinTtl: p.minTtl };
  return {
    clusterZone: { ...common, successCapacity: c.capacity, denialCapacity: c.denialCapacity, successMaxTtl: c.successTTL, denialMaxTtl: c.denialTTL },
    otherZones: { ...common, successCapacity: p.capacity, denialCapacity: p.capacity, successMaxTtl: c.externalTTL, denialMaxTtl: c.externalTTL },
  };
}
