/**
 * Schema evolution under a running processor (issue 5, item 4), against the
 * real broker and the real schema registry:
 *
 * - `driftwatch process` runs in Avro mode on the sample's config;
 * - the first half of the sample is replayed with the config's features
 *   schema (v1); once a window has fired, two poison messages go in — a
 *   schema id the registry does not know, and a payload that is not Avro (a
 *   JSON row);
 * - then the producer switches to a features schema with one more optional
 *   feature, `taxi_time`, which the config does not monitor (v2: a
 *   BACKWARD-compatible change the registry accepts as version 2), and
 *   replays the second half.
 *
 * The processor must keep going: every row of both halves processed (read
 * through Avro schema resolution into its own v1 schema), the new feature
 * neither monitored nor a problem, and exactly the two poison messages in the
 * dlq with their reasons, counted by kind. Everything uses one partition, so
 * "old, poison, new" is also the order in which the processor reads them.
 *
 * The processor reaches the registry through a proxy in this test, cut while
 * the v2 half is written: the first v2 message carries a schema id the
 * processor has not seen, so it cannot decode it. That is not the message's
 * fault — the batch must be retried (no dead letter, nothing committed past
 * it) until the proxy is back. The sink (`driftwatch sink`, Avro, through
 * the same proxy) starts while it is cut, so it cannot read the window
 * metrics' schema either: it must wait the same way and then store
 * everything.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { after, before, test } from 'node:test';
import type { Admin, Producer } from 'kafkajs';
import { featureSpecs, loadConfig } from '../../cli/config.js';
import type { Column, Frame } from '../../processor/frame.js';
import { requireColumn } from '../../processor/frame.js';
import type { WindowMetrics } from '../../processor/results.js';
import { REASON_HEADER, SOURCE_TOPIC_HEADER } from '../../processor/service/output-messages.js';
import { createAvroCodec, valueSubject } from '../../producer/codec/avro.js';
import { avroSchemasByTopic } from '../../producer/codec/avro-schemas.js';
import { schemaRegistryFromEnv } from '../../producer/codec/factory.js';
import type { FeatureLayout } from '../../producer/codec/records.js';
import { readTable } from '../../producer/io/index.js';
import { createReplayProducer, replayToKafka } from '../../producer/kafka/replay-producer.js';
import { ensureTopics, topicNames, type TopicNames } from '../../producer/kafka/topics.js';
import { planReplay } from '../../producer/replay-schedule.js';
import { consumeAll, deleteTopicsWithPrefix, findTestBroker, inLogOrder, uniqueTopicPrefix, type TestBroker } from './helpers/kafka.js';
import { sql } from 'slonik';
import { createPool } from '../../sink/postgres/pool.js';
import * as harness from './helpers/pipeline-harness.js';
import { sample as metricSample, spawnSink, waitFor, type SinkProcess } from './helpers/sink-process.js';
import { openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const lookup = await findTestBroker();
const registry = 'broker' in lookup ? await harness.findTestRegistry() : undefined;
const missing = 'fail' in lookup || 'skip' in lookup ? lookup : registry && !('url' in registry) ? registry : undefined;
const skip = missing && 'skip' in missing ? missing.skip : false;
const NEW_FEATURE = 'taxi_time';
const UNKNOWN_SCHEMA_ID = 2_000_000_000;

let broker: TestBroker;
let registryUrl: string;
let admin: Admin | undefined;
let producer: Producer | undefined;
let sample: harness.Sample | undefined;
let prefix: string;
let topics: TopicNames;
let wire: harness.Wire | undefined;
let processor: harness.ProcessorChild | undefined;
let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
let metricsWhileRunning = '';
let firstHalfRows = 0;
let secondHalfRows = 0;
/** The processor's state right after the schema switch: still running? */
let runningAfterSwitch = false;
let proxy: RegistryProxy | undefined;
let database: TestDatabase | undefined;
let sink: SinkProcess | undefined;
let stored: { windows: number; predictions: number } | undefined;
/** While the registry was cut off: the first v2 offset, and the features offset the processor had committed. */
let whileCut: { firstV2Offset: number; committed: number } | undefined;
const timings: Record<string, number> = {};

before(async () => {
  if (missing && 'fail' in missing) assert.fail(missing.fail);
  if (skip || !('broker' in lookup) || !registry || !('url' in registry)) return;
  broker = lookup.broker;
  registryUrl = registry.url;
  const started = Date.now();
  sample = await harness.prepareSample('avro-evolution');
  timings.prepare = Date.now() - started;
  const config = loadConfig(sample.config);

  admin = broker.kafka.admin();
  await admin.connect();
  prefix = uniqueTopicPrefix('evolution');
  topics = topicNames(prefix);
  await ensureTopics(admin, Object.values(topics), 1, 1);
  wire = harness.wireFor('avro', sample, topics, registryUrl);
  proxy = await registryProxy(registryUrl);
  const groupId = `${prefix}.processor`;
  const brokers = broker.settings.brokers.join(',');
  const viaProxy: harness.Wire = { ...wire, env: { SCHEMA_REGISTRY_URL: proxy.url } };
  processor = harness.spawnProcessor({ config: sample.config, prefix, groupId, brokers, wire: viaProxy });
  database = await openTestDatabase();
  const sinkUrl = await database.newSchemaUrl();
  const url = await processor.url;

  // The sample with one more column, the feature only the v2 producer sends.
  const frame = withNewFeature(await readTable(sample.current));
  const split = sample.eventTimes[sample.eventTimes.length / 2]!;
  const v1: FeatureLayout = { rowIdColumn: config.columns.row_id, eventTimeColumn: config.columns.event_time, features: featureSpecs(config) };
  const v2: FeatureLayout = { ...v1, features: [...v1.features, { name: NEW_FEATURE, type: 'numerical' }] };
  const codecV2 = createAvroCodec({ registry: schemaRegistryFromEnv(registryUrl), registryUrl, schemas: avroSchemasByTopic(topics, v2.features, config.model.name) });
  const replay = (layout: FeatureLayout, codec: typeof codecV2, range: { from?: number; to?: number }) => replayToKafka({
    producer: producer!, codec, layout, targetColumn: config.columns.target, topics, batchSize: 500,
    plan: planReplay(frame, { eventTimeColumn: v1.eventTimeColumn, labelDelay: config.window.label_delay, ...range }),
  });
  producer = createReplayProducer(broker.kafka);
  await producer.connect();

  firstHalfRows = (await replay(v1, wire.codec, { to: split })).rows;
  await waitFor('a first window from the v1 half', async () => (await harness.messageCount(admin!, topics['window-metrics'])) > 0, 120_000);
  const [valid] = await wire.codec.encode(topics.features, [{ row_id: 'poison-unknown-id', event_time: split, hour: 1, weekday: 1, month: 2, distance: 400, origin: 'SFO', destination: 'LAX' }]);
  const unknownId = Buffer.from(valid!);
  unknownId.writeInt32BE(UNKNOWN_SCHEMA_ID, 1);
  await producer.send({ topic: topics.features, acks: -1, messages: [
    { key: 'poison-unknown-id', value: unknownId },
    { key: 'poison-json', value: Buffer.from(JSON.stringify({ row_id: 'poison-json', event_time: split, hour: 1 })) },
  ] });
  const firstV2Offset = await harness.messageCount(admin, topics.features);
  proxy.cut(true);
  sink = await spawnSink({ config: sample.config, prefix, groupId: `${prefix}.sink`, databaseUrl: sinkUrl, brokers, sessionTimeoutMs: 6000, wire: viaProxy });
  secondHalfRows = (await replay(v2, codecV2, { from: split })).rows;
  await waitFor('the processor to retry a batch it cannot decode', async () => processor!.stderr().includes('cannot decode the batch'), 120_000, 100);
  await waitFor('the sink to retry a batch it cannot decode', async () => sink!.log().includes('decoding failed (schema registry unreachable?)'), 120_000, 100);
  await delay(1500); // a retry or two more
  const [committed] = (await admin.fetchOffsets({ groupId, topics: [topics.features] }))[0]!.partitions;
  whileCut = { firstV2Offset, committed: Number(committed!.offset) };
  runningAfterSwitch = !(await Promise.race([processor.exited.then(() => true), delay(0).then(() => false)]));
  proxy.cut(false);

  metricsWhileRunning = await waitFor('the poison counted', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return (metricSample(text, 'driftwatch_dlq_messages_total', 'reason="unknown-schema"') ?? 0) + (metricSample(text, 'driftwatch_dlq_messages_total', 'reason="not-avro"') ?? 0) >= 2 ? text : undefined;
  }, 120_000);
  await harness.endStreams(broker.kafka, admin, topics);
  exit = await Promise.race([processor.exited, delay(180_000).then(() => null)]);
  await waitFor('the sink to store everything', () => harness.groupCaughtUp(admin!, `${prefix}.sink`, [topics['window-metrics'], topics.predictions]), 120_000)
    .catch((error: Error) => assert.fail(`${error.message}; sink log tail:\n${sink!.log().slice(-3000)}`));
  const pool = await createPool(sinkUrl);
  try {
    stored = {
      windows: Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM windows`)),
      predictions: Number(await pool.oneFirst(sql.unsafe`SELECT count(*) FROM predictions`)),
    };
  } finally {
    await pool.end();
  }
  timings.total = Date.now() - started;
}, { timeout: 600_000 });

after(async () => {
  processor?.child.kill('SIGKILL');
  if (sink) {
    sink.child.kill('SIGTERM');
    await sink.exited;
  }
  await producer?.disconnect();
  await proxy?.close();
  await database?.close();
  if (admin) {
    await deleteTopicsWithPrefix(admin, prefix).catch(() => undefined);
    await admin.disconnect();
  }
  if (wire) await harness.deleteSubjects(wire, topics);
  if (sample) await rm(sample.dir, { recursive: true, force: true });
  if (Object.keys(timings).length > 0) process.stderr.write(`avro-evolution timings (ms): ${JSON.stringify(timings)}\n`);
});

test('the registry took the new optional feature as version 2, and the second half was written with it', { skip }, async () => {
  const subject = `${registryUrl}/subjects/${valueSubject(topics.features)}/versions`;
  const versions = await (await fetch(subject)).json() as number[];
  assert.equal(versions.length, 2, `versions of ${valueSubject(topics.features)}: ${JSON.stringify(versions)}`);
  const ids = [];
  for (const version of versions) {
    const body = await (await fetch(`${subject}/${version}`)).json() as { id: number; schema: string };
    ids.push(body.id);
    const fields = (JSON.parse(body.schema) as { fields: { name: string }[] }).fields.map((f) => f.name);
    assert.equal(fields.includes(NEW_FEATURE), version === versions.at(-1), `version ${version} ${version === versions.at(-1) ? 'has' : 'lacks'} ${NEW_FEATURE}`);
  }
  const total = await harness.messageCount(admin!, topics.features);
  const messages = inLogOrder(await consumeAll(broker.kafka, { [topics.features]: total }, { timeoutMs: 60_000 }), topics.features);
  const idOf = (m: { value: Buffer | null }) => (m.value && m.value.length >= 5 && m.value[0] === 0 ? m.value.readInt32BE(1) : null);
  const data = messages.filter((m) => m.value !== null && m.value.length > 0 && !m.key?.startsWith('poison-'));
  assert.equal(data.length, firstHalfRows + secondHalfRows);
  assert.deepEqual([...new Set(data.slice(0, firstHalfRows).map(idOf))], [ids[0]], 'the first half: schema v1');
  assert.deepEqual([...new Set(data.slice(firstHalfRows).map(idOf))], [ids[1]], 'the second half: schema v2');
});

test('the processor kept going: every row of both halves processed, then a clean exit', { skip }, () => {
  assert.ok(firstHalfRows > 0 && secondHalfRows > 0);
  assert.equal(firstHalfRows + secondHalfRows, 20000);
  assert.equal(runningAfterSwitch, true, 'still running once the v2 half was written');
  assert.deepEqual(exit, { code: 0, signal: null }, `processor exit; stderr tail:\n${processor?.stderr().slice(-3000)}`);
  const summary = harness.processorSummary(processor!);
  assert.equal(summary.rows, firstHalfRows + secondHalfRows, 'rows processed');
  assert.equal(summary.deadLetters, 2, 'only the two poison messages were refused');
  assert.equal(summary.finished, true);
});

test('every window covers its rows on the config\'s features only; the new feature is not monitored', { skip }, async () => {
  const count = await harness.messageCount(admin!, topics['window-metrics']);
  const messages = inLogOrder(await consumeAll(broker.kafka, { [topics['window-metrics']]: count }), topics['window-metrics']);
  const outcomes = await wire!.codec.decode(topics['window-metrics'], messages.map((m) => m.value));
  const latest = new Map<number, WindowMetrics>();
  for (const outcome of outcomes) {
    assert.equal(outcome.error, undefined, outcome.error);
    const window = outcome.value as WindowMetrics;
    if ((latest.get(window.windowStart)?.revision ?? 0) < window.revision) latest.set(window.windowStart, window);
  }
  let rows = 0;
  const monitored = featureSpecs(loadConfig(sample!.config)).map((f) => f.name).sort();
  for (const window of latest.values()) {
    rows += window.rows;
    assert.deepEqual(window.drift.columns.map((c) => c.column).sort(), monitored, `window ${new Date(window.windowStart).toISOString()}`);
  }
  assert.equal(rows, 20000, 'the windows hold every row of both halves');
  const last = Math.max(...latest.keys());
  assert.ok(last >= sample!.eventTimes.at(-1)! - 86_400_000, 'the last window is one of the second half');
});

test('while the registry could not be reached the batch was retried: no dead letter, nothing committed past it', { skip }, () => {
  assert.ok(whileCut, 'the registry was cut off while the v2 half was read');
  assert.ok(whileCut.committed <= whileCut.firstV2Offset, `committed features offset ${whileCut.committed} ≤ first v2 message ${whileCut.firstV2Offset}`);
  assert.match(processor!.stderr(), /"msg":"cannot decode the batch[^"]*; retrying it, nothing dead-lettered or committed"/);
  assert.equal(harness.processorSummary(processor!).deadLetters, 2, 'the undecodable v2 rows were not dead-lettered');
});

test('the sink, started while the registry was cut off, waited and then stored every window and prediction', { skip }, async () => {
  assert.match(sink!.log(), /"msg":"decoding failed \(schema registry unreachable\?\); retrying \(consumption paused\)"/);
  const windows = new Set<number>();
  const count = await harness.messageCount(admin!, topics['window-metrics']);
  const messages = await consumeAll(broker.kafka, { [topics['window-metrics']]: count });
  for (const outcome of await wire!.codec.decode(topics['window-metrics'], messages.map((m) => m.value))) windows.add((outcome as { value: WindowMetrics }).value.windowStart);
  assert.deepEqual(stored, { windows: windows.size, predictions: 20000 });
});

test('an unknown schema id and a non-Avro payload go to the dlq with the reason, counted by kind', { skip }, async () => {
  const letters = await dlqLetters(2);
  assert.deepEqual([...letters.keys()].sort(), ['poison-json', 'poison-unknown-id']);
  assert.match(letters.get('poison-unknown-id')![REASON_HEADER]!, new RegExp(`^unknown schema id ${UNKNOWN_SCHEMA_ID} `));
  assert.match(letters.get('poison-json')![REASON_HEADER]!, /^not Avro in the Confluent wire format: first byte 0x7b/);
  for (const headers of letters.values()) assert.equal(headers[SOURCE_TOPIC_HEADER], topics.features);
  assert.equal(metricSample(metricsWhileRunning, 'driftwatch_dlq_messages_total', 'reason="unknown-schema"'), 1);
  assert.equal(metricSample(metricsWhileRunning, 'driftwatch_dlq_messages_total', 'reason="not-avro"'), 1);
});

/** `taxi_time`, a made-up numerical column (missing where distance is). */
function withNewFeature(frame: Frame): Frame {
  const distance = requireColumn(frame, 'distance').values as Float64Array;
  const taxiTime: Column = { kind: 'number', values: Float64Array.from(distance, (d) => 5 + (d % 23)) } as Column;
  return { rowCount: frame.rowCount, columns: new Map([...frame.columns, [NEW_FEATURE, taxiTime]]) };
}

interface RegistryProxy {
  readonly url: string;
  /** While cut, every connection is dropped at once (the client sees ECONNRESET: "cannot be reached"). */
  cut(down: boolean): void;
  close(): Promise<void>;
}

/** An HTTP proxy in front of the registry, on 127.0.0.1, that can be cut. */
async function registryProxy(target: string): Promise<RegistryProxy> {
  const upstream = new URL(target);
  let down = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (socket) => {
    if (down) return void socket.destroy();
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname}`,
    cut(value) {
      down = value;
      if (down) for (const socket of sockets) socket.destroy();
    },
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** The dead letters' headers by message key. */
async function dlqLetters(expected: number): Promise<Map<string, Record<string, string>>> {
  const consumer = broker.kafka.consumer({ groupId: `${prefix}.dlq-reader`, maxWaitTimeInMs: 100 });
  const found = new Map<string, Record<string, string>>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topics.dlq], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        found.set(message.key!.toString(), Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)])));
      },
    });
    await waitFor('the dead letters', async () => found.size >= expected, 30_000, 50);
    await delay(500); // anything more would be a dead letter too many
    return found;
  } finally {
    await consumer.disconnect();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
