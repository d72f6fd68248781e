/**
 * Bad input through the running service (produce → process → sink, real
 * broker and Postgres). The sample is replayed clean; then, with the service
 * running, every kind of bad record goes in, plus odd but valid ones in a
 * window of their own two days after the sample ("the odd window"):
 *
 * refused → the dead-letter topic, with the reason in a header, counted:
 *   undecodable bytes, a record without row_id, wrong types, NaN/±Infinity
 *   (as strings, as JSON-invalid tokens, as 1e999), a null event time, an
 *   event time far in the future (past ingest.max_event_time_ahead), a
 *   target of the wrong type, a label without label_time, 10 MB of garbage;
 * accepted and visible in the results:
 *   extra fields (ignored), a repeated row_id (counted once), a label for a
 *   row_id nobody sent (orphaned, counted), a category never seen (unseen in
 *   data_quality), a feature missing from every row of a window (missing
 *   share 1, its drift test reports an error), a valid 10 MB record.
 *
 * The service keeps running through all of it (/healthz, the processor ends
 * cleanly on end-of-stream), and every table equals `driftwatch run` on the
 * clean sample outside the odd window: nothing bad leaked into the results.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { Admin, Kafka } from 'kafkajs';
import { REASON_HEADER, SOURCE_TOPIC_HEADER } from '../../processor/service/output-messages.js';
import { createReplayProducer } from '../../producer/kafka/replay-producer.js';
import type { TopicNames } from '../../producer/kafka/topics.js';
import { delay, produceTo, dumpBoth, stopServices } from './helpers/faults.js';
import { findTestBroker } from './helpers/kafka.js';
import * as harness from './helpers/pipeline-harness.js';
import { startStreamTest } from './helpers/stream-start.js';
import { sample as metricSample, spawnSink, waitFor, type SinkProcess } from './helpers/sink-process.js';
import type { TestDatabase } from './postgres-test-db.js';

const lookup = await findTestBroker();
const skip = 'skip' in lookup ? lookup.skip : false;
const DAY = 86_400_000;
const TEN_MB = 10 * 1024 * 1024;

interface Bad { readonly role: 'features' | 'targets'; readonly key: string; readonly value: Buffer; readonly reason: RegExp; readonly kind: string }

let kafka: Kafka;
let admin: Admin | undefined;
let database: TestDatabase | undefined;
let sampleDir: string | undefined;
let prefix: string;
let topics: TopicNames;
let processor: harness.ProcessorChild | undefined;
let sink: SinkProcess | undefined;
let bad: Bad[] = [];
let oddWindowStart: number;
let oddRows: { rowId: string; duplicate?: boolean }[] = [];
let metricsWhileRunning = '';
let healthWhileRunning = 0;
let processorExit: unknown;
let dlq: Map<string, { reason: string; sourceTopic: string; bytes: number }>;
let baseline: Awaited<ReturnType<typeof harness.dumpTables>>;
let streamed: Awaited<ReturnType<typeof harness.dumpTables>>;
const timings: Record<string, number> = {};

before(async () => {
  if ('fail' in lookup) assert.fail(lookup.fail);
  if (!('broker' in lookup)) return;
  kafka = lookup.broker.kafka;
  const brokers = lookup.broker.settings.brokers.join(',');
  const started = Date.now();
  const { sample, runUrl, streamUrl: kafkaUrl, ...start } = await startStreamTest('bad-input', () => kafka);
  ({ database, admin, prefix, topics, prepareMs: timings.prepare } = start);
  sampleDir = sample.dir;
  sink = await spawnSink({ config: sample.config, prefix, groupId: `${prefix}.sink`, databaseUrl: kafkaUrl, brokers, sessionTimeoutMs: 6000 });
  processor = harness.spawnProcessor({ config: sample.config, prefix, groupId: `${prefix}.processor`, brokers });
  const url = await processor.url;
  await produceTo(sample.config, prefix, brokers, 5000);
  await waitFor('a first window', async () => (await harness.messageCount(admin!, topics['window-metrics'])) > 0, 120_000);

  const first = sample.eventTimes[0]!;
  const last = sample.eventTimes.at(-1)!;
  oddWindowStart = Math.floor(last / DAY) * DAY + 2 * DAY;
  bad = badRecords(first + DAY / 2, last);
  const odd = oddRecords(oddWindowStart);
  oddRows = odd.rows;
  // The odd window first (its rows lift the watermark past the sample), then the bad ones.
  await send(kafka, odd.messages.map((m) => ({ topic: topics.features, ...m })));
  await send(kafka, [{ topic: topics.targets, key: 'ghost-1', value: Buffer.from(JSON.stringify({ row_id: 'ghost-1', event_time: first + DAY / 2, label_time: first + DAY / 2 + 6 * 3_600_000, target: 12 })) }]);
  await send(kafka, bad.map((b) => ({ topic: topics[b.role], key: b.key, value: b.value })));

  metricsWhileRunning = await waitFor('every bad record dead-lettered, the orphan label and the repeat counted', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return sumOf(text, 'driftwatch_dlq_messages_total') >= bad.length && sumOf(text, 'driftwatch_orphaned_labels_total') >= 1
      && sumOf(text, 'driftwatch_duplicate_rows_total') >= 1 ? text : undefined;
  }, 120_000).catch(async (error: Error) => assert.fail(`${error.message}; metrics:\n${(await (await fetch(`${url}/metrics`)).text()).split('\n')
    .filter((l) => /^driftwatch_(dlq|orphan|duplicate|consumer_lag)/.test(l)).join('\n')}\nprocessor warnings:\n${processor!.stderr().split('\n').filter((l) => /"level":[4-6]0/.test(l)).slice(-15).join('\n').slice(-4000)}`));
  healthWhileRunning = (await fetch(`${url}/healthz`)).status;

  await harness.endStreams(kafka, admin, topics);
  processorExit = await Promise.race([processor.exited, delay(180_000).then(() => null)]);
  await waitFor('the sink to store everything', () => harness.groupCaughtUp(admin!, `${prefix}.sink`, [topics['window-metrics'], topics.predictions]), 120_000)
    .catch((error: Error) => assert.fail(`${error.message}; sink log tail:\n${sink!.log().slice(-3000)}`));
  dlq = await deadLetters(kafka, topics.dlq, bad.length);
  timings.total = Date.now() - started;

  ({ baseline, streamed } = await dumpBoth(runUrl, kafkaUrl));
}, { timeout: 600_000 });

after(async () => {
  await stopServices({ processor, sink, admin, prefix });
  await database?.close();
  if (sampleDir) await rm(sampleDir, { recursive: true, force: true });
  process.stderr.write(`bad-input-stream timings (ms): ${JSON.stringify(timings)}\n`);
});

/** Each bad record with the reason its dead letter must give, and the counter label (kind) it falls under. */
function badRecords(inside: number, last: number): Bad[] {
  const row = (fields: Record<string, unknown>) => ({ row_id: 'x', event_time: inside, hour: 10, weekday: 2, month: 2, distance: 500, origin: 'SFO', destination: 'LAX', ...fields });
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  const features = (key: string, value: Buffer, reason: RegExp, kind: string): Bad => ({ role: 'features', key, value, reason, kind });
  const { row_id: _drop, ...withoutRowId } = row({});
  return [
    features('bad-bytes', Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x7b]), /^not JSON/, 'not-json'),
    features('bad-no-row-id', json(withoutRowId), /^field "row_id" is missing/, 'missing-field'),
    features('bad-hour-text', json(row({ row_id: 'bad-hour-text', hour: 'ten' })), /^field "hour" must be a number or null, got string "ten"/, 'invalid-field'),
    features('bad-origin-number', json(row({ row_id: 'bad-origin-number', origin: 42 })), /^field "origin" must be a string or null, got number 42/, 'invalid-field'),
    features('bad-nan-string', json(row({ row_id: 'bad-nan-string', distance: 'NaN' })), /^field "distance" must be a number or null, got string "NaN"/, 'invalid-field'),
    features('bad-inf-string', json(row({ row_id: 'bad-inf-string', distance: '-Infinity' })), /^field "distance" must be a number or null, got string "-Infinity"/, 'invalid-field'),
    features('bad-nan-token', Buffer.from(`{"row_id":"bad-nan-token","event_time":${inside},"hour":10,"weekday":2,"month":2,"distance":NaN,"origin":"SFO","destination":"LAX"}`), /^not JSON/, 'not-json'),
    features('bad-inf-token', Buffer.from(`{"row_id":"bad-inf-token","event_time":${inside},"hour":Infinity,"weekday":2,"month":2,"distance":1,"origin":"SFO","destination":"LAX"}`), /^not JSON/, 'not-json'),
    features('bad-1e999', Buffer.from(`{"row_id":"bad-1e999","event_time":${inside},"hour":10,"weekday":2,"month":2,"distance":1e999,"origin":"SFO","destination":"LAX"}`), /^field "distance" must be a number or null, got number Infinity/, 'invalid-field'),
    features('bad-null-time', json(row({ row_id: 'bad-null-time', event_time: null })), /^field "event_time" must be epoch milliseconds \(a number\), got null/, 'invalid-field'),
    features('bad-far-future', json(row({ row_id: 'bad-far-future', event_time: last + 400 * DAY })), /^field "event_time" must be at most .*too far in the future/, 'invalid-field'),
    features('bad-microseconds', json(row({ row_id: 'bad-microseconds', event_time: last * 1000 })), /^field "event_time" must be at most .*too far in the future/, 'invalid-field'),
    features('bad-10mb-garbage', Buffer.alloc(TEN_MB, 0x3c), /^not JSON/, 'not-json'),
    { role: 'targets', key: 'bad-target-text', value: json({ row_id: 'bad-target-text', event_time: inside, label_time: inside + 1, target: 'late' }), reason: /^field "target" must be a number or null, got string "late"/, kind: 'invalid-field' },
    { role: 'targets', key: 'bad-no-label-time', value: json({ row_id: 'bad-no-label-time', event_time: inside, target: 3 }), reason: /^field "label_time" is missing/, kind: 'missing-field' },
  ];
}

/**
 * The odd window: 30 rows without `distance`, one with an unseen origin, one
 * with extra fields, one carrying a 10 MB extra field, and one row sent twice.
 */
function oddRecords(windowStart: number): { rows: { rowId: string; duplicate?: boolean }[]; messages: { key: string; value: Buffer }[] } {
  const rows: { rowId: string; duplicate?: boolean }[] = [];
  const messages: { key: string; value: Buffer }[] = [];
  for (let i = 0; i < 30; i++) {
    const rowId = `odd-${i}`;
    const record: Record<string, unknown> = { row_id: rowId, event_time: windowStart + 3_600_000 + i * 60_000, hour: 1 + (i % 20), weekday: 1 + (i % 7), month: 2, origin: i === 3 ? 'ZZZ' : 'SFO', destination: 'LAX' };
    if (i === 5) Object.assign(record, { extra_number: 7, extra_object: { nested: true } });
    if (i === 6) record.padding = 'p'.repeat(TEN_MB);
    rows.push({ rowId });
    messages.push({ key: rowId, value: Buffer.from(JSON.stringify(record)) });
    if (i === 9) messages.push({ key: rowId, value: Buffer.from(JSON.stringify(record)) });
  }
  return { rows, messages };
}

test('the service kept running through the bad input and ended cleanly', { skip }, () => {
  assert.equal(healthWhileRunning, 200);
  assert.deepEqual(processorExit, { code: 0, signal: null }, `processor; stderr tail:\n${processor?.stderr().slice(-3000)}`);
  const summary = harness.processorSummary(processor!);
  assert.equal(summary.finished, true);
  assert.equal(summary.deadLetters, bad.length);
});

test('every refused record is in the dlq with its reason and origin, counted by kind', { skip }, () => {
  for (const record of bad) {
    const letter = dlq.get(record.key);
    assert.ok(letter, `dead letter for ${record.key}`);
    assert.match(letter.reason, record.reason, record.key);
    assert.equal(letter.sourceTopic, topics[record.role], record.key);
    assert.equal(letter.bytes, record.value.length, `${record.key}: the original value, whole`);
  }
  assert.equal(dlq.size, bad.length, `only the bad records: ${[...dlq.keys()].join(', ')}`);
  const kinds = new Map<string, number>();
  for (const record of bad) kinds.set(record.kind, (kinds.get(record.kind) ?? 0) + 1);
  for (const [kind, count] of kinds) assert.equal(metricSample(metricsWhileRunning, 'driftwatch_dlq_messages_total', `reason="${kind}"`), count, kind);
});

test('a repeated row id is counted once, a label for an unknown row id is counted as orphaned', { skip }, () => {
  assert.equal(sumOf(metricsWhileRunning, 'driftwatch_duplicate_rows_total'), 1);
  assert.equal(sumOf(metricsWhileRunning, 'driftwatch_orphaned_labels_total'), 1);
  const window = streamed.windows!.find((w) => time(w.window_start) === oddWindowStart);
  assert.ok(window, 'the odd window was stored');
  assert.equal(window.row_count, oddRows.length, 'odd-9 sent twice, counted once');
  const predictions = streamed.predictions!.filter((p) => time(p.window_start) === oddWindowStart);
  assert.deepEqual(predictions.map((p) => p.row_id).sort(), oddRows.map((r) => r.rowId).sort(), 'extra fields and a 10 MB record are scored like any row');
  assert.ok(!streamed.predictions!.some((p) => p.row_id === 'ghost-1'));
});

test('an unseen category and a feature missing from the whole window show in data_quality; its drift test reports the error', { skip }, () => {
  const quality = (column: string) => streamed.data_quality!.find((q) => time(q.window_start) === oddWindowStart && q.column_name === column)!;
  assert.equal(quality('distance').missing_count, oddRows.length);
  assert.equal(quality('distance').missing_share, 1);
  assert.equal(quality('origin').unseen_count, 1);
  assert.deepEqual(quality('origin').unseen_values, ['ZZZ']);
  assert.equal(quality('hour').missing_count, 0);
  const drift = (column: string) => streamed.column_drift!.find((d) => time(d.window_start) === oddWindowStart && d.kind === 'feature' && d.column_name === column)!;
  assert.equal(drift('distance').score, null);
  assert.equal(drift('distance').drift_detected, false);
  assert.match(String(drift('distance').error), /\S/, 'the column error is stated');
  assert.equal(drift('hour').error, null);
  assert.equal(typeof drift('hour').score, 'number');
});

test('outside the odd window every table equals `driftwatch run` on the clean sample', { skip }, () => {
  for (const table of harness.RESULT_TABLES) {
    const expected = baseline[table]!;
    const actual = streamed[table]!.filter((row) => time(row.window_start) !== oddWindowStart);
    assert.equal(actual.length, expected.length, `${table}: ${actual.length} rows through Kafka, ${expected.length} from run`);
    for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], `${table} row ${i}`);
  }
});

async function send(client: Kafka, messages: { topic: string; key: string; value: Buffer }[]): Promise<void> {
  const producer = createReplayProducer(client);
  await producer.connect();
  try {
    for (const m of messages) await producer.send({ topic: m.topic, acks: -1, messages: [{ key: m.key, value: m.value }] });
  } finally {
    await producer.disconnect();
  }
}

/** Dead letters by key: reason, source topic, size of the value. */
async function deadLetters(client: Kafka, topic: string, expected: number): Promise<Map<string, { reason: string; sourceTopic: string; bytes: number }>> {
  const consumer = client.consumer({ groupId: `${prefix}.dlq-reader`, maxWaitTimeInMs: 100, maxBytes: 32 << 20, maxBytesPerPartition: 32 << 20 });
  const found = new Map<string, { reason: string; sourceTopic: string; bytes: number }>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const header = (name: string) => String(message.headers?.[name] ?? '');
        found.set(message.key?.toString() ?? '(no key)', { reason: header(REASON_HEADER), sourceTopic: header(SOURCE_TOPIC_HEADER), bytes: message.value?.length ?? 0 });
      },
    });
    await waitFor('the dead letters', async () => found.size >= expected, 60_000, 100);
    await delay(500);
    return found;
  } finally {
    await consumer.disconnect();
  }
}

function time(value: unknown): number {
  return value instanceof Date ? value.getTime() : typeof value === 'number' ? value : new Date(String(value)).getTime();
}

function sumOf(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match && match[1] === name) sum += Number(match[3]);
  }
  return sum;
}
