/**
 * One Kafka batch into the pipeline: control messages, decoding, dead
 * letters, the features/labels alignment (label-progress.ts), late rows. No
 * network I/O here: what is to be published collects in an Outbox, and the
 * service sends it before committing. Returns the last offset handled, so the
 * caller resolves exactly that far (a held-back tail is fetched again later).
 *
 * Decoding may need the schema registry (Avro). When it cannot be reached the
 * decode rejects; that is no fault of the messages, so they are not
 * dead-lettered: the caller's `retry` tries again (with backoff, heartbeating)
 * and, if it gives up (shutdown, partition revoked), the rest of the batch is
 * left unhandled — neither fed nor committed, so it is fetched again.
 */
import type { KafkaMessage, Message } from 'kafkajs';
import type { Codec } from '../../producer/codec/codec.js';
import { decodeFeatureBatch, decodeTargetBatch, type DecodedBatch } from '../../producer/codec/decode-batch.js';
import { LABEL_TIME_FIELD, type FeatureLayout, type TargetLayout } from '../../producer/codec/records.js';
import { controlKind, END_OF_STREAM } from '../../producer/kafka/end-of-stream.js';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { requireColumn, sliceFrame } from '../frame.js';
import type { MonitoringPipeline } from '../pipeline.js';
import { CommitTracker } from './commit-offsets.js';
import { deadLetterKind, deadLetterMessage, lateMessage } from './output-messages.js';
import { LabelProgress } from './label-progress.js';
import { RetryStopped } from '../../sink/service/backoff.js';
import { eventTimeCeiling, refuseBeyondCeiling } from '../window/event-time-ceiling.js';

/** Messages waiting to be published, by topic. */
export class Outbox {
  private readonly byTopic = new Map<string, Message[]>();

  add(topic: string, message: Message): void {
    let messages = this.byTopic.get(topic);
    if (!messages) this.byTopic.set(topic, (messages = []));
    messages.push(message);
  }

  get size(): number {
    let n = 0;
    for (const messages of this.byTopic.values()) n += messages.length;
    return n;
  }

  /** The topic messages to send, emptying the box. */
  drain(): { topic: string; messages: Message[] }[] {
    const batches = [...this.byTopic].map(([topic, messages]) => ({ topic, messages }));
    this.byTopic.clear();
    return batches;
  }
}

export interface BatchCounters {
  rowsAccepted(count: number): void;
  lateRows(count: number): void;
  deadLetter(kind: string): void;
}

export interface BatchHandlerOptions {
  readonly pipeline: MonitoringPipeline;
  readonly topics: TopicNames;
  readonly codec: Codec;
  readonly featureLayout: FeatureLayout;
  readonly targetLayout: TargetLayout;
  readonly labels: LabelProgress;
  readonly counters: BatchCounters;
  readonly warn: (fields: object, message: string) => void;
  /** Feature rows more than this past watermark + max out-of-orderness go to the dlq (ms; default: no bound). */
  readonly maxEventTimeAhead?: number;
}

/**
 * Runs a decode until it succeeds; rejects with RetryStopped (sink/service/
 * backoff.ts) when it gives up. The default tries once.
 */
export type DecodeRetry = <T>(decode: () => Promise<T>) => Promise<T>;

const once: DecodeRetry = (decode) => decode();

/** What handling a batch did. */
export interface HandledBatch {
  /** Last offset handled, or null when the batch's first message is held back. */
  readonly lastHandled: number | null;
  /** Event time of the first held-back row (the partition waits for the labels to reach it). */
  readonly heldAt: number | null;
}

export class BatchHandler {
  readonly featureCommits = new CommitTracker();
  readonly targetCommits = new CommitTracker();
  readonly outbox = new Outbox();
  private readonly endedFeatures = new Set<number>();
  /** The newest event time of a feature row accepted so far (the far-future guard's reference). */
  private newestEventTime = -Infinity;

  constructor(private readonly options: BatchHandlerOptions) {}

  /** The largest event time a feature row may have now (event-time-ceiling.ts). */
  private eventTimeCeiling(): number {
    return eventTimeCeiling(this.newestEventTime, this.options.maxEventTimeAhead ?? Infinity);
  }

  featuresEnded(partition: number): boolean {
    return this.endedFeatures.has(partition);
  }

  /** Feature rows with event time ≤ `bound` go to the pipeline; the rest of the batch is held back. */
  async features(partition: number, messages: readonly KafkaMessage[], bound: number, retry: DecodeRetry = once): Promise<HandledBatch> {
    const { pipeline, topics, featureLayout } = this.options;
    return this.walk(messages, async (chunk) => {
      const decoded = refuseBeyondCeiling(await retry(() => decodeFeatureBatch(chunk, featureLayout, { codec: this.options.codec, topic: topics.features })),
        chunk, featureLayout.eventTimeColumn, this.eventTimeCeiling());
      const eventTimes = requireColumn(decoded.frame, featureLayout.eventTimeColumn).values as Float64Array;
      for (let i = 0; i < eventTimes.length; i++) if (eventTimes[i]! > this.newestEventTime) this.newestEventTime = eventTimes[i]!;
      let cut = 0;
      while (cut < decoded.frame.rowCount && eventTimes[cut]! <= bound) cut++;
      const cutOffset = cut < decoded.frame.rowCount ? decoded.offsets[cut]! : Infinity;
      this.deadLetters(topics.features, partition, decoded, cutOffset);
      if (cut > 0) {
        const frame = cut === decoded.frame.rowCount ? decoded.frame : sliceFrame(decoded.frame, 0, cut);
        const offsets = decoded.offsets.subarray(0, cut);
        const result = await pipeline.addFeatures(partition, frame, { now: Date.now(), offsets });
        this.featureCommits.fed(partition, offsets[cut - 1]!);
        this.options.counters.rowsAccepted(result.accepted);
        if (result.lateRows.length > 0) {
          const byOffset = new Map(chunk.map((m) => [Number(m.offset), m]));
          for (const row of result.lateRows) {
            this.outbox.add(topics.late, lateMessage({ topic: topics.features, partition, message: byOffset.get(offsets[row]!)! }));
          }
          this.options.counters.lateRows(result.lateRows.length);
        }
      }
      return cut < decoded.frame.rowCount ? { cutOffset, heldAt: eventTimes[cut]! } : null;
    }, (offset) => this.featureCommits.handled(partition, offset), () => {
      this.endedFeatures.add(partition);
      pipeline.operator.revokePartitions([partition]); // its watermark is +∞ from now on
    });
  }

  async targets(partition: number, messages: readonly KafkaMessage[], retry: DecodeRetry = once): Promise<HandledBatch> {
    const { pipeline, topics, targetLayout, labels } = this.options;
    return this.walk(messages, async (chunk) => {
      const decoded = await retry(() => decodeTargetBatch(chunk, targetLayout, { codec: this.options.codec, topic: topics.targets }));
      this.deadLetters(topics.targets, partition, decoded, Infinity);
      const { frame, offsets } = decoded;
      if (frame.rowCount > 0) {
        const rowIds = requireColumn(frame, targetLayout.rowIdColumn).values as string[];
        const targets = requireColumn(frame, targetLayout.targetColumn).values as Float64Array | (string | null)[];
        const eventTimes = requireColumn(frame, targetLayout.eventTimeColumn).values as Float64Array;
        pipeline.addTargets(partition, rowIds, targets, { eventTimes, offsets });
        this.targetCommits.fed(partition, offsets[frame.rowCount - 1]!);
        const labelTimes = requireColumn(frame, LABEL_TIME_FIELD).values as Float64Array;
        let latest = -Infinity;
        for (const t of labelTimes) if (t > latest) latest = t;
        labels.observe(partition, latest);
      }
      return null;
    }, (offset) => this.targetCommits.handled(partition, offset), () => labels.end(partition));
  }

  /**
   * Walks a batch in runs of data messages separated by control messages.
   * `data` handles one run and returns where it stopped early, if it did.
   */
  private async walk(
    messages: readonly KafkaMessage[],
    data: (chunk: KafkaMessage[]) => Promise<{ cutOffset: number; heldAt: number } | null>,
    handled: (offset: number) => void,
    endOfStream: () => void,
  ): Promise<HandledBatch> {
    let lastHandled: number | null = null;
    let i = 0;
    while (i < messages.length) {
      const kind = controlKind(messages[i]!.headers);
      if (kind !== null) {
        if (kind === END_OF_STREAM) endOfStream();
        else this.options.warn({ kind, offset: messages[i]!.offset }, 'unknown control message ignored');
        lastHandled = Number(messages[i]!.offset);
        handled(lastHandled);
        i++;
        continue;
      }
      let j = i;
      while (j < messages.length && controlKind(messages[j]!.headers) === null) j++;
      const chunk = messages.slice(i, j);
      let stopped;
      try {
        stopped = await data(chunk);
      } catch (error) {
        // Gave up retrying the decode: nothing of this chunk was fed; stop before it.
        if (error instanceof RetryStopped) return { lastHandled, heldAt: null };
        throw error;
      }
      if (stopped) {
        const before = stopped.cutOffset - 1;
        if (before >= Number(messages[0]!.offset)) {
          lastHandled = before;
          handled(before);
        }
        return { lastHandled, heldAt: stopped.heldAt };
      }
      lastHandled = Number(chunk.at(-1)!.offset);
      handled(lastHandled);
      i = j;
    }
    return { lastHandled, heldAt: null };
  }

  /** Undecodable or invalid messages below `beforeOffset` → the dead-letter topic, counted. */
  private deadLetters(topic: string, partition: number, decoded: DecodedBatch<KafkaMessage>, beforeOffset: number): void {
    for (const { message, reason } of decoded.invalid) {
      if (Number(message.offset) >= beforeOffset) continue;
      this.outbox.add(this.options.topics.dlq, deadLetterMessage({ topic, partition, message }, reason));
      this.options.counters.deadLetter(deadLetterKind(reason));
    }
  }
}
