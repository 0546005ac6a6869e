// Ephemeral ports of client pods and what their reuse does to conntrack: per (client pod,
// destination IP:port), the ports of ip_local_port_range, the ones in use, the ones the client
// still holds in TIME_WAIT, and whether a new connection's 4-tuple is one whose conntrack entry is
// still in TIME_WAIT (then the entry is reopened, not added). Leaves out bind()-before-connect
// (ports then are shared across destinations), SO_REUSEADDR tricks, ip_local_reserved_ports,
// the odd/even split of the range, and the server's own TIME_WAIT (a SYN newer than it is accepted).
//
// Port choice (net/ipv4/inet_hashtables.c, __inet_hash_connect): connect() walks the range from an
// offset hashed from the destination that advances with every connect, and takes the first port
// whose 4-tuple is free (__inet_check_established); a TIME_WAIT socket on the tuple blocks it
// unless tcp_tw_reuse allows taking it over (tcp_twsk_unique: its last timestamp over 1 s old).
// The walk revisits a port only after passing every other one, so the port taken is the one left
// longest ago: the model keeps the released ports in release order and takes the oldest. No port
// free: connect() fails with EADDRNOTAVAIL, at once (no SYN is sent).
//
// Who holds TIME_WAIT: the side that closes first. HTTP/1.1 with `Connection: close` has the
// server close (RFC 9112 §9.6), as netperf TCP_CRR does; a client that closes first holds each
// port for TCP_TIMEWAIT_LEN (60 s), which bounds the new connections to one destination at
// ports / 60 s (28,232 / 60 ≈ 470/s with the default range).
//
// Conntrack: the closed connection's entry stays in TIME_WAIT for nf_conntrack_tcp_timeout_time_wait
// (120 s). A SYN on its tuple moves it to SYN_SENT ("sTW -> sSS, Reopened connection (RFC 1122)"),
// and nf_conntrack_tcp_packet() then kills the old entry and repeats the lookup, which creates a
// fresh one (net/netfilter/nf_conntrack_proto_tcp.c: "Attempt to reopen a closed/aborted
// connection. Delete this connection and look up again.", nf_ct_kill, -NF_REPEAT): the count is
// unchanged, so a client's entries are bounded by its distinct tuples, ports × destinations.
//
// IPVS (net/netfilter/ipvs/ip_vs_core.c, ip_vs_in): with conn_reuse_mode 1 or 2, a SYN that finds
// the tuple's IPVS connection in TIME_WAIT (is_new_conn_expected) expires it and, when the
// connection uses conntrack (kube-proxy sets net/ipv4/vs/conntrack=1), returns NF_DROP: the client
// resends the SYN after its initial RTO (1 s). Linux 5.9 drops no more (the patch "ipvs: allow
// connection reuse for unconfirmed conntrack", kubernetes/kubernetes#93297; kube-proxy's
// connReuseFixedKernelVersion "5.9" cites linux commit 35dfb013149f). IPVS keeps a TCP connection
// in TIME_WAIT for 120 s (ip_vs_proto_tcp.c tcp_timeouts), whoever closed it.

import { z } from 'zod';
import { compareKernel } from './kernel.js';
import { loadProfile, type LoadedProfile } from './profiles/load.js';
import { positiveDuration } from './units.js';

const portsProfileSchema = z.object({ timeWaitLen: positiveDuration(), twReuseDelay: positiveDuration(), ipvsTimeWait: positiveDuration() }).strict();
export type PortsProfile = z.output<typeof portsProfileSchema>;

export function loadPortsProfile(overrides?: unknown): LoadedProfile<PortsProfile> {
  return loadProfile('ports', portsProfileSchema, overrides);
}

const port = z.number().int().min(1).max(65535);

/**
 * A client pod's network-namespace sysctls that decide its ephemeral ports (set per pod through
 * securityContext.sysctls; ip_local_port_range is a safe sysctl). Defaults are the kernel's
 * (Documentation/networking/ip-sysctl.rst).
 */
export const podSysctlsSettings = z
  .object({
    /** net.ipv4.ip_local_port_range: the first and last port connect() may pick (default 32768 60999). */
    ipLocalPortRange: z
      .tuple([port, port])
      .refine(([low, high]) => low <= high, 'the first port must not be above the last')
      .prefault([32768, 60999]),
    /**
     * net.ipv4.tcp_tw_reuse: 0 off, 1 on, 2 loopback only (the default since Linux 4.18, commit
     * 79e9fed46038). A pod's connections to a Service or another pod never go over loopback, so 2
     * acts as 0 here.
     */
    tcpTwReuse: z.union([z.literal(0), z.literal(1), z.literal(2)]).prefault(2),
  })
  .strict();
export type PodSysctls = z.output<typeof podSysctlsSettings>;

/** What a workload's port spaces need, resolved from its settings and the profiles. */
export interface PortConfig {
  /** Ports in ip_local_port_range. */
  ports: number;
  /** How long a closed connection keeps its port from the same destination on the client. */
  clientHoldSeconds: number;
  /** How long a closed connection's conntrack entry stays in TIME_WAIT (0: no netfilter entry to reopen). */
  conntrackTimeWaitSeconds: number;
  /**
   * How long a closed connection's IPVS entry makes IPVS drop a SYN on its tuple (0: never):
   * IPVS's TIME_WAIT under conn_reuse_mode 1 or 2 before Linux 5.9 (ipvsReuseDropSeconds).
   */
  ipvsDropSeconds: number;
}

export function portConfig(sysctls: PodSysctls, activeClose: 'client' | 'server', profile: PortsProfile, conntrackTimeWaitSeconds: number, ipvsDropSeconds: number): PortConfig {
  const [low, high] = sysctls.ipLocalPortRange;
  const hold = activeClose === 'server' ? 0 : sysctls.tcpTwReuse === 1 ? profile.twReuseDelay : profile.timeWaitLen;
  return { ports: high - low + 1, clientHoldSeconds: hold, conntrackTimeWaitSeconds, ipvsDropSeconds };
}

/** connect() found no port: every one towards the destination is in use or in the client's TIME_WAIT. */
export const EXHAUSTED = Number.NaN;
/** The port taken carries no trace of an earlier connection. */
export const FRESH = -Infinity;

/** The kernel from which IPVS no longer drops a SYN that reuses a TIME_WAIT connection (kube-proxy's connReuseFixedKernelVersion). */
const IPVS_REUSE_FIXED_KERNEL = '5.9';
/** The first kernel kube-proxy sets conn_reuse_mode on (its connReuseMinSupportedKernelVersion). */
const IPVS_REUSE_SETTABLE_KERNEL = '4.1';

/**
 * conn_reuse_mode as kube-proxy leaves it (pkg/proxy/ipvs/proxier.go): 0 on kernels 4.1 to 5.8
 * (set since kubernetes/kubernetes#71114), the kernel's default 1 below 4.1 (it cannot set it) and
 * from 5.9 on (left as is, kubernetes/kubernetes#93297).
 */
export function kubeProxyConnReuseMode(kernel: string): number {
  return compareKernel(kernel, IPVS_REUSE_SETTABLE_KERNEL) >= 0 && compareKernel(kernel, IPVS_REUSE_FIXED_KERNEL) < 0 ? 0 : 1;
}

/** How long after a connection closes IPVS drops a SYN reusing its tuple: 0 unless conn_reuse_mode ≠ 0 before 5.9. */
export function ipvsReuseDropSeconds(connReuseMode: number, kernel: string, profile: PortsProfile): number {
  return connReuseMode !== 0 && compareKernel(kernel, IPVS_REUSE_FIXED_KERNEL) < 0 ? profile.ipvsTimeWait : 0;
}

/** Compacts the release queue once this many slots at its head are spent. */
const COMPACT_AT = 1024;

/** The ports of one client pod towards one destination IP:port. Counts and release times only. */
export class PortSpace {
  /** Ports free with no trace of a recent connection (never used, or released long enough ago). */
  private fresh: number;
  private inUse: number;
  /** Release times of the ports whose last connection closed recently, oldest first. */
  private released: number[];
  /** The pod each of those connections was served by (its post-DNAT tuple), in the same order. */
  private releasedPod: number[];
  private head = 0;
  /** The pod that served the previous connection on the port connect() last took (-1: none remembered). */
  reusedPod = -1;
  /** After this long a released port behaves as fresh: free, and its conntrack entry gone. */
  private readonly memorySeconds: number;

  /**
   * `inUse` ports taken and `released` (close times, oldest first, with the pods that served
   * them) still remembered: the state port-pool.ts hands over when a client needs it pair by pair.
   */
  constructor(
    private readonly config: PortConfig,
    inUse = 0,
    released: number[] = [],
    releasedPod: number[] = [],
  ) {
    this.memorySeconds = portMemorySeconds(config);
    this.inUse = inUse;
    this.released = released;
    this.releasedPod = releasedPod;
    this.fresh = config.ports - inUse - released.length;
  }

  /**
   * connect(): takes the port released longest ago, if the client may use it now. Returns when
   * the 4-tuple's previous connection closed (-Infinity: none the kernel still remembers), or
   * EXHAUSTED (NaN).
   */
  connect(now: number): number {
    this.forget(now);
    this.reusedPod = -1;
    if (this.fresh > 0) {
      this.fresh--;
      this.inUse++;
      return FRESH;
    }
    if (this.head === this.released.length) return EXHAUSTED;
    const closedAt = this.released[this.head];
    if (closedAt + this.config.clientHoldSeconds > now) return EXHAUSTED;
    this.reusedPod = this.releasedPod[this.head];
    this.head++;
    this.inUse++;
    return closedAt;
  }

  /**
   * The connection ended. `closed`: it was established and closed (TIME_WAIT follows); otherwise
   * it never got established (refused, timed out, abandoned) and its port is free at once.
   * `servingPod`: the pod it went to, whose tuple a later connection on the port may meet again.
   */
  release(now: number, closed: boolean, servingPod = -1): void {
    if (this.inUse === 0) throw new RangeError('PortSpace.release: no port in use');
    this.inUse--;
    if (!closed || this.memorySeconds === 0) {
      this.fresh++;
      return;
    }
    this.released.push(now);
    this.releasedPod.push(servingPod);
  }

  /** Released ports whose TIME_WAIT (client and conntrack) is over become fresh. */
  private forget(now: number): void {
    const released = this.released;
    while (this.head < released.length && released[this.head] + this.memorySeconds <= now) {
      this.head++;
      this.fresh++;
    }
    if (this.head >= COMPACT_AT && this.head * 2 >= released.length) {
      this.released = released.slice(this.head);
      this.releasedPod = this.releasedPod.slice(this.head);
      this.head = 0;
    }
  }
}

/** After this long a released port behaves as fresh: free, and its conntrack and IPVS entries gone. */
export function portMemorySeconds(config: PortConfig): number {
  return Math.max(config.clientHoldSeconds, config.conntrackTimeWaitSeconds, config.ipvsDropSeconds);
}
