/**
 * Producer and processor throughput with the JSON codec and with Avro (the
 * real schema registry), same data, same run (issue 5, item 5: Avro may cost
 * at most 25 % of the JSON path's throughput).
 *
 * For each codec, `repeats` times (alternating which codec goes first):
 *
 * - producer: `driftwatch produce` (its module, in this process) replays the
 *   first `rows` rows of the sample, unpaced, batches of 1000, 3 partitions,
 *   then the end-of-stream markers; rows/s = rows / the replay's own seconds
 *   (reading the files is not timed);
 * - processor: `driftwatch process --exit-on-end-of-stream` (a child process,
 *   as deployed) drains that backlog; rows/s = rows / its processingSeconds
 *   (first batch to last: decoding, inference, windows, drift, publishing the
 *   results in the same codec, commits); also rows per CPU second of the
 *   processor (its whole process, every thread, over the same span), which
 *   a busy machine disturbs less than wall time.
 *
 * The best of the repeats per codec and stage is reported (the machine is
 * shared; the best run is the least disturbed one), with every run listed.
 *
 * And the part of a processor's work that depends on the codec, in this
 * process, on the same rows: decoding the features and targets into frames
 * and encoding the predictions, CPU µs per row — set against the processor's
 * whole CPU time per row, it bounds what Avro can cost the processor.
 *
 *   npx tsx bench/avro/pipeline.ts [--rows 30000] [--repeats 2]
 *
 * Needs Kafka (KAFKA_BROKERS, else `npm run kafka:start`) and a schema
 * registry (SCHEMA_REGISTRY_URL, else `npm run registry:start`). The sample
 * is prepared in a temporary folder with `adapt` and `reference`.
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import Table from 'cli-table3';
import { pino } from 'pino';
import { runProduce } from '../../cli/commands/produce.js';
import { featureSpecs, loadConfig } from '../../cli/config.js';
import { concatFrames, sliceFrame } from '../../processor/frame.js';
import type { PredictionRecord } from '../../processor/results.js';
import { resultsCodecOf } from '../../processor/results-codec.js';
import { valueSubject } from '../../producer/codec/avro.js';
import type { Codec } from '../../producer/codec/codec.js';
import { decodeFeatureBatch, decodeTargetBatch } from '../../producer/codec/decode-batch.js';
import { codecFromEnv } from '../../producer/codec/factory.js';
import { featureRecordsOf, targetRecordsOf } from '../../producer/codec/records.js';
import { readTable } from '../../producer/io/index.js';
import { createKafka, kafkaSettingsFromEnv } from '../../producer/kafka/client.js';
import { ensureTopics, TOPIC_ROLES, topicNames } from '../../producer/kafka/topics.js';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '30000' }, repeats: { type: 'string', default: '2' } } });
const rows = Number(args.rows);
const repeats = Number(args.repeats);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = join(ROOT, 'cli/driftwatch.ts');
const registryUrl = (process.env.SCHEMA_REGISTRY_URL || 'http://127.0.0.1:18081/apis/ccompat/v7').replace(/\/+$/, '');
const CODECS = ['json', 'avro'] as const;
type CodecName = (typeof CODECS)[number];
const run = promisify(execFile);

interface Measurement {
  readonly codec: CodecName;
  readonly repeat: number;
  readonly producerRowsPerSecond: number;
  readonly processorRowsPerSecond: number;
  readonly processorRowsPerCpuSecond: number;
  readonly rows: number;
}

const codecEnv = (codec: CodecName): NodeJS.ProcessEnv => ({ ...process.env, SCHEMA_REGISTRY_URL: codec === 'avro' ? registryUrl : '' });

async function driftwatch(commandArgs: string[]): Promise<void> {
  await run(process.execPath, ['--import', 'tsx', ENTRY, ...commandArgs], { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 });
}

/** adapt → reference → config, as the end-to-end tests do; current = validation + test. */
async function prepareSample(dir: string): Promise<string> {
  cpSync(join(ROOT, 'data/models'), join(dir, 'models'), { recursive: true });
  await driftwatch(['adapt', '--dir', 'data/flights', '--out', join(dir, 'features'), '--start', '2026-01-31T23:59:00Z', '--seed', '7']);
  await driftwatch(['reference', '--train', join(dir, 'features', 'processed_train.parquet'), '--model', join(dir, 'models', 'delay_regressor.onnx'),
    '--numerical', 'hour,weekday,month,distance', '--categorical', 'origin,destination', '--target', 'delay',
    '--out', join(dir, 'reference'), '--size', '3000', '--seed', '3']);
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `
model: { name: bench-avro, path: models/delay_regressor.onnx, task: regression }
features: { numerical: [hour, weekday, month, distance], categorical: [origin, destination] }
columns: { target: delay }
reference: { path: reference }
data: { current: [features/processed_validation.parquet, features/processed_test.parquet] }
window: { size: 1d, max_out_of_orderness: 5m, label_delay: 6h, label_timeout: 2d }
server: { host: 127.0.0.1, port: 0 }
`);
  return config;
}

async function measure(config: string, codec: CodecName, repeat: number): Promise<Measurement> {
  const prefix = `bench-avropipe-${Date.now().toString(36)}-${codec}-${repeat}`;
  const kafka = createKafka(kafkaSettingsFromEnv(), pino({ level: 'silent' }));
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Every topic up front, leaders elected: the runs differ in the codec only.
    await ensureTopics(admin, Object.values(topicNames(prefix)), 3, 1);
    const produced = await runProduce({
      config, topicPrefix: prefix, partitions: 3, replicationFactor: 1, batchSize: 1000, compression: 'none',
      progress: false, limit: rows, codec, endOfStream: true,
    }, { env: codecEnv(codec), logger: pino({ level: 'warn' }) });
    const processed = await processBacklog(config, prefix, codec);
    if (processed.rows !== produced.rows) throw new Error(`${codec}: the processor handled ${processed.rows} of ${produced.rows} rows`);
    return { codec, repeat, rows: produced.rows, producerRowsPerSecond: produced.rows / produced.seconds, processorRowsPerSecond: processed.rows / processed.processingSeconds,
      processorRowsPerCpuSecond: processed.rows / processed.processingCpuSeconds };
  } finally {
    const topics = topicNames(prefix);
    await admin.deleteTopics({ topics: Object.values(topics), timeout: 10_000 }).catch(() => undefined);
    await admin.disconnect();
    if (codec === 'avro') await deleteSubjects(topics);
  }
}

/** `driftwatch process --exit-on-end-of-stream` on the backlog; its summary line. */
function processBacklog(config: string, prefix: string, codec: CodecName): Promise<{ rows: number; processingSeconds: number; processingCpuSeconds: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'process', '--config', config, '--topic-prefix', prefix,
      '--group-id', `${prefix}.processor`, '--port', '0', '--exit-on-end-of-stream', '--codec', codec], {
      cwd: ROOT, env: { ...codecEnv(codec), DRIFTWATCH_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => {
      const line = stdout.split('\n').find((l) => l.startsWith('{"processor"'));
      if (code !== 0 || !line) reject(new Error(`driftwatch process (${codec}) exited ${code}: ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(line).processor);
    });
  });
}

async function main(): Promise<void> {
  const answer = await fetch(`${registryUrl}/subjects`, { signal: AbortSignal.timeout(3000) }).catch((error: Error) => error);
  if (answer instanceof Error || !answer.ok) throw new Error(`no schema registry answers at ${registryUrl}; start one with \`npm run registry:start\``);
  const dir = mkdtempSync(join(tmpdir(), 'driftwatch-bench-avro-'));
  try {
    const config = await prepareSample(dir);
    const runs: Measurement[] = [];
    for (let repeat = 1; repeat <= repeats; repeat++) {
      // Alternate which codec goes first, so drift in the machine's load hits both.
      for (const codec of repeat % 2 === 1 ? CODECS : [...CODECS].reverse()) {
        const m = await measure(config, codec, repeat);
        runs.push(m);
        process.stderr.write(`run ${repeat} ${codec}: producer ${Math.round(m.producerRowsPerSecond)} rows/s, processor ${Math.round(m.processorRowsPerSecond)} rows/s, ${Math.round(m.processorRowsPerCpuSecond)} rows per CPU s\n`);
      }
    }
    const work = await codecWork(config);
    report(runs, work);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface CodecWork {
  /** CPU µs per row: decode a feature row and its target into frames, encode its prediction. */
  readonly json: number;
  readonly avro: number;
}

/** The processor's codec-dependent work per row, best of 3 passes over the same `rows` rows, batches of 1000. */
async function codecWork(configPath: string): Promise<CodecWork> {
  const config = loadConfig(configPath);
  const frame = sliceFrame(concatFrames(await Promise.all(config.data.current.map((file) => readTable(file)))), 0, rows);
  const layout = { rowIdColumn: config.columns.row_id, eventTimeColumn: config.columns.event_time, features: featureSpecs(config) };
  const features = featureRecordsOf(frame, layout);
  const targets = targetRecordsOf(frame, Int32Array.from(features.keys()), { ...layout, targetColumn: config.columns.target }, 0);
  const predictions: PredictionRecord[] = targets.map((t, i) => ({
    model: config.model.name, rowId: t.row_id, eventTime: t.event_time, windowStart: t.event_time - (t.event_time % 86_400_000),
    prediction: i / 7, label: null, target: typeof t.target === 'number' ? t.target : null,
  }));
  const topics = topicNames(`bench-avrowork-${Date.now().toString(36)}`);
  const targetLayout = { ...layout, targetColumn: config.columns.target, targetKind: 'number' as const };
  const perRow = async (codec: Codec): Promise<number> => {
    const results = resultsCodecOf(codec, topics);
    const asMessages = (values: Buffer[]) => values.map((value, i) => ({ value, offset: String(i) }));
    const featureMessages = asMessages(await codec.encode(topics.features, features));
    const targetMessages = asMessages(await codec.encode(topics.targets, targets));
    await results.encodePredictions(predictions.slice(0, 1)); // registration, outside the timing
    let best = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      const before = process.cpuUsage();
      for (let at = 0; at < rows; at += 1000) {
        await decodeFeatureBatch(featureMessages.slice(at, at + 1000), layout, { codec, topic: topics.features });
        await decodeTargetBatch(targetMessages.slice(at, at + 1000), targetLayout, { codec, topic: topics.targets });
        await results.encodePredictions(predictions.slice(at, at + 1000));
      }
      const cpu = process.cpuUsage(before);
      best = Math.min(best, (cpu.user + cpu.system) / rows);
    }
    return best;
  };
  const context = { topics, features: layout.features, model: config.model.name };
  try {
    return { json: await perRow(codecFromEnv(context, codecEnv('json'), 'json')), avro: await perRow(codecFromEnv(context, codecEnv('avro'), 'avro')) };
  } finally {
    await deleteSubjects(topics);
  }
}

async function deleteSubjects(topics: ReturnType<typeof topicNames>): Promise<void> {
  for (const role of TOPIC_ROLES) {
    const subject = `${registryUrl}/subjects/${valueSubject(topics[role])}`;
    await fetch(subject, { method: 'DELETE' }).catch(() => undefined);
    await fetch(`${subject}?permanent=true`, { method: 'DELETE' }).catch(() => undefined);
  }
}

function report(runs: readonly Measurement[], work: CodecWork): void {
  const best = (codec: CodecName, stage: 'producerRowsPerSecond' | 'processorRowsPerSecond' | 'processorRowsPerCpuSecond') =>
    Math.max(...runs.filter((r) => r.codec === codec).map((r) => r[stage]));
  const table = new Table({ head: ['stage', 'JSON', 'Avro', 'Avro / JSON', 'Avro cost', '≤ 25 %'], style: { head: [], border: [] } });
  const results: Record<string, unknown> = {};
  const stages = [
    ['producer rows/s', 'producerRowsPerSecond'],
    ['processor rows/s', 'processorRowsPerSecond'],
    ['processor rows per CPU second', 'processorRowsPerCpuSecond'],
  ] as const;
  for (const [name, stage] of stages) {
    const json = best('json', stage);
    const avro = best('avro', stage);
    const ratio = avro / json;
    const cost = 1 - ratio;
    results[name] = { json, avro, ratio, cost };
    table.push([name, Math.round(json).toLocaleString('en'), Math.round(avro).toLocaleString('en'), ratio.toFixed(2), `${(cost * 100).toFixed(1)} %`, cost <= 0.25 ? 'yes' : 'NO']);
  }
  process.stdout.write(`${rows} rows, best of ${repeats} per codec; node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  process.stdout.write(`${table.toString()}\n`);
  const processorCpuPerRow = 1e6 / best('json', 'processorRowsPerCpuSecond');
  process.stdout.write(`codec work of the processor (decode features + targets, encode predictions), CPU per row: JSON ${work.json.toFixed(2)} µs, ` +
    `Avro ${work.avro.toFixed(2)} µs; the whole processor: ${processorCpuPerRow.toFixed(1)} µs per row — Avro's extra codec work is ` +
    `${(((work.avro - work.json) / processorCpuPerRow) * 100).toFixed(1)} % of it\n`);
  results.codecWorkMicrosecondsPerRow = { ...work, processorCpuPerRow };
  const out = join(ROOT, 'bench/out');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'avro-pipeline.json'), `${JSON.stringify({ rows, repeats, results, runs }, null, 2)}\n`);
}

await main();
