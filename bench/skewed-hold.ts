// The hold model with this project's delay mix instead of one exponential: 10,000 pending on a
// bare engine list, delays as test/engine/event-list.test.ts's skewedDelay (10 % at once, 35 %
// sub-microsecond to 5 µs, 20 % ~1 ms, 10 % 1 or 3 s, 10 % 30 s, the rest up to 1,000 s, and
// 0.5 % at Infinity with `--infinity`). Run each list in its own process, alternating:
//   npx tsx bench/skewed-hold.ts heap|calendar [--infinity] [--pending=N]

import { BinaryHeap } from '../engine/binary-heap.js';
import { CalendarQueue } from '../engine/calendar-queue.js';
import type { EventFn } from '../engine/event-list.js';
import { RandomStreams } from '../engine/random.js';

const PENDING = Number(process.argv.find((a) => a.startsWith("--pending="))?.slice(10) ?? 10_000);
const EVENTS = 2_000_000;
const RUNS = 4;

function skewedHold(list: BinaryHeap | CalendarQueue, withInfinity: boolean): number {
  const rng = new RandomStreams(5, 0).stream('skewed-hold');
  const u = () => rng.next();
  const delay = (): number => {
    const r = u();
    if (r < 0.1) return 0;
    if (r < 0.35) return 1e-7 * (1 + u());
    if (r < 0.45) return 5e-6;
    if (r < 0.65) return -Math.log(1 - u()) * 1e-3;
    if (r < 0.75) return u() < 0.5 ? 1 : 3;
    if (r < 0.85) return 30;
    return withInfinity && r >= 0.995 ? Infinity : 1e3 * u();
  };
  let now = 0;
  let seq = 0;
  let left = EVENTS;
  const hold: EventFn = () => {
    if (left-- > 0) list.push(now + delay(), seq++, hold, undefined);
  };
  for (let i = 0; i < PENDING; i++) list.push(delay(), seq++, hold, undefined);
  const start = performance.now();
  let popped = 0;
  while (list.size > 0 && list.peekTime() < Infinity) {
    const fn = list.pop();
    now = list.poppedTime;
    popped++;
    if (fn !== null) fn(undefined);
  }
  return popped / ((performance.now() - start) / 1000);
}

const kind = process.argv[2];
if (kind !== 'heap' && kind !== 'calendar') {
  console.error('usage: npx tsx bench/skewed-hold.ts heap|calendar [--infinity]');
  process.exit(2);
}
const withInfinity = process.argv.includes('--infinity');
const rates: number[] = [];
for (let i = 0; i < RUNS; i++) rates.push(skewedHold(kind === 'heap' ? new BinaryHeap() : new CalendarQueue(), withInfinity));
console.log(`skewed-hold ${kind}${withInfinity ? ' --infinity' : ''}: ${rates.map((r) => (r / 1e6).toFixed(2)).join(' ')} M events/s`);
