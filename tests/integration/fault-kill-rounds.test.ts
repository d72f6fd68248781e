/**
 * kill -9 at random points, many times: while the sample is replayed, the
 * processor and the sink are each killed with SIGKILL and restarted at once,
 * KILLS_EACH times each, on two independent seeded schedules running side by
 * side (so a kill of one often lands while the other is restarting). Then a
 * last processor and sink run to the end of the stream. The tables must equal
 * `driftwatch run` on the same data, row for row.
 *
 * A processor is killed a random 0.3–3 s after it was assigned its partitions
 * (mid-batch, mid-publish, mid-commit); a sink a random 0.3–4 s after it
 * started consuming. DRIFTWATCH_FAULT_SEED picks other points (the seed is
 * printed), DRIFTWATCH_FAULT_KILLS other counts.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Admin } from 'kafkajs';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { assertSameTables, delay, produceTo, dumpBoth, stopServices } from './helpers/faults.js';
import { findTestBroker } from './helpers/kafka.js';
import * as harness from './helpers/pipeline-harness.js';
import { startStreamTest } from './helpers/stream-start.js';
import { spawnSink, waitFor, type SinkProcess } from './helpers/sink-process.js';
import type { TestDatabase } from './postgres-test-db.js';

const lookup = await findTestBroker();
const skip = 'skip' in lookup ? lookup.skip : false;
const SEED = Number(process.env.DRIFTWATCH_FAULT_SEED ?? 8_2026);
/** Rounds: in each the processor and the sink are killed once (on their own schedules). */
const KILLS_EACH = Number(process.env.DRIFTWATCH_FAULT_KILLS ?? 20);
/** Rows per second: the replay (~200 s) outlasts the kill rounds (~170 s on a loaded 2-core box), so every kill lands mid-stream. */
const RATE = 100;

interface Kill { readonly who: 'processor' | 'sink'; readonly atMs: number; readonly exit: unknown }

let admin: Admin | undefined;
let database: TestDatabase | undefined;
let sampleDir: string | undefined;
let prefix: string;
let topics: TopicNames;
let processor: harness.ProcessorChild | undefined;
let sink: SinkProcess | undefined;
let baseline: Awaited<ReturnType<typeof harness.dumpTables>>;
let streamed: Awaited<ReturnType<typeof harness.dumpTables>>;
const kills: Kill[] = [];
let lastExit: unknown;
let replayEndedAt = Infinity;
const timings: Record<string, number> = {};

before(async () => {
  if ('fail' in lookup) assert.fail(lookup.fail);
  if (!('broker' in lookup)) return;
  const { kafka, settings } = lookup.broker;
  const brokers = settings.brokers.join(',');
  const started = Date.now();
  const { sample, runUrl, streamUrl: kafkaUrl, ...start } = await startStreamTest('fault-kill', () => kafka);
  ({ database, admin, prefix, topics, prepareMs: timings.prepare } = start);
  sampleDir = sample.dir;
  const startProcessor = () => (processor = harness.spawnProcessor({ config: sample.config, prefix, groupId: `${prefix}.processor`, brokers }));
  const startSink = async () => (sink = await spawnSink({ config: sample.config, prefix, groupId: `${prefix}.sink`, databaseUrl: kafkaUrl, brokers, sessionTimeoutMs: 6000 }));
  const streamStarted = Date.now();
  const replay = produceTo(sample.config, prefix, brokers, RATE, { endOfStream: true }).then(() => (replayEndedAt = Date.now() - streamStarted));
  process.stderr.write(`fault-kill-rounds: seed ${SEED}, ${KILLS_EACH} kills each of the processor and the sink\n`);

  const random = harness.seededRandom(SEED);
  // Both schedules are drawn up front from the one seed, so they do not depend on timing.
  const processorDelays = Array.from({ length: KILLS_EACH }, () => 300 + random() * 2700);
  const sinkDelays = Array.from({ length: KILLS_EACH }, () => 300 + random() * 3700);

  const processorTrack = (async () => {
    for (const wait of processorDelays) {
      const current = startProcessor();
      await waitFor('the processor to be assigned its partitions', async () => current.stderr().includes('partitions assigned') || current.child.exitCode !== null, 90_000, 20);
      await delay(wait);
      assert.equal(current.child.exitCode, null, `the processor exited before it could be killed; stderr tail:\n${current.stderr().slice(-2000)}`);
      current.child.kill('SIGKILL');
      kills.push({ who: 'processor', atMs: Date.now() - streamStarted, exit: await current.exited });
    }
  })();
  const sinkTrack = (async () => {
    for (const wait of sinkDelays) {
      const current = await startSink();
      await waitFor('the sink to consume', async () => current.log().includes('sink consuming') || current.child.exitCode !== null, 90_000, 20);
      await delay(wait);
      assert.equal(current.child.exitCode, null, `the sink exited before it could be killed; log tail:\n${current.log().slice(-2000)}`);
      current.child.kill('SIGKILL');
      kills.push({ who: 'sink', atMs: Date.now() - streamStarted, exit: await current.exited });
    }
  })();
  await Promise.all([processorTrack, sinkTrack]);
  timings.killsDone = Date.now() - streamStarted;

  const last = startProcessor();
  await startSink();
  await replay;
  lastExit = await Promise.race([last.exited, delay(300_000).then(() => null)]);
  await waitFor('the sink to store everything', () => harness.groupCaughtUp(admin!, `${prefix}.sink`, [topics['window-metrics'], topics.predictions]), 180_000)
    .catch((error: Error) => assert.fail(`${error.message}; sink log tail:\n${sink!.log().slice(-3000)}`));
  timings.total = Date.now() - started;

  ({ baseline, streamed } = await dumpBoth(runUrl, kafkaUrl));
}, { timeout: 900_000 });

after(async () => {
  await stopServices({ processor, sink, admin, prefix });
  await database?.close();
  if (sampleDir) await rm(sampleDir, { recursive: true, force: true });
  process.stderr.write(`fault-kill-rounds: kills at (ms) ${JSON.stringify(kills.map((k) => `${k.who[0]}${k.atMs}`))} replay ended ${replayEndedAt} timings (ms) ${JSON.stringify(timings)}\n`);
});

test(`the processor and the sink were each killed ${KILLS_EACH} times mid-stream`, { skip }, () => {
  assert.equal(kills.filter((k) => k.who === 'processor').length, KILLS_EACH);
  assert.equal(kills.filter((k) => k.who === 'sink').length, KILLS_EACH);
  for (const kill of kills) assert.deepEqual(kill.exit, { code: null, signal: 'SIGKILL' });
  assert.ok(Math.max(...kills.map((k) => k.atMs)) < replayEndedAt, 'every kill came before the replay ended');
});

test('the last processor finished the stream and exited 0', { skip }, () => {
  assert.deepEqual(lastExit, { code: 0, signal: null }, `last processor; stderr tail:\n${processor?.stderr().slice(-3000)}`);
  assert.equal(harness.processorSummary(processor!).finished, true);
});

test('after every kill the result tables equal `driftwatch run`, row for row: nothing lost, nothing doubled', { skip }, () => {
  assertSameTables(assert.deepEqual, streamed, baseline);
  assert.equal(baseline.predictions!.length, 20000);
});
