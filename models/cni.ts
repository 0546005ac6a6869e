// The CNI data path between two pods: one-way latency by path kind (same node, across nodes,
// across zones), encapsulation and MTU, throughput caps, CPU per packet and the cost of
// evaluating network policy. One profile per CNI, with sources, in models/profiles/cni.yaml.
// Leaves out: loss and retransmission, TCP slow start, IPv6, contention between flows (network.ts
// shares each node's NIC, nodeBps, between the multi-segment messages leaving it: nic.ts), and
// per-connection kernel work (kernel.yaml tcp.connectionSetup, charged by network.ts; conntrack
// and the proxy charge their own).
//
// Defaults (10 Gbit/s NIC, MTU 1500), one-way medians (p99 = 2 × median; cross-zone adds an
// independent 0.4 ms median / 1 ms p99 draw); CPU bounds are Ducastel's DTS/DTM:
//
//   profile            same   cross  | encap MTU  | single  node    | cpu/pkt | policy
//                      node   node   |  B         | Gbit/s  Gbit/s  |  µs     |
//   calico-bgp         40.0   84.0   |   0  1500  |  9.41   9.41    | 0.588   | 20 ns/rule
//   calico-ipip        34.2  109.4   |  20  1480  |  9.28   9.28    | 0.580   | 20 ns/rule
//   calico-vxlan       40.6  122.1   |  50  1450  |  9.09   9.09    | 0.568   | 20 ns/rule
//   calico-ebpf        21.8   86.7   |  50  1450  |  9.09   9.09    | 0.432   | 100 ns
//   flannel-vxlan      40.6  122.1   |  50  1450  |  9.09   9.09    | 0.559   | none
//   cilium-native      21.8   48.6   |   0  1500  |  9.41   9.41    | 0.529   | 100 ns
//   cilium-vxlan       21.8   86.7   |  50  1450  |  9.09   9.09    | 0.511   | 100 ns
//   cilium-wireguard   21.8   63.6   |  80  1420  |  8.89   8.40    | 1.216   | 100 ns
//   calico-wireguard   40.0   99.0   |  60  1440  |  7.90   8.10    | 1.406   | 20 ns/rule
//   cilium-ipsec       21.8   63.6   |  77  1423  |  4.80   5.30    | 2.285   | 100 ns
//   kep3866-testbed     4.2 + lognormal(2.2 µs, p99 ×8.9) one-way, same node only: the KEP-3866
//                      chart's test bed, fitted to its nftables curve (calibration/calibrate-proxy.ts)
//
// Cloud profiles carry their own underlay (NIC rate of a named instance type, VPC MTU) and zone
// hop, from published VM-to-VM measurements (cni.yaml gives each source); the bare-metal ones keep
// `common`. Cross-node is VM to VM in one zone: pods on the VPC's own addresses (AWS VPC CNI, GKE
// alias IPs, Azure CNI Overlay's routed pod CIDRs) add no encapsulation.
//
//   profile            same   cross  zone hop  | encap MTU  | NIC        | instance
//   aws-vpc-cni        40.0  125.8   322 µs    |   0  9001  | 12.5 Gbit/s | m6i.xlarge
//   gke-dataplane-v2   21.8   34.4    57.9 µs  |   0  1460  | 16 Gbit/s  | n2-standard-8
//   azure-cni-overlay  40.0  125.8   400 µs    |   0  1500  | 12.5 Gbit/s | Standard_D4s_v5
//
// Reproduction of DaoCloud's netperf figures (µs, means; model RR = 2 one-way + 20 µs netperf
// handling, so it matches the published RR by construction up to rounding). The model's TCP_CRR
// = handshake (SYN out, SYN-ACK back: 2 one-way) + the RR transaction + the kernel's work per
// connection on each node it touches (kernel.yaml tcp.connectionSetup, 116 µs, derived from the
// node-to-node pair: 1 node on a same-node path, 2 across nodes); the close is asynchronous.
// Through simulate() (experiments/validation/daocloud-netperf*.yaml), which adds each message's
// packet CPU and serialisation (~4-10 µs):
//
//   path                       RR pub  RR sim   | CRR pub  CRR sim   error
//   cilium-vxlan same node      65.62    70.0   |  198.99    237      +19 %
//   calico-vxlan same node     104.82   109.5   |  982.92    316      -68 % (outlier: 3.7x ipip's)
//   calico-ipip same node       91.44    96.2   |  265.07    289       +9 %
//   calico-bgp same node       103.71   108.3   |  277.75    314      +13 %
//   cilium-vxlan cross node    201.27   205.5   |  789.32    624      -21 %
//   (node-to-node, no CNI)     113.27   117.9   |  439.04    449       +2 % (fitted)

import { z } from 'zod';
import { lognormalFromMedianP99, type Distribution } from '../engine/distributions.js';
import type { RandomStream } from '../engine/random.js';
import { loadProfile, type ConstantRecord } from './profiles/load.js';
import { bitRate, duration, positiveDuration, size } from './units.js';

export const cniName = z.enum([
  'calico-bgp', 'calico-ipip', 'calico-vxlan', 'calico-ebpf', 'flannel-vxlan',
  'cilium-native', 'cilium-vxlan', 'cilium-wireguard', 'calico-wireguard', 'cilium-ipsec',
  'kep3866-testbed', 'aws-vpc-cni', 'azure-cni-overlay', 'gke-dataplane-v2',
]);
export type CniName = z.infer<typeof cniName>;

/** Profiles with their own instance NIC, VPC MTU and measured zone hop (cni.yaml, "Cloud CNIs"). */
export const cloudCniNames: readonly string[] = ['aws-vpc-cni', 'azure-cni-overlay', 'gke-dataplane-v2'];

/** Whether the CNI is Cilium underneath (GKE Dataplane V2 is Cilium: docs 'GKE Dataplane V2'), so Cilium's kube-proxy replacement and BPF maps run with it. */
export const isCiliumBased = (cni: string): boolean => cni.startsWith('cilium') || cni === 'gke-dataplane-v2';

/** Where the two pods sit relative to each other. */
export type PathKind = 'same-node' | 'cross-node' | 'cross-zone';

/** The extra one-way latency of a path between zones, over a path between nodes of one zone. */
const zoneHop = z.object({ median: positiveDuration(), p99: positiveDuration() });

const commonSchema = z.object({
  nicBitRate: bitRate(),
  underlayMtu: size(),
  tcpIpHeaderBytes: size(),
  ethernetFramingBytes: size(),
  oneWayP99OverMedian: z.number().gt(1),
  netperfTransactionOverhead: duration(),
  /** CPU per cross-node packet of an encapsulating CNI (outer headers added or stripped). */
  tunnelPacketCpu: duration(),
  zoneOneWay: zoneHop,
});

const profileSchema = z.object({
  encapBytes: size(),
  sameNodeMedian: positiveDuration(),
  crossNodeMedian: positiveDuration(),
  singleStreamCpuBound: bitRate(),
  nodeCpuBound: bitRate(),
  policyFixed: duration(),
  policyPerRule: duration(),
  /** A fixed part of the same-node one-way latency, under the lognormal (a test bed's floor). */
  sameNodeFloor: duration().default(0),
  /** This profile's own spread, instead of common.oneWayP99OverMedian. */
  oneWayP99OverMedian: z.number().gt(1).optional(),
  /** A cloud profile's own underlay and zone hop, instead of common's (the instance's NIC, the VPC's MTU). */
  nicBitRate: bitRate().optional(),
  underlayMtu: size().optional(),
  zoneOneWay: zoneHop.optional(),
});

/** The keys of `common` a profile may replace with its own. */
const ownUnderlay = ['oneWayP99OverMedian', 'nicBitRate', 'underlayMtu', 'zoneOneWay'] as const;

const profileShapes = Object.fromEntries(cniName.options.map((name) => [name, profileSchema])) as Record<CniName, typeof profileSchema>;
const cniFileSchema = z.object({ common: commonSchema, ...profileShapes });

export interface CniPath {
  readonly name: CniName;
  /** One-way latency of a small message between two pods (the same object on every call). */
  oneWayLatency(kind: PathKind): Distribution;
  /** TCP segments needed for `bytes` of payload: ceil(bytes / MSS), and 1 for 0 bytes (a bare ACK or FIN). */
  packetsFor(bytes: number): number;
  /**
   * Path latency + bytes ÷ single-stream throughput (docs/architecture.md, "The request's
   * path"); draws the latency from `rng`.
   * The latency, calibrated on 1 KiB messages, already holds one packet's serialisation (~1 µs at
   * 10 Gbit/s), which this counts again: negligible against tens of µs.
   */
  transferSeconds(bytes: number, kind: PathKind, rng: RandomStream): number;
  /** CPU seconds per packet on each node that handles it (derived: MSS bits ÷ single-stream CPU bound). */
  readonly cpuPerPacketSeconds: number;
  /** CPU seconds an encapsulating CNI adds to each cross-node packet on each node (0 without encapsulation). */
  readonly tunnelPacketCpuSeconds: number;
  /** Bytes the overlay or encryption adds to each packet. */
  readonly encapBytes: number;
  /** Pod MTU: underlay MTU − encapBytes. */
  readonly mtu: number;
  /** TCP payload per full segment: mtu − IPv4/TCP headers (with timestamps). */
  readonly mssBytes: number;
  /** Single TCP stream throughput (payload bits/s): min(CPU bound, link goodput). */
  readonly singleStreamBps: number;
  /** All streams leaving one node together (payload bits/s): min(CPU bound, link goodput); its NIC's capacity (nic.ts). */
  readonly nodeBps: number;
  /** Network-policy evaluation on a connection's first packet; 0 when no rule applies. */
  policyCostSeconds(rules: number): number;
  /** netperf's own per-transaction handling, for validation against DaoCloud's TCP_RR only. */
  readonly netperfOverheadSeconds: number;
  /** The profile constants this path uses (common.* and <name>.*), with sources, for reports. */
  readonly constants: ConstantRecord[];
}

/** A fixed floor under a distribution. */
class Shifted implements Distribution {
  readonly mean: number;
  constructor(private readonly floor: number, private readonly body: Distribution) {
    this.mean = floor + body.mean;
  }
  sample(rng: RandomStream): number { return this.floor + this.body.sample(rng); }
  describe(): string { return `${this.floor} + ${this.body.describe()}`; }
}

/** The sum of two independent draws (a cross-zone path: the cross-node path plus the zone hop). */
class SumOfTwo implements Distribution {
  readonly mean: number;
  constructor(private readonly first: Distribution, private readonly second: Distribution) {
    this.mean = first.mean + second.mean;
  }
  sample(rng: RandomStream): number { return this.first.sample(rng) + this.second.sample(rng); }
  describe(): string { return `${this.first.describe()} + ${this.second.describe()}`; }
}

class Cni implements CniPath {
  readonly cpuPerPacketSeconds: number;
  readonly tunnelPacketCpuSeconds: number;
  readonly encapBytes: number;
  readonly mtu: number;
  readonly mssBytes: number;
  readonly singleStreamBps: number;
  readonly nodeBps: number;
  readonly netperfOverheadSeconds: number;
  private readonly sameNode: Distribution;
  private readonly crossNode: Distribution;
  private readonly crossZone: Distribution;
  private readonly policyFixedSeconds: number;
  private readonly policyPerRuleSeconds: number;

  constructor(
    readonly name: CniName,
    common: z.output<typeof commonSchema>,
    profile: z.output<typeof profileSchema>,
    readonly constants: ConstantRecord[],
  ) {
    const underlayMtu = profile.underlayMtu ?? common.underlayMtu;
    const nicBitRate = profile.nicBitRate ?? common.nicBitRate;
    const zone = profile.zoneOneWay ?? common.zoneOneWay;
    this.encapBytes = profile.encapBytes;
    this.mtu = underlayMtu - profile.encapBytes;
    this.mssBytes = this.mtu - common.tcpIpHeaderBytes;
    if (!(this.mssBytes >= 1)) {
      throw new RangeError(`cni ${name}: MTU ${this.mtu} B leaves no room for ${common.tcpIpHeaderBytes} B of headers`);
    }
    // Encapsulated or not, each frame fills the underlay MTU on the wire; the payload is the MSS.
    const linkGoodputBps = (nicBitRate * this.mssBytes) / (underlayMtu + common.ethernetFramingBytes);
    this.singleStreamBps = Math.min(profile.singleStreamCpuBound, linkGoodputBps);
    this.nodeBps = Math.min(profile.nodeCpuBound, linkGoodputBps);
    // A single stream is CPU-bound on its busiest core: a full segment's bits at that rate.
    this.cpuPerPacketSeconds = (this.mssBytes * 8) / profile.singleStreamCpuBound;
    this.tunnelPacketCpuSeconds = profile.encapBytes > 0 ? common.tunnelPacketCpu : 0;
    this.netperfOverheadSeconds = common.netperfTransactionOverhead;

    const ratio = profile.oneWayP99OverMedian ?? common.oneWayP99OverMedian;
    const sameNodeBody = lognormalFromMedianP99(profile.sameNodeMedian, profile.sameNodeMedian * ratio);
    this.sameNode = profile.sameNodeFloor > 0 ? new Shifted(profile.sameNodeFloor, sameNodeBody) : sameNodeBody;
    this.crossNode = lognormalFromMedianP99(profile.crossNodeMedian, profile.crossNodeMedian * ratio);
    this.crossZone = new SumOfTwo(this.crossNode, lognormalFromMedianP99(zone.median, zone.p99));
    this.policyFixedSeconds = profile.policyFixed;
    this.policyPerRuleSeconds = profile.policyPerRule;
  }

  oneWayLatency(kind: PathKind): Distribution {
    switch (kind) {
      case 'same-node': return this.sameNode;
      case 'cross-node': return this.crossNode;
      case 'cross-zone': return this.crossZone;
    }
  }

  packetsFor(bytes: number): number {
    if (!(bytes >= 0)) throw new RangeError(`cni ${this.name}: bytes must be >= 0, got ${bytes}`);
    return Math.max(1, Math.ceil(bytes / this.mssBytes));
  }

  transferSeconds(bytes: number, kind: PathKind, rng: RandomStream): number {
    return this.oneWayLatency(kind).sample(rng) + (bytes * 8) / this.singleStreamBps;
  }

  policyCostSeconds(rules: number): number {
    if (!(Number.isInteger(rules) && rules >= 0)) {
      throw new RangeError(`cni ${this.name}: rules must be an integer >= 0, got ${rules}`);
    }
    return rules === 0 ? 0 : this.policyFixedSeconds + this.policyPerRuleSeconds * rules;
  }
}

/**
 * The data path of CNI `name`. `overrides` is a partial tree of cni.yaml, e.g.
 * `{ common: { nicBitRate: '25Gbit/s' }, 'calico-bgp': { crossNodeMedian: '60us' } }`.
 */
export function loadCni(name: CniName, overrides?: unknown): CniPath {
  const checked = cniName.parse(name);
  const loaded = loadProfile('cni', cniFileSchema, overrides);
  const profile = loaded.values[checked];
  // A common constant the profile replaces with its own is not used by this path.
  const replaced = new Set(ownUnderlay.filter((key) => profile[key] !== undefined).map((key) => `common.${key}`));
  const used = loaded.constants.filter(
    (c) => (c.path.startsWith('common.') && ![...replaced].some((r) => c.path === r || c.path.startsWith(`${r}.`))) || c.path.startsWith(`${checked}.`),
  );
  return new Cni(checked, loaded.values.common, profile, used);
}
