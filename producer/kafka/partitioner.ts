/**
 * The Java client's default partitioner (murmur2 of the key, positive, modulo
 * the partition count; round robin over available partitions without a key),
 * as kafkajs' `Partitioners.DefaultPartitioner` — so a key lands on the same
 * partition from every client — but computed on 32-bit integers.
 *
 * kafkajs emulates the 64-bit Java arithmetic with a Long object per
 * operation (kafkajs/src/producer/partitioners/default/murmur2.js), which
 * made murmur2 8 % of the processor's CPU time when it publishes a prediction
 * per row (bench/kafka). Only the low 32 bits ever reach the result, and
 * those follow from 32-bit multiplies (Math.imul) and shifts alone.
 *
 * Reference: org.apache.kafka.common.utils.Utils.murmur2 (Kafka 0.10.2+);
 * the test vectors of its UtilsTest are checked in tests/unit/partitioner.test.ts.
 */
import { randomBytes } from 'node:crypto';
import type { ICustomPartitioner } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** Kafka's murmur2 of `data`, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const blocks = length >>> 2;
  for (let i = 0; i < blocks; i++) {
    const at = i << 2;
    let k = data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const tail = length & ~3;
  switch (length & 3) {
    case 3:
      h ^= data[tail + 2]! << 16;
    // falls through
    case 2:
      h ^= data[tail + 1]! << 8;
    // falls through
    case 1:
      h ^= data[tail]!;
      h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

const toPositive = (x: number): number => x & 0x7fffffff;

/** A kafkajs `createPartitioner` equivalent to Partitioners.DefaultPartitioner. */
export const javaCompatiblePartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const { key } = message;
    if (key !== null && key !== undefined) {
      const bytes = Buffer.isBuffer(key) ? key : Buffer.from(String(key));
      return toPositive(murmur2(bytes)) % partitionMetadata.length;
    }
    let counter = counters.get(topic) ?? randomBytes(4).readUInt32BE(0);
    counters.set(topic, ++counter);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return available[toPositive(counter) % available.length]!.partitionId;
    return toPositive(counter) % partitionMetadata.length;
  };
};
