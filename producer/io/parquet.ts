/**
 * Parquet through parquet-wasm (Rust's parquet crate compiled to WebAssembly):
 * Parquet bytes → Arrow IPC stream (in wasm memory) → apache-arrow Table → Frame.
 *
 * parquet-wasm's "node" build is CommonJS inside an ESM package and cannot be
 * imported from ESM, so the "esm" build is used and its .wasm is instantiated
 * synchronously from disk, once per process.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import {
  Compression,
  initSync,
  readParquet,
  readSchema,
  Table as WasmTable,
  writeParquet as writeParquetBytes,
  WriterPropertiesBuilder,
} from 'parquet-wasm/esm';
import type { Frame } from '../../processor/frame.js';
import { TableInputError } from './errors.js';
import { frameToArrowTable } from './frame-to-arrow.js';

/**
 * Rows per Arrow record batch when decoding. parquet-wasm's default (1024)
 * makes thousands of batches for a large file and triples the read time; one
 * large batch per row group is fastest (3M flights rows: ~1 s instead of ~6 s).
 */
const READ_BATCH_ROWS = 1 << 22;

let initialised = false;
function ensureWasm(): void {
  if (initialised) return;
  const require = createRequire(import.meta.url);
  initSync({ module: readFileSync(require.resolve('parquet-wasm/esm/parquet_wasm_bg.wasm')) });
  initialised = true;
}

function unreadable(source: string, error: unknown): TableInputError {
  const reason = error instanceof Error ? error.message : String(error);
  return new TableInputError('unreadable', source, `cannot read ${source} as Parquet: ${reason}`, { cause: error });
}

/** Column names in file order, from the footer only (no data pages decoded). */
export function parquetColumnNames(bytes: Uint8Array, source: string): string[] {
  ensureWasm();
  try {
    return tableFromIPC(readSchema(bytes).intoIPCStream()).schema.fields.map((f) => f.name);
  } catch (error) {
    throw unreadable(source, error);
  }
}

/**
 * Decodes the file into an Arrow table. `columns` is passed on, but
 * parquet-wasm 0.7.1's synchronous readParquet ignores it and decodes every
 * column, so callers must still select (readTable does).
 */
export function parquetToArrow(bytes: Uint8Array, source: string, columns?: readonly string[]): Table {
  ensureWasm();
  try {
    const wasmTable = readParquet(bytes, { batchSize: READ_BATCH_ROWS, ...(columns ? { columns: [...columns] } : {}) });
    return tableFromIPC(wasmTable.intoIPCStream());
  } catch (error) {
    throw unreadable(source, error);
  }
}

/**
 * Writes a frame as one Parquet file (snappy-compressed). Column types:
 * number → double, string → utf8 (BYTE_ARRAY/STRING), timestamp →
 * timestamp-millis with isAdjustedToUTC; missing values are nulls.
 * See frame-to-arrow.ts for why integers come back as doubles.
 */
export async function writeParquet(path: string, frame: Frame): Promise<void> {
  ensureWasm();
  const ipc = tableToIPC(frameToArrowTable(frame), 'stream');
  const properties = new WriterPropertiesBuilder().setCompression(Compression.SNAPPY).build();
  const bytes = writeParquetBytes(WasmTable.fromIPCStream(ipc), properties);
  await writeFile(path, bytes);
}
