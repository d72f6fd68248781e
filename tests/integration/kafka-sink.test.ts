/**
 * `driftwatch sink` against the real broker and a real Postgres of its own
 * (scripts/postgres-local.sh on a free port, stopped and started mid-test).
 * The sink runs as a child process; records are published by hand and the
 * tables are compared with rows mapped from those records (helpers/sink-fixtures.ts).
 * Without a broker the file fails in CI and is skipped elsewhere (helpers/kafka.ts).
 * The pure parts of the service (backoff, decoding, which window wins) are
 * tested first, without any server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Admin, Message, Producer } from 'kafkajs';
import { InvalidInputError, sql, type DatabasePool } from 'slonik';
import type { PredictionRecord, WindowMetrics } from '../../processor/results.js';
import { encodeWindowMetrics, windowKey } from '../../processor/results-codec.js';
import { keyPartitioner } from '../../producer/kafka/client.js';
import { ensureTopics, topicNames } from '../../producer/kafka/topics.js';
import { createPool } from '../../sink/postgres/pool.js';
import { backoffDelayMs, retryWithBackoff, RetryStopped } from '../../sink/service/backoff.js';
import { decodeSinkRecord } from '../../sink/service/decode.js';
import { LatestWindows } from '../../sink/service/latest-windows.js';
import { secretScrubber } from '../../sink/service/scrub.js';
import { isDataError, mostCompletePerWindow } from '../../sink/service/store-batch.js';
import { consumeAll, deleteTopicsWithPrefix, describeWithBroker, uniqueTopicPrefix } from './helpers/kafka.js';
import {
  expectedPredictions, expectedWindows, predictionRecords, sortedLikeQueries, TABLE_QUERIES, tableRowsOf, windowState,
} from './helpers/sink-fixtures.js';
import { metricsText, readyz, sample, spawnSink, startLocalPostgres, waitFor, type LocalPostgres, type SinkProcess } from './helpers/sink-process.js';
import { makeTempDir } from './postgres-test-db.js';

describe('sink service parts', () => {
  test('backoff doubles from 0.5 s and stops at 30 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 60].map((n) => backoffDelayMs(n)), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  test('a retry heartbeats while waiting, gives up on stop, and rethrows what is not retriable', async () => {
    let calls = 0;
    let beats = 0;
    const value = await retryWithBackoff(async () => (++calls < 3 ? Promise.reject(new Error('down')) : 'ok'),
      { initialMs: 4, tickMs: 2, whileWaiting: async () => { beats++; } });
    assert.deepEqual([value, calls], ['ok', 3]);
    assert.ok(beats >= 2, `heartbeats while waiting: ${beats}`);
    let attempts = 0;
    await assert.rejects(retryWithBackoff(async () => { attempts++; throw new Error('still down'); }, { initialMs: 1, shouldStop: () => attempts >= 2 }),
      (error: unknown) => error instanceof RetryStopped && /still down/.test(error.message));
    assert.equal(attempts, 2);
    await assert.rejects(retryWithBackoff(async () => { throw new Error('bad record'); }, { isRetriable: () => false }), /^Error: bad record$/);
  });

  test('of one window in a batch the most complete state is kept, of equal ones the later', () => {
    const at = (model: 'delay' | 'cancelled', index: number, rows: number, labelled: number, revision: number, offset: string) =>
      ({ offset, metrics: windowState(model, index, rows, labelled, revision) });
    const kept = mostCompletePerWindow([
      at('delay', 0, 100, 10, 2, '0'), at('delay', 1, 50, 0, 1, '1'), at('delay', 0, 99, 90, 3, '2'),
      at('delay', 0, 100, 10, 1, '3'), at('cancelled', 0, 5, 0, 1, '4'), at('delay', 1, 50, 1, 2, '5'),
    ]);
    assert.deepEqual(kept.map((k) => k.offset), ['3', '4', '5']);
  });

  test('the latest-window gauges only move forward', () => {
    const latest = new LatestWindows();
    const steps: [number, number, number, boolean][] = [[2, 10, 0, true], [1, 99, 9, false], [2, 9, 50, false], [2, 10, 0, true], [2, 10, 1, true], [3, 1, 0, true]];
    for (const [index, rows, labelled, moves] of steps) {
      assert.equal(latest.advance(windowState('delay', index, rows, labelled, 1)), moves, `window ${index} (${rows}, ${labelled})`);
    }
    assert.equal(latest.advance(windowState('cancelled', 0, 1, 0, 1)), true, 'models are tracked apart');
  });

  test('decoding keeps non-finite numbers and names what is wrong with a poison message', () => {
    const window = windowState('delay', 3, 100, 60, 2);
    const decoded = decodeSinkRecord('window', encodeWindowMetrics(window));
    assert.deepEqual(decoded, { kind: 'window', metrics: window });
    assert.equal(decoded.kind === 'window' && decoded.metrics.drift.columns[1]!.statistic, Infinity);
    const prediction = predictionRecords('cancelled', 3, 1)[0]!;
    assert.deepEqual(decodeSinkRecord('prediction', Buffer.from(JSON.stringify(prediction))), { kind: 'prediction', record: prediction });
    const poison: [Parameters<typeof decodeSinkRecord>[0], string | null, RegExp][] = [
      ['window', null, /empty message/],
      ['window', 'not json {', /JSON/],
      ['window', JSON.stringify({ ...window, rows: undefined }), /lacks "rows"/],
      ['window', JSON.stringify({ ...window, windowEnd: window.windowStart }), /windowEnd is not after windowStart/],
      ['window', JSON.stringify({ ...window, drift: { ...window.drift, columns: [window.drift.columns[0], window.drift.columns[0]] } }), /"distance" twice/],
      ['prediction', JSON.stringify({ ...prediction, rowId: undefined }), /"rowId" is not a non-empty string/],
      ['prediction', JSON.stringify({ ...prediction, prediction: null }), /"prediction" is not a finite number/],
      ['prediction', '[1]', /not a JSON object/],
    ];
    for (const [role, value, reason] of poison) {
      assert.throws(() => decodeSinkRecord(role, value === null ? null : Buffer.from(value)), reason, `${role}: ${value?.slice(0, 40)}`);
    }
  });

  test('only data errors (SQLSTATE 22, 23) are the record\'s fault; connection errors are retried', () => {
    const wrapped = (code: string) => new Error('writing window failed', { cause: Object.assign(new Error('pg'), { code }) });
    assert.deepEqual(['22P02', '23505', '23514', '57P01', '08006', '40P01', 'ECONNREFUSED', 'EPIPE'].map((c) => isDataError(wrapped(c))),
      [true, true, true, false, false, false, false, false]);
    assert.equal(isDataError(new Error('no code')), false);
    // slonik drops the code of 22P02 (a fractional count for an integer column): recognised by its class.
    assert.equal(isDataError(new Error('writing window failed', { cause: new InvalidInputError('invalid input syntax for type integer: "1.5"') })), true);
  });

  test('the database password is masked in error text, raw and URL-encoded', () => {
    const scrub = secretScrubber('postgres://dw:s3cr%40t-pw@db:5432/x');
    assert.equal(scrub('auth failed for postgres://dw:s3cr%40t-pw@db:5432/x (s3cr@t-pw, s3cr%40t-pw)'),
      'auth failed for postgres://dw:***@db:5432/x (***, ***)');
  });
});

await describeWithBroker('driftwatch sink', (broker) => {
  const prefix = uniqueTopicPrefix('sink');
  const topics = topicNames(prefix);
  const groupId = `${prefix}.sink-group`;
  const published = { windows: [] as WindowMetrics[], predictions: [] as PredictionRecord[] };
  let dir: string;
  let config: string;
  let pg: LocalPostgres;
  let pool: DatabasePool;
  let admin: Admin;
  let producer: Producer;
  let sink: SinkProcess;
  const started = performance.now();

  before(async () => {
    dir = await makeTempDir('driftwatch-sink-test-');
    pg = await startLocalPostgres(join(dir, 'pg'));
    pool = await createPool(pg.url, { maximumPoolSize: 2 });
    config = join(dir, 'config.yaml');
    await writeFile(config, [
      'model: { name: delay, path: unused.onnx }', 'features: { numerical: [distance], categorical: [origin] }',
      'columns: { target: delay }', 'reference: { path: unused }', 'data: { current: [unused.parquet] }', '',
    ].join('\n'));
    admin = broker().kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [topics['window-metrics'], topics.predictions, topics.dlq], 2, 1);
    producer = broker().kafka.producer({ createPartitioner: keyPartitioner, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    sink = await startSink();
  });

  after(async () => {
    if (sink && sink.child.exitCode === null) {
      sink.child.kill('SIGKILL');
      await sink.exited;
    }
    await producer?.disconnect();
    if (admin) {
      await deleteTopicsWithPrefix(admin, prefix).catch(() => {});
      await admin.disconnect();
    }
    await pool?.end();
    await pg?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    console.log(`# kafka-sink: ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  });

  const startSink = () => spawnSink({ config, prefix, groupId, databaseUrl: pg.url, brokers: broker().settings.brokers.join(','), sessionTimeoutMs: 6000 });

  async function publish(windows: WindowMetrics[], predictions: PredictionRecord[], raw: { topic: string; message: Message }[] = []) {
    published.windows.push(...windows);
    published.predictions.push(...predictions);
    await producer.sendBatch({ topicMessages: [
      { topic: topics['window-metrics'], messages: windows.map((w) => ({ key: windowKey(w), value: encodeWindowMetrics(w) })) },
      { topic: topics.predictions, messages: predictions.map((p) => ({ key: p.rowId, value: JSON.stringify(p) })) },
      ...raw.map(({ topic, message }) => ({ topic, messages: [message] })),
    ].filter((t) => t.messages.length > 0) });
  }

  /** Per topic and partition: [committed offset of the sink's group, end of the log]. */
  async function offsets(): Promise<Map<string, [number, number]>> {
    const result = new Map<string, [number, number]>();
    const committed = await admin.fetchOffsets({ groupId, topics: [topics['window-metrics'], topics.predictions] });
    for (const topic of [topics['window-metrics'], topics.predictions]) {
      const ends = await admin.fetchTopicOffsets(topic);
      const group = committed.find((c) => c.topic === topic)!;
      for (const end of ends) {
        const offset = Number(group.partitions.find((p) => p.partition === end.partition)!.offset);
        result.set(`${topic}[${end.partition}]`, [offset < 0 ? 0 : offset, Number(end.high)]);
      }
    }
    return result;
  }
  const allCommitted = async () => [...(await offsets()).values()].every(([committed, end]) => committed === end);

  async function readTables(): Promise<Record<string, unknown[]>> {
    const tables: Record<string, unknown[]> = {};
    for (const [table, query] of Object.entries(TABLE_QUERIES)) {
      tables[table] = [...(await pool.any(query))].map((row) => ({ ...row }));
    }
    return tables;
  }

  async function assertTablesHoldPublished(): Promise<void> {
    const expected = sortedLikeQueries(tableRowsOf(expectedWindows(published.windows), expectedPredictions(published.predictions)));
    const actual = await readTables();
    for (const table of Object.keys(TABLE_QUERIES)) assert.deepEqual(actual[table], expected[table], `table ${table}`);
  }

  function assertNoPassword(text: string, where: string): void {
    const password = decodeURIComponent(new URL(pg.url).password);
    assert.ok(password.length >= 8, 'the test server has a real password');
    assert.ok(!text.includes(password) && !text.includes(new URL(pg.url).password), `the database password appears in ${where}`);
  }

  /** Decodes, but Postgres refuses it (a fractional count in an integer column): a dead letter, not a stuck partition. */
  const rejectedByPostgres = (() => {
    const w = windowState('delay', 9, 100, 0, 1);
    return { ...w, dataQuality: { ...w.dataQuality, columns: [{ ...w.dataQuality.columns[0]!, missing_count: 1.5 }] } };
  })();

  test('stores windows and predictions equal to the records; poison and unstorable messages go to the dlq, counted, the rest written', async () => {
    await publish([
      windowState('delay', 0, 100, 0, 1), windowState('delay', 0, 100, 60, 2), windowState('delay', 1, 110, 0, 1),
      windowState('delay', 2, 120, 0, 1), windowState('cancelled', 0, 50, 20, 1), windowState('cancelled', 3, 40, 0, 1),
    ], [...predictionRecords('delay', 0, 150), ...predictionRecords('cancelled', 0, 40)], [
      { topic: topics['window-metrics'], message: { key: 'delay@bad', value: 'not json {' } },
      { topic: topics.predictions, message: { key: 'r-x', value: JSON.stringify({ model: 'delay', prediction: 1 }) } },
      { topic: topics['window-metrics'], message: { key: 'delay@rejected', value: encodeWindowMetrics(rejectedByPostgres) } },
    ]);
    await waitFor('every offset committed', allCommitted);
    await assertTablesHoldPublished();
    const tables = await readTables();
    assert.equal(tables.column_drift!.filter((r) => (r as { statistic: number }).statistic === Infinity).length, 3,
      'the chi-square statistics of +inf (windows 0 and 3) are stored as Infinity');
    assert.deepEqual(tables.model_quality!.filter((r) => (r as { value: number }).value === Infinity).map((r) => (r as { metric: string }).metric),
      ['mape'], 'an infinite MAPE is stored as Infinity');

    const dead = await consumeAll(broker().kafka, { [topics.dlq]: 3 });
    assert.deepEqual(dead.map((m) => m.key).sort(), ['delay@bad', 'delay@rejected', 'r-x']);
    const reasons = (await deadLetterHeaders(3)).sort();
    assert.match(reasons[0]!, /^rejected by Postgres: writing window delay @ 2026-01-05T09:00:00.000Z .*integer/);
    assert.match(reasons[1]!, /^undecodable prediction record: .*"rowId"/);
    assert.match(reasons[2]!, /^undecodable window record: /);
    const text = await metricsText(sink);
    assert.equal(sample(text, 'driftwatch_sink_invalid_messages_total', `topic="${topics['window-metrics']}"`), 2);
    assert.equal(sample(text, 'driftwatch_sink_invalid_messages_total', `topic="${topics.predictions}"`), 1);
    assert.match(sink.log(), /"offset":"\d+".*message sent to the dead-letter topic|message sent to the dead-letter topic.*"offset":"\d+"/);
  });

  async function deadLetterHeaders(count: number): Promise<string[]> {
    const reasons: string[] = [];
    const consumer = broker().kafka.consumer({ groupId: `${prefix}.dlq-reader-${randomBytes(3).toString('hex')}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: topics.dlq, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => { reasons.push(message.headers!.reason!.toString()); } });
    await waitFor(`${count} dead letters with a reason header`, async () => reasons.length >= count);
    await consumer.disconnect();
    return reasons;
  }

  test('the same records published twice leave no doubled rows', async () => {
    const before = await readTables();
    await publish(published.windows.slice(), published.predictions.slice());
    await waitFor('every offset committed', allCommitted);
    const afterwards = await readTables();
    for (const table of Object.keys(TABLE_QUERIES)) assert.equal(afterwards[table]!.length, before[table]!.length, `rows of ${table}`);
    await assertTablesHoldPublished();
  });

  test('an out-of-date state is ignored, a restarted processor\'s lower revision with more content applied; gauges never go back', async () => {
    await publish([windowState('delay', 5, 90, 0, 1)], []);
    await waitFor('window 5 stored', allCommitted);
    await publish([
      windowState('delay', 0, 100, 0, 1), // older than the stored (100 rows, 60 labels)
      windowState('delay', 1, 115, 30, 1), // a restarted processor: revision 1 again, more content than the stored (110, 0)
      windowState('delay', 4, 80, 0, 1), // an earlier window than the one the gauges show
    ], []);
    await waitFor('every offset committed', allCommitted);
    await assertTablesHoldPublished();
    const windows = (await readTables()).windows as { window_start: number; labelled_count: number; revision: number; model: string }[];
    const delay = windows.filter((w) => w.model === 'delay');
    assert.deepEqual(delay.slice(0, 2).map((w) => [w.labelled_count, w.revision]), [[60, 2], [30, 1]]);
    const text = await metricsText(sink);
    assert.equal(sample(text, 'driftwatch_last_window_end_timestamp_seconds', 'model="delay"'), windowState('delay', 5, 90, 0, 1).windowEnd / 1000);
  });

  test('Postgres down ~10 s: /readyz not ready, offsets not committed past the first unwritten record, all stored after the restart', async () => {
    const before = await offsets();
    await pg.stop();
    const stoppedAt = Date.now();
    await publish([windowState('delay', 6, 130, 0, 1), windowState('delay', 6, 130, 10, 2), windowState('cancelled', 6, 70, 0, 1)],
      predictionRecords('delay', 150, 60));
    const notReady = await waitFor('/readyz not ready', async () => {
      const r = await readyz(sink);
      return r.status === 503 ? r : undefined;
    });
    assert.deepEqual(JSON.parse(notReady.body).checks, { postgres: 'failing', kafka: 'ok' });
    let checks = 0;
    while (Date.now() - stoppedAt < 10_000) {
      for (const [where, [committed, end]] of await offsets()) {
        assert.ok(committed <= before.get(where)![1], `${where}: committed ${committed} passes ${before.get(where)![1]}, the first unwritten record`);
        if (where.startsWith(topics.predictions) && end > before.get(where)![1]) checks++;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    assert.ok(checks > 0, 'records were published while Postgres was down');
    assert.equal(sink.child.exitCode, null, 'the sink kept running');
    await pg.start();
    await waitFor('every offset committed after the restart', allCommitted, 60_000);
    await waitFor('/readyz ready again', async () => (await readyz(sink)).status === 200);
    await waitFor('the tables readable', async () => (await readTables()) && true);
    await assertTablesHoldPublished();
    assert.match(sink.log(), /writing to Postgres failed; retrying/);
    assertNoPassword(sink.log() + notReady.body, 'the outage logs and /readyz');
    assert.ok(sample(await metricsText(sink), 'driftwatch_sink_database_retries_total')! >= 2);
  });

  test('kill -9 mid-stream and restart: the final tables equal the records, nothing doubled', async () => {
    let sent = 0;
    const stream = (async () => {
      for (let step = 0; step < 30; step++) {
        await publish([windowState('delay', 10 + step, 200 + step, 0, 1), windowState('delay', 10 + step, 200 + step, 50, 2)],
          predictionRecords('delay', 1000 + step * 40, 40));
        sent = step + 1;
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
    })();
    await waitFor('the sink writing the stream', async () =>
      (await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM windows WHERE window_start >= ${new Date(windowState('delay', 10, 1, 0, 1).windowStart).toISOString()}::timestamptz`)) as number > 3);
    sink.child.kill('SIGKILL');
    assert.equal((await sink.exited).signal, 'SIGKILL');
    assert.ok(sent < 30, `killed mid-stream (after ${sent} of 30 sends)`);
    await stream;
    sink = await startSink();
    await waitFor('every offset committed after the restart', allCommitted, 60_000);
    await assertTablesHoldPublished();
  });

  test('SIGTERM: exit 0 with every offset committed; the database password appears in no log line and no /readyz output', async () => {
    await publish([windowState('cancelled', 7, 60, 0, 1)], predictionRecords('cancelled', 40, 20));
    await waitFor('every offset committed', allCommitted);
    const ready = await readyz(sink);
    sink.child.kill('SIGTERM');
    const exit = await sink.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, sink.log().slice(-2000));
    assert.ok(await allCommitted());
    await assertTablesHoldPublished();
    assertNoPassword(sink.log() + ready.body, 'the logs and /readyz');
    assert.match(sink.log(), /"database":"postgres:\/\/driftwatch:\*\*\*@127\.0\.0\.1/);
  });
});
