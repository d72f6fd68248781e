/**
 * `driftwatch process --scale-out`: one of N processor instances that
 * together give the one answer a single instance gives (issue 7, DESIGN
 * core idea 2).
 *
 * Source side (this file, source-partition.ts): a consumer group on
 * features + targets with the co-partition assigner, so features p and
 * targets p — a row and its label — are read by the same instance. Each
 * partition p has its own window operator; what fires is p's share of a
 * window, published to `<prefix>.window-partials` keyed by window, followed
 * by p's watermark (broadcast to every partials partition). Late rows and
 * dead letters go out as in one instance. Offsets are committed once the
 * shares holding the records were published for the last time.
 *
 * Merge side (merge-consumer.ts, partition-merge.ts): a second consumer
 * group on the partials topic; whoever owns a partials partition merges the
 * shares of its windows, fires a window once every source partition's
 * watermark passed its end, computes the metrics once and publishes them.
 *
 * Rebalances lose and double nothing: a source partition that moves is
 * re-read from its committed offset and its open windows' shares re-derived
 * (the merge keeps the most complete share per window and source); a
 * partials partition that moves is restored from its committed offset.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import { ingestSettingsOf } from '../../cli/ingest-config.js';
import { jsonCodec } from '../../producer/codec/json.js';
import { createReplayProducer } from '../../producer/kafka/replay-producer.js';
import { ensureTopics } from '../../producer/kafka/topics.js';
import { ConsumerSupervisor, manualBatches } from '../../producer/kafka/consumer-supervisor.js';
import { retryWithBackoff } from '../../sink/service/backoff.js';
import { monitorSpecOf } from '../pipeline-config.js';
import { resultsCodecOf, type ResultsCodec } from '../results-codec.js';
import type { DecodeRetry } from '../service/batch-handler.js';
import { ConsumerLag } from '../service/consumer-lag.js';
import type { ProcessorServiceOptions } from '../service/processor-service.js';
import { coPartitionAssigner } from './co-partition-assigner.js';
import { MergeConsumer } from './merge-consumer.js';
import { watermarkMessages, type SourceWatermark } from './partial-messages.js';
import { SourcePartition, type SourcePartitionDeps } from './source-partition.js';

export interface ScaleOutServiceOptions extends ProcessorServiceOptions {
  /** `<prefix>.window-partials`; the source group is `groupId`, the merge group `<groupId>.merge`. */
  readonly partialsTopic: string;
}

export interface ScaleOutSummary {
  readonly rows: number;
  readonly lateRows: number;
  readonly deadLetters: number;
  readonly partialsSent: number;
  readonly windowRevisions: number;
  readonly finished: boolean;
  readonly processingSeconds: number;
  readonly seconds: number;
}

const POLL_MS = 1000;
/** A source's watermark is re-sent at least this often, so a merge that restarted learns it again. */
const HEARTBEAT_MS = 3000;
/** After a batch, a changed watermark is sent at most this often (a fire sends it at once). */
const WATERMARK_MIN_INTERVAL_MS = 250;

export class ScaleOutService {
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly consumer: Consumer;
  private readonly merge: MergeConsumer;
  private readonly results: ResultsCodec;
  private readonly lag = new ConsumerLag();
  private readonly sources = new Map<number, SourcePartition>();
  private readonly reported = new Map<number, { progress: SourceWatermark; at: number }>();
  private readonly deps: SourcePartitionDeps;
  private sourcePartitions = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  /** Restarts the consumer after a broker outage longer than kafkajs' own retries. */
  private supervisor: ConsumerSupervisor | undefined;
  private readonly started = performance.now();
  private firstBatchAt: number | undefined;
  private lastBatchAt: number | undefined;
  private readonly counts = { rows: 0, lateRows: 0, deadLetters: 0, partialsSent: 0 };
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(private readonly options: ScaleOutServiceOptions) {
    const { config, kafka, metrics, topics } = options;
    const modelLabel = { model: config.model.name };
    const codec = options.codec ?? jsonCodec;
    this.results = resultsCodecOf(codec, topics);
    this.deps = {
      config, model: options.model, reference: options.reference, topics, codec,
      maxEventTimeAhead: ingestSettingsOf(config).max_event_time_ahead,
      onInference: (seconds) => metrics.inferenceDuration.observe(modelLabel, seconds),
      warn: (fields, message) => options.logger.warn(fields, message),
      counters: {
        rowsAccepted: (n) => { this.counts.rows += n; metrics.rowsProcessed.inc(modelLabel, n); },
        lateRows: (n) => { this.counts.lateRows += n; metrics.lateRows.inc(modelLabel, n); },
        deadLetter: (reason) => { this.counts.deadLetters++; metrics.dlqMessages.inc({ reason }); },
      },
    };
    const sessionTimeoutMs = options.sessionTimeoutMs ?? 30_000;
    this.admin = kafka.admin();
    this.producer = createReplayProducer(kafka);
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      partitionAssigners: [coPartitionAssigner],
      sessionTimeout: sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(sessionTimeoutMs / 5)),
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
    const window = config.window;
    this.merge = new MergeConsumer({
      kafka, admin: this.admin, producer: this.producer, groupId: `${options.groupId}.merge`, partialsTopic: options.partialsTopic,
      topics, config, spec: monitorSpecOf(config, options.model), reference: options.reference, results: this.results,
      metrics, logger: options.logger, sessionTimeoutMs, serially: (work) => this.serially(work), onFatal: options.onFatal,
      // sourcePartitions is known once the topics are; start() replaces the placeholder before the merge runs.
      bounds: { sourcePartitions: 1, labelTimeout: window.label_timeout, allowedLateness: window.allowed_lateness },
    });
  }

  async start(): Promise<void> {
    const { topics, logger, partialsTopic } = this.options;
    await this.admin.connect();
    const ensured = await ensureTopics(this.admin, [...Object.values(topics), partialsTopic], this.options.partitions, this.options.replicationFactor);
    if (ensured.created.length > 0) logger.info({ topics: ensured.created }, 'created topics');
    const { topics: metadata } = await this.admin.fetchTopicMetadata({ topics: [topics.features, topics.targets] });
    const counts = metadata.map((m) => m.partitions.length);
    if (counts[0] !== counts[1]) {
      throw new Error(`--scale-out needs ${topics.features} and ${topics.targets} to have as many partitions (a row's label must be on its row's partition number); they have ${counts.join(' and ')}`);
    }
    this.sourcePartitions = counts[0]!;
    this.merge.setSourcePartitions(this.sourcePartitions);
    await this.producer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const assignment = payload.memberAssignment;
      void this.serially(async () => this.onAssignment(assignment)).catch((error: Error) => this.options.onFatal(error));
    });
    await this.merge.start();
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [topics.features, topics.targets], fromBeginning: true });
    await this.pollLag();
    this.supervisor = new ConsumerSupervisor(this.consumer, {
      runConfig: manualBatches((payload) => this.onBatch(payload)),
      log: logger,
      onGiveUp: this.options.onFatal,
    });
    await this.supervisor.run();
    this.timer = setInterval(() => void this.tick(), POLL_MS);
    this.timer.unref();
  }

  async registerResultSchemas(): Promise<void> {
    await this.results.encodeWindows([]);
    await this.results.encodePredictions([]);
  }

  async brokerReachable(): Promise<boolean> {
    await this.admin.describeCluster();
    return true;
  }

  summary(): ScaleOutSummary {
    const processing = this.firstBatchAt === undefined ? 0 : (this.lastBatchAt! - this.firstBatchAt) / 1000;
    return {
      ...this.counts, windowRevisions: this.merge.counts.windowRevisions, finished: this.finished(),
      processingSeconds: processing, seconds: (performance.now() - this.started) / 1000,
    };
  }

  /** SIGTERM: stop fetching, publish what is due, commit, leave both groups. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const { topics, logger } = this.options;
      clearInterval(this.timer);
      this.supervisor?.stop();
      try {
        this.consumer.pause([{ topic: topics.features }, { topic: topics.targets }]);
        this.merge.stop();
        await this.serially(async () => {
          for (const source of this.sources.values()) await this.publishAndCommit(source, true);
        });
      } catch (error) {
        logger.error({ err: error }, 'final publish failed; uncommitted records will be re-read on restart');
      }
      await Promise.allSettled([this.consumer.disconnect(), this.merge.consumer.disconnect()]);
      await this.producer.disconnect().catch(() => undefined);
      await this.admin.disconnect().catch(() => undefined);
      this.resolveDone();
    })();
    return this.stopping;
  }

  /** Every source partition held here finished, and so did every merge partition. */
  private finished(): boolean {
    return this.sources.size > 0 && [...this.sources.values()].every((s) => s.finished) && this.merge.finished();
  }

  /**
   * The group restarts every partition at its committed offset, kept ones
   * included: each starts afresh and re-derives its open windows.
   */
  private onAssignment(assignment: Record<string, number[]>): void {
    const { topics, logger } = this.options;
    const features = assignment[topics.features] ?? [];
    const targets = assignment[topics.targets] ?? [];
    const paused = [...this.sources.values()].filter((s) => s.held).map((s) => s.partition);
    this.sources.clear();
    this.reported.clear();
    const now = Date.now();
    for (const partition of features) this.sources.set(partition, new SourcePartition(partition, this.deps, now));
    if (paused.length > 0) this.consumer.resume([{ topic: topics.features, partitions: paused }]);
    logger.info({ features, targets }, 'partitions assigned');
  }

  private onBatch({ batch, resolveOffset, pause, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    return this.serially(async () => {
      if (this.stopping || !isRunning() || isStale() || batch.messages.length === 0) return;
      const { topics } = this.options;
      const source = this.sources.get(batch.partition);
      if (!source) return;
      this.firstBatchAt ??= performance.now();
      const arrived = Date.now();
      source.sawBatch(batch.topic, batch.messages, arrived);
      const retry = this.decodeRetry(batch.topic, batch.partition, heartbeat, () => !!this.stopping || !isRunning() || isStale());
      let handled;
      try {
        if (batch.topic === topics.features) {
          handled = await source.handler.features(batch.partition, batch.messages, this.labelBound(source, arrived), retry);
          if (handled.heldAt !== null) {
            source.held = { eventTime: handled.heldAt, since: arrived };
            pause();
            void this.pollLag();
          }
        } else {
          handled = await source.handler.targets(batch.partition, batch.messages, retry);
        }
        await this.publishAndCommit(source, false);
      } catch (error) {
        this.options.onFatal(error as Error);
        throw error;
      }
      if (handled.lastHandled !== null) {
        resolveOffset(String(handled.lastHandled));
        this.lag.consumed(batch.topic, batch.partition, handled.lastHandled + 1, Number(batch.highWatermark));
      }
      this.lastBatchAt = performance.now();
      this.resumeReleased();
      this.exitIfDone();
    });
  }

  /**
   * Sends what the partition's batch produced — late rows, dead letters, the
   * shares that fired, then its watermark (after the shares: on each merge
   * partition the share precedes the watermark that passes its window) —
   * waits for the acks, then commits.
   */
  private async publishAndCommit(source: SourcePartition, forceWatermark: boolean): Promise<void> {
    const { topics, partialsTopic } = this.options;
    const now = Date.now();
    const partials = source.partials(now);
    const watermark = this.watermarkDue(source, now, forceWatermark || partials.length > 0);
    const topicMessages = source.handler.outbox.drain();
    if (partials.length + watermark.length > 0) topicMessages.push({ topic: partialsTopic, messages: [...partials, ...watermark] });
    if (topicMessages.length > 0) await this.producer.sendBatch({ topicMessages, acks: -1 });
    this.counts.partialsSent += partials.length;
    const commits = source.commits();
    const offsets = [
      ...[...commits.features].map(([partition, offset]) => ({ topic: topics.features, partition, offset: String(offset) })),
      ...[...commits.targets].map(([partition, offset]) => ({ topic: topics.targets, partition, offset: String(offset) })),
    ];
    if (offsets.length === 0) return;
    await this.consumer.commitOffsets(offsets);
    source.markCommitted(commits);
  }

  /** The partition's watermark messages, when the merge should hear of it now. */
  private watermarkDue(source: SourcePartition, now: number, urgent: boolean): Message[] {
    const progress = source.progress(now);
    const last = this.reported.get(source.partition);
    const changed = !last || last.progress.watermark !== progress.watermark || last.progress.idle !== progress.idle;
    const due = urgent ? changed || now - last!.at >= HEARTBEAT_MS
      : changed ? !last || now - last.at >= WATERMARK_MIN_INTERVAL_MS : now - last.at >= HEARTBEAT_MS;
    if (!due) return [];
    this.reported.set(source.partition, { progress, at: now });
    return watermarkMessages(progress, this.sourcePartitions);
  }

  /** Once a second: lag poll, release held partitions, watermark heartbeats. */
  private async tick(): Promise<void> {
    if (this.stopping) return;
    await this.pollLag();
    await this.serially(async () => {
      if (this.stopping) return;
      const messages: Message[] = [];
      const now = Date.now();
      for (const source of this.sources.values()) messages.push(...this.watermarkDue(source, now, false));
      if (messages.length > 0) await this.producer.sendBatch({ topicMessages: [{ topic: this.options.partialsTopic, messages }], acks: -1 });
      this.exitIfDone();
    }).catch((error: Error) => this.options.onFatal(error));
  }

  private exitIfDone(): void {
    if (this.options.exitOnEndOfStream && !this.stopping && this.finished()) {
      this.options.logger.info('every partition held here reached its end of stream and every window is out');
      setImmediate(() => void this.stop());
    }
  }

  /** Feature rows of `source` fetched before `since` up to this event time may go in (label-progress.ts). */
  private labelBound(source: SourcePartition, since: number): number {
    return source.labels.bound((partition) => this.lag.caughtUpSince(this.options.topics.targets, partition, since));
  }

  private resumeReleased(): void {
    if (this.stopping) return;
    const released: number[] = [];
    for (const source of this.sources.values()) {
      if (source.held && source.held.eventTime <= this.labelBound(source, source.held.since)) {
        source.held = null;
        released.push(source.partition);
      }
    }
    if (released.length > 0) this.consumer.resume([{ topic: this.options.topics.features, partitions: released }]);
  }

  private async pollLag(): Promise<void> {
    const { topics, groupId, logger } = this.options;
    try {
      await this.lag.poll(this.admin, groupId, [topics.features, topics.targets]);
      await this.serially(async () => this.resumeReleased());
    } catch (error) {
      logger.warn({ err: error }, 'consumer lag poll failed');
    }
  }

  private decodeRetry(topic: string, partition: number, heartbeat: () => Promise<void>, shouldStop: () => boolean): DecodeRetry {
    const { logger } = this.options;
    return (decode) => retryWithBackoff(decode, {
      maxMs: 10_000,
      whileWaiting: heartbeat,
      shouldStop,
      onRetry: (error, attempt, delayMs) => logger.warn({ topic, partition, attempt: attempt + 1, retryInMs: delayMs, err: (error as Error).message },
        'cannot decode the batch (schema registry unreachable?); retrying it, nothing dead-lettered or committed'),
    });
  }

  /** Batches of both groups, heartbeats and the final flush run one at a time. */
  private serially<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
