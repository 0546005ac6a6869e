import { describe, it, expect } from 'vitest';
import { TimeWeighted } from '../../../engine/stats/time-weighted.js';

describe('TimeWeighted', () => {
  it('averages a step function by the time each level is held', () => {
    // 0 on [0,1), 2 on [1,3), 5 on [3,4), 1 on [4,6]: area 0 + 4 + 5 + 2 = 11.
    const level = new TimeWeighted();
    level.update(1, 2);
    level.update(3, 5);
    level.update(4, 1);
    expect(level.mean(6)).toBeCloseTo(11 / 6, 14);
    expect(level.max).toBe(5);
    expect(level.level).toBe(1);
  });

  it('steps by deltas with add, as a queue length does', () => {
    const queue = new TimeWeighted(10, 0);
    queue.add(10, 1);
    queue.add(12, 1);
    queue.add(13, -2);
    // 1 on [10,12), 2 on [12,13), 0 on [13,14]: area 4 over 4 s.
    expect(queue.mean(14)).toBeCloseTo(1, 14);
    expect(queue.level).toBe(0);
    expect(queue.max).toBe(2);
  });

  it('on reset discards the history but keeps the current level', () => {
    const level = new TimeWeighted(0, 100);
    level.update(5, 1);
    level.reset(6);
    expect(level.level).toBe(1);
    expect(level.max).toBe(1);
    expect(level.mean(8)).toBe(1);
    level.add(9, 1);
    // 1 on [6,9), 2 on [9,10]: area 5 over 4 s.
    expect(level.mean(10)).toBeCloseTo(5 / 4, 14);
  });

  it('gives the current level over an empty window', () => {
    expect(new TimeWeighted(3, 7).mean(3)).toBe(7);
  });

  it('refuses time that runs backwards', () => {
    const level = new TimeWeighted(5, 0);
    expect(() => level.update(4, 1)).toThrow(RangeError);
    expect(() => level.mean(4)).toThrow(RangeError);
  });
});
