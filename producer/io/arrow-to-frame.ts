/**
 * Arrow table → Frame. Every reader (Parquet through parquet-wasm, Arrow IPC
 * files, and the writer's round trip) ends here, so the type mapping lives in
 * one place:
 *
 * | Arrow                                   | Frame column                          |
 * | --------------------------------------- | ------------------------------------- |
 * | Int8…Int64, Uint8…Uint64, Float16/32/64 | number (null → NaN, 64-bit → nearest double) |
 * | Decimal128/256                          | number (unscaled / 10^scale)          |
 * | Utf8, LargeUtf8, Utf8View               | string (null → null)                  |
 * | Dictionary<…>                           | the dictionary's value type           |
 * | Bool                                    | string "true" / "false"               |
 * | Timestamp (any unit, any zone), Date    | timestamp, epoch milliseconds         |
 * | Null (an all-missing column)            | string, every value null              |
 *
 * Anything else (lists, structs, binary …) is an error naming the column.
 * Buffers are read directly (no per-value `Vector.get`) because a 3-million-row
 * file must convert in well under a second.
 */
import { makeVector, Type, type Data, type DataType, type Field, type Table } from 'apache-arrow';
import type { Column, ColumnKind, Frame } from '../../processor/frame.js';
import { TableInputError } from './errors.js';
import { int64ToNumbers } from './int64.js';

const MS_PER_DAY = 86_400_000;
/** Up to 6 bytes plus the length pack exactly into one double (7 · 2⁴⁸ < 2⁵³). */
const SHORT_STRING_BYTES = 6;
/** Milliseconds per unit of arrow's TimeUnit enum: SECOND, MILLISECOND, MICROSECOND, NANOSECOND. */
const MS_PER_TIME_UNIT = [1000, 1, 1e-3, 1e-6] as const;

export function arrowTableToFrame(table: Table, source: string): Frame {
  const columns = new Map<string, Column>();
  table.schema.fields.forEach((field, index) => {
    const vector = table.getChildAt(index);
    const chunks = (vector?.data ?? []) as Data[];
    columns.set(field.name, chunksToColumn(field, chunks, table.numRows, source));
  });
  return { rowCount: table.numRows, columns };
}

function chunksToColumn(field: Field, chunks: readonly Data[], length: number, source: string): Column {
  const kind = frameKindOf(field.type, field.name, source);
  if (kind === 'string') {
    const values = new Array<string | null>(length);
    let at = 0;
    for (const data of chunks) at += fillStrings(data, values, at);
    return { kind, values };
  }
  const values = new Float64Array(length);
  let at = 0;
  for (const data of chunks) at += fillNumbers(data, values, at);
  return { kind, values };
}

function frameKindOf(type: DataType, column: string, source: string): ColumnKind {
  switch (type.typeId) {
    case Type.Int:
    case Type.Float:
    case Type.Decimal:
      return 'number';
    case Type.Utf8:
    case Type.LargeUtf8:
    case Type.Utf8View:
    case Type.Bool:
    case Type.Null:
      return 'string';
    case Type.Timestamp:
    case Type.Date:
      return 'timestamp';
    case Type.Dictionary:
      return frameKindOf((type as unknown as { dictionary: DataType }).dictionary, column, source);
    default:
      throw new TableInputError(
        'unreadable',
        source,
        `column "${column}" in ${source} has type ${String(type)}, which driftwatch cannot read ` +
          '(supported: integers, floats, decimals, strings, dictionaries, booleans, timestamps, dates)',
      );
  }
}

function isValidAt(data: Data, index: number): boolean {
  const bitmap = data.nullBitmap;
  if (!bitmap || bitmap.length === 0) return true;
  const bit = data.offset + index;
  return (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

/** Writes the chunk's values as numbers (NaN for null) into `out` from `at`; returns the chunk length. */
function fillNumbers(data: Data, out: Float64Array, at: number): number {
  const { type, length } = data;
  const values = data.values as ArrayLike<number> | BigInt64Array | BigUint64Array;
  switch (type.typeId) {
    case Type.Int:
      if (values instanceof BigInt64Array || values instanceof BigUint64Array) int64ToNumbers(values, length, out, at);
      else for (let i = 0; i < length; i++) out[at + i] = (values as ArrayLike<number>)[i]!;
      break;
    case Type.Float:
      if ((type as unknown as { precision: number }).precision === 0) fillByGetter(data, out, at); // Float16 is stored as raw bits
      else for (let i = 0; i < length; i++) out[at + i] = (values as ArrayLike<number>)[i]!;
      break;
    case Type.Decimal:
      fillDecimals(data, out, at);
      break;
    case Type.Timestamp: {
      const perUnit = MS_PER_TIME_UNIT[(type as unknown as { unit: 0 | 1 | 2 | 3 }).unit];
      int64ToNumbers(values as BigInt64Array, length, out, at, perUnit);
      break;
    }
    case Type.Date:
      if (values instanceof BigInt64Array) int64ToNumbers(values, length, out, at);
      else for (let i = 0; i < length; i++) out[at + i] = (values as Int32Array)[i]! * MS_PER_DAY;
      break;
    case Type.Dictionary:
      gatherDictionary(data, (dictionary) => {
        const decoded = new Float64Array(dictionary.reduce((n, d) => n + d.length, 0));
        let k = 0;
        for (const d of dictionary) k += fillNumbers(d, decoded, k);
        return decoded;
      }, (decoded, index, i) => (out[at + i] = index < 0 ? NaN : decoded[index]!));
      return length;
  }
  if (data.nullCount > 0) for (let i = 0; i < length; i++) if (!isValidAt(data, i)) out[at + i] = NaN;
  return length;
}

/** Decimals are rare in feature files, so one BigInt per value is affordable here. */
function fillDecimals(data: Data, out: Float64Array, at: number): void {
  const { scale, bitWidth } = data.type as unknown as { scale: number; bitWidth: number };
  const words = data.values as Uint32Array;
  const stride = bitWidth / 32;
  const divisor = 10 ** scale;
  for (let i = 0; i < data.length; i++) {
    let unsigned = 0n;
    for (let w = stride - 1; w >= 0; w--) unsigned = (unsigned << 32n) | BigInt(words[i * stride + w]!);
    const signed = BigInt.asIntN(bitWidth, unsigned);
    out[at + i] = Number(signed) / divisor;
  }
}

function fillByGetter(data: Data, out: Float64Array, at: number): void {
  const vector = makeVector(data);
  for (let i = 0; i < data.length; i++) {
    const v = vector.get(i) as number | null;
    out[at + i] = v === null ? NaN : Number(v);
  }
}

/** Writes the chunk's values as text (null for null) into `out` from `at`; returns the chunk length. */
function fillStrings(data: Data, out: (string | null)[], at: number): number {
  const { type, length } = data;
  switch (type.typeId) {
    case Type.Utf8:
    case Type.LargeUtf8:
      decodeUtf8(data, out, at);
      break;
    case Type.Bool: {
      const bits = data.values as Uint8Array;
      for (let i = 0; i < length; i++) {
        const bit = data.offset + i;
        out[at + i] = (bits[bit >> 3]! & (1 << (bit & 7))) !== 0 ? 'true' : 'false';
      }
      break;
    }
    case Type.Null:
      for (let i = 0; i < length; i++) out[at + i] = null;
      return length;
    case Type.Dictionary:
      gatherDictionary(data, (dictionary) => {
        const decoded = new Array<string | null>(dictionary.reduce((n, d) => n + d.length, 0));
        let k = 0;
        for (const d of dictionary) k += fillStrings(d, decoded, k);
        return decoded;
      }, (decoded, index, i) => (out[at + i] = index < 0 ? null : decoded[index]!));
      return length;
    default: {
      const vector = makeVector(data);
      for (let i = 0; i < length; i++) out[at + i] = (vector.get(i) as string | null) ?? null;
    }
  }
  if (data.nullCount > 0) for (let i = 0; i < length; i++) if (!isValidAt(data, i)) out[at + i] = null;
  return length;
}

/**
 * Utf8/LargeUtf8 without a TextDecoder call per value, because allocation and
 * GC dominate here (two 3M-row code columns made 6M retained strings):
 * - values of at most 6 bytes (codes like "LAS", "true", small ids) are keyed
 *   by their bytes packed into one number and decoded once per distinct value,
 *   so repeated values share one string and no garbage is made per row;
 * - longer values come from one latin1 decode of the chunk plus `substring`
 *   when the chunk is ASCII (byte offsets are then character offsets),
 *   else from TextDecoder.
 */
function decodeUtf8(data: Data, out: (string | null)[], at: number): void {
  const bytes = data.values as Uint8Array;
  const rawOffsets = data.valueOffsets as Int32Array | BigInt64Array;
  const offsets = rawOffsets instanceof BigInt64Array ? int64ToNumbers(rawOffsets, data.length + 1) : rawOffsets;
  const first = offsets[0]!;
  const last = offsets[data.length]!;
  const decoder = new TextDecoder();
  const shortValues = new Map<number, string>();
  let latin1: string | undefined;
  let ascii: boolean | undefined;
  for (let i = 0; i < data.length; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (end - start <= SHORT_STRING_BYTES) {
      let key = end - start;
      for (let b = start; b < end; b++) key = key * 256 + bytes[b]!;
      let value = shortValues.get(key);
      if (value === undefined) {
        value = decoder.decode(bytes.subarray(start, end));
        shortValues.set(key, value);
      }
      out[at + i] = value;
      continue;
    }
    if (ascii === undefined) {
      ascii = true;
      for (let b = first; b < last; b++) if (bytes[b]! > 0x7f) { ascii = false; break; }
      if (ascii) latin1 = Buffer.from(bytes.buffer, bytes.byteOffset + first, last - first).toString('latin1');
    }
    out[at + i] = latin1 !== undefined ? latin1.substring(start - first, end - first) : decoder.decode(bytes.subarray(start, end));
  }
}

/**
 * Dictionary chunks: decode the dictionary once, then look each index up.
 * `index` is -1 for a null row.
 */
function gatherDictionary<D>(
  data: Data,
  decode: (dictionary: readonly Data[]) => D,
  assign: (decoded: D, index: number, row: number) => void,
): void {
  const dictionary = (data.dictionary?.data ?? []) as Data[];
  const decoded = decode(dictionary);
  const indices = data.values as ArrayLike<number> | BigInt64Array | BigUint64Array;
  const numbers = indices instanceof BigInt64Array || indices instanceof BigUint64Array ? int64ToNumbers(indices, data.length) : indices;
  for (let i = 0; i < data.length; i++) {
    const index = isValidAt(data, i) ? numbers[i]! : -1;
    assign(decoded, index, i);
  }
}
