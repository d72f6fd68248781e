/**
 * How the processor retries decoding a batch that needs the schema registry
 * while the registry cannot be reached (Codec.decode rejects only then): with
 * capped exponential backoff (0.5 s → 10 s), heartbeating the consumer group
 * meanwhile so the partitions stay assigned. It gives up — RetryStopped,
 * which leaves the rest of the batch unhandled and uncommitted — on
 * shutdown, revocation, or a heartbeat the group refuses (a rebalance: the
 * batch is read again by whoever gets the partition).
 */
import type { Logger } from 'pino';
import { retryWithBackoff } from '../../sink/service/backoff.js';
import type { DecodeRetry } from './batch-handler.js';

export interface DecodeRetryOptions {
  readonly logger: Logger;
  readonly topic: string;
  readonly partition: number;
  readonly heartbeat: () => Promise<void>;
  readonly shouldStop: () => boolean;
}

export function decodeRetry({ logger, topic, partition, heartbeat, shouldStop }: DecodeRetryOptions): DecodeRetry {
  let heartbeatFailed = false;
  return (decode) => retryWithBackoff(decode, {
    maxMs: 10_000,
    whileWaiting: () => heartbeat().catch(() => {
      heartbeatFailed = true;
    }),
    shouldStop: () => heartbeatFailed || shouldStop(),
    onRetry: (error, attempt, delayMs) => logger.warn({ topic, partition, attempt: attempt + 1, retryInMs: delayMs, err: (error as Error).message },
      'cannot decode the batch (schema registry unreachable?); retrying it, nothing dead-lettered or committed'),
  });
}
