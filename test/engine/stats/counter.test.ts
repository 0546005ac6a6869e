import { describe, it, expect } from 'vitest';
import { Counter } from '../../../engine/stats/counter.js';

describe('Counter', () => {
  it('counts one per add by default and n when given', () => {
    const counter = new Counter();
    counter.add();
    counter.add();
    counter.add(5);
    expect(counter.total).toBe(7);
  });

  it('forgets the warm-up count on reset and counts on from zero', () => {
    const counter = new Counter();
    counter.add(10);
    counter.reset();
    expect(counter.total).toBe(0);
    counter.add();
    expect(counter.total).toBe(1);
  });
});
