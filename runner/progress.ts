// Progress on standard error while a sweep runs (jobs done, events per second, time left): a line
// redrawn in place on a terminal, otherwise (a CI log, a file) a plain line every few seconds.

import type { Progress } from './run.js';

export interface ProgressBar {
  update(progress: Progress): void;
  /** Clears the terminal line (before the final message); plain lines stay. */
  done(): void;
}

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Seconds between plain lines: a log gets a heartbeat without a line per finished job. */
const PLAIN_INTERVAL_SECONDS = 5;

/**
 * The progress display `stream` suits: a redrawn bar on a terminal, plain lines elsewhere.
 * `now` (seconds) is the clock that spaces plain lines; tests pass a fake one.
 */
export function progressReporter(stream: ProgressStream, label: string, now: () => number = () => performance.now() / 1000): ProgressBar {
  return stream.isTTY === true ? progressBar(stream, label) : progressLines(stream, label, now);
}

function progressBar(stream: ProgressStream, label: string, width = 20): ProgressBar {
  let lastDraw = 0;
  let drawn = false;
  return {
    update(p) {
      const now = performance.now();
      if (now - lastDraw < 100 && p.done < p.total) return;
      lastDraw = now;
      const filled = p.total === 0 ? width : Math.round((p.done / p.total) * width);
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${describe(p)}`;
      stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
}

/**
 * Plain lines: the first once the sweep has run PLAIN_INTERVAL_SECONDS (a shorter sweep prints
 * none: its closing line says all), then at most one per interval.
 */
function progressLines(stream: ProgressStream, label: string, now: () => number): ProgressBar {
  const start = now();
  let last = start;
  return {
    update(p) {
      const t = now();
      if (t - last < PLAIN_INTERVAL_SECONDS || p.done >= p.total) return;
      last = t;
      stream.write(`${label}: ${describe(p)}\n`);
    },
    done() {},
  };
}

/** "12/40 runs · 1.2 M events/s · 0:35 left". */
function describe(p: Progress): string {
  const rate = p.elapsedSeconds > 0 ? p.events / p.elapsedSeconds : 0;
  const left = p.done > 0 ? (p.elapsedSeconds / p.done) * (p.total - p.done) : NaN;
  return `${p.done}/${p.total} runs · ${formatRate(rate)} events/s · ${formatDuration(left)} left`;
}

function formatRate(rate: number): string {
  return rate >= 1e6 ? `${(rate / 1e6).toFixed(1)} M` : rate >= 1e3 ? `${(rate / 1e3).toFixed(0)} k` : rate.toFixed(0);
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
