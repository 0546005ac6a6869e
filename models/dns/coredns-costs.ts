// What a DNS server spends per query and holds in memory: CoreDNS's CPU per query by answer kind,
// NodeLocal DNSCache's, and CoreDNS's memory from the published formula. The queueing itself (a
// replica as a multi-server queue of `cpu` cores) belongs to the request path.
//
// Calibration (coredns/deployment kubernetes/Scaling_CoreDNS.md, one CoreDNS 1.2.5 on a 2-vCPU
// n1-standard-2, both vCPUs pegged): 33,669 QPS of cached internal names gives 2 / 33,669 s =
// 59.4 us a query on the node, of which 1.47 us is the kernel's packet work on the server's node
// (server-kernel.ts, outside the container's quota): a cache hit is 57.93 us of CoreDNS's own. The
// external-name run (6,733 client QPS, 5 server queries each, mostly denial-cache hits) implies the
// same per-query cost, and autopath's 31,428 QPS gives 63.6 − 1.47 = 62.16 us for its cached
// CNAME-plus-address answer. No figure isolates a kubernetes-plugin miss or a forward:
// both are assumptions in profiles/dns.yaml (1.5x and 2.5x a hit). NodeLocal: 50m for ~845 QPS of
// cached names (KEP-1024) is 59.2 us a hit, the same work as CoreDNS's, which it is.

import type { DnsProfile } from './settings.js';

/** How CoreDNS answered a query, which decides its CPU cost. */
export type AnswerKind = 'cache-hit' | 'kubernetes' | 'forward' | 'autopath';

/** CPU seconds one CoreDNS query costs, by how it was answered. */
export function corednsCpuSeconds(profile: DnsProfile, kind: AnswerKind): number {
  const cpu = profile.coredns.cpu;
  switch (kind) {
    case 'cache-hit':
      return cpu.cacheHit;
    case 'kubernetes':
      return cpu.kubernetesAnswer;
    case 'forward':
      return cpu.forward;
    case 'autopath':
      return cpu.autopathAnswer;
  }
}

/** CPU seconds one NodeLocal DNSCache query costs: a cache hit, or a miss sent on (TCP or UDP). */
export function nodeLocalCpuSeconds(profile: DnsProfile, kind: 'cache-hit' | 'forward'): number {
  return kind === 'cache-hit' ? profile.nodeLocal.cpu.cacheHit : profile.nodeLocal.cpu.forward;
}

/** Queries per second `cores` serve when every query costs `cpuSeconds` (the saturation rate). */
export function saturationQps(cores: number, cpuSeconds: number): number {
  return cores / cpuSeconds;
}

/**
 * The memory a CoreDNS replica needs, in MiB: (pods + services)/1000 + 54 by default,
 * (pods + services)/250 + 56 with autopath (which keeps every pod's IP). Both include a full
 * cache (~30 MB for 10,000 entries); given `cacheEntries`, the cache part is scaled to the entries
 * actually held. The document's "MB" is taken as MiB, the unit of the memory request it sizes.
 */
export function corednsMemoryMiB(profile: DnsProfile, pods: number, services: number, autopath: boolean, cacheEntries?: number): number {
  const m = profile.coredns.memory;
  const objects = pods + services;
  const formula = autopath ? (objects * m.autopathPerThousandObjects) / 1000 + m.autopathBaseMb : (objects * m.defaultPerThousandObjects) / 1000 + m.defaultBaseMb;
  if (cacheEntries === undefined) return formula;
  const fill = Math.min(1, Math.max(0, cacheEntries) / m.cacheReferenceEntries);
  return formula - m.cacheFullMb + m.cacheFullMb * fill;
}

/** Whether a replica needing `memoryMiB` exceeds its limit (OOM-kill risk). */
export function exceedsMemoryLimit(memoryMiB: number, limitBytes: number): boolean {
  return memoryMiB * 1024 * 1024 > limitBytes;
}
