// Linux nf_conntrack on one node, as kube-proxy configures it: the limit, per-state timeouts, and
// what happens when the table is full. Leaves out helpers and expectations, ICMP, the
// established-idle timeout (live flows are assumed to keep sending) and the DNS insertion race
// (the DNS model counts it in insertFailed).
//
// Table full (net/netfilter/nf_conntrack_core.c, __nf_conntrack_alloc): when a new flow's entry
// would exceed nf_conntrack_max, early_drop() walks NF_CT_EVICTION_RANGE = 8 consecutive hash
// buckets from the new tuple's bucket; in the first bucket holding a non-assured entry
// (!IPS_ASSURED) it deletes every non-assured entry of that bucket and the new flow gets its entry.
// Assured entries (TCP established and TCP time_wait alike: the bit is never cleared; UDP once a
// stream) are never taken. If none is found the packet is dropped ("nf_conntrack: table full,
// dropping packet", the drop counter) and the GC worker is armed to early-drop: on its next pass
// it deletes entries that gc_worker_can_early_drop() accepts (non-assured, or TCP in FIN_WAIT,
// LAST_ACK, TIME_WAIT, CLOSE or CLOSE_WAIT: tcp_can_early_drop in nf_conntrack_proto_tcp.c) while
// the count is at least nf_conntrack_max / 100 × 95. This is the 2016-onwards code (all
// Kubernetes-era kernels); 3.x kernels scanned 8 entries rather than 8 buckets and evicted one.
//
// Modelled as counts: every entry sits in two hash chains (original and reply tuple,
// __nf_conntrack_hash_insert), so a bucket holds Poisson(λ) entries with λ = 2 × entries / buckets;
// with a share f of evictable entries the 8 buckets hold Poisson(8λf) of them, the scan succeeds
// with probability 1 − exp(−8λf) and empties a bucket holding a zero-truncated Poisson(λf) of them.
// Victims are drawn uniformly (hash position is unrelated to age). Deviation: live half-open
// entries (a SYN or a DNS query awaiting its reply, a round trip long) are never evicted, since the
// caller still owns their flows; only expiring non-assured entries are. The GC pass runs at a
// uniformly drawn point of its scan interval after arming (the worker's phase is unknown).

import type { RandomStream } from '../../engine/random.js';
import { CountedTable, takeLive } from './counted-table.js';
import { ExpiryHeap, ExpiryRing, removeUniform, type ExpiryPool } from './expiry.js';
import type { FlowTable } from './flow-table.js';

interface NetfilterTimeouts {
  tcpTimeWait: number;
  tcpClose: number;
  tcpSynSent: number;
  udp: number;
  udpStream: number;
}

export interface NetfilterConfig {
  limit: number;
  buckets: number;
  timeouts: NetfilterTimeouts;
  bytesPerEntry: number;
  /** NF_CT_EVICTION_RANGE: hash buckets early_drop walks. */
  evictionRangeBuckets: number;
  /** Hash chain nodes per entry (original and reply tuple). */
  tuplesPerEntry: number;
  gcEarlyDrop: { enabled: boolean; thresholdShare: number; scanIntervalSeconds: number };
}

/**
 * Entries early_drop frees for a new flow: 0 when its scan finds none (the packet is dropped).
 * `evictableShare` is the share of entries it may take, `chainLength` the mean hash chain length
 * (tuple nodes per bucket), `rangeBuckets` the buckets it walks. Draws two uniforms at most.
 */
export function drawEarlyDrop(rng: RandomStream, evictableShare: number, chainLength: number, rangeBuckets: number): number {
  const perBucket = chainLength * evictableShare;
  if (!(perBucket > 0)) return 0;
  const success = -Math.expm1(-rangeBuckets * perBucket);
  if (!(rng.next() < success)) return 0;
  // The first bucket with an evictable entry: zero-truncated Poisson(perBucket), by inversion.
  const none = Math.exp(-perBucket);
  const target = none + rng.next() * (1 - none);
  let k = 0;
  let term = none;
  let cumulative = none;
  while (cumulative < target && k < 1e6) {
    k++;
    term *= perBucket / k;
    cumulative += term;
  }
  return Math.max(1, k);
}

export class NetfilterConntrack extends CountedTable implements FlowTable {
  readonly kind = 'netfilter' as const;
  readonly limit: number;
  readonly buckets: number;

  /** Live entries: SYN sent and no handshake yet, established, UDP query awaiting its reply. */
  private synSentLive = 0;
  private establishedLive = 0;
  private udpLive = 0;
  private readonly timeWait: ExpiryRing;
  private readonly closed: ExpiryRing;
  private readonly udpReplies: ExpiryRing;
  private readonly udpStream: ExpiryRing;
  /** Out-of-order expiries: abandoned SYN_SENT entries and unanswered UDP entries (non-assured). */
  private readonly unanswered: ExpiryHeap;
  /** Pools early_drop takes from: expiring non-assured entries. */
  private readonly nonAssured: readonly ExpiryPool[];
  /** Pools the GC early drop takes from: non-assured plus TCP closing states. */
  private readonly gcDroppable: readonly ExpiryPool[];

  constructor(
    private readonly config: NetfilterConfig,
    private readonly rng: RandomStream,
    now: number,
  ) {
    const pools = { timeWait: new ExpiryRing(), closed: new ExpiryRing(), udp: new ExpiryRing(), udpStream: new ExpiryRing(), heap: new ExpiryHeap() };
    super(now, [pools.timeWait, pools.closed, pools.udp, pools.udpStream, pools.heap]);
    if (!(Number.isInteger(config.limit) && config.limit >= 1)) throw new RangeError(`conntrack limit must be an integer ≥ 1, got ${config.limit}`);
    if (!(config.buckets >= 1)) throw new RangeError(`conntrack buckets must be ≥ 1, got ${config.buckets}`);
    this.limit = config.limit;
    this.buckets = config.buckets;
    this.timeWait = pools.timeWait;
    this.closed = pools.closed;
    this.udpReplies = pools.udp;
    this.udpStream = pools.udpStream;
    this.unanswered = pools.heap;
    this.nonAssured = [this.closed, this.udpReplies, this.unanswered];
    this.gcDroppable = [this.timeWait, this.closed, this.udpReplies, this.unanswered];
  }

  tcpOpen(now: number): boolean {
    if (!this.admit(now)) return false;
    this.synSentLive++;
    return true;
  }

  /**
   * nf_conntrack_tcp_packet() on a SYN in TIME_WAIT: nf_ct_kill() and -NF_REPEAT, the lookup then
   * creates a new entry (nf_conntrack_proto_tcp.c, "Attempt to reopen a closed/aborted
   * connection"). The entry taken is the oldest in TIME_WAIT: the reused tuple is its client's
   * port released longest ago, the oldest of the node's when one destination dominates, and
   * otherwise an entry a little older than the true one (the count is exact, expiries shift early).
   */
  tcpReopen(now: number): boolean {
    this.advance(now);
    if (this.timeWait.size === 0) return this.tcpOpen(now);
    this.timeWait.pop();
    this.reopened.add();
    this.inserts.add();
    this.synSentLive++;
    return true;
  }

  tcpEstablished(now: number): void {
    this.advance(now);
    this.synSentLive = takeLive(this.synSentLive, 'tcpEstablished');
    this.establishedLive++;
  }

  tcpClose(now: number): void {
    this.advance(now);
    this.establishedLive = takeLive(this.establishedLive, 'tcpClose');
    this.expireAt(this.timeWait, now + this.config.timeouts.tcpTimeWait);
  }

  tcpRefused(now: number): void {
    this.advance(now);
    this.synSentLive = takeLive(this.synSentLive, 'tcpRefused');
    this.expireAt(this.closed, now + this.config.timeouts.tcpClose);
  }

  tcpAbandon(now: number, lastPacketAt: number): void {
    this.advance(now);
    this.synSentLive = takeLive(this.synSentLive, 'tcpAbandon');
    // An expiry already past would have to be dated back before entries counted since: clamp.
    this.expireAt(this.unanswered, Math.max(now, lastPacketAt + this.config.timeouts.tcpSynSent));
  }

  udpOpen(now: number): boolean {
    if (!this.admit(now)) return false;
    this.udpLive++;
    return true;
  }

  udpReplied(now: number, stream = false): void {
    this.advance(now);
    this.udpLive = takeLive(this.udpLive, 'udpReplied');
    if (stream) this.expireAt(this.udpStream, now + this.config.timeouts.udpStream);
    else this.expireAt(this.udpReplies, now + this.config.timeouts.udp);
  }

  udpUnanswered(now: number, sentAt: number): void {
    this.advance(now);
    this.udpLive = takeLive(this.udpLive, 'udpUnanswered');
    this.expireAt(this.unanswered, Math.max(now, sentAt + this.config.timeouts.udp));
  }

  memoryBytes(now: number): number {
    return this.entries(now) * this.config.bytesPerEntry;
  }

  /** Entries held at `now` by state, for reports and tests. */
  snapshot(now: number) {
    this.advance(now);
    return {
      synSent: this.synSentLive,
      established: this.establishedLive,
      udpAwaitingReply: this.udpLive,
      timeWait: this.timeWait.size,
      close: this.closed.size,
      udp: this.udpReplies.size,
      udpStream: this.udpStream.size,
      unanswered: this.unanswered.size,
      gcEarlyDropArmed: this.taskDueAt !== Infinity,
    };
  }

  /** A new flow's first packet: room, or room made by early_drop, or a drop. */
  private admit(now: number): boolean {
    this.advance(now);
    if (this.held >= this.limit && !this.earlyDrop(now)) {
      this.drops.add();
      this.armGcEarlyDrop(now);
      return false;
    }
    this.inserts.add();
    this.setHeld(now, this.held + 1);
    return true;
  }

  private earlyDrop(now: number): boolean {
    let evictable = 0;
    for (const pool of this.nonAssured) evictable += pool.size;
    if (evictable === 0) return false;
    const chainLength = (this.config.tuplesPerEntry * this.held) / this.buckets;
    const victims = Math.min(evictable, drawEarlyDrop(this.rng, evictable / this.held, chainLength, this.config.evictionRangeBuckets));
    if (victims === 0) return false;
    for (let k = 0; k < victims; k++) removeUniform(this.nonAssured, this.rng);
    this.evictions.add(victims);
    this.setHeld(now, this.held - victims);
    return true;
  }

  private armGcEarlyDrop(now: number): void {
    const gc = this.config.gcEarlyDrop;
    if (!gc.enabled || this.taskDueAt !== Infinity) return;
    this.armTask(now + this.rng.next() * gc.scanIntervalSeconds);
  }

  /** The GC pass with early drop armed: deletes droppable entries while count ≥ max95. */
  protected override runTask(time: number): void {
    super.runTask(time);
    // Integer arithmetic as in gc_worker: nf_conntrack_max / 100u * 95u (0 below 100: no early drop).
    const max95 = Math.floor(this.limit / 100) * Math.round(this.config.gcEarlyDrop.thresholdShare * 100);
    if (max95 === 0) return;
    let victims = 0;
    let droppable = 0;
    for (const pool of this.gcDroppable) droppable += pool.size;
    while (this.held - victims >= max95 && victims < droppable) {
      removeUniform(this.gcDroppable, this.rng);
      victims++;
    }
    if (victims === 0) return;
    this.evictions.add(victims);
    this.setHeld(time, this.held - victims);
  }
}
