// The kernel's work on the DNS server's node (models/dns/server-kernel.ts): what a query costs
// there by path and proxy mode, that it holds the replica's core but not its quota, and that a
// saturated replica serves c / (app + kernel) queries per second.

import { describe, expect, it } from 'vitest';
import { CfsQuota } from '../../../engine/cfs-quota.js';
import { loadCni } from '../../../models/cni.js';
import { corednsCpuSeconds } from '../../../models/dns/coredns-costs.js';
import { FifoCpu } from '../../../models/dns/fifo-cpu.js';
import { serverKernelCost, serverKernelSeconds } from '../../../models/dns/server-kernel.js';
import { loadDnsProfile } from '../../../models/dns/settings.js';
import { createProxyMode, loadProxyProfile } from '../../../models/proxy/index.js';
import { run } from './simulate-fixture.js';

const proxyProfile = loadProxyProfile().values;
const iptables = createProxyMode('iptables', proxyProfile);
const ebpfNative = createProxyMode('ebpf', proxyProfile, undefined, { endpointsPerService: 1, routingMode: 'native' });
const ebpfTunnel = createProxyMode('ebpf', proxyProfile, undefined, { endpointsPerService: 1, routingMode: 'tunnel' });
const HIT = corednsCpuSeconds(loadDnsProfile().values, 'cache-hit');

describe('the kernel cost of a query on the server’s node', () => {
  it('grows with the Services for a new flow from another node under iptables (the KUBE-SERVICES walk), not under eBPF', () => {
    const path = loadCni('calico-bgp');
    const small = serverKernelCost(path, iptables, 100);
    const large = serverKernelCost(path, iptables, 10_000);
    expect(large.newFlowCrossNode).toBeGreaterThan(50 * small.newFlowCrossNode);
    // At 10,000 Services the walk is ~160 us: more than a cached answer's own CPU.
    expect(large.newFlowCrossNode).toBeGreaterThan(HIT);
    expect(serverKernelSeconds(large, 2, true, true)).toBeCloseTo(2 * large.crossNode + large.newFlowCrossNode, 12);
    // An established flow, or a flow from the replica's own node (its entry is the client's), walks nothing.
    expect(serverKernelSeconds(large, 2, true, false)).toBeCloseTo(serverKernelSeconds(small, 2, true, false), 15);
    expect(serverKernelSeconds(large, 2, false, true)).toBeCloseTo(2 * large.sameNode, 15);
    const ebpf = [serverKernelCost(path, ebpfNative, 100), serverKernelCost(path, ebpfNative, 10_000)];
    expect(ebpf[0].newFlowCrossNode).toBe(0);
    expect(ebpf[1]).toEqual(ebpf[0]);
  });

  it('is two packets of the CNI path and the proxy’s established-flow work, plus encapsulation across nodes of an overlay', () => {
    const bgp = loadCni('calico-bgp');
    const vxlan = loadCni('flannel-vxlan');
    const native = serverKernelCost(bgp, iptables, 50);
    expect(native.sameNode).toBeCloseTo(2 * (bgp.cpuPerPacketSeconds + iptables.establishedPacketCost), 15);
    expect(native.crossNode).toBe(native.sameNode);
    const overlay = serverKernelCost(vxlan, iptables, 50);
    expect(vxlan.tunnelPacketCpuSeconds).toBeGreaterThan(0);
    expect(overlay.crossNode).toBeGreaterThan(overlay.sameNode);
    expect(overlay.crossNode - overlay.sameNode).toBeCloseTo(2 * vxlan.tunnelPacketCpuSeconds, 15);
    // eBPF's tunnel encapsulation and the CNI's overlay are the same driver's work: counted once.
    const cilium = loadCni('cilium-vxlan');
    const tunnel = serverKernelCost(cilium, ebpfTunnel, 50);
    expect(tunnel.crossNode - tunnel.sameNode).toBeCloseTo(2 * Math.max(cilium.tunnelPacketCpuSeconds, ebpfTunnel.crossNodePacketCost), 15);
    // NAT per packet costs more than eBPF's CT lookup.
    expect(native.sameNode).toBeGreaterThan(serverKernelCost(bgp, ebpfNative, 50).sameNode);
  });
});

describe('the kernel work on the replica’s core', () => {
  it('lengthens a job on its server but draws nothing from the CFS quota', () => {
    const clock = { now: 0 };
    // Half a core a 100 ms period on one core; a job of 40 ms of CoreDNS and 30 ms of kernel work.
    const cpu = new FifoCpu(1, 10, clock, new CfsQuota({ quotaSeconds: 0.05, periodSeconds: 0.1, cores: 1 }));
    expect(cpu.admit(0, 0.04, 0.03)).toBeCloseTo(0.07, 12);
    // Charged to the quota, the 70 ms would have spent it and waited for the next period.
    expect(cpu.quota!.throttledPeriods).toBe(0);
    expect(cpu.quota!.cpuSecondsBy(1)).toBeCloseTo(0.04, 12);
    expect(cpu.kernelAdmitted).toBeCloseTo(0.03, 12);
    // The next job starts when the kernel work ends: 10 ms of quota are left in the first period.
    expect(cpu.admit(0, 0.02, 0)).toBeCloseTo(0.1 + 0.01, 12);
    expect(cpu.quota!.throttledPeriods).toBe(1);
  });
});

describe('a saturated replica', () => {
  /** dnsperf-like clients (one socket, 100 in flight) on each of 2 nodes, one replica of `cpu` on node 0. */
  const saturated = (cpu: number, cni: 'calico-bgp' | 'flannel-vxlan') =>
    run({
      warmup: '1s',
      duration: '4s',
      cluster: { nodes: 2, podsPerNode: 4, coresPerNode: 2, services: 4, detailedNodes: 'all', cni },
      dns: { coredns: { replicas: 1, cpu } },
      workload: [{ clients: 2, target: 'svc-0', closedLoop: { concurrency: 100 }, dns: { mode: 'raw', types: 'A', queries: [{ name: 'fqdn' }] } }],
    });

  it('serves c / (app + kernel) queries per second, the kernel part between the same-node and the cross-node cost', () => {
    const m = saturated(2, 'flannel-vxlan');
    const served = m['dns_client_answered_total.rate'];
    const kernel = m['coredns_node_kernel_cpu_seconds_total.rate'] / m['coredns_dns_requests_total.rate'];
    const cost = serverKernelCost(loadCni('flannel-vxlan'), iptables, 4);
    // One client on the replica's node, one on the other: each pays its path's cost.
    expect(kernel).toBeGreaterThan(cost.sameNode);
    expect(kernel).toBeLessThan(cost.crossNode);
    expect(Math.abs(served / (2 / (HIT + kernel)) - 1)).toBeLessThan(0.02);
    expect(m['coredns_cpu_utilization.mean']).toBeGreaterThan(0.98);
    // The overlay's encapsulation takes capacity the native path keeps.
    expect(served).toBeLessThan(saturated(2, 'calico-bgp')['dns_client_answered_total.rate']);
  });

  it('under a CPU limit, serves quota / app: the kernel work is outside the quota', () => {
    const m = saturated(0.5, 'calico-bgp');
    const served = m['dns_client_answered_total.rate'];
    const kernel = serverKernelCost(loadCni('calico-bgp'), iptables, 4).sameNode;
    expect(m['coredns_cpu_throttled_periods_total.total']).toBeGreaterThan(0);
    expect(Math.abs(served / (0.5 / HIT) - 1)).toBeLessThan(0.01);
    // Charged to the quota, the kernel work would have cut the rate to quota / (app + kernel).
    expect(served).toBeGreaterThan((0.5 / (HIT + kernel)) * 1.01);
  });
});

describe('resolver lookups from other nodes', () => {
  /** Pods resolving a Service's name (a new socket per lookup), 2 of 4 nodes detailed, the others' queries as copies. */
  const kernelPerQuery = (mode: 'iptables' | 'ebpf', services: number) => {
    const m = run({
      warmup: '1s',
      duration: '3s',
      cluster: { nodes: 4, podsPerNode: 6, services, detailedNodes: 2 },
      proxy: { mode },
      dns: { coredns: { replicas: 1, cpu: 2 } },
      workload: [{ clients: '50%', ratePerClient: 20, target: 'svc-0', dnsName: 'fqdn' }],
    });
    return m['coredns_node_kernel_cpu_seconds_total.rate'] / m['coredns_dns_requests_total.rate'];
  };

  it('cost the replica’s node a walk of KUBE-SERVICES per lookup under iptables, growing with the Services; nothing more under eBPF', () => {
    const few = kernelPerQuery('iptables', 50);
    const many = kernelPerQuery('iptables', 5000);
    const path = loadCni('calico-bgp');
    const walk = serverKernelCost(path, iptables, 5000).newFlowCrossNode - serverKernelCost(path, iptables, 50).newFlowCrossNode;
    // An A/AAAA pair per lookup: half a walk per query from another node. The replica sits on node 0;
    // node 1's queries and the copies standing for nodes 2 and 3 come from other nodes: 3/4 of them
    // (up to the Poisson counts of ~700 lookups).
    const share = (many - few) / (walk / 2);
    expect(share).toBeGreaterThan(0.65);
    expect(share).toBeLessThan(0.85);
    expect(kernelPerQuery('ebpf', 5000)).toBeCloseTo(kernelPerQuery('ebpf', 50), 12);
  });
});
