/**
 * The records on the features and targets topics, and how they are cut from a
 * Frame. The wire contract (the same for JSON and, later, Avro):
 *
 * - features: a flat object `{ row_id, event_time, <feature>… }` — row_id a
 *   non-empty string, event_time epoch milliseconds, a numerical feature a
 *   number or null, a categorical feature a string or null (null = missing);
 * - targets: `{ row_id, event_time, label_time, target }` — event_time is the
 *   row's, label_time when its label was released (event time + label delay),
 *   target a number or string, null when the label is missing.
 *
 * `row_id` and `event_time` are the wire names whatever the dataset calls
 * those columns; the layout maps them back to the configured column names.
 */
import type { Column, Frame } from '../../processor/frame.js';
import type { ColumnSpec } from '../../processor/drift/compare.js';

export const ROW_ID_FIELD = 'row_id';
export const EVENT_TIME_FIELD = 'event_time';
export const LABEL_TIME_FIELD = 'label_time';
export const TARGET_FIELD = 'target';

export type FeatureValue = number | string | null;

export interface FeatureRecord {
  readonly row_id: string;
  readonly event_time: number;
  readonly [feature: string]: FeatureValue;
}

export interface TargetRecord {
  readonly row_id: string;
  readonly event_time: number;
  readonly label_time: number;
  readonly target: number | string | null;
}

/** Which frame columns the feature records carry, and as what. */
export interface FeatureLayout {
  readonly rowIdColumn: string;
  readonly eventTimeColumn: string;
  /** Wire field name = column name. */
  readonly features: readonly ColumnSpec[];
}

export interface TargetLayout {
  readonly rowIdColumn: string;
  readonly eventTimeColumn: string;
  readonly targetColumn: string;
  /** The frame column type targets decode to: numbers (NaN missing) or text (null missing). */
  readonly targetKind: 'number' | 'string';
}

/** A feature named like a wire field would be overwritten by it; refuse such a layout. */
export function assertFeatureLayout(layout: FeatureLayout): void {
  const seen = new Set<string>();
  for (const { name } of layout.features) {
    if (name === ROW_ID_FIELD || name === EVENT_TIME_FIELD) {
      throw new Error(`feature "${name}" clashes with the "${name}" field of the features record; rename the column`);
    }
    if (seen.has(name)) throw new Error(`feature "${name}" is listed twice`);
    seen.add(name);
  }
}

/**
 * Checks that `frame` has every column the layout needs, with a type that
 * fits (a numerical feature must not be text); the message names the column.
 */
export function assertFrameFitsLayout(frame: Frame, layout: FeatureLayout, source: string, targetColumn?: string): void {
  assertFeatureLayout(layout);
  const known = () => [...frame.columns.keys()].join(', ');
  const need = (name: string, what: string): Column => {
    const column = frame.columns.get(name);
    if (!column) throw new Error(`${what} column "${name}" not found in ${source} (columns: ${known()})`);
    return column;
  };
  if (need(layout.rowIdColumn, 'row id').kind !== 'string') throw new Error(`row id column "${layout.rowIdColumn}" in ${source} is not text`);
  if (need(layout.eventTimeColumn, 'event time').kind === 'string') {
    throw new Error(`event time column "${layout.eventTimeColumn}" in ${source} is text; expected a timestamp`);
  }
  for (const { name, type } of layout.features) {
    const column = need(name, `${type} feature`);
    if (type === 'numerical' && column.kind === 'string') {
      throw new Error(`feature "${name}" is configured numerical but is text in ${source}`);
    }
  }
  if (targetColumn !== undefined) need(targetColumn, 'target');
}

/** Feature records of every row of `frame`, in row order. */
export function featureRecordsOf(frame: Frame, layout: FeatureLayout): FeatureRecord[] {
  const rowIds = frame.columns.get(layout.rowIdColumn)!.values as (string | null)[];
  const eventTimes = frame.columns.get(layout.eventTimeColumn)!.values as Float64Array;
  const readers = layout.features.map(({ name, type }) => [name, valueReader(frame.columns.get(name)!, type)] as const);
  const records = new Array<FeatureRecord>(frame.rowCount);
  for (let i = 0; i < frame.rowCount; i++) {
    const record: Record<string, FeatureValue> = { [ROW_ID_FIELD]: rowIds[i]!, [EVENT_TIME_FIELD]: eventTimes[i]! };
    for (const [name, read] of readers) record[name] = read(i);
    records[i] = record as FeatureRecord;
  }
  return records;
}

/** Target records of the given rows of `frame`, each released `labelDelay` after its event time. */
export function targetRecordsOf(frame: Frame, rows: ArrayLike<number>, columns: { rowIdColumn: string; eventTimeColumn: string; targetColumn: string }, labelDelay: number): TargetRecord[] {
  const rowIds = frame.columns.get(columns.rowIdColumn)!.values as (string | null)[];
  const eventTimes = frame.columns.get(columns.eventTimeColumn)!.values as Float64Array;
  const target = frame.columns.get(columns.targetColumn)!;
  const readTarget = valueReader(target, target.kind === 'string' ? 'categorical' : 'numerical');
  const records = new Array<TargetRecord>(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    records[k] = { row_id: rowIds[i]!, event_time: eventTimes[i]!, label_time: eventTimes[i]! + labelDelay, target: readTarget(i) };
  }
  return records;
}

/**
 * Reads one cell as a wire value: missing (and ±Infinity) → null; a categorical feature is
 * always text on the wire (a number column rendered with String(), the same
 * key the categorical profile uses), a numerical one always a number.
 */
function valueReader(column: Column, type: ColumnSpec['type']): (row: number) => FeatureValue {
  if (column.kind === 'string') return (row) => column.values[row] ?? null;
  const values = column.values;
  if (type === 'categorical') {
    return (row) => {
      const v = values[row]!;
      return Number.isFinite(v) ? String(v) : null;
    };
  }
  // ±Infinity too: JSON cannot carry it, and every codec must say the same.
  return (row) => {
    const v = values[row]!;
    return Number.isFinite(v) ? v : null;
  };
}
