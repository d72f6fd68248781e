/**
 * Postgres goes away for 30 s in the middle of a replay, with the whole
 * pipeline running (produce → process → sink): the sink retries with
 * backoff, /readyz says Postgres is the problem, nothing is committed to
 * Kafka before its row is in Postgres, and once the server is back the final
 * tables equal `driftwatch run` on the same data.
 *
 * "Nothing committed before its row": at the end of the outage the sink is
 * frozen (SIGSTOP) so it cannot write, Postgres is started, and every
 * prediction and window message below the sink group's committed offsets
 * must already have its row; then the sink is thawed (SIGCONT) — within the
 * 6 s session timeout, so it keeps its partitions.
 *
 * The Postgres is a private one (scripts/postgres-local.sh on a free port);
 * the baseline goes to the shared test database; Kafka is the shared broker.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Admin } from 'kafkajs';
import { sql } from 'slonik';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { createPool } from '../../sink/postgres/pool.js';
import { assertSameTables, committedOffsets, delay, produceTo, dumpBoth, stopServices } from './helpers/faults.js';
import { consumeAll, findTestBroker } from './helpers/kafka.js';
import * as harness from './helpers/pipeline-harness.js';
import { startStreamTest } from './helpers/stream-start.js';
import { readyz, spawnSink, startLocalPostgres, waitFor, type LocalPostgres, type SinkProcess } from './helpers/sink-process.js';
import { makeTempDir, type TestDatabase } from './postgres-test-db.js';

const lookup = await findTestBroker();
const skip = 'skip' in lookup ? lookup.skip : false;
const OUTAGE_MS = 30_000;
const RATE = 800;

let admin: Admin | undefined;
let database: TestDatabase | undefined;
let pg: LocalPostgres | undefined;
let pgDir: string | undefined;
let sampleDir: string | undefined;
let prefix: string;
let topics: TopicNames;
let sink: SinkProcess | undefined;
let processor: harness.ProcessorChild | undefined;
let baseline: Awaited<ReturnType<typeof harness.dumpTables>>;
let streamed: Awaited<ReturnType<typeof harness.dumpTables>>;
let notReady: { status: number; body: string } | undefined;
let offsetsEarly: Map<string, Map<number, number>> | undefined;
let offsetsLate: Map<string, Map<number, number>> | undefined;
let frozenCheck: { predictionsBelow: number; missingPredictions: string[]; windowsBelow: number; missingWindows: string[] } | undefined;
let processorExit: unknown;
const timings: Record<string, number> = {};

before(async () => {
  if ('fail' in lookup) assert.fail(lookup.fail);
  if (!('broker' in lookup)) return;
  const { kafka, settings } = lookup.broker;
  const brokers = settings.brokers.join(',');
  const started = Date.now();
  pgDir = await makeTempDir('driftwatch-fault-pg-');
  const pgStarted = startLocalPostgres(join(pgDir, 'pg')).then((server) => (pg = server));
  const { sample, runUrl, ...start } = await startStreamTest('fault-pg', () => kafka, pgStarted);
  ({ database, admin, prefix, topics, prepareMs: timings.prepare } = start);
  sampleDir = sample.dir;
  if (!pg) throw new Error('the private Postgres did not start');
  const sinkGroup = `${prefix}.sink`;
  sink = await spawnSink({ config: sample.config, prefix, groupId: sinkGroup, databaseUrl: pg.url, brokers, sessionTimeoutMs: 6000 });
  processor = harness.spawnProcessor({ config: sample.config, prefix, groupId: `${prefix}.processor`, brokers });
  await processor.url;
  const streamStarted = Date.now();
  const replay = produceTo(sample.config, prefix, brokers, RATE, { endOfStream: true });

  await waitFor('a quarter of the replay, and predictions stored', async () =>
    (await harness.messageCount(admin!, topics.features)) >= sample.eventTimes.length / 4
    && [...((await committedOffsets(admin!, sinkGroup, [topics.predictions])).get(topics.predictions) ?? new Map()).values()].some((o) => o > 0),
  120_000, 100);
  await pg.stop();
  const stoppedAt = Date.now();
  timings.stoppedAt = stoppedAt - streamStarted;
  notReady = await waitFor('/readyz to report Postgres', async () => {
    const answer = await readyz(sink!);
    return answer.status === 503 ? answer : undefined;
  }, 20_000);
  // The sink has met the outage: whatever it held is uncommitted from here on.
  await waitFor('the sink to retry a write', async () => /writing to Postgres failed; retrying/.test(sink!.log()), 20_000);
  offsetsEarly = await committedOffsets(admin, sinkGroup, [topics.predictions, topics['window-metrics']]);
  await delay(OUTAGE_MS - (Date.now() - stoppedAt));
  offsetsLate = await committedOffsets(admin, sinkGroup, [topics.predictions, topics['window-metrics']]);
  const below = await messagesBelow(offsetsLate);

  sink.child.kill('SIGSTOP');
  let frozen: Map<string, Map<number, number>>;
  try {
    frozen = await committedOffsets(admin, sinkGroup, [topics.predictions, topics['window-metrics']]);
    await pg.start();
    const pool = await createPool(pg.url);
    try {
      const rowIds = new Set((await pool.anyFirst(sql.unsafe`SELECT row_id FROM predictions`)) as string[]);
      const windows = new Set(((await pool.anyFirst(sql.unsafe`SELECT model || '@' || to_char(window_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') FROM windows`)) as string[]));
      frozenCheck = {
        predictionsBelow: below.predictions.length,
        missingPredictions: below.predictions.filter((id) => !rowIds.has(id)),
        windowsBelow: below.windows.length,
        missingWindows: below.windows.filter((key) => !windows.has(key)),
      };
    } finally {
      await pool.end();
    }
  } finally {
    sink.child.kill('SIGCONT');
  }
  assert.deepEqual(frozen, offsetsLate, 'the sink committed nothing while Postgres was down');
  timings.restartedAt = Date.now() - streamStarted;
  await waitFor('/readyz ready again', async () => (await readyz(sink!)).status === 200, 120_000);
  timings.readyAgain = Date.now() - streamStarted;

  await replay;
  processorExit = await Promise.race([processor.exited, delay(240_000).then(() => null)]);
  await waitFor('the sink to store everything', () => harness.groupCaughtUp(admin!, sinkGroup, [topics['window-metrics'], topics.predictions]), 180_000)
    .catch((error: Error) => assert.fail(`${error.message}; sink log tail:\n${sink!.log().slice(-3000)}`));
  timings.total = Date.now() - started;

  ({ baseline, streamed } = await dumpBoth(runUrl, pg.url));
}, { timeout: 600_000 });

after(async () => {
  await stopServices({ processor, sink, admin, prefix });
  await pg?.close().catch(() => undefined);
  await database?.close();
  for (const dir of [sampleDir, pgDir]) if (dir) await rm(dir, { recursive: true, force: true });
  process.stderr.write(`fault-postgres-outage: ${JSON.stringify({ frozenCheck: frozenCheck && { ...frozenCheck, missingPredictions: frozenCheck.missingPredictions.length, missingWindows: frozenCheck.missingWindows.length } })} timings (ms) ${JSON.stringify(timings)}\n`);
});

/** Keys of the predictions (row ids) and window-metrics (model@start) messages below the given offsets. */
async function messagesBelow(offsets: Map<string, Map<number, number>>): Promise<{ predictions: string[]; windows: string[] }> {
  const { kafka } = (lookup as { broker: { kafka: import('kafkajs').Kafka } }).broker;
  const expected = { [topics.predictions]: await harness.messageCount(admin!, topics.predictions), [topics['window-metrics']]: await harness.messageCount(admin!, topics['window-metrics']) };
  const messages = await consumeAll(kafka, expected, { timeoutMs: 20_000, settleMs: 0 });
  const below = (topic: string) => messages
    .filter((m) => m.topic === topic && Number(m.offset) < (offsets.get(topic)?.get(m.partition) ?? -1))
    .map((m) => m.key!);
  return { predictions: below(topics.predictions), windows: below(topics['window-metrics']) };
}

test('while Postgres was down /readyz answered 503 naming Postgres, without the password', { skip }, () => {
  assert.equal(notReady?.status, 503);
  assert.match(notReady!.body, /postgres/i);
  const password = decodeURIComponent(new URL(pg!.url).password);
  if (password) assert.ok(!notReady!.body.includes(password) && !sink!.log().includes(password), 'the password appears in no log line and not in /readyz');
});

test('the sink retried with growing waits, and committed nothing during the outage', { skip }, () => {
  const waits = [...sink!.log().matchAll(/"retryInMs":(\d+)[^\n]*writing to Postgres failed; retrying|writing to Postgres failed; retrying[^\n]*"retryInMs":(\d+)/g)]
    .map((m) => Number(m[1] ?? m[2]));
  const outageWaits = waits.slice(0, 6);
  assert.ok(outageWaits.length >= 4, `retries logged: ${waits.join(', ')}`);
  for (let i = 1; i < outageWaits.length; i++) assert.ok(outageWaits[i]! >= outageWaits[i - 1]!, `backoff grows: ${outageWaits.join(', ')}`);
  assert.ok(outageWaits.at(-1)! >= 4 * outageWaits[0]!, `backoff grows: ${outageWaits.join(', ')}`);
  assert.deepEqual(offsetsLate, offsetsEarly, 'committed offsets did not move while Postgres was down');
});

test('every message below the committed offsets had its row in Postgres', { skip }, () => {
  assert.ok(frozenCheck!.predictionsBelow > 0 && frozenCheck!.windowsBelow > 0, JSON.stringify({ ...frozenCheck, missingPredictions: undefined }));
  assert.deepEqual(frozenCheck!.missingPredictions, []);
  assert.deepEqual(frozenCheck!.missingWindows, []);
});

test('after the outage the processor finished and every result table equals `driftwatch run`', { skip }, () => {
  assert.deepEqual(processorExit, { code: 0, signal: null }, `processor; stderr tail:\n${processor?.stderr().slice(-3000)}`);
  assertSameTables(assert.deepEqual, streamed, baseline);
  assert.equal(baseline.predictions!.length, 20000);
});
