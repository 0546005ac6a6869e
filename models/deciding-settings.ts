// What decided a point's results besides what the experiment swept: the settings whose defaults
// users most often do not know they ran with (kernel, CoreDNS size, the server's service time, a
// lookup per new connection, nf_conntrack_max), resolved as the models use them, and a sentence
// for each mechanism these settings switch off (the A/AAAA conntrack race above all: a user chasing
// 5 s DNS delays on the default kernel sees none, and must be told why).

import { cloudCniNames, isCiliumBased } from './cni.js';
import { ciliumNodeMapSizes, conntrackLimit, loadConntrackProfile } from './conntrack/index.js';
import { corednsReplicas } from './dns/autoscaler.js';
import { dnsRaceProbability } from './dns/race.js';
import { raceExposed } from './dns/resolver.js';
import { loadDnsProfile } from './dns/settings.js';
import { defaultEbpfRoutingMode, effectiveProxySettings, loadProxyProfile } from './proxy/index.js';
import { kubeProxyConnReuseMode } from './ports.js';
import { externalRoute, loadLbProfile } from './external.js';
import type { NetworkSettings } from './settings.js';
import type { DurationDistributionSetting } from './workload.js';

export interface DecidingSetting {
  /** The spec path as an experiment file writes it. */
  path: string;
  /** The value the models used (a resolved number where the file may say `autoscaler`). */
  value: string | number | boolean;
  /** What it decides, in a few words. */
  decides: string;
}

export interface PointContext {
  settings: DecidingSetting[];
  /** Mechanisms the settings switch off, one sentence each. */
  notes: string[];
  /** Probability that a parallel A/AAAA pair loses a packet to the conntrack race (0: impossible here). */
  dnsRaceProbability: number;
}

/** Seconds as an experiment file writes them: 1ms, 250us, 2s. */
function secondsText(seconds: number): string {
  if (seconds === 0 || seconds >= 1) return `${Number(seconds.toPrecision(4))}s`;
  if (seconds >= 1e-3) return `${Number((seconds * 1e3).toPrecision(4))}ms`;
  return `${Number((seconds * 1e6).toPrecision(4))}us`;
}

function distributionText(setting: DurationDistributionSetting): string {
  if ('kind' in setting) return secondsText(setting.seconds);
  if ('exponential' in setting) return `exponential, mean ${secondsText(setting.exponential.mean)}`;
  if ('lognormal' in setting) return `lognormal, median ${secondsText(setting.lognormal.median)}, p99 ${secondsText(setting.lognormal.p99)}`;
  return `uniform ${secondsText(setting.uniform.min)}–${secondsText(setting.uniform.max)}`;
}

const text = (value: unknown): string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : JSON.stringify(value);

/** The deciding settings and switched-off mechanisms of one point's parsed settings. */
export function pointContext(spec: NetworkSettings): PointContext {
  const settings: DecidingSetting[] = [];
  const notes: string[] = [];
  const put = (path: string, value: unknown, decides: string) => settings.push({ path, value: text(value), decides });
  const cores = spec.cluster.coresPerNode;

  put('cluster.kernel', spec.cluster.kernel, 'which conntrack clash fixes apply (the DNS A/AAAA race)');
  put('proxy.mode', spec.proxy.mode, 'first-packet dispatch cost and how rules sync');
  put('proxy.version', spec.proxy.version, 'iptables rules walked per Service (two before 1.21) and whether syncs can be partial (1.27+)');
  put('cluster.nodeProfile', spec.cluster.nodeProfile, 'CPU per rule walked, per packet, per connection and per DNS query (models/profiles/hardware.yaml)');
  if (spec.proxy.mode === 'ipvs') {
    const connReuseMode = spec.proxy.ipvs.connReuseMode ?? kubeProxyConnReuseMode(spec.cluster.kernel);
    put('proxy.ipvs.connReuseMode', connReuseMode, 'whether IPVS drops a SYN reusing a port of a connection closed within 120 s (a 1 s delay, before Linux 5.9)');
  }
  put('cluster.cni', spec.cluster.cni, 'path latency, throughput and per-packet CPU');
  put('mesh', spec.mesh, 'sidecar latency and CPU per hop');
  const zoneHop = cloudCniNames.includes(spec.cluster.cni) ? 'the cloud profile\'s measured zone hop' : 'an assumed inter-zone latency';
  put('cluster.zones', spec.cluster.zones, `whether paths cross zones (${zoneHop})`);
  if (spec.proxy.mode === 'iptables' && spec.proxy.partialSync && !effectiveProxySettings(spec.proxy, loadProxyProfile(spec.profiles.proxy).values).partialSync) {
    notes.push(`proxy.version ${spec.proxy.version} predates MinimizeIPTablesRestore's default (1.27): every sync restores the whole NAT table, although proxy.partialSync is true.`);
  }
  if (spec.proxy.mode === 'ebpf' && !isCiliumBased(spec.cluster.cni)) {
    notes.push(`proxy.mode ebpf is Cilium's kube-proxy replacement, which runs only with Cilium as the CNI; here it is combined with the ${spec.cluster.cni} data path, a pairing no cluster runs: read its results as Cilium's service load balancing over ${spec.cluster.cni}'s path costs.`);
  }
  if (spec.proxy.cpuLimit !== undefined) put('proxy.cpuLimit', spec.proxy.cpuLimit, "kube-proxy's CFS quota per 100 ms period: how long its syncs are throttled");
  if (spec.churn.endpointChangesPerSecond > 0) {
    const slices = spec.controlPlane.endpointSlice;
    put('controlPlane.endpointSlice.batchPeriod', secondsText(slices.batchPeriod), 'how long a pod change waits to share its Service’s EndpointSlice sync');
    put('controlPlane.endpointSlice.concurrentSyncs', slices.concurrentSyncs, 'Services the EndpointSlice controller syncs at once');
    put('controlPlane.endpointSlice.apiQps', slices.apiQps, 'the controller’s API writes per second (with apiBurst): its queue under churn');
    put('controlPlane.endpointSlice.apiBurst', slices.apiBurst, 'writes the controller may send at once before apiQps paces it');
  }
  const policy = spec.networkPolicy;
  if (policy.policies > 0) {
    put('networkPolicy.policies', policy.policies, 'rules every connection’s first packet is checked against');
    put('networkPolicy.enforcement', policy.enforcement, 'how the policies are evaluated: a rule walk (iptables), a set match (ipset, nftables) or a map lookup (ebpf)');
  }
  const conntrackProfile = loadConntrackProfile(spec.profiles.conntrack).values;
  let limit: number | string;
  try {
    limit = conntrackLimit(cores, spec.conntrack, conntrackProfile);
  } catch {
    limit = 'left to the kernel';
  }
  put('conntrack.max', limit, 'nf_conntrack_max per node: when new flows are dropped');
  if (spec.proxy.mode === 'ebpf') {
    put('proxy.ebpf.routingMode', spec.proxy.ebpf?.routingMode ?? defaultEbpfRoutingMode(spec.cluster.cni), 'whether packets between nodes pay BPF tunnel encapsulation');
    const maps = ciliumNodeMapSizes({ cores, settings: spec.conntrack, profile: conntrackProfile, memoryBytes: spec.cluster.memoryPerNode });
    put('conntrack.bpfCtGlobalTcpMax', maps.ctTcp, 'Cilium TCP CT map size (from the node memory unless set): when its LRU evicts');
  }

  const usesDns = spec.workload.some((w) => w.from !== 'external' && (w.dnsName !== 'clusterIP' || w.dns !== undefined));
  let raceProbability = 0;
  if (!usesDns) {
    const external = spec.workload.some((w) => w.from === 'external');
    notes.push(
      external
        ? 'No workload resolves a cluster name (external clients resolve the load balancer’s public name; pod clients, if any, use dnsName: clusterIP): no DNS lookup is simulated, so no result includes DNS latency or failures.'
        : 'Every workload connects to a ClusterIP directly (dnsName: clusterIP): no DNS lookup is simulated, so no result includes DNS latency or failures.',
    );
  } else {
    const dns = spec.dns;
    const profile = loadDnsProfile(spec.profiles.dns).values;
    const replicas = corednsReplicas(dns.coredns.replicas, dns.coredns.autoscaler, spec.cluster.nodes, spec.cluster.nodes * cores);
    put('dns.coredns.replicas', replicas, dns.coredns.replicas === 'autoscaler' ? 'CoreDNS capacity (from the autoscaler formula)' : 'CoreDNS capacity');
    put('dns.coredns.cpu', dns.coredns.cpu, 'cores per CoreDNS replica');
    put('dns.nodeLocal.enabled', dns.nodeLocal.enabled, 'a cache on every node in front of CoreDNS');
    put('dns.resolver.library', dns.resolver.library, 'how the pod resolver walks its search path');
    put('dns.resolver.ndots', dns.resolver.ndots, 'which names walk the search path first');
    const library = profile.libraries[dns.resolver.library];
    const sequential = dns.resolver.options !== 'none' && library.honoursSingleRequest;
    const kernelProbability = dnsRaceProbability(profile.race, spec.cluster.kernel, replicas);
    const blockedBy = dns.nodeLocal.enabled
      ? 'NodeLocal DNSCache is enabled (its link-local address is NOTRACK: no conntrack entry to race for)'
      : spec.proxy.mode === 'ebpf'
        ? 'proxy.mode is ebpf (socket load balancing translates at connect(): no per-packet DNAT)'
        : !raceExposed(library.pair)
          ? `the ${dns.resolver.library} resolver sends A and AAAA from separate sockets`
          : sequential
            ? `options ${dns.resolver.options} makes the resolver send A and AAAA one after the other`
            : kernelProbability === 0
              ? `cluster.kernel ${spec.cluster.kernel} resolves every clash (fixed in ${profile.race.sameEndpointFixedIn} for one endpoint and ${profile.race.differentEndpointFixedIn} for several); set a kernel before ${profile.race.differentEndpointFixedIn} to study it`
              : null;
    raceProbability = blockedBy === null ? kernelProbability : 0;
    if (blockedBy !== null) notes.push(`The conntrack A/AAAA race cannot drop a DNS query (no 5 s lookup delays from it): ${blockedBy}.`);
  }

  spec.workload.forEach((w, i) => {
    const at = `workload.${i}`;
    if (usesDns && w.from !== 'external') put(`${at}.dnsName`, w.dnsName, `${w.name}: the name form its clients resolve`);
    if (w.from === 'external') putExternal(w, at, put, notes);
    const perRequest = w.connection === 'new';
    put(`${at}.connection`, perRequest ? 'new' : 'keepAlive', perRequest ? `${w.name}: a new connection${w.dnsName === 'clusterIP' || w.from === 'external' ? '' : ' (and a lookup)'} per request` : `${w.name}: connections reused`);
    put(`${at}.server.serviceTime`, distributionText(w.server.serviceTime), `${w.name}: the server's work per request`);
    put(`${at}.server.workers`, w.server.workers, `${w.name}: requests a serving pod handles at once`);
    if (w.server.cpuLimit !== undefined) {
      const cpu = w.server.serviceTimeIsCpu === true ? 'cpuPerRequest.server and the service time' : 'cpuPerRequest.server';
      put(`${at}.server.cpuLimit`, w.server.cpuLimit, `${w.name}: each serving pod's CFS quota per 100 ms period, on its ${cpu}: when requests wait for the next period`);
    }
  });
  return { settings, notes, dnsRaceProbability: raceProbability };
}

/** An external workload's way in as the models resolve it: the Service type, the policy, the load balancer's health checks. */
function putExternal(w: NetworkSettings['workload'][number], at: string, put: (path: string, value: unknown, decides: string) => void, notes: string[]): void {
  const route = externalRoute(w, loadLbProfile().values)!;
  put(`${at}.serviceType`, route.serviceType, `${w.name}: ${route.serviceType === 'LoadBalancer' ? 'a cloud load balancer spreads its clients over the nodes' : 'its clients spread over every node’s IP'}`);
  put(`${at}.externalTrafficPolicy`, route.policy, `${w.name}: ${route.policy === 'Cluster' ? 'any node, SNAT, a second hop when the endpoint is elsewhere' : 'only nodes with an endpoint, the source IP kept'}`);
  if (route.serviceType === 'LoadBalancer' && route.policy === 'Local') {
    put(`${at}.loadBalancer.healthCheckInterval`, secondsText(route.healthCheck.intervalSeconds), `${w.name}: how often the load balancer probes each node`);
    put(`${at}.loadBalancer.unhealthyThreshold`, route.healthCheck.unhealthyThreshold, `${w.name}: failed probes before a node without endpoints stops receiving connections`);
  }
  notes.push(`Workload ${w.name}'s clients are outside the cluster: every node is simulated in detail, and their own CPU, ports and conntrack are not the cluster's.`);
}
