/**
 * Publishing what a batch produced — window metrics, predictions, retrain
 * requests, late rows, dead letters — in slices of at most SLICE_MESSAGES
 * messages, one `sendBatch` after the other, each acknowledged before the
 * next is sent (the idempotent producer keeps each partition's order). While
 * a slice waits for its acks, the next one is gathered (predictions: built
 * and encoded), so the broker's round trip overlaps with that work.
 *
 * Why slices: a window's last fire publishes one prediction per row. Built at
 * once, a million-row window means a million records and messages in memory
 * together; and kafkajs groups a sendBatch's messages by partition with an
 * array copy per message (kafkajs/src/producer/groupMessagesPerPartition.js:
 * `[...current, message]`), quadratic in the batch. A slice keeps both small
 * (at most two slices exist at once: the one in flight and the next).
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

/**
 * Sends slices one at a time, in order: `send` waits for the previous slice's
 * acks before handing the next to the producer, but returns as soon as it
 * has, so the caller can gather the slice after it meanwhile. `end` waits for
 * the last. A failed slice fails the next `send` (or `end`), and nothing after
 * it is sent.
 */
class SerialSender {
  private inFlight: Promise<unknown> | null = null;

  constructor(private readonly sendBatch: SendBatch) {}

  async send(slice: TopicMessages): Promise<void> {
    await this.settled();
    const sending = this.sendBatch(slice);
    sending.catch(() => undefined); // awaited by the next send or end(): not an unhandled rejection meanwhile
    this.inFlight = sending;
  }

  /** Waits for the slice in flight; rethrows its failure. */
  async end(): Promise<void> {
    await this.settled();
  }

  /** After a failure elsewhere: lets the slice in flight finish (its outcome no longer matters). */
  async abandon(): Promise<void> {
    const pending = this.inFlight;
    this.inFlight = null;
    if (pending) await pending.catch(() => undefined);
  }

  private async settled(): Promise<void> {
    const pending = this.inFlight;
    this.inFlight = null;
    if (pending) await pending;
  }
}

/** Runs `gather` with a SerialSender, then waits for its last slice; on a failure, lets the slice in flight finish first. */
async function sendSerially(send: SendBatch, gather: (sender: SerialSender) => Promise<void>): Promise<void> {
  const sender = new SerialSender(send);
  try {
    await gather(sender);
    await sender.end();
  } catch (error) {
    await sender.abandon();
    throw error;
  }
}

/** Sends `topicMessages` (any sizes) as slices of at most SLICE_MESSAGES messages, in order. */
export async function sendInSlices(send: SendBatch, topicMessages: TopicMessages): Promise<void> {
  await sendSerially(send, async (sender) => {
    let slice: TopicMessages = [];
    let size = 0;
    for (const { topic, messages } of topicMessages) {
      for (let from = 0; from < messages.length;) {
        const take = Math.min(SLICE_MESSAGES - size, messages.length - from);
        slice.push({ topic, messages: take === messages.length ? messages : messages.slice(from, from + take) });
        size += take;
        from += take;
        if (size === SLICE_MESSAGES) {
          await sender.send(slice);
          slice = [];
          size = 0;
        }
      }
    }
    if (size > 0) await sender.send(slice);
  });
}

/**
 * Every fired window's predictions, built, encoded and sent a slice at a
 * time — each window's own slices, as kafkajs' grouping is quadratic in the
 * messages per partition of one sendBatch (see above): filling 4,096-message
 * slices across the 1,440-row windows of bench/kafka cost more CPU there than
 * the round trips it saved, now that each round trip overlaps the next
 * slice's building.
 */
export async function sendPredictions(send: SendBatch, options: {
  readonly topic: string;
  readonly results: ResultsCodec;
  readonly outputs: readonly WindowOutput[];
  readonly spec: MonitorSpec;
  readonly config: Config;
}): Promise<void> {
  const { topic, results, outputs, spec, config } = options;
  await sendSerially(send, async (sender) => {
    for (const output of outputs) {
      const rows = output.fire.frame.rowCount;
      for (let start = 0; start < rows; start += SLICE_MESSAGES) {
        const records = predictionsOf(output, spec, config, start, start + SLICE_MESSAGES);
        await sender.send([{ topic, messages: await predictionMessages(results, records) }]);
      }
    }
  });
}
