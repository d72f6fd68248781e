/**
 * A real Kafka for integration tests: KAFKA_BROKERS when set, else the local
 * broker of scripts/kafka-local.sh (127.0.0.1:19092). Nothing is faked.
 *
 * No broker answering is a failure in CI (process.env.CI): the tests say so
 * and fail, never silently skip. Outside CI they are skipped with the reason,
 * so a quick local `npm test` does not need Kafka running.
 *
 * Every test run gets its own topic prefix, and topics are deleted at the end.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { describe, test } from 'node:test';
import type { Admin, Kafka } from 'kafkajs';
import { pino } from 'pino';
import { createKafka, DEFAULT_BROKERS, kafkaSettingsFromEnv, type KafkaSettings } from '../../../producer/kafka/client.js';

export interface TestBroker {
  readonly settings: KafkaSettings;
  readonly kafka: Kafka;
}

/** The broker, or why there is none: `skip` outside CI, `fail` in CI. */
export type TestBrokerLookup = { broker: TestBroker } | { skip: string } | { fail: string };

export async function findTestBroker(): Promise<TestBrokerLookup> {
  const settings = kafkaSettingsFromEnv();
  const source = process.env.KAFKA_BROKERS ? `KAFKA_BROKERS=${process.env.KAFKA_BROKERS}` : `${DEFAULT_BROKERS} (KAFKA_BROKERS unset)`;
  const answering = await Promise.all(settings.brokers.map((address) => answers(address, 2000)));
  if (!answering.some(Boolean)) {
    const reason = `no Kafka broker answers at ${source}; start one with \`npm run kafka:start\``;
    return process.env.CI ? { fail: `${reason} — CI must run the Kafka tests against a real broker` } : { skip: reason };
  }
  return { broker: { settings, kafka: createKafka(settings, testLogger()) } };
}

/**
 * A describe() block that runs against the broker. Without one it is one
 * skipped test carrying the reason (so the run's "N skipped" shows it) — and
 * in CI one failing test naming what is missing.
 */
export async function describeWithBroker(name: string, body: (broker: () => TestBroker) => void): Promise<void> {
  const lookup = await findTestBroker();
  if ('broker' in lookup) describe(name, () => body(() => lookup.broker));
  else if ('fail' in lookup) test(`${name}: a Kafka broker`, () => assert.fail(lookup.fail));
  else test(name, { skip: lookup.skip }, () => {});
}

/** kafkajs' own errors only (a test that expects a failure still sees it in the assertion). */
export function testLogger() {
  return pino({ level: process.env.LOG_LEVEL ?? 'silent' });
}

function answers(address: string, timeoutMs: number): Promise<boolean> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(address.slice(at + 1));
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A topic prefix no other run uses: dwtest-<time>-<random>. */
export function uniqueTopicPrefix(label: string): string {
  return `dwtest-${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/** Deletes the run's topics, checking they are gone (a deletion can time out on a busy broker). */
export async function deleteTopicsWithPrefix(admin: Admin, prefix: string): Promise<void> {
  const ours = async () => (await admin.listTopics()).filter((t) => t.startsWith(`${prefix}.`) || t === prefix);
  for (let attempt = 1; ; attempt++) {
    const topics = await ours();
    if (topics.length === 0) return;
    try {
      await admin.deleteTopics({ topics, timeout: 10_000 });
    } catch (error) {
      if (attempt >= 3) throw new Error(`could not delete test topics ${topics.join(', ')}: ${(error as Error).message}`);
    }
    if (attempt >= 3 && (await ours()).length > 0) throw new Error(`test topics still present after deletion: ${(await ours()).join(', ')}`);
  }
}

export interface ConsumedMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  /** The record's CreateTime (epoch ms), set by the producer when it built the request. */
  readonly timestamp: number;
}

/**
 * Reads `topics` from the beginning with a plain kafkajs consumer (its own
 * group) until `expected` messages have arrived per topic, then waits
 * `settleMs` more to catch any extra (duplicate) message. Fails after
 * `timeoutMs` with the counts seen so far.
 */
export async function consumeAll(
  kafka: Kafka,
  expected: Readonly<Record<string, number>>,
  options: { timeoutMs?: number; settleMs?: number } = {},
): Promise<ConsumedMessage[]> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const settleMs = options.settleMs ?? 500;
  const topics = Object.keys(expected);
  const consumer = kafka.consumer({ groupId: `dwtest-reader-${randomBytes(6).toString('hex')}`, maxWaitTimeInMs: 100 });
  const messages: ConsumedMessage[] = [];
  const counts = new Map(topics.map((t) => [t, 0]));
  const complete = () => topics.every((t) => counts.get(t)! >= expected[t]!);
  try {
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        messages.push({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString('utf8') ?? null,
          value: message.value,
          timestamp: Number(message.timestamp),
        });
        counts.set(topic, counts.get(topic)! + 1);
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (!complete()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out after ${timeoutMs} ms waiting for messages: ${topics.map((t) => `${t} ${counts.get(t)}/${expected[t]}`).join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Messages of one topic in log order: by partition, then offset. */
export function inLogOrder(messages: readonly ConsumedMessage[], topic: string): ConsumedMessage[] {
  return messages
    .filter((m) => m.topic === topic)
    .sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}
