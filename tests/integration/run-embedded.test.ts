/**
 * `driftwatch run` end to end, the way a user runs it: adapt → reference →
 * run --json into a real Postgres. Then, from outside: every window's drift
 * equals `driftwatch drift` on that window's rows against the reference file,
 * and the Postgres tables hold exactly the last revision of every window.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'slonik';
import { runDrift } from '../../cli/commands/drift.js';
import { requireColumn, takeRows } from '../../processor/frame.js';
import { readTable, writeParquet } from '../../producer/io/index.js';
import { createPool, type DatabasePool } from '../../sink/postgres/pool.js';
import { makeTempDir, openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const run = promisify(execFile);
const cli = ['--import', 'tsx', 'cli/driftwatch.ts'];
const features = { numerical: ['hour', 'weekday', 'month', 'distance'], categorical: ['origin', 'destination'] };

interface WindowLine {
  window_start: string;
  window_end: string;
  revision: number;
  rows: number;
  labelled_rows: number;
  drift: Awaited<ReturnType<typeof runDrift>>;
  quality: Record<string, number>;
}

let database: TestDatabase;
let pool: DatabasePool;
let dir: string;
let lines: WindowLine[];
let runLog: string;
let databasePassword: string;

before(async () => {
  database = await openTestDatabase();
  const url = await database.newSchemaUrl();
  dir = await makeTempDir('driftwatch-run-');
  cpSync('data/models', join(dir, 'models'), { recursive: true });
  const driftwatch = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    run(process.execPath, [...cli, ...args], { env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });
  await driftwatch(['adapt', '--dir', 'data/flights', '--out', join(dir, 'features'), '--start', '2026-01-31T23:59:00Z', '--seed', '7']);
  await driftwatch(['reference', '--train', join(dir, 'features', 'processed_train.parquet'), '--model', join(dir, 'models', 'delay_regressor.onnx'),
    '--numerical', features.numerical.join(','), '--categorical', features.categorical.join(','), '--target', 'delay',
    '--out', join(dir, 'reference'), '--size', '3000', '--seed', '3']);
  writeFileSync(join(dir, 'config.yaml'), `
model: { name: flights-test, path: models/delay_regressor.onnx, task: regression }
features: { numerical: [${features.numerical}], categorical: [${features.categorical}] }
columns: { target: delay }
reference: { path: reference }
data: { current: [features/processed_test.parquet] }
window: { size: 1d, max_out_of_orderness: 5m, label_delay: 6h, label_timeout: 2d }
`);
  const { stdout, stderr } = await driftwatch(['run', '--config', join(dir, 'config.yaml'), '--json', '--port', '0', '--no-progress'], { DATABASE_URL: url, DRIFTWATCH_LOG_LEVEL: 'debug' });
  lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as WindowLine);
  runLog = stderr;
  databasePassword = decodeURIComponent(new URL(url).password);
  pool = await createPool(url);
});

after(async () => {
  await pool?.end();
  await database?.close();
});

/** The last revision printed for each window. */
function finalLines(): Map<string, WindowLine> {
  const byStart = new Map<string, WindowLine>();
  for (const line of lines) byStart.set(line.window_start, line);
  return byStart;
}

test('every test row lands in exactly one daily window, and labels re-fire windows', () => {
  const finals = [...finalLines().values()];
  assert.equal(finals.reduce((n, w) => n + w.rows, 0), 20000);
  for (const w of finals) {
    assert.equal(Date.parse(w.window_end) - Date.parse(w.window_start), 86_400_000);
    assert.equal(w.labelled_rows, w.rows, `window ${w.window_start} ends fully labelled`);
  }
  assert.ok(lines.some((l) => l.revision > 1), 'some window was updated when its late labels came in');
});

test('each window\'s drift equals `driftwatch drift` on the same rows against the reference', async () => {
  const test = await readTable(join(dir, 'features', 'processed_test.parquet'));
  const eventTimes = requireColumn(test, 'event_time').values as Float64Array;
  const finals = [...finalLines().values()];
  // First, a middle and the last window: a partial first day, full days, the end of input.
  for (const w of [finals[0]!, finals[Math.floor(finals.length / 2)]!, finals.at(-1)!]) {
    const start = Date.parse(w.window_start);
    const end = Date.parse(w.window_end);
    const rows: number[] = [];
    for (let i = 0; i < test.rowCount; i++) if (eventTimes[i]! >= start && eventTimes[i]! < end) rows.push(i);
    const file = join(dir, `window-${start}.parquet`);
    await writeParquet(file, takeRows(test, rows));
    const expected = await runDrift({
      reference: join(dir, 'reference', 'reference.parquet'),
      current: file,
      columns: [...features.numerical, ...features.categorical],
      categorical: features.categorical,
      format: 'json',
    });
    assert.deepEqual(w.drift, JSON.parse(JSON.stringify(expected)), `window ${w.window_start}`);
  }
});

test('Postgres holds the last revision of every window, once', async () => {
  const finals = finalLines();
  const stored = await pool.any(sql.unsafe`
    SELECT w.window_start, w.revision, w.row_count, d.share_of_drifted_columns, q.value AS mae
    FROM windows w
    JOIN dataset_drift d USING (model, window_start)
    LEFT JOIN model_quality q ON q.model = w.model AND q.window_start = w.window_start AND q.metric = 'mae'
    WHERE w.model = 'flights-test' ORDER BY w.window_start`);
  assert.equal(stored.length, finals.size);
  for (const row of stored) {
    const line = finals.get(new Date(row.window_start as number).toISOString());
    assert.ok(line, `window ${row.window_start} was printed`);
    assert.equal(row.revision, line.revision);
    assert.equal(row.row_count, line.rows);
    assert.equal(row.share_of_drifted_columns, line.drift.share_of_drifted_columns);
    assert.equal(row.mae, line.quality.mae);
  }
  const predictions = await pool.oneFirst(sql.unsafe`SELECT count(*) FROM predictions WHERE model = 'flights-test' AND target IS NOT NULL`);
  assert.equal(Number(predictions), 20000);
  const columns = await pool.oneFirst(sql.unsafe`SELECT count(*) FROM column_drift WHERE model = 'flights-test' AND kind = 'feature'`);
  assert.equal(Number(columns), finals.size * 6);
});

test('the database password never reaches the logs', () => {
  assert.ok(databasePassword.length > 0, 'the test database URL carries a password');
  assert.match(runLog, /connecting to Postgres/);
  assert.ok(!runLog.includes(databasePassword), 'password found in the run log');
});
