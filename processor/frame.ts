/**
 * A columnar table: the one in-memory shape every reader produces and every
 * engine consumes. Columns are typed arrays where the data is numeric so a
 * window of a million rows is a handful of buffers, not a million objects.
 */

/** Numbers; a missing value is NaN. */
export interface NumberColumn {
  readonly kind: 'number';
  readonly values: Float64Array;
}

/** Text (and booleans, rendered "true"/"false"); a missing value is null. */
export interface StringColumn {
  readonly kind: 'string';
  readonly values: (string | null)[];
  /**
   * The same rows as codes into a dictionary, when the column came that way
   * (a window's categorical text): readers that only count categories use it
   * and never build `values` (a million strings' pointers, 8 MB).
   */
  readonly coded?: TextCodes;
}

/** Code 0 is a missing value (null); code k ≥ 1 is dictionary[k − 1]. Distinct codes are distinct strings. */
export interface TextCodes {
  readonly codes: Uint16Array;
  readonly dictionary: readonly string[];
}

/** Instants as epoch milliseconds; a missing value is NaN. */
export interface TimestampColumn {
  readonly kind: 'timestamp';
  readonly values: Float64Array;
}

export type Column = NumberColumn | StringColumn | TimestampColumn;
export type ColumnKind = Column['kind'];

/**
 * A text column of `coded`'s rows whose strings are built on first read of
 * `values`. The codes must not change while the column lives. `coded` is not
 * enumerable, so the column compares and spreads as the plain { kind, values }.
 */
export function codedStringColumn(coded: TextCodes): StringColumn {
  let values: (string | null)[] | null = null;
  const column = {
    kind: 'string' as const,
    get values(): (string | null)[] {
      return (values ??= decodeText(coded));
    },
  };
  return Object.defineProperty(column, 'coded', { value: coded, enumerable: false });
}

/** How many rows hold each code: index 0 the missing ones, index k the rows of dictionary[k − 1]. */
export function codeCounts({ codes, dictionary }: TextCodes): Float64Array {
  const counts = new Float64Array(dictionary.length + 1);
  for (let i = 0; i < codes.length; i++) counts[codes[i]!]! += 1;
  return counts;
}

/** The strings a coded column stands for, as a new array. */
export function decodeText({ codes, dictionary }: TextCodes): (string | null)[] {
  const out = new Array<string | null>(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i]!;
    out[i] = code === 0 ? null : dictionary[code - 1]!;
  }
  return out;
}

export interface Frame {
  readonly rowCount: number;
  /** In file order. */
  readonly columns: ReadonlyMap<string, Column>;
}

export function frameOf(columns: Iterable<[string, Column]>): Frame {
  const map = new Map(columns);
  let rowCount = -1;
  for (const [name, column] of map) {
    if (rowCount === -1) rowCount = column.values.length;
    else if (column.values.length !== rowCount) {
      throw new Error(`column "${name}" has ${column.values.length} rows, expected ${rowCount}`);
    }
  }
  return { rowCount: Math.max(rowCount, 0), columns: map };
}

export function requireColumn(frame: Frame, name: string, source = 'the data'): Column {
  const column = frame.columns.get(name);
  if (!column) {
    const known = [...frame.columns.keys()].join(', ');
    throw new Error(`column "${name}" not found in ${source} (columns: ${known})`);
  }
  return column;
}

/** Rows [start, end) of every column, sharing memory for typed arrays. */
export function sliceFrame(frame: Frame, start: number, end: number): Frame {
  const columns = new Map<string, Column>();
  for (const [name, column] of frame.columns) {
    columns.set(name, sliceColumn(column, start, end));
  }
  return { rowCount: Math.max(0, Math.min(end, frame.rowCount) - start), columns };
}

export function sliceColumn(column: Column, start: number, end: number): Column {
  if (column.kind === 'string') {
    if (column.coded) return codedStringColumn({ codes: column.coded.codes.subarray(start, end), dictionary: column.coded.dictionary });
    return { kind: 'string', values: column.values.slice(start, end) };
  }
  return { kind: column.kind, values: column.values.subarray(start, end) } as Column;
}

/** The rows at the given indices, in that order. */
export function takeRows(frame: Frame, indices: ArrayLike<number>): Frame {
  const columns = new Map<string, Column>();
  for (const [name, column] of frame.columns) {
    if (column.kind === 'string') {
      const values = new Array<string | null>(indices.length);
      for (let i = 0; i < indices.length; i++) values[i] = column.values[indices[i]!]!;
      columns.set(name, { kind: 'string', values });
    } else {
      const values = new Float64Array(indices.length);
      for (let i = 0; i < indices.length; i++) values[i] = column.values[indices[i]!]!;
      columns.set(name, { kind: column.kind, values } as Column);
    }
  }
  return { rowCount: indices.length, columns };
}

/**
 * Rows of several frames one after another. Every frame must have the same
 * column names and kinds (e.g. the processed validation and test files).
 */
export function concatFrames(frames: readonly Frame[], sources: readonly string[] = []): Frame {
  if (frames.length === 0) return { rowCount: 0, columns: new Map() };
  if (frames.length === 1) return frames[0]!;
  const first = frames[0]!;
  const rowCount = frames.reduce((n, f) => n + f.rowCount, 0);
  const columns = new Map<string, Column>();
  for (const [name, column] of first.columns) {
    const parts = frames.map((frame, i) => {
      const part = frame.columns.get(name);
      const where = sources[i] ?? `frame ${i + 1}`;
      if (!part) throw new Error(`column "${name}" missing in ${where}`);
      if (part.kind !== column.kind) throw new Error(`column "${name}" is ${part.kind} in ${where} but ${column.kind} in ${sources[0] ?? 'frame 1'}`);
      return part;
    });
    if (column.kind === 'string') {
      columns.set(name, { kind: 'string', values: parts.flatMap((p) => p.values as (string | null)[]) });
    } else {
      const values = new Float64Array(rowCount);
      let offset = 0;
      for (const part of parts) {
        values.set(part.values as Float64Array, offset);
        offset += part.values.length;
      }
      columns.set(name, { kind: column.kind, values } as Column);
    }
  }
  frames.forEach((frame, i) => {
    const extra = [...frame.columns.keys()].filter((name) => !first.columns.has(name));
    if (extra.length > 0) throw new Error(`${sources[i] ?? `frame ${i + 1}`} has columns the first does not: ${extra.join(', ')}`);
  });
  return { rowCount, columns };
}
