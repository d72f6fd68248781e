/**
 * `driftwatch process`: the monitoring pipeline as a Kafka service — a thin
 * wrapper over processor/service/processor-service.ts with the health and
 * metrics endpoints and clean shutdown on SIGTERM/SIGINT.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { featureSpecs, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { loadOnnxModel } from '../../processor/model/onnx-runner.js';
import { createProcessor } from '../../processor/scaleout/create-processor.js';
import { CODEC_FORMATS, codecFromEnv, type CodecFormat } from '../../producer/codec/factory.js';
import { createKafka, describeBrokers, kafkaSettingsFromEnv } from '../../producer/kafka/client.js';
import { DEFAULT_TOPIC_PREFIX, topicNames } from '../../producer/kafka/topics.js';
import { loadReference } from '../../producer/reference.js';
import { startHealthServer } from '../../sink/http/server.js';
import { PipelineMetrics } from '../../sink/metrics/pipeline-metrics.js';

interface ProcessOptions {
  config: string;
  topicPrefix: string;
  groupId?: string;
  port?: number;
  partitions: number;
  replicationFactor: number;
  brokers?: string;
  exitOnEndOfStream?: boolean;
  sessionTimeout: number;
  codec: CodecFormat;
  scaleOut?: boolean;
}

export function register(program: Command): void {
  program
    .command('process')
    .description('Run the monitoring pipeline on Kafka: features + targets in; window metrics, predictions, late rows, dead letters out')
    .requiredOption('--config <file>', 'driftwatch config (YAML or JSON)')
    .option('--topic-prefix <prefix>', 'topics are <prefix>.features, .targets, .window-metrics, .predictions, .late, .dlq', process.env.KAFKA_TOPIC_PREFIX ?? DEFAULT_TOPIC_PREFIX)
    .option('--group-id <id>', 'consumer group (default: <prefix>.processor)')
    .option('--port <port>', 'port of /healthz, /readyz, /metrics (default: server.port of the config; 0 = any free port)', port)
    .option('--partitions <n>', 'partitions of topics created here (existing topics are left alone)', positiveInteger, 3)
    .option('--replication-factor <n>', 'replication factor of topics created here', positiveInteger, 1)
    .option('--brokers <list>', 'bootstrap brokers host:port,… (default: KAFKA_BROKERS, else 127.0.0.1:19092)')
    .option('--exit-on-end-of-stream', 'exit once every partition has sent its end-of-stream message and the last windows are published')
    .option('--session-timeout <ms>', 'consumer group session timeout: how soon a crashed instance\'s partitions move on', positiveInteger, 30_000)
    .addOption(new Option('--codec <format>', 'message format of every topic: auto (Avro when SCHEMA_REGISTRY_URL is set), json, avro; must match the producer\'s').choices([...CODEC_FORMATS]).default('auto'))
    .option('--scale-out', 'one of several instances: window shares go to <prefix>.window-partials and are merged into one answer (features and targets need equal partition counts)')
    .addHelpText('after', `
Environment: SCHEMA_REGISTRY_URL, SCHEMA_REGISTRY_USERNAME, SCHEMA_REGISTRY_PASSWORD (Avro), KAFKA_BROKERS, KAFKA_SASL_*,
KAFKA_SSL*, KAFKA_TOPIC_PREFIX, DRIFTWATCH_LOG_LEVEL.
Avro: a message whose schema id the registry does not know, or that is not Avro, goes to the dlq; while the
registry cannot be reached, the batch is retried (nothing dead-lettered, nothing committed).
SIGTERM/SIGINT: stop fetching, publish what is due, commit, exit 0.
Offsets are committed only once every window holding those records is published and closed, so a crash
re-reads and re-derives the open windows.`)
    .action(async (options: ProcessOptions) => {
      await processCommand(options);
    });
}

async function processCommand(options: ProcessOptions): Promise<void> {
  const log = createLogger('process');
  const config = loadConfig(options.config);
  const settings = kafkaSettingsFromEnv(process.env, { brokers: options.brokers });
  const topics = topicNames(options.topicPrefix);
  const codec = codecFromEnv({ topics, features: featureSpecs(config), model: config.model.name }, process.env, options.codec);
  const model = await loadOnnxModel(config.model.path, {
    name: config.model.name,
    task: config.model.task,
    inputColumns: [...config.features.numerical, ...config.features.categorical],
  });
  const reference = await loadReference(config.reference.path);
  const metrics = new PipelineMetrics({ defaultMetrics: true });
  const service = createProcessor(options.scaleOut ?? false, options.topicPrefix, {
    config,
    kafka: createKafka(settings, log.child({ component: 'kafkajs' })),
    topics,
    groupId: options.groupId ?? `${options.topicPrefix}.processor`,
    model,
    reference: reference.profiles,
    metrics,
    logger: log,
    partitions: options.partitions,
    replicationFactor: options.replicationFactor,
    exitOnEndOfStream: options.exitOnEndOfStream ?? false,
    sessionTimeoutMs: options.sessionTimeout,
    codec,
    onFatal: (error) => {
      log.fatal({ err: error }, 'publishing or committing failed; exiting so a restart re-derives the open windows');
      process.exit(1);
    },
  });
  const server = await startHealthServer({
    host: config.server.host,
    port: options.port ?? config.server.port,
    registry: metrics.registry,
    checks: [
      { name: 'kafka', check: () => service.brokerReachable() },
      { name: 'model', check: async () => model !== undefined },
    ],
  });
  log.info({ url: server.url }, 'serving /healthz /readyz /metrics');
  const stop = (signal: NodeJS.Signals) => {
    log.info({ signal }, 'stopping: publishing what is due and committing');
    void service.stop();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await service.registerResultSchemas();
    try {
      await service.start();
    } catch (error) {
      await service.stop();
      throw new Error(`Kafka at ${describeBrokers(settings)}: ${(error as Error).message}`, { cause: error });
    }
    log.info({ topics, groupId: options.groupId ?? `${options.topicPrefix}.processor`, codec: codec.format }, 'consuming');
    await service.done;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await server.close();
    await model.close();
  }
  process.stdout.write(`${JSON.stringify({ processor: service.summary() })}\n`);
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a port`);
  return n;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`"${value}" is not a whole number ≥ 1`);
  return n;
}
