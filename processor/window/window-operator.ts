/**
 * The event-time window operator: tumbling windows, watermarks over source
 * partitions, allowed lateness, and the ground-truth join (DESIGN core ideas
 * 2, 3, 5). No I/O and no clock: processing time comes in as `now`, results
 * go out as return values; the processor service does the publishing.
 *
 * Call pattern: `addRecords` / `addTargets` as batches arrive, and
 * `advanceWatermark(now)` periodically (Flink's periodic watermark emission:
 * the watermark moves only there, so whether a row is late depends on the
 * watermark of the last advance). `finish()` at the end of a bounded input.
 */
import type { Frame } from '../frame.js';
import { requireColumn, takeRows } from '../frame.js';
import { ApproximateWindow } from './approximate-window.js';
import { tumblingWindowStart } from './assigner.js';
import { resolveWindowConfig, type WindowConfig, type WindowConfigInput } from './config.js';
import {
  isLabelFinal,
  pendingLabelExpiry,
  PendingLabels,
  toOrphanedLabels,
  type OrphanedLabels,
  type PendingLabel,
  type TargetValue,
} from './label-join.js';
import type { SketchedColumn } from './sketched-column.js';
import { lowestAt, noteLowest, OffsetLedger } from './offsets.js';
import { routeRows } from './route.js';
import { decideWindow, type FireReason } from './trigger.js';
import { PartitionWatermarks } from './watermark.js';

export interface FireEvent {
  readonly windowStart: number;
  readonly windowEnd: number;
  /** 1 on the first fire; a re-fire replaces the result of the previous revision. */
  readonly revision: number;
  readonly reason: FireReason;
  /** The window's rows ordered by (event time, row id), with the target column (NaN / null where unlabelled). */
  readonly frame: Frame;
  /** Set when the window is approximate: its sketched columns, which `frame` then lacks. */
  readonly sketches?: ReadonlyMap<string, SketchedColumn>;
  readonly labelledRows: number;
  /** Rows dropped as repeated row ids. */
  readonly duplicates: number;
  /** No more label updates will follow. */
  readonly labelsFinal: boolean;
  /** The window is purged: this is its last revision. */
  readonly final: boolean;
}

export interface AddRecordsResult {
  /** Rows new to their window. */
  readonly accepted: number;
  /** Rows whose row id their window already had. */
  readonly duplicates: number;
  /** Rows beyond the allowed lateness, for the late topic; `lateRows` are their indices in the batch. */
  readonly late: Frame;
  readonly lateRows: Int32Array;
  /** Rows without an event time or row id, for the dead-letter topic. */
  readonly invalid: Frame;
  readonly invalidRows: Int32Array;
}

export interface AddTargetsResult {
  readonly joined: number;
  /** Waiting for rows not seen yet. */
  readonly pending: number;
  /** A label for a row that already had one (first wins). */
  readonly duplicates: number;
  /** For rows whose window is final for labels. */
  readonly afterTimeout: number;
  /** Missing row id or missing target. */
  readonly invalid: number;
}

export interface AdvanceResult {
  readonly watermark: number;
  /** In window order. */
  readonly fires: FireEvent[];
  /** Labels whose rows never came, given up in this step. */
  readonly orphanedLabels: OrphanedLabels;
}

export interface WindowOperatorStats {
  readonly watermark: number;
  readonly openWindows: number;
  readonly pendingLabels: number;
  readonly lateRows: number;
  readonly duplicateRows: number;
  readonly invalidRows: number;
  readonly orphanedLabels: number;
  readonly duplicateLabels: number;
  readonly labelsAfterTimeout: number;
}

interface WindowState {
  readonly start: number;
  readonly end: number;
  readonly accumulator: ApproximateWindow;
  revision: number;
  lateRowsSinceFire: boolean;
  labelsSinceFire: boolean;
  labelTimeoutHandled: boolean;
  /** Lowest source offset held, per partition, of rows and of joined labels. */
  readonly rowOffsets: Map<number, number>;
  readonly labelOffsets: Map<number, number>;
}

export class WindowOperator {
  readonly config: WindowConfig;
  private readonly watermarks: PartitionWatermarks;
  private readonly windows = new Map<number, WindowState>();
  private readonly pending: PendingLabels;
  private readonly rowLedger = new OffsetLedger();
  private readonly labelLedger = new OffsetLedger();
  private orphansSinceAdvance: PendingLabel[] = [];
  private readonly counters = {
    lateRows: 0, duplicateRows: 0, invalidRows: 0, orphanedLabels: 0, duplicateLabels: 0, labelsAfterTimeout: 0,
  };

  constructor(config: WindowConfigInput) {
    this.config = resolveWindowConfig(config);
    this.watermarks = new PartitionWatermarks(this.config);
    this.pending = new PendingLabels(this.config.maxPendingLabels);
  }

  get watermark(): number {
    return this.watermarks.current();
  }

  /** Partitions assigned to this instance hold the watermark back until they send rows or go idle. */
  assignPartitions(partitions: readonly number[], now: number): void {
    for (const partition of partitions) this.watermarks.register(partition, now);
  }

  revokePartitions(partitions: readonly number[]): void {
    for (const partition of partitions) this.watermarks.remove(partition);
  }

  /**
   * Routes a batch of rows from one source partition to their windows.
   * `offsets` (one per row) let `safeCommitOffsets` hold back commits.
   */
  addRecords(partition: number, frame: Frame, options: { now: number; offsets?: ArrayLike<number> }): AddRecordsResult {
    const { config } = this;
    const { offsets } = options;
    if (offsets && offsets.length !== frame.rowCount) {
      throw new Error(`partition ${partition}: ${offsets.length} offsets for ${frame.rowCount} rows`);
    }
    const eventTimes = requireColumn(frame, config.eventTimeColumn, `the batch from partition ${partition}`);
    const rowIds = requireColumn(frame, config.rowIdColumn, `the batch from partition ${partition}`);
    if (eventTimes.kind === 'string') throw new Error(`event time column "${config.eventTimeColumn}" is text; expected a timestamp or number`);
    if (rowIds.kind !== 'string') throw new Error(`row id column "${config.rowIdColumn}" is ${rowIds.kind}; expected text`);
    const watermark = this.watermark;
    const routing = routeRows(eventTimes.values, rowIds.values, { ...config, watermark });
    let accepted = 0;
    for (const { windowStart, rows } of routing.windows) {
      const window = this.windowAt(windowStart);
      const added = window.accumulator.add(frame, rows);
      accepted += added;
      if (added > 0 && watermark >= window.end) window.lateRowsSinceFire = true;
      if (offsets) noteLowest(window.rowOffsets, partition, lowestAt(offsets, rows));
      if (this.pending.size > 0) this.joinWaitingLabels(window, rowIds.values, rows);
    }
    if (routing.maxEventTime > -Infinity) this.watermarks.observe(partition, routing.maxEventTime, options.now);
    if (offsets) for (let i = 0; i < offsets.length; i++) this.rowLedger.see(partition, offsets[i]!);
    const offered = frame.rowCount - routing.late.length - routing.invalid.length;
    this.counters.duplicateRows += offered - accepted;
    this.counters.lateRows += routing.late.length;
    this.counters.invalidRows += routing.invalid.length;
    return {
      accepted,
      duplicates: offered - accepted,
      late: takeRows(frame, routing.late),
      lateRows: routing.late,
      invalid: takeRows(frame, routing.invalid),
      invalidRows: routing.invalid,
    };
  }

  /**
   * Ground truth from one partition of the targets topic. `eventTimes` (the
   * rows' event times, when the label record carries them) point straight at
   * the row's window and bound how long a label for an unseen row waits.
   */
  addTargets(
    partition: number,
    rowIds: ArrayLike<string | null>,
    targets: ArrayLike<number> | ArrayLike<string | null>,
    options: { eventTimes?: ArrayLike<number>; offsets?: ArrayLike<number> } = {},
  ): AddTargetsResult {
    const { eventTimes, offsets } = options;
    for (const [name, array] of [['targets', targets], ['eventTimes', eventTimes], ['offsets', offsets]] as const) {
      if (array && array.length !== rowIds.length) throw new Error(`targets from partition ${partition}: ${array.length} ${name} for ${rowIds.length} row ids`);
    }
    const watermark = this.watermark;
    const result = { joined: 0, pending: 0, duplicates: 0, afterTimeout: 0, invalid: 0 };
    for (let i = 0; i < rowIds.length; i++) {
      const rowId = rowIds[i];
      const target = this.checkTarget(targets[i], i);
      const offset = offsets ? offsets[i]! : NaN;
      this.labelLedger.see(partition, offset);
      if (rowId === null || rowId === undefined || target === null) {
        result.invalid++;
        continue;
      }
      const eventTime = eventTimes && Number.isFinite(eventTimes[i]) ? eventTimes[i]! : undefined;
      const window = this.windowHolding(rowId, eventTime);
      if (window) {
        if (isLabelFinal(window.end, this.config.labelTimeout, watermark)) {
          result.afterTimeout++;
        } else if (window.accumulator.label(rowId, target) === 'joined') {
          result.joined++;
          window.labelsSinceFire = true;
          noteLowest(window.labelOffsets, partition, offset);
        } else {
          result.duplicates++;
        }
        continue;
      }
      const rowWindowEnd = eventTime === undefined ? undefined : tumblingWindowStart(eventTime, this.config.size) + this.config.size;
      const label: PendingLabel = { rowId, target, partition, offset, expiresAt: pendingLabelExpiry(rowWindowEnd, watermark, this.config) };
      if (watermark >= label.expiresAt) {
        this.orphansSinceAdvance.push(label);
        continue;
      }
      const { outcome, evicted } = this.pending.add(label);
      if (outcome === 'duplicate') result.duplicates++;
      else result.pending++;
      if (evicted) this.orphansSinceAdvance.push(evicted);
    }
    this.counters.duplicateLabels += result.duplicates;
    this.counters.labelsAfterTimeout += result.afterTimeout;
    return result;
  }

  /** Moves the watermark to what the partitions allow at processing time `now` and fires what is due. */
  advanceWatermark(now: number): AdvanceResult {
    return this.fireDue(this.watermarks.advance(now));
  }

  /** End of a bounded input: the watermark jumps to +∞, every window fires its last revision and is purged. */
  finish(): AdvanceResult {
    return this.fireDue(this.watermarks.finish());
  }

  /**
   * Offsets safe to commit, per source partition (the next offset to read):
   * everything below is in a purged window or was handed back to the caller.
   */
  safeCommitOffsets(): { records: Map<number, number>; targets: Map<number, number> } {
    const windows = [...this.windows.values()];
    return {
      records: this.rowLedger.safeCommits(windows.map((w) => w.rowOffsets)),
      targets: this.labelLedger.safeCommits([...windows.map((w) => w.labelOffsets), this.pending.lowestOffsets()]),
    };
  }

  stats(): WindowOperatorStats {
    return { watermark: this.watermark, openWindows: this.windows.size, pendingLabels: this.pending.size, ...this.counters };
  }

  private fireDue(watermark: number): AdvanceResult {
    const orphans = [...this.orphansSinceAdvance, ...this.pending.expire(watermark, this.config.labelTimeout)];
    this.orphansSinceAdvance = [];
    this.counters.orphanedLabels += orphans.length;
    const fires: FireEvent[] = [];
    const starts = [...this.windows.keys()].sort((a, b) => a - b);
    for (const start of starts) {
      const window = this.windows.get(start)!;
      const { accumulator } = window;
      const decision = decideWindow(
        { ...window, windowEnd: window.end, unlabelledRows: accumulator.rowCount - accumulator.labelledCount },
        watermark,
        this.config,
      );
      if (decision.purge) this.windows.delete(start);
      if (decision.labelsFinal) window.labelTimeoutHandled = true;
      if (!decision.fire) continue;
      window.revision++;
      window.lateRowsSinceFire = false;
      window.labelsSinceFire = false;
      const sketches = decision.purge ? accumulator.sketches : accumulator.snapshotSketches();
      fires.push({
        windowStart: window.start,
        windowEnd: window.end,
        revision: window.revision,
        reason: decision.fire,
        // The last revision takes the rows over instead of copying them: the window is gone after this.
        frame: decision.purge ? accumulator.takeFrame() : accumulator.toFrame(),
        ...(sketches ? { sketches } : {}),
        labelledRows: accumulator.labelledCount,
        duplicates: accumulator.duplicates,
        labelsFinal: decision.labelsFinal,
        final: decision.purge,
      });
    }
    return { watermark, fires, orphanedLabels: toOrphanedLabels(orphans) };
  }

  private windowAt(start: number): WindowState {
    let window = this.windows.get(start);
    if (!window) {
      const { eventTimeColumn, rowIdColumn, targetColumn, targetKind } = this.config;
      window = {
        start,
        end: start + this.config.size,
        accumulator: new ApproximateWindow({ eventTimeColumn, rowIdColumn, targetColumn, targetKind }, this.config.approximate),
        revision: 0,
        lateRowsSinceFire: false,
        labelsSinceFire: false,
        labelTimeoutHandled: false,
        rowOffsets: new Map(),
        labelOffsets: new Map(),
      };
      this.windows.set(start, window);
    }
    return window;
  }

  /**
   * The open window holding `rowId`. A label that gives its row's event time
   * is looked for in that window only: a row id has one event time (the
   * producer writes the row's own into its label), and a search of every open
   * window per label was 11 % of the processor's CPU while catching up a
   * backlog, when partitions days apart keep many windows open (bench/kafka).
   * A label naming another time than its row's waits as pending, and joins
   * only if a row with that id arrives. Without an event time, every window is searched.
   */
  private windowHolding(rowId: string, eventTime: number | undefined): WindowState | undefined {
    if (eventTime !== undefined) {
      const named = this.windows.get(tumblingWindowStart(eventTime, this.config.size));
      return named?.accumulator.has(rowId) ? named : undefined;
    }
    for (const window of this.windows.values()) if (window.accumulator.has(rowId)) return window;
    return undefined;
  }

  /** Labels that came before their rows join when the rows do. */
  private joinWaitingLabels(window: WindowState, rowIds: ArrayLike<string | null>, rows: Int32Array): void {
    for (let k = 0; k < rows.length; k++) {
      const label = this.pending.take(rowIds[rows[k]!]!);
      if (!label) continue;
      if (window.accumulator.label(label.rowId, label.target) === 'joined') {
        window.labelsSinceFire = true;
        noteLowest(window.labelOffsets, label.partition, label.offset);
      } else {
        this.counters.duplicateLabels++;
      }
    }
  }

  /** A target as its configured kind; null when missing. */
  private checkTarget(value: number | string | null | undefined, index: number): TargetValue | null {
    if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return null;
    const expected = this.config.targetKind;
    if (typeof value !== expected) {
      throw new Error(`target ${index} is ${typeof value} (${String(value)}), but targetKind is "${expected}" (column "${this.config.targetColumn}")`);
    }
    return value;
  }
}
