/**
 * The merge step's I/O: a consumer group of its own on
 * `<prefix>.window-partials`, so each partition of it (a set of window keys)
 * is merged by exactly one instance at a time, whichever it is. Per batch:
 * feed the partition's PartitionMerge, fire what is due — computing each
 * window's metrics once, over the merged rows — publish window metrics,
 * predictions and `closed` markers with the idempotent producer, wait for
 * the acks, THEN commit the partials topic up to the oldest share an open
 * window still needs.
 *
 * Durability is the partials topic itself: after a crash or a rebalance,
 * the new owner re-reads from the committed offset and rebuilds the open
 * windows. It fires nothing until it has re-read up to where the log ended
 * when it got the partition (a restore, as a Kafka Streams task restores its
 * state): the `closed` markers of windows already finished must be seen
 * before their earlier shares could fire them again. A window re-fired after
 * a restart carries the same content (or more): the sink's content guard
 * makes that idempotent.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { Config } from '../../cli/config.js';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { ConsumerSupervisor, manualBatches } from '../../producer/kafka/consumer-supervisor.js';
import type { PipelineMetrics } from '../../sink/metrics/pipeline-metrics.js';
import type { WindowOutput } from '../pipeline.js';
import type { ResultsCodec } from '../results-codec.js';
import { computeWindowMetrics, type MonitorSpec, type ReferenceProfiles } from '../window-metrics.js';
import { approximateConfigOf } from '../pipeline-config.js';
import type { ApproximateConfig } from '../window/approximate-window.js';
import { windowMetricsMessages } from '../service/output-messages.js';
import { sendInSlices, sendPredictions, type TopicMessages } from '../service/publish-results.js';
import { closedMessage, decodePartialsMessage } from './partial-messages.js';
import { PartitionMerge, type MergeBounds, type MergedFire } from './partition-merge.js';

export interface MergeConsumerOptions {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;
  readonly groupId: string;
  readonly partialsTopic: string;
  readonly topics: TopicNames;
  readonly bounds: MergeBounds;
  readonly config: Config;
  readonly spec: MonitorSpec;
  readonly reference: ReferenceProfiles;
  readonly results: ResultsCodec;
  readonly metrics: PipelineMetrics;
  readonly logger: Logger;
  readonly sessionTimeoutMs: number;
  /** The instance's one-at-a-time queue (source batches and merge batches never interleave). */
  readonly serially: <T>(work: () => Promise<T>) => Promise<T>;
  readonly onFatal: (error: Error) => void;
}

interface MergeTask {
  readonly merge: PartitionMerge;
  /** Fires wait until the partition is re-read up to here (the log end when it was assigned). */
  restoreUntil: number;
  committed: number;
}

export class MergeConsumer {
  readonly consumer: Consumer;
  private readonly tasks = new Map<number, MergeTask>();
  private assigned = false;
  private stopping = false;
  /** Restarts the consumer after a broker outage longer than kafkajs' own retries. */
  private supervisor: ConsumerSupervisor | undefined;
  readonly counts = { windowRevisions: 0, badMessages: 0 };
  private bounds: MergeBounds;
  /** Merged windows switch to sketches where one instance's would. */
  private readonly approximate: ApproximateConfig | undefined;

  constructor(private readonly options: MergeConsumerOptions) {
    this.bounds = options.bounds;
    this.approximate = approximateConfigOf(options.config, options.reference);
    this.consumer = options.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: Math.min(3000, Math.floor(options.sessionTimeoutMs / 5)),
      maxWaitTimeInMs: 200,
      allowAutoTopicCreation: false,
    });
  }

  async start(): Promise<void> {
    const { partialsTopic } = this.options;
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = payload.memberAssignment[partialsTopic] ?? [];
      void this.options.serially(() => this.onAssignment(partitions)).catch((error: Error) => this.options.onFatal(error));
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [partialsTopic], fromBeginning: true });
    this.supervisor = new ConsumerSupervisor(this.consumer, {
      runConfig: manualBatches((payload) => this.onBatch(payload)),
      log: this.options.logger,
      onGiveUp: this.options.onFatal,
    });
    await this.supervisor.run();
  }

  /** The features topic's partition count, once known (before start). */
  setSourcePartitions(sourcePartitions: number): void {
    this.bounds = { ...this.bounds, sourcePartitions };
  }

  /** Every partition held here has seen every source end and closed its windows. */
  finished(): boolean {
    return this.assigned && [...this.tasks.values()].every((task) => task.restoreUntil === -Infinity && task.merge.finished());
  }

  stop(): void {
    this.stopping = true;
    this.supervisor?.stop();
    this.consumer.pause([{ topic: this.options.partialsTopic }]);
  }

  /**
   * The group restarts every partition at its committed offset, kept ones
   * included: every merge starts afresh and restores.
   */
  private async onAssignment(partitions: readonly number[]): Promise<void> {
    const { admin, partialsTopic, groupId, logger } = this.options;
    const { bounds } = this;
    this.tasks.clear();
    this.assigned = true;
    if (partitions.length === 0) return;
    const ends = await admin.fetchTopicOffsets(partialsTopic);
    const committed = (await admin.fetchOffsets({ groupId, topics: [partialsTopic] }))[0]?.partitions ?? [];
    for (const partition of partitions) {
      const end = Number(ends.find((e) => e.partition === partition)?.high ?? 0);
      const low = Number(ends.find((e) => e.partition === partition)?.low ?? 0);
      const mine = Number(committed.find((c) => c.partition === partition)?.offset ?? -1);
      const from = mine >= 0 ? mine : low;
      this.tasks.set(partition, { merge: new PartitionMerge(bounds, this.approximate), restoreUntil: end > from ? end : -Infinity, committed: from });
    }
    logger.info({ partitions, topic: partialsTopic }, 'merge partitions assigned');
  }

  private onBatch({ batch, resolveOffset, isRunning, isStale }: EachBatchPayload): Promise<void> {
    return this.options.serially(async () => {
      if (this.stopping || !isRunning() || isStale() || batch.messages.length === 0) return;
      const task = this.tasks.get(batch.partition);
      if (!task) return;
      for (const message of batch.messages) {
        let decoded;
        try {
          decoded = decodePartialsMessage(message);
        } catch (error) {
          this.counts.badMessages++;
          this.options.logger.error({ err: error, partition: batch.partition }, 'skipping a message of the partials topic that is not ours');
          continue;
        }
        task.merge.observe(Number(message.offset), decoded);
      }
      try {
        if (Number(batch.lastOffset()) + 1 >= task.restoreUntil) {
          task.restoreUntil = -Infinity;
          await this.fireAndCommit(batch.partition, task);
        }
      } catch (error) {
        this.options.onFatal(error as Error);
        throw error;
      }
      resolveOffset(batch.lastOffset());
    });
  }

  private async fireAndCommit(partition: number, task: MergeTask): Promise<void> {
    const { topics, partialsTopic, producer, metrics } = this.options;
    const { fires, closed } = task.merge.due();
    const firedAt = performance.now();
    const outputs = fires.map((fire) => this.outputOf(fire));
    const windows = outputs.map((output) => output.metrics);
    const topicMessages: TopicMessages = [];
    if (windows.length > 0) topicMessages.push({ topic: topics['window-metrics'], messages: await windowMetricsMessages(this.options.results, windows) });
    const send = (slice: TopicMessages) => producer.sendBatch({ topicMessages: slice, acks: -1 });
    await sendInSlices(send, topicMessages);
    await sendPredictions(send, { topic: topics.predictions, results: this.options.results, outputs, spec: this.options.spec, config: this.options.config });
    // "Closed" markers last: a merge that re-reads the topic skips a closed window, so the marker must follow everything it published.
    if (closed.length > 0) await send([{ topic: partialsTopic, messages: closed.map((c) => ({ ...closedMessage(c.model, c.windowStart), partition })) }]);
    for (const output of outputs) {
      metrics.recordWindow(output.metrics);
      metrics.windowCloseLatency.observe({ model: output.metrics.model }, (performance.now() - firedAt) / 1000);
    }
    this.counts.windowRevisions += outputs.length;
    const offset = task.merge.heldOffset();
    if (offset === null || offset <= task.committed) return;
    await this.consumer.commitOffsets([{ topic: partialsTopic, partition, offset: String(offset) }]);
    task.committed = offset;
  }

  /** Metrics computed once, over every source's rows. */
  private outputOf(fire: MergedFire): WindowOutput {
    const reason = fire.revision === 1 ? 'watermark' : fire.rowsGrew ? 'late-rows' : 'labels';
    const event = {
      windowStart: fire.windowStart, windowEnd: fire.windowEnd, revision: fire.revision, reason, frame: fire.frame,
      ...(fire.sketches ? { sketches: fire.sketches } : {}),
      labelledRows: fire.labelledRows, duplicates: fire.duplicates, labelsFinal: fire.labelsFinal, final: fire.final,
    } as const;
    return { fire: event, metrics: computeWindowMetrics(event, this.options.reference, this.options.spec) };
  }
}
