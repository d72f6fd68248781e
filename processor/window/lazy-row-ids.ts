/**
 * The column map of a fired window's frame, with the row id column built on
 * first use.
 *
 * A million row ids as strings are ≈ 64 MB of V8 heap; the window's metrics
 * never read them, and publishing reads them a slice at a time. So the
 * accumulator hands over a snapshot of its RowIdIndex instead (its positions
 * are the frame's rows: the accumulator puts its rows in canonical order
 * before it fires), and the column is only materialized when someone asks
 * for it by name or iterates the columns — `rowIdRange` gives a slice without
 * building the rest.
 * Everything else behaves as the plain Map it is.
 */
import type { Column } from '../frame.js';
import type { RowIdSnapshot } from './row-id-index.js';

export class LazyRowIdColumns extends Map<string, Column> {
  private index: RowIdSnapshot | null;

  /** `columns` in frame order with a placeholder under `rowIdColumn`; the frame's row i has the id at position i of `index`. */
  constructor(columns: Iterable<[string, Column]>, private readonly rowIdColumn: string, index: RowIdSnapshot) {
    super(columns);
    this.index = index;
  }

  /** Row ids of frame rows [start, end), without building the whole column. */
  rowIdRange(start: number, end: number): string[] {
    if (!this.index) return super.get(this.rowIdColumn)!.values.slice(start, end) as string[];
    const out = new Array<string>(Math.max(0, end - start));
    for (let i = start; i < end; i++) out[i - start] = this.index.idAt(i);
    return out;
  }

  override get(name: string): Column | undefined {
    if (name === this.rowIdColumn) this.materialize();
    return super.get(name);
  }

  override forEach(callback: (value: Column, key: string, map: Map<string, Column>) => void, thisArg?: unknown): void {
    this.materialize();
    super.forEach(callback, thisArg);
  }

  override entries(): MapIterator<[string, Column]> {
    this.materialize();
    return super.entries();
  }

  override values(): MapIterator<Column> {
    this.materialize();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[string, Column]> {
    return this.entries();
  }

  private materialize(): void {
    if (!this.index) return;
    const values = this.index.ids();
    this.index = null;
    super.set(this.rowIdColumn, { kind: 'string', values });
  }
}

/** Row ids of `columns`' rows [start, end): a slice of the lazy column, or of a plain one. */
export function rowIdRange(columns: ReadonlyMap<string, Column>, rowIdColumn: string, start: number, end: number): (string | null)[] {
  if (columns instanceof LazyRowIdColumns) return columns.rowIdRange(start, end);
  const column = columns.get(rowIdColumn);
  if (!column) throw new Error(`column "${rowIdColumn}" not found (columns: ${[...columns.keys()].join(', ')})`);
  return column.values.slice(start, end) as (string | null)[];
}
