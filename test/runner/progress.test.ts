// Progress when standard error is not a terminal: plain lines, at most one per five seconds of
// an injected clock, none for a sweep shorter than that; a terminal keeps its redrawn bar.

import { describe, expect, it } from 'vitest';
import { progressReporter } from '../../runner/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 200, write: (text: string) => writes.push(text) } };
}

describe('progress on a stream that is not a terminal', () => {
  it('prints one plain line at most every 5 s of the clock, with runs, event rate and time left', () => {
    let seconds = 100;
    const { writes, stream } = fakeStream(false);
    const progress = progressReporter(stream, 'proxy-modes', () => seconds);
    const at = (t: number, done: number) => {
      seconds = 100 + t;
      progress.update({ done, total: 40, events: t * 1.2e6, elapsedSeconds: t });
    };
    at(1, 1);
    at(4.9, 3);
    expect(writes).toEqual([]);
    at(5, 4);
    at(6, 5);
    at(9.9, 8);
    at(10, 12);
    expect(writes).toEqual(['proxy-modes: 4/40 runs · 1.2 M events/s · 0:45 left\n', 'proxy-modes: 12/40 runs · 1.2 M events/s · 0:23 left\n']);
    progress.done();
    expect(writes).toHaveLength(2);
  });

  it('prints nothing for a sweep that finishes within 5 s', () => {
    let seconds = 0;
    const { writes, stream } = fakeStream(false);
    const progress = progressReporter(stream, 'quickstart', () => seconds);
    for (let done = 0; done <= 6; done++) {
      seconds = done * 0.8;
      progress.update({ done, total: 6, events: done * 1e5, elapsedSeconds: seconds });
    }
    progress.done();
    expect(writes).toEqual([]);
  });

  it('prints no line for the last job: the closing summary says it', () => {
    let seconds = 0;
    const { writes, stream } = fakeStream(false);
    const progress = progressReporter(stream, 'x', () => seconds);
    seconds = 30;
    progress.update({ done: 2, total: 2, events: 1e6, elapsedSeconds: 30 });
    expect(writes).toEqual([]);
  });

  it('keeps the redrawn bar on a terminal', () => {
    const { writes, stream } = fakeStream(true);
    const progress = progressReporter(stream, 'quickstart', () => 0);
    progress.update({ done: 3, total: 6, events: 3e6, elapsedSeconds: 1 });
    progress.done();
    expect(writes[0]).toMatch(/^\rquickstart \[#{10}-{10}\] 3\/6 runs · 3\.0 M events\/s · 0:01 left\x1b\[K$/);
    expect(writes[1]).toBe('\r\x1b[K');
  });
});
