// A pool of worker threads running simulate() jobs. Each worker takes one job at a time and gets
// the next as soon as it answers, so uneven points keep every core busy. Workers load the
// TypeScript sources through tsx (worker-boot.mjs), so no build step is needed.

import { Worker } from 'node:worker_threads';
import type { ConstantRecord } from '../models/profiles/load.js';

export interface JobRequest {
  id: number;
  input: Record<string, unknown>;
  seed: number;
  replication: number;
}

export type JobResponse =
  | { id: number; ok: true; metrics: Record<string, number | null>; constants: ConstantRecord[]; events: number; wallSeconds: number }
  | { id: number; ok: false; error: string };

export type PoolOutcome = { status: 'done' } | { status: 'aborted' } | { status: 'failed'; id: number; error: string };

const BOOT = new URL('./worker-boot.mjs', import.meta.url);

export class WorkerPool {
  private constructor(private readonly workers: Worker[]) {}

  get size(): number {
    return this.workers.length;
  }

  /** Starts `size` workers and waits until each has loaded the models. */
  static async start(size: number): Promise<WorkerPool> {
    const workers = Array.from({ length: Math.max(1, size) }, () => new Worker(BOOT));
    // Listeners are removed one by one: removeAllListeners() would also drop the Worker's own
    // newListener hook that keeps the process alive while someone listens for messages.
    const cleanups: (() => void)[] = [];
    try {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              const onMessage = () => resolve();
              const onExit = (code: number) => reject(new Error(`a worker exited with code ${code} while starting`));
              worker.once('message', onMessage);
              worker.once('error', reject);
              worker.once('exit', onExit);
              cleanups.push(() => {
                worker.off('message', onMessage);
                worker.off('error', reject);
                worker.off('exit', onExit);
              });
            }),
        ),
      );
    } catch (error) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    } finally {
      for (const cleanup of cleanups) cleanup();
    }
    return new WorkerPool(workers);
  }

  /**
   * Runs `requests`, handing each answer to `onResult` as it arrives. A failed job stops new
   * dispatches; jobs already running finish and are reported. An abort terminates the workers at
   * once, abandoning the jobs in flight (the pool cannot be used afterwards).
   */
  run(requests: readonly JobRequest[], onResult: (response: Extract<JobResponse, { ok: true }>) => void, signal?: AbortSignal): Promise<PoolOutcome> {
    return new Promise((resolve) => {
      let next = 0;
      const busy = new Set<Worker>();
      let failure: PoolOutcome | undefined;
      let settled = false;
      const detach: (() => void)[] = [];
      const finish = (outcome: PoolOutcome) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        for (const off of detach) off();
        resolve(outcome);
      };
      const onAbort = () => {
        for (const worker of this.workers) void worker.terminate();
        finish({ status: 'aborted' });
      };
      const feed = (worker: Worker) => {
        if (failure === undefined && next < requests.length && !signal?.aborted) {
          busy.add(worker);
          worker.postMessage(requests[next++]);
        } else if (busy.size === 0) {
          finish(failure ?? (signal?.aborted ? { status: 'aborted' } : { status: 'done' }));
        }
      };
      if (signal?.aborted) return finish({ status: 'aborted' });
      signal?.addEventListener('abort', onAbort, { once: true });
      for (const worker of this.workers) {
        const onMessage = (response: JobResponse) => {
          busy.delete(worker);
          if (response.ok) onResult(response);
          else failure ??= { status: 'failed', id: response.id, error: response.error };
          feed(worker);
        };
        const crash = (error: unknown) => {
          busy.delete(worker);
          failure ??= { status: 'failed', id: -1, error: error instanceof Error ? error.message : `a worker exited (${String(error)})` };
          if (busy.size === 0) finish(failure);
        };
        const onExit = (code: number) => crash(`code ${code}`);
        worker.on('message', onMessage);
        worker.on('error', crash);
        worker.on('exit', onExit);
        detach.push(() => {
          worker.off('message', onMessage);
          worker.off('error', crash);
          worker.off('exit', onExit);
        });
      }
      for (const worker of this.workers) feed(worker);
      if (requests.length === 0) finish({ status: 'done' });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
