// The progress line on standard error while a sweep runs: jobs done, simulation events per
// wall-clock second, and the time left at the pace so far. Redrawn at most ten times a second.

import type { Progress } from './run.js';

export interface ProgressBar {
  update(progress: Progress): void;
  /** Clears the line (before the final message). */
  done(): void;
}

export function progressBar(stream: NodeJS.WriteStream, label: string, width = 20): ProgressBar {
  let lastDraw = 0;
  let drawn = false;
  return {
    update(p) {
      const now = performance.now();
      if (now - lastDraw < 100 && p.done < p.total) return;
      lastDraw = now;
      const filled = p.total === 0 ? width : Math.round((p.done / p.total) * width);
      const rate = p.elapsedSeconds > 0 ? p.events / p.elapsedSeconds : 0;
      const left = p.done > 0 ? (p.elapsedSeconds / p.done) * (p.total - p.done) : NaN;
      const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total} runs · ${formatRate(rate)} events/s · ${formatDuration(left)} left`;
      stream.write(`\r${line.slice(0, (stream.columns ?? 100) - 1)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\x1b[K');
    },
  };
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
