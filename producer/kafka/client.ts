/**
 * The one place a kafkajs client is built. Addresses and secrets come from the
 * environment (never from the config file, never into logs):
 *
 * - KAFKA_BROKERS: comma-separated host:port list (default 127.0.0.1:19092,
 *   the broker of scripts/kafka-local.sh);
 * - KAFKA_CLIENT_ID (default "driftwatch");
 * - KAFKA_SASL_MECHANISM (plain | scram-sha-256 | scram-sha-512) with
 *   KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD;
 * - KAFKA_SSL=true, optionally KAFKA_SSL_CA_FILE, KAFKA_SSL_CERT_FILE,
 *   KAFKA_SSL_KEY_FILE (PEM paths) and KAFKA_SSL_REJECT_UNAUTHORIZED=false.
 *
 * kafkajs logs go to pino through kafkaLogCreator (see kafka-log.ts).
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Kafka, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { UsageError } from '../../cli/errors.js';
import { readSecret } from '../../cli/secrets.js';
import { kafkaLogCreator, kafkaLogLevelOf } from './kafka-log.js';
import { javaCompatiblePartitioner } from './partitioner.js';

export const DEFAULT_BROKERS = '127.0.0.1:19092';
export const DEFAULT_CLIENT_ID = 'driftwatch';

const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
type SaslMechanism = (typeof SASL_MECHANISMS)[number];

export interface KafkaSettings {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly sasl?: { readonly mechanism: SaslMechanism; readonly username: string; readonly password: string };
  readonly ssl?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string; readonly rejectUnauthorized: boolean };
  /** Milliseconds to wait for a TCP connection to a broker. */
  readonly connectionTimeout: number;
  /** Retries of a failed request (kafkajs' exponential backoff). */
  readonly retries: number;
}

/** Settings from the environment; `overrides` (command-line flags) win. */
export function kafkaSettingsFromEnv(env: NodeJS.ProcessEnv = process.env, overrides: { brokers?: string; clientId?: string } = {}): KafkaSettings {
  const brokers = parseBrokers(overrides.brokers ?? env.KAFKA_BROKERS ?? DEFAULT_BROKERS);
  return {
    brokers,
    clientId: overrides.clientId ?? env.KAFKA_CLIENT_ID ?? DEFAULT_CLIENT_ID,
    ...saslFromEnv(env),
    ...sslFromEnv(env),
    connectionTimeout: 3000,
    retries: 5,
  };
}

export function parseBrokers(text: string): string[] {
  const brokers = text.split(',').map((b) => b.trim()).filter(Boolean);
  if (brokers.length === 0) throw new UsageError('KAFKA_BROKERS is empty (expected host:port[,host:port…])');
  for (const broker of brokers) {
    if (!/^[^\s:]+:\d{1,5}$/.test(broker) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(broker)) {
      throw new UsageError(`Kafka broker "${broker}" is not host:port (KAFKA_BROKERS=${text})`);
    }
  }
  return brokers;
}

function saslFromEnv(env: NodeJS.ProcessEnv): Pick<KafkaSettings, 'sasl'> {
  const raw = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  if (!raw) return {};
  if (!(SASL_MECHANISMS as readonly string[]).includes(raw)) {
    throw new UsageError(`KAFKA_SASL_MECHANISM "${raw}" is not supported (use ${SASL_MECHANISMS.join(', ')})`);
  }
  const username = env.KAFKA_SASL_USERNAME;
  const password = readSecret(env, 'KAFKA_SASL_PASSWORD');
  if (!username || !password) {
    throw new UsageError(`KAFKA_SASL_MECHANISM=${raw} needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or KAFKA_SASL_PASSWORD_FILE)`);
  }
  return { sasl: { mechanism: raw as SaslMechanism, username, password } };
}

function sslFromEnv(env: NodeJS.ProcessEnv): Pick<KafkaSettings, 'ssl'> {
  const enabled = (env.KAFKA_SSL ?? '').trim().toLowerCase();
  if (enabled !== 'true' && enabled !== '1') return {};
  return {
    ssl: {
      caFile: env.KAFKA_SSL_CA_FILE || undefined,
      certFile: env.KAFKA_SSL_CERT_FILE || undefined,
      keyFile: env.KAFKA_SSL_KEY_FILE || undefined,
      rejectUnauthorized: (env.KAFKA_SSL_REJECT_UNAUTHORIZED ?? 'true').trim().toLowerCase() !== 'false',
    },
  };
}

/** The kafkajs config for these settings (reads the SSL PEM files). */
export function kafkaConfig(settings: KafkaSettings, logger: Logger): KafkaConfig {
  return {
    brokers: [...settings.brokers],
    clientId: settings.clientId,
    connectionTimeout: settings.connectionTimeout,
    retry: { retries: settings.retries, initialRetryTime: 200, maxRetryTime: 5000 },
    logLevel: kafkaLogLevelOf(logger),
    logCreator: kafkaLogCreator(logger),
    ...(settings.sasl ? { sasl: settings.sasl as SASLOptions } : {}),
    ...(settings.ssl ? { ssl: tlsOptions(settings.ssl) } : {}),
  };
}

export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  return new Kafka(kafkaConfig(settings, logger));
}

/** The Java client's murmur2 partitioner: the same key lands on the same partition in every client (partitioner.ts). */
export const keyPartitioner = javaCompatiblePartitioner;

/** Where we connect, for error messages (no credentials). */
export function describeBrokers(settings: KafkaSettings): string {
  return `${settings.brokers.join(',')}${settings.sasl ? ` (SASL ${settings.sasl.mechanism})` : ''}${settings.ssl ? ' (TLS)' : ''}`;
}

function tlsOptions(ssl: NonNullable<KafkaSettings['ssl']>): ConnectionOptions {
  const read = (path: string | undefined, variable: string) => {
    if (!path) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      throw new UsageError(`${variable}: cannot read ${path}: ${(error as Error).message}`);
    }
  };
  const ca = read(ssl.caFile, 'KAFKA_SSL_CA_FILE');
  const cert = read(ssl.certFile, 'KAFKA_SSL_CERT_FILE');
  const key = read(ssl.keyFile, 'KAFKA_SSL_KEY_FILE');
  return {
    rejectUnauthorized: ssl.rejectUnauthorized,
    ...(ca !== undefined ? { ca: [ca] } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
  };
}
