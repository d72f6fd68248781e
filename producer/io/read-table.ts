/**
 * `readTable(path)`: any supported file → Frame, the format chosen by the
 * extension (.parquet/.pq, .arrow/.feather/.ipc, .csv). Whole files are read
 * into memory; the sample data and reference sets are small enough.
 *
 * Arrow IPC files must be uncompressed: apache-arrow (JS) has no LZ4/ZSTD
 * codec. pyarrow's feather.write_feather compresses by default, so write them
 * with compression="uncompressed" (or use Parquet).
 */
import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { tableFromIPC, type Table } from 'apache-arrow';
import type { Column, Frame } from '../../processor/frame.js';
import { arrowTableToFrame } from './arrow-to-frame.js';
import { parseCsv } from './csv.js';
import { TableInputError, unknownColumnError } from './errors.js';
import { parquetColumnNames, parquetToArrow } from './parquet.js';

export type TableFormat = 'parquet' | 'arrow' | 'csv';

export interface ReadTableOptions {
  /** Read only these columns, in this order. An unknown name is an error listing the available ones. */
  readonly columns?: readonly string[];
  /** CSV only: columns to parse as ISO 8601 timestamps (see csv.ts). */
  readonly timestampColumns?: readonly string[];
}

const FORMAT_BY_EXTENSION: Readonly<Record<string, TableFormat>> = {
  '.parquet': 'parquet',
  '.pq': 'parquet',
  '.arrow': 'arrow',
  '.feather': 'arrow',
  '.ipc': 'arrow',
  '.csv': 'csv',
};

export const SUPPORTED_EXTENSIONS: readonly string[] = Object.keys(FORMAT_BY_EXTENSION);

export function tableFormatOf(path: string): TableFormat {
  const extension = extname(path).toLowerCase();
  const format = FORMAT_BY_EXTENSION[extension];
  if (!format) {
    throw new TableInputError(
      'unsupported-format',
      path,
      `cannot read ${path}: unsupported file type "${extension || '(none)'}" (expected ${SUPPORTED_EXTENSIONS.join(', ')})`,
    );
  }
  return format;
}

export async function readTable(path: string, options: ReadTableOptions = {}): Promise<Frame> {
  const format = tableFormatOf(path);
  const bytes = await readBytes(path);
  const wanted = options.columns;
  if (format === 'parquet') {
    if (wanted) requireKnown(path, wanted, parquetColumnNames(bytes, path));
    return selectColumns(arrowTableToFrame(parquetToArrow(bytes, path, wanted), path), path, wanted);
  }
  if (format === 'arrow') return selectColumns(arrowTableToFrame(arrowIpcToTable(bytes, path), path), path, wanted);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return selectColumns(parseCsv(text, path, options), path, wanted);
}

/** Column names in file order, reading as little as the format allows (a Parquet footer, a CSV header). */
export async function readColumnNames(path: string): Promise<string[]> {
  const format = tableFormatOf(path);
  const bytes = await readBytes(path);
  if (format === 'parquet') return parquetColumnNames(bytes, path);
  if (format === 'arrow') return arrowIpcToTable(bytes, path).schema.fields.map((f) => f.name);
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return [...parseCsv(firstLine(text), path).columns.keys()];
}

async function readBytes(path: string): Promise<Uint8Array> {
  try {
    if (!(await stat(path)).isFile()) throw new TableInputError('missing-file', path, `cannot read ${path}: not a file`);
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    if (error instanceof TableInputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TableInputError('missing-file', path, `file not found: ${path}`, { cause: error });
    throw new TableInputError('unreadable', path, `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function arrowIpcToTable(bytes: Uint8Array, source: string): Table {
  try {
    const table = tableFromIPC(bytes);
    if (table.schema.fields.length === 0) throw new Error('no columns found (is it an Arrow IPC file?)');
    return table;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TableInputError(
      'unreadable',
      source,
      `cannot read ${source} as an Arrow IPC file: ${reason} (compressed IPC files are not supported; write with compression="uncompressed")`,
      { cause: error },
    );
  }
}

function requireKnown(source: string, wanted: readonly string[], available: readonly string[]): void {
  const known = new Set(available);
  const missing = wanted.filter((name) => !known.has(name));
  if (missing.length > 0) throw unknownColumnError(source, missing, available);
}

/** Keeps the wanted columns in the order asked for (the frame unchanged when none are asked). */
function selectColumns(frame: Frame, source: string, wanted: readonly string[] | undefined): Frame {
  if (!wanted) return frame;
  requireKnown(source, wanted, [...frame.columns.keys()]);
  const columns = new Map<string, Column>();
  for (const name of wanted) columns.set(name, frame.columns.get(name)!);
  return { rowCount: frame.rowCount, columns };
}

function firstLine(text: string): string {
  const end = text.search(/\r?\n/);
  return end === -1 ? text : text.slice(0, end);
}
