import { describe, expect, it } from 'vitest';
import { ASK_A, ASK_AAAA, ASK_BOTH, QUESTION_TYPES, typeAnswers, typeCount } from '../../../models/dns/questions.js';

describe('question types of a round trip', () => {
  it('counts the types in a mask, each type at its bit in QUESTION_TYPES', () => {
    expect([0, ASK_A, ASK_AAAA, ASK_BOTH].map(typeCount)).toEqual([0, 1, 1, 2]);
    expect(QUESTION_TYPES[Math.log2(ASK_A)]).toBe('A');
    expect(QUESTION_TYPES[Math.log2(ASK_AAAA)]).toBe('AAAA');
  });

  it('answers AAAA with records only for a dual-stack name (an IPv4-only name is NODATA: denial)', () => {
    expect(typeAnswers('a-and-aaaa', 'A')).toBe(true);
    expect(typeAnswers('a-and-aaaa', 'AAAA')).toBe(true);
    expect(typeAnswers('a-only', 'A')).toBe(true);
    expect(typeAnswers('a-only', 'AAAA')).toBe(false);
    expect(typeAnswers('nodata', 'A')).toBe(false);
    expect(typeAnswers('nxdomain', 'AAAA')).toBe(false);
  });
});
