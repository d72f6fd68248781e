/**
 * `driftwatch produce`: replay processed files into Kafka — feature rows in
 * event-time order to `<prefix>.features`, each row's ground truth to
 * `<prefix>.targets` once the replay's event time has passed its label delay.
 * A thin wrapper: read files, plan the replay (the schedule `run` uses), hand
 * it to producer/kafka/replay-producer.ts.
 */
import { existsSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { destination, pino, type Logger } from 'pino';
import type { ColumnSpec } from '../../processor/drift/compare.js';
import { concatFrames, type Frame } from '../../processor/frame.js';
import { CODEC_FORMATS, codecFromEnv, type CodecFormat } from '../../producer/codec/factory.js';
import { assertFrameFitsLayout, type FeatureLayout } from '../../producer/codec/records.js';
import { readTable, TableInputError } from '../../producer/io/index.js';
import { createKafka, describeBrokers, kafkaSettingsFromEnv, type KafkaSettings } from '../../producer/kafka/client.js';
import { COMPRESSIONS, createReplayProducer, replayToKafka, type CompressionName, type ReplaySummary } from '../../producer/kafka/replay-producer.js';
import { sendEndOfStreamToTopics } from '../../producer/kafka/end-of-stream.js';
import { DEFAULT_TOPIC_PREFIX, ensureTopics, topicNames } from '../../producer/kafka/topics.js';
import { planReplay } from '../../producer/replay-schedule.js';
import { featureSpecs, loadConfig, type Config } from '../config.js';
import { parseDuration } from '../duration.js';
import { UsageError } from '../errors.js';

export interface ProduceCommandOptions {
  config?: string;
  files?: string[];
  target?: string;
  categorical?: string[];
  rate?: number;
  speedup?: number;
  from?: number;
  to?: number;
  limit?: number;
  labelDelay?: number;
  topicPrefix: string;
  featuresTopic?: string;
  targetsTopic?: string;
  partitions: number;
  replicationFactor: number;
  batchSize: number;
  compression: CompressionName;
  brokers?: string;
  progress: boolean;
  codec?: CodecFormat;
  endOfStream?: boolean;
}

export function register(program: Command): void {
  program
    .command('produce')
    .description('Replay processed files into Kafka: features in event-time order, ground truth after the label delay')
    .option('--config <file>', 'driftwatch config: feature columns, column names, window.label_delay, data.current')
    .option('--files <list>', 'comma-separated processed files (default: data.current of --config)', list)
    .option('--target <column>', 'ground-truth column (default: columns.target of --config)')
    .option('--categorical <list>', 'without --config: columns to send as categorical (default: text columns)', list)
    .option('--rate <rows/s>', 'send at most this many rows per second', positiveNumber)
    .option('--speedup <N>', 'replay N times faster than event time', positiveNumber)
    .option('--from <iso>', 'only rows with event time ≥ this instant (ISO 8601)', isoInstant)
    .option('--to <iso>', 'only rows with event time < this instant (ISO 8601)', isoInstant)
    .option('--limit <n>', 'at most this many rows (the earliest)', positiveInteger)
    .option('--label-delay <duration>', 'event time between a row and its label (e.g. 0s, 30m, 1h; default: window.label_delay of --config, else 0s)', labelDelay)
    .option('--topic-prefix <prefix>', 'topics are <prefix>.features and <prefix>.targets', process.env.KAFKA_TOPIC_PREFIX ?? DEFAULT_TOPIC_PREFIX)
    .option('--features-topic <name>', 'features topic (default: <prefix>.features)')
    .option('--targets-topic <name>', 'targets topic (default: <prefix>.targets)')
    .option('--partitions <n>', 'partitions of topics created here (existing topics are left alone)', positiveInteger, 3)
    .option('--replication-factor <n>', 'replication factor of topics created here', positiveInteger, 1)
    .option('--batch-size <n>', 'rows per produce request', positiveInteger, 1000)
    .addOption(new Option('--compression <codec>', 'message compression (snappy, lz4, zstd need codec packages kafkajs does not ship)').choices([...COMPRESSIONS]).default('none'))
    .option('--brokers <list>', 'bootstrap brokers host:port,… (default: KAFKA_BROKERS, else 127.0.0.1:19092)')
    .option('--no-progress', 'no progress bar')
    .option('--end-of-stream', 'after the last row, mark every partition of both topics as ended, so `driftwatch process` fires the last windows of a finite replay')
    .addOption(new Option('--codec <format>', 'message format: auto (Avro when SCHEMA_REGISTRY_URL is set), json, avro').choices([...CODEC_FORMATS]).default('auto'))
    .addHelpText('after', `
Environment: SCHEMA_REGISTRY_URL, SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD (Avro), KAFKA_BROKERS, KAFKA_CLIENT_ID, KAFKA_SASL_MECHANISM (plain, scram-sha-256, scram-sha-512),
KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SSL=true, KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE,
KAFKA_SSL_KEY_FILE, KAFKA_TOPIC_PREFIX, LOG_LEVEL (default warn).

Examples:
  driftwatch produce --config data/config.yaml --speedup 3600
  driftwatch produce --files data/features/processed_test.parquet --target delay --rate 5000 --label-delay 30m

Ctrl-C finishes the batch in flight, prints the summary and exits 0.
Exit codes: 0 done (or stopped by Ctrl-C), 1 failed (Kafka unreachable …), 2 bad usage (missing file or column).`)
    .action(async (options: ProduceCommandOptions) => {
      const summary = await runProduceWithSignals(options);
      process.stdout.write(`${formatSummary(summary, options)}\n`);
    });
}

/** runProduce, stopped cleanly by SIGINT/SIGTERM (a second signal exits at once). */
async function runProduceWithSignals(options: ProduceCommandOptions): Promise<ReplaySummary> {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    process.stderr.write(`\ndriftwatch produce: ${signal}, finishing the batch in flight (again to quit at once)\n`);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await runProduce(options, { signal: stop.signal });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function runProduce(options: ProduceCommandOptions, context: { signal?: AbortSignal; logger?: Logger; env?: NodeJS.ProcessEnv } = {}): Promise<ReplaySummary> {
  const env = context.env ?? process.env;
  const logger = context.logger ?? pino({ name: 'driftwatch-produce', level: env.LOG_LEVEL ?? 'warn' }, destination(2));
  const config = options.config ? loadConfig(options.config, env) : undefined;
  const input = resolveInput(options, config);
  const frame = await readInput(input);
  const layout: FeatureLayout = { ...input.columns, features: input.features ?? inferFeatures(frame, input, options.categorical ?? []) };
  assertOrUsage(() => assertFrameFitsLayout(frame, layout, input.files.join(', '), input.targetColumn));
  const plan = planReplay(frame, {
    eventTimeColumn: layout.eventTimeColumn,
    from: options.from,
    to: options.to,
    limit: options.limit,
    labelDelay: input.labelDelay,
  });
  if (plan.missingEventTime > 0) logger.warn({ rows: plan.missingEventTime }, 'rows without an event time are not replayed');

  const settings = kafkaSettingsFromEnv(env, { brokers: options.brokers });
  const topics = topicNames(options.topicPrefix, { features: options.featuresTopic, targets: options.targetsTopic });
  // kafkajs logs every retry of a failed connection as an error; the command
  // reports the final failure itself, so its logs show only when LOG_LEVEL asks.
  const kafka = createKafka(settings, env.LOG_LEVEL || context.logger ? logger : logger.child({}, { level: 'silent' }));
  const admin = kafka.admin();
  const producer = createReplayProducer(kafka);
  try {
    await reachable(settings, () => admin.connect());
    const ensured = await ensureTopics(admin, [topics.features, topics.targets], options.partitions, options.replicationFactor);
    if (ensured.created.length > 0) logger.info({ topics: ensured.created, partitions: options.partitions }, 'created topics');
    const partitionCounts = new Set(ensured.existing.map((t) => t.partitions).concat(ensured.created.length > 0 ? [options.partitions] : []));
    if (partitionCounts.size > 1) {
      logger.warn({ topics: ensured.existing }, 'features and targets topics have different partition counts: a row and its label may land on different partition numbers');
    }
    await reachable(settings, () => producer.connect());
    const bar = options.progress && process.stderr.isTTY ? progressBar(plan.rows.rowCount) : null;
    try {
      const summary = await replayToKafka({
        producer,
        codec: codecFromEnv({ topics, features: layout.features, model: config?.model.name }, env, options.codec ?? 'auto'),
        plan,
        layout,
        targetColumn: input.targetColumn,
        topics,
        batchSize: options.batchSize,
        rate: options.rate,
        speedup: options.speedup,
        compression: options.compression,
        signal: context.signal,
        onProgress: bar ? (p) => bar.update(p.rows, { targets: p.targets }) : undefined,
        onBrokerRetry: (error, attempt, delayMs) => logger.warn({ attempt: attempt + 1, retryInMs: delayMs, err: (error as Error).message }, 'Kafka unavailable; retrying the send'),
      });
      // The same producer, after every row and label: the markers land last on each partition.
      if (options.endOfStream && !summary.interrupted) await sendEndOfStreamToTopics(producer, admin, [topics.features, topics.targets]);
      return summary;
    } finally {
      bar?.stop();
    }
  } catch (error) {
    if (error instanceof UsageError || !isKafkaError(error)) throw error;
    throw new Error(`Kafka at ${describeBrokers(settings)}: ${(error as Error).message}`, { cause: error });
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  }
}

interface ProduceInput {
  readonly files: string[];
  readonly columns: { readonly rowIdColumn: string; readonly eventTimeColumn: string };
  /** From the config; null: every other column of the files (see inferFeatures). */
  readonly features: ColumnSpec[] | null;
  readonly targetColumn: string;
  readonly labelDelay: number;
}

/** Which files and columns to replay, from the flags and (when given) the config; flags win. */
function resolveInput(options: ProduceCommandOptions, config: Config | undefined): ProduceInput {
  const files = options.files ?? config?.data.current;
  if (!files || files.length === 0) throw new UsageError('nothing to replay: give --files or --config (with data.current)');
  for (const file of files) if (!existsSync(file)) throw new UsageError(`file not found: ${file}`);
  const targetColumn = options.target ?? config?.columns.target;
  if (!targetColumn) throw new UsageError('name the ground-truth column with --target (or give --config)');
  if (config && options.categorical) throw new UsageError('--categorical is for use without --config (the config lists features.categorical)');
  return {
    files,
    targetColumn,
    labelDelay: options.labelDelay ?? config?.window.label_delay ?? 0,
    columns: { rowIdColumn: config?.columns.row_id ?? 'row_id', eventTimeColumn: config?.columns.event_time ?? 'event_time' },
    features: config ? featureSpecs(config) : null,
  };
}

/** Reads and concatenates the files (only the needed columns when the features are known). */
async function readInput(input: ProduceInput): Promise<Frame> {
  const needed = input.features
    ? [input.columns.rowIdColumn, input.columns.eventTimeColumn, ...input.features.map((f) => f.name), input.targetColumn]
    : undefined;
  const parts: { source: string; frame: Frame }[] = [];
  for (const file of input.files) {
    try {
      parts.push({ source: file, frame: await readTable(file, needed ? { columns: needed } : {}) });
    } catch (error) {
      if (error instanceof TableInputError && error.isUsageProblem) throw new UsageError(error.message, { cause: error });
      throw error;
    }
  }
  if (parts.length === 0) throw new UsageError('no input files');
  return assertOrUsage(() => concatFrames(parts.map((p) => p.frame), parts.map((p) => p.source)));
}

/** Without a config: every column but row id, event time and target is a feature; text (or --categorical) → categorical. */
function inferFeatures(frame: Frame, input: ProduceInput, categorical: readonly string[]): ColumnSpec[] {
  const reserved = new Set([input.columns.rowIdColumn, input.columns.eventTimeColumn, input.targetColumn]);
  for (const name of categorical) {
    if (!frame.columns.has(name) || reserved.has(name)) {
      throw new UsageError(`--categorical: "${name}" is not a feature column of ${input.files.join(', ')} (columns: ${[...frame.columns.keys()].join(', ')})`);
    }
  }
  return [...frame.columns]
    .filter(([name]) => !reserved.has(name))
    .map(([name, column]) => ({ name, type: categorical.includes(name) || column.kind === 'string' ? 'categorical' : 'numerical' }));
}

async function reachable(settings: KafkaSettings, connect: () => Promise<void>): Promise<void> {
  try {
    await connect();
  } catch (error) {
    throw new Error(`cannot reach Kafka at ${describeBrokers(settings)}: ${(error as Error).message} ` +
      '(set KAFKA_BROKERS, or start a local broker with `npm run kafka:start`)', { cause: error });
  }
}

function isKafkaError(error: unknown): boolean {
  return error instanceof Error && error.name.startsWith('KafkaJS');
}

function assertOrUsage<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
}

function progressBar(total: number): SingleBar {
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'produce |{bar}| {value}/{total} rows · {targets} targets · {eta_formatted} left',
    hideCursor: true,
  });
  bar.start(total, 0, { targets: 0 });
  return bar;
}

export function formatSummary(summary: ReplaySummary, options: Pick<ProduceCommandOptions, 'topicPrefix' | 'featuresTopic' | 'targetsTopic'>): string {
  const topics = topicNames(options.topicPrefix, { features: options.featuresTopic, targets: options.targetsTopic });
  const head = summary.interrupted ? 'stopped: produced' : 'produced';
  const held = summary.targetsHeld > 0 ? ` (${summary.targetsHeld} labels not yet due, not sent)` : '';
  return `${head} ${summary.rows} of ${summary.plannedRows} rows to ${topics.features} and ${summary.targets} targets to ${topics.targets}${held} ` +
    `in ${summary.seconds.toFixed(2)} s (${Math.round(summary.rowsPerSecond)} rows/s)`;
}

function list(value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

function positiveNumber(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return parsed;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(parsed) || parsed < 1) throw new InvalidArgumentError(`"${value}" is not a whole number ≥ 1`);
  return parsed;
}

function isoInstant(value: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value.trim()) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw new InvalidArgumentError(`"${value}" is not an ISO 8601 instant (e.g. 2024-05-01T00:00:00Z)`);
  return ms;
}

/** Like parseDuration, but a zero delay ("0", "0s") is allowed: labels with their rows. */
function labelDelay(value: string): number {
  if (/^0+\s*(ms|s|m|h|d)?$/.test(value.trim())) return 0;
  try {
    return parseDuration(value, '--label-delay');
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
