/**
 * Keeps the features stream from running ahead of the ground truth.
 *
 * The two topics are consumed independently; catching up on a backlog, a
 * fetch can hand over days of feature rows before the labels of those days.
 * The watermark would then pass `windowEnd + labelTimeout` before the labels
 * came, and they would be dropped — results that depend on fetch timing, and
 * differ from `driftwatch run` on the same data. So feature rows are released
 * to the pipeline only up to the event time the labels have reached (Flink's
 * watermark alignment across sources).
 *
 * The labels' clock is `label_time` (when a label was released, in event
 * time): a label for a row at t is on the targets topic next to features at
 * about t + labelDelay, so the targets' label time runs level with the
 * features' event time. Per targets partition it is the largest label time
 * seen; the bound is the minimum over partitions that can still hold labels
 * back. A partition stops holding features back when it has ended (end of
 * stream) or is caught up (nothing left to read: the labels for later rows do
 * not exist yet, so waiting would only stall monitoring).
 *
 * Why this keeps every label: while a label for row r (label time
 * e_r + delay) is unread, its partition's label time is below e_r + delay,
 * so the watermark stays below e_r + delay ≤ windowEnd_r + labelTimeout as
 * long as labelDelay ≤ labelTimeout — the condition `run` needs as well.
 */

export class LabelProgress {
  private readonly labelTime = new Map<number, number>();
  private readonly ended = new Set<number>();
  private assigned: readonly number[] = [];

  /** The targets partitions this instance reads. */
  assign(partitions: readonly number[]): void {
    this.assigned = [...partitions];
  }

  /** Labels up to `maxLabelTime` were read from `partition`. */
  observe(partition: number, maxLabelTime: number): void {
    if (!(maxLabelTime > (this.labelTime.get(partition) ?? -Infinity))) return;
    this.labelTime.set(partition, maxLabelTime);
  }

  end(partition: number): void {
    this.ended.add(partition);
  }

  hasEnded(partition: number): boolean {
    return this.ended.has(partition);
  }

  allEnded(): boolean {
    return this.assigned.every((p) => this.ended.has(p));
  }

  /**
   * Feature rows with event time ≤ this may go to the pipeline. `caughtUp`
   * says whether a partition has nothing left to read right now.
   */
  bound(caughtUp: (partition: number) => boolean): number {
    let bound = Infinity;
    for (const partition of this.assigned) {
      if (this.ended.has(partition) || caughtUp(partition)) continue;
      const time = this.labelTime.get(partition) ?? -Infinity;
      if (time < bound) bound = time;
    }
    return bound;
  }
}
