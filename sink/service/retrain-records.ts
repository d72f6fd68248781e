/**
 * The sink's side of the retrain signal: `<prefix>.retrain` messages (always
 * JSON, processor/retrain/codec.ts, whatever the results codec) → rows of
 * retrain_requests (sink/postgres/retrain.ts). A message that does not decode
 * or that Postgres refuses as data goes to the dead-letter topic with the
 * reason; anything else is thrown for the batch retry, like every sink write.
 */
import type { DatabasePool } from 'slonik';
import { decodeRetrainRequest, retrainTopicBeside } from '../../processor/retrain/codec.js';
import type { RetrainRequest } from '../../processor/retrain/request.js';
import { writeRetrainRequest } from '../postgres/retrain.js';
import type { SinkDecodeOutcome } from './decode.js';
import { isDataError, type RejectedRecord } from './store-batch.js';

/** The topic the sink reads requests from: given, else `<prefix>.retrain` beside window-metrics. */
export function sinkRetrainTopic(topics: { readonly windowMetrics: string; readonly retrain?: string }): string {
  return topics.retrain ?? retrainTopicBeside(topics.windowMetrics);
}

export function decodeRetrainOutcomes(values: readonly (Buffer | null)[]): SinkDecodeOutcome[] {
  return values.map((value): SinkDecodeOutcome => {
    if (value === null || value.length === 0) return { reason: 'empty message (no value)' };
    try {
      return { record: { kind: 'retrain', request: decodeRetrainRequest(value) } };
    } catch (error) {
      return { reason: (error as Error).message };
    }
  });
}

export interface StoredRetrainRequests {
  /** Requests recorded for the first time (re-deliveries of a recorded episode are not counted). */
  readonly inserted: number;
  readonly rejected: RejectedRecord[];
}

export async function storeRetrainRequests(
  pool: DatabasePool, requests: readonly { offset: string; request: RetrainRequest }[],
): Promise<StoredRetrainRequests> {
  let inserted = 0;
  const rejected: RejectedRecord[] = [];
  for (const { offset, request } of requests) {
    try {
      if (await writeRetrainRequest(pool, request)) inserted++;
    } catch (error) {
      if (!isDataError(error)) throw error;
      rejected.push({ offset, reason: `rejected by Postgres: ${(error as Error).message}` });
    }
  }
  return { inserted, rejected };
}
