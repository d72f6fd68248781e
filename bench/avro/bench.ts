/**
 * Encode + decode throughput of the JSON and Avro codecs, same records, same
 * run: feature records of the sample's layout (4 numerical, 2 categorical),
 * encoded in batches of 1000 and decoded into frames by decodeFeatureBatch —
 * the producer's and the processor's per-message codec work, without Kafka.
 * The Avro codec needs a registry (SCHEMA_REGISTRY_URL, else the local one of
 * scripts/registry-local.sh) for its one registration; lookups are cached.
 *
 *   npx tsx bench/avro/bench.ts [rows]      (default 50000)
 */
import { createAvroCodec, valueSubject } from '../../producer/codec/avro.js';
import { featuresAvroSchema } from '../../producer/codec/avro-schemas.js';
import type { Codec } from '../../producer/codec/codec.js';
import { decodeFeatureBatch } from '../../producer/codec/decode-batch.js';
import { schemaRegistryFromEnv } from '../../producer/codec/factory.js';
import { jsonCodec } from '../../producer/codec/json.js';
import type { FeatureLayout, FeatureRecord } from '../../producer/codec/records.js';

const rows = Number(process.argv[2] ?? 50_000);
const batch = 1000;
const registryUrl = process.env.SCHEMA_REGISTRY_URL || 'http://127.0.0.1:18081/apis/ccompat/v7';
const topic = `bench-avro-${Date.now().toString(36)}`;
const layout: FeatureLayout = {
  rowIdColumn: 'row_id', eventTimeColumn: 'event_time',
  features: [
    { name: 'hour', type: 'numerical' }, { name: 'weekday', type: 'numerical' }, { name: 'month', type: 'numerical' }, { name: 'distance', type: 'numerical' },
    { name: 'origin', type: 'categorical' }, { name: 'destination', type: 'categorical' },
  ],
};
const airports = ['SFO', 'LAX', 'JFK', 'ORD', 'SEA', 'BOS', 'DEN'];
const records: FeatureRecord[] = Array.from({ length: rows }, (_, i) => ({
  row_id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, event_time: 1_769_903_940_000 + i * 60_000,
  hour: i % 24, weekday: i % 7, month: 1 + (i % 12), distance: i % 50 === 0 ? null : 100 + (i % 2500),
  origin: airports[i % 7]!, destination: airports[(i * 3) % 7]!,
}));

async function measure(codec: Codec): Promise<{ encodePerSecond: number; decodePerSecond: number; bytesPerRecord: number }> {
  await codec.encode(topic, records.slice(0, batch)); // warm-up (and the one registration)
  await decodeFeatureBatch((await codec.encode(topic, records.slice(0, batch))).map((value, i) => ({ value, offset: String(i) })), layout, { codec, topic });
  const values: Buffer[] = [];
  let started = performance.now();
  for (let at = 0; at < rows; at += batch) values.push(...(await codec.encode(topic, records.slice(at, at + batch))));
  const encodeSeconds = (performance.now() - started) / 1000;
  const messages = values.map((value, i) => ({ value, offset: String(i) }));
  started = performance.now();
  let decoded = 0;
  for (let at = 0; at < rows; at += batch) decoded += (await decodeFeatureBatch(messages.slice(at, at + batch), layout, { codec, topic })).frame.rowCount;
  const decodeSeconds = (performance.now() - started) / 1000;
  if (decoded !== rows) throw new Error(`${codec.format}: decoded ${decoded} of ${rows} rows`);
  return { encodePerSecond: rows / encodeSeconds, decodePerSecond: rows / decodeSeconds, bytesPerRecord: values.reduce((s, v) => s + v.length, 0) / rows };
}

const avroCodec = createAvroCodec({ registry: schemaRegistryFromEnv(registryUrl), registryUrl, schemas: new Map([[topic, featuresAvroSchema(layout.features)]]) });
try {
  const results = { json: await measure(jsonCodec), avro: await measure(avroCodec) };
  const row = (name: string, r: Awaited<ReturnType<typeof measure>>) =>
    `${name.padEnd(5)} encode ${Math.round(r.encodePerSecond).toLocaleString('en').padStart(10)} rec/s   decode→frame ${Math.round(r.decodePerSecond).toLocaleString('en').padStart(10)} rec/s   ${r.bytesPerRecord.toFixed(1)} B/record`;
  process.stdout.write(`${rows} feature records, batches of ${batch}, node ${process.version}\n${row('json', results.json)}\n${row('avro', results.avro)}\n`);
  process.stdout.write(`avro / json: encode ${(results.avro.encodePerSecond / results.json.encodePerSecond).toFixed(2)}×, decode ${(results.avro.decodePerSecond / results.json.decodePerSecond).toFixed(2)}×\n`);
} finally {
  await fetch(`${registryUrl}/subjects/${valueSubject(topic)}`, { method: 'DELETE' });
  await fetch(`${registryUrl}/subjects/${valueSubject(topic)}?permanent=true`, { method: 'DELETE' });
}
