// Queueing theory for the tests that check simulated queues against it: the expected values and
// the check that a 95 % confidence interval over replications contains one.

import { expect } from 'vitest';
import { summarize } from '../engine/stats/index.js';

export function expectInsideCi(values: number[], expected: number): void {
  const { ci95, mean } = summarize(values);
  expect(ci95[0], `CI [${ci95[0]}, ${ci95[1]}] (mean ${mean}) should contain ${expected}`).toBeLessThanOrEqual(expected);
  expect(ci95[1], `CI [${ci95[0]}, ${ci95[1]}] (mean ${mean}) should contain ${expected}`).toBeGreaterThanOrEqual(expected);
}

/** Erlang C: probability that an arrival waits in M/M/c with offered load a = λ/μ. */
export function erlangC(c: number, a: number): number {
  let term = 1;
  let sum = 1; // k = 0
  for (let k = 1; k < c; k++) {
    term *= a / k;
    sum += term;
  }
  const last = (term * a) / c / (1 - a / c);
  return last / (sum + last);
}
