/**
 * Crash safety of `driftwatch process`: while the sample is being replayed,
 * the processor is killed with SIGKILL at seeded random moments (four times)
 * and restarted each time, then stopped once with SIGTERM (which must exit 0)
 * and restarted. The tables the sink fills must end up equal to
 * `driftwatch run` on the same data — nothing lost (offsets are committed only
 * once the windows holding the records are published and closed), nothing
 * doubled (results are keyed upserts, the restarted processor re-derives its
 * open windows from the committed offsets).
 *
 * Twice: every topic in JSON, then every topic in Avro through the real
 * schema registry (DRIFTWATCH_TEST_CODEC=json|avro runs one of them); the
 * sample and the `run` baseline are shared. Both modes crash at the same
 * seeded moments.
 *
 * DRIFTWATCH_CRASH_SEED picks other crash points (the seed is printed).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Admin } from 'kafkajs';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { createPool } from '../../sink/postgres/pool.js';
import { deleteTopicsWithPrefix, uniqueTopicPrefix, type TestBroker } from './helpers/kafka.js';
import { describeEachCodec, sharedRunBaseline, type Tables } from './helpers/codec-suites.js';
import * as harness from './helpers/pipeline-harness.js';
import { spawnSink, waitFor, type SinkProcess } from './helpers/sink-process.js';

const SEED = Number(process.env.DRIFTWATCH_CRASH_SEED ?? 20260131);
const CRASHES = 4;
/** Rows per second of the replay: long enough (~40 s) for every crash to land mid-stream. */
const RATE = 500;

type Exit = { code: number | null; signal: NodeJS.Signals | null };

const sharedBaseline = sharedRunBaseline('kafka-crash');

await describeEachCodec((mode) => `processor crashes in ${mode}`, crashSuite);

function crashSuite(mode: harness.CodecMode, broker: TestBroker, registryUrl: string | undefined): void {
  let admin: Admin | undefined;
  let prefix: string;
  let topics: TopicNames;
  let wire: harness.Wire | undefined;
  let baseline: Tables;
  let streamed: Tables;
  let sink: SinkProcess | undefined;
  let current: harness.ProcessorChild | undefined;
  const crashes: { afterMs: number; windowsPublished: number; exit: Exit }[] = [];
  let sigtermExit: Exit | null = null;
  let lastSummary: ReturnType<typeof harness.processorSummary> | undefined;
  const timings: Record<string, number> = {};

  before(async () => {
    const { kafka, settings } = broker;
    const { sample, database, baseline: runTables, prepareAndRunMs } = await sharedBaseline();
    baseline = runTables;
    timings.prepareAndRun = prepareAndRunMs;
    const started = Date.now();
    const kafkaUrl = await database.newSchemaUrl();

    admin = kafka.admin();
    await admin.connect();
    prefix = uniqueTopicPrefix(`crash-${mode}`);
    topics = await harness.createTopics(admin, prefix);
    wire = harness.wireFor(mode, sample, topics, registryUrl);
    const brokers = settings.brokers.join(',');
    const groupId = `${prefix}.processor`;
    const spawn = () => harness.spawnProcessor({ config: sample.config, prefix, groupId, brokers, wire });
    sink = await spawnSink({ config: sample.config, prefix, groupId: `${prefix}.sink`, databaseUrl: kafkaUrl, brokers, sessionTimeoutMs: 6000, wire });
    const streamStarted = Date.now();
    const replay = harness.produce(sample, prefix, { rate: RATE }, wire).then(() => harness.endStreams(kafka, admin!, topics));

    const random = harness.seededRandom(SEED);
    process.stderr.write(`kafka-crash (${mode}): seed ${SEED}\n`);
    for (let crash = 0; crash < CRASHES; crash++) {
      current = spawn();
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
    current = spawn();
    const stopped = current;
    await waitFor('the processor to be assigned its partitions', async () => stopped.stderr().includes('partitions assigned'), 60_000, 20);
    await delay(300 + random() * 2700);
    stopped.child.kill('SIGTERM');
    sigtermExit = await Promise.race([stopped.exited, delay(60_000).then(() => null)]);
    current = spawn();
    await replay;
    timings.replay = Date.now() - streamStarted;
    const lastExit = await Promise.race([current.exited, delay(240_000).then(() => null)]);
    assert.deepEqual(lastExit, { code: 0, signal: null }, `last processor; stderr tail:\n${current.stderr().slice(-3000)}`);
    lastSummary = harness.processorSummary(current);
    await waitFor('the sink to store everything', () => harness.groupCaughtUp(admin!, `${prefix}.sink`, [topics['window-metrics'], topics.predictions]), 120_000)
      .catch((error: Error) => assert.fail(`${error.message}; sink log tail:\n${sink!.log().slice(-3000)}`));
    timings.streamed = Date.now() - started;

    const kafkaPool = await createPool(kafkaUrl);
    try {
      streamed = await harness.dumpTables(kafkaPool);
    } finally {
      await kafkaPool.end();
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
    if (wire) await harness.deleteSubjects(wire, topics);
    process.stderr.write(`kafka-crash (${mode}): crashes ${JSON.stringify(crashes)} timings (ms) ${JSON.stringify(timings)}\n`);
  });

  test(`the processor was killed ${CRASHES} times mid-stream and the last one finished cleanly`, () => {
    assert.equal(crashes.length, CRASHES);
    for (const crash of crashes) assert.deepEqual(crash.exit, { code: null, signal: 'SIGKILL' });
    assert.ok(crashes.at(-1)!.afterMs < (timings.replay ?? Infinity), 'the last crash came before the replay ended');
    assert.deepEqual(sigtermExit, { code: 0, signal: null }, 'SIGTERM: a clean exit');
    assert.equal(lastSummary?.finished, true);
    assert.equal(lastSummary?.deadLetters, 0, `no message of the ${mode} replay is a dead letter`);
  });

  test('after the crashes every result table equals `driftwatch run`, row for row: nothing lost, nothing doubled', () => {
    for (const table of harness.RESULT_TABLES) {
      const expected = baseline[table]!;
      const actual = streamed[table]!;
      assert.equal(actual.length, expected.length, `${table}: ${actual.length} rows through Kafka, ${expected.length} from run`);
      for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], `${table} row ${i}`);
    }
    assert.equal(baseline.predictions!.length, 20000);
  });
}

/** True once the child has exited (without waiting for it otherwise). */
async function processorGone(processor: harness.ProcessorChild): Promise<boolean> {
  return Promise.race([processor.exited.then(() => true), delay(0).then(() => false)]);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
