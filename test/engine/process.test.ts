import { describe, it, expect } from 'vitest';
import { Simulator } from '../../engine/simulator.js';
import { Interrupt, Signal, spawn, type ProcessGenerator } from '../../engine/process.js';
import { Server } from '../../engine/server.js';

// A generator whose every yield is sim.timeout() needs its type written out: TypeScript widens a
// lone `typeof SUSPEND` yield to `symbol`, which is not a Command (Simulator.timeout() returns it).

describe('processes', () => {
  it('advance the clock with sim.timeout()', () => {
    const sim = new Simulator();
    const times: number[] = [];
    spawn(sim, (function* (): ProcessGenerator<void> {
      times.push(sim.now);
      yield sim.timeout(1.5);
      times.push(sim.now);
      yield sim.timeout(0);
      times.push(sim.now);
      yield sim.timeout(2);
      times.push(sim.now);
    })());
    sim.run();
    expect(times).toEqual([0, 1.5, 1.5, 3.5]);
  });

  it('start at the current time in spawn order, and record their return value', () => {
    const sim = new Simulator();
    const order: string[] = [];
    const make = (name: string) => (function* () { order.push(name); return name.toUpperCase(); })();
    sim.schedule(2, () => {
      const a = spawn(sim, make('a'));
      const b = spawn(sim, make('b'));
      expect(order).toEqual([]); // nothing runs inside spawn()
      sim.schedule(0, () => {
        expect([a.done, a.result, b.done, b.result]).toEqual([true, 'A', true, 'B']);
      });
    });
    sim.run();
    expect(order).toEqual(['a', 'b']);
  });

  it('run the first step inside spawn() with { immediate: true }, with no start event', () => {
    const sim = new Simulator();
    const order: string[] = [];
    sim.schedule(2, () => {
      spawn(sim, (function* (): ProcessGenerator<void> {
        order.push(`first step at ${sim.now}`);
        yield sim.timeout(1);
        order.push(`woke at ${sim.now}`);
      })(), { immediate: true });
      order.push('spawn returned');
    });
    sim.run();
    expect(order).toEqual(['first step at 2', 'spawn returned', 'woke at 3']);
    expect(sim.eventsExecuted).toBe(2); // the scheduling callback and the timeout
  });

  it('resume from a yielded Signal with the fired value, waiters in the order they began waiting', () => {
    const sim = new Simulator();
    const signal = new Signal<string>(sim);
    const woken: string[] = [];
    const waiter = (name: string, delay: number) => (function* () {
      yield sim.timeout(delay);
      const value: string = yield signal;
      woken.push(`${name}:${value}@${sim.now}`);
    })();
    spawn(sim, waiter('late', 2));
    spawn(sim, waiter('early', 1));
    spawn(sim, waiter('middle', 1.5));
    sim.schedule(3, () => {
      expect(signal.waiting).toBe(3);
      signal.fire('go');
      expect(signal.waiting).toBe(0);
    });
    sim.schedule(4, () => signal.fire('nobody waits')); // a fire with no waiters is lost
    sim.run();
    expect(woken).toEqual(['early:go@3', 'middle:go@3', 'late:go@3']);
  });

  it('wake only the waiters present at fire(), not one that begins waiting afterwards', () => {
    const sim = new Simulator();
    const signal = new Signal<number>(sim);
    const got: number[] = [];
    spawn(sim, (function* () {
      got.push(yield signal); // woken by fire(1)
      got.push(yield signal); // waits again: woken by fire(2), not by the first
    })());
    sim.schedule(1, () => signal.fire(1));
    sim.schedule(2, () => signal.fire(2));
    sim.run();
    expect(got).toEqual([1, 2]);
  });

  it('join an unfinished process by yielding it, resuming when it ends with its result', () => {
    const sim = new Simulator();
    const child = spawn(sim, (function* (): ProcessGenerator<number> {
      yield sim.timeout(5);
      return 42;
    })());
    const seen: [number, number][] = [];
    spawn(sim, (function* () {
      const result: number = yield child;
      seen.push([sim.now, result]);
    })());
    sim.run();
    expect(seen).toEqual([[5, 42]]);
  });

  it('join a finished process at once, at the current time, with its result', () => {
    const sim = new Simulator();
    const child = spawn(sim, (function* () { return 'done'; })());
    const seen: [number, string][] = [];
    sim.schedule(3, () => {
      expect(child.done).toBe(true);
      spawn(sim, (function* () {
        const result: string = yield child;
        seen.push([sim.now, result]);
      })());
    });
    sim.run();
    expect(seen).toEqual([[3, 'done']]);
  });

  it('interrupted during a timeout: the timeout never fires and the generator catches Interrupt with its reason', () => {
    const sim = new Simulator();
    const log: string[] = [];
    const sleeper = spawn(sim, (function* (): ProcessGenerator<void> {
      try {
        yield sim.timeout(10);
        log.push('timeout fired');
      } catch (error) {
        expect(error).toBeInstanceOf(Interrupt);
        log.push(`caught ${String((error as Interrupt).reason)} at ${sim.now}`);
      }
      yield sim.timeout(20); // must end at 22, not be woken at 10 by the cancelled timeout
      log.push(`slept again until ${sim.now}`);
    })());
    sim.schedule(2, () => sleeper.interrupt('deadline'));
    sim.run();
    expect(log).toEqual(['caught deadline at 2', 'slept again until 22']);
    expect(sleeper.done).toBe(true);
  });

  it('interrupted while queued at a Server: the entry leaves the line and later waiters keep their order', () => {
    const sim = new Simulator();
    const server = new Server(sim, { servers: 1 });
    const served: string[] = [];
    const client = (name: string) => (function* (): ProcessGenerator {
      try {
        yield server.request();
      } catch (error) {
        served.push(`${name} interrupted: ${String((error as Interrupt).reason)}`);
        return;
      }
      served.push(`${name}@${sim.now}`);
      yield sim.timeout(1);
      server.release();
    })();
    spawn(sim, client('a'));
    spawn(sim, client('b'));
    const c = spawn(sim, client('c'));
    spawn(sim, client('d'));
    sim.schedule(0.5, () => {
      expect(server.queueLength).toBe(3);
      c.interrupt('gave up');
    });
    sim.schedule(0.5, () => expect(server.queueLength).toBe(2));
    sim.run();
    expect(served).toEqual(['a@0', 'c interrupted: gave up', 'b@1', 'd@2']);
    expect(server.busy).toBe(0);
    expect(server.waits.count).toBe(3); // the interrupted entry was never served
  });

  it('interrupted during a Signal wait: it leaves the signal and a later fire() does not resume it', () => {
    const sim = new Simulator();
    const signal = new Signal<string>(sim);
    const log: string[] = [];
    const waiter = (name: string) => (function* () {
      try {
        const value: string = yield signal;
        log.push(`${name} got ${value}`);
      } catch (error) {
        log.push(`${name} interrupted at ${sim.now}`);
        yield sim.timeout(5);
        log.push(`${name} woke at ${sim.now}`);
      }
    })();
    const a = spawn(sim, waiter('a'));
    spawn(sim, waiter('b'));
    sim.schedule(1, () => a.interrupt('stop'));
    sim.schedule(2, () => {
      expect(signal.waiting).toBe(1);
      signal.fire('go');
    });
    sim.run();
    expect(log).toEqual(['a interrupted at 1', 'b got go', 'a woke at 6']);
  });

  it('interrupted while joining another process: it is not resumed again when that process ends', () => {
    const sim = new Simulator();
    const log: string[] = [];
    const child = spawn(sim, (function* (): ProcessGenerator<string> { yield sim.timeout(3); return 'child'; })());
    const parent = spawn(sim, (function* () {
      try {
        yield child;
        log.push('joined');
      } catch {
        log.push(`interrupted at ${sim.now}`);
        yield sim.timeout(10);
        log.push(`slept until ${sim.now}`);
      }
    })());
    sim.schedule(1, () => parent.interrupt('impatient'));
    sim.run();
    expect(log).toEqual(['interrupted at 1', 'slept until 11']);
  });

  it('interrupted in the same instant as a Signal fired for it: the Interrupt wins and the value is not delivered later', () => {
    const sim = new Simulator();
    const signal = new Signal<string>(sim);
    const log: string[] = [];
    const waiter = spawn(sim, (function* () {
      try {
        log.push(`got ${yield signal}`);
      } catch {
        log.push(`interrupted at ${sim.now}`);
      }
      yield sim.timeout(10);
      log.push(`slept until ${sim.now}`);
    })());
    sim.schedule(1, () => {
      signal.fire('go'); // the wake-up is scheduled, not yet run...
      waiter.interrupt('now'); // ...when the interrupt arrives
    });
    sim.run();
    expect(log).toEqual(['interrupted at 1', 'slept until 11']);
  });

  it('interrupted twice in one instant: each Interrupt reaches the generator once, and its later wait is honoured', () => {
    const sim = new Simulator();
    const log: string[] = [];
    const target = spawn(sim, (function* (): ProcessGenerator<string> {
      for (;;) {
        try {
          yield sim.timeout(10);
          log.push(`timeout at ${sim.now}`);
          return 'finished';
        } catch (error) {
          log.push(`${String((error as Interrupt).reason)} at ${sim.now}`);
        }
      }
    })());
    sim.schedule(1, () => { target.interrupt('first'); target.interrupt('second'); });
    sim.run();
    expect(log).toEqual(['first at 1', 'second at 1', 'timeout at 11']);
    // The timeout begun after 'first' was cancelled by 'second': nothing resumes the ended generator.
    expect(target.result).toBe('finished');
    expect(sim.eventsExecuted).toBe(5); // start, interrupter, two deliveries, one timeout
  });

  it('interrupted before its first step: the generator never runs and the Interrupt propagates out of sim.run()', () => {
    const sim = new Simulator();
    let ran = false;
    const never = spawn(sim, (function* (): ProcessGenerator<void> {
      ran = true;
      yield sim.timeout(1);
    })());
    never.interrupt('cancelled at birth');
    expect(() => sim.run()).toThrow(Interrupt);
    expect(ran).toBe(false);
    expect(never.done).toBe(true);
  });

  it('let an interrupt of a finished process do nothing', () => {
    const sim = new Simulator();
    const quick = spawn(sim, (function* (): ProcessGenerator<string> { yield sim.timeout(1); return 'ok'; })());
    sim.schedule(2, () => quick.interrupt('too late'));
    sim.run();
    expect([quick.done, quick.result, quick.error]).toEqual([true, 'ok', undefined]);
  });

  it('let an error thrown in a generator propagate out of sim.run(), recorded on the process', () => {
    const sim = new Simulator();
    const failing = spawn(sim, (function* (): ProcessGenerator<never> {
      yield sim.timeout(1);
      throw new Error('model bug');
    })());
    expect(() => sim.run()).toThrow('model bug');
    expect(sim.now).toBe(1);
    expect(failing.done).toBe(true);
    expect((failing.error as Error).message).toBe('model bug');
  });

  it('let an uncaught Interrupt propagate out of sim.run()', () => {
    const sim = new Simulator();
    const sleeper = spawn(sim, (function* (): ProcessGenerator<void> { yield sim.timeout(10); })());
    sim.schedule(1, () => sleeper.interrupt('unhandled'));
    expect(() => sim.run()).toThrow(Interrupt);
  });

  it('throw a TypeError when a generator yields something that is not a command', () => {
    const sim = new Simulator();
    spawn(sim, (function* (): Generator<any, void, any> {
      yield 5;
    })());
    expect(() => sim.run()).toThrow(TypeError);
  });

  it('refuse sim.timeout() and server.request() outside a process', () => {
    const sim = new Simulator();
    expect(() => sim.timeout(1)).toThrow(/processes/);
    expect(() => new Server(sim, { servers: 1 }).request()).toThrow(/processes/);
  });
});
