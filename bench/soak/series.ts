/** The soak's samples and the flatness verdict: pure functions, plus the one Kafka read (group lag). */
import type { Admin } from 'kafkajs';

export interface SoakSample {
  readonly seconds: number;
  readonly rows: number;
  readonly processorRssMb: number;
  readonly sinkRssMb: number;
  /** Messages of features + targets the processor has not consumed. */
  readonly processorLag: number;
  /** Messages of window-metrics + predictions the sink has not committed. */
  readonly sinkLag: number;
  /** Window revisions published in the interval (first fires and re-fires). */
  readonly windowsClosed: number;
  /** Mean window-close latency over the interval; NaN when no window closed. */
  readonly closeLatencyMs: number;
}

export interface Flatness {
  readonly series: string;
  readonly first: number;
  readonly last: number;
  readonly limit: number;
  readonly flat: boolean;
}

/**
 * Flat when the median of the last third of `values` stays within
 * first-third median × (1 + tolerance) + slack. Medians, because a lag
 * sampled at an instant is bursty (a window's predictions land in the sink
 * as one burst) while a leak or a backlog moves the whole third. Non-finite
 * values (no window closed in an interval) are left out. Only growth counts:
 * a series that falls is flat.
 */
export function flatness(series: string, values: readonly number[], tolerance: number, slack: number): Flatness {
  const finite = values.filter(Number.isFinite);
  const third = Math.max(1, Math.floor(finite.length / 3));
  const first = median(finite.slice(0, third));
  const last = median(finite.slice(-third));
  const limit = first * (1 + tolerance) + slack;
  return { series, first, last, limit, flat: finite.length > 0 && last <= limit };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Sum of every sample of a metric in a Prometheus text exposition. */
export function sumOf(text: string, name: string): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (match && match[1] === name) sum += Number(match[3]);
  }
  return sum;
}

/** High watermark minus committed offset, summed over every partition of `topics`. */
export async function groupLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<number> {
  const committed = await admin.fetchOffsets({ groupId, topics: [...topics] });
  let lag = 0;
  for (const topic of topics) {
    const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const { partition, high, low } of await admin.fetchTopicOffsets(topic)) {
      const offset = Number(mine.find((m) => m.partition === partition)?.offset ?? -1);
      lag += Number(high) - (offset >= 0 ? offset : Number(low));
    }
  }
  return lag;
}
