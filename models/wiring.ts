// Builds each mechanism of a point from its settings and profile: the proxy mode and one sync
// loop per detailed node, the nodes' CPUs, flow tables and NICs, the CNI path, the mesh, the
// kernel's TCP timers; and collects every profile constant used, for the report.

import type { RandomStreams } from '../engine/random.js';
import { CfsQuota } from '../engine/cfs-quota.js';
import { Server } from '../engine/server.js';
import type { Simulator } from '../engine/simulator.js';
import { Histogram } from '../engine/stats/index.js';
import type { Cluster } from './cluster.js';
import { corednsReplicas } from './dns/autoscaler.js';
import { corednsMemoryMiB } from './dns/coredns-costs.js';
import { serviceFqdn, stripTrailingDot } from './dns/names.js';
import { dnsRaceProbability } from './dns/race.js';
import { DnsRuntime } from './dns/runtime.js';
import { serverKernelCost } from './dns/server-kernel.js';
import { corednsCacheConfig, corednsQueueLimit, loadDnsProfile, nodeLocalCacheConfigs, upstreamPacketLimit } from './dns/settings.js';
import { toDistribution } from './workload.js';
import { loadCni } from './cni.js';
import { ControlPlane } from './control-plane/propagation.js';
import { createFlowTable, loadConntrackProfile, type FlowTable } from './conntrack/index.js';
import { loadHardware, scaleDnsProfile, scaleKernelProfile, scaleProxyProfile } from './hardware.js';
import { loadKernel } from './kernel.js';
import { loadMesh } from './mesh.js';
import type { DataPath, DetailedNode, MeshHop, ProxyControlPlane, ProxyDataPlane, TcpConstants } from './parts.js';
import type { DnsProfile } from './dns/settings.js';
import { SharedLink } from './nic.js';
import type { ConstantRecord } from './profiles/load.js';
import { createProxyMode, defaultEbpfRoutingMode, effectiveProxySettings, loadProxyProfile, ProxySyncLoop } from './proxy/index.js';
import { loadSnatProfile, snatConfig, type SnatConfig } from './snat.js';
import { ipvsReuseDropSeconds, kubeProxyConnReuseMode, loadPortsProfile, type PortsProfile } from './ports.js';
import type { NetworkSettings } from './settings.js';

export interface Parts {
  nodes: DetailedNode[];
  proxy: ProxyDataPlane;
  path: DataPath;
  mesh: MeshHop | null;
  tcp: TcpConstants;
  /** What the client pods' port spaces take from the profiles (ports.ts). */
  ports: { profile: PortsProfile; conntrackTimeWaitSeconds: number; ipvsDropSeconds: number };
  /** The masquerade port-allocation race (snat.ts); null when the data path masquerades in eBPF. */
  snat: SnatConfig | null;
  constants: ConstantRecord[];
  netfilterBytesPerEntry: number;
  /** A node simulated as a server only, built at its first request and kept (cluster.ts). */
  serverOnlyNode: (index: number) => DetailedNode;
  /** The server-only nodes built so far, in order of creation. */
  serverOnlyNodes: () => DetailedNode[];
  /** Cluster DNS, or null when every workload connects by ClusterIP. */
  dns: DnsRuntime | null;
  /** CoreDNS memory per replica by the published formula (MiB), and its limit (bytes). */
  corednsMemory: { mib: number; limitBytes: number };
  resetNode: (node: DetailedNode, now: number) => void;
  /** The path of endpoint changes to the detailed nodes' proxies. */
  controlPlane: ControlPlane;
  /** cpu.cfs_period_us in seconds: the period of every container's CPU limit. */
  cfsPeriodSeconds: number;
}

/** A node simulated as a server only runs no proxy sync loop of interest: its rules never lag. */
const notSimulatedProxy: ProxyControlPlane = {
  programmedAsOf: Infinity,
  notifyChange: () => {},
  syncDurations: new Histogram(),
  fullSyncDurations: new Histogram(),
  partialSyncDurations: new Histogram(),
  restoreDurations: new Histogram(),
  programmingLatency: new Histogram(),
  cpuSeconds: 0,
  throttling: { periods: 0, seconds: 0 },
  resetStatistics: () => {},
};

export function buildParts(sim: Simulator, settings: NetworkSettings, cluster: Cluster, streams: RandomStreams): Parts {
  const overrides = settings.profiles;
  // The node's hardware scales the CPU costs fitted on other rigs (models/hardware.ts).
  const hardware = loadHardware(settings.cluster.nodeProfile, overrides.hardware);
  const proxyProfile = loadProxyProfile(overrides.proxy);
  const proxyValues = scaleProxyProfile(proxyProfile.values, hardware.factors);
  const conntrackProfile = loadConntrackProfile(overrides.conntrack);
  const kernel = loadKernel(overrides.kernel);
  const kernelValues = scaleKernelProfile(kernel.values, hardware.factors);
  const portsProfile = loadPortsProfile(overrides.ports);
  const snatProfile = loadSnatProfile(overrides.snat);
  const kernelVersion = settings.cluster.kernel;
  const path = loadCni(settings.cluster.cni, overrides.cni);
  const mesh = settings.mesh === 'none' ? null : loadMesh(settings.mesh, overrides.mesh);
  const mode = createProxyMode(settings.proxy.mode, proxyValues, settings.proxy.version, {
    endpointsPerService: cluster.readyEndpoints / cluster.services,
    routingMode: settings.proxy.ebpf?.routingMode ?? defaultEbpfRoutingMode(settings.cluster.cni),
  });
  const dnsProfile = loadDnsProfile(overrides.dns);
  const dnsValues = scaleDnsProfile(dnsProfile.values, hardware.factors);
  const cores = settings.cluster.coresPerNode;
  // Releases before MinimizeIPTablesRestore only sync in full; Cilium applies each service change
  // as it comes, with no minimum interval between updates.
  const releaseSettings = effectiveProxySettings(settings.proxy, proxyValues);
  const loopSettings = settings.proxy.mode === 'ebpf' ? { ...releaseSettings, minSyncPeriod: 0 } : releaseSettings;

  const flowTables = (index: number) => {
    const netfilter = createFlowTable('netfilter', { cores, settings: settings.conntrack, profile: conntrackProfile.values, rng: streams.stream(`conntrack/${index}`), now: sim.now });
    const flows: FlowTable = mode.usesNetfilterConntrack
      ? netfilter
      : createFlowTable('bpf', { cores, settings: settings.conntrack, profile: conntrackProfile.values, rng: streams.stream(`bpf-ct/${index}`), now: sim.now, memoryBytes: settings.cluster.memoryPerNode });
    return { netfilter, flows };
  };

  const nodes: DetailedNode[] = [];
  // Built once the proxies exist (they are its sinks); a proxy reads it only from its first sync on.
  let controlPlane: ControlPlane | null = null;
  const cpuLimit = settings.proxy.cpuLimit;
  for (let index = 0; index < cluster.detailedNodes; index++) {
    const cpu = new Server(sim, { servers: cores });
    const proxy = new ProxySyncLoop({
      sim,
      mode,
      settings: loopSettings,
      cluster: () => ({ services: cluster.services, endpoints: cluster.readyEndpoints }),
      cpu,
      propagationDelaySeconds: proxyValues.syncLoop.propagationDelay,
      triggerTimeResolutionSeconds: proxyValues.syncLoop.triggerTimeResolution,
      // Each node's syncs fall anywhere relative to the wall clock's seconds.
      wallClockOffsetSeconds: streams.stream(`proxy/wall-clock/${index}`).next() * proxyValues.syncLoop.triggerTimeResolution,
      deliveredBefore: () => controlPlane?.deliveredBefore(index) ?? Infinity,
      // One sync at a time (one goroutine): a limit of a whole core or more never binds.
      quota: cpuLimit === undefined || cpuLimit >= 1 ? undefined : new CfsQuota({ quotaSeconds: cpuLimit * kernelValues.cfs.period, periodSeconds: kernelValues.cfs.period, cores: 1 }),
    });
    proxy.start();
    nodes.push({
      index,
      createdAt: sim.now,
      cpu,
      ...flowTables(index),
      proxy,
      nic: new SharedLink(sim, path.nodeBps, path.singleStreamBps),
      roundRobin: new Uint32Array(mode.endpointPolicy === 'round-robin' ? cluster.services : 0),
      dispatchCpuSeconds: 0,
      packetCpuSeconds: 0,
    });
  }

  controlPlane = new ControlPlane({
    sim,
    settings: settings.controlPlane.endpointSlice,
    constants: proxyProfile.values.controlPlane,
    watchers: cluster.nodes,
    sinks: nodes.map((n) => n.proxy),
    rng: streams.stream('control-plane/fanout'),
  });

  const resetNode = (node: DetailedNode, now: number) => {
    node.cpu.resetStatistics();
    node.netfilter.resetStatistics(now);
    if (node.flows !== node.netfilter) node.flows.resetStatistics(now);
    node.proxy.resetStatistics();
    node.dispatchCpuSeconds = 0;
    node.packetCpuSeconds = 0;
    node.nic.resetStatistics();
  };

  const makeServerOnlyNode = (index: number): DetailedNode => ({
    index,
    createdAt: sim.now,
    cpu: new Server(sim, { servers: cores }),
    ...flowTables(index),
    proxy: notSimulatedProxy,
    nic: new SharedLink(sim, path.nodeBps, path.singleStreamBps),
    roundRobin: new Uint32Array(0),
    dispatchCpuSeconds: 0,
    packetCpuSeconds: 0,
  });
  const serverOnly = new Map<number, DetailedNode>();
  const serverOnlyNode = (index: number): DetailedNode => {
    let node = serverOnly.get(index);
    if (node === undefined) serverOnly.set(index, (node = makeServerOnlyNode(index)));
    return node;
  };

  // A long-lived DNS socket keeps its replica while its UDP entry lives (dns/sticky-sockets.ts).
  const udpStream = mode.usesNetfilterConntrack ? (settings.conntrack.udpStreamTimeout ?? conntrackProfile.values.netfilter.timeouts.udpStream) : conntrackProfile.values.cilium.timeouts.any;
  const dns = buildDns(sim, settings, cluster, streams, dnsValues, mode, path, kernelValues.cfs.period, udpStream);
  const pods = cluster.totalPods;
  const memoryMiB = corednsMemoryMiB(dnsValues, pods, cluster.services, settings.dns.coredns.autopath);

  return {
    nodes,
    dns,
    corednsMemory: { mib: memoryMiB, limitBytes: settings.dns.coredns.memoryLimit },
    cfsPeriodSeconds: kernelValues.cfs.period,
    proxy: mode,
    path,
    mesh,
    tcp: { initialRtoSeconds: kernelValues.tcp.initialRto, synRetries: kernelValues.tcp.synRetries, connectionSetupSeconds: kernelValues.tcp.connectionSetup },
    ports: {
      profile: portsProfile.values,
      conntrackTimeWaitSeconds: settings.conntrack.tcpTimeWait ?? conntrackProfile.values.netfilter.timeouts.tcpTimeWait,
      ipvsDropSeconds: settings.proxy.mode === 'ipvs' ? ipvsReuseDropSeconds(settings.proxy.ipvs.connReuseMode ?? kubeProxyConnReuseMode(kernelVersion), kernelVersion, portsProfile.values) : 0,
    },
    snat: mode.usesNetfilterConntrack ? snatConfig(settings.cluster.masquerade, kernelVersion, snatProfile.values, cores) : null,
    constants: [
      ...prefixed('proxy', proxyProfile.constants),
      ...prefixed('conntrack', conntrackProfile.constants),
      ...prefixed('kernel', kernel.constants),
      ...prefixed('ports', portsProfile.constants),
      ...prefixed('snat', snatProfile.constants),
      ...prefixed('cni', path.constants),
      ...(mesh === null ? [] : prefixed('mesh', mesh.constants)),
      ...(dns === null ? [] : prefixed('dns', dnsProfile.constants)),
      ...prefixed('hardware', hardware.constants),
    ],
    netfilterBytesPerEntry: conntrackProfile.values.netfilter.bytesPerEntry,
    serverOnlyNode,
    serverOnlyNodes: () => [...serverOnly.values()],
    resetNode,
    controlPlane,
  };
}

function buildDns(
  sim: Simulator,
  settings: NetworkSettings,
  cluster: Cluster,
  streams: RandomStreams,
  profile: DnsProfile,
  mode: ProxyDataPlane,
  path: DataPath,
  cfsPeriodSeconds: number,
  udpStreamTimeoutSeconds: number,
): DnsRuntime | null {
  if (settings.workload.every((w) => w.dnsName === 'clusterIP' && w.dns === undefined)) return null;
  const dns = settings.dns;
  const replicas = corednsReplicas(dns.coredns.replicas, dns.coredns.autoscaler, cluster.nodes, cluster.nodes * settings.cluster.coresPerNode);
  const nodeLocal = nodeLocalCacheConfigs(dns.nodeLocal, profile);
  const latency = streams.stream('dns/latency');
  return new DnsRuntime({
    sim,
    cluster,
    settings: dns,
    profile,
    proxy: mode,
    oneWaySeconds: (from, to) => path.oneWayLatency(cluster.pathKind(from, to)).sample(latency),
    streams: { dns: streams.stream('dns'), latency, background: streams.stream('dns/background') },
    replicas,
    caches: { coredns: corednsCacheConfig(dns.coredns, profile), nodeLocalCluster: nodeLocal.clusterZone, nodeLocalOther: nodeLocal.otherZones },
    queueLimit: corednsQueueLimit(dns.coredns, profile),
    upstreamPacketsPerSecond: upstreamPacketLimit(dns.upstream, profile),
    // NodeLocal's link-local address is NOTRACK, and eBPF socket LB translates before any DNAT.
    raceProbability: dns.nodeLocal.enabled ? 0 : dnsRaceProbability(profile.race, settings.cluster.kernel, replicas),
    upstream: { latency: toDistribution(dns.upstream.latency), ttl: toDistribution(dns.upstream.ttl), denialTtl: toDistribution(dns.upstream.denialTTL) },
    cfsPeriodSeconds,
    udpStreamTimeoutSeconds,
    serverKernel: serverKernelCost(path, mode, cluster.services),
    cnameTarget: externalNameTargets(settings, cluster, profile.pod.clusterDomain),
  });
}

/**
 * The ExternalName Services' hosts, by the name the kubernetes plugin answers for them
 * (`svc-N.ns-M.svc.<domain>`), from the workloads that call them; undefined when none does.
 */
function externalNameTargets(settings: NetworkSettings, cluster: Cluster, clusterDomain: string): ((name: string) => string | null) | undefined {
  const hosts = new Map<number | 'all', string>();
  for (const w of settings.workload) {
    if (typeof w.service !== 'object') continue;
    const fixed = typeof w.target === 'string' && w.target !== 'uniform';
    hosts.set(fixed ? Number((w.target as string).slice('svc-'.length)) : 'all', stripTrailingDot(w.service.externalName));
  }
  if (hosts.size === 0) return undefined;
  return (name) => {
    // Only the Service's own name (planner.ts: svc-N in namespace ns-(N mod namespaces)), not the search path's expansions of it.
    const fqdn = stripTrailingDot(name);
    const service = Number(fqdn.slice('svc-'.length, fqdn.indexOf('.')));
    if (!fqdn.startsWith('svc-') || !Number.isInteger(service) || service >= cluster.services) return null;
    if (fqdn !== serviceFqdn(cluster.serviceName(service), `ns-${service % cluster.settings.namespaces}`, clusterDomain)) return null;
    return hosts.get('all') ?? hosts.get(service) ?? null;
  };
}

function prefixed(profile: string, records: ConstantRecord[]): ConstantRecord[] {
  return records.map((r) => ({ ...r, path: `${profile}.${r.path}` }));
}
