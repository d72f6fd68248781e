/**
 * The Avro codec against a real schema registry (SCHEMA_REGISTRY_URL, else the
 * Apicurio of scripts/registry-local.sh) and a real broker (KAFKA_BROKERS,
 * else scripts/kafka-local.sh). Nothing is faked: records are encoded,
 * produced, consumed and decoded by a second codec that knows only the
 * registry, so every schema id comes from it.
 *
 * Neither service answering is a failure in CI (process.env.CI), a skip with
 * the reason otherwise.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Admin, Kafka, Producer } from 'kafkajs';
import type { Column, Frame } from '../../processor/frame.js';
import type { PredictionRecord, WindowMetrics } from '../../processor/results.js';
import { createAvroCodec, valueSubject } from '../../producer/codec/avro.js';
import { avroSchemasByTopic, featuresAvroSchema } from '../../producer/codec/avro-schemas.js';
import type { Codec } from '../../producer/codec/codec.js';
import { decodeFeatureBatch, type RawMessage } from '../../producer/codec/decode-batch.js';
import { schemaRegistryFromEnv } from '../../producer/codec/factory.js';
import { jsonCodec } from '../../producer/codec/json.js';
import type { FeatureLayout, FeatureRecord, TargetRecord } from '../../producer/codec/records.js';
import { createReplayProducer, replayToKafka } from '../../producer/kafka/replay-producer.js';
import { ensureTopics, topicNames, TOPIC_ROLES, type TopicNames } from '../../producer/kafka/topics.js';
import { planReplay } from '../../producer/replay-schedule.js';
import { consumeAll, deleteTopicsWithPrefix, findTestBroker, inLogOrder, uniqueTopicPrefix, type TestBroker } from './helpers/kafka.js';

const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:18081/apis/ccompat/v7';

const FLIGHTS: FeatureLayout = {
  rowIdColumn: 'row_id',
  eventTimeColumn: 'event_time',
  features: [
    { name: 'hour', type: 'numerical' }, { name: 'distance', type: 'numerical' },
    { name: 'origin', type: 'categorical' }, { name: 'destination', type: 'categorical' },
  ],
};
/** v2: one optional feature more (a BACKWARD-compatible change). */
const FLIGHTS_V2: FeatureLayout = { ...FLIGHTS, features: [...FLIGHTS.features, { name: 'taxi_time', type: 'numerical' }] };
/** v3: distance becomes text (incompatible). */
const FLIGHTS_V3: FeatureLayout = { ...FLIGHTS, features: FLIGHTS.features.map((f) => (f.name === 'distance' ? { name: 'distance', type: 'categorical' as const } : f)) };

const T0 = Date.UTC(2026, 0, 31, 23, 59);
const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

function featureRecords(from: number, count: number, extra: Record<string, number | null> = {}): FeatureRecord[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { row_id: uuid(i), event_time: T0 + i * 60_000, hour: i % 24, distance: i % 5 === 0 ? null : 100.5 + i, origin: i % 7 === 0 ? null : 'SFO', destination: `D${i % 3}`, ...extra };
  });
}

const TARGETS: TargetRecord[] = [
  { row_id: uuid(1), event_time: T0, label_time: T0 + 3_600_000, target: 12.5 },
  { row_id: uuid(2), event_time: T0 + 60_000, label_time: T0 + 3_660_000, target: 'late' },
  { row_id: uuid(3), event_time: T0 + 120_000, label_time: T0 + 3_720_000, target: null },
];

const PREDICTIONS: PredictionRecord[] = [
  { model: 'flights-delay', rowId: uuid(1), eventTime: T0, windowStart: T0 - 86_340_000, prediction: 3.25, label: null, target: 12.5 },
  { model: 'flights-delay', rowId: uuid(2), eventTime: T0, windowStart: T0 - 86_340_000, prediction: 0.9, label: 'delayed', target: null },
];

const WINDOW: WindowMetrics = {
  model: 'flights-delay', windowStart: Date.UTC(2026, 1, 1), windowEnd: Date.UTC(2026, 1, 2), revision: 2, rows: 1440, labelledRows: 1200,
  drift: {
    columns: [
      { column: 'distance', type: 'numerical', stattest: 'wasserstein', score: 0.12, threshold: 0.1, drift_detected: true, reference_count: 5000, current_count: 1440 },
      { column: 'origin', type: 'categorical', stattest: 'chisquare', score: 0, threshold: 0.05, drift_detected: true, statistic: Infinity, reference_count: 5000, current_count: 1439 },
      { column: 'destination', type: 'categorical', stattest: 'jensenshannon', score: null, threshold: 0.1, drift_detected: false, reference_count: 5000, current_count: 0, error: 'empty after cleaning' },
    ],
    number_of_columns: 3, number_of_drifted_columns: 2, share_of_drifted_columns: 2 / 3, dataset_drift: true, drift_share: 0.5,
  },
  predictionDrift: { column: 'prediction', type: 'numerical', stattest: 'ks', score: 0.3, threshold: 0.05, drift_detected: false, statistic: 0.02, reference_count: 5000, current_count: 1440 },
  targetDrift: null,
  regression: { count: 1200, mean_error: -0.5, error_std: 10, mae: 7, abs_error_std: 6, abs_error_max: 90, rmse: 11, r2: NaN, mape: Infinity },
  classification: { count: 1200, accuracy: 0.9, precision: 0.8, recall: 0.7, f1: 0.75, roc_auc: null, log_loss: 0.3, labels: ['0', '1'], confusion_matrix: [[600, 40], [80, 480]] },
  dataQuality: {
    rows: 1440, rows_with_missing: 3, rows_with_missing_share: 3 / 1440,
    columns: [
      { column: 'distance', missing_count: 3, missing_share: 3 / 1440, out_of_range_count: 1, out_of_range_share: 1 / 1437, unseen_count: 0, unseen_values: [], type_violations: 0 },
      { column: 'origin', missing_count: 0, missing_share: 0, out_of_range_count: null, out_of_range_share: null, unseen_count: 2, unseen_values: ['XXA', 'XXB'], type_violations: 0 },
    ],
  },
};

const LATE = [{ model: 'flights-delay', sourceTopic: 'x.features', sourcePartition: 2, sourceOffset: 123456789012, rowId: uuid(9), eventTime: T0, windowStart: T0 - 86_340_000, watermark: T0 + 86_400_000, value: Buffer.from('{"row_id":"x"}') }];
const DEAD = [{ reason: 'field "hour" must be a number or null, got string "x"', service: 'processor', sourceTopic: 'x.features', sourcePartition: 0, sourceOffset: 7, failedAt: T0, key: null, value: Buffer.from([1, 2, 3]) }];

interface Services { readonly broker: TestBroker; readonly registryUrl: string }

async function findServices(): Promise<Services | { skip: string } | { fail: string }> {
  const registryUrl = process.env.SCHEMA_REGISTRY_URL || DEFAULT_REGISTRY_URL;
  const lookup = await findTestBroker();
  if (!('broker' in lookup)) return lookup;
  try {
    const response = await fetch(`${registryUrl.replace(/\/+$/, '')}/subjects`, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    const reason = `no schema registry answers at ${registryUrl} (${(error as Error).message}); start one with \`npm run registry:start\``;
    return process.env.CI ? { fail: `${reason} — CI must run the Avro tests against a real registry` } : { skip: reason };
  }
  return { broker: lookup.broker, registryUrl };
}

const services = await findServices();
if ('fail' in services) test('Avro codec: a schema registry and a Kafka broker', () => assert.fail(services.fail));
else if ('skip' in services) test('Avro codec against a real registry and broker', { skip: services.skip }, () => {});
else describe('Avro codec against a real registry and broker', () => avroSuite(services));

function avroSuite({ broker, registryUrl }: Services): void {
  const prefix = uniqueTopicPrefix('avro');
  const topics: TopicNames = topicNames(prefix);
  const kafka: Kafka = broker.kafka;
  let admin: Admin;
  let producer: Producer;
  /** A codec with its own registry client (no shared cache) on the schemas of `layout`. */
  const codecFor = (layout: FeatureLayout): Codec =>
    createAvroCodec({ registry: schemaRegistryFromEnv(registryUrl), registryUrl, schemas: avroSchemasByTopic(topics, layout.features, 'flights-delay') });
  const send = async (codec: Codec, topic: string, records: readonly object[]) => {
    const values = await codec.encode(topic, records);
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
    return values;
  };
  const registryGet = async (path: string) => {
    const response = await fetch(`${registryUrl}${path}`);
    assert.equal(response.ok, true, `GET ${path}: HTTP ${response.status}`);
    return response.json() as Promise<Record<string, unknown> & unknown[]>;
  };

  before(async () => {
    admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, TOPIC_ROLES.map((role) => topics[role]), 1, 1);
    producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
  });
  after(async () => {
    await producer?.disconnect();
    await deleteTopicsWithPrefix(admin, prefix);
    for (const role of TOPIC_ROLES) {
      await fetch(`${registryUrl}/subjects/${valueSubject(topics[role])}`, { method: 'DELETE' });
      await fetch(`${registryUrl}/subjects/${valueSubject(topics[role])}?permanent=true`, { method: 'DELETE' });
    }
    await admin?.disconnect();
  });

  test('every schema round-trips through the registry and the broker; subjects <topic>-value, BACKWARD', async () => {
    const writer = codecFor(FLIGHTS);
    const features = featureRecords(0, 20);
    const sent: Record<string, readonly object[]> = {
      [topics.features]: features, [topics.targets]: TARGETS, [topics.predictions]: PREDICTIONS,
      [topics['window-metrics']]: [WINDOW], [topics.late]: LATE, [topics.dlq]: DEAD,
    };
    const firstBytes = new Map<string, Buffer>();
    for (const [topic, records] of Object.entries(sent)) firstBytes.set(topic, (await send(writer, topic, records))[0]!);

    const messages = await consumeAll(kafka, Object.fromEntries(Object.entries(sent).map(([t, r]) => [t, r.length])));
    const reader = codecFor(FLIGHTS);
    for (const [topic, records] of Object.entries(sent)) {
      const subject = await registryGet(`/subjects/${valueSubject(topic)}/versions/latest`);
      const bytes = firstBytes.get(topic)!;
      assert.equal(bytes[0], 0, `${topic}: magic byte`);
      assert.equal(bytes.readInt32BE(1), subject.id, `${topic}: the schema id is the registry's for ${valueSubject(topic)}`);
      assert.equal((await registryGet(`/config/${valueSubject(topic)}`)).compatibilityLevel, 'BACKWARD', `${topic}: compatibility`);
      const outcomes = await reader.decode(topic, inLogOrder(messages, topic).map((m) => m.value));
      assert.deepEqual(outcomes, records.map((value) => ({ value })), `${topic}: decoded records`);
    }
  });

  test('features decode into the same frame as the JSON codec gives', async () => {
    const records = featureRecords(100, 30);
    const avroValues = await codecFor(FLIGHTS).encode(topics.features, records);
    const jsonValues = await jsonCodec.encode(topics.features, records);
    const asMessages = (values: Buffer[]): RawMessage[] => values.map((value, i) => ({ value, offset: String(i) }));
    const viaAvro = await decodeFeatureBatch(asMessages(avroValues), FLIGHTS, { codec: codecFor(FLIGHTS), topic: topics.features });
    const viaJson = await decodeFeatureBatch(asMessages(jsonValues), FLIGHTS, { codec: jsonCodec, topic: topics.features });
    assert.equal(viaAvro.invalid.length, 0, viaAvro.invalid.map((i) => i.reason).join('; '));
    assert.deepEqual(viaAvro.frame, viaJson.frame);
    assert.equal(viaAvro.frame.rowCount, 30);
    assert.ok(Number.isNaN((viaAvro.frame.columns.get('distance')!.values as Float64Array)[0]), 'a null distance is NaN in the frame');
  });

  test('a new optional feature: old and new messages decode on both schemas', async () => {
    const topic = `${prefix}.evolving`;
    await ensureTopics(admin, [topic], 1, 1);
    const schemasFor = (layout: FeatureLayout) => new Map([[topic, featuresAvroSchema(layout.features)]]);
    const codec = (layout: FeatureLayout) => createAvroCodec({ registry: schemaRegistryFromEnv(registryUrl), registryUrl, schemas: schemasFor(layout) });
    const old = featureRecords(200, 5);
    const fresh = featureRecords(205, 5, { taxi_time: 14 });
    await send(codec(FLIGHTS), topic, old);
    await send(codec(FLIGHTS_V2), topic, fresh);
    const versions = await registryGet(`/subjects/${valueSubject(topic)}/versions`);
    assert.equal(versions.length, 2, 'the registry accepted the new schema as version 2');

    const messages = inLogOrder(await consumeAll(kafka, { [topic]: 10 }), topic);
    const values = messages.map((m) => m.value);
    const onNew = await codec(FLIGHTS_V2).decode(topic, values);
    assert.deepEqual(onNew, [...old.map((r) => ({ value: { ...r, taxi_time: null } })), ...fresh.map((value) => ({ value }))]);
    const onOld = await codec(FLIGHTS).decode(topic, values);
    assert.deepEqual(onOld, [...old, ...fresh.map(({ taxi_time: _dropped, ...r }) => r)].map((value) => ({ value })));

    const frame = await decodeFeatureBatch(messages, FLIGHTS_V2, { codec: codec(FLIGHTS_V2), topic });
    assert.equal(frame.invalid.length, 0);
    assert.deepEqual(Array.from(frame.frame.columns.get('taxi_time')!.values as Float64Array), [NaN, NaN, NaN, NaN, NaN, 14, 14, 14, 14, 14]);
  });

  test('an incompatible change (a feature double → string) is refused; the replay stops naming the field', async () => {
    const topic = `${prefix}.incompatible`;
    await ensureTopics(admin, [topic], 1, 1);
    const schemasFor = (layout: FeatureLayout) => new Map([[topic, featuresAvroSchema(layout.features)]]);
    await send(createAvroCodec({ registry: schemaRegistryFromEnv(registryUrl), registryUrl, schemas: schemasFor(FLIGHTS) }), topic, featureRecords(300, 2));

    const records = featureRecords(310, 3).map((r): FeatureRecord => ({ ...r, distance: r.distance === null ? null : String(r.distance) }));
    const text = (field: string): Column => ({ kind: 'string', values: records.map((r) => r[field] as string | null) });
    const numbers = (field: string, kind: 'number' | 'timestamp'): Column => ({ kind, values: Float64Array.from(records, (r) => r[field] as number) }) as Column;
    const frame: Frame = {
      rowCount: records.length,
      columns: new Map<string, Column>([
        ['row_id', text('row_id')], ['event_time', numbers('event_time', 'timestamp')], ['hour', numbers('hour', 'number')],
        ['distance', text('distance')], ['origin', text('origin')], ['destination', text('destination')],
      ]),
    };
    const replayProducer = createReplayProducer(kafka);
    await replayProducer.connect();
    try {
      await assert.rejects(
        replayToKafka({
          producer: replayProducer,
          codec: createAvroCodec({ registry: schemaRegistryFromEnv(registryUrl), registryUrl, schemas: schemasFor(FLIGHTS_V3) }),
          plan: planReplay(frame, { eventTimeColumn: 'event_time', labelDelay: 0 }),
          layout: FLIGHTS_V3,
          topics: { features: topic, targets: topics.targets },
          batchSize: 100,
        }),
        (error: Error) => {
          assert.match(error.message, /refused/);
          assert.match(error.message, /field "distance" type changed from \["null","double"\] to \["null","string"\]/);
          assert.match(error.message, new RegExp(`subject "${valueSubject(topic)}"`));
          return true;
        },
      );
    } finally {
      await replayProducer.disconnect();
    }
    const versions = await registryGet(`/subjects/${valueSubject(topic)}/versions`);
    assert.equal(versions.length, 1, 'the registry kept only the first schema');
    const [partition] = await admin.fetchTopicOffsets(topic);
    assert.equal(partition?.high, '2', 'nothing was written with the refused schema');
  });

  test('unknown schema id, non-Avro payloads and foreign bytes are invalid with a reason; valid rows still decode', async () => {
    const codec = codecFor(FLIGHTS);
    const [valid] = await codec.encode(topics.features, featureRecords(400, 1));
    const unknownId = Buffer.from(valid!);
    unknownId.writeInt32BE(2_000_000_000, 1);
    const garbage = Buffer.concat([valid!.subarray(0, 5), Buffer.from('hello, not avro')]);
    const json = (await jsonCodec.encode(topics.features, featureRecords(401, 1)))[0]!;
    const values = [unknownId, json, garbage, Buffer.alloc(0), valid!];
    await producer.send({ topic: topics.features, messages: values.map((value) => ({ value })) });
    const offsets = await admin.fetchTopicOffsets(topics.features);
    const end = Number(offsets[0]!.high);
    const consumed = inLogOrder(await consumeAll(kafka, { [topics.features]: end }), topics.features).slice(-values.length);
    const batch = await decodeFeatureBatch(consumed, FLIGHTS, { codec: codecFor(FLIGHTS), topic: topics.features });
    assert.equal(batch.frame.rowCount, 1);
    assert.deepEqual((batch.frame.columns.get('row_id')!.values as string[]), [uuid(400)]);
    const reasons = batch.invalid.map((i) => i.reason);
    assert.equal(reasons.length, 4);
    assert.match(reasons[0]!, /unknown schema id 2000000000/);
    assert.match(reasons[1]!, /not Avro in the Confluent wire format: first byte 0x7b, expected the magic byte 0x00/);
    assert.match(reasons[2]!, /^not Avro of schema id \d+ \(driftwatch\.v1\.Features\)/);
    assert.match(reasons[3]!, /empty message value/);
  });
}
