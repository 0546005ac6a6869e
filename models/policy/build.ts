// Builds a point's NetworkPolicy from its settings: the enforcement on the request path, the
// agents' syncs on policy and pod churn, and the constants it used. Nothing when there are no
// policies, so a cluster without them runs exactly as before.

import type { RandomStreams } from '../../engine/random.js';
import type { Simulator } from '../../engine/simulator.js';
import type { DetailedNode } from '../parts.js';
import type { ConstantRecord } from '../profiles/load.js';
import type { NetworkSettings } from '../settings.js';
import { PolicyEnforcement, policyShape } from './enforcement.js';
import { loadPolicyProfile } from './settings.js';

export interface BuiltPolicy {
  enforcement: PolicyEnforcement;
  /** policy.yaml's constants, prefixed `policy.` as the report lists them. */
  constants: ConstantRecord[];
}

/**
 * Each churn event removes an endpoint's pod and adds its replacement (churn.ts): two pod changes
 * every agent whose policies select them must apply.
 */
const POD_CHANGES_PER_CHURN_EVENT = 2;

/** Each kind of change on its own stream: adding either moves no other draw. */
export function buildPolicy(sim: Simulator, settings: NetworkSettings, podsPerNode: number, nodes: DetailedNode[], streams: RandomStreams): BuiltPolicy | null {
  const policy = settings.networkPolicy;
  if (policy.policies === 0) return null;
  const profile = loadPolicyProfile(settings.profiles.policy);
  const enforcement = new PolicyEnforcement(policyShape(policy, podsPerNode), profile.values, policy.deniedShare, policy.policyTypes, policy.allowingRule === 'last');
  enforcement.startSync(sim, nodes, 'policy', policy.policyChangesPerSecond, streams.stream('policy/changes'));
  enforcement.startSync(sim, nodes, 'pod', POD_CHANGES_PER_CHURN_EVENT * settings.churn.endpointChangesPerSecond, streams.stream('policy/pod-changes'));
  return { enforcement, constants: profile.constants.map((r) => ({ ...r, path: `policy.${r.path}` })) };
}
