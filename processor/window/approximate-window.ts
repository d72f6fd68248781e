/**
 * A window's state with the optional approximate mode (config
 * `window.approximate`): a WindowAccumulator that, once the window holds more
 * than `aboveRows` rows, hands its numerical feature columns over to one
 * SketchedColumn each (a mergeable quantile sketch plus exact data-quality
 * counts), so those columns cost a few thousand buckets whatever the
 * window's size. Everything else stays exact in the accumulator: event time,
 * row ids, prediction, target (quality metrics and the predictions topic need
 * every row) and categoricals (already compact codes).
 *
 * At the switch the accumulator's rows (in canonical order) go into the
 * sketches and a new accumulator keeps the other columns, plus one column
 * (SKETCHED_MISSING_COLUMN) that says per row whether any sketched column was
 * missing — the only per-row fact data quality needs from them
 * (rows_with_missing). Later rows are split the same way on arrival.
 *
 * Merge and the switch commute: a sketch adds bucket counts, the quality
 * counts add, and a merged window switches once its rows pass `aboveRows`,
 * so N instances' shares merge to what one instance fed every row holds.
 * Duplicates: a row id already here is dropped before its values reach a
 * sketch. Only a merge in which both sides are (or the receiving side turns)
 * approximate and share a row id counts its values twice in the sketches
 * (they cannot be taken out again); the scale-out merge never does that, as
 * Kafka keys rows by row id, so every copy of a row is in the same source
 * partition's share.
 */
import type { Column, Frame } from '../frame.js';
import { requireColumn } from '../frame.js';
import { WindowAccumulator, type AccumulatorSchema, type LabelOutcome } from './accumulator.js';
import { encodeAccumulator, type StoredColumn } from './accumulator-codec.js';
import { SketchedColumn, type SketchedColumnSpec } from './sketched-column.js';

export interface ApproximateConfig {
  /** A window switches to sketches once it holds more rows than this. */
  readonly aboveRows: number;
  /** The sketches' relative accuracy α. */
  readonly relativeAccuracy: number;
  /** The numerical feature columns to sketch. */
  readonly columns: readonly SketchedColumnSpec[];
}

/** 1 where a sketched column of the row is missing (NaN), else 0. */
export const SKETCHED_MISSING_COLUMN = '__driftwatch_sketched_missing';

export class ApproximateWindow {
  private accumulator: WindowAccumulator;
  private sketched: Map<string, SketchedColumn> | null = null;
  /** Duplicates counted outside the current accumulator (the one before the switch, rows dropped before add). */
  private carriedDuplicates = 0;

  constructor(readonly schema: AccumulatorSchema, readonly approximate?: ApproximateConfig) {
    this.accumulator = new WindowAccumulator(schema);
  }

  get rowCount(): number { return this.accumulator.rowCount; }
  get duplicates(): number { return this.carriedDuplicates + this.accumulator.duplicates; }
  get labelledCount(): number { return this.accumulator.labelledCount; }
  get isApproximate(): boolean { return this.sketched !== null; }
  /** The sketched columns, live; undefined while the window is exact. */
  get sketches(): ReadonlyMap<string, SketchedColumn> | undefined { return this.sketched ?? undefined; }

  has(rowId: string): boolean {
    return this.accumulator.has(rowId);
  }

  label(rowId: string, value: number | string): LabelOutcome {
    return this.accumulator.label(rowId, value);
  }

  /** As WindowAccumulator.add: the frame's rows (or those at `selection`); returns how many were new. */
  add(frame: Frame, selection?: ArrayLike<number>): number {
    if (this.sketched) return this.addSplit(frame, selection);
    const added = this.accumulator.add(frame, selection);
    this.switchIfDue();
    return added;
  }

  /** Folds `other` in; `other` is unchanged. Approximate if either is, or if the rows together pass `aboveRows`. */
  merge(other: ApproximateWindow): void {
    // An exact share without rows has no columns to split (the merge step folds shares in one by one, empty ones too).
    if (!other.sketched && other.rowCount === 0) {
      this.carriedDuplicates += other.duplicates;
      return;
    }
    if (other.sketched && !this.sketched) this.switchTo(other.sketched);
    if (!this.sketched) {
      this.accumulator.merge(other.accumulator);
      this.carriedDuplicates += other.carriedDuplicates;
      this.switchIfDue();
      return;
    }
    this.carriedDuplicates += other.carriedDuplicates;
    if (other.sketched) {
      const names = [...this.sketched.keys()];
      if (other.sketched.size !== names.length || names.some((name) => !other.sketched!.has(name))) {
        throw new Error(`approximate window: cannot merge windows sketching different columns (${names.join(', ')} and ${[...other.sketched.keys()].join(', ')})`);
      }
      for (const [name, column] of this.sketched) column.merge(other.sketched.get(name)!);
      this.accumulator.merge(other.accumulator);
      return;
    }
    this.carriedDuplicates += other.accumulator.duplicates;
    this.addSplit(other.accumulator.toFrame(), undefined, true);
  }

  /** As WindowAccumulator.toFrame: the exact columns only once approximate (see `sketches`). */
  toFrame(): Frame {
    return this.accumulator.toFrame();
  }

  /** As WindowAccumulator.takeFrame; take `sketches` before, they go with it. */
  takeFrame(): Frame {
    return this.accumulator.takeFrame();
  }

  /** Independent copies of the sketched columns, for a fire that leaves the window open. */
  snapshotSketches(): ReadonlyMap<string, SketchedColumn> | undefined {
    if (!this.sketched) return undefined;
    return new Map([...this.sketched].map(([name, column]) => [name, column.clone()]));
  }

  /** The wire form of the partials topic: the exact columns' accumulator, and the sketched columns (null while exact). */
  serialize(): { accumulator: string; sketches: string | null } {
    return { accumulator: encodeWindowFrame(this.schema, this.toFrame(), this.duplicates), sketches: this.sketched ? SketchedColumn.encode(this.sketched) : null };
  }

  /** The window `serialize` (or a partial message) described; `approximate` decides later switches. */
  static deserialize(accumulator: string, sketches: string | null, approximate?: ApproximateConfig): ApproximateWindow {
    const exact = WindowAccumulator.deserialize(accumulator);
    const window = new ApproximateWindow(exact.schema, approximate);
    window.accumulator = exact;
    if (sketches !== null) window.sketched = SketchedColumn.decode(sketches);
    return window;
  }

  private switchIfDue(): void {
    const config = this.approximate;
    if (!config || this.sketched || this.accumulator.rowCount <= config.aboveRows) return;
    this.switchTo(new Map(config.columns.map((spec) => [spec.name, new SketchedColumn(spec, config.relativeAccuracy)])));
  }

  /** Into approximate state with empty columns like `like`'s: the rows held so far go through the split. */
  private switchTo(like: ReadonlyMap<string, SketchedColumn>): void {
    const old = this.accumulator;
    this.carriedDuplicates += old.duplicates;
    this.accumulator = new WindowAccumulator(this.schema);
    this.sketched = new Map([...like].map(([name, column]) => [name, new SketchedColumn(column.spec, column.sketch.relativeAccuracy)]));
    if (old.rowCount > 0) this.addSplit(old.takeFrame());
  }

  /**
   * Adds the new rows of `frame`: the sketched columns to their sketches,
   * the rest (with the missing flag) to the accumulator. With
   * `keepTheirLabels` (a merge), a row already here takes the frame's label
   * when it has none, as WindowAccumulator.merge does.
   */
  private addSplit(frame: Frame, selection?: ArrayLike<number>, keepTheirLabels = false): number {
    const sketched = this.sketched!;
    const ids = requireColumn(frame, this.schema.rowIdColumn, 'the window batch').values as (string | null)[];
    const target = keepTheirLabels ? frame.columns.get(this.schema.targetColumn)?.values : undefined;
    const offered = selection ? selection.length : frame.rowCount;
    const fresh = new Int32Array(offered);
    const seen = new Set<string>();
    let kept = 0;
    for (let k = 0; k < offered; k++) {
      const row = selection ? selection[k]! : k;
      const id = ids[row];
      // A missing id goes on, for the accumulator to reject with its own message.
      if (id !== null && id !== undefined && (seen.has(id) || this.accumulator.has(id))) {
        const label = target?.[row];
        if (label !== undefined && label !== null && !(typeof label === 'number' && Number.isNaN(label))) this.accumulator.label(id, label);
        continue;
      }
      if (id !== null && id !== undefined) seen.add(id);
      fresh[kept++] = row;
    }
    this.carriedDuplicates += offered - kept;
    const rows = fresh.subarray(0, kept);
    const values = new Map<string, Float64Array>();
    const columns = new Map<string, Column>();
    for (const [name, column] of frame.columns) {
      if (!sketched.has(name)) {
        columns.set(name, column);
        continue;
      }
      if (column.kind === 'string') throw new Error(`column "${name}" is text; the approximate mode sketches numerical columns only`);
      values.set(name, column.values);
    }
    const missing = new Float64Array(frame.rowCount);
    for (const name of sketched.keys()) {
      const column = values.get(name);
      if (!column) throw new Error(`column "${name}" is missing from this batch; the approximate mode sketches it`);
      for (let k = 0; k < kept; k++) if (Number.isNaN(column[rows[k]!])) missing[rows[k]!] = 1;
    }
    columns.set(SKETCHED_MISSING_COLUMN, { kind: 'number', values: missing });
    const added = this.accumulator.add({ rowCount: frame.rowCount, columns }, rows);
    for (const [name, column] of sketched) column.add(values.get(name)!, rows);
    return added;
  }
}

/**
 * A fired window's frame (canonical order, target column included, as
 * toFrame hands it out) in the accumulator's wire form: the frame's columns
 * become the stored columns, no copy.
 */
export function encodeWindowFrame(schema: AccumulatorSchema, frame: Frame, duplicates: number): string {
  const columns: StoredColumn[] = [];
  let target: Float64Array | (string | null)[] | undefined;
  for (const [name, column] of frame.columns) {
    if (name === schema.targetColumn) target = column.values;
    else columns.push({ name, kind: column.kind, values: column.values } as StoredColumn);
  }
  if (!target) throw new Error(`window frame: lacks target column "${schema.targetColumn}"`);
  return encodeAccumulator({ schema, rowCount: frame.rowCount, duplicates, columns, target });
}
