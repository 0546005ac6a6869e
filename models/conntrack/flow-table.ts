// A node's flow table: the state the kernel keeps per connection so that later packets (replies,
// NAT reversal) find their flow. Two implementations: Linux nf_conntrack (netfilter.ts), used by
// kube-proxy in every mode, and Cilium's BPF CT maps (bpf-ct.ts) under the eBPF data path.
// Count-based: no object and no event per entry; the caller (the request's process) says what
// happens to its flow, and the table keeps counts and expiry times.
//
// What each does, and what it costs (n entries held, c timeout classes, a few each):
//
// | operation              | netfilter (nf_conntrack)                         | bpf (Cilium CT, LRU hash maps)              |
// |------------------------|--------------------------------------------------|---------------------------------------------|
// | limit                  | nf_conntrack_max = max(maxPerCore×cores, min)    | bpf-ct-global-tcp-max + bpf-ct-global-any-max |
// | new flow, table full   | early_drop: evict non-assured entries met in 8   | LRU: evict the least recently used entry;   |
// |                        | hash buckets, else drop the packet (drops)       | never drops; may evict a live flow's entry  |
// | TCP closed             | time_wait 120 s (assured)                        | tcp-fin 10 s                                |
// | SYN never answered     | syn_sent 120 s after the last SYN (non-assured)  | tcp-syn 60 s                                |
// | UDP replied / not      | udp 30 s after the last packet (non-assured);    | non-TCP 60 s, separate map                  |
// |                        | udp_stream 120 s (assured)                       |                                             |
// | memory                 | ~304 B × entries held (slab)                     | max entries × element size (preallocated)   |
// | time per operation     | O(c) + O(log h) for the h out-of-order entries;  | same                                        |
// |                        | an eviction O(1) expected                        |                                             |
// | memory of the model    | 8 B per entry held (its expiry time)             | same                                        |
//
// Expiry is exact and lazy: whenever the table is consulted, entries whose time has come leave in
// time order, each at its own expiry time, so the time-weighted occupancy is exact between
// consultations. (Linux frees an expired entry when its GC worker or a lookup meets it, and
// Cilium's agent GC runs at a dynamic interval: their raw entry counts include expired entries not
// yet collected; the model reports the entries still alive.)

import type { Counter, TimeWeighted } from '../../engine/stats/index.js';

export type FlowTableKind = 'netfilter' | 'bpf';

export interface FlowTable {
  readonly kind: FlowTableKind;
  /** Entries the table can hold: nf_conntrack_max, or the sum of Cilium's CT map sizes. */
  readonly limit: number;

  /** A TCP SYN: creates a half-open live entry. False: no room, the SYN is dropped (counted in drops). */
  tcpOpen(now: number): boolean;
  /** The handshake completed: the half-open entry becomes established (assured in netfilter). */
  tcpEstablished(now: number): void;
  /**
   * A SYN on the 4-tuple of a closed connection whose entry may still be in TIME_WAIT (a client
   * reusing an ephemeral port, ports.ts). netfilter kills the old entry and creates a new half-open
   * one in its place (count unchanged, counted in reopened); with no closing entry left, and in
   * Cilium's CT, this is tcpOpen. False: no room, the SYN is dropped.
   */
  tcpReopen(now: number): boolean;
  /** An established connection closed: its entry lingers for the closing timeout (time_wait). */
  tcpClose(now: number): void;
  /** A SYN answered by RST (refused): the half-open entry lingers for the close timeout. */
  tcpRefused(now: number): void;
  /** The client gave up on a SYN: the half-open entry expires `lastPacketAt` + the SYN timeout. */
  tcpAbandon(now: number, lastPacketAt: number): void;

  /** A UDP flow's first packet (a DNS query): creates a live entry. False: dropped. */
  udpOpen(now: number): boolean;
  /**
   * The reply came: the entry expires `now` + the UDP timeout (non-assured in netfilter). With
   * `stream` (traffic both ways that Linux counts as a stream), the udp_stream timeout, assured.
   */
  udpReplied(now: number, stream?: boolean): void;
  /** No reply came: the entry expires `sentAt` (the flow's last packet) + the UDP timeout. */
  udpUnanswered(now: number, sentAt: number): void;

  /** Entries held at `now` (expiring what is due first). */
  entries(now: number): number;
  /** Kernel memory the table takes at `now`, in bytes. */
  memoryBytes(now: number): number;

  /** Entries held over time (node_nf_conntrack_entries); updated at every change, expiries included. */
  readonly occupancy: TimeWeighted;
  /** New flows refused for lack of room (conntrack_drops_total). */
  readonly drops: Counter;
  /** New entries created. */
  readonly inserts: Counter;
  /** Entries removed before their time to make room (early_drop, GC early drop, LRU). */
  readonly evictions: Counter;
  /** TIME_WAIT entries replaced by a new SYN on their tuple (tcpReopen). */
  readonly reopened: Counter;
  /** Packets dropped because their entry lost an insertion race (the DNS race; counted by the DNS model). */
  readonly insertFailed: Counter;

  /** Warm-up deletion: forget the statistics, keep the entries (they are still in the kernel). */
  resetStatistics(now: number): void;
}
