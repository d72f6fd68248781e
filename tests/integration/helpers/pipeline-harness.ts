/**
 * The moving parts of the end-to-end Kafka tests: the sample prepared the way
 * a user does it (adapt → reference → config, as run-embedded.test.ts), the
 * `driftwatch run` baseline in a Postgres schema of its own, the processor as
 * a child process, the replay with poison and late messages, and a dump of
 * every result table for an exact comparison.
 *
 * Every Kafka step runs in one of two wire formats (a Wire): JSON, or Avro
 * with the real schema registry (SCHEMA_REGISTRY_URL, else the Apicurio of
 * scripts/registry-local.sh). DRIFTWATCH_TEST_CODEC=json|avro runs one mode
 * only; by default the end-to-end tests run both.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Admin, Kafka } from 'kafkajs';
import { sql } from 'slonik';
import { runProduce } from '../../../cli/commands/produce.js';
import { featureSpecs, loadConfig } from '../../../cli/config.js';
import { valueSubject } from '../../../producer/codec/avro.js';
import type { Codec } from '../../../producer/codec/codec.js';
import { codecFromEnv } from '../../../producer/codec/factory.js';
import { jsonCodec } from '../../../producer/codec/json.js';
import { requireColumn } from '../../../processor/frame.js';
import { readTable } from '../../../producer/io/index.js';
import { createReplayProducer } from '../../../producer/kafka/replay-producer.js';
import { sendEndOfStreamToTopics } from '../../../producer/kafka/end-of-stream.js';
import { ensureTopics, topicNames, TOPIC_ROLES, type TopicNames } from '../../../producer/kafka/topics.js';
import type { DatabasePool } from '../../../sink/postgres/pool.js';
import { makeTempDir } from '../postgres-test-db.js';
import { testLogger } from './kafka.js';
export { seededRandom } from '../../seeded-random.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PROCESS_ENTRY = fileURLToPath(new URL('../../../cli/driftwatch.ts', import.meta.url));
const execFileAsync = promisify(execFile);
/** The sample's monitored features (its config and reference). */
export const SAMPLE_FEATURES = { numerical: ['hour', 'weekday', 'month', 'distance'], categorical: ['origin', 'destination'] } as const;
const FEATURES = SAMPLE_FEATURES;

export interface Sample {
  readonly dir: string;
  readonly config: string;
  /** The replayed file and its event times, sorted. */
  readonly current: string;
  readonly eventTimes: Float64Array;
}

/** adapt → reference → config.yaml, exactly as tests/integration/run-embedded.test.ts. */
export async function prepareSample(label: string): Promise<Sample> {
  const dir = await makeTempDir(`driftwatch-${label}-`);
  cpSync(join(ROOT, 'data/models'), join(dir, 'models'), { recursive: true });
  await driftwatch(['adapt', '--dir', 'data/flights', '--out', join(dir, 'features'), '--start', '2026-01-31T23:59:00Z', '--seed', '7']);
  await driftwatch(['reference', '--train', join(dir, 'features', 'processed_train.parquet'), '--model', join(dir, 'models', 'delay_regressor.onnx'),
    '--numerical', FEATURES.numerical.join(','), '--categorical', FEATURES.categorical.join(','), '--target', 'delay',
    '--out', join(dir, 'reference'), '--size', '3000', '--seed', '3']);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `
model: { name: flights-test, path: models/delay_regressor.onnx, task: regression }
features: { numerical: [${FEATURES.numerical}], categorical: [${FEATURES.categorical}] }
columns: { target: delay }
reference: { path: reference }
data: { current: [features/processed_test.parquet] }
window: { size: 1d, max_out_of_orderness: 5m, label_delay: 6h, label_timeout: 2d }
`);
  const current = join(dir, 'features', 'processed_test.parquet');
  const eventTimes = Float64Array.from(requireColumn(await readTable(current), 'event_time').values as Float64Array).sort();
  return { dir, config, current, eventTimes };
}

/** The CLI (with `process` registered) in a child process; resolves with its output, rejects on a non-zero exit. */
export function driftwatch(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(process.execPath, ['--import', 'tsx', PROCESS_ENTRY, ...args], {
    cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024,
  });
}

/** `driftwatch run` over the sample into the Postgres at `databaseUrl`: the baseline. */
export async function runBaseline(sample: Sample, databaseUrl: string): Promise<void> {
  await driftwatch(['run', '--config', sample.config, '--port', '0', '--no-progress'], { DATABASE_URL: databaseUrl });
}

export interface ProcessorChild {
  readonly child: ChildProcess;
  /** Resolves with the health server's address once it logged it. */
  readonly url: Promise<string>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout(): string;
  stderr(): string;
}

export function spawnProcessor(args: { config: string; prefix: string; groupId: string; brokers: string; wire?: Wire; extra?: string[] }): ProcessorChild {
  const child = spawn(process.execPath, ['--import', 'tsx', PROCESS_ENTRY, 'process', '--config', args.config, '--topic-prefix', args.prefix,
    '--group-id', args.groupId, '--port', '0', '--partitions', '3', '--session-timeout', '6000', '--exit-on-end-of-stream',
    ...(args.wire ? ['--codec', args.wire.mode] : []), ...(args.extra ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...args.wire?.env, KAFKA_BROKERS: args.brokers, DRIFTWATCH_LOG_LEVEL: process.env.DRIFTWATCH_LOG_LEVEL ?? 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let found: ((url: string) => void) | undefined;
  const url = new Promise<string>((resolve) => (found = resolve));
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    const match = /"url":"(http:\/\/[^"]+)"/.exec(stderr);
    if (match) found?.(match[1]!);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, url, exited, stdout: () => stdout, stderr: () => stderr };
}

/** The processor's final summary line (printed on a clean exit). */
export function processorSummary(processor: ProcessorChild): { rows: number; lateRows: number; deadLetters: number; windowRevisions: number; finished: boolean; processingSeconds: number } {
  const line = processor.stdout().split('\n').find((l) => l.startsWith('{"processor"'));
  if (!line) throw new Error(`the processor printed no summary; stderr:\n${processor.stderr().slice(-3000)}`);
  return JSON.parse(line).processor;
}

/** Every topic of the prefix, 3 partitions each. */
export async function createTopics(admin: Admin, prefix: string): Promise<TopicNames> {
  const topics = topicNames(prefix);
  await ensureTopics(admin, Object.values(topics), 3, 1);
  return topics;
}

/** `driftwatch produce` (its module), the whole sample, at most `rate` rows/s when given, in the wire's format. */
export async function produce(sample: Sample, prefix: string, pace: { rate?: number } = {}, wire?: Wire): Promise<void> {
  await runProduce({
    config: sample.config, topicPrefix: prefix, partitions: 3, replicationFactor: 1, batchSize: 500, compression: 'none',
    progress: false, ...pace, ...(wire ? { codec: wire.mode } : {}),
  }, { logger: testLogger(), env: { ...process.env, ...wire?.env } });
}

export type CodecMode = 'json' | 'avro';

/** The modes the end-to-end tests run: DRIFTWATCH_TEST_CODEC=json or avro picks one, else both. */
export function codecModes(): CodecMode[] {
  const chosen = process.env.DRIFTWATCH_TEST_CODEC?.trim();
  if (!chosen) return ['json', 'avro'];
  if (chosen !== 'json' && chosen !== 'avro') throw new Error(`DRIFTWATCH_TEST_CODEC must be json or avro, got "${chosen}"`);
  return [chosen];
}

export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:18081/apis/ccompat/v7';

/**
 * The schema registry of the Avro mode: SCHEMA_REGISTRY_URL, else the local
 * Apicurio. None answering is a failure in CI, a skip with the reason otherwise.
 */
export async function findTestRegistry(): Promise<{ url: string } | { skip: string } | { fail: string }> {
  const url = (process.env.SCHEMA_REGISTRY_URL || DEFAULT_REGISTRY_URL).replace(/\/+$/, '');
  try {
    const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return { url };
  } catch (error) {
    const reason = `no schema registry answers at ${url} (${(error as Error).message}); start one with \`npm run registry:start\``;
    return process.env.CI ? { fail: `${reason} — CI must run the Avro end-to-end tests against a real registry` } : { skip: reason };
  }
}

/** How one test talks to Kafka: the format, the environment of the driftwatch children, the codec they build. */
export interface Wire {
  readonly mode: CodecMode;
  /** SCHEMA_REGISTRY_URL in Avro mode (the children also get --codec <mode>). */
  readonly env: NodeJS.ProcessEnv;
  /** The codec `produce` and `process` build for these topics and the sample's features. */
  readonly codec: Codec;
  readonly registryUrl?: string;
}

export function wireFor(mode: CodecMode, sample: Sample, topics: TopicNames, registryUrl?: string): Wire {
  if (mode === 'json') return { mode, env: {}, codec: jsonCodec };
  if (!registryUrl) throw new Error('the Avro mode needs a schema registry URL');
  const env = { SCHEMA_REGISTRY_URL: registryUrl };
  const config = loadConfig(sample.config);
  const codec = codecFromEnv({ topics, features: featureSpecs(config), model: config.model.name }, { ...process.env, ...env }, 'avro');
  return { mode, env, codec, registryUrl };
}

/** Removes the subjects of the run's topics from the registry (a no-op in JSON mode). */
export async function deleteSubjects(wire: Wire, topics: TopicNames): Promise<void> {
  if (!wire.registryUrl) return;
  for (const role of TOPIC_ROLES) {
    const subject = `${wire.registryUrl}/subjects/${encodeURIComponent(valueSubject(topics[role]))}`;
    await fetch(subject, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${subject}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
  }
}

export interface Poison {
  readonly role: 'features' | 'targets';
  readonly key: string;
  readonly value: Buffer;
  /** What the dead-letter header must say. */
  readonly reason: RegExp;
  /** The reason label of driftwatch_dlq_messages_total. */
  readonly kind: string;
}

const AVRO_HEADER_BYTES = 5;

/**
 * Poison messages of the wire's format, each with the reason its dead letter
 * must carry. JSON: not JSON, a field missing. Avro: a JSON payload (not
 * Avro), a schema id the registry does not know, a body that is not Avro of
 * its (real) schema.
 */
export async function poisonFor(wire: Wire, topics: TopicNames): Promise<Poison[]> {
  const row = { row_id: 'p2', event_time: 1_770_000_000_000, hour: 3, weekday: 2, month: 2, distance: 300, origin: 'SFO', destination: 'LAX' };
  if (wire.mode === 'json') {
    const { event_time: _missing, ...withoutEventTime } = row;
    return [
      { role: 'features', key: 'poison-not-json', value: Buffer.from('{"row_id": "p1", "event_time": '), reason: /^not JSON/, kind: 'not-json' },
      { role: 'features', key: 'poison-no-event-time', value: Buffer.from(JSON.stringify(withoutEventTime)), reason: /^field "event_time" is missing/, kind: 'missing-field' },
      { role: 'targets', key: 'poison-no-target', value: Buffer.from(JSON.stringify({ row_id: 'p3', event_time: 1_770_000_000_000, label_time: 1_770_021_600_000 })), reason: /^field "target" is missing/, kind: 'missing-field' },
    ];
  }
  const [validFeatures] = await wire.codec.encode(topics.features, [row]);
  const unknownId = Buffer.from(validFeatures!);
  unknownId.writeInt32BE(2_000_000_000, 1);
  const [validTarget] = await wire.codec.encode(topics.targets, [{ row_id: 'p3', event_time: 1_770_000_000_000, label_time: 1_770_021_600_000, target: 3 }]);
  const notAvroBody = Buffer.concat([validTarget!.subarray(0, AVRO_HEADER_BYTES), Buffer.from('hello, not avro')]);
  return [
    { role: 'features', key: 'poison-json-not-avro', value: Buffer.from(JSON.stringify(row)), reason: /^not Avro in the Confluent wire format: first byte 0x7b/, kind: 'not-avro' },
    { role: 'features', key: 'poison-unknown-schema-id', value: unknownId, reason: /^unknown schema id 2000000000 /, kind: 'unknown-schema' },
    { role: 'targets', key: 'poison-not-avro-body', value: notAvroBody, reason: /^not Avro of schema id \d+ \(driftwatch\.v1\.Target\)/, kind: 'not-avro' },
  ];
}

export async function sendPoison(kafka: Kafka, topics: TopicNames, poison: readonly Poison[]): Promise<void> {
  await send(kafka, poison.map((p) => ({ topic: topics[p.role], key: p.key, value: p.value })));
}

/** Valid feature rows far behind the watermark, in the wire's format: they must go to the late topic. */
export async function sendLateRows(kafka: Kafka, topics: TopicNames, eventTime: number, count: number, wire: Wire = JSON_WIRE): Promise<string[]> {
  const rowIds = Array.from({ length: count }, (_, i) => `late-${i}`);
  const records = rowIds.map((rowId, i) => ({ row_id: rowId, event_time: eventTime + i * 60_000, hour: 10, weekday: 1, month: 1, distance: 500 + i, origin: 'SFO', destination: 'SEA' }));
  const values = await wire.codec.encode(topics.features, records);
  await send(kafka, rowIds.map((rowId, i) => ({ topic: topics.features, key: rowId, value: values[i]! })));
  return rowIds;
}

const JSON_WIRE: Wire = { mode: 'json', env: {}, codec: jsonCodec };

export async function endStreams(kafka: Kafka, admin: Admin, topics: TopicNames): Promise<void> {
  const producer = createReplayProducer(kafka);
  await producer.connect();
  try {
    await sendEndOfStreamToTopics(producer, admin, [topics.features, topics.targets]);
  } finally {
    await producer.disconnect();
  }
}

async function send(kafka: Kafka, messages: { topic: string; key: string; value: Buffer }[]): Promise<void> {
  const producer = createReplayProducer(kafka);
  await producer.connect();
  try {
    for (const m of messages) await producer.send({ topic: m.topic, acks: -1, messages: [{ key: m.key, value: m.value }] });
  } finally {
    await producer.disconnect();
  }
}

/** Messages in `topic` so far (sum of high watermarks). */
export async function messageCount(admin: Admin, topic: string): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
}

/** True once `groupId` has committed up to the end of every partition of `topics`. */
export async function groupCaughtUp(admin: Admin, groupId: string, topics: readonly string[]): Promise<boolean> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  for (const topic of topics) {
    const ends = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const { partition, high } of ends) {
      const offset = Number(mine.find((m) => m.partition === partition)?.offset ?? -1);
      if (Number(high) > 0 && offset < Number(high)) return false;
    }
  }
  return true;
}

export const RESULT_TABLES = ['windows', 'dataset_drift', 'column_drift', 'model_quality', 'confusion_matrix', 'dataset_quality', 'data_quality', 'predictions'] as const;
/** Bookkeeping, not results: when a row was written and by which firing of its processor. */
const IGNORED_COLUMNS = new Set(['updated_at', 'revision']);

/** Every row of every result table, in key order, without the bookkeeping columns. */
export async function dumpTables(pool: DatabasePool): Promise<Record<string, readonly Record<string, unknown>[]>> {
  const dump: Record<string, readonly Record<string, unknown>[]> = {};
  for (const table of RESULT_TABLES) {
    const columns = (await pool.anyFirst(sql.unsafe`
      SELECT column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${table} ORDER BY ordinal_position`)) as string[];
    const kept = columns.filter((c) => !IGNORED_COLUMNS.has(c));
    if (kept.length === 0) throw new Error(`table ${table} not found in the current schema`);
    const list = sql.join(kept.map((c) => sql.identifier([c])), sql.fragment`, `);
    dump[table] = await pool.any(sql.unsafe`SELECT ${list} FROM ${sql.identifier([table])} ORDER BY ${list}`);
  }
  return dump;
}

