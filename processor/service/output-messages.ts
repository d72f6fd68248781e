/**
 * What the processor publishes, as Kafka messages:
 *
 * - `<prefix>.window-metrics`: one message per fired window revision, keyed
 *   by model + window (results-codec.ts), so a compacted topic keeps each
 *   window's last result and one window's revisions stay in order;
 * - `<prefix>.predictions`: the window's scored rows with their ground truth
 *   so far (predictionsOf, the rows `run` writes), keyed by row_id;
 *   both in the results' wire format (JSON or Avro, results-codec.ts);
 * - `<prefix>.late` and `<prefix>.dlq`: the original message (key, value,
 *   headers) plus headers naming where it came from and, for the dead-letter
 *   topic, why it was refused.
 */
import type { IHeaders, KafkaMessage, Message } from 'kafkajs';
import type { PredictionRecord, WindowMetrics } from '../results.js';
import { windowKey, type ResultsCodec } from '../results-codec.js';

export const REASON_HEADER = 'driftwatch-reason';
export const SOURCE_TOPIC_HEADER = 'driftwatch-source-topic';
export const SOURCE_PARTITION_HEADER = 'driftwatch-source-partition';
export const SOURCE_OFFSET_HEADER = 'driftwatch-source-offset';

export async function windowMetricsMessages(results: ResultsCodec, windows: readonly WindowMetrics[]): Promise<Message[]> {
  if (windows.length === 0) return [];
  const values = await results.encodeWindows(windows);
  return windows.map((metrics, i) => ({ key: windowKey(metrics), value: values[i]! }));
}

export async function predictionMessages(results: ResultsCodec, records: readonly PredictionRecord[]): Promise<Message[]> {
  if (records.length === 0) return [];
  const values = await results.encodePredictions(records);
  return records.map((record, i) => ({ key: record.rowId, value: values[i]! }));
}

export interface SourceMessage {
  readonly topic: string;
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** The original message for the late topic, with where it came from. */
export function lateMessage(source: SourceMessage): Message {
  return forwarded(source, {});
}

/** The original message for the dead-letter topic, with the reason it was refused. */
export function deadLetterMessage(source: SourceMessage, reason: string): Message {
  return forwarded(source, { [REASON_HEADER]: reason });
}

function forwarded({ topic, partition, message }: SourceMessage, extra: Record<string, string>): Message {
  const headers: IHeaders = {
    ...(message.headers ?? {}),
    ...extra,
    [SOURCE_TOPIC_HEADER]: topic,
    [SOURCE_PARTITION_HEADER]: String(partition),
    [SOURCE_OFFSET_HEADER]: message.offset,
  };
  return { key: message.key, value: message.value, headers, timestamp: message.timestamp };
}

/**
 * A bounded label for the dead-letter counter (the full reason, which may
 * quote a value, goes in the header only).
 */
export function deadLetterKind(reason: string): string {
  if (reason.startsWith('empty message')) return 'empty';
  if (reason.startsWith('not JSON')) return 'not-json';
  if (reason.startsWith('not Avro') || reason.startsWith('truncated Avro')) return 'not-avro';
  if (reason.startsWith('unknown schema id')) return 'unknown-schema';
  if (/^schema id \d+ .*cannot be read as /.test(reason)) return 'incompatible-schema';
  if (reason.startsWith('not an object')) return 'not-object';
  if (/^field "[^"]*" is missing/.test(reason)) return 'missing-field';
  if (/^field "[^"]*" must be/.test(reason)) return 'invalid-field';
  return 'other';
}
