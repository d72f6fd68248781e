/**
 * `driftwatch run` with `window.approximate` on the sample data (1,440 rows a
 * daily window, above_rows 500: every full window switches to sketches) next
 * to the same run without it: both complete, Postgres holds every window,
 * and the printed windows agree — quality exactly, drift within the
 * sketch's accuracy. Each window says whether it was approximate, in the
 * printed lines and in the `windows` table.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { sql } from 'slonik';
import { z } from 'zod';
import { createPool, type DatabasePool } from '../../sink/postgres/pool.js';
import * as harness from './helpers/pipeline-harness.js';
import { openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const ABOVE_ROWS = 500;
const RELATIVE_ACCURACY = 0.01;

interface WindowLine {
  window_start: string;
  rows: number;
  approximate_relative_accuracy: number | null;
  drift: { columns: { column: string; score: number | null; drift_detected: boolean }[] };
  quality: Record<string, number>;
  data_quality: unknown;
  [key: string]: unknown;
}

let database: TestDatabase;
let dir: string | undefined;
let pool: DatabasePool;
let exact: WindowLine[];
let approximate: WindowLine[];

before(async () => {
  database = await openTestDatabase();
  const sample = await harness.prepareSample('run-approximate');
  dir = sample.dir;
  const sampleDir = sample.dir;
  const features = harness.SAMPLE_FEATURES;
  const runWith = async (name: string, approximateSection: string): Promise<WindowLine[]> => {
    writeFileSync(join(sampleDir, `${name}.yaml`), `
model: { name: flights-${name}, path: models/delay_regressor.onnx, task: regression }
features: { numerical: [${features.numerical}], categorical: [${features.categorical}] }
columns: { target: delay }
reference: { path: reference }
data: { current: [features/processed_test.parquet] }
window: { size: 1d, max_out_of_orderness: 5m, label_delay: 6h, label_timeout: 2d${approximateSection} }
`);
    const { stdout } = await harness.driftwatch(['run', '--config', join(sampleDir, `${name}.yaml`), '--json', '--port', '0', '--no-progress'], { DATABASE_URL: url });
    return stdout.trim().split('\n').map((line) => JSON.parse(line) as WindowLine);
  };
  const url = await database.newSchemaUrl();
  exact = await runWith('exact', '');
  approximate = await runWith('approximate', `, approximate: { above_rows: ${ABOVE_ROWS}, relative_accuracy: ${RELATIVE_ACCURACY} }`);
  pool = await createPool(url);
});

after(async () => {
  await pool?.end();
  await database?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the approximate run prints the windows of the exact run: same rows and quality, drift within the sketch\'s accuracy', () => {
  assert.equal(approximate.length, exact.length);
  assert.ok(approximate.some((line) => line.rows > ABOVE_ROWS), 'some windows pass above_rows');
  approximate.forEach((line, i) => {
    const other = exact[i]!;
    assert.equal(line.window_start, other.window_start);
    assert.equal(line.rows, other.rows);
    assert.deepEqual(line.quality, other.quality);
    assert.deepEqual(line.data_quality, other.data_quality);
    line.drift.columns.forEach((column, j) => {
      const expected = other.drift.columns[j]!;
      assert.equal(column.column, expected.column);
      assert.ok(Math.abs((column.score ?? 0) - (expected.score ?? 0)) <= 1e-2, `${line.window_start} ${column.column}: ${column.score} vs ${expected.score}`);
    });
  });
});

test('Postgres holds every window of the approximate run, with its feature drift and data quality', async () => {
  const windows = await pool.oneFirst(sql.unsafe`SELECT count(DISTINCT window_start) FROM windows WHERE model = 'flights-approximate'`);
  assert.equal(Number(windows), new Set(approximate.map((line) => line.window_start)).size);
  const columns = await pool.oneFirst(sql.unsafe`SELECT count(*) FROM column_drift WHERE model = 'flights-approximate' AND kind = 'feature'`);
  assert.equal(Number(columns), Number(windows) * 6);
  const quality = await pool.oneFirst(sql.unsafe`SELECT count(*) FROM data_quality WHERE model = 'flights-approximate'`);
  assert.equal(Number(quality), Number(windows) * 6);
});

test('each window says whether it was approximate: printed and stored', async () => {
  const accuracyOf = (line: WindowLine) => (line.rows > ABOVE_ROWS ? RELATIVE_ACCURACY : null);
  for (const line of exact) assert.equal(line.approximate_relative_accuracy, null, `exact run ${line.window_start}`);
  for (const line of approximate) assert.equal(line.approximate_relative_accuracy, accuracyOf(line), `approximate run ${line.window_start} (${line.rows} rows)`);
  const stored = await pool.any(sql.type(z.object({ model: z.string(), window_start: z.number(), row_count: z.number(), approximate_relative_accuracy: z.number().nullable() }))`
    SELECT model, window_start, row_count, approximate_relative_accuracy FROM windows ORDER BY model, window_start`);
  assert.ok(stored.length > 0);
  for (const row of stored) {
    const expected = row.model === 'flights-approximate' && row.row_count > ABOVE_ROWS ? RELATIVE_ACCURACY : null;
    assert.equal(row.approximate_relative_accuracy, expected, `${row.model} ${new Date(row.window_start).toISOString()} (${row.row_count} rows)`);
  }
});
