import { describe, it, expect } from 'vitest';
import { Simulator } from '../../engine/simulator.js';
import { SharedLink } from '../../models/nic.js';

/** Starts flows of `bits` at the given times and returns each one's completion time, by name. */
function run(capacityBps: number, flowCapBps: number, flows: [name: string, startSeconds: number, bits: number][]) {
  const sim = new Simulator();
  const link = new SharedLink(sim, capacityBps, flowCapBps);
  const doneAt: Record<string, number> = {};
  for (const [name, startSeconds, bits] of flows) {
    sim.at(startSeconds, () => link.start(bits, (n: string) => { doneAt[n] = sim.now; }, name));
  }
  sim.run();
  return { doneAt, sim, link };
}

describe('SharedLink: a NIC shared fairly, each flow at most its cap', () => {
  it('gives one flow its cap when the link is faster, and the link when it is slower', () => {
    expect(run(40e9, 22e9, [['a', 0, 22e9]]).doneAt.a).toBeCloseTo(1.0, 12);
    expect(run(10e9, 22e9, [['a', 0, 22e9]]).doneAt.a).toBeCloseTo(2.2, 12);
  });

  it('shares 40 Gbit/s between 8 flows capped at 22 Gbit/s: 5 Gbit/s each, in one event', () => {
    const flows = Array.from({ length: 8 }, (_, i): [string, number, number] => [`f${i}`, 0, 5e9]);
    const { doneAt, sim } = run(40e9, 22e9, flows);
    for (const [name] of flows) expect(doneAt[name]).toBeCloseTo(1.0, 12);
    // Eight starts and one completion for all eight (the starts' reschedulings were cancelled).
    expect(sim.eventsExecuted).toBe(9);
  });

  it('reports the share of its capacity in use over time: one capped flow, then idle (hand-computed)', () => {
    // 40 Gbit/s link, 22 Gbit/s cap: one 22 Gbit flow takes 0.55 of the link for 1 s, then the
    // link is idle until 2 s: a mean of 0.275. After a reset at 2 s, an idle second reads 0.
    const sim = new Simulator();
    const link = new SharedLink(sim, 40e9, 22e9);
    link.start(22e9, () => {}, null);
    sim.run({ until: 2 });
    expect(link.utilisation()).toBeCloseTo(0.275, 12);
    link.resetStatistics();
    sim.run({ until: 3 });
    expect(link.utilisation()).toBe(0);
  });

  it('speeds the others up when a flow ends, and slows them when one joins (hand-computed)', () => {
    // 10 Gbit/s link, 8 Gbit/s cap. a (4 Gbit) and b (12 Gbit) at 0: 5 each. c (1 Gbit) joins at
    // 0.2 s (a and b have 1 Gbit each): 10/3 each, c ends at 0.5 s (a and b: 2 Gbit). Then 5 each:
    // a ends at 0.9 s (b: 4 Gbit). b alone at its 8 Gbit/s cap: 8 Gbit more, ends at 1.9 s.
    const { doneAt } = run(10e9, 8e9, [['a', 0, 4e9], ['b', 0, 12e9], ['c', 0.2, 1e9]]);
    expect(doneAt.c).toBeCloseTo(0.5, 12);
    expect(doneAt.a).toBeCloseTo(0.9, 12);
    expect(doneAt.b).toBeCloseTo(1.9, 12);
  });

  it('finishes equal flows in the order they started and accepts a new flow from a completion', () => {
    const sim = new Simulator();
    const link = new SharedLink(sim, 10e9, 10e9);
    const order: string[] = [];
    const done = (name: string) => {
      order.push(name);
      if (name === 'a') link.start(5e9, done, 'c'); // starts as a and b end, alone: 0.5 s
    };
    link.start(5e9, done, 'a');
    link.start(5e9, done, 'b');
    sim.run();
    expect(order).toEqual(['a', 'b', 'c']);
    expect(sim.now).toBeCloseTo(1.5, 12);
    expect(link.flows).toBe(0);
  });

  it('starts afresh after an idle spell', () => {
    const { doneAt } = run(10e9, 10e9, [['a', 0, 1e9], ['b', 5, 2e9], ['c', 5, 2e9]]);
    expect(doneAt.a).toBeCloseTo(0.1, 12);
    expect(doneAt.b).toBeCloseTo(5.4, 12);
    expect(doneAt.c).toBeCloseTo(5.4, 12);
  });

  it('rejects an empty flow and non-positive rates', () => {
    const sim = new Simulator();
    expect(() => new SharedLink(sim, 0, 1)).toThrow(RangeError);
    expect(() => new SharedLink(sim, 1, 0)).toThrow(RangeError);
    expect(() => new SharedLink(sim, 1, 1).start(0, () => {}, null)).toThrow(RangeError);
  });
});
