/**
 * Frame → Arrow table, for writing. The Frame does not remember integer
 * types, so every number column is written as float64 (pandas reads it back
 * as float64; flights' int64 distance becomes 2176.0). Missing values become
 * Arrow nulls (NaN numbers, null strings, NaN timestamps), so pandas/pyarrow
 * see them as missing. Timestamps are timestamp[ms, tz=UTC]; text is utf8.
 */
import {
  Field,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMillisecond,
  Utf8,
  type Data,
} from 'apache-arrow';
import type { Column, Frame } from '../../processor/frame.js';
import { numbersToInt64 } from './int64.js';

export function frameToArrowTable(frame: Frame): Table {
  const fields: Field[] = [];
  const children: Data[] = [];
  for (const [name, column] of frame.columns) {
    const data = columnToArrow(column);
    fields.push(new Field(name, data.type, true));
    children.push(data);
  }
  const schema = new Schema(fields);
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: frame.rowCount, children, nullCount: 0 }));
  return new Table(schema, [batch]);
}

function columnToArrow(column: Column): Data {
  const length = column.values.length;
  if (column.kind === 'string') return stringsToArrow(column.values);
  const { nullBitmap, nullCount } = validity(length, (i) => !Number.isNaN(column.values[i]!));
  if (column.kind === 'number') {
    return makeData({ type: new Float64(), length, nullCount, nullBitmap, data: Float64Array.from(column.values) });
  }
  const millis = new Float64Array(length);
  for (let i = 0; i < length; i++) {
    const v = column.values[i]!;
    millis[i] = Number.isFinite(v) ? Math.round(v) : 0;
  }
  return makeData({ type: new TimestampMillisecond('UTC'), length, nullCount, nullBitmap, data: numbersToInt64(millis) });
}

function stringsToArrow(values: readonly (string | null)[]): Data {
  const length = values.length;
  let byteLength = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) byteLength += Buffer.byteLength(v, 'utf8');
  }
  if (byteLength > 0x7fffffff) throw new Error(`a text column holds ${byteLength} bytes, more than one Arrow utf8 array can (2 GiB)`);
  const bytes = Buffer.alloc(byteLength);
  const valueOffsets = new Int32Array(length + 1);
  let position = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i];
    if (v !== null && v !== undefined) position += bytes.write(v, position, 'utf8');
    valueOffsets[i + 1] = position;
  }
  const { nullBitmap, nullCount } = validity(length, (i) => values[i] !== null && values[i] !== undefined);
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return makeData({ type: new Utf8(), length, nullCount, nullBitmap, valueOffsets, data });
}

/** Arrow's validity bitmap (bit set = present), least-significant bit first. */
function validity(length: number, isPresent: (index: number) => boolean): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    if (isPresent(i)) nullBitmap[i >> 3]! |= 1 << (i & 7);
    else nullCount++;
  }
  return { nullBitmap, nullCount };
}
