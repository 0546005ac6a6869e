// The question types of one round trip, as CoreDNS's cache sees them: it keys answers by (name,
// type) (plugin/cache/cache.go hash of qname and qtype), so a lookup's A and AAAA take two entries
// and may hit or miss apart. A round trip asks A and AAAA together (the parallel pair), or one of
// them (glibc's single-request modes, one after the other); a hop further on (NodeLocal to
// CoreDNS, CoreDNS to the upstream) asks only what missed before it. A set of types is a bit mask.

import type { CandidateOutcome } from './resolver.js';

export type QuestionType = 'A' | 'AAAA';

/** Bit of each type in a mask: A = 1, AAAA = 2. */
export const QUESTION_TYPES: readonly QuestionType[] = ['A', 'AAAA'];
export const ASK_A = 1;
export const ASK_AAAA = 2;
export const ASK_BOTH = ASK_A | ASK_AAAA;

/** The response codes CoreDNS's coredns_dns_responses_total is labelled with, of those the model counts. */
export const RCODES = ['NOERROR', 'NXDOMAIN', 'SERVFAIL'] as const;
export type Rcode = (typeof RCODES)[number];

/** Types in a mask. */
export function typeCount(mask: number): number {
  return (mask & ASK_A) + ((mask & ASK_AAAA) >> 1);
}

/** Whether the answer to `type` for a candidate carries records (else NXDOMAIN or NODATA: denial). */
export function typeAnswers(outcome: CandidateOutcome, type: QuestionType): boolean {
  return type === 'A' ? outcome === 'a-only' || outcome === 'a-and-aaaa' : outcome === 'a-and-aaaa';
}
