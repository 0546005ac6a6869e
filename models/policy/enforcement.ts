// NetworkPolicy on the request path and in the policy agent: a new connection's first packet
// pays one evaluation on each side (egress on the client's node, ingress on the server's), a
// denied pair's SYNs are dropped, and every policy or pod change makes each node's agent rewrite
// its rules (a job on the node's CPU). Established packets pay nothing: Calico's and kube-router's
// endpoint chains accept RELATED,ESTABLISHED by conntrack first (projectcalico/calico
// felix/rules/endpoints.go; kube-router pkg/controllers/netpol), and Cilium looks policy up only
// when it creates a CT entry. Denied SYNs are dropped (Calico's and Cilium's default deny action),
// so the client retransmits until it times out. Leaves out: REJECT actions, egress to names
// outside the cluster, denial of the load from nodes not simulated in detail, the CPU of a denied
// SYN's walk on another node, and the wait for a core before a sync (its duration is its CPU).

import { exponential } from '../../engine/distributions.js';
import type { RandomStream } from '../../engine/random.js';
import type { Simulator } from '../../engine/simulator.js';
import { Counter, Histogram } from '../../engine/stats/index.js';
import type { DetailedNode, PolicyHook, Request } from '../parts.js';
import { firstPacketCost, syncSeconds, type ChangeKind, type PolicyShape } from './cost.js';
import type { NetworkPolicySettings, PolicyProfile } from './settings.js';

/** What the metrics read of NetworkPolicy (models/metrics.ts). */
export interface PolicyStats {
  /** CPU seconds of each side's evaluation of a new connection's first packet. */
  readonly evaluation: Histogram;
  /** New connections no policy allows. */
  readonly denied: Counter;
  /** Seconds of each policy agent sync. */
  readonly sync: Histogram;
  /** CPU seconds a node has spent on policy (evaluations and syncs) since the last reset. */
  cpuSeconds(node: number): number;
}

/** The 32-bit finaliser of MurmurHash3: a well-mixed integer from an integer. */
function mix(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const TWO_32 = 2 ** 32;

/**
 * Two uniforms in [0, 1) fixed by the (workload, client pod, Service) pair: whether policy denies
 * it, and where in the pod's rules its allowing rule sits. A pair's verdict is the same on every
 * connection, as a policy's is; no random stream is drawn, so no other draw moves.
 */
export function pairUniforms(workload: number, clientPod: number, service: number): [number, number] {
  const key = mix(mix(mix(workload + 0x9e3779b9) ^ clientPod) ^ service);
  return [key / TWO_32, mix(key ^ 0x5bd1e995) / TWO_32];
}

export class PolicyEnforcement implements PolicyHook, PolicyStats {
  readonly evaluation = new Histogram();
  readonly denied = new Counter();
  readonly sync = new Histogram();
  private readonly cpu = new Map<number, number>();

  /** The policy set each side's evaluation walks: none selects a pod on a side its policyTypes leave out. */
  private readonly sides: { egress: PolicyShape; ingress: PolicyShape };

  constructor(
    private readonly shape: PolicyShape,
    private readonly profile: PolicyProfile,
    private readonly deniedShare: number,
    policyTypes: NetworkPolicySettings['policyTypes'] = 'both',
    private readonly allowLast = false,
  ) {
    const unselected = { ...shape, matching: 0 };
    this.sides = { egress: policyTypes === 'ingress' ? unselected : shape, ingress: policyTypes === 'egress' ? unselected : shape };
  }

  egress(request: Request, node: DetailedNode): number {
    const [verdict, place] = pairUniforms(request.workload.index, request.clientPod, request.service);
    const denied = verdict < this.deniedShare;
    if (denied) {
      request.policyDenied = true;
      this.denied.add();
    }
    const position = this.position(place);
    let seconds = this.evaluate(this.sides.egress, node.index, position);
    if (request.kind === 'same-node') seconds += this.evaluate(this.sides.ingress, node.index, denied ? 1 : position);
    else if (denied) this.evaluate(this.sides.ingress, request.servingNode, 1); // the server node's walk to its DROP
    return seconds;
  }

  ingress(request: Request, node: DetailedNode): number {
    const [, place] = pairUniforms(request.workload.index, request.clientPod, request.service);
    return this.evaluate(this.sides.ingress, node.index, this.position(place));
  }

  /** The share of the pod's rules an allowed first packet walks: 1 − place ∈ (0, 1], never before the first rule. */
  private position(place: number): number {
    return this.allowLast ? 1 : 1 - place;
  }

  private evaluate(shape: PolicyShape, node: number, position: number): number {
    const seconds = firstPacketCost(shape, this.profile, position);
    this.evaluation.add(seconds);
    this.cpu.set(node, (this.cpu.get(node) ?? 0) + seconds);
    return seconds;
  }

  cpuSeconds(node: number): number {
    return this.cpu.get(node) ?? 0;
  }

  /**
   * Changes of one kind at Poisson times, `changesPerSecond` across the cluster. Every node's agent
   * applies a change at once when idle, a job of syncSeconds on one of the node's cores; changes
   * arriving during a sync are coalesced into one more sync after it, the larger kind winning, as
   * kube-router's one-slot full-sync request channel (pkg/controllers/netpol
   * network_policy_controller.go) and Felix's batching of its dataplane updates
   * (felix/dataplane/linux/int_dataplane.go) do.
   */
  startSync(sim: Simulator, nodes: DetailedNode[], kind: ChangeKind, changesPerSecond: number, rng: RandomStream): void {
    if (!(changesPerSecond > 0)) return;
    const gap = exponential(changesPerSecond);
    const change = () => {
      if (this.syncing) this.pending = this.pending === 'policy' ? 'policy' : kind;
      else this.runSync(sim, nodes, kind);
      sim.schedule(gap.sample(rng), change);
    };
    sim.schedule(gap.sample(rng), change);
  }

  private syncing = false;
  private pending: ChangeKind | null = null;

  private runSync(sim: Simulator, nodes: DetailedNode[], kind: ChangeKind): void {
    const seconds = syncSeconds(this.shape, this.profile, kind);
    this.syncing = true;
    this.sync.add(seconds);
    for (const node of nodes) {
      node.cpu.serve(seconds);
      this.cpu.set(node.index, (this.cpu.get(node.index) ?? 0) + seconds);
    }
    sim.schedule(seconds, () => {
      this.syncing = false;
      const next = this.pending;
      this.pending = null;
      if (next !== null) this.runSync(sim, nodes, next);
    });
  }

  resetStatistics(): void {
    this.evaluation.reset();
    this.denied.reset();
    this.sync.reset();
    this.cpu.clear();
  }
}

/** No NetworkPolicy: nothing to evaluate, nothing denied, no random draw. */
export const NO_POLICY: PolicyHook = { egress: () => 0, ingress: () => 0 };

/** The policy set as each node sees it, from the settings. */
export function policyShape(settings: NetworkPolicySettings, podsPerNode: number): PolicyShape {
  const matching = settings.selectorsMatchingPod === 'all' ? settings.policies : Math.min(settings.selectorsMatchingPod, settings.policies);
  return { enforcement: settings.enforcement, policies: settings.policies, rulesPerPolicy: settings.rulesPerPolicy, matching, podsPerNode };
}
