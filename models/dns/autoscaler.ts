// CoreDNS replicas from the cluster-proportional-autoscaler in linear mode, as the
// dns-horizontal-autoscaler addon runs it. Leaves out ladder mode and the 10 s polling lag: the
// cluster's size is fixed for a point.
//
// kubernetes-sigs/cluster-proportional-autoscaler README, "Linear Mode":
//   replicas = max( ceil( cores * 1/coresPerReplica ) , ceil( nodes * 1/nodesPerReplica ) )
//   replicas = min(replicas, max)
//   replicas = max(replicas, min)
// "When preventSinglePointFailure is set to true, controller ensures at least 2 replicas if there
// are more than one node." Either per-replica figure may be omitted; both are floats; min defaults
// to 1 (and is raised to 1 when lower). We apply the two-replica floor last, so it holds even with
// max 1, which the README's wording ("ensures") implies; linear_controller_test.go's table agrees
// on every case it has (none sets max below 2).

export interface LinearParams {
  /** Cores per replica; undefined or 0: not used. */
  coresPerReplica?: number;
  /** Nodes per replica; undefined or 0: not used. */
  nodesPerReplica?: number;
  min?: number;
  /** Undefined or 0: no maximum. */
  max?: number;
  preventSinglePointFailure?: boolean;
}

/** The replica count the autoscaler sets for a cluster of `nodes` nodes and `cores` cores. */
export function linearReplicas(nodes: number, cores: number, params: LinearParams): number {
  const perCore = params.coresPerReplica ?? 0;
  const perNode = params.nodesPerReplica ?? 0;
  if (!(perCore > 0) && !(perNode > 0)) {
    throw new RangeError('linearReplicas: set coresPerReplica or nodesPerReplica (> 0)');
  }
  const fromCores = perCore > 0 ? Math.ceil(cores / perCore) : 0;
  const fromNodes = perNode > 0 ? Math.ceil(nodes / perNode) : 0;
  let replicas = Math.max(fromCores, fromNodes);
  const max = params.max ?? 0;
  if (max > 0) replicas = Math.min(replicas, max);
  replicas = Math.max(replicas, Math.max(1, params.min ?? 1));
  if (params.preventSinglePointFailure === true && nodes > 1) replicas = Math.max(replicas, 2);
  return replicas;
}

/** CoreDNS replicas for a point: the fixed number, or the autoscaler's for the cluster's nodes and cores. */
export function corednsReplicas(replicas: number | 'autoscaler', params: LinearParams, nodes: number, cores: number): number {
  return replicas === 'autoscaler' ? linearReplicas(nodes, cores, params) : replicas;
}
