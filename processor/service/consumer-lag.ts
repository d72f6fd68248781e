/**
 * Consumer lag per source partition: the log's high watermark minus this
 * consumer's position. Positions come from the batches handled; high
 * watermarks from each batch and from a periodic admin poll (a partition
 * with nothing new yields no batches, yet its lag must read 0, and
 * LabelProgress needs to know it is caught up). Before a partition's first
 * batch its position is the group's committed offset (or the log start).
 *
 * "Caught up" is only as good as the high watermark it was judged against: a
 * batch's own high watermark is as old as its fetch, and a backlog can build
 * up right after it. So caughtUpSince asks for a high watermark read by a
 * poll that started after a given moment (e.g. after the features in
 * question were fetched): every message written before them is below it.
 */
import type { Admin } from 'kafkajs';

type Offsets = Map<string, Map<number, number>>;

export class ConsumerLag {
  private readonly position: Offsets = new Map();
  private readonly high: Offsets = new Map();
  private readonly fromBatches: Offsets = new Map();
  /** When the poll that read each high watermark started. */
  private readonly polledAt: Offsets = new Map();

  /** After a batch of `topic`/`partition`: next offset to read, and the high watermark the fetch reported. */
  consumed(topic: string, partition: number, nextOffset: number, highWatermark: number): void {
    setMax(this.fromBatches, topic, partition, nextOffset);
    setMax(this.position, topic, partition, nextOffset);
    setMax(this.high, topic, partition, highWatermark);
  }

  /** Reads the high watermarks (and, for partitions not read yet, the committed offsets) from the broker. */
  async poll(admin: Admin, groupId: string, topics: readonly string[]): Promise<void> {
    const startedAt = Date.now();
    const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const group = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const { partition, high, low } of offsets) {
        this.high.get(topic)?.delete(partition); // the broker's word replaces what old batches said
        setMax(this.high, topic, partition, Number(high));
        setMax(this.polledAt, topic, partition, startedAt);
        if (this.fromBatches.get(topic)?.has(partition)) continue;
        const mine = Number(group.find((g) => g.partition === partition)?.offset ?? -1);
        this.position.get(topic)?.delete(partition);
        setMax(this.position, topic, partition, mine >= 0 ? mine : Number(low));
      }
    }
  }

  /** Messages left to read; undefined while unknown. */
  lag(topic: string, partition: number): number | undefined {
    const high = this.high.get(topic)?.get(partition);
    const position = this.position.get(topic)?.get(partition);
    return high === undefined || position === undefined ? undefined : Math.max(0, high - position);
  }

  /** Nothing left to read, judged by a poll that started at or after `since` (epoch ms). */
  caughtUpSince(topic: string, partition: number, since: number): boolean {
    return this.lag(topic, partition) === 0 && (this.polledAt.get(topic)?.get(partition) ?? -Infinity) >= since;
  }

  /** Every known (topic, partition, lag), for the gauges. */
  *entries(): Generator<{ topic: string; partition: number; lag: number }> {
    for (const [topic, partitions] of this.high) {
      for (const partition of partitions.keys()) {
        const lag = this.lag(topic, partition);
        if (lag !== undefined) yield { topic, partition, lag };
      }
    }
  }
}

function setMax(offsets: Offsets, topic: string, partition: number, value: number): void {
  let byPartition = offsets.get(topic);
  if (!byPartition) offsets.set(topic, (byPartition = new Map()));
  if (value > (byPartition.get(partition) ?? -Infinity)) byPartition.set(partition, value);
}
