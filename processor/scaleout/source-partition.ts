/**
 * One source partition number p owned by a scale-out instance: features p
 * and targets p (the co-partition assigner keeps them together), its own
 * window operator — so its watermark is p's watermark alone and every fire
 * is p's share of a window — and what it has already told the merge step.
 *
 * A fired window becomes a partial message (partial-messages.ts) when its
 * content (rows, labelled rows) changed since the last one sent from here;
 * a re-fire that changes nothing (the label-timeout fire) sends nothing.
 *
 * Offsets: the operator's safe offsets, as in one instance — a record is
 * committed once the window holding it was purged and its final share
 * published. Committing earlier, once any share was published, would lose
 * labels: after a crash the window's rows would not be re-read, so labels
 * still to come could not join them. One exception: an end-of-stream
 * control message is never committed past, so whoever owns p next reads it
 * again and reports p as ended (else the merge would wait for p forever).
 */
import type { KafkaMessage, Message } from 'kafkajs';
import type { Config } from '../../cli/config.js';
import { isEndOfStream } from '../../producer/kafka/end-of-stream.js';
import type { TopicNames } from '../../producer/kafka/topics.js';
import type { Codec } from '../../producer/codec/codec.js';
import type { ModelRunner } from '../model/types.js';
import type { MonitoringPipeline } from '../pipeline.js';
import { pipelineOf } from '../pipeline-config.js';
import type { FireEvent } from '../window/window-operator.js';
import type { MonitorSpec, ReferenceProfiles } from '../window-metrics.js';
import { BatchHandler, type BatchCounters } from '../service/batch-handler.js';
import { LabelProgress } from '../service/label-progress.js';
import { featureLayoutOf, targetLayoutOf } from '../service/pipeline-config.js';
import { partialMessage, type SourceWatermark } from './partial-messages.js';

export interface SourcePartitionDeps {
  readonly config: Config;
  readonly model: ModelRunner;
  readonly reference: ReferenceProfiles;
  readonly topics: TopicNames;
  readonly codec: Codec;
  readonly counters: BatchCounters;
  readonly onInference?: (seconds: number) => void;
  readonly warn: (fields: object, message: string) => void;
  readonly maxEventTimeAhead?: number;
}

export class SourcePartition {
  readonly pipeline: MonitoringPipeline;
  readonly spec: MonitorSpec;
  readonly handler: BatchHandler;
  readonly labels = new LabelProgress();
  /** Paused: event time of the first held-back row, and when it was fetched. */
  held: { eventTime: number; since: number } | null = null;
  private finishedWindows = false;
  private readonly sent = new Map<number, { rows: number; labelled: number }>();
  private readonly endOffsets = new Map<string, number>();
  /** Per topic, the offset last committed for this partition. */
  private readonly committed = new Map<string, number>();
  private lastRowsAt: number;

  constructor(readonly partition: number, private readonly deps: SourcePartitionDeps, now: number) {
    const { config } = deps;
    ({ pipeline: this.pipeline, spec: this.spec } = pipelineOf(config, deps.model, deps.reference, deps.onInference));
    this.labels.assign([partition]);
    this.handler = new BatchHandler({
      pipeline: this.pipeline,
      topics: deps.topics,
      codec: deps.codec,
      featureLayout: featureLayoutOf(config),
      targetLayout: targetLayoutOf(config, this.pipeline),
      labels: this.labels,
      counters: deps.counters,
      warn: deps.warn,
      maxEventTimeAhead: deps.maxEventTimeAhead,
    });
    this.pipeline.operator.assignPartitions([partition], now);
    this.lastRowsAt = now;
  }

  /** Every window fired its last share: features and targets both ended. */
  get finished(): boolean {
    return this.finishedWindows;
  }

  /** Notes where the batch's end-of-stream message is and when rows last came (for idleness). */
  sawBatch(topic: string, messages: readonly KafkaMessage[], now: number): void {
    for (const message of messages) if (isEndOfStream(message)) this.endOffsets.set(topic, Number(message.offset));
    if (topic === this.deps.topics.features && messages.some((m) => !isEndOfStream(m))) this.lastRowsAt = now;
  }

  /**
   * Advances the watermark and turns what fired into partial messages (for
   * the partials topic); once both topics ended, fires every window a last
   * time.
   */
  partials(now: number): Message[] {
    const { operator } = this.pipeline;
    const fires = operator.advanceWatermark(now).fires;
    if (!this.finishedWindows && this.handler.featuresEnded(this.partition) && this.labels.hasEnded(this.partition)) {
      fires.push(...operator.finish().fires);
      this.finishedWindows = true;
    }
    const messages: Message[] = [];
    for (const fire of fires) {
      const message = this.partialOf(fire);
      if (message) messages.push(message);
    }
    return messages;
  }

  /** The partition's progress for the merge step. */
  progress(now: number): SourceWatermark {
    const watermark = this.finishedWindows ? Infinity : this.pipeline.operator.watermark;
    // Once its features ended, a partition may still join labels into its open
    // windows: it holds the merge back (never idle) until its targets end too.
    const idle = !this.finishedWindows && !this.handler.featuresEnded(this.partition)
      && now - this.lastRowsAt > this.pipeline.operator.config.idleTimeout;
    return { sourcePartition: this.partition, watermark, idle };
  }

  /** Offsets to commit now (only those that moved), per topic; `markCommitted` once done. */
  commits(): { features: Map<number, number>; targets: Map<number, number> } {
    const safe = this.pipeline.operator.safeCommitOffsets();
    const { features: featuresTopic, targets: targetsTopic } = this.deps.topics;
    return {
      features: this.clampAtEnd(featuresTopic, this.handler.featureCommits.due(safe.records)),
      targets: this.clampAtEnd(targetsTopic, this.handler.targetCommits.due(safe.targets)),
    };
  }

  markCommitted(offsets: { features: Map<number, number>; targets: Map<number, number> }): void {
    this.handler.featureCommits.markCommitted(offsets.features);
    this.handler.targetCommits.markCommitted(offsets.targets);
    const { features, targets } = this.deps.topics;
    for (const [topic, map] of [[features, offsets.features], [targets, offsets.targets]] as const) {
      const offset = map.get(this.partition);
      if (offset !== undefined) this.committed.set(topic, offset);
    }
  }

  private clampAtEnd(topic: string, due: Map<number, number>): Map<number, number> {
    const end = this.endOffsets.get(topic);
    const offset = due.get(this.partition);
    if (end === undefined || offset === undefined || offset <= end) return due;
    if ((this.committed.get(topic) ?? -Infinity) >= end) due.delete(this.partition);
    else due.set(this.partition, end);
    return due;
  }

  private partialOf(fire: FireEvent): Message | null {
    const { operator } = this.pipeline;
    const rows = fire.frame.rowCount;
    const labelled = fire.labelledRows;
    const last = this.sent.get(fire.windowStart);
    if (fire.final) this.sent.delete(fire.windowStart);
    else this.sent.set(fire.windowStart, { rows, labelled });
    if (last && last.rows === rows && last.labelled === labelled) return null;
    const { eventTimeColumn, rowIdColumn, targetColumn, targetKind } = operator.config;
    return partialMessage(
      { model: this.spec.model, windowStart: fire.windowStart, windowEnd: fire.windowEnd, sourcePartition: this.partition, rows, labelledRows: labelled, final: fire.final },
      { eventTimeColumn, rowIdColumn, targetColumn, targetKind },
      fire.frame,
      fire.duplicates,
      fire.sketches,
    );
  }
}
