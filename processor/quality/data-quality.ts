/**
 * Data quality of one window against the reference profiles built at start-up.
 * Counts follow pandas semantics, as Evidently's column metrics do
 * (evidently/metrics/column_statistics.py):
 *
 * - missing: null in a text column, NaN in a number column (±inf is a value,
 *   as for pandas' isna); missing_share = missing / rows (MissingValueCount).
 * - numerical columns, out of range: non-missing values outside the reference
 *   [min, max] (inclusive bounds, pandas `between`; ±inf is out of range);
 *   out_of_range_share = out / non-missing values (OutRangeValueCount's
 *   denominator is `count()`, not rows). NaN when no value is present.
 *   Categorical columns report null.
 * - categorical columns, unseen: rows whose value is not a reference category
 *   (unseen_count counts rows, like OutListValueCount), and the distinct unseen
 *   values ascending, at most MAX_UNSEEN_VALUES of them. Numbers are keyed by
 *   their text, as in the reference profile (categoricalProfile).
 * - type violations: only a text column declared numerical can have them: a
 *   value that is not null but does not parse as a number
 *   (pandas.to_numeric(errors="coerce") gives NaN). The text "nan" (any case)
 *   is read as missing, not as a violation. Violations are neither missing nor
 *   counted in the out-of-range denominator.
 * - dataset: rows, rows with a missing value in any of the given columns, and
 *   their share of rows (NaN for an empty window).
 *
 * An approximate window (window/approximate-window.ts) has no values for its
 * sketched columns, only their counts, taken exactly on arrival, and a per-row
 * flag "some sketched column is missing": the same numbers as the exact path.
 */
import type { Column, Frame, TextCodes } from '../frame.js';
import { codeCounts, requireColumn } from '../frame.js';
import type { ColumnSpec } from '../drift/compare.js';
import type { ColumnProfile } from '../drift/types.js';
import type { SketchedQualityCounts } from '../window/sketched-column.js';
import type { ColumnDataQuality, DataQuality } from './types.js';

/** The sketched columns of an approximate window: their counts, and per row 1 where any of them is missing. */
export interface SketchedQuality {
  readonly columns: ReadonlyMap<string, SketchedQualityCounts>;
  readonly rowMissing: ArrayLike<number>;
}

export const MAX_UNSEEN_VALUES = 20;
/** Longer unseen values are cut to this many characters (and marked with …), so one
 * huge bad value cannot blow up a window-metrics message past the broker's limit. */
export const MAX_UNSEEN_VALUE_LENGTH = 200;

export function dataQuality(
  frame: Frame,
  columns: readonly ColumnSpec[],
  referenceProfiles: ReadonlyMap<string, ColumnProfile>,
  sketched?: SketchedQuality,
): DataQuality {
  const rows = frame.rowCount;
  const rowHasMissing = new Uint8Array(rows);
  if (sketched) for (let i = 0; i < rows; i++) if (sketched.rowMissing[i]) rowHasMissing[i] = 1;
  const results = columns.map((spec) => {
    const reference = referenceProfiles.get(spec.name);
    if (!reference) throw new Error(`data quality: no reference profile for column "${spec.name}"`);
    if (reference.type !== spec.type) {
      throw new Error(`data quality: column "${spec.name}" is declared ${spec.type} but its reference profile is ${reference.type}`);
    }
    const counts = sketched?.columns.get(spec.name);
    if (counts) return numericalRecord(spec.name, rows, counts.missing, counts.present, counts.outOfRange, 0);
    const column = requireColumn(frame, spec.name, 'the current data');
    if (spec.type === 'categorical' && column.kind === 'string' && column.coded) {
      return codedCategoricalQuality(spec.name, column.coded, rowHasMissing, reference);
    }
    const { values, missing } = spec.type === 'numerical' ? numericValues(column) : categoryValues(column);
    for (let i = 0; i < rows; i++) if (missing[i]) rowHasMissing[i] = 1;
    return spec.type === 'numerical'
      ? numericalQuality(spec.name, values as Float64Array, missing, reference)
      : categoricalQuality(spec.name, values as (string | null)[], missing, reference);
  });
  let rowsWithMissing = 0;
  for (let i = 0; i < rows; i++) rowsWithMissing += rowHasMissing[i]!;
  return {
    rows,
    rows_with_missing: rowsWithMissing,
    rows_with_missing_share: rowsWithMissing / rows,
    columns: results,
  };
}

/** Parsed numbers (NaN where missing or unparsable) and the missing mask. */
function numericValues(column: Column): { values: Float64Array; missing: Uint8Array } {
  if (column.kind !== 'string') {
    const missing = new Uint8Array(column.values.length);
    for (let i = 0; i < missing.length; i++) if (Number.isNaN(column.values[i])) missing[i] = 1;
    return { values: column.values, missing };
  }
  const values = new Float64Array(column.values.length);
  const missing = new Uint8Array(column.values.length);
  column.values.forEach((text, i) => {
    if (text === null || /^\s*nan\s*$/i.test(text)) {
      missing[i] = 1;
      values[i] = NaN;
    } else values[i] = parseNumber(text);
  });
  return { values, missing };
}

/**
 * A decimal number as pandas.to_numeric reads it: optional sign, digits with an
 * optional fraction, optional exponent, or inf/infinity; surrounding blanks
 * allowed. Anything else (including "", hex and thousands separators) is NaN.
 */
export function parseNumber(text: string): number {
  const trimmed = text.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(trimmed)) return Number(trimmed);
  const infinity = /^([+-]?)inf(inity)?$/i.exec(trimmed);
  if (infinity) return infinity[1] === '-' ? -Infinity : Infinity;
  return NaN;
}

/** Category keys (null where missing) and the missing mask. */
function categoryValues(column: Column): { values: (string | null)[]; missing: Uint8Array } {
  const values: (string | null)[] =
    column.kind === 'string' ? column.values : Array.from(column.values, (v) => (Number.isNaN(v) ? null : String(v)));
  const missing = new Uint8Array(values.length);
  for (let i = 0; i < missing.length; i++) if (values[i] === null) missing[i] = 1;
  return { values, missing };
}

function countOf(mask: Uint8Array): number {
  let count = 0;
  for (const m of mask) count += m;
  return count;
}

function numericalQuality(name: string, values: Float64Array, missing: Uint8Array, reference: ColumnProfile): ColumnDataQuality {
  if (reference.type !== 'numerical') throw new Error(`data quality: column "${name}" needs a numerical reference profile`);
  let present = 0;
  let outOfRange = 0;
  let typeViolations = 0;
  for (let i = 0; i < values.length; i++) {
    if (missing[i]) continue;
    const v = values[i]!;
    if (Number.isNaN(v)) {
      typeViolations++;
      continue;
    }
    present++;
    // Written as "not inside" so an empty reference (min = max = NaN) puts every value out of range, as pandas' between does.
    if (!(v >= reference.min && v <= reference.max)) outOfRange++;
  }
  return numericalRecord(name, values.length, countOf(missing), present, outOfRange, typeViolations);
}

function numericalRecord(name: string, rows: number, missing: number, present: number, outOfRange: number, typeViolations: number): ColumnDataQuality {
  return {
    column: name,
    missing_count: missing,
    missing_share: missing / rows,
    out_of_range_count: outOfRange,
    out_of_range_share: outOfRange / present,
    unseen_count: 0,
    unseen_values: [],
    type_violations: typeViolations,
  };
}

function categoricalQuality(name: string, values: (string | null)[], missing: Uint8Array, reference: ColumnProfile): ColumnDataQuality {
  if (reference.type !== 'categorical') throw new Error(`data quality: column "${name}" needs a categorical reference profile`);
  const known = new Set(reference.categories);
  const unseen = new Set<string>();
  let unseenCount = 0;
  for (const v of values) {
    if (v !== null && !known.has(v)) {
      unseenCount++;
      unseen.add(v);
    }
  }
  return categoricalRecord(name, values.length, countOf(missing), unseenCount, unseen);
}

/**
 * categoricalQuality of the decoded rows, counted on the codes (distinct codes
 * are distinct strings); marks the rows with a missing value in rowHasMissing.
 */
function codedCategoricalQuality(name: string, coded: TextCodes, rowHasMissing: Uint8Array, reference: ColumnProfile): ColumnDataQuality {
  if (reference.type !== 'categorical') throw new Error(`data quality: column "${name}" needs a categorical reference profile`);
  const { codes, dictionary } = coded;
  for (let i = 0; i < codes.length; i++) if (codes[i] === 0) rowHasMissing[i] = 1;
  const perCode = codeCounts(coded);
  const known = new Set(reference.categories);
  const unseen = new Set<string>();
  let unseenCount = 0;
  dictionary.forEach((v, k) => {
    if (perCode[k + 1]! > 0 && !known.has(v)) {
      unseenCount += perCode[k + 1]!;
      unseen.add(v);
    }
  });
  return categoricalRecord(name, codes.length, perCode[0]!, unseenCount, unseen);
}

function categoricalRecord(name: string, rows: number, missingCount: number, unseenCount: number, unseen: ReadonlySet<string>): ColumnDataQuality {
  return {
    column: name,
    missing_count: missingCount,
    missing_share: missingCount / rows,
    out_of_range_count: null,
    out_of_range_share: null,
    unseen_count: unseenCount,
    unseen_values: [...unseen].sort().slice(0, MAX_UNSEEN_VALUES)
      .map((v) => (v.length > MAX_UNSEEN_VALUE_LENGTH ? `${v.slice(0, MAX_UNSEEN_VALUE_LENGTH)}…` : v)),
    type_violations: 0,
  };
}
