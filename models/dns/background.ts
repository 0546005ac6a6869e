// The other nodes' DNS queries at CoreDNS, without an event each. Their rate: every query a
// detailed node sends to CoreDNS brings m = (N − D)/D queries from the other nodes within the next
// second, so they arrive as a Poisson process of intensity m × A(t), A(t) the detailed queries sent
// in the last second (on/off workloads and warm-up follow within a second). What each carries
// (name, types, outcome) is drawn from a long history of detailed queries, not from that last
// second: each other node asks at its own times, so which name one of its queries carries is
// independent of when a detailed node last asked for it. Copying the last second instead puts the
// other nodes' queries for a rarely asked name in a burst right after the detailed query that
// cached it (at 120 nodes, 2,000 external names, TTL 10 s: a CoreDNS hit ratio of 0.84 with 16
// detailed nodes against 0.77 with all). Generated lazily in time order when the runtime catches up
// (before a detailed query touches a replica, and before statistics are read): each background
// query costs a few draws, cache lookups and FifoCpu comparisons, not events.
//
// The history is kept per source (the workload's name form, `stratum`): the last second's queries
// choose the source, its history the query, so a source that stops stops its share of the load.

import type { RandomStream } from '../../engine/random.js';
import type { CandidateOutcome } from './resolver.js';

/** What a detailed query asked CoreDNS; shared by every query asking the same (runtime.ts interns them). */
export interface QueryTemplate {
  readonly name: string;
  readonly outcome: CandidateOutcome;
  /** Question types asked (questions.ts), and queries of each. */
  readonly asked: number;
  readonly perType: number;
  /** Cache keys by question type (QUESTION_TYPES order): made once, so that each copy's lookups reuse them. */
  readonly keys: readonly number[];
  readonly clusterZone: boolean;
  /** An ExternalName Service's name: the CNAME's target, which CoreDNS resolves itself, and its cache keys by type; null otherwise. */
  readonly cname: { readonly name: string; readonly keys: readonly number[] } | null;
}

/**
 * Seconds of detailed queries a background query is drawn from. The draw must carry the name mix,
 * not the timing of the last few cache TTLs: over a span S each detailed query stands for m/S of
 * the other nodes' queries per second, so the share of them that arrive while its own answer is
 * still cached is TTL/S, 5 % at the 30 s cache cap (kubeadm's `cache 30`) against all of them
 * when copies follow within a second. Until a run has lasted S the span is the run so far, and
 * that share is TTL/elapsed: a warm-up of a few TTLs makes it small.
 */
export const HISTORY_SECONDS = 600;
/**
 * Queries kept per source (a reference and a time each: 4 MiB at most). Past 437 detailed queries
 * per second the span shrinks to HISTORY_LIMIT / rate: 137 s at 1,920/s (16 of 400 nodes at 48,000
 * QPS), still several TTLs. The history holds every query in its span, not a sample of it: a
 * sample of K queries would send the other nodes' load for a name to the K it happened to hold.
 */
const HISTORY_LIMIT = 1 << 18;

/** One source's detailed queries of the last HISTORY_SECONDS (at most HISTORY_LIMIT), oldest first: a ring. */
export class QueryHistory {
  private templates: (QueryTemplate | undefined)[] = new Array(1024).fill(undefined);
  private times = new Float64Array(1024);
  /** 1 where the query was its flow's first (a new socket): its copies make new flows too. */
  private newFlows = new Uint8Array(1024);
  private head = 0;
  size = 0;

  add(at: number, template: QueryTemplate, newFlow = false): void {
    let mask = this.templates.length - 1;
    while (this.size > 0 && this.times[this.head] <= at - HISTORY_SECONDS) this.dropOldest(mask);
    if (this.size === this.templates.length) {
      if (this.size < HISTORY_LIMIT) mask = this.grow();
      else this.dropOldest(mask);
    }
    const slot = (this.head + this.size) & mask;
    this.templates[slot] = template;
    this.times[slot] = at;
    this.newFlows[slot] = newFlow ? 1 : 0;
    this.size++;
  }

  /** The position of the query at uniform u ∈ [0, 1) of the history (not empty), for at() and newFlowAt(). */
  slot(u: number): number {
    return (this.head + Math.floor(u * this.size)) & (this.templates.length - 1);
  }

  /** The query at uniform position u ∈ [0, 1) of the history (not empty). */
  at(u: number): QueryTemplate {
    return this.templates[this.slot(u)]!;
  }

  /** The query at `slot` (from slot()). */
  atSlot(slot: number): QueryTemplate {
    return this.templates[slot]!;
  }

  /** Whether the query at `slot` was its flow's first. */
  newFlowAt(slot: number): boolean {
    return this.newFlows[slot] === 1;
  }

  private dropOldest(mask: number): void {
    this.templates[this.head] = undefined;
    this.head = (this.head + 1) & mask;
    this.size--;
  }

  private grow(): number {
    const old = this.templates.length;
    const templates: (QueryTemplate | undefined)[] = new Array(old * 2).fill(undefined);
    const times = new Float64Array(old * 2);
    const newFlows = new Uint8Array(old * 2);
    for (let i = 0; i < this.size; i++) {
      templates[i] = this.templates[(this.head + i) & (old - 1)];
      times[i] = this.times[(this.head + i) & (old - 1)];
      newFlows[i] = this.newFlows[(this.head + i) & (old - 1)];
    }
    this.templates = templates;
    this.times = times;
    this.newFlows = newFlows;
    this.head = 0;
    return old * 2 - 1;
  }
}

/** How long after a detailed query the other nodes' queries it stands for arrive (seconds). */
const COPY_WINDOW_SECONDS = 1;

export class BackgroundQueries {
  /** Detailed queries sent in the last COPY_WINDOW_SECONDS, oldest first (a ring): when, and their source's history. */
  private sentAt = new Float64Array(64);
  private sources: (QueryHistory | undefined)[] = new Array(64).fill(undefined);
  private head = 0;
  private active = 0;
  private readonly histories = new Map<unknown, QueryHistory>();
  private lastStratum: unknown = undefined;
  private lastHistory: QueryHistory | undefined = undefined;
  /** The background is generated up to this time. */
  private upTo: number;

  constructor(
    private readonly copiesPerQuery: number,
    private readonly rng: RandomStream,
    now: number,
  ) {
    this.upTo = now;
  }

  /**
   * Records a detailed query sent at `sentAt` (the caller has caught up to then) from source
   * `stratum` (any value compared by identity: the runtime passes the workload's name form).
   */
  add(sentAt: number, template: QueryTemplate, stratum: unknown = undefined, newFlow = false): void {
    let history = this.lastHistory;
    if (history === undefined || stratum !== this.lastStratum) {
      history = this.histories.get(stratum);
      if (history === undefined) {
        history = new QueryHistory();
        this.histories.set(stratum, history);
      }
      this.lastStratum = stratum;
      this.lastHistory = history;
    }
    history.add(sentAt, template, newFlow);
    if (this.active === this.sentAt.length) this.grow();
    const slot = (this.head + this.active) & (this.sentAt.length - 1);
    this.sentAt[slot] = sentAt;
    this.sources[slot] = history;
    this.active++;
  }

  /** Generates the background queries in (upTo, now] in time order, calling arrive(at, template, newFlow). */
  catchUp(now: number, arrive: (at: number, template: QueryTemplate, newFlow: boolean) => void): void {
    let t = this.upTo;
    if (!(now > t)) return;
    const mask = this.sentAt.length - 1;
    const single = this.histories.size === 1 ? this.lastHistory! : undefined;
    for (;;) {
      while (this.active > 0 && this.sentAt[this.head] + COPY_WINDOW_SECONDS <= t) {
        this.sources[this.head] = undefined;
        this.head = (this.head + 1) & mask;
        this.active--;
      }
      if (this.active === 0) break;
      // Intensity m × A is constant until the oldest query leaves the window (or now).
      const horizon = Math.min(this.sentAt[this.head] + COPY_WINDOW_SECONDS, now);
      const next = t - Math.log(1 - this.rng.next()) / (this.copiesPerQuery * this.active);
      if (next > horizon) {
        // Memoryless: start afresh from the horizon at its new intensity.
        t = horizon;
        if (horizon === now) break;
        continue;
      }
      t = next;
      // One source: its history. Several: the source of a uniform query of the last second.
      const history = single ?? this.sources[(this.head + Math.floor(this.rng.next() * this.active)) & mask]!;
      const slot = history.slot(this.rng.next());
      arrive(t, history.atSlot(slot), history.newFlowAt(slot));
    }
    this.upTo = now;
  }

  private grow(): void {
    const old = this.sentAt.length;
    const sentAt = new Float64Array(old * 2);
    const sources: (QueryHistory | undefined)[] = new Array(old * 2).fill(undefined);
    for (let i = 0; i < this.active; i++) {
      sentAt[i] = this.sentAt[(this.head + i) & (old - 1)];
      sources[i] = this.sources[(this.head + i) & (old - 1)];
    }
    this.sentAt = sentAt;
    this.sources = sources;
    this.head = 0;
  }
}

/** What a background query's forward brings back: cached at `at` on `replica`. */
export interface PendingAnswer {
  at: number;
  /** When the query reached the replica. */
  arrivedAt: number;
  replica: number;
  template: QueryTemplate;
  /** Types forwarded (questions.ts). */
  mask: number;
}

/** Background forwards' answers in time order (a binary heap), applied as the runtime catches up. */
export class PendingAnswers {
  private readonly heap: PendingAnswer[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The earliest answer's time, Infinity when none is pending. */
  nextAt(): number {
    return this.heap.length > 0 ? this.heap[0].at : Infinity;
  }

  push(answer: PendingAnswer): void {
    const heap = this.heap;
    let i = heap.length;
    heap.push(answer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= answer.at) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = answer;
  }

  pop(): PendingAnswer {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const child = left + 1 < heap.length && heap[left + 1].at < heap[left].at ? left + 1 : left;
        if (heap[child].at >= last.at) break;
        heap[i] = heap[child];
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
