/**
 * The message codec: records cut from a Frame, JSON on the wire, and batch
 * decoding back to typed columns — with every way a message can be unusable
 * ending in `invalid` with a reason that names the field. The first part is
 * pure; the last sends poison messages through the real broker.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Admin } from 'kafkajs';
import { frameOf } from '../../processor/frame.js';
import { decodeFeatureBatch, decodeTargetBatch, featureRecordsOf, jsonCodec, targetRecordsOf, type FeatureLayout, type TargetLayout } from '../../producer/codec/index.js';
import { consumeAll, deleteTopicsWithPrefix, describeWithBroker, inLogOrder, uniqueTopicPrefix, type TestBroker } from './helpers/kafka.js';
import { ensureTopics } from '../../producer/kafka/topics.js';

const layout: FeatureLayout = {
  rowIdColumn: 'id',
  eventTimeColumn: 'ts',
  features: [{ name: 'distance', type: 'numerical' }, { name: 'hour', type: 'categorical' }, { name: 'origin', type: 'categorical' }],
};
const targetLayout: TargetLayout = { rowIdColumn: 'id', eventTimeColumn: 'ts', targetColumn: 'delay', targetKind: 'number' };

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const messagesOf = (values: (Buffer | null)[]) => values.map((value, i) => ({ value, offset: String(100 + i) }));

test('frame → records → JSON → decoded frame: the same values, the configured column names', async () => {
  const frame = frameOf([
    ['id', { kind: 'string', values: ['a', 'b', 'c'] }],
    ['ts', { kind: 'timestamp', values: Float64Array.of(1_700_000_000_000, 1_700_000_060_000, 1_700_000_120_000) }],
    ['distance', { kind: 'number', values: Float64Array.of(12.5, NaN, Infinity) }],
    ['hour', { kind: 'number', values: Float64Array.of(7, NaN, 23) }],
    ['origin', { kind: 'string', values: ['SEA', null, 'été "quoted"'] }],
    ['delay', { kind: 'number', values: Float64Array.of(-3.25, 0, NaN) }],
  ]);
  const records = featureRecordsOf(frame, layout);
  // A categorical number column travels as text (the profile keys it the same way);
  // missing and infinite numbers are null.
  assert.deepEqual(records, [
    { row_id: 'a', event_time: 1_700_000_000_000, distance: 12.5, hour: '7', origin: 'SEA' },
    { row_id: 'b', event_time: 1_700_000_060_000, distance: null, hour: null, origin: null },
    { row_id: 'c', event_time: 1_700_000_120_000, distance: null, hour: '23', origin: 'été "quoted"' },
  ]);
  const values = await jsonCodec.encode('t', records);
  const decoded = await decodeFeatureBatch(messagesOf(values), layout);
  assert.deepEqual(decoded.invalid, []);
  assert.deepEqual([...decoded.frame.columns.keys()], ['id', 'ts', 'distance', 'hour', 'origin']);
  assert.deepEqual(decoded.frame.columns.get('ts'), { kind: 'timestamp', values: Float64Array.of(1_700_000_000_000, 1_700_000_060_000, 1_700_000_120_000) });
  assert.deepEqual(decoded.frame.columns.get('distance'), { kind: 'number', values: Float64Array.of(12.5, NaN, NaN) });
  assert.deepEqual(decoded.frame.columns.get('hour'), { kind: 'string', values: ['7', null, '23'] });
  assert.deepEqual(decoded.frame.columns.get('origin'), { kind: 'string', values: ['SEA', null, 'été "quoted"'] });
  assert.deepEqual(Array.from(decoded.offsets), [100, 101, 102]);

  const targets = targetRecordsOf(frame, Int32Array.of(2, 0), { rowIdColumn: 'id', eventTimeColumn: 'ts', targetColumn: 'delay' }, 600_000);
  assert.deepEqual(targets, [
    { row_id: 'c', event_time: 1_700_000_120_000, label_time: 1_700_000_720_000, target: null },
    { row_id: 'a', event_time: 1_700_000_000_000, label_time: 1_700_000_600_000, target: -3.25 },
  ]);
  const decodedTargets = await decodeTargetBatch(messagesOf(await jsonCodec.encode('t', targets)), targetLayout);
  assert.deepEqual(decodedTargets.invalid, []);
  assert.deepEqual(decodedTargets.frame.columns.get('delay'), { kind: 'number', values: Float64Array.of(NaN, -3.25) });
  assert.deepEqual(decodedTargets.frame.columns.get('label_time'), { kind: 'timestamp', values: Float64Array.of(1_700_000_720_000, 1_700_000_600_000) });
});

/** Feature messages that must be refused, each with the words its reason must contain. */
const POISON: [string, Buffer | null, RegExp][] = [
  ['no value (tombstone)', null, /^empty message value$/],
  ['not JSON', Buffer.from('{"row_id": "x", '), /^not JSON: /],
  ['an array', json([1, 2]), /^not an object: an array$/],
  ['a number', json(42), /^not an object: number 42$/],
  ['no row_id', json({ event_time: 1, distance: 1 }), /^field "row_id" is missing$/],
  ['empty row_id', json({ row_id: '', event_time: 1 }), /^field "row_id" must be a non-empty string, got string ""$/],
  ['numeric row_id', json({ row_id: 7, event_time: 1 }), /^field "row_id" must be a non-empty string, got number 7$/],
  ['no event_time', json({ row_id: 'x' }), /^field "event_time" is missing$/],
  ['text event_time', json({ row_id: 'x', event_time: '2024-01-01T00:00:00Z' }), /^field "event_time" must be epoch milliseconds \(a number\), got string "2024-01-01T00:00:00Z"$/],
  ['text in a numerical field', json({ row_id: 'x', event_time: 1, distance: '12.5' }), /^field "distance" must be a number or null, got string "12.5"$/],
  ['boolean in a numerical field', json({ row_id: 'x', event_time: 1, distance: true }), /^field "distance" must be a number or null, got boolean true$/],
  ['number in a categorical field', json({ row_id: 'x', event_time: 1, origin: 3 }), /^field "origin" must be a string or null, got number 3$/],
  ['object in a categorical field', json({ row_id: 'x', event_time: 1, hour: { h: 1 } }), /^field "hour" must be a string or null, got an object$/],
];

test('every unusable feature message goes to invalid with a reason naming the field; the rest decode', async () => {
  const good = [
    json({ row_id: 'g1', event_time: 5, distance: 1.5, hour: '3', origin: 'SEA', extra: [1, 2, 3] }), // extra fields are ignored
    json({ row_id: 'g2', event_time: 6 }), // absent features are missing values (an older producer's schema)
  ];
  const values = [good[0]!, ...POISON.map(([, value]) => value), good[1]!];
  const decoded = await decodeFeatureBatch(messagesOf(values), layout);
  assert.equal(decoded.frame.rowCount, 2);
  assert.deepEqual(decoded.frame.columns.get('id')!.values, ['g1', 'g2']);
  assert.deepEqual(decoded.frame.columns.get('distance')!.values, Float64Array.of(1.5, NaN));
  assert.deepEqual(decoded.frame.columns.get('origin')!.values, ['SEA', null]);
  assert.deepEqual(Array.from(decoded.offsets), [100, 100 + values.length - 1]);
  assert.equal(decoded.invalid.length, POISON.length);
  POISON.forEach(([what, value, reason], i) => {
    const invalid = decoded.invalid[i]!;
    assert.equal(invalid.message.value, value, `${what}: the original message is kept for the dead-letter topic`);
    assert.match(invalid.reason, reason, what);
  });
});

test('target messages: wrong or missing fields are refused; a text target accepts numbers as text', async () => {
  const values = [
    json({ row_id: 'a', event_time: 1, label_time: 2, target: 1.5 }),
    json({ row_id: 'b', event_time: 1, label_time: 2 }),
    json({ row_id: 'c', event_time: 1, target: 1 }),
    json({ row_id: 'd', event_time: 1, label_time: 2, target: 'late' }),
    json({ row_id: 'e', event_time: 1, label_time: 2, target: null }),
  ];
  const numeric = await decodeTargetBatch(messagesOf(values), targetLayout);
  assert.deepEqual(numeric.frame.columns.get('id')!.values, ['a', 'e']);
  assert.deepEqual(numeric.frame.columns.get('delay')!.values, Float64Array.of(1.5, NaN));
  assert.deepEqual(numeric.invalid.map((i) => i.reason), [
    'field "target" is missing',
    'field "label_time" is missing',
    'field "target" must be a number or null, got string "late"',
  ]);
  const text = await decodeTargetBatch(messagesOf(values), { ...targetLayout, targetKind: 'string' });
  assert.deepEqual(text.frame.columns.get('delay')!.values, ['1.5', 'late', null]);
  assert.equal(text.invalid.length, 2);
});

await describeWithBroker('poison messages through the real broker', (testBroker) => {
  let broker: TestBroker;
  let admin: Admin;
  const prefix = uniqueTopicPrefix('codec');
  before(async () => {
    broker = testBroker();
    admin = broker.kafka.admin();
    await admin.connect();
  });
  after(async () => {
    if (!admin) return;
    await deleteTopicsWithPrefix(admin, prefix);
    await admin.disconnect();
  });

  test('a poison message in the middle of a stream decodes to invalid with its reason and offset', async () => {
    const topic = `${prefix}.features`;
    await ensureTopics(admin, [topic], 1, 1);
    const producer = broker.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const values = [
      json({ row_id: 'r1', event_time: 1000, distance: 3, hour: '1', origin: 'SEA' }),
      Buffer.from('this is not json'),
      json({ row_id: 'r2', event_time: 2000, distance: 'far', hour: '2', origin: 'LAX' }),
      json({ row_id: 'r3', event_time: 3000, distance: 4, hour: null, origin: null }),
    ];
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
    const consumed = inLogOrder(await consumeAll(broker.kafka, { [topic]: values.length }), topic);
    const decoded = await decodeFeatureBatch(consumed, layout, { codec: jsonCodec, topic });
    assert.deepEqual(decoded.frame.columns.get('id')!.values, ['r1', 'r3']);
    assert.deepEqual(Array.from(decoded.offsets), [0, 3]);
    assert.deepEqual(decoded.invalid.map((i) => [i.message.offset, i.reason.replace(/:.*/, ':…')]), [['1', 'not JSON:…'], ['2', 'field "distance" must be a number or null, got string "far"']]);
  });
});
