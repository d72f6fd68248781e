/**
 * The end-of-stream control message of a finite replay. Windows fire only when
 * the watermark passes them, so the last windows of a replay would wait
 * forever for rows that never come; this message says "this partition is
 * finished" (Flink's MAX_WATERMARK at the end of a bounded source).
 *
 * Wire form: one message per partition, header `driftwatch-control:
 * end-of-stream`, no key, an empty value. A message is a control message by
 * its header alone, so a codec never sees it and it is never a dead letter.
 * The processor treats it as the partition's end: a features partition stops
 * holding the watermark back, a targets partition stops holding features
 * back; once every partition of both topics has ended it fires every window.
 */
import type { Admin, IHeaders, Producer } from 'kafkajs';

export const CONTROL_HEADER = 'driftwatch-control';
export const END_OF_STREAM = 'end-of-stream';

/**
 * Appends an end-of-stream message to each partition of `topic` (all of them
 * when `partitions` is a count). Await it after the replay's last send: on an
 * idempotent producer with one request in flight it lands after every row.
 */
export async function sendEndOfStream(producer: Producer, topic: string, partitions: number | readonly number[]): Promise<void> {
  const list = typeof partitions === 'number' ? Array.from({ length: partitions }, (_, p) => p) : partitions;
  if (list.length === 0) throw new Error(`end of stream for ${topic}: no partitions given`);
  await producer.send({
    topic,
    acks: -1,
    messages: list.map((partition) => ({ partition, key: null, value: Buffer.alloc(0), headers: { [CONTROL_HEADER]: END_OF_STREAM } })),
  });
}

/** sendEndOfStream to every partition of each topic (partition counts from the broker's metadata). */
export async function sendEndOfStreamToTopics(producer: Producer, admin: Admin, topics: readonly string[]): Promise<void> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
  for (const topic of metadata) await sendEndOfStream(producer, topic.name, topic.partitions.map((p) => p.partitionId));
}

/** The control message's kind, or null for an ordinary record. */
export function controlKind(headers: IHeaders | undefined): string | null {
  const raw = headers?.[CONTROL_HEADER];
  if (raw === undefined || raw === null) return null;
  const value = Array.isArray(raw) ? raw[0] : raw;
  return value === undefined ? null : value.toString();
}

export function isEndOfStream(message: { readonly headers?: IHeaders }): boolean {
  return controlKind(message.headers) === END_OF_STREAM;
}
