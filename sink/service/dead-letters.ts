/**
 * Messages the sink cannot store go to `<prefix>.dlq` unchanged (same key, value
 * and headers), with headers saying why and where they came from, so they can
 * be inspected and replayed. The send is awaited before the batch's offsets
 * are committed: a dead letter is never lost between the two topics.
 */
import type { IHeaders, KafkaMessage, Producer } from 'kafkajs';

export const DLQ_HEADERS = {
  reason: 'reason',
  service: 'dlq-service',
  topic: 'source-topic',
  partition: 'source-partition',
  offset: 'source-offset',
} as const;

export interface DeadLetter {
  readonly message: KafkaMessage;
  readonly reason: string;
}

export async function sendDeadLetters(
  producer: Producer, dlqTopic: string, source: { topic: string; partition: number }, letters: readonly DeadLetter[],
): Promise<void> {
  if (letters.length === 0) return;
  await producer.send({
    topic: dlqTopic,
    messages: letters.map(({ message, reason }) => ({
      key: message.key,
      value: message.value,
      headers: {
        ...(message.headers as IHeaders | undefined),
        [DLQ_HEADERS.reason]: reason,
        [DLQ_HEADERS.service]: 'sink',
        [DLQ_HEADERS.topic]: source.topic,
        [DLQ_HEADERS.partition]: String(source.partition),
        [DLQ_HEADERS.offset]: message.offset,
      },
    })),
  });
}
