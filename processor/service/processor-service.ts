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
 *
 * Messages are read with the deployment's codec (JSON, or Avro with a schema
 * registry) and results written in the matching format (results-codec.ts).
 * A registry that cannot be reached while decoding holds the batch: it is
 * retried with backoff (heartbeating), never dead-lettered or committed.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../../cli/config.js';
import { ingestSettingsOf } from '../../cli/ingest-config.js';
import { OperatorMetrics } from '../../sink/metrics/operator-metrics.js';
import type { Codec } from '../../producer/codec/codec.js';
import { jsonCodec } from '../../producer/codec/json.js';
import { createReplayProducer } from '../../producer/kafka/replay-producer.js';
import { ensureTopics, type TopicNames } from '../../producer/kafka/topics.js';
import type { PipelineMetrics } from '../../sink/metrics/pipeline-metrics.js';
import type { ModelRunner } from '../model/types.js';
import type { MonitoringPipeline, WindowOutput } from '../pipeline.js';
import { resultsCodecOf, type ResultsCodec } from '../results-codec.js';
import type { MonitorSpec, ReferenceProfiles } from '../window-metrics.js';
import { BatchHandler } from './batch-handler.js';
import { ConsumerLag } from './consumer-lag.js';
import { decodeRetry } from './decode-retry.js';
import { LabelProgress } from './label-progress.js';
import { windowMetricsMessages } from './output-messages.js';
import { sendInSlices, sendPredictions, type TopicMessages } from './publish-results.js';
import { featureLayoutOf, pipelineOf, targetLayoutOf } from './pipeline-config.js';
import { RetrainSignal } from '../retrain/retrain-signal.js';
import { throughOutages } from '../../producer/kafka/broker-outage.js';
import { ConsumerSupervisor, manualBatches } from '../../producer/kafka/consumer-supervisor.js';

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
  /** Features and targets are read with it; results are written in the matching format (default JSON). */
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
  /**
   * CPU time of the whole process (every thread: inference too) over the
   * same span; rows per CPU second is steadier than rows/s on a busy machine.
   */
  readonly processingCpuSeconds: number;
  readonly seconds: number;
}

const LAG_POLL_MS = 1000;

export class ProcessorService {
  private readonly pipeline: MonitoringPipeline;
  private readonly spec: MonitorSpec;
  private readonly handler: BatchHandler;
  private readonly results: ResultsCodec;
  private readonly labels = new LabelProgress();
  private readonly lag = new ConsumerLag();
  private readonly operatorMetrics: OperatorMetrics;
  /** Drift episodes → one request each on <prefix>.retrain (processor/retrain/). */
  private readonly retrain: RetrainSignal;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  /** Restarts the consumer after a broker outage longer than kafkajs' own retries. */
  private readonly supervisor: ConsumerSupervisor;
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
  private cpuAtFirstBatch: NodeJS.CpuUsage | undefined;
  /** CPU time from the first batch to the last one handled. */
  private cpuToLastBatch: NodeJS.CpuUsage | undefined;
  private readonly counts = { rows: 0, lateRows: 0, deadLetters: 0, windowRevisions: 0 };
  private resolveDone!: () => void;
  /** Resolves once the service has stopped (signal or end of stream). */
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly options: ProcessorServiceOptions) {
    const { config, kafka, metrics, topics } = options;
    const modelLabel = { model: config.model.name };
    const codec = options.codec ?? jsonCodec;
    this.results = resultsCodecOf(codec, topics);
    ({ pipeline: this.pipeline, spec: this.spec } = pipelineOf(config, options.model, options.reference,
      (seconds) => metrics.inferenceDuration.observe(modelLabel, seconds)));
    this.operatorMetrics = new OperatorMetrics(metrics.registry);
    this.retrain = new RetrainSignal(config, topics['window-metrics']);
    this.handler = new BatchHandler({
      pipeline: this.pipeline,
      topics,
      codec,
      featureLayout: featureLayoutOf(config),
      maxEventTimeAhead: ingestSettingsOf(config).max_event_time_ahead,
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
    this.supervisor = new ConsumerSupervisor(this.consumer, {
      runConfig: manualBatches((payload) => this.onBatch(payload)),
      log: options.logger,
      onGiveUp: options.onFatal,
    });
  }

  async start(): Promise<void> {
    const { topics, logger } = this.options;
    await this.admin.connect();
    const ensured = await ensureTopics(this.admin, [...Object.values(topics), this.retrain.topic], this.options.partitions, this.options.replicationFactor);
    if (ensured.created.length > 0) logger.info({ topics: ensured.created }, 'created topics');
    await this.producer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => this.onAssignment(payload.memberAssignment));
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topics.features, topics.targets], fromBeginning: true });
    // Only the gauges and the labels' catch-up depend on it, and the timer polls again every second:
    // a cluster whose group coordinator is still loading (a fresh broker) must not stop the start.
    await this.pollLag().catch((error) => logger.warn({ err: error }, 'first consumer lag poll failed; polling again every second'));
    await this.supervisor.run();
    this.pollTimer = setInterval(() => this.pollSoon(), LAG_POLL_MS);
    this.pollTimer.unref();
  }

  /**
   * Registers the results' Avro schemas (a no-op for JSON), so a registry
   * that refuses them or cannot be reached stops the start, not the first
   * window. Without it they are registered when the first window fires.
   */
  async registerResultSchemas(): Promise<void> {
    await this.results.encodeWindows([]);
    await this.results.encodePredictions([]);
  }

  /** For /readyz: the cluster answers a metadata request. */
  async brokerReachable(): Promise<boolean> {
    await this.admin.describeCluster();
    return true;
  }

  summary(): ProcessorSummary {
    const processing = this.firstBatchAt === undefined ? 0 : (this.lastBatchAt! - this.firstBatchAt) / 1000;
    const cpu = this.cpuToLastBatch;
    const cpuSeconds = cpu === undefined ? 0 : (cpu.user + cpu.system) / 1e6;
    return { ...this.counts, finished: this.finished, processingSeconds: processing, processingCpuSeconds: cpuSeconds, seconds: (performance.now() - this.started) / 1000 };
  }

  /** SIGTERM: stop fetching, publish what is due, commit, disconnect. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const { topics, logger } = this.options;
      clearInterval(this.pollTimer);
      this.supervisor.stop();
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

  private onBatch({ batch, resolveOffset, pause, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    return this.serially(async () => {
      if (this.stopping || !isRunning() || isStale() || batch.messages.length === 0) return;
      const { topics } = this.options;
      const { partition } = batch;
      if (this.firstBatchAt === undefined) {
        this.firstBatchAt = performance.now();
        this.cpuAtFirstBatch = process.cpuUsage();
      }
      const arrived = Date.now();
      const retry = decodeRetry({ logger: this.options.logger, topic: batch.topic, partition, heartbeat,
        shouldStop: () => !!this.stopping || !isRunning() || isStale() });
      let handled;
      try {
        if (batch.topic === topics.features) {
          handled = await this.handler.features(partition, batch.messages, await this.freshLabelBound(arrived), retry);
          if (handled.heldAt !== null) {
            this.held.set(partition, { eventTime: handled.heldAt, since: arrived });
            pause();
            this.pollSoon();
          }
        } else {
          handled = await this.handler.targets(partition, batch.messages, retry);
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
      this.cpuToLastBatch = process.cpuUsage(this.cpuAtFirstBatch);
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
    const windows = outputs.map((output) => output.metrics);
    for (const message of await windowMetricsMessages(this.results, windows)) outbox.add(topics['window-metrics'], message);
    for (const window of windows) {
      const retrain = this.retrain.messageFor(window);
      if (retrain) outbox.add(this.retrain.topic, retrain);
    }
    // A broker outage is waited out (idempotent producer: a re-send is never a
    // duplicate); anything else still fails the batch and the process restarts.
    const onRetry = (error: unknown, attempt: number, delayMs: number) =>
      this.options.logger.warn({ err: error, attempt, retryInMs: delayMs }, 'Kafka unavailable; retrying the publish/commit');
    const send = (topicMessages: TopicMessages) => throughOutages(() => this.producer.sendBatch({ topicMessages, acks: -1 }), { onRetry });
    await sendInSlices(send, outbox.drain());
    await sendPredictions(send, { topic: topics.predictions, results: this.results, outputs, spec: this.spec, config });
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
    await throughOutages(() => this.consumer.commitOffsets(offsets), { onRetry });
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

  /**
   * The bound for features fetched at `since`. "Caught up" needs a look at the
   * targets taken after the fetch, which the periodic poll cannot have yet: a
   * batch held for that reason alone would be released by the next poll,
   * fetched again — at a new `since` — and held again, for ever, whenever the
   * features run ahead of every label (a live tail, a gap in the labels). So
   * when the bound holds rows back, look at the targets once more first.
   */
  private async freshLabelBound(since: number): Promise<number> {
    const bound = this.labelBound(since);
    if (bound === Infinity) return bound;
    await this.pollLag().catch((error) => this.options.logger.warn({ err: error }, 'consumer lag poll failed'));
    return this.labelBound(since);
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
    this.operatorMetrics.sync(config.model.name, this.pipeline.operator.stats());
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
