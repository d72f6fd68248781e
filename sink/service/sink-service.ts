/**
 * The sink service: a consumer group on `<prefix>.window-metrics` and
 * `<prefix>.predictions` that stores every record in Postgres and commits
 * offsets only after the rows are committed there.
 *
 * Per batch (one topic-partition, kafkajs eachBatch, autoCommit off):
 * decode → write to Postgres → dead letters to `<prefix>.dlq` → commit
 * lastOffset+1 → resolve. kafkajs' own resolve-after-return is off
 * (eachBatchAutoResolve: false), so a batch that was not written can never
 * count as consumed: nothing is resolved or committed unless every step
 * succeeded.
 *
 * Postgres down: the write is retried inside the batch with capped
 * exponential backoff (0.5 s → 30 s), heartbeating meanwhile. kafkajs' fetcher
 * waits for its batches to be handled before it fetches again
 * (kafkajs/src/consumer/fetcher.js), so the whole consumer is paused while the
 * batch is held, and the batch itself is never dropped or skipped. If instead
 * an error escapes eachBatch (a rebalance seen by the heartbeat, Kafka failing
 * to take the dead letters or the commit), kafkajs restarts fetching from the
 * last resolved offset (offsetManager.nextOffset), i.e. it re-reads this
 * batch; since every write is an idempotent upsert, re-reading is harmless.
 * On shutdown or when the partition is sought elsewhere the retry gives up and
 * returns without resolving or committing: the batch is read again by whoever
 * consumes the partition next.
 *
 * Records are decoded with the results codec (JSON, or Avro with a schema
 * registry: processor/results-codec.ts). A registry that cannot be reached is
 * no fault of the messages: the decode is retried the same way, with backoff,
 * and nothing is dead-lettered or committed meanwhile.
 */
import type { Admin, Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { DatabasePool } from 'slonik';
import { createReplayProducer } from '../../producer/kafka/replay-producer.js';
import type { PipelineMetrics } from '../metrics/pipeline-metrics.js';
import type { SinkMetrics } from '../metrics/sink-metrics.js';
import { retryWithBackoff, RetryStopped, type BackoffOptions } from './backoff.js';
import { sendDeadLetters, type DeadLetter } from './dead-letters.js';
import { jsonResultsCodec, type ResultsCodec } from '../../processor/results-codec.js';
import { decodeSinkBatch, type SinkDecodeOutcome, type SinkTopicRole } from './decode.js';
import { LatestWindows } from './latest-windows.js';
import { storeBatch, type DecodedMessage, type StoreOutcome } from './store-batch.js';
import { ensureTopics } from '../../producer/kafka/topics.js';
import { ConsumerSupervisor, manualBatches } from '../../producer/kafka/consumer-supervisor.js';
import { sinkRetrainTopic } from './retrain-records.js';

export interface SinkTopics {
  readonly windowMetrics: string;
  readonly predictions: string;
  readonly dlq: string;
  /** Retrain requests (processor/retrain/); default `<prefix>.retrain` beside windowMetrics. */
  readonly retrain?: string;
}

export interface SinkServiceOptions {
  readonly kafka: Kafka;
  readonly topics: SinkTopics;
  readonly groupId: string;
  /** Kafka group session timeout (ms); default 30 s. Heartbeats go out every third of it, at most every 3 s. */
  readonly sessionTimeoutMs?: number;
  readonly pool: DatabasePool;
  readonly metrics: PipelineMetrics;
  readonly sinkMetrics: SinkMetrics;
  readonly log: Logger;
  /** Masks secrets in error text before it is logged (see scrub.ts). */
  readonly scrub: (text: string) => string;
  readonly backoff?: BackoffOptions;
  /** How window-metrics and predictions are encoded (default JSON); must match the processor's. */
  readonly results?: ResultsCodec;
}

export class SinkService {
  /** Rejects-never; resolves with the error when the consumer crashed and cannot be restarted (consumer-supervisor.ts). */
  readonly failed: Promise<Error>;
  private failWith!: (error: Error) => void;
  private postgresFailing = false;
  private inGroup = false;
  private readonly supervisor: ConsumerSupervisor;
  private readonly latest = new LatestWindows();
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly admin: Admin;
  private readonly roles: ReadonlyMap<string, SinkTopicRole>;

  private constructor(private readonly options: SinkServiceOptions) {
    this.failed = new Promise((resolve) => {
      this.failWith = resolve;
    });
    const { kafka, topics, groupId } = options;
    this.roles = new Map([[topics.windowMetrics, 'window'], [topics.predictions, 'prediction'], [sinkRetrainTopic(topics), 'retrain']]);
    const sessionTimeout = options.sessionTimeoutMs ?? 30_000;
    this.consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 250, sessionTimeout, heartbeatInterval: Math.min(3_000, Math.floor(sessionTimeout / 3)) });
    // Idempotent, one request in flight, keyed like every driftwatch producer: a retried send cannot duplicate or reorder dead letters.
    this.producer = createReplayProducer(kafka);
    this.admin = kafka.admin();
    const { GROUP_JOIN, CRASH, STOP, DISCONNECT } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, () => {
      this.inGroup = true;
    });
    this.consumer.on(STOP, () => {
      this.inGroup = false;
    });
    this.consumer.on(DISCONNECT, () => {
      this.inGroup = false;
    });
    this.consumer.on(CRASH, () => {
      this.inGroup = false;
    });
    this.supervisor = new ConsumerSupervisor(this.consumer, {
      runConfig: manualBatches((payload) => this.handleBatch(payload)),
      log: options.log,
      scrub: options.scrub,
      onGiveUp: (error) => this.failWith(error),
    });
  }

  static async start(options: SinkServiceOptions): Promise<SinkService> {
    const service = new SinkService(options);
    await service.admin.connect();
    await service.producer.connect();
    await service.consumer.connect();
    // A new group starts at the beginning: every window ever published is stored.
    // The processor creates the retrain topic too; whoever starts first does (one partition is plenty here).
    await ensureTopics(service.admin, [sinkRetrainTopic(options.topics)], 1, 1);
    await service.consumer.subscribe({ topics: [options.topics.windowMetrics, options.topics.predictions, sinkRetrainTopic(options.topics)], fromBeginning: true });
    await service.supervisor.run();
    options.log.info({ topics: [options.topics.windowMetrics, options.topics.predictions], groupId: options.groupId, codec: options.results?.format ?? 'json' }, 'sink consuming');
    return service;
  }

  /** For /readyz: false while writes are failing (the check also pings the server). */
  postgresWritable(): boolean {
    return !this.postgresFailing;
  }

  /** For /readyz: the consumer is in its group and a broker answers. */
  async kafkaReady(): Promise<boolean> {
    if (!this.inGroup) return false;
    try {
      await this.admin.describeCluster();
      return true;
    } catch {
      return false;
    }
  }

  /** Finish the batch in hand (written and committed), leave the group, disconnect. */
  async stop(): Promise<void> {
    this.supervisor.stop();
    await this.consumer.disconnect();
    await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
  }

  private async handleBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { log, sinkMetrics } = this.options;
    const role = this.roles.get(batch.topic);
    if (!role) throw new Error(`sink received a batch of unexpected topic ${batch.topic}`);
    const where = { topic: batch.topic, partition: batch.partition };

    let outcomes: SinkDecodeOutcome[];
    try {
      outcomes = await this.decodeWithRetry(role, payload);
    } catch (error) {
      if (!(error instanceof RetryStopped)) throw error;
      log.warn({ ...where, firstOffset: batch.firstOffset() }, 'stopping with this batch undecoded; it stays uncommitted and will be read again');
      return;
    }
    const decoded: DecodedMessage[] = [];
    const dead: DeadLetter[] = [];
    batch.messages.forEach((message, i) => {
      const outcome = outcomes[i]!;
      if (outcome.reason === undefined) decoded.push({ offset: message.offset, record: outcome.record });
      else dead.push({ message, reason: `undecodable ${role} record: ${outcome.reason}` });
    });

    const stopTimer = sinkMetrics.batchWriteDuration.startTimer({ topic: batch.topic });
    let outcome: StoreOutcome;
    try {
      outcome = await this.writeWithRetry(decoded, payload);
    } catch (error) {
      if (!(error instanceof RetryStopped)) throw error;
      log.warn({ ...where, firstOffset: batch.firstOffset() }, 'stopping with this batch unwritten; it stays uncommitted and will be read again');
      return;
    }
    stopTimer();

    const byOffset = new Map(batch.messages.map((m) => [m.offset, m]));
    for (const { offset, reason } of outcome.rejected) dead.push({ message: byOffset.get(offset)!, reason });
    const letters = dead.map((letter) => ({ ...letter, reason: this.options.scrub(letter.reason) }));
    await sendDeadLetters(this.producer, this.options.topics.dlq, where, letters);
    for (const letter of letters) log.warn({ ...where, offset: letter.message.offset, reason: letter.reason }, 'message sent to the dead-letter topic');
    if (dead.length > 0) sinkMetrics.invalidMessages.inc({ topic: batch.topic }, dead.length);

    this.record(batch.topic, outcome, dead.length);
    const next = (BigInt(batch.lastOffset()) + 1n).toString();
    await payload.commitOffsetsIfNecessary({ topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }] });
    payload.resolveOffset(batch.lastOffset());
    sinkMetrics.lastCommitTime.set({ topic: batch.topic }, Date.now() / 1000);
    log.debug({ ...where, committed: next, messages: batch.messages.length }, 'batch stored and committed');
  }

  private decodeWithRetry(role: SinkTopicRole, payload: EachBatchPayload): Promise<SinkDecodeOutcome[]> {
    const { log, scrub } = this.options;
    const results = this.options.results ?? jsonResultsCodec;
    const values = payload.batch.messages.map((m) => m.value);
    return retryWithBackoff(() => decodeSinkBatch(role, values, results), {
      ...this.options.backoff,
      whileWaiting: () => payload.heartbeat(),
      shouldStop: () => !payload.isRunning() || payload.isStale(),
      onRetry: (error, attempt, delayMs) => log.error({ topic: payload.batch.topic, partition: payload.batch.partition, attempt: attempt + 1,
        retryInMs: delayMs, err: scrub((error as Error).message) }, 'decoding failed (schema registry unreachable?); retrying (consumption paused)'),
    });
  }

  private async writeWithRetry(decoded: readonly DecodedMessage[], payload: EachBatchPayload): Promise<StoreOutcome> {
    const { log, sinkMetrics, pool, scrub } = this.options;
    const outcome = await retryWithBackoff(() => storeBatch(pool, decoded), {
      ...this.options.backoff,
      whileWaiting: () => payload.heartbeat(),
      shouldStop: () => !payload.isRunning() || payload.isStale(),
      onRetry: (error, attempt, delayMs) => {
        this.postgresFailing = true;
        sinkMetrics.databaseUp.set(0);
        sinkMetrics.databaseRetries.inc();
        log.error({ topic: payload.batch.topic, partition: payload.batch.partition, attempt: attempt + 1, retryInMs: delayMs,
          err: scrub((error as Error).message) }, 'writing to Postgres failed; retrying (consumption paused)');
      },
    });
    if (this.postgresFailing) log.info('Postgres writes succeed again; consumption resumed');
    this.postgresFailing = false;
    sinkMetrics.databaseUp.set(1);
    return outcome;
  }

  private record(topic: string, outcome: StoreOutcome, deadLetters: number): void {
    const { metrics, sinkMetrics } = this.options;
    const role = this.roles.get(topic);
    const written = role === 'prediction' ? outcome.predictions - outcome.rejected.length
      : role === 'retrain' ? outcome.retrainRequests : outcome.applied.length;
    sinkMetrics.recordsWritten.inc({ topic, outcome: 'written' }, written);
    if (outcome.ignored > 0) sinkMetrics.recordsWritten.inc({ topic, outcome: 'ignored' }, outcome.ignored);
    if (outcome.superseded > 0) sinkMetrics.recordsWritten.inc({ topic, outcome: 'superseded' }, outcome.superseded);
    if (deadLetters > 0) sinkMetrics.recordsWritten.inc({ topic, outcome: 'dead_letter' }, deadLetters);
    for (const window of outcome.applied) if (this.latest.advance(window)) metrics.recordWindow(window);
  }
}

