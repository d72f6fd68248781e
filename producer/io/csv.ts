/**
 * CSV → Frame. The first record is the header. Each column's type is inferred
 * from all its values, the way a user expects from pandas.read_csv:
 *
 * - a cell is empty when it is blank after trimming spaces;
 * - every non-empty cell numeric (decimal or exponent notation, or nan / inf /
 *   -inf / infinity in any case) → number column, empty → NaN;
 * - a column named in `timestampColumns` → timestamp column: ISO 8601 dates or
 *   date-times, an absent zone meaning UTC (pandas' naive timestamps), empty →
 *   NaN; a value that is not ISO 8601 is an error naming file, row and column;
 * - otherwise text, the cell as written (untrimmed), empty → null.
 *
 * Text that merely looks like a date stays text unless named: guessing
 * formats silently is how "2024-03-04" becomes April 3rd.
 */
import { parse } from 'csv-parse/sync';
import type { Column, Frame } from '../../processor/frame.js';
import { TableInputError, unknownColumnError } from './errors.js';

export interface CsvOptions {
  /** Columns to parse as ISO 8601 timestamps. */
  readonly timestampColumns?: readonly string[];
}

const NUMBER_PATTERN = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE_PATTERN = /^([+-]?)(nan|inf|infinity)$/i;

/** The number a trimmed cell spells, or undefined when it is not numeric. */
export function parseCsvNumber(cell: string): number | undefined {
  if (NUMBER_PATTERN.test(cell)) return Number(cell);
  const nonFinite = NON_FINITE_PATTERN.exec(cell);
  if (!nonFinite) return undefined;
  if (nonFinite[2]!.toLowerCase() === 'nan') return NaN;
  return nonFinite[1] === '-' ? -Infinity : Infinity;
}

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Epoch milliseconds of an ISO 8601 date or date-time (no zone = UTC), or undefined. */
export function parseIsoTimestamp(text: string): number | undefined {
  const m = ISO_PATTERN.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part)));
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const millis = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  let ms = Date.UTC(year!, month! - 1, day!, hour, minute, second, millis);
  if (new Date(Date.UTC(year!, month! - 1, day!)).getUTCDate() !== day) return undefined; // 2023-02-30
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60_000;
  }
  return ms;
}

export function parseCsv(text: string, source: string, options: CsvOptions = {}): Frame {
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_quotes: false }) as string[][];
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TableInputError('unreadable', source, `cannot read ${source} as CSV: ${reason}`, { cause: error });
  }
  const header = records[0];
  if (!header) throw new TableInputError('unreadable', source, `cannot read ${source} as CSV: the file is empty (no header row)`);
  const duplicate = header.find((name, i) => header.indexOf(name) !== i);
  if (duplicate !== undefined) {
    throw new TableInputError('unreadable', source, `cannot read ${source} as CSV: column "${duplicate}" appears twice in the header`);
  }
  const timestampColumns = new Set(options.timestampColumns ?? []);
  const missing = [...timestampColumns].filter((name) => !header.includes(name));
  if (missing.length > 0) throw unknownColumnError(source, missing, header);

  const rows = records.slice(1);
  const columns = new Map<string, Column>();
  header.forEach((name, c) => {
    const cells = rows.map((row) => row[c] ?? '');
    columns.set(name, timestampColumns.has(name) ? timestampColumn(cells, name, source) : inferColumn(cells));
  });
  return { rowCount: rows.length, columns };
}

function isEmpty(cell: string): boolean {
  return cell.trim().length === 0;
}

function inferColumn(cells: readonly string[]): Column {
  const numbers = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (isEmpty(cell)) {
      numbers[i] = NaN;
      continue;
    }
    const value = parseCsvNumber(cell.trim());
    if (value === undefined) return { kind: 'string', values: cells.map((v) => (isEmpty(v) ? null : v)) };
    numbers[i] = value;
  }
  return { kind: 'number', values: numbers };
}

function timestampColumn(cells: readonly string[], name: string, source: string): Column {
  const values = new Float64Array(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    if (isEmpty(cell)) {
      values[i] = NaN;
      continue;
    }
    const ms = parseIsoTimestamp(cell.trim());
    if (ms === undefined) {
      throw new TableInputError(
        'unreadable',
        source,
        `row ${i + 1} of ${source}, column "${name}": "${cell}" is not an ISO 8601 timestamp (e.g. 2024-05-01T12:30:00Z)`,
      );
    }
    values[i] = ms;
  }
  return { kind: 'timestamp', values };
}
