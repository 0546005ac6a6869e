import { describe, expect, it } from 'vitest';
import { pointContext } from '../../models/deciding-settings.js';
import { networkSettings, type NetworkSettingsInput } from '../../models/settings.js';

const spec = (extra: Partial<NetworkSettingsInput> = {}): NetworkSettingsInput => ({
  cluster: { nodes: 100, services: 50 },
  workload: [{ name: 'web', clients: '50%', ratePerClient: 5 }],
  ...extra,
});
const context = (extra: Partial<NetworkSettingsInput> = {}) => pointContext(networkSettings.parse(spec(extra)));
const raceNote = (notes: string[]) => notes.find((n) => n.includes('A/AAAA race'));

describe('the settings that decided a point', () => {
  it('says the default kernel rules out the A/AAAA race, and names the kernel that would allow it', () => {
    const c = context();
    expect(c.dnsRaceProbability).toBe(0);
    expect(raceNote(c.notes)).toMatch(/cluster\.kernel 6\.1 .*before 5\.7/);
  });

  it('leaves the race possible on an old kernel through kube-proxy, and says nothing then', () => {
    const c = context({ cluster: { nodes: 100, services: 50, kernel: '4.14' } });
    expect(c.dnsRaceProbability).toBeGreaterThan(0);
    expect(raceNote(c.notes)).toBeUndefined();
  });

  it('names NodeLocal DNSCache, eBPF and single-request as what rules the race out on an old kernel', () => {
    const old = { nodes: 100, services: 50, kernel: '4.14' };
    expect(raceNote(context({ cluster: old, dns: { nodeLocal: { enabled: true } } }).notes)).toMatch(/NodeLocal/);
    expect(raceNote(context({ cluster: old, proxy: { mode: 'ebpf' } }).notes)).toMatch(/ebpf/);
    expect(raceNote(context({ cluster: old, dns: { resolver: { options: 'single-request' } } }).notes)).toMatch(/single-request/);
  });

  it('resolves the autoscaler to its replica count and kube-proxy’s nf_conntrack_max from the cores', () => {
    const c = context({ cluster: { nodes: 1000, services: 50, coresPerNode: 16 }, dns: { coredns: { replicas: 'autoscaler' } } });
    const value = (path: string) => c.settings.find((s) => s.path === path)?.value;
    expect(value('dns.coredns.replicas')).toBeGreaterThan(2);
    expect(value('conntrack.max')).toBe(Math.max(32768 * 16, 131072));
    expect(value('workload.0.server.serviceTime')).toBe('1ms');
  });

  it('says no DNS runs when every workload dials a ClusterIP, and lists no DNS setting', () => {
    const c = context({ workload: [{ name: 'web', clients: '50%', ratePerClient: 5, dnsName: 'clusterIP' }] });
    expect(c.notes.join(' ')).toMatch(/no DNS lookup is simulated/);
    expect(c.settings.some((s) => s.path.startsWith('dns.'))).toBe(false);
  });

  it('says when eBPF, Cilium’s kube-proxy replacement, is paired with a CNI that is not Cilium', () => {
    const note = (cni: 'calico-bgp' | 'cilium-native' | 'gke-dataplane-v2' | 'aws-vpc-cni') => context({ cluster: { nodes: 100, services: 50, cni }, proxy: { mode: 'ebpf' } }).notes.find((n) => n.includes('kube-proxy replacement'));
    expect(note('calico-bgp')).toMatch(/runs only with Cilium as the CNI; here it is combined with the calico-bgp data path/);
    expect(note('cilium-native')).toBeUndefined();
    // GKE Dataplane V2 is Cilium: its own kube-proxy replacement runs there.
    expect(note('gke-dataplane-v2')).toBeUndefined();
    expect(note('aws-vpc-cni')).toMatch(/combined with the aws-vpc-cni data path/);
  });

  it('says where the zone hop comes from: measured for a cloud profile, assumed for a bare-metal one', () => {
    const zones = (cni: 'calico-bgp' | 'aws-vpc-cni') => context({ cluster: { nodes: 100, services: 50, cni, zones: 3 } }).settings.find((s) => s.path === 'cluster.zones')?.decides;
    expect(zones('calico-bgp')).toMatch(/assumed/);
    expect(zones('aws-vpc-cni')).toMatch(/measured/);
  });
});

describe('eBPF points', () => {
  it("name Cilium's routing mode (tunnel under cilium-vxlan) and its TCP CT map size from the node's memory", () => {
    const context = pointContext(networkSettings.parse({ proxy: { mode: 'ebpf' }, cluster: { cni: 'cilium-vxlan', coresPerNode: 4, memoryPerNode: '8GiB' } }));
    const value = (path: string) => context.settings.find((s) => s.path === path)?.value;
    expect(value('proxy.ebpf.routingMode')).toBe('tunnel');
    expect(value('conntrack.bpfCtGlobalTcpMax')).toBe(131072);
    const iptables = pointContext(networkSettings.parse({}));
    expect(iptables.settings.some((s) => s.path.startsWith('proxy.ebpf') || s.path.startsWith('conntrack.bpf'))).toBe(false);
  });
});

describe('settings listed only when they act', () => {
  const paths = (input: Partial<NetworkSettingsInput>) => pointContext(networkSettings.parse(spec(input))).settings.map((s) => s.path);

  it('lists the EndpointSlice controller’s settings only under churn', () => {
    expect(paths({}).some((p) => p.startsWith('controlPlane.'))).toBe(false);
    const churned = paths({ churn: { endpointChangesPerSecond: 5 } });
    for (const key of ['batchPeriod', 'concurrentSyncs', 'apiQps', 'apiBurst']) expect(churned).toContain(`controlPlane.endpointSlice.${key}`);
  });

  it('lists kube-proxy’s CPU limit only when set', () => {
    expect(paths({})).not.toContain('proxy.cpuLimit');
    expect(paths({ proxy: { cpuLimit: 0.2 } })).toContain('proxy.cpuLimit');
  });

  it('lists NetworkPolicy’s count and enforcement only when there are policies', () => {
    expect(paths({}).some((p) => p.startsWith('networkPolicy.'))).toBe(false);
    const withPolicies = paths({ networkPolicy: { policies: 100, enforcement: 'ipset' } });
    expect(withPolicies).toContain('networkPolicy.policies');
    expect(withPolicies).toContain('networkPolicy.enforcement');
  });

  it('lists a workload’s server CPU limit only when set, saying what it throttles', () => {
    expect(paths({}).some((p) => p.endsWith('server.cpuLimit'))).toBe(false);
    const c = pointContext(networkSettings.parse(spec({ workload: [{ name: 'web', clients: '50%', ratePerClient: 5, server: { cpuLimit: 0.5, serviceTimeIsCpu: true } }] })));
    const limit = c.settings.find((s) => s.path === 'workload.0.server.cpuLimit');
    expect(limit?.value).toBe(0.5);
    expect(limit?.decides).toMatch(/service time/);
  });
});
