/**
 * Which codec the Kafka path uses, from the environment (and a --codec flag):
 *
 * - SCHEMA_REGISTRY_URL set → Avro with that registry (Confluent wire format,
 *   subjects `<topic>-value`); the URL is the base of a Confluent-compatible
 *   API, e.g. http://127.0.0.1:18081/apis/ccompat/v7 for the Apicurio of
 *   scripts/registry-local.sh, http://schema-registry:8081 for Confluent's;
 * - otherwise JSON;
 * - SCHEMA_REGISTRY_USERNAME / SCHEMA_REGISTRY_PASSWORD: HTTP basic auth
 *   (never logged);
 * - `format` ('json' | 'avro') forces one; 'avro' without a URL is a usage error.
 *
 * Producer and processor must agree: both read the same variables.
 */
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { UsageError } from '../../cli/errors.js';
import type { ColumnSpec } from '../../processor/drift/compare.js';
import type { TopicNames } from '../kafka/topics.js';
import { createAvroCodec } from './avro.js';
import { avroSchemasByTopic } from './avro-schemas.js';
import type { Codec } from './codec.js';
import { jsonCodec } from './json.js';

export const CODEC_FORMATS = ['auto', 'json', 'avro'] as const;
export type CodecFormat = (typeof CODEC_FORMATS)[number];

export interface CodecContext {
  /** The topics of this deployment (each gets its schema). */
  readonly topics: TopicNames;
  /** The features the features record carries (generates its schema). */
  readonly features: readonly ColumnSpec[];
  /** The model's name, for the features schema's doc. */
  readonly model?: string;
}

export function codecFromEnv(context: CodecContext, env: NodeJS.ProcessEnv = process.env, format: CodecFormat = 'auto'): Codec {
  const url = env.SCHEMA_REGISTRY_URL?.trim();
  if (format === 'json' || (format === 'auto' && !url)) return jsonCodec;
  if (!url) throw new UsageError('--codec avro needs a schema registry: set SCHEMA_REGISTRY_URL (e.g. the URL `npm run registry:start` prints)');
  return createAvroCodec({
    registry: schemaRegistryFromEnv(url, env),
    registryUrl: url,
    schemas: avroSchemasByTopic(context.topics, context.features, context.model),
  });
}

export function schemaRegistryFromEnv(url: string, env: NodeJS.ProcessEnv = process.env): SchemaRegistry {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`SCHEMA_REGISTRY_URL "${url}" is not a URL (expected e.g. http://127.0.0.1:18081/apis/ccompat/v7)`);
  }
  if (parsed.username || parsed.password) {
    throw new UsageError('SCHEMA_REGISTRY_URL must not hold credentials; use SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD');
  }
  const username = env.SCHEMA_REGISTRY_USERNAME;
  const password = env.SCHEMA_REGISTRY_PASSWORD;
  if ((username === undefined) !== (password === undefined)) {
    throw new UsageError('set both SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD, or neither');
  }
  return new SchemaRegistry({
    host: url.replace(/\/+$/, ''),
    clientId: env.KAFKA_CLIENT_ID ?? 'driftwatch',
    retry: { retries: 3, maxRetryTimeInSecs: 2 },
    ...(username !== undefined && password !== undefined ? { auth: { username, password } } : {}),
  });
}
