/**
 * `driftwatch sink`: the service that stores the processor's output. Consumes
 * `<prefix>.window-metrics` and `<prefix>.predictions`, upserts into Postgres
 * (the writer `run` uses), commits offsets after the database commit, exposes
 * the latest window per model as Prometheus gauges, /healthz and /readyz
 * (checks: postgres, kafka). A thin wrapper over sink/service/.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { destination, pino } from 'pino';
import { resultsCodecOf } from '../../processor/results-codec.js';
import { CODEC_FORMATS, codecFromEnv, type CodecFormat } from '../../producer/codec/factory.js';
import { createKafka, describeBrokers, kafkaSettingsFromEnv } from '../../producer/kafka/client.js';
import { DEFAULT_TOPIC_PREFIX, ensureTopics, topicNames } from '../../producer/kafka/topics.js';
import { startHealthServer, type HealthServer } from '../../sink/http/server.js';
import { PipelineMetrics } from '../../sink/metrics/pipeline-metrics.js';
import { SinkMetrics } from '../../sink/metrics/sink-metrics.js';
import { openDatabase, type Database } from '../../sink/postgres/open.js';
import { redactDatabaseUrl } from '../../sink/postgres/redact.js';
import { retryWithBackoff, RetryStopped } from '../../sink/service/backoff.js';
import { secretScrubber } from '../../sink/service/scrub.js';
import { SinkService } from '../../sink/service/sink-service.js';
import { featureSpecs, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';

interface SinkOptions {
  config: string;
  topicPrefix: string;
  groupId?: string;
  port?: number;
  brokers?: string;
  partitions: number;
  sessionTimeout: number;
  codec: CodecFormat;
}

export function register(program: Command): void {
  program
    .command('sink')
    .description('Store window metrics and predictions from Kafka in Postgres; serve the latest window as Prometheus gauges')
    .requiredOption('--config <file>', 'driftwatch config (database, server)')
    .option('--topic-prefix <prefix>', 'reads <prefix>.window-metrics and <prefix>.predictions, dead letters to <prefix>.dlq',
      process.env.KAFKA_TOPIC_PREFIX ?? DEFAULT_TOPIC_PREFIX)
    .option('--group-id <id>', 'Kafka consumer group (default: <prefix>.sink)')
    .option('--port <port>', 'port of /healthz, /readyz, /metrics (default: server.port of the config; 0 = any free port)', port)
    .option('--brokers <list>', 'bootstrap brokers host:port,… (default: KAFKA_BROKERS, else 127.0.0.1:19092)')
    .option('--partitions <n>', 'partitions of topics created here (existing topics are left alone)', positiveInteger, 3)
    .option('--session-timeout <ms>', 'Kafka group session timeout: how soon a crashed sink\'s partitions move to another member (broker minimum 6000)', positiveInteger, 30_000)
    .addOption(new Option('--codec <format>', 'message format: auto (Avro when SCHEMA_REGISTRY_URL is set), json, avro; must match the processor\'s').choices([...CODEC_FORMATS]).default('auto'))
    .addHelpText('after', `
Environment: DATABASE_URL (else database.url of the config, else an embedded Postgres), SCHEMA_REGISTRY_URL,
SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD (Avro), KAFKA_BROKERS, KAFKA_SASL_*, KAFKA_SSL*,
KAFKA_TOPIC_PREFIX, DRIFTWATCH_LOG_LEVEL.
Schema registry unreachable (Avro): decoding is retried with backoff, consumption pauses, nothing is dead-lettered.
Postgres down: writes are retried with backoff (0.5 s → 30 s), consumption pauses, /readyz answers 503;
offsets are committed only after the rows are in Postgres, so nothing is lost.
SIGTERM/SIGINT: the batch in hand is finished and committed, then the sink exits 0.`)
    .action(async (options: SinkOptions) => {
      await runSink(options);
    });
}

async function runSink(options: SinkOptions): Promise<void> {
  const config = loadConfig(options.config);
  const log = createLogger('sink');
  const scrubWriter = secretScrubber(config.database.url);
  const scrubMigrator = secretScrubber(config.database.migration_url);
  const scrub = (text: string) => scrubMigrator(scrubWriter(text));
  const topics = topicNames(options.topicPrefix);
  const groupId = options.groupId ?? `${options.topicPrefix}.sink`;
  const settings = kafkaSettingsFromEnv(process.env, { brokers: options.brokers });
  const codec = codecFromEnv({ topics, features: featureSpecs(config), model: config.model.name }, process.env, options.codec);
  // kafkajs entries carry their own `component` (kafkajs.<namespace>), so they get a logger without one.
  const kafka = createKafka(settings, pino({ level: process.env.DRIFTWATCH_LOG_LEVEL ?? 'info', base: { service: 'driftwatch' } }, destination(2)));

  const metrics = new PipelineMetrics({ defaultMetrics: true });
  const sinkMetrics = new SinkMetrics(metrics.registry);
  let database: Database | undefined;
  let service: SinkService | undefined;
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) process.exit(130);
    log.info({ signal }, 'stopping: finishing the batch in hand');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let server: HealthServer | undefined;
  try {
    server = await startHealthServer({
      host: config.server.host,
      port: options.port ?? config.server.port,
      registry: metrics.registry,
      checks: [
        { name: 'postgres', check: async () => !!database && !!service?.postgresWritable() && (await database.ping()) },
        { name: 'kafka', check: async () => !!service && (await service.kafkaReady()) },
      ],
    });
    log.info({ url: server.url }, 'serving /healthz /readyz /metrics');

    const admin = kafka.admin();
    try {
      await admin.connect();
      await ensureTopics(admin, [topics['window-metrics'], topics.predictions, topics.dlq], options.partitions, 1);
    } catch (error) {
      throw new Error(`cannot reach Kafka at ${describeBrokers(settings)}: ${(error as Error).message}`, { cause: error });
    } finally {
      await admin.disconnect();
    }

    const target = config.database.url ? redactDatabaseUrl(config.database.url) : `embedded (${config.database.embedded_dir})`;
    database = await retryWithBackoff(() => openDatabase(config.database, log), {
      shouldStop: () => stop.signal.aborted,
      onRetry: (error, attempt, delayMs) => {
        sinkMetrics.databaseUp.set(0);
        log.error({ database: target, attempt: attempt + 1, retryInMs: delayMs, err: scrub((error as Error).message) }, 'Postgres not available; retrying');
      },
    });
    sinkMetrics.databaseUp.set(1);
    if (stop.signal.aborted) return;

    service = await SinkService.start({
      kafka, topics: { windowMetrics: topics['window-metrics'], predictions: topics.predictions, dlq: topics.dlq },
      groupId, sessionTimeoutMs: options.sessionTimeout, pool: database.pool, metrics, sinkMetrics, log, scrub,
      results: resultsCodecOf(codec, topics),
    });
    const aborted = new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    const crashed = await Promise.race([aborted.then(() => null), service.failed]);
    if (crashed) throw new Error(`Kafka consumer stopped: ${scrub(crashed.message)}`, { cause: crashed });
  } catch (error) {
    if (error instanceof RetryStopped) return; // stopped while waiting for Postgres: nothing consumed, nothing to commit
    throw error;
  } finally {
    await service?.stop();
    await database?.close();
    await server?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log.info('sink stopped');
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port`);
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a whole number ≥ 1`);
  return n;
}
