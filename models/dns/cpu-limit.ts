// How a DNS container's CPU limit (a CoreDNS replica's `cpu`, a NodeLocal agent's) becomes cores:
// a CFS quota per period on whole cores at full speed (what the kernel enforces), or the former
// uniform slowdown kept for comparison. Leaves out CPU requests and the node's other pods.

import { CfsQuota } from '../../engine/cfs-quota.js';
import type { CpuLimitModel } from './settings.js';

/** The cores a container's jobs run on, what its jobs cost per unit of work, and its quota. */
export interface LimitedCpu {
  servers: number;
  /** CPU seconds per unit cost: > 1 only under the uniform model with a fractional limit. */
  costScale: number;
  /** Null when the limit cannot bind (a whole number of cores) or under the uniform model. */
  quota: CfsQuota | null;
}

/**
 * `cfs`: ceil(limit) cores at full speed, the fewest on which the quota can be spent, sharing
 * limit × period of CPU per period (a process with more runnable threads, Go's GOMAXPROCS = the
 * node's cores, could spend it sooner: the model's throttling is a lower bound); the period's
 * phase starts at the container's first job. `uniform`: round(limit) cores each slowed to the
 * limit's share (50m: one core at 1/20 of its speed; 1.5: two cores at 3/4).
 */
export function limitedCpu(limit: number, model: CpuLimitModel, periodSeconds: number): LimitedCpu {
  if (model === 'uniform') {
    const servers = Math.max(1, Math.round(limit));
    return { servers, costScale: servers / limit, quota: null };
  }
  const servers = Math.max(1, Math.ceil(limit));
  if (limit >= servers) return { servers, costScale: 1, quota: null };
  return { servers, costScale: 1, quota: new CfsQuota({ quotaSeconds: limit * periodSeconds, periodSeconds, cores: servers }) };
}

/** Throttled periods and seconds per container (cAdvisor's container_cpu_cfs_throttled_*), averaged over `cpus`. */
export function meanThrottling(cpus: readonly { readonly quota: CfsQuota | null }[]): { periods: number; seconds: number } {
  let periods = 0;
  let seconds = 0;
  for (const cpu of cpus) {
    periods += cpu.quota?.throttledPeriods ?? 0;
    seconds += cpu.quota?.throttledSeconds ?? 0;
  }
  const n = Math.max(1, cpus.length);
  return { periods: periods / n, seconds: seconds / n };
}
