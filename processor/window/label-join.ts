/**
 * Ground truth joined to rows by row id (DESIGN core idea 5).
 *
 * A label meets its row in one of two orders:
 * - row first (the usual case): the label is written straight into the row's
 *   window accumulator; if that window already fired it re-fires as an update;
 * - label first: the label waits here, in `PendingLabels`, and is joined when
 *   its row arrives (even into a window already final for labels: the row is
 *   new there, and re-fires the window as a late row anyway).
 *
 * Event-time bounds (W is the watermark):
 * - a window is final for labels once W ≥ windowEnd + labelTimeout; labels
 *   for its rows after that are ignored and counted;
 * - a waiting label whose row never comes is orphaned (and reported) once
 *   W ≥ its expiry: with the row's event time known, the end of the row's window
 *   plus the allowed lateness (after that its row would be dropped as late);
 *   otherwise the watermark at the label's arrival plus the label timeout.
 *   A cap on waiting labels bounds memory: beyond it the oldest is orphaned.
 */

export type TargetValue = number | string;

export interface PendingLabel {
  readonly rowId: string;
  readonly target: TargetValue;
  /** Source partition and offset of the label record; offset NaN when unknown. */
  readonly partition: number;
  readonly offset: number;
  /** Event time from which the label is orphaned; NaN until the watermark is finite. */
  expiresAt: number;
}

/** Labels given up on, for the caller to report (log, dead-letter topic). */
export interface OrphanedLabels {
  readonly rowIds: string[];
  readonly targets: TargetValue[];
}

export function isLabelFinal(windowEnd: number, labelTimeout: number, watermark: number): boolean {
  return watermark >= windowEnd + labelTimeout;
}

/**
 * When a label waiting for its row gives up. `rowWindowEnd` is the end of the
 * row's window when the label carries the row's event time, else undefined.
 */
export function pendingLabelExpiry(
  rowWindowEnd: number | undefined,
  watermarkAtArrival: number,
  bounds: { readonly allowedLateness: number; readonly labelTimeout: number },
): number {
  if (rowWindowEnd !== undefined) return rowWindowEnd + bounds.allowedLateness;
  return Number.isFinite(watermarkAtArrival) ? watermarkAtArrival + bounds.labelTimeout : NaN;
}

export class PendingLabels {
  /** Insertion-ordered, so the first entry is the oldest. */
  private readonly waiting = new Map<string, PendingLabel>();

  constructor(private readonly maxPending: number) {
    if (!(maxPending >= 1)) throw new Error(`maxPendingLabels must be at least 1, got ${maxPending}`);
  }

  get size(): number {
    return this.waiting.size;
  }

  has(rowId: string): boolean {
    return this.waiting.has(rowId);
  }

  /**
   * Keeps a label until its row comes. A second label for the same row id is
   * ignored (first wins) and 'duplicate' returned. When the cap is reached the
   * oldest waiting label is evicted and returned as the orphan.
   */
  add(label: PendingLabel): { outcome: 'pending' | 'duplicate'; evicted?: PendingLabel } {
    if (this.waiting.has(label.rowId)) return { outcome: 'duplicate' };
    let evicted: PendingLabel | undefined;
    if (this.waiting.size >= this.maxPending) {
      const oldest = this.waiting.keys().next().value as string;
      evicted = this.waiting.get(oldest);
      this.waiting.delete(oldest);
    }
    this.waiting.set(label.rowId, label);
    return evicted ? { outcome: 'pending', evicted } : { outcome: 'pending' };
  }

  /** Removes and returns the label waiting for `rowId`, if any. */
  take(rowId: string): PendingLabel | undefined {
    const label = this.waiting.get(rowId);
    if (label) this.waiting.delete(rowId);
    return label;
  }

  /**
   * Removes and returns the labels that expire at watermark W. Labels that
   * arrived while W was still −∞ get their expiry now, counted from the first
   * finite watermark.
   */
  expire(watermark: number, labelTimeout: number): PendingLabel[] {
    const expired: PendingLabel[] = [];
    for (const label of this.waiting.values()) {
      if (Number.isNaN(label.expiresAt) && Number.isFinite(watermark)) label.expiresAt = watermark + labelTimeout;
      if (watermark >= label.expiresAt || watermark === Infinity) expired.push(label);
    }
    for (const label of expired) this.waiting.delete(label.rowId);
    return expired;
  }

  /** Lowest source offset of a waiting label, per partition. */
  lowestOffsets(): Map<number, number> {
    const lowest = new Map<number, number>();
    for (const label of this.waiting.values()) {
      if (Number.isNaN(label.offset)) continue;
      const current = lowest.get(label.partition);
      if (current === undefined || label.offset < current) lowest.set(label.partition, label.offset);
    }
    return lowest;
  }
}

export function toOrphanedLabels(labels: readonly PendingLabel[]): OrphanedLabels {
  return { rowIds: labels.map((label) => label.rowId), targets: labels.map((label) => label.target) };
}
