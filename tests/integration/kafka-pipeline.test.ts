/**
 * The streaming path end to end on a real broker and a real Postgres:
 * produce (3 partitions) → `driftwatch process` → `driftwatch sink` →
 * Postgres, against `driftwatch run` over the same data and config in another
 * schema. Every row of every result table must be equal — not close — apart
 * from the bookkeeping columns (updated_at, revision).
 *
 * The stream is not clean: the processor runs while the replay is produced,
 * so partitions interleave out of event-time order; poison messages (not
 * JSON, a field missing) sit in the middle of the features and targets
 * topics; rows far behind the watermark arrive after the first window fired.
 * They must land in the dlq and late topics, be counted, and change nothing.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Admin } from 'kafkajs';
import { REASON_HEADER, SOURCE_OFFSET_HEADER, SOURCE_TOPIC_HEADER } from '../../processor/service/output-messages.js';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { createPool } from '../../sink/postgres/pool.js';
import { consumeAll, deleteTopicsWithPrefix, findTestBroker, inLogOrder, uniqueTopicPrefix, type TestBroker } from './helpers/kafka.js';
import * as harness from './helpers/pipeline-harness.js';
import { metricsText, sample as metricSample, spawnSink, waitFor, type SinkProcess } from './helpers/sink-process.js';
import { openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const lookup = await findTestBroker();
const skip = 'skip' in lookup ? lookup.skip : false;
const LATE_ROWS = 2;

let broker: TestBroker;
let admin: Admin;
let database: TestDatabase;
let sampleDir: string | undefined;
let prefix: string;
let topics: TopicNames;
let baseline: Awaited<ReturnType<typeof harness.dumpTables>>;
let streamed: Awaited<ReturnType<typeof harness.dumpTables>>;
let processor: harness.ProcessorChild;
let sink: SinkProcess | undefined;
let metricsWhileRunning: string;
const timings: Record<string, number> = {};

before(async () => {
  if ('fail' in lookup) assert.fail(lookup.fail);
  if (!('broker' in lookup)) return;
  broker = lookup.broker;
  const started = Date.now();
  const sample = await harness.prepareSample('kafka-pipeline');
  sampleDir = sample.dir;
  database = await openTestDatabase();
  const runUrl = await database.newSchemaUrl();
  const kafkaUrl = await database.newSchemaUrl();
  await harness.runBaseline(sample, runUrl);
  timings.prepareAndRun = Date.now() - started;

  admin = broker.kafka.admin();
  await admin.connect();
  prefix = uniqueTopicPrefix('pipeline');
  topics = await harness.createTopics(admin, prefix);
  const brokers = broker.settings.brokers.join(',');
  sink = await spawnSink({ config: sample.config, prefix, groupId: `${prefix}.sink`, databaseUrl: kafkaUrl, brokers, sessionTimeoutMs: 6000 });
  processor = harness.spawnProcessor({ config: sample.config, prefix, groupId: `${prefix}.processor`, brokers });
  const url = await processor.url;
  const streamStarted = Date.now();

  // The replay paced to a few seconds; the poison goes in once half of it is
  // out: in the middle of the features and targets streams.
  const replay = harness.produce(sample, prefix, { rate: 5000 });
  const half = sample.eventTimes.length / 2;
  await waitFor('half of the replay', async () => (await harness.messageCount(admin, topics.features)) >= half, 120_000, 20);
  await harness.sendPoison(broker.kafka, topics);
  await replay;
  // Once a window has fired the watermark is past the first day: rows from
  // the day before the data starts are late, whatever the timing.
  await waitFor('a first window', async () => (await harness.messageCount(admin, topics['window-metrics'])) > 0, 120_000);
  await harness.sendLateRows(broker.kafka, topics, sample.eventTimes[0]! - 86_400_000, LATE_ROWS);
  metricsWhileRunning = await waitFor('dead letters and late rows counted', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return sumOf(text, 'driftwatch_dlq_messages_total') === harness.POISON.length && sumOf(text, 'driftwatch_late_rows_total') === LATE_ROWS ? text : undefined;
  }, 120_000);
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const ready = await fetch(`${url}/readyz`);
  assert.equal(ready.status, 200, await ready.text());

  await harness.endStreams(broker.kafka, admin, topics);
  const exit = await Promise.race([processor.exited, delay(180_000).then(() => null)]);
  assert.deepEqual(exit, { code: 0, signal: null }, `processor exit; stderr tail:\n${processor.stderr().slice(-3000)}`);
  timings.processor = Date.now() - streamStarted;
  await waitFor('the sink to store everything', () => harness.groupCaughtUp(admin, `${prefix}.sink`, [topics['window-metrics'], topics.predictions]), 120_000)
    .catch((error: Error) => assert.fail(`${error.message}; sink log tail:\n${sink!.log().slice(-3000)}`));
  timings.streamed = Date.now() - streamStarted;

  const runPool = await createPool(runUrl);
  const kafkaPool = await createPool(kafkaUrl);
  try {
    baseline = await harness.dumpTables(runPool);
    streamed = await harness.dumpTables(kafkaPool);
  } finally {
    await Promise.all([runPool.end(), kafkaPool.end()]);
  }
}, { timeout: 600_000 });

after(async () => {
  processor?.child.kill('SIGKILL');
  if (sink) {
    sink.child.kill('SIGTERM');
    await sink.exited;
  }
  if (admin) {
    await deleteTopicsWithPrefix(admin, prefix).catch(() => undefined);
    await admin.disconnect();
  }
  await database?.close();
  if (sampleDir) await rm(sampleDir, { recursive: true, force: true });
  if (Object.keys(timings).length > 0) process.stderr.write(`kafka-pipeline timings (ms): ${JSON.stringify(timings)}\n`);
});

test('every result table equals `driftwatch run` on the same data, row for row', { skip }, () => {
  for (const table of harness.RESULT_TABLES) {
    const expected = baseline[table]!;
    const actual = streamed[table]!;
    assert.equal(actual.length, expected.length, `${table}: ${actual.length} rows through Kafka, ${expected.length} from run`);
    for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], `${table} row ${i}`);
  }
  for (const table of harness.RESULT_TABLES) {
    if (table !== 'confusion_matrix') assert.ok(baseline[table]!.length > 0, `${table} has rows (a regression model has no confusion matrix)`);
  }
  assert.equal(baseline.predictions!.length, 20000);
  assert.ok(baseline.windows!.length >= 14, 'the sample spans two weeks of daily windows');
});

test('the processor handled every row once, and said so', { skip }, () => {
  const summary = harness.processorSummary(processor);
  assert.equal(summary.rows, 20000);
  assert.equal(summary.lateRows, LATE_ROWS);
  assert.equal(summary.deadLetters, harness.POISON.length);
  assert.equal(summary.finished, true);
  process.stderr.write(`processor: ${summary.rows} rows in ${summary.processingSeconds.toFixed(2)} s = ${Math.round(summary.rows / summary.processingSeconds)} rows/s\n`);
});

test('poison messages go to the dead-letter topic with the reason and their origin, counted by kind', { skip }, async () => {
  const messages = inLogOrder(await consumeAll(broker.kafka, { [topics.dlq]: harness.POISON.length }), topics.dlq);
  assert.equal(messages.length, harness.POISON.length);
  const headersOf = await dlqHeaders();
  for (const poison of harness.POISON) {
    const letter = messages.find((m) => m.key === poison.key);
    assert.ok(letter, `dead letter for ${poison.key}`);
    assert.equal(letter.value?.toString(), poison.value, 'the original value, untouched');
    const headers = headersOf.get(poison.key)!;
    assert.match(headers[REASON_HEADER]!, poison.reason);
    assert.equal(headers[SOURCE_TOPIC_HEADER], topics[poison.role]);
    assert.match(headers[SOURCE_OFFSET_HEADER]!, /^\d+$/);
  }
  const featuresEnd = await harness.messageCount(admin, topics.features);
  for (const m of messages.filter((m) => headersOf.get(m.key!)![SOURCE_TOPIC_HEADER] === topics.features)) {
    const offset = Number(headersOf.get(m.key!)![SOURCE_OFFSET_HEADER]);
    assert.ok(offset > 1000 && offset < featuresEnd / 3 - 500, `poison ${m.key} at offset ${offset} lies inside its partition's stream`);
  }
  assert.equal(metricSample(metricsWhileRunning, 'driftwatch_dlq_messages_total', 'reason="not-json"'), 1);
  assert.equal(metricSample(metricsWhileRunning, 'driftwatch_dlq_messages_total', 'reason="missing-field"'), 2);
});

test('rows behind the watermark go to the late topic unchanged and are counted', { skip }, async () => {
  const late = inLogOrder(await consumeAll(broker.kafka, { [topics.late]: LATE_ROWS }), topics.late);
  assert.deepEqual(late.map((m) => m.key).sort(), ['late-0', 'late-1']);
  for (const message of late) assert.equal(JSON.parse(message.value!.toString()).row_id, message.key);
  assert.equal(metricSample(metricsWhileRunning, 'driftwatch_late_rows_total'), LATE_ROWS);
});

test('/metrics carries consumer lag per partition, watermark lag and the window histograms', { skip }, () => {
  for (const partition of [0, 1, 2]) {
    assert.notEqual(metricSample(metricsWhileRunning, 'driftwatch_consumer_lag', `topic="${topics.features}",partition="${partition}"`), undefined, `lag of features partition ${partition}`);
  }
  assert.ok(Number.isFinite(metricSample(metricsWhileRunning, 'driftwatch_watermark_lag_seconds')));
  assert.ok(metricSample(metricsWhileRunning, 'driftwatch_window_close_latency_seconds_count')! > 0);
  assert.ok(metricSample(metricsWhileRunning, 'driftwatch_inference_duration_seconds_count')! > 0);
  assert.ok(metricSample(metricsWhileRunning, 'driftwatch_rows_processed_total')! > 0);
});

/** Dead-letter headers by message key (consumeAll keeps no headers). */
async function dlqHeaders(): Promise<Map<string, Record<string, string>>> {
  const consumer = broker.kafka.consumer({ groupId: `${prefix}.dlq-reader`, maxWaitTimeInMs: 100 });
  const found = new Map<string, Record<string, string>>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topics.dlq], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]));
        found.set(message.key!.toString(), headers);
      },
    });
    await waitFor('dead-letter headers', async () => found.size >= harness.POISON.length, 30_000, 50);
    return found;
  } finally {
    await consumer.disconnect();
  }
}

function sumOf(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match && match[1] === name) sum += Number(match[3]);
  }
  return sum;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
