// The service proxy's entry points: the experiment's `proxy:` settings, the profile of calibrated
// constants (models/profiles/proxy.yaml), and a factory from mode name to ProxyMode.

import { z } from 'zod';
import { compareKernel as compareVersions } from '../kernel.js';
import { loadProfile, type LoadedProfile } from '../profiles/load.js';
import { controlPlaneConstants } from '../control-plane/settings.js';
import { duration, positiveDuration } from '../units.js';
import { EbpfMode, ebpfConstants, ebpfRoutingModes, type EbpfOptions } from './ebpf.js';
import { IptablesMode, iptablesConstants } from './iptables.js';
import { IpvsMode, ipvsConstants } from './ipvs.js';
import { NftablesMode, nftablesConstants } from './nftables.js';
import type { ProxyMode, ProxyModeName } from './proxy-mode.js';

export { IptablesMode } from './iptables.js';
export { NftablesMode } from './nftables.js';
export * from './proxy-mode.js';
export { ProxySyncLoop } from './sync-loop.js';

/** The release whose layout the models have always described (one rule per Service in KUBE-SERVICES, partial syncs). */
const CURRENT_RELEASE = '1.34';

export const proxyModeNames = ['iptables', 'ipvs', 'nftables', 'ebpf'] as const satisfies readonly ProxyModeName[];

/** The experiment's `proxy:` key; kube-proxy's defaults (pkg/proxy/apis/config/v1alpha1/defaults.go). */
export const proxySettings = z
  .object({
    mode: z.enum(proxyModeNames).default('iptables'),
    minSyncPeriod: duration().default(1),
    syncPeriod: positiveDuration().default(30),
    /** MinimizeIPTablesRestore (iptables, v1.27+ by default) and the nftables equivalent: partial syncs between full ones. */
    partialSync: z.boolean().default(true),
    /**
     * kube-proxy release "1.N": its iptables chain layout (before 1.21 each Service has two rules in
     * KUBE-SERVICES) and whether iptables syncs can be partial (1.27+). proxy.yaml `versions`.
     */
    version: z.string().regex(/^1\.\d+$/, 'version is a kube-proxy release "1.N", e.g. "1.31"').default(CURRENT_RELEASE),
    /** kube-proxy's container CPU limit in cores, enforced as a CFS quota per kernel.yaml cfs.period; none (unlimited) by default, as kubeadm's and GKE's manifests set none. */
    cpuLimit: z.number().positive().optional(),
    /** Cilium's kube-proxy replacement (mode ebpf). */
    ebpf: z
      .object({
        /** Cilium routing-mode: tunnel encapsulates cross-node packets. Default: tunnel under cluster.cni cilium-vxlan, else native. */
        routingMode: z.enum(ebpfRoutingModes).optional(),
      })
      .strict()
      .optional(),
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
export type ProxySettings = z.output<typeof proxySettings>;

/** The shape of models/profiles/proxy.yaml once loaded. */
const proxyProfile = z.object({
  iptables: iptablesConstants,
  ipvs: ipvsConstants,
  nftables: nftablesConstants,
  ebpf: ebpfConstants,
  controlPlane: controlPlaneConstants,
  syncLoop: z.object({
    /** Any delay on top of the control plane's modelled stages (models/control-plane/), in the latency only. */
    propagationDelay: duration(),
    /** Precision of the trigger time kube-proxy measures programming latency from (see sync-loop.ts). */
    triggerTimeResolution: duration(),
  }),
  versions: z.object({
    masqueradeRuleInServicesChainBefore: z.string().regex(/^1\.\d+$/),
    partialSyncDefaultFrom: z.string().regex(/^1\.\d+$/),
    nftablesModeFrom: z.string().regex(/^1\.\d+$/),
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

/** What a kube-proxy release changes in the models: the iptables chain layout and the sync's kind. */
export interface ReleaseBehaviour {
  /** Rules each Service has in KUBE-SERVICES (and KUBE-NODEPORTS) that a packet walks past: 2 before 1.21, then 1. */
  servicesChainRulesPerService: 1 | 2;
  /** Whether the iptables proxier can sync only what changed (MinimizeIPTablesRestore on by default). */
  partialSync: boolean;
}

/** The behaviour of kube-proxy release `version` ("1.N"), from proxy.yaml `versions`. */
export function releaseBehaviour(version: string, versions: ProxyProfile['versions']): ReleaseBehaviour {
  return {
    servicesChainRulesPerService: compareVersions(version, versions.masqueradeRuleInServicesChainBefore) < 0 ? 2 : 1,
    partialSync: compareVersions(version, versions.partialSyncDefaultFrom) >= 0,
  };
}

/** Whether kube-proxy release `version` has nftables mode (alpha from 1.29, KEP-3866). */
export function releaseHasNftables(version: string, versions: ProxyProfile['versions']): boolean {
  return compareVersions(version, versions.nftablesModeFrom) >= 0;
}

/** Proxy settings as the sync loop runs them: partial syncs only where the release has them. */
export function effectiveProxySettings(settings: ProxySettings, profile: ProxyProfile): ProxySettings {
  if (settings.mode !== 'iptables' || !settings.partialSync || releaseBehaviour(settings.version, profile.versions).partialSync) return settings;
  return { ...settings, partialSync: false };
}

/** Cilium's routing mode under a CNI: its VXLAN profile tunnels; any other path is routed natively (a non-Cilium CNI's own encapsulation is in its path profile). */
export function defaultEbpfRoutingMode(cni: string): EbpfOptions['routingMode'] {
  return cni === 'cilium-vxlan' ? 'tunnel' : 'native';
}

/** `version` is the kube-proxy release (iptables' chain layout); `ebpf` is what the eBPF mode needs of the cluster; the other modes ignore it. */
export function createProxyMode(mode: ProxyModeName, profile: ProxyProfile, version: string = CURRENT_RELEASE, ebpf: EbpfOptions = { endpointsPerService: 1, routingMode: 'native' }): ProxyMode {
  switch (mode) {
    case 'iptables':
      return new IptablesMode(profile.iptables, releaseBehaviour(version, profile.versions).servicesChainRulesPerService);
    case 'ipvs':
      return new IpvsMode(profile.ipvs);
    case 'nftables':
      return new NftablesMode(profile.nftables);
    case 'ebpf':
      return new EbpfMode(profile.ebpf, ebpf);
  }
}
