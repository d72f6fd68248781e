/**
 * Which offsets to commit, per partition of one source topic, after a batch
 * was published. Committing offset c says "every message below c is done".
 *
 * The window operator knows the messages it was given (safeCommitOffsets:
 * the lowest offset an open window still holds, or one past the highest it
 * saw). The service also handles messages the operator never sees: dead
 * letters and control messages. So per partition: when the operator still
 * holds something, its offset; otherwise everything handled so far.
 */

export class CommitTracker {
  /** One past the last message handled (fed, dead-lettered or a control message). */
  private readonly handledUpTo = new Map<number, number>();
  /** Highest offset given to the operator. */
  private readonly highestFed = new Map<number, number>();
  private readonly committed = new Map<number, number>();

  handled(partition: number, offset: number): void {
    if (offset + 1 > (this.handledUpTo.get(partition) ?? -Infinity)) this.handledUpTo.set(partition, offset + 1);
  }

  fed(partition: number, offset: number): void {
    if (offset > (this.highestFed.get(partition) ?? -Infinity)) this.highestFed.set(partition, offset);
  }

  /**
   * Offsets to commit now (only those that moved forward), given the
   * operator's safe offsets for this topic; `markCommitted` once done.
   */
  due(operatorSafe: ReadonlyMap<number, number>): Map<number, number> {
    const due = new Map<number, number>();
    for (const [partition, handled] of this.handledUpTo) {
      const operator = operatorSafe.get(partition);
      const highest = this.highestFed.get(partition);
      const holds = operator !== undefined && highest !== undefined && operator <= highest;
      const offset = holds ? operator : handled;
      if (offset > (this.committed.get(partition) ?? -Infinity)) due.set(partition, offset);
    }
    return due;
  }

  markCommitted(offsets: ReadonlyMap<number, number>): void {
    for (const [partition, offset] of offsets) this.committed.set(partition, offset);
  }
}
