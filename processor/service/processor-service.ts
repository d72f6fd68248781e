/**
 * `driftwatch process`: the MonitoringPipeline fed by a Kafka consumer group.
 *
 * Per batch (one partition of features or targets, handled one at a time):
 * decode and feed it (batch-handler.ts), advance the watermark, publish what
 * fired — window metrics, predictions, late rows, dead letters — with the
 * idempotent producer and wait for the acks, THEN commit the offsets the
 * window operator no longer needs. A crash anywhere re-reads from those
 * offsets and re-derives the open windows (DESIGN core idea 4).
 *
 * If publishing fails after the pipeline took the batch, the fired windows
 * exist only in memory: the service reports it as fatal and the process must
 * exit, so a restart re-derives them, rather than commit past them.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../../cli/config.js';
import type { Codec } from '../../producer/codec/codec.js';
import { jsonCodec } from '../../producer/codec/json.js';
import { createReplayProducer } from '../../producer/kafka/replay-producer.js';
import { ensureTopics, type TopicNames } from '../../producer/kafka/topics.js';
import type { PipelineMetrics } from '../../sink/metrics/pipeline-metrics.js';
import { predictionsOf } from '../embedded-run.js';
import type { ModelRunner } from '../model/types.js';
import type { MonitoringPipeline, WindowOutput } from '../pipeline.js';
import type { MonitorSpec, ReferenceProfiles } from '../window-metrics.js';
import { BatchHandler } from './batch-handler.js';
import { ConsumerLag } from './consumer-lag.js';
import { LabelProgress } from './label-progress.js';
import { predictionMessage, windowMetricsMessage } from './output-messages.js';
import { featureLayoutOf, pipelineOf, targetLayoutOf } from './pipeline-config.js';

export interface ProcessorServiceOptions {
  readonly config: Config;
  readonly kafka: Kafka;
  readonly topics: TopicNames;
  readonly groupId: string;
  readonly model: ModelRunner;
  readonly reference: ReferenceProfiles;
  readonly metrics: PipelineMetrics;
  readonly logger: Logger;
  /** Partitions and replication factor of topics created at start-up (existing ones are left alone). */
  readonly partitions: number;
  readonly replicationFactor: number;
  /** Stop (cleanly) once every partition has sent its end-of-stream message and the last windows are out. */
  readonly exitOnEndOfStream: boolean;
  readonly sessionTimeoutMs?: number;
  readonly codec?: Codec;
  /** Publishing or committing failed after the pipeline took a batch: the process must exit. */
  readonly onFatal: (error: Error) => void;
}

export interface ProcessorSummary {
  readonly rows: number;
  readonly lateRows: number;
  readonly deadLetters: number;
  readonly windowRevisions: number;
  readonly finished: boolean;
  /** From the first batch to the last one handled (the throughput's denominator). */
  readonly processingSeconds: number;
  readonly seconds: number;
}

const LAG_POLL_MS = 1000;

export class ProcessorService {
  private readonly pipeline: MonitoringPipeline;
  private readonly spec: MonitorSpec;
  private readonly handler: BatchHandler;
  private readonly labels = new LabelProgress();
  private readonly lag = new ConsumerLag();
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  private assignedFeatures: number[] = [];
  private assignedTargets: number[] = [];
  /** Paused features partitions → event time of their first held-back row, and when it was fetched (at the latest). */
  private readonly held = new Map<number, { eventTime: number; since: number }>();
  private queue: Promise<unknown> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private stopping: Promise<void> | undefined;
  private finished = false;
  private readonly started = performance.now();
  private firstBatchAt: number | undefined;
  private lastBatchAt: number | undefined;
  private readonly counts = { rows: 0, lateRows: 0, deadLetters: 0, windowRevisions: 0 };
  private resolveDone!: () => void;
  /** Resolves once the service has stopped (signal or end of stream). */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly options: ProcessorServiceOptions) {
    const { config, kafka, metrics, topics } = options;
    const modelLabel = { model: config.model.name };
    ({ pipeline: this.pipeline, spec: this.spec } = pipelineOf(config, options.model, options.reference,
      (seconds) => metrics.inferenceDuration.observe(modelLabel, seconds)));
    this.handler = new BatchHandler({
      pipeline: this.pipeline,
      topics,
      codec: options.codec ?? jsonCodec,
      featureLayout: featureLayoutOf(config),
      targetLayout: targetLayoutOf(config, this.pipeline),
      labels: this.labels,
      counters: {
        rowsAccepted: (n) => { this.counts.rows += n; metrics.rowsProcessed.inc(modelLabel, n); },
        lateRows: (n) => { this.counts.lateRows += n; metrics.lateRows.inc(modelLabel, n); },
        deadLetter: (reason) => { this.counts.deadLetters++; metrics.dlqMessages.inc({ reason }); },
      },
      warn: (fields, message) => options.logger.warn(fields, message),
    });
    this.admin = kafka.admin();
    this.producer = createReplayProducer(kafka);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3000, Math.floor((options.sessionTimeoutMs ?? 30_000) / 5)),
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    const { topics, logger } = this.options;
    await this.admin.connect();
    const ensured = await ensureTopics(this.admin, Object.values(topics), this.options.partitions, this.options.replicationFactor);
    if (ensured.created.length > 0) logger.info({ topics: ensured.created }, 'created topics');
    await this.producer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberAssignment));
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topics.features, topics.targets], fromBeginning: true });
    await this.pollLag();
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.pollTimer = setInterval(() => this.pollSoon(), LAG_POLL_MS);
    this.pollTimer.unref();
  }

  /** For /readyz: the cluster answers a metadata request. */
  async brokerReachable(): Promise<boolean> {
    await this.admin.describeCluster();
    return true;
  }

  summary(): ProcessorSummary {
    const processing = this.firstBatchAt === undefined ? 0 : (this.lastBatchAt! - this.firstBatchAt) / 1000;
    return { ...this.counts, finished: this.finished, processingSeconds: processing, seconds: (performance.now() - this.started) / 1000 };
  }

  /** SIGTERM: stop fetching, publish what is due, commit, disconnect. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const { topics, logger } = this.options;
      clearInterval(this.pollTimer);
      try {
        this.consumer.pause([{ topic: topics.features }, { topic: topics.targets }]);
        await this.serially(async () => this.publishAndCommit(this.finished ? [] : this.pipeline.advance(Date.now())));
      } catch (error) {
        logger.error({ err: error }, 'final publish failed; uncommitted records will be re-read on restart');
      }
      await Promise.allSettled([this.consumer.disconnect(), this.producer.disconnect()]);
      await this.admin.disconnect().catch(() => undefined);
      this.resolveDone();
    })();
    return this.stopping;
  }

  private onAssignment(assignment: Record<string, number[]>): void {
    const { topics } = this.options;
    const features = assignment[topics.features] ?? [];
    const targets = assignment[topics.targets] ?? [];
    const revoked = this.assignedFeatures.filter((p) => !features.includes(p));
    this.pipeline.operator.revokePartitions(revoked);
    this.pipeline.operator.assignPartitions(features.filter((p) => !this.handler.featuresEnded(p)), Date.now());
    this.assignedFeatures = [...features];
    this.assignedTargets = [...targets];
    this.labels.assign(targets);
    // The group restarts every partition at its committed offset: nothing is held back any more.
    const paused = [...this.held.keys()];
    this.held.clear();
    if (paused.length > 0) this.consumer.resume([{ topic: topics.features, partitions: paused }]);
    this.options.logger.info({ features, targets }, 'partitions assigned');
  }

  private onBatch({ batch, resolveOffset, pause, isRunning, isStale }: EachBatchPayload): Promise<void> {
    return this.serially(async () => {
      if (this.stopping || !isRunning() || isStale() || batch.messages.length === 0) return;
      const { topics } = this.options;
      const { partition } = batch;
      this.firstBatchAt ??= performance.now();
      const arrived = Date.now();
      let handled;
      try {
        if (batch.topic === topics.features) {
          handled = await this.handler.features(partition, batch.messages, this.labelBound(arrived));
          if (handled.heldAt !== null) {
            this.held.set(partition, { eventTime: handled.heldAt, since: arrived });
            pause();
            this.pollSoon();
          }
        } else {
          handled = await this.handler.targets(partition, batch.messages);
        }
        const outputs = this.pipeline.advance(Date.now());
        if (!this.finished && this.allEnded()) {
          outputs.push(...this.pipeline.finish());
          this.finished = true;
          this.options.logger.info('every partition reached its end of stream: fired every window');
        }
        await this.publishAndCommit(outputs);
      } catch (error) {
        this.options.onFatal(error as Error);
        throw error;
      }
      if (handled.lastHandled !== null) {
        resolveOffset(String(handled.lastHandled));
        this.lag.consumed(batch.topic, partition, handled.lastHandled + 1, Number(batch.highWatermark));
      }
      this.lastBatchAt = performance.now();
      this.resumeReleased();
      this.updateGauges();
      if (this.finished && this.options.exitOnEndOfStream) setImmediate(() => void this.stop());
    });
  }

  /** Publishes the fired windows and whatever the batch handed back, waits for the acks, then commits. */
  private async publishAndCommit(outputs: readonly WindowOutput[]): Promise<void> {
    const { topics, config, metrics } = this.options;
    const firedAt = performance.now();
    const outbox = this.handler.outbox;
    for (const output of outputs) {
      outbox.add(topics['window-metrics'], windowMetricsMessage(output.metrics));
      for (const record of predictionsOf(output, this.spec, config)) outbox.add(topics.predictions, predictionMessage(record));
    }
    if (outbox.size > 0) await this.producer.sendBatch({ topicMessages: outbox.drain(), acks: -1 });
    for (const output of outputs) {
      metrics.recordWindow(output.metrics);
      metrics.windowCloseLatency.observe({ model: output.metrics.model }, (performance.now() - firedAt) / 1000);
    }
    this.counts.windowRevisions += outputs.length;
    const safe = this.pipeline.operator.safeCommitOffsets();
    const features = this.handler.featureCommits.due(safe.records);
    const targets = this.handler.targetCommits.due(safe.targets);
    const offsets = [
      ...[...features].map(([partition, offset]) => ({ topic: topics.features, partition, offset: String(offset) })),
      ...[...targets].map(([partition, offset]) => ({ topic: topics.targets, partition, offset: String(offset) })),
    ];
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(offsets);
    this.handler.featureCommits.markCommitted(features);
    this.handler.targetCommits.markCommitted(targets);
  }

  /**
   * Feature rows fetched before `since` up to this event time may go in
   * (see label-progress.ts; consumer-lag.ts for why "caught up" needs a
   * poll newer than the rows).
   */
  private labelBound(since: number): number {
    return this.labels.bound((partition) => this.lag.caughtUpSince(this.options.topics.targets, partition, since));
  }

  private resumeReleased(): void {
    if (this.held.size === 0 || this.stopping) return;
    const released = [...this.held].filter(([, held]) => held.eventTime <= this.labelBound(held.since)).map(([partition]) => partition);
    if (released.length === 0) return;
    for (const partition of released) this.held.delete(partition);
    this.consumer.resume([{ topic: this.options.topics.features, partitions: released }]);
  }

  private allEnded(): boolean {
    const features = this.assignedFeatures.every((p) => this.handler.featuresEnded(p));
    return this.assignedFeatures.length + this.assignedTargets.length > 0 && features && this.labels.allEnded();
  }

  /** A held-back partition may only be waiting for a fresh look at the targets' high watermarks. */
  private pollSoon(): void {
    if (this.polling) {
      this.pollAgain = true; // the poll in flight may have started before what now waits for it
      return;
    }
    this.polling = this.pollLag()
      .catch((error) => this.options.logger.warn({ err: error }, 'consumer lag poll failed'))
      .finally(() => {
        this.polling = undefined;
        if (this.pollAgain && !this.stopping) {
          this.pollAgain = false;
          this.pollSoon();
        }
      });
  }

  private async pollLag(): Promise<void> {
    const { topics, groupId } = this.options;
    await this.lag.poll(this.admin, groupId, [topics.features, topics.targets]);
    this.resumeReleased();
    this.updateGauges();
  }

  private updateGauges(): void {
    const { metrics, config } = this.options;
    for (const { topic, partition, lag } of this.lag.entries()) metrics.consumerLag.set({ topic, partition: String(partition) }, lag);
    const watermark = this.pipeline.operator.watermark;
    if (Number.isFinite(watermark)) metrics.watermarkLag.set({ model: config.model.name }, (Date.now() - watermark) / 1000);
  }

  /** Batches, the final flush and nothing else run one at a time. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
