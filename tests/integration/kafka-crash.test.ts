/**
 * Crash safety of `driftwatch process`: while the sample is being replayed,
 * the processor is killed with SIGKILL at seeded random moments (four times)
 * and restarted each time, then stopped once with SIGTERM (which must exit 0) and restarted. The tables the sink fills must end up equal to
 * `driftwatch run` on the same data — nothing lost (offsets are committed only
 * once the windows holding the records are published and closed), nothing
 * doubled (results are keyed upserts, the restarted processor re-derives its
 * open windows from the committed offsets).
 *
 * DRIFTWATCH_CRASH_SEED picks other crash points (the seed is printed).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Admin } from 'kafkajs';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { createPool } from '../../sink/postgres/pool.js';
import { deleteTopicsWithPrefix, findTestBroker, uniqueTopicPrefix } from './helpers/kafka.js';
import * as harness from './helpers/pipeline-harness.js';
import { spawnSink, waitFor, type SinkProcess } from './helpers/sink-process.js';
import { openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const lookup = await findTestBroker();
const skip = 'skip' in lookup ? lookup.skip : false;
const SEED = Number(process.env.DRIFTWATCH_CRASH_SEED ?? 20260131);
const CRASHES = 4;
/** Rows per second of the replay: long enough (~40 s) for every crash to land mid-stream. */
const RATE = 500;

let admin: Admin;
let database: TestDatabase;
let sampleDir: string | undefined;
let prefix: string;
let topics: TopicNames;
let baseline: Awaited<ReturnType<typeof harness.dumpTables>>;
let streamed: Awaited<ReturnType<typeof harness.dumpTables>>;
let sink: SinkProcess | undefined;
let current: harness.ProcessorChild | undefined;
const crashes: { afterMs: number; windowsPublished: number; exit: { code: number | null; signal: NodeJS.Signals | null } }[] = [];
let sigtermExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
let lastExit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
let lastSummary: ReturnType<typeof harness.processorSummary> | undefined;
const timings: Record<string, number> = {};

before(async () => {
  if ('fail' in lookup) assert.fail(lookup.fail);
  if (!('broker' in lookup)) return;
  const { kafka, settings } = lookup.broker;
  const started = Date.now();
  const sample = await harness.prepareSample('kafka-crash');
  sampleDir = sample.dir;
  database = await openTestDatabase();
  const runUrl = await database.newSchemaUrl();
  const kafkaUrl = await database.newSchemaUrl();
  await harness.runBaseline(sample, runUrl);
  timings.prepareAndRun = Date.now() - started;

  admin = kafka.admin();
  await admin.connect();
  prefix = uniqueTopicPrefix('crash');
  topics = await harness.createTopics(admin, prefix);
  const brokers = settings.brokers.join(',');
  const groupId = `${prefix}.processor`;
  sink = await spawnSink({ config: sample.config, prefix, groupId: `${prefix}.sink`, databaseUrl: kafkaUrl, brokers, sessionTimeoutMs: 6000 });
  const streamStarted = Date.now();
  const replay = harness.produce(sample, prefix, { rate: RATE }).then(() => harness.endStreams(kafka, admin, topics));

  const random = harness.seededRandom(SEED);
  process.stderr.write(`kafka-crash: seed ${SEED}\n`);
  for (let crash = 0; crash < CRASHES; crash++) {
    current = harness.spawnProcessor({ config: sample.config, prefix, groupId, brokers });
    const processor = current;
    // Kill only once it consumes (partitions assigned), then after a random 0.3–3 s of work.
    await waitFor('the processor to be assigned its partitions', async () => processor.stderr().includes('partitions assigned') || (await processorGone(processor)), 60_000, 20);
    await delay(300 + random() * 2700);
    const gone = await processorGone(processor);
    assert.equal(gone, false, `crash ${crash + 1}: the processor exited before it could be killed; stderr tail:\n${processor.stderr().slice(-2000)}`);
    processor.child.kill('SIGKILL');
    const exit = await processor.exited;
    crashes.push({ afterMs: Date.now() - streamStarted, windowsPublished: await harness.messageCount(admin, topics['window-metrics']), exit });
  }
  // A clean stop in between: SIGTERM publishes what is due, commits and exits 0.
  current = harness.spawnProcessor({ config: sample.config, prefix, groupId, brokers });
  const stopped = current;
  await waitFor('the processor to be assigned its partitions', async () => stopped.stderr().includes('partitions assigned'), 60_000, 20);
  await delay(300 + random() * 2700);
  stopped.child.kill('SIGTERM');
  sigtermExit = await Promise.race([stopped.exited, delay(60_000).then(() => null)]);
  current = harness.spawnProcessor({ config: sample.config, prefix, groupId, brokers });
  await replay;
  timings.replay = Date.now() - streamStarted;
  lastExit = await Promise.race([current.exited, delay(240_000).then(() => null)]);
  assert.deepEqual(lastExit, { code: 0, signal: null }, `last processor; stderr tail:\n${current.stderr().slice(-3000)}`);
  lastSummary = harness.processorSummary(current);
  await waitFor('the sink to store everything', () => harness.groupCaughtUp(admin, `${prefix}.sink`, [topics['window-metrics'], topics.predictions]), 120_000)
    .catch((error: Error) => assert.fail(`${error.message}; sink log tail:\n${sink!.log().slice(-3000)}`));
  timings.total = Date.now() - started;

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
  current?.child.kill('SIGKILL');
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
  process.stderr.write(`kafka-crash: crashes ${JSON.stringify(crashes)} timings (ms) ${JSON.stringify(timings)}\n`);
});

test(`the processor was killed ${CRASHES} times mid-stream and the last one finished cleanly`, { skip }, () => {
  assert.equal(crashes.length, CRASHES);
  for (const crash of crashes) assert.deepEqual(crash.exit, { code: null, signal: 'SIGKILL' });
  assert.ok(crashes.at(-1)!.afterMs < (timings.replay ?? Infinity), 'the last crash came before the replay ended');
  assert.deepEqual(sigtermExit, { code: 0, signal: null }, 'SIGTERM: a clean exit');
  assert.equal(lastSummary?.finished, true);
});

test('after the crashes every result table equals `driftwatch run`, row for row: nothing lost, nothing doubled', { skip }, () => {
  for (const table of harness.RESULT_TABLES) {
    const expected = baseline[table]!;
    const actual = streamed[table]!;
    assert.equal(actual.length, expected.length, `${table}: ${actual.length} rows through Kafka, ${expected.length} from run`);
    for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], `${table} row ${i}`);
  }
  assert.equal(baseline.predictions!.length, 20000);
});

/** True once the child has exited (without waiting for it otherwise). */
async function processorGone(processor: harness.ProcessorChild): Promise<boolean> {
  return Promise.race([processor.exited.then(() => true), delay(0).then(() => false)]);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
