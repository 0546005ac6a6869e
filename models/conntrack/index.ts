// Connection tracking per node: the experiment's `conntrack:` settings, the profile of constants,
// and the factory that builds a node's flow table (netfilter conntrack or Cilium's BPF CT maps).

import { z } from 'zod';
import type { RandomStream } from '../../engine/random.js';
import { loadProfile, type LoadedProfile } from '../profiles/load.js';
import { duration, positiveDuration, size } from '../units.js';
import { BpfConntrack } from './bpf-ct.js';
import { ciliumMapSizes, type CiliumMapSizes } from './bpf-map-size.js';
import type { FlowTable, FlowTableKind } from './flow-table.js';
import { NetfilterConntrack } from './netfilter.js';

export type { FlowTable, FlowTableKind } from './flow-table.js';
export { NetfilterConntrack, drawEarlyDrop } from './netfilter.js';
export { BpfConntrack } from './bpf-ct.js';

const count = () => z.number().int().min(1);
/** nf_conntrack_max, _buckets and kube-proxy's figures are C ints (proc_dointvec in net/netfilter/nf_conntrack_standalone.c). */
const INT_MAX = 2 ** 31 - 1;
const sysctl = (min: number) => z.number().int().min(min).max(INT_MAX, `at most ${INT_MAX.toLocaleString('en-US')} (the sysctl is a C int)`);

/** models/profiles/conntrack.yaml, once its units are parsed. */
const conntrackProfileSchema = z
  .object({
    kubeProxy: z.object({ maxPerCore: count(), min: count(), bucketsDivisor: z.number().positive() }).strict(),
    netfilter: z
      .object({
        bytesPerEntry: size(),
        timeouts: z
          .object({ tcpTimeWait: duration(), tcpClose: duration(), tcpSynSent: duration(), udp: duration(), udpStream: duration() })
          .strict(),
        earlyDrop: z.object({ evictionRangeBuckets: count(), tuplesPerEntry: count() }).strict(),
        gcEarlyDrop: z.object({ enabled: z.boolean(), thresholdShare: z.number().min(0).max(1), scanInterval: duration() }).strict(),
      })
      .strict(),
    cilium: z
      .object({
        ctGlobalTcpMax: count(),
        ctGlobalAnyMax: count(),
        mapSizing: z
          .object({
            dynamicSizeRatio: z.number().min(0).max(1),
            sockRevNatDefault: count(),
            elementBytes: z.object({ ct: size(), nat: size(), neigh: size(), sockRevNat: size() }).strict(),
            minimums: z.object({ ctTcp: count(), ctAny: count(), nat: count() }).strict(),
            tableMax: count(),
            nodeMemoryPerCore: size(),
          })
          .strict(),
        bytesPerEntry: size(),
        timeouts: z.object({ tcpEstablished: duration(), tcpFin: duration(), tcpSyn: duration(), any: duration() }).strict(),
      })
      .strict(),
  })
  .strict();
export type ConntrackProfile = z.output<typeof conntrackProfileSchema>;

/** Loads the conntrack profile with an experiment's overrides (a partial tree of values). */
export function loadConntrackProfile(overrides?: unknown): LoadedProfile<ConntrackProfile> {
  return loadProfile('conntrack', conntrackProfileSchema, overrides);
}

/**
 * The experiment's `conntrack:` key. Unset fields take the profile's values: kube-proxy's
 * maxPerCore 32768 and min 131072, the kernel's timeouts, Cilium's map sizes.
 */
export const conntrackSettings = z
  .object({
    /** kube-proxy conntrack.maxPerCore: nf_conntrack_max = max(maxPerCore × cores, min). */
    maxPerCore: sysctl(0).optional(),
    /** kube-proxy conntrack.min. */
    min: sysctl(0).optional(),
    /** nf_conntrack_max set directly (a sysctl); takes precedence over maxPerCore and min. */
    max: sysctl(1).optional(),
    /** Hash buckets (nf_conntrack_buckets); default max / 4 as kube-proxy sets it. */
    buckets: sysctl(1).optional(),
    /** nf_conntrack_tcp_timeout_time_wait */
    tcpTimeWait: positiveDuration().optional(),
    /** nf_conntrack_tcp_timeout_close */
    tcpClose: positiveDuration().optional(),
    /** nf_conntrack_tcp_timeout_syn_sent */
    tcpSynSent: positiveDuration().optional(),
    /** nf_conntrack_udp_timeout (kube-proxy conntrack.udpTimeout) */
    udpTimeout: positiveDuration().optional(),
    /** nf_conntrack_udp_timeout_stream (kube-proxy conntrack.udpStreamTimeout) */
    udpStreamTimeout: positiveDuration().optional(),
    /** Cilium bpf-ct-global-tcp-max */
    bpfCtGlobalTcpMax: sysctl(1).optional(),
    /** Cilium bpf-ct-global-any-max */
    bpfCtGlobalAnyMax: sysctl(1).optional(),
    /**
     * Cilium bpf-map-dynamic-size-ratio: the share of the node's memory (cluster.memoryPerNode)
     * its CT and NAT maps are sized from; 0 keeps the static sizes. Default 0.0025, Cilium's.
     */
    bpfMapDynamicSizeRatio: z.number().min(0).max(1).optional(),
  })
  .strict();
export type ConntrackSettings = z.output<typeof conntrackSettings>;

/** nf_conntrack_max for a node: a direct `max`, else kube-proxy's max(maxPerCore × cores, min). */
export function conntrackLimit(cores: number, settings: ConntrackSettings, profile: ConntrackProfile): number {
  if (settings.max !== undefined) return settings.max;
  const maxPerCore = settings.maxPerCore ?? profile.kubeProxy.maxPerCore;
  const min = settings.min ?? profile.kubeProxy.min;
  if (maxPerCore === 0) {
    throw new Error('conntrack.maxPerCore 0 makes kube-proxy leave the kernel limit alone, which the simulator does not know: set conntrack.max');
  }
  return Math.max(maxPerCore * cores, min);
}

export interface FlowTableOptions {
  cores: number;
  settings: ConntrackSettings;
  profile: ConntrackProfile;
  /** The node's conntrack stream (early_drop and GC victims); the BPF table draws nothing. */
  rng: RandomStream;
  now: number;
  /** The node's memory in bytes (cluster.memoryPerNode); unset: cores × the profile's memory per core. */
  memoryBytes?: number;
}

/** A node's memory: as set, else cores × cilium.mapSizing.nodeMemoryPerCore. */
function nodeMemoryBytes(cores: number, memoryPerNode: number | undefined, profile: ConntrackProfile): number {
  return memoryPerNode ?? cores * profile.cilium.mapSizing.nodeMemoryPerCore;
}

/** Cilium's CT and NAT map sizes on a node (bpf-map-size.ts), with the experiment's flags. */
export function ciliumNodeMapSizes(options: Pick<FlowTableOptions, 'cores' | 'settings' | 'profile' | 'memoryBytes'>): CiliumMapSizes {
  const { settings, profile } = options;
  const sizing = profile.cilium.mapSizing;
  return ciliumMapSizes(
    nodeMemoryBytes(options.cores, options.memoryBytes, profile),
    settings.bpfMapDynamicSizeRatio ?? sizing.dynamicSizeRatio,
    {
      ctTcp: profile.cilium.ctGlobalTcpMax,
      ctAny: profile.cilium.ctGlobalAnyMax,
      sockRevNat: sizing.sockRevNatDefault,
      elementBytes: sizing.elementBytes,
      minimums: sizing.minimums,
      tableMax: sizing.tableMax,
    },
    { ctTcp: settings.bpfCtGlobalTcpMax, ctAny: settings.bpfCtGlobalAnyMax },
  );
}

/** Builds a node's flow table: netfilter conntrack (kube-proxy modes) or Cilium's BPF CT maps (eBPF). */
export function createFlowTable(kind: FlowTableKind, options: FlowTableOptions): FlowTable {
  const { settings, profile, now } = options;
  if (kind === 'bpf') {
    const sizes = ciliumNodeMapSizes(options);
    return new BpfConntrack(
      {
        tcpMax: sizes.ctTcp,
        anyMax: sizes.ctAny,
        timeouts: profile.cilium.timeouts,
        bytesPerEntry: profile.cilium.bytesPerEntry,
      },
      now,
    );
  }
  const netfilter = profile.netfilter;
  const limit = conntrackLimit(options.cores, settings, profile);
  return new NetfilterConntrack(
    {
      limit,
      buckets: settings.buckets ?? Math.max(1, Math.floor(limit / profile.kubeProxy.bucketsDivisor)),
      timeouts: {
        tcpTimeWait: settings.tcpTimeWait ?? netfilter.timeouts.tcpTimeWait,
        tcpClose: settings.tcpClose ?? netfilter.timeouts.tcpClose,
        tcpSynSent: settings.tcpSynSent ?? netfilter.timeouts.tcpSynSent,
        udp: settings.udpTimeout ?? netfilter.timeouts.udp,
        udpStream: settings.udpStreamTimeout ?? netfilter.timeouts.udpStream,
      },
      bytesPerEntry: netfilter.bytesPerEntry,
      evictionRangeBuckets: netfilter.earlyDrop.evictionRangeBuckets,
      tuplesPerEntry: netfilter.earlyDrop.tuplesPerEntry,
      gcEarlyDrop: {
        enabled: netfilter.gcEarlyDrop.enabled,
        thresholdShare: netfilter.gcEarlyDrop.thresholdShare,
        scanIntervalSeconds: netfilter.gcEarlyDrop.scanInterval,
      },
    },
    options.rng,
    now,
  );
}
