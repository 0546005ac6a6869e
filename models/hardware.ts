// Node hardware profiles (cluster.nodeProfile, models/profiles/hardware.yaml): factors on the
// CPU costs that depend on the node's processor (the iptables rule walk, per-packet conntrack and
// NAT, the kernel's per-connection work, CoreDNS's and NodeLocal's per-query CPU). Leaves out the
// sync costs (iptables-restore, nft), memory, NIC and path latencies (the CNI profile's).

import { z } from 'zod';
import type { DnsProfile } from './dns/settings.js';
import type { KernelProfile } from './kernel.js';
import { loadProfile, type ConstantRecord } from './profiles/load.js';
import type { ProxyProfile } from './proxy/index.js';

export const hardwareProfileNames = ['reference', 'aws-m6i', 'xeon-e5-2620', 'gce-n1-standard-2', 'amd-ryzen-3950x'] as const;
export type HardwareProfileName = (typeof hardwareProfileNames)[number];

const factor = z.number().positive();
const hardwareProfile = z
  .object({
    cpu: z.string(),
    factors: z
      .object({
        /** On proxy.yaml iptables.dispatch.perRule (fitted on the KEP-3866 test bed). */
        iptablesPerRule: factor,
        /** On every mode's establishedPacket (from the Cilium 1.8 blog's rig). */
        establishedPacket: factor,
        /** On kernel.yaml tcp.connectionSetup (the DaoCloud Xeon E5-2620 rig). */
        connectionSetup: factor,
        /** On dns.yaml's CoreDNS and NodeLocal per-query CPU (GCE n1-standard-2). */
        dnsQuery: factor,
      })
      .strict(),
  })
  .strict();
export type HardwareFactors = z.output<typeof hardwareProfile>['factors'];

const hardwareFile = z.object(Object.fromEntries(hardwareProfileNames.map((name) => [name, hardwareProfile])) as Record<HardwareProfileName, typeof hardwareProfile>).strict();

export interface LoadedHardware {
  name: HardwareProfileName;
  factors: HardwareFactors;
  /** The chosen profile's constants, for constants.json; none for `reference` (all factors 1, nothing changes). */
  constants: ConstantRecord[];
}

/** Loads hardware.yaml with an experiment's overrides and picks profile `name`. */
export function loadHardware(name: HardwareProfileName, overrides?: unknown): LoadedHardware {
  const loaded = loadProfile('hardware', hardwareFile, overrides);
  const constants = name === 'reference' && overrides === undefined ? [] : loaded.constants.filter((record) => record.path.startsWith(`${name}.`));
  return { name, factors: loaded.values[name].factors, constants };
}

/** x scaled by f; f = 1 returns x itself, so the reference profile changes no bit of any result. */
const scale = (x: number, f: number): number => (f === 1 ? x : x * f);

/** proxy.yaml's values with the per-rule walk and each mode's per-packet cost scaled. */
export function scaleProxyProfile(profile: ProxyProfile, factors: HardwareFactors): ProxyProfile {
  const { iptablesPerRule: rule, establishedPacket: packet } = factors;
  if (rule === 1 && packet === 1) return profile;
  return {
    ...profile,
    iptables: {
      ...profile.iptables,
      dispatch: { ...profile.iptables.dispatch, perRule: scale(profile.iptables.dispatch.perRule, rule) },
      establishedPacket: scale(profile.iptables.establishedPacket, packet),
    },
    ipvs: { ...profile.ipvs, establishedPacket: scale(profile.ipvs.establishedPacket, packet) },
    nftables: { ...profile.nftables, establishedPacket: scale(profile.nftables.establishedPacket, packet) },
    ebpf: { ...profile.ebpf, establishedPacket: scale(profile.ebpf.establishedPacket, packet) },
  };
}

/** kernel.yaml's values with the per-connection kernel work scaled. */
export function scaleKernelProfile(profile: KernelProfile, factors: HardwareFactors): KernelProfile {
  if (factors.connectionSetup === 1) return profile;
  return { ...profile, tcp: { ...profile.tcp, connectionSetup: scale(profile.tcp.connectionSetup, factors.connectionSetup) } };
}

/** dns.yaml's values with CoreDNS's and NodeLocal's CPU per query scaled. */
export function scaleDnsProfile(profile: DnsProfile, factors: HardwareFactors): DnsProfile {
  const f = factors.dnsQuery;
  if (f === 1) return profile;
  const core = profile.coredns.cpu;
  const local = profile.nodeLocal.cpu;
  return {
    ...profile,
    coredns: {
      ...profile.coredns,
      cpu: { cacheHit: scale(core.cacheHit, f), autopathAnswer: scale(core.autopathAnswer, f), kubernetesAnswer: scale(core.kubernetesAnswer, f), forward: scale(core.forward, f) },
    },
    nodeLocal: { ...profile.nodeLocal, cpu: { cacheHit: scale(local.cacheHit, f), forward: scale(local.forward, f) } },
  };
}
