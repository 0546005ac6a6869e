// The ephemeral ports of every client pod, kept per client until a client could run short, and
// only then per destination (ports.ts PortSpace). Same answers as a PortSpace per (client,
// destination) from the first connect, at a fraction of the cost: most clients spread over many
// Services and never come near ip_local_port_range towards any one of them.
//
// Why per client first: a destination's free ports are the range minus that destination's ports
// in use and in TIME_WAIT, and neither can exceed the client's totals over all destinations. While
// the client's total is below the range, every connect() finds a port no earlier connection of
// the tuple left a trace on. Only a client whose total reaches the range is split by destination,
// from its own records (taken ports and releases, in release order), and stays split. A
// PortSpace per pair from the start cost a 100-node point at 30,000 new connections/s to 5,000
// Services four times its time, in map growth and garbage collection.

import { EXHAUSTED, FRESH, portMemorySeconds, PortSpace, type PortConfig } from './ports.js';

/** Room for this many records and clients at first; the arrays double as needed. */
const INITIAL_CAPACITY = 1024;
/** Client keys below this are looked up in an array (4 MiB at most); others (external clients' ids) in a map. */
const DIRECT_KEYS = 1 << 20;
/** No record. */
const NONE = -1;

export class EphemeralPorts {
  /**
   * (workload, client pod) key → the client's index + 1 in the per-client arrays (0: none yet):
   * an array for the keys of client pods, a map for the sparse ids of external clients.
   */
  private clientByKey = new Int32Array(INITIAL_CAPACITY);
  private readonly clientByLargeKey = new Map<number, number>();
  private clients = 0;
  private readonly configs: PortConfig[] = [];
  private readonly memory: number[] = [];
  /** Per client: its taken ports (a doubly linked list of records) and how many. */
  private openHead = new Int32Array(INITIAL_CAPACITY);
  private openCount = new Int32Array(INITIAL_CAPACITY);
  /** Per client: its released ports still remembered, oldest first (a queue of records), and how many. */
  private releasedHead = new Int32Array(INITIAL_CAPACITY);
  private releasedTail = new Int32Array(INITIAL_CAPACITY);
  private releasedCount = new Int32Array(INITIAL_CAPACITY);
  /** Per client: its workload's port settings (an index into `configs` and `memory`). */
  private configIndex = new Int32Array(INITIAL_CAPACITY);
  /** Per client, once its total has reached its range: its ports by destination. */
  private readonly split: (Map<number, PortSpace> | undefined)[] = [];

  /** Records: one per taken port, and one per released port a client not yet split remembers. */
  private client = new Int32Array(INITIAL_CAPACITY);
  private destination = new Int32Array(INITIAL_CAPACITY);
  private closedAt = new Float64Array(INITIAL_CAPACITY);
  private servingPod = new Int32Array(INITIAL_CAPACITY);
  private next = new Int32Array(INITIAL_CAPACITY);
  private previous = new Int32Array(INITIAL_CAPACITY);
  private records = 0;
  private freeRecords = NONE;

  /** The record of the port connect() last took (what release() is given back). */
  taken = NONE;
  /** The pod that served the previous connection on the port connect() last took (-1: none remembered). */
  reusedPod = -1;

  /**
   * connect() by `clientPod` of `workload` to `destination` (a Service's index, or any other
   * number naming one IP:port): takes the port released longest ago, if the client may use it
   * now. Returns when the 4-tuple's previous connection closed (-Infinity: none the kernel still
   * remembers), or NaN when no port is free (then `taken` is -1).
   */
  connect(config: PortConfig, workload: number, clientPod: number, destination: number, pods: number, now: number): number {
    const c = this.clientOf(config, workload * pods + clientPod);
    this.reusedPod = -1;
    this.taken = NONE;
    let closedAt = FRESH;
    let split = this.split[c];
    if (split === undefined) {
      this.forget(c, now);
      if (this.openCount[c] + this.releasedCount[c] >= config.ports) split = this.splitClient(c);
    }
    if (split !== undefined) {
      let space = split.get(destination);
      if (space === undefined) split.set(destination, (space = new PortSpace(config)));
      closedAt = space.connect(now);
      if (Number.isNaN(closedAt)) return EXHAUSTED;
      this.reusedPod = space.reusedPod;
    }
    const record = this.newRecord(c, destination);
    if (split === undefined) this.linkOpen(c, record);
    this.taken = record;
    return closedAt;
  }

  /**
   * The connection on `record`'s port ended. `closed`: it was established and closed (TIME_WAIT
   * follows); otherwise it never got established and its port is free at once. `servingPod`: the
   * pod it went to, whose tuple a later connection on the port may meet again.
   */
  release(record: number, now: number, closed: boolean, servingPod = -1): void {
    const c = this.client[record];
    const split = this.split[c];
    if (split !== undefined) {
      split.get(this.destination[record])!.release(now, closed, servingPod);
      this.freeRecord(record);
      return;
    }
    this.unlinkOpen(c, record);
    if (!closed || this.memory[this.configIndex[c]] === 0) {
      this.freeRecord(record);
      return;
    }
    this.closedAt[record] = now;
    this.servingPod[record] = servingPod;
    this.next[record] = NONE;
    if (this.releasedTail[c] === NONE) this.releasedHead[c] = record;
    else this.next[this.releasedTail[c]] = record;
    this.releasedTail[c] = record;
    this.releasedCount[c]++;
  }

  /** Released ports whose TIME_WAIT (client, conntrack, IPVS) is over leave the client's memory. */
  private forget(c: number, now: number): void {
    const memory = this.memory[this.configIndex[c]];
    let head = this.releasedHead[c];
    while (head !== NONE && this.closedAt[head] + memory <= now) {
      const after = this.next[head];
      this.freeRecord(head);
      head = after;
      this.releasedCount[c]--;
    }
    this.releasedHead[c] = head;
    if (head === NONE) this.releasedTail[c] = NONE;
  }

  /** The client's total has reached its range: its ports by destination from now on, from its records. */
  private splitClient(c: number): Map<number, PortSpace> {
    const config = this.configs[this.configIndex[c]];
    const inUse = new Map<number, number>();
    for (let r = this.openHead[c]; r !== NONE; r = this.next[r]) inUse.set(this.destination[r], (inUse.get(this.destination[r]) ?? 0) + 1);
    const released = new Map<number, { at: number[]; pods: number[] }>();
    for (let r = this.releasedHead[c]; r !== NONE; ) {
      const d = this.destination[r];
      let entry = released.get(d);
      if (entry === undefined) released.set(d, (entry = { at: [], pods: [] }));
      entry.at.push(this.closedAt[r]);
      entry.pods.push(this.servingPod[r]);
      const after = this.next[r];
      this.freeRecord(r);
      r = after;
    }
    const split = new Map<number, PortSpace>();
    for (const d of new Set([...inUse.keys(), ...released.keys()])) {
      const r = released.get(d);
      split.set(d, new PortSpace(config, inUse.get(d) ?? 0, r?.at ?? [], r?.pods ?? []));
    }
    // Taken ports keep their records (release() finds their destination there), outside any list.
    this.openHead[c] = NONE;
    this.releasedHead[c] = NONE;
    this.releasedTail[c] = NONE;
    this.split[c] = split;
    return split;
  }

  private clientOf(config: PortConfig, key: number): number {
    if (key < DIRECT_KEYS) {
      if (key >= this.clientByKey.length) this.clientByKey = grown(this.clientByKey, new Int32Array(Math.min(DIRECT_KEYS, Math.max(key + 1, this.clientByKey.length * 2))));
      const known = this.clientByKey[key];
      if (known !== 0) return known - 1;
      this.clientByKey[key] = this.clients + 1;
    } else {
      const known = this.clientByLargeKey.get(key);
      if (known !== undefined) return known;
      this.clientByLargeKey.set(key, this.clients);
    }
    const c = this.clients++;
    if (c === this.openHead.length) {
      const size = c * 2;
      this.openHead = grown(this.openHead, new Int32Array(size));
      this.openCount = grown(this.openCount, new Int32Array(size));
      this.releasedHead = grown(this.releasedHead, new Int32Array(size));
      this.releasedTail = grown(this.releasedTail, new Int32Array(size));
      this.releasedCount = grown(this.releasedCount, new Int32Array(size));
      this.configIndex = grown(this.configIndex, new Int32Array(size));
    }
    let index = this.configs.indexOf(config);
    if (index === -1) {
      index = this.configs.push(config) - 1;
      this.memory.push(portMemorySeconds(config));
    }
    this.configIndex[c] = index;
    this.openHead[c] = NONE;
    this.releasedHead[c] = NONE;
    this.releasedTail[c] = NONE;
    this.split.push(undefined);
    return c;
  }

  private linkOpen(c: number, record: number): void {
    const head = this.openHead[c];
    this.previous[record] = NONE;
    this.next[record] = head;
    if (head !== NONE) this.previous[head] = record;
    this.openHead[c] = record;
    this.openCount[c]++;
  }

  private unlinkOpen(c: number, record: number): void {
    const before = this.previous[record];
    const after = this.next[record];
    if (before === NONE) this.openHead[c] = after;
    else this.next[before] = after;
    if (after !== NONE) this.previous[after] = before;
    this.openCount[c]--;
  }

  private newRecord(c: number, destination: number): number {
    let record = this.freeRecords;
    if (record !== NONE) this.freeRecords = this.next[record];
    else {
      if (this.records === this.client.length) {
        const size = this.records * 2;
        this.client = grown(this.client, new Int32Array(size));
        this.destination = grown(this.destination, new Int32Array(size));
        this.closedAt = grown(this.closedAt, new Float64Array(size));
        this.servingPod = grown(this.servingPod, new Int32Array(size));
        this.next = grown(this.next, new Int32Array(size));
        this.previous = grown(this.previous, new Int32Array(size));
      }
      record = this.records++;
    }
    this.client[record] = c;
    this.destination[record] = destination;
    return record;
  }

  private freeRecord(record: number): void {
    this.next[record] = this.freeRecords;
    this.freeRecords = record;
  }
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
