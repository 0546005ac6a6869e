// What client pods do: whom they call, how often, over which connections, and what each
// request costs the client, the network and the server. Settings only; the request's life is in
// requests.ts.

import { z } from 'zod';
import { podSysctlsSettings } from './ports.js';
import {
  deterministic,
  exponentialMean,
  lognormalFromMedianP99,
  uniform,
  type Distribution,
} from '../engine/distributions.js';
import { hostname, nameForm } from './dns/names.js';
import { duration, positiveDuration, share, size } from './units.js';

/** A duration distribution as users write it: a duration, or { exponential | lognormal | uniform }. */
export const durationDistribution = () =>
  z.union([
    duration().transform((seconds) => ({ kind: 'deterministic' as const, seconds })),
    z.object({ exponential: z.object({ mean: positiveDuration() }).strict() }).strict(),
    z.object({ lognormal: z.object({ median: positiveDuration(), p99: positiveDuration() }).strict() }).strict(),
    z.object({ uniform: z.object({ min: duration(), max: positiveDuration() }).strict() }).strict(),
  ]);
export type DurationDistributionSetting = z.output<ReturnType<typeof durationDistribution>>;

export function toDistribution(setting: DurationDistributionSetting): Distribution {
  if ('kind' in setting) return deterministic(setting.seconds);
  if ('exponential' in setting) return exponentialMean(setting.exponential.mean);
  if ('lognormal' in setting) return lognormalFromMedianP99(setting.lognormal.median, setting.lognormal.p99);
  return uniform(setting.uniform.min, setting.uniform.max);
}

const target = z.union([
  z.literal('uniform'),
  z.string().regex(/^svc-\d+$/, 'a target is "uniform", { zipf: s }, or a Service name such as "svc-0"'),
  z.object({ zipf: z.number().min(0) }).strict(),
]);

const connection = z.union([
  z.literal('new'),
  z
    .object({
      keepAlive: z
        .object({
          maxRequests: z.number().int().min(1).prefault(100),
          idle: positiveDuration().prefault('60s'),
        })
        .strict(),
    })
    .strict(),
]);

const arrival = z.union([
  z.enum(['poisson', 'constant']),
  z.object({ onOff: z.object({ on: positiveDuration(), off: positiveDuration() }).strict() }).strict(),
]);

/**
 * A DNS-only workload (dnsperf/resperf style): its clients only resolve names and connect to
 * nothing. The names are drawn from `queries` by weight; a Service form names a Service picked by
 * the workload's `target`. `resolver`: each name is looked up as the pod's library does it (search
 * path, A and AAAA, retries); `raw`: one query per name as written (a trailing dot implied, no
 * search path), of the given types, waiting `timeout` (the resolver's when unset) with no retry.
 */
const dnsOnly = z
  .object({
    mode: z.enum(['resolver', 'raw']).prefault('resolver'),
    queries: z
      .array(z.object({ name: nameForm, weight: z.number().positive().prefault(1) }).strict())
      .min(1)
      .prefault([{ name: 'fqdn' }]),
    /** Raw mode's question types: A, AAAA, or both (two queries); the resolver always asks both. */
    types: z.enum(['A', 'AAAA', 'both']).prefault('A'),
    /** Raw mode: how long a query waits for its answer before it counts as lost (dnsperf -t). */
    timeout: positiveDuration().optional(),
    /**
     * Raw mode: UDP sockets per client pod, kept open for the whole run and used in turn (dnsperf
     * -c, default 1, at most 256). Each socket's conntrack entry pins it to one CoreDNS replica.
     */
    sockets: z.number().int().min(1).max(256).optional(),
  })
  .strict()
  .superRefine((dns, ctx) => {
    if (dns.mode === 'resolver' && dns.types !== 'A') ctx.addIssue({ code: 'custom', path: ['types'], message: 'types applies to raw mode only: the resolver asks A and AAAA' });
    if (dns.mode === 'resolver' && dns.timeout !== undefined) ctx.addIssue({ code: 'custom', path: ['timeout'], message: "timeout applies to raw mode only: the resolver waits dns.resolver.timeout" });
    if (dns.mode === 'resolver' && dns.sockets !== undefined) ctx.addIssue({ code: 'custom', path: ['sockets'], message: 'sockets applies to raw mode only: the resolver opens a socket per lookup' });
  });
export type DnsOnlySettings = z.output<typeof dnsOnly>;

/**
 * External clients' way in (models/external.ts): the target Services' type and
 * externalTrafficPolicy as these clients meet them, and the cloud load balancer's health checks
 * (defaults: the provider controller's, models/profiles/lb.yaml).
 */
const loadBalancer = z
  .object({
    provider: z.enum(['gcp', 'aws-nlb']).prefault('gcp'),
    healthCheckInterval: positiveDuration().optional(),
    unhealthyThreshold: z.number().int().min(1).optional(),
    healthyThreshold: z.number().int().min(1).optional(),
  })
  .strict();

const workloadSettings = z
  .object({
    name: z.string().min(1).prefault('web'),
    /**
     * Where the clients are: pods of the cluster, or outside it (`external`: `clients` is then a
     * count of client machines, on no node: their CPU, ports and conntrack are not the cluster's),
     * entering through the target Service's node port; they resolve no cluster name. Unset: pod.
     */
    from: z.enum(['pod', 'external']).optional(),
    /** External clients: NodePort (clients spread over every node's IP) or LoadBalancer (a cloud load balancer spreads them). */
    serviceType: z.enum(['NodePort', 'LoadBalancer']).optional(),
    /** External clients: Cluster (any node, SNAT, maybe a second hop) or Local (nodes with an endpoint only, the source IP kept). */
    externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
    /** External clients through a LoadBalancer: the provider and its health checks of the nodes. */
    loadBalancer: loadBalancer.optional(),
    /** Client pods: a share of each node's pods ("50%") or a count spread over the nodes. */
    clients: z
      .union([z.number().int().min(1), share().transform((fraction) => ({ share: fraction }))])
      .prefault('50%'),
    /** Open loop: requests per second per client pod (at most a 100 Gb/s NIC's 148.8 M minimum-size frames per second: a request is at least one frame). */
    ratePerClient: z.number().positive().max(148_800_000, 'at most 148,800,000 requests/s per client pod (a 100 Gb/s link carries 148.8 M minimum-size frames per second)').prefault(10),
    arrival: arrival.prefault('poisson'),
    /** Closed loop instead of ratePerClient: each client pod keeps `concurrency` requests going. */
    // Each request in flight holds a socket: at most fs.nr_open (1,048,576 by default, the ceiling of a process's RLIMIT_NOFILE).
    closedLoop: z.object({ concurrency: z.number().int().min(1).max(1_048_576, 'at most 1,048,576 requests in flight per client pod (each holds a socket; fs.nr_open)'), thinkTime: duration().prefault('0s') }).strict().optional(),
    target: target.prefault('uniform'),
    /**
     * How the client writes the name it resolves (not `name`, which is the workload's own
     * name): short | namespaced | fqdn | fqdn-dot | { external: ... }, or
     * clusterIP to connect by address with no lookup. A short name is the client calling a
     * Service of its own namespace.
     */
    dnsName: z.union([z.literal('clusterIP'), nameForm]).prefault('short'),
    /**
     * The kind of the target Services (docs/architecture.md, "Headless and ExternalName
     * Services"): ClusterIP, the default (a virtual IP the proxy dispatches); Headless (no
     * ClusterIP: the lookup answers the ready endpoints' pod IPs and the client connects to one
     * of them, with no proxy dispatch); or { externalName: host } (the lookup answers a CNAME to
     * the host, which CoreDNS resolves itself, and the client connects to that host outside the
     * cluster). Unset: ClusterIP.
     */
    service: z.union([z.enum(['ClusterIP', 'Headless']), z.object({ externalName: hostname }).strict()]).optional(),
    connection: connection.prefault('new'),
    /**
     * Which end closes a connection first, and so holds its port in TIME_WAIT: the server, as
     * HTTP/1.1 `Connection: close` and netperf TCP_CRR have it (RFC 9112 §9.6), or the client,
     * which then can open at most ports / 60 s new connections to one destination (ports.ts).
     */
    activeClose: z.enum(['server', 'client']).prefault('server'),
    /** The client pods' sysctls that decide their ephemeral ports (ports.ts). */
    sysctls: podSysctlsSettings.prefault({}),
    requestSize: size().prefault('1KiB'),
    responseSize: size().prefault('1KiB'),
    cpuPerRequest: z.object({ client: duration().prefault('50us'), server: duration().prefault('100us') }).strict().prefault({ client: '50us', server: '100us' }),
    server: z
      .object({
        workers: z.number().int().min(1).prefault(64),
        serviceTime: durationDistribution().prefault('1ms'),
        /**
         * The serving pods' CPU limit in cores (resources.limits.cpu: 0.5 = 500m), enforced as a
         * CFS quota of limit × 100 ms per 100 ms period on the pod's cpuPerRequest.server (and its
         * service time when serviceTimeIsCpu): work that does not fit waits for the next period.
         */
        cpuLimit: z.number().positive().optional(),
        /** Whether the service time is the pod's own CPU (drawn from its limit's quota) rather than time waiting on something else; unset: false. */
        serviceTimeIsCpu: z.boolean().optional(),
      })
      .strict()
      .prefault({ workers: 64, serviceTime: '1ms' }),
    /** The client gives up on a request after this long (connect retries included). */
    deadline: positiveDuration().prefault('30s'),
    /** A DNS-only workload: clients that only resolve names (the request, connection and server fields do not apply). */
    dns: dnsOnly.optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if (w.service !== undefined && w.service !== 'ClusterIP') {
      const kind = serviceKind(w.service);
      const why =
        w.from === 'external' ? `external clients enter through a node port, which a${kind === 'Headless' ? ' headless' : 'n ExternalName'} Service has none of`
        : w.dns !== undefined ? 'a DNS-only workload connects to nothing'
        : w.dnsName === 'clusterIP' ? `a${kind === 'Headless' ? ' headless' : 'n ExternalName'} Service has no ClusterIP: its clients must resolve its name (dnsName)`
        : typeof w.dnsName !== 'string' ? 'an external dnsName calls no Service'
        : null;
      if (why !== null) ctx.addIssue({ code: 'custom', path: ['service'], message: `service ${kind} does not fit this workload: ${why}` });
    }
    if (w.from !== 'external') {
      for (const key of ['serviceType', 'externalTrafficPolicy', 'loadBalancer'] as const) {
        if (w[key] !== undefined) ctx.addIssue({ code: 'custom', path: [key], message: `${key} applies to external clients only (from: external)` });
      }
      return;
    }
    if (typeof w.clients !== 'number') ctx.addIssue({ code: 'custom', path: ['clients'], message: 'external clients are a count of client machines, not a share of pods' });
    if (w.dns !== undefined) ctx.addIssue({ code: 'custom', path: ['dns'], message: 'external clients do not query cluster DNS' });
    if (w.loadBalancer !== undefined && w.serviceType === 'NodePort') ctx.addIssue({ code: 'custom', path: ['loadBalancer'], message: 'loadBalancer applies to serviceType LoadBalancer' });
  });
export type WorkloadSettings = z.output<typeof workloadSettings>;

/** A Service kind as the checks name it: ExternalName with its host (two hosts are two kinds). */
function serviceKind(service: WorkloadSettings['service']): string {
  if (service === undefined) return 'ClusterIP';
  return typeof service === 'string' ? service : `ExternalName ${service.externalName}`;
}

/** The Services a workload calls: one (`svc-N`), or all of them (uniform, zipf). */
function targetIndex(w: WorkloadSettings): number | 'all' {
  return typeof w.target === 'string' && w.target !== 'uniform' ? Number(w.target.slice('svc-'.length)) : 'all';
}

export const workloadsSettings = z
  .array(workloadSettings)
  .min(1)
  .prefault([{}])
  .superRefine((workloads, ctx) => {
    // A Service has one kind: workloads that disagree on it must call different Services.
    for (let i = 0; i < workloads.length; i++) {
      for (let j = 0; j < i; j++) {
        const [a, b] = [workloads[i], workloads[j]];
        if (serviceKind(a.service) === serviceKind(b.service)) continue;
        const [ta, tb] = [targetIndex(a), targetIndex(b)];
        if (ta === 'all' || tb === 'all' || ta === tb) {
          ctx.addIssue({ code: 'custom', path: [i, 'service'], message: `workloads ${b.name} and ${a.name} give their target Services different kinds (${serviceKind(b.service)}, ${serviceKind(a.service)}): each must call its own Service (target: svc-N)` });
        }
      }
    }
  });
