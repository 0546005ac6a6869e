// Cilium's kube-proxy replacement: socket LB translates the service address once, at connect(),
// by BPF hash-map lookups, so later packets carry the endpoint's address (no NAT per packet) and
// pod-to-service traffic makes no netfilter conntrack entry; its BPF CT map takes the flows.
// The lookups slow down once the LB maps outgrow the CPU's last-level cache; in tunnel routing
// every cross-node packet is also encapsulated (VXLAN/Geneve) by BPF. The agent applies service
// changes as BPF map updates. Leaves out Maglev, XDP NodePort acceleration, the LB map's own
// limit (bpf-lb-map-max), and the BPF CT map itself (conntrack/bpf-ct.ts).

import { z } from 'zod';
import { duration, size } from '../units.js';
import { incrementalSyncConstants, incrementalSyncDuration, type ProxyMode, type RuleSetSize, type SyncKind } from './proxy-mode.js';

/** Native: pod addresses routed by the network; tunnel: cross-node packets wrapped in VXLAN/Geneve. */
export const ebpfRoutingModes = ['native', 'tunnel'] as const;
type EbpfRoutingMode = (typeof ebpfRoutingModes)[number];

export const ebpfConstants = z.object({
  /** At connect() (bpf/bpf_sock.c __sock4_xlate_fwd): the hook's own work and the socket address rewrite. */
  connectFixed: duration(),
  /** Lookups in cilium_lb4_services per connect: the frontend (slot 0), then the chosen backend slot. */
  servicesMapLookups: z.number().int().min(0),
  /** Lookups in cilium_lb4_backends per connect: the chosen backend's address. */
  backendsMapLookups: z.number().int().min(0),
  mapLookup: z.object({
    /** A hash-map lookup whose lines are in cache: hashing the key and comparing it. */
    cached: duration(),
    /** Cache lines a lookup touches: the bucket head and the element. */
    linesPerLookup: z.number().int().min(1),
    cacheLineBytes: size(),
    /** A line not in cache: a DRAM access. */
    memoryLatency: duration(),
    /** Last-level cache the LB maps' lines compete for. */
    cacheBytes: size(),
  }),
  /** BPF CT lookup per packet; no NAT rewrite. */
  establishedPacket: duration(),
  /** Tunnel routing: encapsulating (or decapsulating) one cross-node packet in BPF and the tunnel device. */
  tunnelPacket: duration(),
  /**
   * Updates are BPF map updates (bpf() syscall plus the agent's work): a service, its services-map
   * entry; an endpoint, its backends-map entry and slot (see incrementalSyncConstants).
   */
  sync: incrementalSyncConstants,
});
export type EbpfConstants = z.output<typeof ebpfConstants>;

/** What the mode needs of the cluster and the data path. */
export interface EbpfOptions {
  /** Endpoints per Service, on average: each adds a services-map slot and a backends-map entry. */
  endpointsPerService: number;
  routingMode: EbpfRoutingMode;
}

/**
 * Share of lookups that miss the cache when the LB maps hold `entries` entries: the lines of every
 * entry (connections spread over the Services) against the cache, 0 while they fit, then
 * 1 − cache / footprint, the part of a uniformly touched footprint that cannot stay cached.
 */
export function lookupMissShare(entries: number, lookup: EbpfConstants['mapLookup']): number {
  const footprint = entries * lookup.linesPerLookup * lookup.cacheLineBytes;
  return footprint <= lookup.cacheBytes ? 0 : 1 - lookup.cacheBytes / footprint;
}

export class EbpfMode implements ProxyMode {
  readonly name = 'ebpf';
  readonly endpointPolicy = 'random';
  readonly usesNetfilterConntrack = false;
  readonly translatesAtConnect = true;
  readonly establishedPacketCost: number;
  readonly crossNodePacketCost: number;

  /** The socket already holds the backend's address: the arriving packet meets no service lookup. */
  arrivalCost(): number {
    return 0;
  }
  private readonly lookups: number;

  constructor(
    private readonly constants: EbpfConstants,
    private readonly options: EbpfOptions,
  ) {
    if (!(options.endpointsPerService >= 0 && Number.isFinite(options.endpointsPerService))) {
      throw new RangeError(`endpointsPerService must be finite and ≥ 0, got ${options.endpointsPerService}`);
    }
    this.establishedPacketCost = constants.establishedPacket;
    this.crossNodePacketCost = options.routingMode === 'tunnel' ? constants.tunnelPacket : 0;
    this.lookups = constants.servicesMapLookups + constants.backendsMapLookups;
  }

  /** LB map entries for `services` Services: 1 + endpoints in cilium_lb4_services, endpoints in cilium_lb4_backends (cilium PR #10289). */
  lbMapEntries(services: number): number {
    const endpoints = this.options.endpointsPerService;
    return services * (1 + endpoints) + services * endpoints;
  }

  /** The connect() hook: fixed work plus its map lookups, each slower as the maps outgrow the cache. */
  dispatchCost(_servicePosition: number, serviceCount: number): number {
    const lookup = this.constants.mapLookup;
    const miss = lookupMissShare(this.lbMapEntries(serviceCount), lookup);
    return this.constants.connectFixed + this.lookups * (lookup.cached + miss * lookup.linesPerLookup * lookup.memoryLatency);
  }

  /** Proportional to the changes whatever the kind; on the first sync everything is a change. */
  syncDuration(_kind: SyncKind, _cluster: RuleSetSize, changed: RuleSetSize): number {
    return incrementalSyncDuration(this.constants.sync, changed);
  }

  /** Every update is the restore step: the sync is nothing but them. */
  restoreSeconds(kind: SyncKind, cluster: RuleSetSize, changed: RuleSetSize): number {
    return this.syncDuration(kind, cluster, changed);
  }
}
