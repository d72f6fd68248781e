/**
 * The Kafka side of `driftwatch produce`: walks the replay schedule of
 * replay-schedule.ts (the one `driftwatch run` uses) and sends each step's
 * feature rows to the features topic, then the labels that step released to
 * the targets topic — both keyed by row_id, so a row and its label land on
 * the same partition number when the topics have as many partitions.
 *
 * Ordering: the producer must be idempotent with one request in flight
 * (createReplayProducer), and every send is awaited before the next, so each
 * partition holds its rows in event-time order and a label is only written
 * after its row has been acknowledged (labels released by one step go out
 * with the next step's rows, or alone at the end).
 *
 * Stopping: when `signal` aborts, the request in flight is finished and the
 * labels already released are sent, then the replay stops; labels not yet
 * due are not sent and are counted in the summary.
 */
import { throughOutages } from './broker-outage.js';
import { CompressionTypes, type Kafka, type Message, type Producer, type TopicMessages } from 'kafkajs';
import type { ReplayPlan } from '../replay-schedule.js';
import { replayBatches } from '../replay-schedule.js';
import type { Codec } from '../codec/codec.js';
import { featureRecordsOf, targetRecordsOf, type FeatureLayout } from '../codec/records.js';
import { keyPartitioner } from './client.js';
import { dueAfterMs, pacedBatchSize, sleep, type PaceLimits } from './pacing.js';

export const COMPRESSIONS = ['none', 'gzip'] as const;
export type CompressionName = (typeof COMPRESSIONS)[number];

const COMPRESSION_TYPES: Readonly<Record<CompressionName, CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
};

export interface ReplayToKafkaOptions extends PaceLimits {
  readonly producer: Producer;
  readonly codec: Codec;
  readonly plan: ReplayPlan;
  readonly layout: FeatureLayout;
  /** The ground-truth column; without it no targets are sent. */
  readonly targetColumn?: string;
  readonly topics: { readonly features: string; readonly targets: string };
  readonly batchSize: number;
  readonly compression?: CompressionName;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** A send failed because no broker answers; it is tried again after `delayMs` (broker-outage.ts). */
  readonly onBrokerRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

export interface ReplayProgress {
  readonly rows: number;
  readonly targets: number;
  /** The largest event time sent so far (epoch ms). */
  readonly streamTime: number;
}

export interface ReplaySummary extends ReplayProgress {
  readonly plannedRows: number;
  /** Labels that were not sent because the replay was stopped first. */
  readonly targetsHeld: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly interrupted: boolean;
  readonly firstEventTime: number | null;
}

/**
 * Idempotent, one request in flight (so retries cannot reorder), acks from
 * all in-sync replicas. Retries are unbounded, as idempotence requires (a
 * bounded retry that gives up can leave a gap); a broker outage mid-replay
 * is retried with backoff until it returns or the user stops the command.
 */
export function createReplayProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: keyPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
  });
}

export async function replayToKafka(options: ReplayToKafkaOptions): Promise<ReplaySummary> {
  const { producer, codec, plan, layout, topics, signal } = options;
  const compression = COMPRESSION_TYPES[options.compression ?? 'none'];
  const limits: PaceLimits = { rate: options.rate, speedup: options.speedup };
  const batchSize = pacedBatchSize(options.batchSize, limits, plan.eventTimes);
  const firstEventTime = plan.rows.rowCount > 0 ? plan.eventTimes[0]! : NaN;
  const rowIds = plan.rows.columns.get(layout.rowIdColumn)!.values as (string | null)[];
  const topicMessages = async (topic: string, records: readonly object[], keys: readonly (string | null)[]): Promise<TopicMessages> => {
    const values = await codec.encode(topic, records);
    return { topic, messages: values.map((value, i): Message => ({ key: keys[i] ?? null, value })) };
  };
  const send = (batches: TopicMessages[]) => throughOutages(() => producer.sendBatch({ topicMessages: batches, acks: -1, compression }),
    { signal, onRetry: options.onBrokerRetry });

  const started = performance.now();
  let rows = 0;
  let targets = 0;
  let streamTime = -Infinity;
  let interrupted = false;
  // Labels released by a step ride with the next step's features: their rows
  // were acknowledged by then, and one request per step instead of two
  // nearly doubles throughput.
  let releasedTargets: TopicMessages | null = null;
  const flushTargets = async () => {
    if (releasedTargets === null) return;
    await send([releasedTargets]);
    targets += releasedTargets.messages.length;
    releasedTargets = null;
  };
  for (const step of replayBatches(plan, batchSize)) {
    if (signal?.aborted) {
      interrupted = true;
      break;
    }
    const stepRows = step.features.rowCount;
    if (stepRows > 0) {
      await sleep(started + dueAfterMs(rows, plan.eventTimes[rows]!, firstEventTime, limits) - performance.now(), signal);
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
      const records = featureRecordsOf(step.features, layout);
      const batches = [await topicMessages(topics.features, records, records.map((r) => r.row_id))];
      if (releasedTargets !== null) batches.push(releasedTargets);
      await send(batches);
      targets += releasedTargets?.messages.length ?? 0;
      releasedTargets = null;
      rows += stepRows;
      streamTime = step.streamTime;
    }
    if (options.targetColumn !== undefined && step.labelRows.length > 0) {
      await flushTargets(); // only when a step released labels without sending rows (the final step)
      const records = targetRecordsOf(plan.rows, step.labelRows, { ...layout, targetColumn: options.targetColumn }, plan.labelDelay);
      releasedTargets = await topicMessages(topics.targets, records, Array.from(step.labelRows, (i) => rowIds[i]!));
    }
    options.onProgress?.({ rows, targets, streamTime });
  }
  await flushTargets();
  options.onProgress?.({ rows, targets, streamTime });
  const seconds = (performance.now() - started) / 1000;
  return {
    rows,
    targets,
    streamTime,
    plannedRows: plan.rows.rowCount,
    targetsHeld: options.targetColumn !== undefined ? rows - targets : 0,
    seconds,
    rowsPerSecond: seconds > 0 ? rows / seconds : 0,
    interrupted,
    firstEventTime: Number.isNaN(firstEventTime) ? null : firstEventTime,
  };
}
