/**
 * The state of one window: a mergeable, columnar accumulator (DESIGN core idea 2).
 *
 * Rows are stored column by column — Float64Arrays that grow by doubling for
 * numbers and timestamps, 16-bit dictionary codes for categorical text
 * (text-column.ts), the row ids in one compact index (row-id-index.ts) — so a
 * million-row window is a handful of buffers, not a million objects. The ground-truth column is kept
 * apart: it is filled in by row id as labels arrive (a frame may also carry it,
 * then its non-missing values count as labels).
 *
 * Duplicates: a row id is counted once. The first copy added wins and later
 * copies are dropped and counted in `duplicates`; in `merge` the receiving
 * accumulator's copy wins, and a label present only in the other copy is kept.
 * Duplicates are expected to be redeliveries of the same row (Kafka is
 * at-least-once); only if two copies differ in content does the result depend
 * on arrival order. The `duplicates` count itself never does: it is always
 * (rows offered) − (distinct row ids).
 *
 * `toFrame()` orders rows by (event time, row id) — row ids compared by UTF-16
 * code units, not locale — so a window finalizes identically whatever the
 * arrival order or merge order. It does so by reordering the accumulator's
 * own rows (a row's position is not its arrival rank after a fire) and hands
 * out views: a fired window costs no second copy of its columns, and a frame
 * stays valid, unchanged, however long it is kept (see toFrame).
 */
import type { Column, Frame } from '../frame.js';
import { RowIdIndex } from './row-id-index.js';
import { TextColumn } from './text-column.js';
import { LazyRowIdColumns } from './lazy-row-ids.js';
import { canonicalOrder } from './canonical-order.js';
import { FloatColumn, grow } from './float-column.js';
import {
  decodeAccumulator,
  encodeAccumulator,
  type AccumulatorParts,
  type AccumulatorSchema,
  type StoredColumn,
} from './accumulator-codec.js';

export type { AccumulatorSchema, TargetKind } from './accumulator-codec.js';

export type LabelOutcome = 'joined' | 'duplicate' | 'unknown';

/** Where the row id column sits among the columns; its values live in the accumulator's RowIdIndex. */
interface RowIdStore { readonly name: string; readonly kind: 'string'; readonly rowIds: true }
/** Numbers and timestamps as Float64Arrays (float-column.ts); text as codes into a dictionary while categorical (text-column.ts). */
type Store = FloatColumn | TextColumn | RowIdStore;
/** The row id column's place in a frame until LazyRowIdColumns builds it. */
const ROW_IDS_LATER: string[] = [];

const INITIAL_CAPACITY = 1024;

function isMissing(value: number | string | null | undefined): boolean {
  return value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value));
}

export class WindowAccumulator {
  private stores: Store[] | null = null;
  private capacity = 0;
  private size = 0;
  private duplicateCount = 0;
  private labelled = 0;
  /** Set by takeFrame: the buffers belong to the frame it returned. */
  private released = false;
  /** The row ids: id → row position in the stores, and the ids themselves (row-id-index.ts). */
  private rowIds = new RowIdIndex();
  private target: Float64Array | (string | null)[];

  constructor(readonly schema: AccumulatorSchema) {
    this.target = schema.targetKind === 'number' ? new Float64Array(0) : [];
  }

  get rowCount(): number { return this.size; }
  /** Rows dropped because their row id was already here. */
  get duplicates(): number { return this.duplicateCount; }
  /** Rows whose target is known. */
  get labelledCount(): number { return this.labelled; }

  has(rowId: string): boolean {
    return this.rowIds.has(rowId);
  }

  /**
   * Adds the frame's rows (or only those at `selection`, increasing indices
   * into the frame). Returns how many were new. The first frame fixes the
   * columns; later frames must have the same columns of the same kinds.
   */
  add(frame: Frame, selection?: ArrayLike<number>): number {
    this.checkNotReleased();
    if (!this.stores) this.stores = this.storesFor(frame);
    const stores = this.stores;
    this.checkColumns(frame);
    const rowIds = frame.columns.get(this.schema.rowIdColumn)!.values as (string | null)[];
    const eventTimes = frame.columns.get(this.schema.eventTimeColumn)!.values as Float64Array;
    const offered = selection ? selection.length : frame.rowCount;
    const accepted = new Int32Array(offered);
    let kept = 0;
    let previous = -1;
    for (let k = 0; k < offered; k++) {
      const row = selection ? selection[k]! : k;
      if (row <= previous || row >= frame.rowCount) throw new Error(`selection must be increasing row indices below ${frame.rowCount}, got ${row} at ${k}`);
      previous = row;
      const rowId = rowIds[row];
      if (rowId === null || rowId === undefined) throw new Error(`row ${row}: column "${this.schema.rowIdColumn}" is missing`);
      if (Number.isNaN(eventTimes[row])) throw new Error(`row ${row}: column "${this.schema.eventTimeColumn}" is missing`);
      if (this.rowIds.add(rowId) === -1) continue;
      accepted[kept++] = row;
    }
    this.duplicateCount += offered - kept;
    if (kept === 0) return 0;
    this.reserve(this.size + kept);
    const rows = accepted.subarray(0, kept);
    for (const store of stores) copyRows(store, frame.columns.get(store.name)!.values, rows, this.size);
    this.appendTargets(frame.columns.get(this.schema.targetColumn)?.values, rows);
    this.size += kept;
    return kept;
  }

  /** Joins a label to its row. A row keeps its first label; a missing value is not a label. */
  label(rowId: string, value: number | string): LabelOutcome {
    const position = this.rowIds.get(rowId);
    if (position === -1) return 'unknown';
    if (isMissing(value)) throw new Error(`label for row "${rowId}" is missing`);
    if (!isMissing(this.target[position])) return 'duplicate';
    this.setTarget(position, value);
    return 'joined';
  }

  /** Folds `other` into this accumulator; `other` is left unchanged. */
  merge(other: WindowAccumulator): void {
    this.checkNotReleased();
    other.checkNotReleased();
    checkSameSchema(this.schema, other.schema);
    this.duplicateCount += other.duplicateCount;
    if (!other.stores) return;
    if (!this.stores) this.stores = other.stores.map(emptyStoreLike);
    const mine = this.stores;
    const theirs = new Map(other.stores.map((store) => [store.name, store]));
    if (theirs.size !== mine.length || mine.some((store) => theirs.get(store.name)?.kind !== store.kind)) {
      throw new Error(`cannot merge windows with different columns: [${describe(mine)}] and [${describe(other.stores)}]`);
    }
    const accepted = new Int32Array(other.size);
    let kept = 0;
    for (let row = 0; row < other.size; row++) {
      const rowId = other.rowIds.idAt(row);
      if (this.rowIds.add(rowId) !== -1) {
        accepted[kept++] = row;
        continue;
      }
      const position = this.rowIds.get(rowId);
      this.duplicateCount++;
      const theirLabel = other.target[row];
      if (isMissing(this.target[position]) && !isMissing(theirLabel)) this.setTarget(position, theirLabel!);
    }
    if (kept === 0) return;
    this.reserve(this.size + kept);
    const rows = accepted.subarray(0, kept);
    for (const store of mine) {
      const source = theirs.get(store.name)!;
      if (source.rowIds) continue;
      copyRows(store, source.kind === 'string' ? source.values(other.size) : source.data, rows, this.size);
    }
    this.appendTargets(other.target, rows);
    this.size += kept;
  }

  /**
   * The window's rows ordered by (event time, row id): every stored column in
   * first-seen order, then the target column (NaN / null where unlabelled).
   * The accumulator first puts its own rows in that order (canonical-order.ts),
   * then hands out views of its buffers, not copies; the frame still shows
   * exactly these rows and values as the accumulator goes on: rows added later
   * go beyond the views, and growing, or reordering rows a frame was handed,
   * moves to new buffers (float-column.ts, row-id-index.ts). Only
   * the target is copied, because labels keep being written into it by
   * position. Categorical text is handed out as its codes, the strings built
   * only if read (the metrics count codes); the row ids when first read
   * (lazy-row-ids.ts).
   */
  toFrame(): Frame {
    this.checkNotReleased();
    this.putInCanonicalOrder();
    return this.frameOfStores(this.target.slice(0, this.size));
  }

  /**
   * The same frame as `toFrame()` for a window's last fire, when the
   * accumulator is dropped right after: the target is handed over too, not
   * copied. The accumulator is unusable afterwards.
   */
  takeFrame(): Frame {
    this.checkNotReleased();
    this.putInCanonicalOrder();
    const n = this.size;
    const target = this.target;
    let values: Float64Array | (string | null)[];
    if (target instanceof Float64Array) values = target.subarray(0, n);
    else {
      target.length = n;
      values = target;
    }
    const frame = this.frameOfStores(values);
    this.released = true;
    this.stores = [];
    this.target = this.schema.targetKind === 'number' ? new Float64Array(0) : [];
    // The frame holds a snapshot of the ids; the hash table goes now.
    this.rowIds = new RowIdIndex();
    return frame;
  }

  serialize(): string {
    this.checkNotReleased();
    return encodeAccumulator(this.parts());
  }

  static deserialize(text: string): WindowAccumulator {
    const parts = decodeAccumulator(text);
    const accumulator = new WindowAccumulator(parts.schema);
    if (parts.columns.length === 0) {
      accumulator.duplicateCount = parts.duplicates;
      return accumulator;
    }
    const columns = new Map<string, Column>(parts.columns.map((column) => [column.name, column as Column]));
    columns.set(parts.schema.targetColumn, parts.target instanceof Float64Array
      ? { kind: 'number', values: parts.target }
      : { kind: 'string', values: parts.target });
    accumulator.add({ rowCount: parts.rowCount, columns });
    if (accumulator.size !== parts.rowCount) throw new Error('accumulator: serialized rows have repeated row ids');
    accumulator.duplicateCount = parts.duplicates;
    return accumulator;
  }

  private checkNotReleased(): void {
    if (this.released) throw new Error('window accumulator: its rows were handed over by takeFrame(); it cannot be used again');
  }

  private parts(): AccumulatorParts {
    const n = this.size;
    const columns: StoredColumn[] = (this.stores ?? []).map((store) => store.rowIds
      ? { name: store.name, kind: 'string', values: this.rowIds.ids() }
      : store.kind === 'string'
        ? { name: store.name, kind: 'string', values: store.values(n) }
        : { name: store.name, kind: store.kind, values: store.data.subarray(0, n) });
    const target = this.target instanceof Float64Array ? this.target.subarray(0, n) : this.target.slice(0, n);
    return { schema: this.schema, rowCount: n, duplicates: this.duplicateCount, columns, target };
  }

  /** Reorders every store, the row ids and the target into canonical order, if they are not in it already. */
  private putInCanonicalOrder(): void {
    if (!this.stores) return;
    const times = (this.stores.find((s) => s.name === this.schema.eventTimeColumn) as FloatColumn).data;
    const order = canonicalOrder(times, this.rowIds, this.size);
    if (!order) return;
    for (const store of this.stores) if (!store.rowIds) store.reorder(order);
    this.rowIds.permute(order);
    // In place: frames get a copy of the target (takeFrame hands it over only when the accumulator is done).
    order.apply(this.target);
  }

  /** The stores' first rows as a frame with `target`: views, categorical text as codes (its strings built on first read), the row ids built on first use (lazy-row-ids.ts). */
  private frameOfStores(target: Float64Array | (string | null)[]): Frame {
    const n = this.size;
    const columns = new Map<string, Column>();
    for (const store of this.stores ?? []) {
      if (store.rowIds) columns.set(store.name, { kind: 'string', values: ROW_IDS_LATER });
      else columns.set(store.name, store.kind === 'string' ? store.column(n) : { kind: store.kind, values: store.view(n) });
    }
    columns.set(this.schema.targetColumn, target instanceof Float64Array ? { kind: 'number', values: target } : { kind: 'string', values: target });
    return { rowCount: n, columns: new LazyRowIdColumns(columns, this.schema.rowIdColumn, this.rowIds.snapshot()) };
  }

  private storesFor(frame: Frame): Store[] {
    const { eventTimeColumn, rowIdColumn, targetColumn } = this.schema;
    const eventTime = frame.columns.get(eventTimeColumn);
    if (!eventTime || eventTime.kind === 'string') {
      throw new Error(`event time column "${eventTimeColumn}" must be a number or timestamp column (columns: ${[...frame.columns.keys()].join(', ')})`);
    }
    const rowId = frame.columns.get(rowIdColumn);
    if (!rowId || rowId.kind !== 'string') {
      throw new Error(`row id column "${rowIdColumn}" must be a text column (columns: ${[...frame.columns.keys()].join(', ')})`);
    }
    const stores: Store[] = [];
    for (const [name, column] of frame.columns) {
      if (name === targetColumn) continue;
      if (name === rowIdColumn) stores.push({ name, kind: 'string', rowIds: true });
      else stores.push(column.kind === 'string' ? new TextColumn(name) : new FloatColumn(name, column.kind));
    }
    return stores;
  }

  private checkColumns(frame: Frame): void {
    const stores = this.stores!;
    for (const store of stores) {
      const column = frame.columns.get(store.name);
      if (!column) throw new Error(`column "${store.name}" is missing from this batch; the window's earlier rows have it`);
      if (column.kind !== store.kind) throw new Error(`column "${store.name}" is ${column.kind} in this batch but ${store.kind} in the window`);
    }
    const target = frame.columns.get(this.schema.targetColumn);
    if (target && (target.kind === 'string') !== (this.schema.targetKind === 'string')) {
      throw new Error(`target column "${this.schema.targetColumn}" is ${target.kind}, expected ${this.schema.targetKind}`);
    }
    const expected = stores.length + (target ? 1 : 0);
    if (frame.columns.size !== expected) {
      const extra = [...frame.columns.keys()].filter((name) => name !== this.schema.targetColumn && !stores.some((s) => s.name === name));
      throw new Error(`column(s) ${extra.map((n) => `"${n}"`).join(', ')} not in the window's earlier rows`);
    }
  }

  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    let capacity = Math.max(this.capacity, INITIAL_CAPACITY);
    while (capacity < rows) capacity *= 2;
    for (const store of this.stores!) if (!store.rowIds) store.reserve(capacity, this.size);
    if (this.target instanceof Float64Array) this.target = grow(this.target, capacity, this.size, NaN);
    this.capacity = capacity;
  }

  /** Targets of the appended rows: from `source` where given (missing stays missing), else unlabelled. */
  private appendTargets(source: ArrayLike<number | string | null> | undefined, rows: Int32Array): void {
    const base = this.size;
    const target = this.target;
    if (!source) {
      // Float targets were NaN-filled when the buffer grew; text targets need explicit nulls.
      if (!(target instanceof Float64Array)) for (let k = 0; k < rows.length; k++) target[base + k] = null;
      return;
    }
    for (let k = 0; k < rows.length; k++) {
      const value = source[rows[k]!]!;
      if (isMissing(value)) {
        if (target instanceof Float64Array) target[base + k] = NaN;
        else target[base + k] = null;
        continue;
      }
      this.labelled++;
      (target as (number | string | null)[])[base + k] = value;
    }
  }

  private setTarget(position: number, value: number | string): void {
    if (this.target instanceof Float64Array) {
      if (typeof value !== 'number') throw new Error(`label "${value}" is text; target "${this.schema.targetColumn}" is numeric`);
      this.target[position] = value;
    } else {
      if (typeof value !== 'string') throw new Error(`label ${value} is a number; target "${this.schema.targetColumn}" is text`);
      this.target[position] = value;
    }
    this.labelled++;
  }
}

/** Copies source[rows[k]] to store row base + k (`rows` strictly increasing: add checks it, merge builds it so). */
function copyRows(store: Store, source: ArrayLike<number | string | null>, rows: Int32Array, base: number): void {
  if (store.rowIds) return; // the RowIdIndex took them
  if (store.kind === 'string') store.append(source as ArrayLike<string | null>, rows, base);
  else store.append(source as Float64Array, rows, base);
}

function emptyStoreLike(store: Store): Store {
  if (store.rowIds) return store;
  return store.kind === 'string' ? new TextColumn(store.name) : new FloatColumn(store.name, store.kind);
}

function describe(stores: readonly Store[]): string {
  return stores.map((s) => `${s.name}:${s.kind}`).join(', ');
}

function checkSameSchema(a: AccumulatorSchema, b: AccumulatorSchema): void {
  if (a.eventTimeColumn !== b.eventTimeColumn || a.rowIdColumn !== b.rowIdColumn
    || a.targetColumn !== b.targetColumn || a.targetKind !== b.targetKind) {
    throw new Error(`cannot merge windows with different schemas: ${JSON.stringify(a)} and ${JSON.stringify(b)}`);
  }
}
