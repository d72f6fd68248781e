/**
 * `driftwatch adapt`: turn a model's X/y split files into the replayable
 * feature files the rest of the pipeline reads.
 *
 * For every split, X and y are joined row by row (row i of X with row i of y)
 * and two columns are put in front:
 *
 * - `row_id`: a UUID v4 per row (crypto.randomUUID), or with a seed, UUID-v4
 *   shaped ids from a seeded xoroshiro128+ generator so tests and demos are
 *   reproducible;
 * - `event_time`: a synthetic event timestamp. The splits are laid out on one
 *   time line, oldest first: train, validation, test (a split with another
 *   name comes after test, in the order given). The last row of the last split
 *   gets `start`, and every earlier row one `step` earlier, continuing back
 *   through the previous splits: with N rows in total, the row at position g
 *   (0-based, over the concatenation) has event_time = start − (N − 1 − g) · step.
 *   So train is the oldest data, the newest test row is `start`, and replaying
 *   the test split looks like traffic that arrived after training.
 *
 * Output: `processed_<name>.parquet` per split with columns
 * row_id, event_time, the X columns, the y columns (see io/parquet.ts for types).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { xoroshiro128plus } from 'pure-rand';
import type { Column, Frame } from '../processor/frame.js';
import { readTable, SUPPORTED_EXTENSIONS, writeParquet } from './io/index.js';

export interface SplitFiles {
  readonly name: string;
  /** Features file. */
  readonly x: string;
  /** Target file (usually one column), same row count as `x`. */
  readonly y: string;
}

export interface AdaptOptions {
  /** A folder holding X_<name>.<ext> and y_<name>.<ext> pairs. Give this or `splits`. */
  readonly inputDir?: string;
  readonly splits?: readonly SplitFiles[];
  readonly outputDir: string;
  /** Event time of the newest row, epoch ms; default now, truncated to the minute. */
  readonly start?: number;
  /** Milliseconds between consecutive rows; default one minute. */
  readonly stepMs?: number;
  /** Makes row ids reproducible. */
  readonly seed?: number;
  readonly onProgress?: (message: string) => void;
}

export interface AdaptedSplit {
  readonly name: string;
  readonly rows: number;
  readonly file: string;
  /** Event times of the split's first and last rows, epoch ms (NaN for an empty split). */
  readonly firstEventTime: number;
  readonly lastEventTime: number;
}

export interface AdaptSummary {
  readonly start: number;
  readonly stepMs: number;
  readonly seed?: number;
  readonly featureColumns: readonly string[];
  readonly targetColumns: readonly string[];
  readonly splits: readonly AdaptedSplit[];
}

export const ROW_ID_COLUMN = 'row_id';
export const EVENT_TIME_COLUMN = 'event_time';
export const DEFAULT_STEP_MS = 60_000;
const RESERVED_COLUMNS = [ROW_ID_COLUMN, EVENT_TIME_COLUMN];

/** Canonical time order of the usual split names; other names come after, as given. */
const SPLIT_RANK: Readonly<Record<string, number>> = { train: 0, validation: 1, test: 2 };

export function orderSplits<S extends { name: string }>(splits: readonly S[]): S[] {
  const rank = (s: S) => SPLIT_RANK[s.name] ?? Object.keys(SPLIT_RANK).length;
  return [...splits].sort((a, b) => rank(a) - rank(b)); // Array.prototype.sort is stable
}

/** Now, truncated to the whole minute (never in the future). */
export function defaultStart(now = Date.now()): number {
  return Math.floor(now / 60_000) * 60_000;
}

/** event_time of every row, concatenated over the ordered splits (see the file comment). */
export function eventTimes(totalRows: number, start: number, stepMs: number): Float64Array {
  const times = new Float64Array(totalRows);
  for (let g = 0; g < totalRows; g++) times[g] = start - (totalRows - 1 - g) * stepMs;
  return times;
}

/**
 * A UUID v4 source. Seeded: 16 bytes from four 32-bit outputs of
 * xoroshiro128+, then the v4 version nibble and RFC 4122 variant bits set
 * (as crypto.randomUUID does), so ids look and sort like real ones.
 */
export function rowIdGenerator(seed?: number): () => string {
  if (seed === undefined) return () => randomUUID();
  const rng = xoroshiro128plus(seed);
  const bytes = new Uint8Array(16);
  const words = new DataView(bytes.buffer);
  return () => {
    for (let w = 0; w < 4; w++) words.setUint32(4 * w, rng.unsafeNext() >>> 0);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = Buffer.from(bytes).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/** X_<name>.<ext> files of a folder and their y_<name> partners. */
export async function findSplits(inputDir: string): Promise<SplitFiles[]> {
  let entries: string[];
  try {
    entries = await readdir(inputDir);
  } catch {
    throw new Error(`input folder not found or not readable: ${inputDir}`);
  }
  const extensions = SUPPORTED_EXTENSIONS.map((e) => e.slice(1)).join('|');
  const pattern = new RegExp(`^X_(.+)\\.(${extensions})$`, 'i');
  const splits: SplitFiles[] = [];
  for (const entry of entries.sort()) {
    const match = pattern.exec(entry);
    if (!match) continue;
    const name = match[1]!;
    const y = entries.find((e) => new RegExp(`^y_${escapeRegExp(name)}\\.(${extensions})$`, 'i').test(e));
    if (!y) throw new Error(`${join(inputDir, entry)} has no matching target file y_${name}.<${extensions}> in ${inputDir}`);
    splits.push({ name, x: join(inputDir, entry), y: join(inputDir, y) });
  }
  if (splits.length === 0) {
    throw new Error(`no X_<name>.<ext> files in ${inputDir} (expected e.g. X_train.parquet and y_train.parquet)`);
  }
  return splits;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface LoadedSplit {
  readonly split: SplitFiles;
  readonly x: Frame;
  readonly y: Frame;
}

export async function adapt(options: AdaptOptions): Promise<AdaptSummary> {
  const { outputDir, seed, onProgress = () => {} } = options;
  const start = options.start ?? defaultStart();
  const stepMs = options.stepMs ?? DEFAULT_STEP_MS;
  if (!Number.isFinite(start)) throw new Error('start must be a valid time');
  if (!(stepMs > 0)) throw new Error(`step must be positive, got ${stepMs} ms`);
  if ((options.inputDir === undefined) === (options.splits === undefined)) {
    throw new Error('give either an input folder or a list of X/y files, not both or neither');
  }
  const listed = options.splits ?? (await findSplits(options.inputDir!));
  const duplicate = listed.find((s, i) => listed.findIndex((t) => t.name === s.name) !== i);
  if (duplicate) throw new Error(`split "${duplicate.name}" is given twice`);
  const splits = orderSplits(listed);

  const loaded: LoadedSplit[] = [];
  for (const split of splits) {
    onProgress(`reading ${split.name}: ${split.x}, ${split.y}`);
    loaded.push({ split, x: await readTable(split.x), y: await readTable(split.y) });
  }
  const { featureColumns, targetColumns } = checkSplits(loaded);

  const totalRows = loaded.reduce((n, l) => n + l.x.rowCount, 0);
  const times = eventTimes(totalRows, start, stepMs);
  const nextRowId = rowIdGenerator(seed);
  await mkdir(outputDir, { recursive: true });
  const adapted: AdaptedSplit[] = [];
  let offset = 0;
  for (const { split, x, y } of loaded) {
    const rows = x.rowCount;
    const splitTimes = times.slice(offset, offset + rows);
    const rowIds = Array.from({ length: rows }, nextRowId);
    const columns = new Map<string, Column>([
      [ROW_ID_COLUMN, { kind: 'string', values: rowIds }],
      [EVENT_TIME_COLUMN, { kind: 'timestamp', values: splitTimes }],
      ...featureColumns.map((name) => [name, x.columns.get(name)!] as const),
      ...targetColumns.map((name) => [name, y.columns.get(name)!] as const),
    ]);
    const file = join(outputDir, `processed_${split.name}.parquet`);
    onProgress(`writing ${file} (${rows} rows)`);
    await writeParquet(file, { rowCount: rows, columns });
    adapted.push({ name: split.name, rows, file, firstEventTime: splitTimes[0] ?? NaN, lastEventTime: splitTimes[rows - 1] ?? NaN });
    offset += rows;
  }
  return { start, stepMs, ...(seed !== undefined ? { seed } : {}), featureColumns, targetColumns, splits: adapted };
}

/**
 * Every split must pair X and y of equal length, and all splits must share
 * the columns (names and kinds) of the first, or the processed files would
 * not describe one model's input. Each problem is one message naming files and columns.
 */
function checkSplits(loaded: readonly LoadedSplit[]): { featureColumns: string[]; targetColumns: string[] } {
  const first = loaded[0]!;
  for (const { split, x, y } of loaded) {
    if (x.rowCount !== y.rowCount) {
      throw new Error(`row counts differ for split "${split.name}": ${split.x} has ${x.rowCount} rows, ${split.y} has ${y.rowCount}`);
    }
    if (y.columns.size === 0) throw new Error(`${split.y} has no columns (expected the target)`);
    const both = [...y.columns.keys()].filter((name) => x.columns.has(name));
    if (both.length > 0) throw new Error(`column(s) ${quoteAll(both)} appear in both ${split.x} and ${split.y}`);
    for (const [frame, file] of [[x, split.x], [y, split.y]] as const) {
      const reserved = RESERVED_COLUMNS.filter((name) => frame.columns.has(name));
      if (reserved.length > 0) throw new Error(`${file} already has column(s) ${quoteAll(reserved)}, which adapt adds itself`);
    }
    sameColumns(first.x, first.split.x, x, split.x);
    sameColumns(first.y, first.split.y, y, split.y);
  }
  return { featureColumns: [...first.x.columns.keys()], targetColumns: [...first.y.columns.keys()] };
}

function sameColumns(expected: Frame, expectedFile: string, actual: Frame, actualFile: string): void {
  const missing = [...expected.columns.keys()].filter((name) => !actual.columns.has(name));
  if (missing.length > 0) throw new Error(`${actualFile} lacks column(s) ${quoteAll(missing)} found in ${expectedFile}`);
  const extra = [...actual.columns.keys()].filter((name) => !expected.columns.has(name));
  if (extra.length > 0) throw new Error(`${actualFile} has column(s) ${quoteAll(extra)} not found in ${expectedFile}`);
  for (const [name, column] of expected.columns) {
    const kind = actual.columns.get(name)!.kind;
    if (kind !== column.kind) throw new Error(`column "${name}" is ${column.kind} in ${expectedFile} but ${kind} in ${actualFile}`);
  }
}

function quoteAll(names: readonly string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
