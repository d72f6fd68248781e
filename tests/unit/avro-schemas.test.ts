/**
 * The Avro contracts without a registry: the generated features schema (and
 * the committed sample's), the fixed schemas parse, the plain-record
 * converter, the compatibility explanation, the codec's header checks and the
 * codec factory. Against the real registry: tests/integration/avro-registry.test.ts.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import avro from 'avsc';
import { runSchema } from '../../cli/commands/schema.js';
import { UsageError } from '../../cli/errors.js';
import { backwardProblems } from '../../producer/codec/avro-compat.js';
import { plainConverter } from '../../producer/codec/avro-plain.js';
import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import type { WindowMetrics } from '../../processor/results.js';
import { windowMetricsOf } from '../../processor/results-codec.js';
import { AVRO_SCHEMA_DIR, featuresAvroSchema, FIXED_SCHEMA_FILES, formatAvroSchema, loadAvroSchema, type AvroSchema } from '../../producer/codec/avro-schemas.js';
import type { Codec } from '../../producer/codec/codec.js';
import { createAvroCodec } from '../../producer/codec/avro.js';
import { codecFromEnv, schemaRegistryFromEnv } from '../../producer/codec/factory.js';
import { jsonCodec } from '../../producer/codec/json.js';
import { topicNames } from '../../producer/kafka/topics.js';

describe('features schema', () => {
  test('numerical → nullable double, categorical → nullable string, event_time timestamp-millis, row_id uuid', () => {
    const schema = featuresAvroSchema([{ name: 'price', type: 'numerical' }, { name: 'city', type: 'categorical' }]);
    assert.equal(schema.type, 'record');
    assert.equal(schema.namespace, 'driftwatch.v1');
    const fields = (schema.fields as { name: string; type: unknown; default?: unknown }[]).map(({ name, type, default: d }) => ({ name, type, default: d }));
    assert.deepEqual(fields, [
      { name: 'row_id', type: { type: 'string', logicalType: 'uuid' }, default: undefined },
      { name: 'event_time', type: { type: 'long', logicalType: 'timestamp-millis' }, default: undefined },
      { name: 'price', type: ['null', 'double'], default: null },
      { name: 'city', type: ['null', 'string'], default: null },
    ]);
  });

  test('the committed sample schema is what `driftwatch schema --config data/config.yaml` prints', () => {
    const committed = readFileSync(`${AVRO_SCHEMA_DIR}features.flights.avsc`, 'utf8');
    assert.equal(formatAvroSchema(runSchema({ config: 'data/config.yaml', topic: 'features' })), committed);
    const names = (JSON.parse(committed).fields as { name: string }[]).map((f) => f.name);
    assert.deepEqual(names, ['row_id', 'event_time', 'hour', 'weekday', 'month', 'distance', 'origin', 'destination']);
  });

  test('a column name Avro cannot carry is refused, naming it', () => {
    assert.throws(() => featuresAvroSchema([{ name: 'dep-time', type: 'numerical' }]), /feature "dep-time" is not a legal Avro field name/);
    assert.throws(() => featuresAvroSchema([{ name: 'row_id', type: 'numerical' }]), /feature "row_id" clashes/);
    assert.throws(() => runSchema({ topic: 'features' }), UsageError);
  });

  test('decoding reads timestamp-millis as an epoch-ms number and uuid as a string', () => {
    const type = avro.Type.forSchema(featuresAvroSchema([{ name: 'x', type: 'numerical' }]) as avro.Schema);
    const value = type.fromBuffer(type.toBuffer({ row_id: 'abc', event_time: 1_769_903_940_000, x: null }));
    assert.equal(value.event_time, 1_769_903_940_000);
    assert.equal(value.row_id, 'abc');
    assert.equal(value.x, null);
  });
});

test('every schema under schemas/avro parses with avsc and is one of ours', () => {
  const files = readdirSync(AVRO_SCHEMA_DIR).filter((f) => f.endsWith('.avsc')).sort();
  assert.deepEqual(files, [...Object.values(FIXED_SCHEMA_FILES), 'features.flights.avsc'].sort());
  for (const file of files) {
    const type = avro.Type.forSchema(loadAvroSchema(file) as avro.Schema);
    assert.match(type.name ?? '', /^driftwatch\.v1\./, file);
  }
});

describe('plain records', () => {
  test('nested records and arrays come out as plain objects; omitNull fields are dropped when null', () => {
    const schema = {
      type: 'record', name: 'Node', namespace: 't',
      fields: [
        { name: 'label', type: 'string' },
        { name: 'note', type: ['null', 'string'], default: null, 'driftwatch.omitNull': true },
        { name: 'children', type: { type: 'array', items: 'Node' } },
        { name: 'best', type: ['null', 'Node'], default: null },
      ],
    };
    const type = avro.Type.forSchema(schema as avro.Schema);
    const input = { label: 'a', note: null, children: [{ label: 'b', note: 'x', children: [], best: null }], best: { label: 'c', note: null, children: [], best: null } };
    const decoded = type.fromBuffer(type.toBuffer(input));
    assert.notEqual(Object.getPrototypeOf(decoded), Object.prototype, 'avsc builds class instances');
    const plain = plainConverter(schema)(decoded);
    assert.deepEqual(plain, { label: 'a', children: [{ label: 'b', note: 'x', children: [], best: null }], best: { label: 'c', children: [], best: null } });
  });
});

describe('BACKWARD problems named by field', () => {
  const record = (fields: unknown[]) => avro.Type.forSchema({ type: 'record', name: 'R', fields } as avro.Schema);
  const old = record([{ name: 'a', type: ['null', 'double'], default: null }, { name: 'n', type: 'int' }]);
  test('a type change and a field added without a default', () => {
    const newer = record([{ name: 'a', type: ['null', 'string'], default: null }, { name: 'n', type: 'int' }, { name: 'b', type: 'string' }]);
    assert.deepEqual(backwardProblems(newer, old), [
      { field: 'a', problem: 'type changed from ["null","double"] to ["null","string"]' },
      { field: 'b', problem: 'added without a default' },
    ]);
  });
  test('an optional field added, a field removed, int promoted to double: no problem', () => {
    const newer = record([{ name: 'n', type: 'double' }, { name: 'c', type: ['null', 'string'], default: null }]);
    assert.deepEqual(backwardProblems(newer, old), []);
  });
});

describe('window-metrics: the approximate marker, old and new schemas', () => {
  const topic = 'p.window-metrics';
  const marked = loadAvroSchema(FIXED_SCHEMA_FILES['window-metrics']);
  /** The schema as it was before the marker: what old processors write and old sinks read with. */
  const unmarked = { ...marked, fields: (marked.fields as { name: string }[]).filter((f) => f.name !== 'approximateRelativeAccuracy') };
  // The registry's part here is ids → writer schemas; its BACKWARD check is backwardProblems below (and tests/integration/avro-registry.test.ts).
  const writers: avro.Type[] = [];
  const registry = {
    async register({ schema }: { schema: string }) { return { id: writers.push(avro.Type.forSchema(JSON.parse(schema) as avro.Schema)) }; },
    async getSchema(id: number) { return writers[id - 1]; },
  } as unknown as SchemaRegistry;
  const codecWith = (schema: AvroSchema) => createAvroCodec({ registry, registryUrl: 'memory', schemas: new Map([[topic, schema]]) });
  const [newer, older] = [codecWith(marked), codecWith(unmarked)];
  const exact = {
    model: 'm', windowStart: 0, windowEnd: 1000, revision: 1, rows: 3, labelledRows: 0,
    drift: { columns: [{ column: 'x', type: 'numerical', stattest: 'wasserstein', score: 0.02, threshold: 0.1, drift_detected: false, reference_count: 5, current_count: 3 }],
      number_of_columns: 1, number_of_drifted_columns: 0, share_of_drifted_columns: 0, dataset_drift: false, drift_share: 0.5 },
    predictionDrift: null, targetDrift: null, regression: null, classification: null,
    dataQuality: { rows: 3, rows_with_missing: 0, rows_with_missing_share: 0, columns: [] },
  } satisfies WindowMetrics;
  const approximate: WindowMetrics = { ...exact, approximateRelativeAccuracy: 0.005 };
  const roundTrip = async (writer: Codec, reader: Codec, record: WindowMetrics) => {
    const [outcome] = await reader.decode(topic, await writer.encode(topic, [record]));
    if (!outcome || outcome.error !== undefined) throw new Error(`not decoded: ${outcome?.error}`);
    return windowMetricsOf(outcome.value);
  };

  test('adding it is BACKWARD compatible: an optional field with a default', () => {
    assert.deepEqual(backwardProblems(avro.Type.forSchema(marked as avro.Schema), avro.Type.forSchema(unmarked as avro.Schema)), []);
  });
  test('the relative accuracy survives the round trip; an exact window comes back without it', async () => {
    assert.deepEqual(await roundTrip(newer, newer, approximate), approximate);
    assert.deepEqual(await roundTrip(newer, newer, exact), exact);
  });
  test('a message of the old schema reads as an exact window', async () => {
    const decoded = await roundTrip(older, newer, exact);
    assert.deepEqual(decoded, exact);
    assert.equal('approximateRelativeAccuracy' in decoded, false);
  });
  test('an old reader reads a new approximate message, without the marker', async () => {
    assert.deepEqual(await roundTrip(newer, older, approximate), exact);
  });
});

describe('Avro codec framing (no registry needed)', () => {
  const nowhere = 'http://127.0.0.1:9/nowhere';
  const codec = createAvroCodec({ registry: schemaRegistryFromEnv(nowhere), registryUrl: nowhere, schemas: new Map() });
  test('empty, foreign and truncated values are errors with the reason, never a throw', async () => {
    const outcomes = await codec.decode('t', [null, Buffer.alloc(0), Buffer.from('{"a":1}'), Buffer.from([0, 0, 1])]);
    assert.deepEqual(outcomes, [
      { error: 'empty message value' },
      { error: 'empty message value' },
      { error: 'not Avro in the Confluent wire format: first byte 0x7b, expected the magic byte 0x00' },
      { error: 'truncated Avro message: 3 bytes, shorter than the 5-byte header' },
    ]);
  });
  test('a topic without a schema cannot be written', async () => {
    await assert.rejects(codec.encode('t', [{}]), /no Avro schema for topic "t"/);
  });
});

describe('codecFromEnv', () => {
  const context = { topics: topicNames('x'), features: [{ name: 'f', type: 'numerical' as const }] };
  test('JSON without SCHEMA_REGISTRY_URL, Avro with it', () => {
    assert.equal(codecFromEnv(context, {}), jsonCodec);
    assert.equal(codecFromEnv(context, { SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7' }).format, 'avro');
    assert.equal(codecFromEnv(context, { SCHEMA_REGISTRY_URL: 'http://127.0.0.1:18081' }, 'json'), jsonCodec);
  });
  test('bad settings are usage errors', () => {
    assert.throws(() => codecFromEnv(context, {}, 'avro'), (e: Error) => e instanceof UsageError && /SCHEMA_REGISTRY_URL/.test(e.message));
    assert.throws(() => codecFromEnv(context, { SCHEMA_REGISTRY_URL: 'not a url' }), UsageError);
    assert.throws(() => codecFromEnv(context, { SCHEMA_REGISTRY_URL: 'http://u:p@host:1' }), /must not hold credentials/);
    assert.throws(() => codecFromEnv(context, { SCHEMA_REGISTRY_URL: 'http://host:1', SCHEMA_REGISTRY_USERNAME: 'u' }), /both/);
  });
});
