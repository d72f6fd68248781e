/**
 * When each replay batch may be sent. Two independent limits, both measured
 * from the moment the replay starts:
 *
 * - `rate` (rows/s): row i is due at i / rate seconds;
 * - `speedup` N: row i is due at (eventTime_i − eventTime_0) / N, so event
 *   time passes N times faster than the wall clock.
 *
 * A batch is sent when its first row is due under both. Batches are made
 * small enough that one spans about `BURST_MS` of wall time, so a paced
 * replay is a steady trickle rather than one burst per large batch.
 */

export const BURST_MS = 100;

export interface PaceLimits {
  readonly rate?: number;
  readonly speedup?: number;
}

/** Batch size for a paced replay: at most `batchSize`, and about BURST_MS worth of rows. */
export function pacedBatchSize(batchSize: number, limits: PaceLimits, eventTimes: Float64Array): number {
  let size = batchSize;
  if (limits.rate !== undefined) size = Math.min(size, Math.max(1, Math.floor((limits.rate * BURST_MS) / 1000)));
  if (limits.speedup !== undefined && eventTimes.length > 1) {
    const meanGap = (eventTimes[eventTimes.length - 1]! - eventTimes[0]!) / (eventTimes.length - 1);
    if (meanGap > 0) size = Math.min(size, Math.max(1, Math.floor((BURST_MS * limits.speedup) / meanGap)));
  }
  return size;
}

/** Milliseconds after the start at which row `row` (event time `eventTime`) may be sent. */
export function dueAfterMs(row: number, eventTime: number, firstEventTime: number, limits: PaceLimits): number {
  let due = 0;
  if (limits.rate !== undefined) due = Math.max(due, (row / limits.rate) * 1000);
  if (limits.speedup !== undefined) due = Math.max(due, (eventTime - firstEventTime) / limits.speedup);
  return due;
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
