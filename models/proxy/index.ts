// The service proxy's entry points: the experiment's `proxy:` settings, the profile of calibrated
// constants (models/profiles/proxy.yaml), and a factory from mode name to ProxyMode.

import { z } from 'zod';
import { loadProfile, type LoadedProfile } from '../profiles/load.js';
import { duration, positiveDuration } from '../units.js';
import { EbpfMode, ebpfConstants } from './ebpf.js';
import { IptablesMode, iptablesConstants } from './iptables.js';
import { IpvsMode, ipvsConstants } from './ipvs.js';
import { NftablesMode, nftablesConstants } from './nftables.js';
import type { ProxyMode, ProxyModeName } from './proxy-mode.js';

export { IptablesMode } from './iptables.js';
export { NftablesMode } from './nftables.js';
export * from './proxy-mode.js';
export { ProxySyncLoop } from './sync-loop.js';

export const proxyModeNames = ['iptables', 'ipvs', 'nftables', 'ebpf'] as const satisfies readonly ProxyModeName[];

/** The experiment's `proxy:` key; kube-proxy's defaults (pkg/proxy/apis/config/v1alpha1/defaults.go). */
export const proxySettings = z
  .object({
    mode: z.enum(proxyModeNames).default('iptables'),
    minSyncPeriod: duration().default(1),
    syncPeriod: positiveDuration().default(30),
    /** MinimizeIPTablesRestore (iptables, v1.28+) and the nftables equivalent: partial syncs between full ones. */
    partialSync: z.boolean().default(true),
    /** IPVS mode's kernel settings. */
    ipvs: z
      .object({
        /**
         * net.ipv4.vs.conn_reuse_mode (0, 1 or 2). Unset: as kube-proxy leaves it for
         * cluster.kernel: 0 on 4.1 to 5.8, 1 otherwise (ports.ts, kubeProxyConnReuseMode).
         */
        connReuseMode: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

/** The shape of models/profiles/proxy.yaml once loaded. */
const proxyProfile = z.object({
  iptables: iptablesConstants,
  ipvs: ipvsConstants,
  nftables: nftablesConstants,
  ebpf: ebpfConstants,
  syncLoop: z.object({
    /** From an endpoint change to its arrival at a node's proxy (EndpointSlice controller, watch). */
    propagationDelay: duration(),
    /** Precision of the trigger time kube-proxy measures programming latency from (see sync-loop.ts). */
    triggerTimeResolution: duration(),
  }),
  testbeds: z.object({
    /** The KEP-3866 chart's cluster; its pod-to-pod path is the kep3866-testbed CNI profile (cni.yaml). */
    kep3866: z.object({
      endpointsPerService: z.number().int().min(1),
    }),
  }),
});
export type ProxyProfile = z.output<typeof proxyProfile>;

/** Loads proxy.yaml with an experiment's overrides (a partial tree of values). */
export function loadProxyProfile(overrides?: unknown): LoadedProfile<ProxyProfile> {
  return loadProfile('proxy', proxyProfile, overrides);
}

export function createProxyMode(mode: ProxyModeName, profile: ProxyProfile): ProxyMode {
  switch (mode) {
    case 'iptables':
      return new IptablesMode(profile.iptables);
    case 'ipvs':
      return new IpvsMode(profile.ipvs);
    case 'nftables':
      return new NftablesMode(profile.nftables);
    case 'ebpf':
      return new EbpfMode(profile.ebpf);
  }
}
