/**
 * Wire format of a window accumulator, so partial windows can be shipped
 * between processor instances (Kafka scale-out) and merged on arrival.
 *
 * JSON with numeric columns as base64 of their Float64 bytes (8 bytes a value,
 * NaN and ±∞ survive exactly, unlike JSON numbers) and text columns as JSON
 * arrays. Float64 bytes are written in the machine's order; every platform
 * Node 20 ships for is little-endian, and decoding refuses anything else.
 */
import { endianness } from 'node:os';

export type TargetKind = 'number' | 'string';

export interface AccumulatorSchema {
  readonly eventTimeColumn: string;
  readonly rowIdColumn: string;
  /** Ground truth; joined by row id, kept apart from the feature columns. */
  readonly targetColumn: string;
  readonly targetKind: TargetKind;
}

export type StoredColumn =
  | { readonly name: string; readonly kind: 'number' | 'timestamp'; readonly values: Float64Array }
  | { readonly name: string; readonly kind: 'string'; readonly values: (string | null)[] };

/** Everything an accumulator holds, each array exactly rowCount long. */
export interface AccumulatorParts {
  readonly schema: AccumulatorSchema;
  readonly rowCount: number;
  readonly duplicates: number;
  /** Empty until the accumulator has seen its first frame. */
  readonly columns: readonly StoredColumn[];
  readonly target: Float64Array | (string | null)[];
}

const FORMAT = 'driftwatch.window-accumulator';
const VERSION = 1;

interface EncodedColumn {
  name: string;
  kind: StoredColumn['kind'];
  /** base64 Float64 bytes for number/timestamp columns, an array for text. */
  values: string | (string | null)[];
}

interface Encoded {
  format: string;
  version: number;
  schema: AccumulatorSchema;
  rowCount: number;
  duplicates: number;
  columns: EncodedColumn[];
  target: string | (string | null)[];
}

function encodeFloats(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

function decodeFloats(text: unknown, rowCount: number, what: string): Float64Array {
  if (typeof text !== 'string') throw new Error(`accumulator: ${what} is not base64 text`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.byteLength !== rowCount * 8) {
    throw new Error(`accumulator: ${what} has ${bytes.byteLength / 8} values, expected ${rowCount}`);
  }
  const values = new Float64Array(rowCount);
  new Uint8Array(values.buffer).set(bytes);
  return values;
}

function decodeStrings(value: unknown, rowCount: number, what: string): (string | null)[] {
  if (!Array.isArray(value) || value.length !== rowCount) {
    throw new Error(`accumulator: ${what} is not an array of ${rowCount} values`);
  }
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    if (item !== null && typeof item !== 'string') throw new Error(`accumulator: ${what} row ${i} is not text`);
  }
  return value as (string | null)[];
}

export function encodeAccumulator(parts: AccumulatorParts): string {
  const encoded: Encoded = {
    format: FORMAT,
    version: VERSION,
    schema: parts.schema,
    rowCount: parts.rowCount,
    duplicates: parts.duplicates,
    columns: parts.columns.map((column) => ({
      name: column.name,
      kind: column.kind,
      values: column.kind === 'string' ? column.values : encodeFloats(column.values),
    })),
    target: parts.target instanceof Float64Array ? encodeFloats(parts.target) : parts.target,
  };
  return JSON.stringify(encoded);
}

export function decodeAccumulator(text: string): AccumulatorParts {
  if (endianness() !== 'LE') throw new Error('accumulator: decoding needs a little-endian machine');
  let raw: Partial<Encoded>;
  try {
    raw = JSON.parse(text) as Partial<Encoded>;
  } catch (error) {
    throw new Error(`accumulator: not JSON (${(error as Error).message})`);
  }
  if (raw.format !== FORMAT || raw.version !== VERSION) {
    throw new Error(`accumulator: expected format ${FORMAT} v${VERSION}, got ${String(raw.format)} v${String(raw.version)}`);
  }
  const { schema, rowCount, duplicates } = raw;
  if (!schema || !Number.isInteger(rowCount) || !Number.isInteger(duplicates) || !Array.isArray(raw.columns)) {
    throw new Error('accumulator: schema, rowCount, duplicates or columns missing');
  }
  const rows = rowCount as number;
  const columns: StoredColumn[] = raw.columns.map((column) => {
    const what = `column "${column.name}"`;
    if (column.kind === 'string') return { name: column.name, kind: 'string', values: decodeStrings(column.values, rows, what) };
    if (column.kind === 'number' || column.kind === 'timestamp') {
      return { name: column.name, kind: column.kind, values: decodeFloats(column.values, rows, what) };
    }
    throw new Error(`accumulator: ${what} has unknown kind ${String(column.kind)}`);
  });
  const targetWhat = `target column "${schema.targetColumn}"`;
  const target = schema.targetKind === 'number'
    ? decodeFloats(raw.target, rows, targetWhat)
    : decodeStrings(raw.target, rows, targetWhat);
  return { schema, rowCount: rows, duplicates: duplicates as number, columns, target };
}
