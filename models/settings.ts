// The settings of one simulation point: each model's own schema under its key (docs/architecture.md, "The experiment file"), plus
// the measured window and profile overrides. The experiment file (runner/) wraps this `spec`.
// Checks that span models (nftables needs kernel 5.13; a named target must exist) live here.

import { z } from 'zod';
import { churnSettings, clusterSettings } from './cluster.js';
import { cniName } from './cni.js';
import { dnsSettings } from './dns/settings.js';
import { conntrackSettings } from './conntrack/index.js';
import { controlPlaneSettings } from './control-plane/settings.js';
import { compareKernel } from './kernel.js';
import { ingressSettings } from './ingress.js';
import { meshName } from './mesh.js';
import { networkPolicySettings } from './policy/settings.js';
import { loadProxyProfile, proxySettings, releaseHasNftables } from './proxy/index.js';
import { duration, positiveDuration } from './units.js';
import { workloadsSettings } from './workload.js';

/**
 * The clock is a double in seconds: at 10^6 s its resolution is 1.2e-10 s, still far below the
 * smallest modelled cost (0.5 µs); at 10^9 s it is 1.2e-7 s, and sub-microsecond steps would round away.
 */
const MAX_SIMULATED_SECONDS = 1e6;
const CLOCK_LIMIT = 'at most 1,000,000 s (11.6 days): beyond that the simulated clock loses sub-nanosecond resolution';

/** Overrides of profile constants, as partial trees of each profile file's values. */
const profileOverrides = z
  .object({ proxy: z.unknown(), conntrack: z.unknown(), cni: z.unknown(), mesh: z.unknown(), kernel: z.unknown(), dns: z.unknown(), hardware: z.unknown(), ports: z.unknown(), policy: z.unknown(), lb: z.unknown(), snat: z.unknown(), ingress: z.unknown() })
  .partial()
  .strict();

export const networkSettings = z
  .object({
    /** Simulated time before measuring; its statistics are discarded. */
    warmup: duration().pipe(z.number().max(MAX_SIMULATED_SECONDS, CLOCK_LIMIT)).prefault('10s'),
    /** The measured window. */
    duration: positiveDuration().pipe(z.number().max(MAX_SIMULATED_SECONDS, CLOCK_LIMIT)).prefault('60s'),
    cluster: clusterSettings.extend({ cni: cniName.prefault('calico-bgp') }).prefault({}),
    proxy: proxySettings.prefault({}),
    conntrack: conntrackSettings.prefault({}),
    mesh: meshName.prefault('none'),
    churn: churnSettings.prefault({}),
    controlPlane: controlPlaneSettings.prefault({}),
    dns: dnsSettings.prefault({}),
    networkPolicy: networkPolicySettings.prefault({}),
    /** An ingress controller (or Gateway) in front of the external workloads (models/ingress.ts); unset: none. */
    ingress: ingressSettings.optional(),
    workload: workloadsSettings,
    profiles: profileOverrides.prefault({}),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.proxy.mode === 'nftables' && compareKernel(spec.cluster.kernel, '5.13') < 0) {
      ctx.addIssue({ code: 'custom', path: ['proxy', 'mode'], message: `nftables mode needs kernel 5.13 or later; cluster.kernel is ${spec.cluster.kernel}` });
    }
    // KEP-3866: kube-proxy's nftables mode first shipped (alpha) in 1.29 (proxy.yaml versions.nftablesModeFrom).
    if (spec.proxy.mode === 'nftables') {
      const versions = loadProxyProfile().values.versions;
      if (!releaseHasNftables(spec.proxy.version, versions)) {
        ctx.addIssue({ code: 'custom', path: ['proxy', 'version'], message: `kube-proxy has nftables mode from ${versions.nftablesModeFrom}; proxy.version is ${spec.proxy.version}` });
      }
    }
    if (typeof spec.cluster.detailedNodes === 'number' && spec.cluster.detailedNodes > spec.cluster.nodes) {
      ctx.addIssue({ code: 'custom', path: ['cluster', 'detailedNodes'], message: `detailedNodes (${spec.cluster.detailedNodes}) exceeds nodes (${spec.cluster.nodes})` });
    }
    const range = spec.cluster.endpointsPerService;
    if (typeof range !== 'number' && range.uniform[0] > range.uniform[1]) {
      ctx.addIssue({ code: 'custom', path: ['cluster', 'endpointsPerService', 'uniform'], message: 'the range is [min, max] with min ≤ max' });
    }
    if (spec.ingress !== undefined && !spec.workload.some((w) => w.from === 'external')) {
      ctx.addIssue({ code: 'custom', path: ['ingress'], message: 'the ingress carries external clients: add a workload with from: external (pod clients call Services directly)' });
    }
    spec.workload.forEach((w, i) => {
      if (typeof w.target === 'string' && w.target !== 'uniform') {
        const index = Number(w.target.slice('svc-'.length));
        if (index >= spec.cluster.services) {
          ctx.addIssue({ code: 'custom', path: ['workload', i, 'target'], message: `no Service ${w.target}: the cluster has svc-0 … svc-${spec.cluster.services - 1}` });
        }
      }
      if (w.from !== 'external' && typeof w.clients === 'number' && w.clients > spec.cluster.nodes * spec.cluster.podsPerNode) {
        ctx.addIssue({ code: 'custom', path: ['workload', i, 'clients'], message: `${w.clients} client pods exceed the cluster's ${spec.cluster.nodes * spec.cluster.podsPerNode} pods` });
      }
    });
  });
export type NetworkSettings = z.output<typeof networkSettings>;
export type NetworkSettingsInput = z.input<typeof networkSettings>;
