/** Small hand-written frames for the window tests: (row id, event time, x) rows. */
import type { Column, Frame } from '../../processor/frame.js';

export type Row = readonly [rowId: string | null, eventTime: number, x?: number];

/** Columns event_time (timestamp), row_id (text), x (number; defaults to the event time). */
export function rowsFrame(rows: readonly Row[]): Frame {
  const columns = new Map<string, Column>([
    ['event_time', { kind: 'timestamp', values: Float64Array.from(rows, (r) => r[1]) }],
    ['row_id', { kind: 'string', values: rows.map((r) => r[0]) }],
    ['x', { kind: 'number', values: Float64Array.from(rows, (r) => r[2] ?? r[1]) }],
  ]);
  return { rowCount: rows.length, columns };
}

export function ids(frame: Frame): (string | null)[] {
  return frame.columns.get('row_id')!.values as (string | null)[];
}

export function numbers(frame: Frame, column: string): number[] {
  return Array.from(frame.columns.get(column)!.values as Float64Array);
}
