// Long-lived UDP sockets to kube-dns and the CoreDNS replica each is pinned to. Through a Service
// proxy a UDP socket's flow has one conntrack entry, made by its first packet, and the DNAT chosen
// then holds for every later query of that socket until the entry expires (no packet for the UDP
// stream timeout: nf_conntrack_udp_timeout_stream, 120 s in linux nf_conntrack-sysctl.rst, or
// Cilium's CT `any` lifetime). dnsperf keeps its -c sockets open for the whole run
// (DNS-OARC/dnsperf src/dnsperf.c opens them once at start), so its queries land on at most that
// many replicas (coredns/coredns#3994, #6977); NodeLocal's forward pool reuses one UDP socket to
// kube-dns while it is busy (coredns/coredns#6803), closing it after `expire` idle. Per-lookup
// sockets (glibc res_send closes its socket after each lookup; Go dials per query) are not routed
// here: the runtime draws a replica per round trip.
// Leaves out: the client's ephemeral port choice (a socket's tuple never collides with another's).

import type { FlowTable } from '../conntrack/flow-table.js';

interface Socket {
  replica: number;
  /** When the socket last sent: its entry expires `timeoutSeconds` later with no traffic. */
  lastSentAt: number;
}

/** The replica a long-lived socket reaches, or -1 when a full conntrack table refused its new entry. */
export class StickySockets {
  private readonly sockets = new Map<number, Socket>();
  /** Conntrack entries these sockets made (first packets, and first packets after an expiry). */
  opened = 0;

  constructor(private readonly timeoutSeconds: number) {}

  /**
   * Routes one query of socket `key` at `now`: the pinned replica while its entry lives; otherwise
   * a new entry in `flows` and a fresh replica from `pick` (the proxy's choice).
   */
  route(key: number, now: number, flows: Pick<FlowTable, 'udpOpen' | 'udpUnanswered'>, pick: () => number): number {
    const socket = this.sockets.get(key);
    if (socket !== undefined && now - socket.lastSentAt <= this.timeoutSeconds) {
      socket.lastSentAt = now;
      return socket.replica;
    }
    // The old entry ran out of time with the socket idle: it left the table at lastSentAt + timeout.
    if (socket !== undefined) {
      this.sockets.delete(key);
      flows.udpUnanswered(now, socket.lastSentAt);
    }
    if (!flows.udpOpen(now)) return -1;
    this.opened++;
    const replica = pick();
    this.sockets.set(key, { replica, lastSentAt: now });
    return replica;
  }
}
