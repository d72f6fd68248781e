/**
 * Publishing what a batch produced — window metrics, predictions, retrain
 * requests, late rows, dead letters — in slices of at most SLICE_MESSAGES
 * messages, one `sendBatch` after the other, each acknowledged before the
 * next (the idempotent producer keeps each partition's order).
 *
 * Why slices: a window's last fire publishes one prediction per row. Built at
 * once, a million-row window means a million records and messages in memory
 * together; and kafkajs groups a sendBatch's messages by partition with an
 * array copy per message (kafkajs/src/producer/groupMessagesPerPartition.js:
 * `[...current, message]`), quadratic in the batch. A slice keeps both small.
 * The caller commits its input offsets only after every slice is acked, so a
 * crash between slices re-derives and re-sends the whole set (the sink's
 * upserts make the repeats harmless).
 */
import type { Message } from 'kafkajs';
import type { Config } from '../../cli/config.js';
import { predictionsOf } from '../embedded-run.js';
import type { WindowOutput } from '../pipeline.js';
import type { ResultsCodec } from '../results-codec.js';
import type { MonitorSpec } from '../window-metrics.js';
import { predictionMessages } from './output-messages.js';

export const SLICE_MESSAGES = 4096;

export type TopicMessages = { topic: string; messages: Message[] }[];
/** One acknowledged sendBatch (with whatever retry policy the caller wants). */
export type SendBatch = (topicMessages: TopicMessages) => Promise<unknown>;

/** Sends `topicMessages` (any sizes) as slices of at most SLICE_MESSAGES messages, in order. */
export async function sendInSlices(send: SendBatch, topicMessages: TopicMessages): Promise<void> {
  let slice: TopicMessages = [];
  let size = 0;
  for (const { topic, messages } of topicMessages) {
    for (let from = 0; from < messages.length;) {
      const take = Math.min(SLICE_MESSAGES - size, messages.length - from);
      slice.push({ topic, messages: messages.slice(from, from + take) });
      size += take;
      from += take;
      if (size === SLICE_MESSAGES) {
        await send(slice);
        slice = [];
        size = 0;
      }
    }
  }
  if (size > 0) await send(slice);
}

/** Every fired window's predictions, built, encoded and sent a slice at a time. */
export async function sendPredictions(send: SendBatch, options: {
  readonly topic: string;
  readonly results: ResultsCodec;
  readonly outputs: readonly WindowOutput[];
  readonly spec: MonitorSpec;
  readonly config: Config;
}): Promise<void> {
  const { topic, results, outputs, spec, config } = options;
  for (const output of outputs) {
    const rows = output.fire.frame.rowCount;
    for (let start = 0; start < rows; start += SLICE_MESSAGES) {
      const records = predictionsOf(output, spec, config, start, start + SLICE_MESSAGES);
      await send([{ topic, messages: await predictionMessages(results, records) }]);
    }
  }
}
