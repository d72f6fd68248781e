/**
 * Retrying an operation until it succeeds, with capped exponential backoff:
 * attempt n (0-based) waits min(initial · 2ⁿ, max) before the next try. The
 * wait is cut into short ticks; each tick calls `whileWaiting` (the Kafka
 * heartbeat, so the group keeps this member while Postgres is down) and asks
 * `shouldStop` (shutdown, or the partition moved to another member), in which
 * case the retry gives up with RetryStopped and the caller leaves the work
 * undone — never half-acknowledged.
 */
import { sleep } from '../../producer/kafka/pacing.js';

export interface BackoffOptions {
  /** Default 500 ms. */
  readonly initialMs?: number;
  /** Default 30 s. */
  readonly maxMs?: number;
  /** Longest single sleep between two `whileWaiting`/`shouldStop` calls. Default 1 s. */
  readonly tickMs?: number;
}

export interface RetryOptions extends BackoffOptions {
  /** Whether an error is worth retrying; others are rethrown at once. Default: every error. */
  readonly isRetriable?: (error: unknown) => boolean;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  readonly whileWaiting?: () => Promise<void>;
  readonly shouldStop?: () => boolean;
}

export class RetryStopped extends Error {
  override name = 'RetryStopped';
  constructor(readonly lastError: unknown) {
    super(`gave up retrying (stop requested); last error: ${(lastError as Error)?.message ?? String(lastError)}`);
  }
}

export function backoffDelayMs(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 500;
  const max = options.maxMs ?? 30_000;
  return Math.min(max, initial * 2 ** Math.min(attempt, 30));
}

export async function retryWithBackoff<T>(operation: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const tickMs = options.tickMs ?? 1000;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (options.isRetriable && !options.isRetriable(error)) throw error;
      if (options.shouldStop?.()) throw new RetryStopped(error);
      const delayMs = backoffDelayMs(attempt, options);
      options.onRetry?.(error, attempt, delayMs);
      const until = Date.now() + delayMs;
      for (let left = delayMs; left > 0; left = until - Date.now()) {
        await sleep(Math.min(left, tickMs));
        await options.whileWaiting?.();
        if (options.shouldStop?.()) throw new RetryStopped(error);
      }
    }
  }
}
