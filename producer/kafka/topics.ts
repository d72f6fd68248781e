/**
 * Topic names and their creation. Every topic of one deployment shares a
 * prefix (`driftwatch.features`, `driftwatch.targets` …), so several
 * deployments — or test runs — can share a cluster without seeing each other.
 */
import type { Admin, ITopicMetadata } from 'kafkajs';
import { UsageError } from '../../cli/errors.js';

export const DEFAULT_TOPIC_PREFIX = 'driftwatch';

export const TOPIC_ROLES = ['features', 'targets', 'predictions', 'window-metrics', 'late', 'dlq'] as const;
export type TopicRole = (typeof TOPIC_ROLES)[number];
export type TopicNames = Readonly<Record<TopicRole, string>>;

/** Kafka's rule for topic names: 1–249 of [a-zA-Z0-9._-]. */
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

export function topicNames(prefix: string = DEFAULT_TOPIC_PREFIX, overrides: Partial<Record<TopicRole, string>> = {}): TopicNames {
  const names = Object.fromEntries(TOPIC_ROLES.map((role) => [role, overrides[role] ?? `${prefix}.${role}`])) as Record<TopicRole, string>;
  for (const role of TOPIC_ROLES) assertTopicName(names[role]);
  return names;
}

export function assertTopicName(name: string): void {
  if (!LEGAL_TOPIC.test(name) || name === '.' || name === '..') {
    throw new UsageError(`"${name}" is not a legal Kafka topic name (1–249 characters of a-z A-Z 0-9 . _ -)`);
  }
}

export interface EnsureTopicsResult {
  readonly created: string[];
  /** Topics that were there already, with their partition counts (which may differ from the one asked for). */
  readonly existing: { readonly topic: string; readonly partitions: number }[];
}

/**
 * Creates whichever of `names` do not exist yet, then waits until every
 * partition of all of them has a leader. Idempotent, and safe when another
 * process creates the same topics at the same moment (TOPIC_ALREADY_EXISTS
 * is success). Existing topics are left as they are.
 */
export async function ensureTopics(
  admin: Admin,
  names: readonly string[],
  partitions: number,
  replicationFactor: number,
  options: { timeoutMs?: number } = {},
): Promise<EnsureTopicsResult> {
  if (!Number.isInteger(partitions) || partitions < 1) throw new UsageError(`partitions must be a whole number ≥ 1, got ${partitions}`);
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1) {
    throw new UsageError(`replication factor must be a whole number ≥ 1, got ${replicationFactor}`);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  const wanted = [...new Set(names)];
  const present = new Set(await admin.listTopics());
  const missing = wanted.filter((name) => !present.has(name));
  const created: string[] = [];
  // One request per topic: kafkajs turns a partly-failed multi-topic request
  // (one topic raced into existence) into an error for the whole call.
  for (const topic of missing) {
    const didCreate = await admin.createTopics({
      topics: [{ topic, numPartitions: partitions, replicationFactor }],
      waitForLeaders: true,
      timeout: timeoutMs,
    });
    if (didCreate) created.push(topic);
  }
  const metadata = await waitForLeaders(admin, wanted, timeoutMs);
  const existing = metadata
    .filter((m) => !created.includes(m.name))
    .map((m) => ({ topic: m.name, partitions: m.partitions.length }));
  return { created, existing };
}

/** Topic metadata once every partition has a leader (a topic just created by someone else may not yet). */
async function waitForLeaders(admin: Admin, topics: readonly string[], timeoutMs: number): Promise<ITopicMetadata[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let metadata: ITopicMetadata[] | null = null;
    try {
      metadata = (await admin.fetchTopicMetadata({ topics: [...topics] })).topics;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    if (metadata && metadata.every((m) => m.partitions.length > 0 && m.partitions.every((p) => p.leader >= 0))) return metadata;
    if (Date.now() >= deadline) {
      throw new Error(`topics ${topics.join(', ')} have partitions without a leader after ${timeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
