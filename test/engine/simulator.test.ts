import { describe, it, expect } from 'vitest';
import { Simulator } from '../../engine/simulator.js';
import { RandomStreams } from '../../engine/random.js';

/** A log of labels with the clock at which each was written. */
function recorder(sim: Simulator) {
  const log: [number, string][] = [];
  const note = (label: string) => () => log.push([sim.now, label]);
  return { log, note };
}

describe('Simulator', () => {
  it('runs events in time order, whatever order they were scheduled in', () => {
    const sim = new Simulator();
    const { log, note } = recorder(sim);
    sim.schedule(3, note('c'));
    sim.schedule(1, note('a'));
    sim.at(2.5, note('b'));
    sim.schedule(10, note('d'));
    sim.run();
    expect(log).toEqual([[1, 'a'], [2.5, 'b'], [3, 'c'], [10, 'd']]);
    expect(sim.now).toBe(10);
  });

  it('runs equal-time events in the order they were scheduled (FIFO)', () => {
    const sim = new Simulator();
    const { log, note } = recorder(sim);
    for (const label of ['a', 'b', 'c', 'd', 'e']) sim.schedule(1, note(label));
    sim.run();
    expect(log.map(([, label]) => label)).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('keeps FIFO among ties made by schedule() and at() from different events', () => {
    const sim = new Simulator();
    const { log, note } = recorder(sim);
    // Each pair is scheduled for t = 5 from a different earlier event, alternating schedule and at.
    sim.schedule(1, () => { sim.schedule(4, note('1-schedule')); sim.at(5, note('1-at')); });
    sim.at(2, () => { sim.at(5, note('2-at')); sim.schedule(3, note('2-schedule')); });
    sim.schedule(5, note('0-before-all')); // scheduled first of all, at time 0
    sim.at(3, () => { sim.schedule(2, note('3-schedule')); });
    sim.at(5, () => { sim.schedule(0, note('5-zero-delay')); }); // scheduled at 0: runs second at 5
    sim.run();
    expect(log).toEqual([
      [5, '0-before-all'],
      [5, '1-schedule'],
      [5, '1-at'],
      [5, '2-at'],
      [5, '2-schedule'],
      [5, '3-schedule'],
      [5, '5-zero-delay'],
    ]);
  });

  it('runs a zero-delay event after the events already pending at the same time', () => {
    const sim = new Simulator();
    const { log, note } = recorder(sim);
    sim.schedule(1, () => sim.schedule(0, note('zero')));
    sim.schedule(1, note('pending'));
    sim.run();
    expect(log).toEqual([[1, 'pending'], [1, 'zero']]);
  });

  it('runs 30,000 events with many ties in (time, scheduling order), as a stable sort of them', () => {
    const rng = new RandomStreams(2024, 0).stream('simulator-test/ties');
    const sim = new Simulator();
    // Every event ever scheduled, in scheduling order, with its integer time: few distinct times, many ties.
    const scheduled: { time: number; id: number }[] = [];
    const executed: number[] = [];
    let remaining = 30_000;
    const handles: number[] = [];
    const cancelled = new Set<number>();
    const add = (time: number, viaAt: boolean) => {
      const id = scheduled.length;
      scheduled.push({ time, id });
      const run = () => {
        executed.push(id);
        // Each executed event schedules up to two more, some at zero delay (a tie with now).
        for (let k = 0; k < 2 && remaining > 0; k++, remaining--) {
          const delay = Math.floor(rng.next() * 4);
          add(sim.now + delay, rng.next() < 0.5);
        }
        // And now and then cancels a random pending-or-past event.
        if (rng.next() < 0.05) {
          const victim = Math.floor(rng.next() * handles.length);
          if (sim.cancel(handles[victim])) cancelled.add(victim);
        }
      };
      handles.push(viaAt ? sim.at(time, run) : sim.schedule(time - sim.now, run));
    };
    for (let i = 0; i < 2000; i++, remaining--) add(Math.floor(rng.next() * 50), rng.next() < 0.5);
    sim.run();

    // Array.prototype.sort is stable: equal times keep scheduling order.
    const expected = scheduled
      .filter(({ id }) => !cancelled.has(id))
      .sort((a, b) => a.time - b.time)
      .map(({ id }) => id);
    expect(cancelled.size).toBeGreaterThan(100);
    expect(executed.length).toBe(expected.length);
    // The first place where the run departs from the sort (a full-array diff is slow to print).
    expect(executed.findIndex((id, i) => id !== expected[i])).toBe(-1);
    expect(sim.eventsExecuted).toBe(scheduled.length - cancelled.size);
  });

  it('keeps time order past the initial capacity, with 100,000 events pending at once', () => {
    const rng = new RandomStreams(7, 0).stream('simulator-test/times');
    const sim = new Simulator();
    const times: number[] = [];
    const seen: number[] = [];
    const record = () => seen.push(sim.now);
    for (let i = 0; i < 100_000; i++) {
      const time = rng.next() * 1000;
      times.push(time);
      sim.schedule(time, record);
    }
    expect(sim.pendingCount).toBe(100_000);
    sim.run();
    times.sort((a, b) => a - b);
    expect(seen.length).toBe(times.length);
    expect(seen.findIndex((time, i) => time !== times[i])).toBe(-1);
  });

  it('never runs a cancelled event', () => {
    const sim = new Simulator();
    const { log, note } = recorder(sim);
    sim.schedule(1, note('kept'));
    const handle = sim.schedule(2, note('cancelled'));
    sim.schedule(3, note('also kept'));
    expect(sim.cancel(handle)).toBe(true);
    sim.run();
    expect(log).toEqual([[1, 'kept'], [3, 'also kept']]);
  });

  it('cancels, from inside an event, another event due at the same time', () => {
    const sim = new Simulator();
    const { log, note } = recorder(sim);
    let victim = -1;
    sim.schedule(1, () => {
      log.push([sim.now, 'canceller']);
      expect(sim.cancel(victim)).toBe(true);
    });
    victim = sim.schedule(1, note('victim'));
    sim.schedule(1, note('bystander'));
    sim.run();
    expect(log).toEqual([[1, 'canceller'], [1, 'bystander']]);
  });

  it('returns false when cancelling an event that already ran, or one already cancelled', () => {
    const sim = new Simulator();
    const ran = sim.schedule(1, () => {});
    sim.run();
    expect(sim.cancel(ran)).toBe(false);

    const twice = sim.schedule(1, () => {});
    expect(sim.cancel(twice)).toBe(true);
    expect(sim.cancel(twice)).toBe(false);
  });

  it('returns false for an old handle whose slot a new event reuses, and the new event still runs', () => {
    const sim = new Simulator();
    const old = sim.schedule(1, () => {});
    sim.run();
    let ranNew = false;
    const fresh = sim.schedule(1, () => { ranNew = true; });
    expect(fresh).not.toBe(old);
    expect(sim.cancel(old)).toBe(false);
    sim.run();
    expect(ranNew).toBe(true);
  });

  it('run({ until }) stops before later events, leaves the clock at until, and a second run continues', () => {
    const sim = new Simulator();
    const { log, note } = recorder(sim);
    sim.schedule(1, note('a'));
    sim.schedule(5, note('at until'));
    sim.schedule(7, note('b'));
    sim.run({ until: 5 });
    expect(log).toEqual([[1, 'a'], [5, 'at until']]);
    expect(sim.now).toBe(5);

    sim.run({ until: 6 });
    expect(sim.now).toBe(6); // no event before 6: the clock still moves to until
    expect(log).toHaveLength(2);

    sim.run();
    expect(log).toEqual([[1, 'a'], [5, 'at until'], [7, 'b']]);
    expect(sim.now).toBe(7);
  });

  it('stop() inside an event returns from run() after that event; a second run continues', () => {
    const sim = new Simulator();
    const { log, note } = recorder(sim);
    sim.schedule(1, () => { log.push([sim.now, 'stopper']); sim.stop(); });
    sim.schedule(1, note('same time, after the stop'));
    sim.schedule(2, note('later'));
    sim.run({ until: 10 });
    expect(log).toEqual([[1, 'stopper']]);
    expect(sim.now).toBe(1); // a stopped run leaves the clock where it stopped, not at until

    sim.run();
    expect(log).toEqual([[1, 'stopper'], [1, 'same time, after the stop'], [2, 'later']]);
  });

  it('throws on a negative or NaN delay', () => {
    const sim = new Simulator();
    expect(() => sim.schedule(-1, () => {})).toThrow(RangeError);
    expect(() => sim.schedule(-Number.MIN_VALUE, () => {})).toThrow(RangeError);
    expect(() => sim.schedule(NaN, () => {})).toThrow(RangeError);
    expect(sim.pendingCount).toBe(0);
  });

  it('throws on at() in the past, or at NaN', () => {
    const sim = new Simulator();
    sim.schedule(5, () => {
      expect(() => sim.at(4.999, () => {})).toThrow(RangeError);
      expect(() => sim.at(NaN, () => {})).toThrow(RangeError);
      sim.at(5, () => {}); // now itself is allowed
    });
    sim.run();
    expect(sim.eventsExecuted).toBe(2);
  });

  it('counts executed events in eventsExecuted, not cancelled ones, across runs', () => {
    const sim = new Simulator();
    const handles = Array.from({ length: 10 }, (_, i) => sim.schedule(i, () => {}));
    sim.cancel(handles[2]);
    sim.cancel(handles[5]);
    sim.cancel(handles[9]);
    sim.run({ until: 4.5 });
    expect(sim.eventsExecuted).toBe(4); // 0, 1, 3, 4
    sim.run();
    expect(sim.eventsExecuted).toBe(7);
  });

  // eventsExecuted is kept current inside run(), not added when it returns.
  it('counts events started so far, the running one included, also when a run throws', () => {
    const sim = new Simulator();
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) sim.schedule(i, () => seen.push(sim.eventsExecuted));
    sim.run();
    expect(seen).toEqual([1, 2, 3]); // the running event counts: it has started

    const failing = new Simulator();
    failing.schedule(1, () => {});
    failing.schedule(2, () => { throw new Error('model failure'); });
    expect(() => failing.run()).toThrow('model failure');
    expect(failing.eventsExecuted).toBe(2);
  });
});
