// Cilium's BPF connection-tracking maps on one node: cilium_ct4_global for TCP and
// cilium_ct_any4_global for everything else, each with its own size and timeouts. Leaves out
// per-endpoint maps, IPv6, the NAT map and the agent's CT GC schedule.
//
// A full map does not drop new flows. Plain BPF hash maps would (Cilium's maps.rst still says
// "insertion beyond the limit will fail" of maps in general), but the CT maps are LRU hash maps: pkg/maps/ctmap/ctmap.go creates them with
// ebpf.LRUHash, and an LRU hash evicts its least recently used entries when full
// (Linux Documentation/bpf/map_hash.rst; BPF_MAP_TYPE_LRU_HASH since 4.10). Cilium moved back to
// LRU CT maps by v1.6 (cilium/cilium #5048) and lengthened its GC interval because "LRU maps will
// automatically obsolete the least recently used entries when the table fills up" (#7621).
// The price: an eviction may hit a live connection, whose next packets lose their CT state
// (cilium/cilium #3239, "LRU maps are getting full and causing connection drops").
//
// Modelled: the least recently used entry is the oldest closing entry (last used at its close or
// last packet: expiry − its class's timeout), since live flows keep sending; with none left, a
// live flow's entry goes (liveEvictions) and the map holds `capacity` entries for more live flows.
// LRU hash maps are always preallocated (kernel/bpf/hashtab.c refuses BPF_F_NO_PREALLOC for LRU),
// so their memory is max entries × element size whatever the occupancy.

import { Counter } from '../../engine/stats/index.js';
import { CountedTable, takeLive } from './counted-table.js';
import { ExpiryHeap, ExpiryRing } from './expiry.js';
import type { FlowTable } from './flow-table.js';

export interface BpfCtConfig {
  /** bpf-ct-global-tcp-max */
  tcpMax: number;
  /** bpf-ct-global-any-max */
  anyMax: number;
  timeouts: { tcpFin: number; tcpSyn: number; any: number };
  /** Bytes per preallocated map element (key, value, hash-table element header). */
  bytesPerEntry: number;
}

/** One LRU CT map: live flows, entries expiring in order (ring) and out of order (heap). */
class LruCtMap {
  live = 0;
  readonly closing = new ExpiryRing();
  readonly abandoned = new ExpiryHeap();

  constructor(
    readonly capacity: number,
    /** Timeouts of the ring's and the heap's entries: last use = expiry − timeout. */
    private readonly closingTimeout: number,
    private readonly abandonedTimeout: number,
  ) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError(`BPF CT map size must be an integer ≥ 1, got ${capacity}`);
  }

  get expiring(): number {
    return this.closing.size + this.abandoned.size;
  }

  /** Entries held: live flows beyond capacity have lost theirs. */
  get held(): number {
    return Math.min(this.live, this.capacity) + this.expiring;
  }

  /** Evicts the least recently used expiring entry; false when none is left. */
  evictOldestExpiring(): boolean {
    const ringLastUse = this.closing.peek() - this.closingTimeout;
    const heapLastUse = this.abandoned.peek() - this.abandonedTimeout;
    if (this.closing.size > 0 && !(heapLastUse < ringLastUse)) this.closing.pop();
    else if (this.abandoned.size > 0) this.abandoned.pop();
    else return false;
    return true;
  }
}

export class BpfConntrack extends CountedTable implements FlowTable {
  readonly kind = 'bpf' as const;
  readonly limit: number;
  /** Evictions that took a live flow's entry (its connection loses CT state). */
  readonly liveEvictions = new Counter();

  private readonly tcp: LruCtMap;
  private readonly any: LruCtMap;
  private tcpSynLive = 0;

  constructor(
    private readonly config: BpfCtConfig,
    now: number,
  ) {
    const tcp = new LruCtMap(config.tcpMax, config.timeouts.tcpFin, config.timeouts.tcpSyn);
    const any = new LruCtMap(config.anyMax, config.timeouts.any, config.timeouts.any);
    super(now, [tcp.closing, tcp.abandoned, any.closing, any.abandoned]);
    this.tcp = tcp;
    this.any = any;
    this.limit = config.tcpMax + config.anyMax;
  }

  tcpOpen(now: number): boolean {
    this.admit(now, this.tcp);
    this.tcpSynLive++;
    return true;
  }

  /**
   * A new entry: the closed tuple's own entry is not tracked here, and Cilium's closing timeout
   * (tcp-fin, 10 s) leaves far fewer of them to meet than netfilter's 120 s TIME_WAIT.
   */
  tcpReopen(now: number): boolean {
    return this.tcpOpen(now);
  }

  tcpEstablished(now: number): void {
    this.advance(now);
    if (this.tcpSynLive === 0) throw new RangeError('tcpEstablished: no SYN is outstanding');
    this.tcpSynLive--;
  }

  tcpClose(now: number): void {
    this.advance(now);
    if (this.tcp.live - this.tcpSynLive === 0) throw new RangeError('tcpClose: no established connection is open');
    this.leave(this.tcp, now + this.config.timeouts.tcpFin, false);
  }

  tcpRefused(now: number): void {
    this.advance(now);
    this.tcpSynLive = takeLive(this.tcpSynLive, 'tcpRefused');
    this.leave(this.tcp, now + this.config.timeouts.tcpFin, false);
  }

  tcpAbandon(now: number, lastPacketAt: number): void {
    this.advance(now);
    this.tcpSynLive = takeLive(this.tcpSynLive, 'tcpAbandon');
    this.leave(this.tcp, Math.max(now, lastPacketAt + this.config.timeouts.tcpSyn), true);
  }

  udpOpen(now: number): boolean {
    this.admit(now, this.any);
    return true;
  }

  /** Cilium's non-TCP entries have one lifetime, stream or not. */
  udpReplied(now: number, _stream = false): void {
    this.advance(now);
    if (this.any.live === 0) throw new RangeError('udpReplied: no UDP flow is live');
    this.leave(this.any, now + this.config.timeouts.any, false);
  }

  udpUnanswered(now: number, sentAt: number): void {
    this.advance(now);
    if (this.any.live === 0) throw new RangeError('udpUnanswered: no UDP flow is live');
    this.leave(this.any, Math.max(now, sentAt + this.config.timeouts.any), true);
  }

  override resetStatistics(now: number): void {
    super.resetStatistics(now);
    this.liveEvictions.reset();
  }

  /** bpf-ct-global-tcp-max and bpf-ct-global-any-max as sized (conntrack/bpf-map-size.ts). */
  get mapLimits(): { tcp: number; any: number } {
    return { tcp: this.config.tcpMax, any: this.config.anyMax };
  }

  /** Preallocated: the maps take their full size from creation on. */
  memoryBytes(_now: number): number {
    return this.limit * this.config.bytesPerEntry;
  }

  /** Entries held at `now` by map, for reports and tests. */
  snapshot(now: number) {
    this.advance(now);
    return {
      tcp: { live: this.tcp.live, closing: this.tcp.closing.size, synExpiring: this.tcp.abandoned.size, held: this.tcp.held },
      any: { live: this.any.live, replied: this.any.closing.size, unanswered: this.any.abandoned.size, held: this.any.held },
    };
  }

  /** A new flow always gets an entry: room, else the LRU entry goes. */
  private admit(now: number, map: LruCtMap): void {
    this.advance(now);
    this.inserts.add();
    if (map.held < map.capacity) {
      map.live++;
      this.setHeld(now, this.held + 1);
      return;
    }
    this.evictions.add();
    if (!map.evictOldestExpiring()) this.liveEvictions.add();
    map.live++;
  }

  /** A live flow's entry starts to expire; when live flows overfill the map it is displaced at once. */
  private leave(map: LruCtMap, expiry: number, outOfOrder: boolean): void {
    const overfull = map.live > map.capacity;
    map.live--;
    if (overfull) {
      // An entry-less live flow's next packet takes the slot of this, now least recently used, entry.
      this.evictions.add();
      return;
    }
    this.expireAt(outOfOrder ? map.abandoned : map.closing, expiry);
  }
}
