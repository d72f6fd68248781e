/**
 * Watermark strategy: bounded out-of-orderness per source partition, combined
 * by minimum, with idleness (Flink: WatermarkStrategy.forBoundedOutOfOrderness
 * + withIdleness, combined as in WatermarkOutputMultiplexer).
 *
 * Convention: a watermark W asserts that rows with event time < W are no
 * longer expected. A partition's watermark is (max event time seen − max
 * out-of-orderness); a window [start, end) is complete once W ≥ end. This W is
 * Flink's watermark + 1 (Flink subtracts 1 ms and fires at end − 1), so the
 * firing and lateness points are the same instants as Flink's.
 *
 * Processing time (`now`, epoch ms) is always passed in; nothing here reads a
 * clock, so tests and replays are deterministic.
 */

export interface WatermarkStrategyConfig {
  /** How far behind the latest event time a row may arrive and still be on time (ms). */
  readonly maxOutOfOrderness: number;
  /** A partition without rows for longer than this (processing time, ms) stops holding the watermark back. */
  readonly idleTimeout: number;
}

interface PartitionState {
  maxEventTime: number;
  /** Processing time of the last batch with rows, or of registration. */
  lastActivity: number;
}

export class PartitionWatermarks {
  private readonly partitions = new Map<number, PartitionState>();
  private watermark = -Infinity;

  constructor(private readonly config: WatermarkStrategyConfig) {}

  /**
   * An assigned partition that has not sent rows yet holds the watermark at −∞
   * until it goes idle: otherwise its first rows could all arrive late.
   */
  register(partition: number, now: number): void {
    if (!this.partitions.has(partition)) this.partitions.set(partition, { maxEventTime: -Infinity, lastActivity: now });
  }

  /** A revoked partition no longer holds the watermark back. */
  remove(partition: number): void {
    this.partitions.delete(partition);
  }

  /** Rows arrived on `partition` whose largest event time is `maxEventTime`. */
  observe(partition: number, maxEventTime: number, now: number): void {
    const state = this.partitions.get(partition);
    if (!state) {
      this.partitions.set(partition, { maxEventTime, lastActivity: now });
      return;
    }
    if (maxEventTime > state.maxEventTime) state.maxEventTime = maxEventTime;
    if (now > state.lastActivity) state.lastActivity = now;
  }

  partitionWatermark(partition: number): number {
    const state = this.partitions.get(partition);
    return state ? state.maxEventTime - this.config.maxOutOfOrderness : -Infinity;
  }

  /** Idle means no rows for strictly longer than the idle timeout. */
  isIdle(partition: number, now: number): boolean {
    const state = this.partitions.get(partition);
    return !state || now - state.lastActivity > this.config.idleTimeout;
  }

  /**
   * Recomputes the overall watermark at processing time `now`: the minimum over
   * active partitions. When every partition is idle (or none is known) the
   * watermark holds where it was, as Flink does: an idle source says nothing
   * about time. It never goes backwards, even when an idle partition wakes up
   * behind the others (its rows are then late, and handled as such).
   */
  advance(now: number): number {
    let lowest = Infinity;
    let anyActive = false;
    for (const partition of this.partitions.keys()) {
      if (this.isIdle(partition, now)) continue;
      anyActive = true;
      const candidate = this.partitionWatermark(partition);
      if (candidate < lowest) lowest = candidate;
    }
    if (anyActive && lowest > this.watermark) this.watermark = lowest;
    return this.watermark;
  }

  /** End of a bounded input: every window is complete (Flink's MAX_WATERMARK). */
  finish(): number {
    this.watermark = Infinity;
    return this.watermark;
  }

  current(): number {
    return this.watermark;
  }
}
