// The other nodes' DNS queries at CoreDNS, without an event each. The model (runtime.ts header):
// every query a detailed node sends to CoreDNS brings Poisson(m) copies of itself, m = (N − D)/D,
// each at a uniform time within the next second and at a uniform replica. Superposed, those
// copies are a Poisson process of intensity m × A(t), A(t) the detailed queries sent in the last
// second, each arrival a copy of one of those A(t) chosen uniformly: the same law, generated here
// lazily in time order when the runtime catches up (before a detailed query touches a replica, and
// before statistics are read). Each background query then costs a few draws, cache lookups and
// FifoCpu comparisons, not the three events and an allocation a scheduled copy took.

import type { RandomStream } from '../../engine/random.js';
import type { CandidateOutcome } from './resolver.js';

/** A query a detailed node sent to CoreDNS, repeated by the other nodes for a second. */
export interface QueryTemplate {
  readonly sentAt: number;
  readonly name: string;
  readonly outcome: CandidateOutcome;
  /** Question types asked (questions.ts), and queries of each. */
  readonly asked: number;
  readonly perType: number;
  /** Cache keys by question type (QUESTION_TYPES order): made once, so that each copy's lookups reuse them. */
  readonly keys: readonly string[];
  readonly clusterZone: boolean;
}

/** How long after a detailed query its copies arrive (seconds). */
const COPY_WINDOW_SECONDS = 1;

export class BackgroundQueries {
  /** Templates sent in the last COPY_WINDOW_SECONDS, oldest first (a ring). */
  private ring: (QueryTemplate | undefined)[] = new Array(64).fill(undefined);
  private head = 0;
  private active = 0;
  /** The background is generated up to this time. */
  private upTo: number;

  constructor(
    private readonly copiesPerQuery: number,
    private readonly rng: RandomStream,
    now: number,
  ) {
    this.upTo = now;
  }

  /** Records a detailed query sent at `template.sentAt` (the caller has caught up to then). */
  add(template: QueryTemplate): void {
    if (this.active === this.ring.length) this.grow();
    this.ring[(this.head + this.active) & (this.ring.length - 1)] = template;
    this.active++;
  }

  /** Generates the background queries in (upTo, now] in time order, calling arrive(at, template). */
  catchUp(now: number, arrive: (at: number, template: QueryTemplate) => void): void {
    let t = this.upTo;
    if (!(now > t)) return;
    const mask = this.ring.length - 1;
    for (;;) {
      while (this.active > 0 && this.ring[this.head]!.sentAt + COPY_WINDOW_SECONDS <= t) {
        this.ring[this.head] = undefined;
        this.head = (this.head + 1) & mask;
        this.active--;
      }
      if (this.active === 0) break;
      // Intensity m × A is constant until the oldest template leaves the window (or now).
      const horizon = Math.min(this.ring[this.head]!.sentAt + COPY_WINDOW_SECONDS, now);
      const next = t - Math.log(1 - this.rng.next()) / (this.copiesPerQuery * this.active);
      if (next > horizon) {
        // Memoryless: start afresh from the horizon at its new intensity.
        t = horizon;
        if (horizon === now) break;
        continue;
      }
      t = next;
      arrive(t, this.ring[(this.head + Math.floor(this.rng.next() * this.active)) & mask]!);
    }
    this.upTo = now;
  }

  private grow(): void {
    const old = this.ring.length;
    const grown: (QueryTemplate | undefined)[] = new Array(old * 2).fill(undefined);
    for (let i = 0; i < this.active; i++) grown[i] = this.ring[(this.head + i) & (old - 1)];
    this.ring = grown;
    this.head = 0;
  }
}

/** What a background query's forward brings back: cached at `at` on `replica`. */
export interface PendingAnswer {
  at: number;
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
