/**
 * How the single-run streaming tests (bad input, fault rounds, outages)
 * start: a fresh sample, `driftwatch run`'s tables in one schema as the
 * baseline, an empty schema for the streamed path's sink, and fresh topics.
 * A failure part-way cleans up what was made, so the caller's `after` only
 * has to handle a complete start.
 */
import { rm } from 'node:fs/promises';
import type { Admin, Kafka } from 'kafkajs';
import type { TopicNames } from '../../../producer/kafka/topics.js';
import { openTestDatabase, type TestDatabase } from '../postgres-test-db.js';
import { uniqueTopicPrefix } from './kafka.js';
import * as harness from './pipeline-harness.js';

export interface StreamTestStart {
  readonly sample: harness.Sample;
  readonly database: TestDatabase;
  /** The schema `driftwatch run` filled: what the streamed path must equal. */
  readonly runUrl: string;
  /** An empty schema for the streamed path's sink. */
  readonly streamUrl: string;
  readonly admin: Admin;
  readonly prefix: string;
  readonly topics: TopicNames;
  /** Milliseconds to prepare the sample and run the baseline. */
  readonly prepareMs: number;
}

/**
 * `alongside` runs during the baseline (e.g. a private server starting); the
 * Kafka client is asked for after both, so it may come from that server.
 */
export async function startStreamTest(name: string, kafka: () => Kafka, alongside?: Promise<unknown>): Promise<StreamTestStart> {
  alongside?.catch(() => undefined); // its failure is reported by Promise.all below, not as an unhandled rejection
  const started = Date.now();
  let sample: harness.Sample | undefined;
  let database: TestDatabase | undefined;
  let admin: Admin | undefined;
  try {
    sample = await harness.prepareSample(name);
    database = await openTestDatabase();
    const runUrl = await database.newSchemaUrl();
    const streamUrl = await database.newSchemaUrl();
    await Promise.all([harness.runBaseline(sample, runUrl), alongside]);
    const prepareMs = Date.now() - started;
    admin = kafka().admin();
    await admin.connect();
    const prefix = uniqueTopicPrefix(name);
    const topics = await harness.createTopics(admin, prefix);
    return { sample, database, runUrl, streamUrl, admin, prefix, topics, prepareMs };
  } catch (error) {
    await admin?.disconnect().catch(() => undefined);
    await database?.close().catch(() => undefined);
    if (sample) await rm(sample.dir, { recursive: true, force: true });
    throw error;
  }
}
