// The CPU limit of the workload's serving pods as the kernel enforces it: one CFS quota per
// serving pod (limit × cfs period of CPU per period, engine/cfs-quota.ts), which the pod's own CPU
// work (cpuPerRequest.server, and the service time when it is CPU) draws on; work that does not fit
// what is left of the period waits for the next one. Leaves out CPU requests (cpu.shares) and the
// node's CPU contention inside the pod's work (the node's cores are charged separately, network.ts).

import { CfsQuota } from '../engine/cfs-quota.js';
import type { Request } from './parts.js';

export class ServerCpuQuotas {
  /** By serving pod, created at its first request with that request's workload's limit. */
  private readonly quotas: (CfsQuota | null | undefined)[] = [];
  /** The pods that have a quota, in order of creation (the statistics are averaged over them). */
  private readonly limited: CfsQuota[] = [];

  constructor(
    private readonly periodSeconds: number,
    /** The node's cores: a limit of at least every core can never throttle. */
    private readonly cores: number,
  ) {}

  /**
   * The request's serving pod runs `seconds` of its own CPU from `now`: the seconds it is paused
   * by its quota on the way (0 without a limit, and then nothing is recorded).
   */
  pause(request: Request, seconds: number, now: number): number {
    const quota = this.quotaOf(request);
    if (quota === null) return 0;
    const before = quota.throttledSeconds;
    quota.run(now, seconds);
    return quota.throttledSeconds - before;
  }

  /** How long a worker is held by `seconds` of service time: stretched by the quota's pauses when the service time is CPU. */
  serviceSeconds(request: Request, seconds: number, now: number): number {
    if (!request.workload.serviceTimeIsCpu) return seconds;
    const pause = this.pause(request, seconds, now);
    return pause > 0 ? seconds + pause : seconds;
  }

  private quotaOf(request: Request): CfsQuota | null {
    const pod = request.servingPod;
    let quota = this.quotas[pod];
    if (quota === undefined) {
      const limit = request.workload.serverCpuLimit;
      quota = limit === null ? null : new CfsQuota({ quotaSeconds: limit * this.periodSeconds, periodSeconds: this.periodSeconds, cores: this.cores });
      this.quotas[pod] = quota;
      if (quota !== null) this.limited.push(quota);
    }
    return quota;
  }

  /** Throttled periods and seconds per limited serving pod (cAdvisor's container_cpu_cfs_throttled_*); 0 when none is limited. */
  throttling(): { periods: number; seconds: number } {
    let periods = 0;
    let seconds = 0;
    for (const quota of this.limited) {
      periods += quota.throttledPeriods;
      seconds += quota.throttledSeconds;
    }
    const n = Math.max(1, this.limited.length);
    return { periods: periods / n, seconds: seconds / n };
  }

  /** Serving pods with a CPU limit so far. */
  get count(): number {
    return this.limited.length;
  }

  /** Discards the statistics so far (end of warm-up); the quotas' periods and spent quota stay. */
  resetStatistics(now: number): void {
    for (const quota of this.limited) quota.resetStatistics(now);
  }
}
