/**
 * The merge step for one partition of `<prefix>.window-partials`: the
 * windows whose key hashes there, and every source partition's watermark as
 * seen on this partition. Pure state, no I/O: messages go in with their
 * offsets (`observe`), fired windows come out (`due`), and `heldOffset` says
 * how far the partition may be committed.
 *
 * Rules (DESIGN core ideas 2–4, over N source partitions):
 * - per (window, source partition) the most complete share is kept: most
 *   rows, then most labels — the order the sink's guard uses. A source
 *   re-deriving a window after a crash or a rebalance sends the same share
 *   again, or a more complete one; never less than what it re-read.
 * - the merged watermark is the minimum over the sources that are not idle
 *   of the highest watermark each reported (a source re-reading after a
 *   restart reports lower ones for a while: the highest holds). A source
 *   that has not reported yet holds it at −∞. It never goes backwards.
 * - a window fires once the merged watermark passes its end, then again each
 *   time its content grows (a share with more rows or labels); it is closed
 *   (fired a last time if it changed, then dropped) once the merged watermark
 *   passes end + max(label timeout, allowed lateness) — by then every source
 *   purged the window and sent its final share, which precedes on this
 *   partition the watermark that passed that point.
 * - a share for a window closed here, or for one never opened whose close
 *   point the merged watermark has passed, is a late share: dropped and
 *   counted (a source re-deriving a window the merge already closed).
 *
 * Only watermark messages are read in order across sources, which is why
 * each merge partition keeps its own view of the watermarks: a watermark
 * seen on another partition could overtake a share still unread here.
 */
import type { Frame } from '../frame.js';
import { ApproximateWindow, type ApproximateConfig } from '../window/approximate-window.js';
import type { SketchedColumn } from '../window/sketched-column.js';
import type { PartialHeader, PartialsMessage } from './partial-messages.js';

export interface MergeBounds {
  /** Source partitions (of the features topic) every window waits for. */
  readonly sourcePartitions: number;
  readonly labelTimeout: number;
  readonly allowedLateness: number;
}

export interface MergedFire {
  readonly model: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** 1 on this merge's first fire of the window. */
  readonly revision: number;
  /** Every source's rows, ordered by (event time, row id): the frame one instance would have fired. */
  readonly frame: Frame;
  /** Set when the merged window is approximate: its sketched columns, which `frame` then lacks. */
  readonly sketches?: ReadonlyMap<string, SketchedColumn>;
  readonly labelledRows: number;
  readonly duplicates: number;
  /** Rows grew since the last fire (else only labels did). */
  readonly rowsGrew: boolean;
  readonly labelsFinal: boolean;
  /** The window is closed: this is its last fire. */
  readonly final: boolean;
}

interface Share {
  readonly rows: number;
  readonly labelledRows: number;
  readonly offset: number;
  /** Decoded on first use. */
  value: Buffer | null;
  sketches: string | null;
  accumulator: ApproximateWindow | null;
}

interface OpenWindow {
  readonly model: string;
  readonly start: number;
  readonly end: number;
  readonly shares: Map<number, Share>;
  revision: number;
  firedRows: number;
  firedLabels: number;
}

export interface MergeCounters {
  latePartials: number;
  supersededPartials: number;
}

export class PartitionMerge {
  private readonly sources = new Map<number, { watermark: number; idle: boolean }>();
  private merged = -Infinity;
  private readonly windows = new Map<string, OpenWindow>();
  private readonly closed = new Set<string>();
  /** One past the last offset observed. */
  private nextOffset: number | null = null;
  readonly counters: MergeCounters = { latePartials: 0, supersededPartials: 0 };

  /** `approximate`: the processors' window.approximate, so merged windows switch where one instance's would. */
  constructor(private readonly bounds: MergeBounds, private readonly approximate?: ApproximateConfig) {
    if (!Number.isInteger(bounds.sourcePartitions) || bounds.sourcePartitions < 1) {
      throw new Error(`merge: source partitions must be a whole number ≥ 1, got ${bounds.sourcePartitions}`);
    }
  }

  get watermark(): number {
    return this.merged;
  }

  get openWindows(): number {
    return this.windows.size;
  }

  observe(offset: number, message: PartialsMessage): void {
    if (this.nextOffset === null || offset + 1 > this.nextOffset) this.nextOffset = offset + 1;
    if (message.kind === 'watermark') {
      const { sourcePartition, watermark, idle } = message.progress;
      const known = this.sources.get(sourcePartition);
      this.sources.set(sourcePartition, { watermark: Math.max(known?.watermark ?? -Infinity, watermark), idle });
      this.advance();
    } else if (message.kind === 'closed') {
      const key = keyOf(message.model, message.windowStart);
      this.windows.delete(key);
      this.closed.add(key);
    } else {
      this.addShare(offset, message.header, message.value, message.sketches);
    }
  }

  /**
   * Windows to fire now, in window order, and the windows closed (dropped
   * from the state; the caller publishes their `closed` markers with the
   * results).
   */
  due(): { fires: MergedFire[]; closed: { model: string; windowStart: number }[] } {
    const fires: MergedFire[] = [];
    const closed: { model: string; windowStart: number }[] = [];
    const { labelTimeout } = this.bounds;
    const ready = [...this.windows.values()].filter((w) => this.merged >= w.end).sort((a, b) => a.start - b.start);
    for (const window of ready) {
      const closing = this.merged >= window.end + this.closeDelay();
      let rows = 0;
      let labels = 0;
      for (const share of window.shares.values()) {
        rows += share.rows;
        labels += share.labelledRows;
      }
      if (rows !== window.firedRows || labels !== window.firedLabels) {
        const merged = mergeShares(window.shares, this.approximate);
        const sketches = merged.sketches;
        const rowsGrew = rows !== window.firedRows;
        window.revision++;
        window.firedRows = rows;
        window.firedLabels = labels;
        fires.push({
          model: window.model,
          windowStart: window.start,
          windowEnd: window.end,
          revision: window.revision,
          labelledRows: merged.labelledCount,
          duplicates: merged.duplicates,
          frame: merged.takeFrame(),
          ...(sketches ? { sketches } : {}),
          rowsGrew,
          labelsFinal: this.merged >= window.end + labelTimeout,
          final: closing,
        });
      }
      if (closing) {
        const key = keyOf(window.model, window.start);
        this.windows.delete(key);
        this.closed.add(key);
        closed.push({ model: window.model, windowStart: window.start });
      }
    }
    return { fires, closed };
  }

  /**
   * Offset to commit (the next to read): the lowest offset of a share an
   * open window still needs, else one past the last message observed.
   */
  heldOffset(): number | null {
    let lowest = Infinity;
    for (const window of this.windows.values()) for (const share of window.shares.values()) if (share.offset < lowest) lowest = share.offset;
    return lowest < Infinity ? lowest : this.nextOffset;
  }

  /** True once every source ended (+∞) and nothing is open here. */
  finished(): boolean {
    return this.merged === Infinity && this.windows.size === 0;
  }

  private closeDelay(): number {
    return Math.max(this.bounds.labelTimeout, this.bounds.allowedLateness);
  }

  private addShare(offset: number, header: PartialHeader, value: Buffer, sketches: string | null): void {
    const key = keyOf(header.model, header.windowStart);
    let window = this.windows.get(key);
    if (!window) {
      if (this.closed.has(key) || this.merged >= header.windowEnd + this.closeDelay()) {
        this.counters.latePartials++;
        return;
      }
      window = { model: header.model, start: header.windowStart, end: header.windowEnd, shares: new Map(), revision: 0, firedRows: 0, firedLabels: 0 };
      this.windows.set(key, window);
    }
    const current = window.shares.get(header.sourcePartition);
    const better = !current || header.rows > current.rows || (header.rows === current.rows && header.labelledRows > current.labelledRows);
    if (!better) {
      this.counters.supersededPartials++;
      return;
    }
    if (current) this.counters.supersededPartials++;
    window.shares.set(header.sourcePartition, { rows: header.rows, labelledRows: header.labelledRows, offset, value, sketches, accumulator: null });
  }

  private advance(): void {
    let lowest = Infinity;
    let anyActive = false;
    for (let source = 0; source < this.bounds.sourcePartitions; source++) {
      const state = this.sources.get(source);
      if (state?.idle) continue;
      anyActive = true;
      const watermark = state?.watermark ?? -Infinity;
      if (watermark < lowest) lowest = watermark;
    }
    if (anyActive && lowest > this.merged) this.merged = lowest;
  }
}

function keyOf(model: string, windowStart: number): string {
  return `${model}\u0000${windowStart}`;
}

/**
 * The shares folded together in source-partition order (the result does not
 * depend on it: rows are canonically ordered, sketches add bucket counts).
 */
function mergeShares(shares: ReadonlyMap<number, Share>, approximate: ApproximateConfig | undefined): ApproximateWindow {
  let merged: ApproximateWindow | null = null;
  for (const source of [...shares.keys()].sort((a, b) => a - b)) {
    const share = shares.get(source)!;
    if (!share.accumulator) {
      share.accumulator = ApproximateWindow.deserialize(share.value!.toString(), share.sketches, approximate);
      share.value = null;
      share.sketches = null;
    }
    merged ??= new ApproximateWindow(share.accumulator.schema, approximate);
    merged.merge(share.accumulator);
  }
  if (!merged) throw new Error('merge: a window without shares');
  return merged;
}
