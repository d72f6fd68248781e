/**
 * The broker goes away for 30 s in the middle of a replay and comes back:
 * produce → `driftwatch process` → `driftwatch sink` must all resume on their
 * own (nobody restarts them) and the final tables must equal `driftwatch run`
 * on the same data, row for row.
 *
 * The broker is a private one (scripts/kafka-local.sh on free ports, its own
 * folder), stopped cleanly and started again on the same ports and data;
 * Postgres is the shared test database (it stays up).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Admin } from 'kafkajs';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { assertSameTables, delay, produceTo, startPrivateKafka, type PrivateKafka, dumpBoth, stopServices } from './helpers/faults.js';
import * as harness from './helpers/pipeline-harness.js';
import { startStreamTest } from './helpers/stream-start.js';
import { spawnSink, waitFor, type SinkProcess } from './helpers/sink-process.js';
import type { TestDatabase } from './postgres-test-db.js';

const OUTAGE_MS = 30_000;
/** Rows per second: the replay takes ~25 s without the outage, so the outage lands mid-stream. */
const RATE = 800;

let broker: PrivateKafka | undefined;
let admin: Admin | undefined;
let database: TestDatabase | undefined;
let sampleDir: string | undefined;
let prefix: string;
let topics: TopicNames;
let sink: SinkProcess | undefined;
let processor: harness.ProcessorChild | undefined;
let baseline: Awaited<ReturnType<typeof harness.dumpTables>>;
let streamed: Awaited<ReturnType<typeof harness.dumpTables>>;
const seen: { featuresAtStop?: number; featuresAtEnd?: number; processorExit?: unknown; sinkAliveAfterOutage?: boolean; processorAliveAfterOutage?: boolean } = {};
const timings: Record<string, number> = {};

before(async () => {
  const started = Date.now();
  const brokerStarted = startPrivateKafka('fault-kafka').then((server) => (broker = server));
  const { sample, runUrl, streamUrl: kafkaUrl, ...start } = await startStreamTest('fault-kafka', () => broker!.kafka, brokerStarted);
  ({ database, admin, prefix, topics, prepareMs: timings.prepare } = start);
  sampleDir = sample.dir;
  if (!broker) throw new Error('the private broker did not start');
  sink = await spawnSink({ config: sample.config, prefix, groupId: `${prefix}.sink`, databaseUrl: kafkaUrl, brokers: broker.brokers, sessionTimeoutMs: 6000 });
  processor = harness.spawnProcessor({ config: sample.config, prefix, groupId: `${prefix}.processor`, brokers: broker.brokers });
  await processor.url;
  const streamStarted = Date.now();
  const replay = produceTo(sample.config, prefix, broker.brokers, RATE, { endOfStream: true });

  // Mid-stream: a quarter of the rows out and a first window published.
  await waitFor('a quarter of the replay and a first window', async () =>
    (await harness.messageCount(admin!, topics.features)) >= sample.eventTimes.length / 4
    && (await harness.messageCount(admin!, topics['window-metrics'])) > 0, 120_000, 100)
    .catch(async (error: Error) => assert.fail(`${error.message}: ${await harness.messageCount(admin!, topics.features)} features, `
      + `${await harness.messageCount(admin!, topics['window-metrics'])} windows; processor stderr tail:\n${processor!.stderr().slice(-3000)}`));
  seen.featuresAtStop = await harness.messageCount(admin, topics.features);
  await admin.disconnect();
  await broker.stop();
  timings.stoppedAt = Date.now() - streamStarted;
  await delay(OUTAGE_MS);
  seen.processorAliveAfterOutage = processor.child.exitCode === null && processor.child.signalCode === null;
  seen.sinkAliveAfterOutage = sink.child.exitCode === null && sink.child.signalCode === null;
  await broker.start();
  timings.restartedAt = Date.now() - streamStarted;
  admin = broker.kafka.admin();
  await admin.connect();

  await replay;
  timings.replay = Date.now() - streamStarted;
  seen.processorExit = await Promise.race([processor.exited, delay(240_000).then(() => null)]);
  await waitFor('the sink to store everything', () => harness.groupCaughtUp(admin!, `${prefix}.sink`, [topics['window-metrics'], topics.predictions]), 180_000)
    .catch((error: Error) => assert.fail(`${error.message}; sink log tail:\n${sink!.log().slice(-3000)}`));
  seen.featuresAtEnd = await harness.messageCount(admin, topics.features);
  timings.total = Date.now() - started;

  ({ baseline, streamed } = await dumpBoth(runUrl, kafkaUrl));
}, { timeout: 600_000 });

after(async () => {
  await stopServices({ processor, sink, admin, prefix });
  await broker?.close();
  await database?.close();
  if (sampleDir) await rm(sampleDir, { recursive: true, force: true });
  process.stderr.write(`fault-kafka-outage: ${JSON.stringify(seen)} timings (ms) ${JSON.stringify(timings)}\n`);
});

test('the broker was down for 30 s mid-replay; processor and sink stayed up through it', () => {
  assert.ok(seen.featuresAtStop! < seen.featuresAtEnd!, `stopped with ${seen.featuresAtStop} of ${seen.featuresAtEnd} feature messages out`);
  assert.ok(timings.restartedAt! - timings.stoppedAt! >= OUTAGE_MS);
  assert.equal(seen.processorAliveAfterOutage, true, `the processor exited during the outage; stderr tail:\n${processor?.stderr().slice(-3000)}`);
  assert.equal(seen.sinkAliveAfterOutage, true, `the sink exited during the outage; log tail:\n${sink?.log().slice(-3000)}`);
});

test('after the outage the processor finished the stream and exited 0', () => {
  assert.deepEqual(seen.processorExit, { code: 0, signal: null }, `processor; stderr tail:\n${processor?.stderr().slice(-3000)}`);
  const summary = harness.processorSummary(processor!);
  assert.equal(summary.finished, true);
  assert.equal(summary.deadLetters, 0);
});

test('every result table equals `driftwatch run`, row for row: nothing lost, nothing doubled', () => {
  assertSameTables(assert.deepEqual, streamed, baseline);
  assert.equal(baseline.predictions!.length, 20000);
});
