/**
 * The Avro codec: Confluent wire format (magic byte 0, a 4-byte big-endian
 * schema id, then the Avro binary body) with a schema registry reached through
 * @kafkajs/confluent-schema-registry.
 *
 * Writing: a topic's schema (avro-schemas.ts) is registered under the subject
 * `<topic>-value` (TopicNameStrategy) the first time the topic is written,
 * with BACKWARD compatibility set on the subject; the id is cached, so a
 * replay costs one registry round trip per topic. A registry that refuses the
 * schema stops the producer with an error naming the incompatible fields.
 *
 * Reading: the writer schema is looked up by the id in each message (cached
 * per id) and resolved into the topic's own schema, the reader schema, by
 * Avro's schema resolution — a consumer on a newer features schema reads old
 * messages (new optional features come out null) and one on an older schema
 * ignores features it does not know. Values come out as the plain records
 * the JSON codec yields (epoch-ms numbers, null for missing).
 *
 * Per message, anything wrong with the bytes is an `{ error }`: empty value,
 * a first byte that is not the magic byte (e.g. a JSON message), a schema id
 * the registry does not know, a schema that cannot be read as the topic's, a
 * body that is not Avro of its schema. A registry that cannot be reached at
 * all is not a fault of the message: decode rejects, so the batch is retried
 * rather than dead-lettered.
 */
import avro from 'avsc';
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Codec, DecodeOutcome } from './codec.js';
import { backwardProblems, formatProblems } from './avro-compat.js';
import { plainConverter } from './avro-plain.js';
import type { AvroSchema } from './avro-schemas.js';

export const MAGIC_BYTE = 0;
const HEADER_BYTES = 5;

export interface AvroCodecOptions {
  readonly registry: SchemaRegistry;
  /** Where the registry is, for messages (no credentials). */
  readonly registryUrl: string;
  /** The schema of each topic: registered when writing, the reader schema when reading. */
  readonly schemas: ReadonlyMap<string, AvroSchema>;
}

/** The registry subject of a topic's message values (Confluent's TopicNameStrategy). */
export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

interface TopicSchema {
  readonly schema: AvroSchema;
  readonly type: avro.Type;
  readonly toPlain: (value: unknown) => unknown;
}

/** How the messages of one writer schema id are read on one topic. */
type Reading =
  | { readonly type: avro.Type; readonly resolver: avro.Resolver | undefined; readonly toPlain: (value: unknown) => unknown; readonly label: string }
  | { readonly error: string };

export function createAvroCodec(options: AvroCodecOptions): Codec {
  const { registry, registryUrl } = options;
  const topicSchemas = new Map<string, TopicSchema>();
  const writerIds = new Map<string, Promise<number>>();
  const readings = new Map<string, Promise<Reading>>();

  const topicSchema = (topic: string): TopicSchema | undefined => {
    let known = topicSchemas.get(topic);
    if (known) return known;
    const schema = options.schemas.get(topic);
    if (!schema) return undefined;
    known = { schema, type: avro.Type.forSchema(schema as avro.Schema), toPlain: plainConverter(schema) };
    topicSchemas.set(topic, known);
    return known;
  };

  const writerId = (topic: string, schema: TopicSchema): Promise<number> => {
    let id = writerIds.get(topic);
    if (!id) {
      id = registerSchema(registry, registryUrl, topic, schema);
      // A failure is not cached: the next batch asks again (and fails again with the reason).
      id.catch(() => writerIds.delete(topic));
      writerIds.set(topic, id);
    }
    return id;
  };

  const reading = (topic: string, id: number): Promise<Reading> => {
    const key = `${id}\u0000${topic}`;
    let known = readings.get(key);
    if (!known) {
      known = readingFor(registry, registryUrl, topicSchema(topic), id);
      // Only successes are kept: an id unknown now may be registered by the next batch.
      known.then((r) => { if ('error' in r) readings.delete(key); }, () => readings.delete(key));
      readings.set(key, known);
    }
    return known;
  };

  return {
    format: 'avro',
    async encode(topic, records) {
      const schema = topicSchema(topic);
      if (!schema) throw new Error(`no Avro schema for topic "${topic}" (known: ${[...options.schemas.keys()].join(', ')})`);
      const id = await writerId(topic, schema);
      const values = new Array<Buffer>(records.length);
      for (let i = 0; i < records.length; i++) values[i] = frame(id, encodeBody(schema.type, records[i]!, topic, i));
      return values;
    },
    async decode(topic, values) {
      const outcomes = new Array<DecodeOutcome>(values.length);
      const ids = new Array<number>(values.length);
      const wanted = new Map<number, Promise<Reading>>();
      for (let i = 0; i < values.length; i++) {
        const value = values[i]!;
        const problem = headerProblem(value);
        if (problem !== null) {
          outcomes[i] = { error: problem };
          ids[i] = -1;
          continue;
        }
        const id = value!.readInt32BE(1);
        ids[i] = id;
        if (!wanted.has(id)) wanted.set(id, reading(topic, id));
      }
      const byId = new Map<number, Reading>();
      for (const [id, promise] of wanted) byId.set(id, await promise);
      for (let i = 0; i < values.length; i++) {
        if (ids[i] === -1) continue;
        outcomes[i] = decodeBody(byId.get(ids[i]!)!, values[i]!);
      }
      return outcomes;
    },
  };
}

async function registerSchema(registry: SchemaRegistry, registryUrl: string, topic: string, { schema, type }: TopicSchema): Promise<number> {
  const subject = valueSubject(topic);
  try {
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    return id;
  } catch (error) {
    throw await registrationError(registry, registryUrl, topic, subject, type, error);
  }
}

/** The error a refused registration becomes: which fields, which subject, what the registry said. */
async function registrationError(registry: SchemaRegistry, registryUrl: string, topic: string, subject: string, type: avro.Type, error: unknown): Promise<Error> {
  const said = (error as Error).message;
  // The client checks the subject's setting before registering (its error class is not exported).
  if ((error as Error).name === 'ConfluentSchemaRegistryCompatibilityError') {
    return new Error(`schema registry ${registryUrl}: subject "${subject}" (topic ${topic}) has another compatibility setting than BACKWARD, which driftwatch needs: ${said}`);
  }
  const status = httpStatusOf(error);
  if (status === 409) {
    let fields = '';
    try {
      const registered = await registry.getSchema(await registry.getLatestSchemaId(subject));
      if (avro.Type.isType(registered)) fields = formatProblems(backwardProblems(type, registered as unknown as avro.Type));
    } catch {
      // The registry's own words below still say what is wrong.
    }
    return new Error(
      `schema registry ${registryUrl} refused the new ${type.name ?? 'Avro'} schema of topic ${topic} (subject "${subject}", BACKWARD compatibility)` +
        `${fields ? `: ${fields}` : ''}. A feature's type cannot change in place: add it under a new name, or use new topics. Registry: ${said}`,
    );
  }
  if (status !== undefined) return new Error(`schema registry ${registryUrl}: registering the schema of topic ${topic} (subject "${subject}") failed (HTTP ${status}): ${said}`);
  return new Error(`schema registry ${registryUrl} cannot be reached (SCHEMA_REGISTRY_URL): ${said}`);
}

async function readingFor(registry: SchemaRegistry, registryUrl: string, reader: TopicSchema | undefined, id: number): Promise<Reading> {
  let writer: unknown;
  try {
    writer = await registry.getSchema(id);
  } catch (error) {
    const status = httpStatusOf(error);
    if (status === 404) return { error: `unknown schema id ${id} (the schema registry has no such schema)` };
    throw new Error(`schema registry ${registryUrl} ${status === undefined ? 'cannot be reached' : `answered HTTP ${status}`}: cannot fetch schema id ${id}: ${(error as Error).message}`);
  }
  if (!avro.Type.isType(writer)) return { error: `schema id ${id} is not an Avro schema` };
  const writerType = writer as unknown as avro.Type;
  const label = `schema id ${id} (${writerType.name ?? 'Avro'})`;
  if (reader === undefined) {
    return { type: writerType, resolver: undefined, toPlain: plainConverter(writerType.schema({ exportAttrs: true }) as AvroSchema), label };
  }
  if (reader.type.equals(writerType)) return { type: reader.type, resolver: undefined, toPlain: reader.toPlain, label };
  try {
    return { type: reader.type, resolver: reader.type.createResolver(writerType), toPlain: reader.toPlain, label };
  } catch (error) {
    return { error: `${label} cannot be read as ${reader.type.name}: ${(error as Error).message}` };
  }
}

/**
 * The registry's HTTP status, or undefined when there was no answer: the
 * client reports a network failure (connection refused, DNS, timeout) as a
 * made-up status 400 whose message is the socket error.
 */
function httpStatusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown }).status;
  if (typeof status !== 'number') return undefined;
  if (/\b(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|socket hang up)\b/.test((error as Error).message)) return undefined;
  return status;
}

/** Why `value` is not a Confluent-framed message, or null when it is. */
function headerProblem(value: Buffer | null): string | null {
  if (value === null || value.length === 0) return 'empty message value';
  if (value[0] !== MAGIC_BYTE) {
    return `not Avro in the Confluent wire format: first byte 0x${value[0]!.toString(16).padStart(2, '0')}, expected the magic byte 0x00`;
  }
  if (value.length < HEADER_BYTES) return `truncated Avro message: ${value.length} bytes, shorter than the 5-byte header`;
  return null;
}

function decodeBody(reading: Reading, value: Buffer): DecodeOutcome {
  if ('error' in reading) return { error: reading.error };
  try {
    return { value: reading.toPlain(reading.type.fromBuffer(value.subarray(HEADER_BYTES), reading.resolver)) };
  } catch (error) {
    return { error: `not Avro of ${reading.label}: ${(error as Error).message}` };
  }
}

function encodeBody(type: avro.Type, record: object, topic: string, index: number): Buffer {
  try {
    return type.toBuffer(record);
  } catch (error) {
    const paths: string[] = [];
    type.isValid(record, { errorHook: (path, value) => paths.push(`${path.join('.')} = ${JSON.stringify(value) ?? String(value)}`) });
    throw new Error(`record ${index} for topic ${topic} does not fit its ${type.name} schema: ${paths.length > 0 ? `invalid ${paths.join(', ')}` : (error as Error).message}`);
  }
}

function frame(id: number, body: Buffer): Buffer {
  const message = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  message[0] = MAGIC_BYTE;
  message.writeInt32BE(id, 1);
  body.copy(message, HEADER_BYTES);
  return message;
}
