/**
 * The streaming path end to end on a real broker and a real Postgres:
 * produce (3 partitions) → `driftwatch process` → `driftwatch sink` →
 * Postgres, against `driftwatch run` over the same data and config in another
 * schema. Every row of every result table must be equal — not close — apart
 * from the bookkeeping columns (updated_at, revision).
 *
 * Twice: every topic in JSON, then every topic in Avro through the real
 * schema registry (DRIFTWATCH_TEST_CODEC=json|avro runs one of them). The
 * sample and the `run` baseline are shared by both.
 *
 * The stream is not clean: the processor runs while the replay is produced,
 * so partitions interleave out of event-time order; poison messages (JSON:
 * not JSON, a field missing; Avro: not Avro, an unknown schema id, a body
 * that is not Avro of its schema) sit in the middle of the features and
 * targets topics; rows far behind the watermark arrive after the first window
 * fired. They must land in the dlq and late topics, be counted, and change
 * nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Admin } from 'kafkajs';
import { REASON_HEADER, SOURCE_OFFSET_HEADER, SOURCE_TOPIC_HEADER } from '../../processor/service/output-messages.js';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { createPool } from '../../sink/postgres/pool.js';
import { consumeAll, deleteTopicsWithPrefix, inLogOrder, uniqueTopicPrefix, type TestBroker } from './helpers/kafka.js';
import { describeEachCodec, sharedRunBaseline, type Tables } from './helpers/codec-suites.js';
import * as harness from './helpers/pipeline-harness.js';
import { sample as metricSample, spawnSink, waitFor, type SinkProcess } from './helpers/sink-process.js';

const LATE_ROWS = 2;

const sharedBaseline = sharedRunBaseline('kafka-pipeline');

await describeEachCodec((mode) => `Kafka path in ${mode} equals \`driftwatch run\``, pipelineSuite);

function pipelineSuite(mode: harness.CodecMode, broker: TestBroker, registryUrl: string | undefined): void {
  let admin: Admin;
  let prefix: string;
  let topics: TopicNames;
  let wire: harness.Wire | undefined;
  let poison: harness.Poison[];
  let baseline: Tables;
  let streamed: Tables;
  let processor: harness.ProcessorChild | undefined;
  let sink: SinkProcess | undefined;
  let metricsWhileRunning: string;
  const timings: Record<string, number> = {};

  before(async () => {
    const { sample, database, baseline: runTables, prepareAndRunMs } = await sharedBaseline();
    baseline = runTables;
    timings.prepareAndRun = prepareAndRunMs;
    const kafkaUrl = await database.newSchemaUrl();

    admin = broker.kafka.admin();
    await admin.connect();
    prefix = uniqueTopicPrefix(`pipeline-${mode}`);
    topics = await harness.createTopics(admin, prefix);
    wire = harness.wireFor(mode, sample, topics, registryUrl);
    poison = await harness.poisonFor(wire, topics);
    const brokers = broker.settings.brokers.join(',');
    sink = await spawnSink({ config: sample.config, prefix, groupId: `${prefix}.sink`, databaseUrl: kafkaUrl, brokers, sessionTimeoutMs: 6000, wire });
    processor = harness.spawnProcessor({ config: sample.config, prefix, groupId: `${prefix}.processor`, brokers, wire });
    const url = await processor.url;
    const streamStarted = Date.now();

    // The replay paced to a few seconds; the poison goes in once half of it is
    // out: in the middle of the features and targets streams.
    const replay = harness.produce(sample, prefix, { rate: 5000 }, wire);
    const half = sample.eventTimes.length / 2;
    await waitFor('half of the replay', async () => (await harness.messageCount(admin, topics.features)) >= half, 120_000, 20);
    await harness.sendPoison(broker.kafka, topics, poison);
    await replay;
    // Once a window has fired the watermark is past the first day: rows from
    // the day before the data starts are late, whatever the timing.
    await waitFor('a first window', async () => (await harness.messageCount(admin, topics['window-metrics'])) > 0, 120_000);
    await harness.sendLateRows(broker.kafka, topics, sample.eventTimes[0]! - 86_400_000, LATE_ROWS, wire);
    metricsWhileRunning = await waitFor('dead letters and late rows counted', async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return sumOf(text, 'driftwatch_dlq_messages_total') === poison.length && sumOf(text, 'driftwatch_late_rows_total') === LATE_ROWS ? text : undefined;
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

    const kafkaPool = await createPool(kafkaUrl);
    try {
      streamed = await harness.dumpTables(kafkaPool);
    } finally {
      await kafkaPool.end();
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
    if (wire) await harness.deleteSubjects(wire, topics);
    if (Object.keys(timings).length > 0) process.stderr.write(`kafka-pipeline (${mode}) timings (ms): ${JSON.stringify(timings)}\n`);
  });

  test('every result table equals `driftwatch run` on the same data, row for row', () => {
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

  test('the processor handled every row once, and said so', () => {
    const summary = harness.processorSummary(processor!);
    assert.equal(summary.rows, 20000);
    assert.equal(summary.lateRows, LATE_ROWS);
    assert.equal(summary.deadLetters, poison.length);
    assert.equal(summary.finished, true);
    process.stderr.write(`processor (${mode}): ${summary.rows} rows in ${summary.processingSeconds.toFixed(2)} s = ${Math.round(summary.rows / summary.processingSeconds)} rows/s\n`);
  });

  test(`the ${mode} codec carried every topic`, async () => {
    assert.match(processor!.stderr(), new RegExp(`"codec":"${mode}"[^\\n]*"consuming"|"consuming"[^\\n]*"codec":"${mode}"`), 'the processor says which codec it uses');
    assert.match(sink!.log(), new RegExp(`"codec":"${mode}"`), 'the sink says which codec it uses');
    const [windowMessage] = await consumeAll(broker.kafka, { [topics['window-metrics']]: 1 });
    const firstByte = windowMessage!.value![0];
    if (mode === 'avro') assert.equal(firstByte, 0, 'window metrics in the Confluent wire format (magic byte 0)');
    else assert.equal(String.fromCharCode(firstByte!), '{', 'window metrics as JSON');
  });

  test('poison messages go to the dead-letter topic with the reason and their origin, counted by kind', async () => {
    const messages = inLogOrder(await consumeAll(broker.kafka, { [topics.dlq]: poison.length }), topics.dlq);
    assert.equal(messages.length, poison.length);
    const headersOf = await dlqHeaders();
    for (const letter of poison) {
      const message = messages.find((m) => m.key === letter.key);
      assert.ok(message, `dead letter for ${letter.key}`);
      assert.deepEqual(message.value, letter.value, 'the original value, untouched');
      const headers = headersOf.get(letter.key)!;
      assert.match(headers[REASON_HEADER]!, letter.reason);
      assert.equal(headers[SOURCE_TOPIC_HEADER], topics[letter.role]);
      assert.match(headers[SOURCE_OFFSET_HEADER]!, /^\d+$/);
    }
    const featuresEnd = await harness.messageCount(admin, topics.features);
    for (const m of messages.filter((m) => headersOf.get(m.key!)![SOURCE_TOPIC_HEADER] === topics.features)) {
      const offset = Number(headersOf.get(m.key!)![SOURCE_OFFSET_HEADER]);
      assert.ok(offset > 1000 && offset < featuresEnd / 3 - 500, `poison ${m.key} at offset ${offset} lies inside its partition's stream`);
    }
    const byKind = new Map<string, number>();
    for (const { kind } of poison) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    for (const [kind, count] of byKind) assert.equal(metricSample(metricsWhileRunning, 'driftwatch_dlq_messages_total', `reason="${kind}"`), count, `dead letters of kind ${kind}`);
  });

  test('rows behind the watermark go to the late topic unchanged and are counted', async () => {
    const late = inLogOrder(await consumeAll(broker.kafka, { [topics.late]: LATE_ROWS }), topics.late);
    assert.deepEqual(late.map((m) => m.key).sort(), ['late-0', 'late-1']);
    const decoded = await wire!.codec.decode(topics.features, late.map((m) => m.value));
    late.forEach((message, i) => assert.equal((decoded[i] as { value?: { row_id?: unknown } }).value?.row_id, message.key, `late message ${message.key} decodes as its row`));
    assert.equal(metricSample(metricsWhileRunning, 'driftwatch_late_rows_total'), LATE_ROWS);
  });

  test('/metrics carries consumer lag per partition, watermark lag and the window histograms', () => {
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
      await waitFor('dead-letter headers', async () => found.size >= poison.length, 30_000, 50);
      return found;
    } finally {
      await consumer.disconnect();
    }
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
