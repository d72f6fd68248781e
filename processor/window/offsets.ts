/**
 * Source offsets still needed, per partition, so the Kafka processor commits
 * only what is safe (DESIGN core idea 4): committing offset c says every
 * record below c is done. A record is done once the window holding it is
 * purged (final), or it was handed back to the caller (late, invalid,
 * orphaned) — the caller must publish those before committing.
 */

/** partition → lowest offset; NaN offsets (unknown) are ignored. */
export function noteLowest(lowest: Map<number, number>, partition: number, offset: number): void {
  if (Number.isNaN(offset)) return;
  const current = lowest.get(partition);
  if (current === undefined || offset < current) lowest.set(partition, offset);
}

/** The lowest of `offsets` at the given row indices, NaN when there is none. */
export function lowestAt(offsets: ArrayLike<number>, rows: ArrayLike<number>): number {
  let lowest = Infinity;
  for (let k = 0; k < rows.length; k++) {
    const offset = offsets[rows[k]!]!;
    if (offset < lowest) lowest = offset; // NaN compares false: skipped
  }
  return lowest === Infinity ? NaN : lowest;
}

/** Tracks, per partition, the highest offset seen and what is still held. */
export class OffsetLedger {
  private readonly highest = new Map<number, number>();

  see(partition: number, offset: number): void {
    if (Number.isNaN(offset)) return;
    const current = this.highest.get(partition);
    if (current === undefined || offset > current) this.highest.set(partition, offset);
  }

  /**
   * Offset to commit per partition (the next offset to read): the lowest one
   * still held, or one past the highest seen when nothing is held.
   */
  safeCommits(held: Iterable<ReadonlyMap<number, number>>): Map<number, number> {
    const lowestHeld = new Map<number, number>();
    for (const map of held) for (const [partition, offset] of map) noteLowest(lowestHeld, partition, offset);
    const commits = new Map<number, number>();
    for (const [partition, highest] of this.highest) commits.set(partition, lowestHeld.get(partition) ?? highest + 1);
    return commits;
  }
}
