// The SNAT/MASQUERADE port-allocation race: connections from pods of one node to one IP:port outside
// the cluster, masqueraded to the node's IP, whose NAT bindings are made at once on different cores
// can take the same source port; the later conntrack confirm fails (insert_failed) and its SYN is
// dropped. Leaves out DNAT races to ClusterIPs (the DNS model has its own), UDP clash resolution,
// --to-ports ranges, and a node's exhaustion of the NAT ports (64,512 per destination IP:port).
//
// Port choice (net/netfilter/nf_nat_core.c, get_unique_tuple and nf_nat_l4proto_unique_tuple): a
// port is free when no CONFIRMED entry holds the tuple (nf_nat_used_tuple); bindings made between
// the nat hook and __nf_conntrack_confirm are invisible to each other. Before Linux 5.0 the offset
// with no flag is a shared rover read by both (same port); --random hashes the tuple, --random-fully
// (NF_NAT_RANGE_PROTO_RANDOM_FULLY, Linux 3.13) draws it. Linux 5.0 draws it for every mapping
// (commit 716b23c19edd, "netfilter: nat: remove l4proto->unique_tuple"). With a random offset two
// racing bindings meet with probability 1/range. kube-proxy adds --random-fully to its MASQUERADE
// rule when iptables supports it (kubernetes/kubernetes#78547, v1.16); Calico's natOutgoing and
// flannel's masquerade (flannel-io/flannel#1001) do the same. Cilium's eBPF masquerading has no
// netfilter confirm step: no race.

import { z } from 'zod';
import type { RandomStream } from '../engine/random.js';
import { compareKernel } from './kernel.js';
import { loadProfile, type LoadedProfile } from './profiles/load.js';
import { positiveDuration } from './units.js';

const snatProfileSchema = z.object({ natPortRange: z.number().int().positive(), natConfirmWindow: positiveDuration(), roverSamePort: z.number().min(0).max(1) }).strict();
type SnatProfile = z.output<typeof snatProfileSchema>;

export function loadSnatProfile(overrides?: unknown): LoadedProfile<SnatProfile> {
  return loadProfile('snat', snatProfileSchema, overrides);
}

/** cluster.masquerade: how pods' traffic leaving the cluster is masqueraded to the node's IP. */
export const masqueradeSettings = z
  .object({
    /**
     * --random-fully on the MASQUERADE rules. Unset: what kube-proxy (since v1.16) and the CNIs'
     * natOutgoing do with a current iptables, which is on.
     */
    randomFully: z.boolean().optional(),
  })
  .strict();
type MasqueradeSettings = z.output<typeof masqueradeSettings>;

/** The first kernel with NF_NAT_RANGE_PROTO_RANDOM_FULLY (commit 34ce324019e7). */
const RANDOM_FULLY_KERNEL = '3.13';
/** The first kernel whose nf_nat draws the port offset for every mapping (commit 716b23c19edd). */
const RANDOM_OFFSET_KERNEL = '5.0';

/** What the race needs, resolved from the settings and the profile. */
export interface SnatConfig {
  /** How long a binding stays invisible to other allocations (NAT hook to confirm), seconds. */
  windowSeconds: number;
  /** The probability two racing bindings to one destination take the same port. */
  samePort: number;
  /** Cores per node: bindings made on the same core are serialised (softirq runs to the confirm). */
  cores: number;
}

/** The allocation's port choice by kernel and flags: the probability two racing bindings meet. */
export function samePortProbability(masquerade: MasqueradeSettings, kernel: string, profile: SnatProfile): number {
  const randomFully = (masquerade.randomFully ?? true) && compareKernel(kernel, RANDOM_FULLY_KERNEL) >= 0;
  if (randomFully || compareKernel(kernel, RANDOM_OFFSET_KERNEL) >= 0) return 1 / profile.natPortRange;
  return profile.roverSamePort;
}

export function snatConfig(masquerade: MasqueradeSettings, kernel: string, profile: SnatProfile, cores: number): SnatConfig {
  return { windowSeconds: profile.natConfirmWindow, samePort: samePortProbability(masquerade, kernel, profile), cores };
}

/**
 * The probability a new binding fails its confirm, given `racing` bindings to the same destination
 * from the same node still unconfirmed: each is on another core with probability (cores-1)/cores,
 * and then takes the same port with probability samePort.
 */
export function collisionProbability(config: SnatConfig, racing: number): number {
  const perPair = (config.samePort * (config.cores - 1)) / config.cores;
  return 1 - (1 - perPair) ** racing;
}

/** The nodes' NAT bindings in flight, by node and destination; draws the collisions. */
export class SnatRace {
  private readonly inFlight = new Map<number, Map<number, number[]>>();

  constructor(
    private readonly config: SnatConfig,
    private readonly rng: RandomStream,
  ) {}

  /** A SYN to `destination` from `node` gets its NAT binding now. True: its confirm fails (insert_failed). */
  collides(node: number, destination: number, now: number): boolean {
    let byDestination = this.inFlight.get(node);
    if (byDestination === undefined) this.inFlight.set(node, (byDestination = new Map()));
    let times = byDestination.get(destination);
    if (times === undefined) byDestination.set(destination, (times = []));
    const since = now - this.config.windowSeconds;
    let first = 0;
    while (first < times.length && times[first] <= since) first++;
    if (first > 0) times.splice(0, first);
    const racing = times.length;
    // A failed confirm frees its entry: only a binding that confirms stays to race the next.
    const collided = racing > 0 && this.rng.next() < collisionProbability(this.config, racing);
    if (!collided) times.push(now);
    return collided;
  }
}
