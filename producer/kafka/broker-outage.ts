/**
 * Riding out a broker outage. kafkajs nests its retries: a producer's own
 * retry budget (unbounded for the replay producer) is cut short by the
 * client's connection retries (a handful, seconds), whose exhaustion comes
 * back as a non-retriable error — so a send during a 30 s outage fails
 * although the producer was told to retry forever. `throughOutages` retries
 * such sends (capped exponential backoff, until the broker answers or the
 * caller stops), and nothing else: a refused record or a bad topic still
 * fails at once.
 *
 * Re-sending is safe with the idempotent producer: a batch the broker never
 * got goes out for the first time; one it got but whose answer was lost keeps
 * its producer id and sequence number, and the broker drops the repeat.
 */
import { retryWithBackoff } from '../../sink/service/backoff.js';

/** KafkaJS errors that mean "no broker to talk to right now". */
const UNAVAILABLE = new Set([
  'KafkaJSConnectionError', 'KafkaJSConnectionClosedError', 'KafkaJSRequestTimeoutError', 'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded', 'KafkaJSLockTimeout', 'KafkaJSMetadataNotLoaded',
  // Thrown (non-retriable, without a cause) when no broker answers the coordinator lookup.
  'KafkaJSGroupCoordinatorNotFound',
]);

/** Whether `error` (or an error it wraps) says the cluster is unreachable, not that the request was wrong. */
export function isBrokerUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    if (UNAVAILABLE.has(current.name)) return true;
    if (current.name.startsWith('KafkaJS') && (current as { retriable?: boolean }).retriable === true) return true;
  }
  return false;
}

export interface OutageOptions {
  readonly signal?: AbortSignal;
  readonly onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `operation` until it succeeds, waiting out broker outages (0.2 s → 5 s between tries); other errors fail at once. */
export function throughOutages<T>(operation: () => Promise<T>, options: OutageOptions = {}): Promise<T> {
  return retryWithBackoff(operation, {
    initialMs: 200,
    maxMs: 5000,
    isRetriable: isBrokerUnavailable,
    shouldStop: () => options.signal?.aborted ?? false,
    onRetry: options.onRetry,
  });
}
