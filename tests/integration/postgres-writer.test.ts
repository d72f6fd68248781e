/**
 * The Postgres sink against a real server: DATABASE_URL when set, else an
 * embedded one (see postgres-test-db.ts). Windows are written by hand here and
 * read back table by table; expected values are the literals written, never
 * our own output.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type DatabasePool } from 'slonik';
import type { PredictionRecord, WindowMetrics } from '../../processor/results.js';
import type { ColumnDriftResult } from '../../processor/drift/types.js';
import { loadMigrations, migrate } from '../../sink/postgres/migrate.js';
import { createPool } from '../../sink/postgres/pool.js';
import { writePredictions, writeWindow } from '../../sink/postgres/writer.js';
import { openTestDatabase, type TestDatabase } from './postgres-test-db.js';

const TABLES = ['windows', 'column_drift', 'dataset_drift', 'model_quality', 'confusion_matrix',
  'data_quality', 'dataset_quality', 'predictions', 'schema_migrations'];
const START = Date.UTC(2024, 2, 1, 10, 0, 0);
const END = START + 3_600_000;

let db: TestDatabase;
let pool: DatabasePool;

before(async () => {
  const started = performance.now();
  db = await openTestDatabase();
  pool = await createPool(await db.newSchemaUrl());
  await migrate(pool);
  console.log(`# postgres-writer tests use ${db.source}; database ready in ${(performance.now() - started).toFixed(0)} ms`);
});

after(async () => {
  await pool?.end();
  await db?.close();
});

const ageDrift: ColumnDriftResult = {
  column: 'age', type: 'numerical', stattest: 'ks', score: 0.0123, threshold: 0.05, drift_detected: true,
  statistic: 0.41, reference_count: 500, current_count: 120,
};
const cityDrift: ColumnDriftResult = {
  column: 'city', type: 'categorical', stattest: 'chisquare', score: 0, threshold: 0.05, drift_detected: true,
  statistic: Infinity, reference_count: 500, current_count: 118,
};
const emptyDrift: ColumnDriftResult = {
  column: 'income', type: 'numerical', stattest: 'ks', score: null, threshold: 0.05, drift_detected: false,
  reference_count: 500, current_count: 0, error: 'column "income" is empty after cleaning',
};

function windowMetrics(overrides: Partial<WindowMetrics> = {}): WindowMetrics {
  return {
    model: 'churn', windowStart: START, windowEnd: END, revision: 1, rows: 120, labelledRows: 100,
    drift: {
      columns: [ageDrift, cityDrift, emptyDrift], number_of_columns: 3, number_of_drifted_columns: 2,
      share_of_drifted_columns: 2 / 3, dataset_drift: true, drift_share: 0.5,
    },
    predictionDrift: {
      column: 'prediction', type: 'numerical', stattest: 'wasserstein', score: 0.07, threshold: 0.1,
      drift_detected: false, reference_count: 500, current_count: 120,
    },
    targetDrift: {
      column: 'churned', type: 'categorical', stattest: 'z', score: 0.5, threshold: 0.05, drift_detected: false,
      statistic: -0.67, reference_count: 500, current_count: 100,
    },
    regression: null,
    classification: {
      count: 100, accuracy: 0.81, precision: 0.7, recall: 0.6363636363636364, f1: 0.6666666666666666,
      roc_auc: 0.85, log_loss: null, labels: ['0', '1'], confusion_matrix: [[60, 9], [10, 21]],
    },
    dataQuality: {
      rows: 120, rows_with_missing: 3, rows_with_missing_share: 0.025,
      columns: [
        { column: 'age', missing_count: 2, missing_share: 2 / 120, out_of_range_count: 5, out_of_range_share: 5 / 120,
          unseen_count: 0, unseen_values: [], type_violations: 1 },
        { column: 'city', missing_count: 1, missing_share: 1 / 120, out_of_range_count: null, out_of_range_share: null,
          unseen_count: 2, unseen_values: ['Zürich', "O'Hare"], type_violations: 0 },
      ],
    },
    ...overrides,
  };
}

async function rows(query: ReturnType<typeof sql.unsafe>): Promise<Record<string, unknown>[]> {
  return [...(await pool.any(query))].map((row) => ({ ...row }));
}

async function countOf(table: string): Promise<number> {
  return pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM ${sql.identifier([table])}`);
}

async function clearTables(): Promise<void> {
  for (const table of TABLES.filter((t) => t !== 'schema_migrations')) {
    await pool.query(sql.unsafe`DELETE FROM ${sql.identifier([table])}`);
  }
}

test('migrate is idempotent and safe when two processes run it at once', async () => {
  // Every migration in schemas/migrations, whatever later ones are added.
  const all = loadMigrations().map((m) => m.version);
  assert.ok(all.includes('0001'));
  assert.deepEqual(await migrate(pool), { applied: [], skipped: all });
  const freshUrl = await db.newSchemaUrl();
  const [a, b] = [await createPool(freshUrl), await createPool(freshUrl)];
  try {
    const results = await Promise.all([migrate(a), migrate(b)]);
    assert.deepEqual(results.map((r) => r.applied).flat().sort(), all, 'exactly one process applies each migration');
    assert.equal(await a.oneFirst(sql.unsafe`SELECT count(*)::int FROM schema_migrations`), all.length);
    assert.equal(await a.oneFirst(sql.unsafe`SELECT count(*)::int FROM windows`), 0);
  } finally {
    await a.end();
    await b.end();
  }
});

test('a window is written to every table and reads back equal', async () => {
  await clearTables();
  assert.deepEqual(await writeWindow(pool, windowMetrics()), { applied: true, storedRevision: 1 });

  assert.deepEqual(await rows(sql.unsafe`
    SELECT model, window_start, window_end, row_count, labelled_count, revision FROM windows`), [
    { model: 'churn', window_start: START, window_end: END, row_count: 120, labelled_count: 100, revision: 1 },
  ]);
  assert.deepEqual(await rows(sql.unsafe`
    SELECT kind, column_name, column_type, stattest, score, threshold, drift_detected, statistic,
           reference_count, current_count, error, revision
    FROM column_drift WHERE model = 'churn' AND window_start = ${new Date(START).toISOString()}::timestamptz
    ORDER BY kind, column_name`), [
    { kind: 'feature', column_name: 'age', column_type: 'numerical', stattest: 'ks', score: 0.0123, threshold: 0.05,
      drift_detected: true, statistic: 0.41, reference_count: 500, current_count: 120, error: null, revision: 1 },
    { kind: 'feature', column_name: 'city', column_type: 'categorical', stattest: 'chisquare', score: 0, threshold: 0.05,
      drift_detected: true, statistic: Infinity, reference_count: 500, current_count: 118, error: null, revision: 1 },
    { kind: 'feature', column_name: 'income', column_type: 'numerical', stattest: 'ks', score: null, threshold: 0.05,
      drift_detected: false, statistic: null, reference_count: 500, current_count: 0,
      error: 'column "income" is empty after cleaning', revision: 1 },
    { kind: 'prediction', column_name: 'prediction', column_type: 'numerical', stattest: 'wasserstein', score: 0.07,
      threshold: 0.1, drift_detected: false, statistic: null, reference_count: 500, current_count: 120, error: null, revision: 1 },
    { kind: 'target', column_name: 'churned', column_type: 'categorical', stattest: 'z', score: 0.5, threshold: 0.05,
      drift_detected: false, statistic: -0.67, reference_count: 500, current_count: 100, error: null, revision: 1 },
  ]);
  assert.deepEqual(await rows(sql.unsafe`
    SELECT number_of_columns, number_of_drifted_columns, share_of_drifted_columns, dataset_drift, drift_share FROM dataset_drift`), [
    { number_of_columns: 3, number_of_drifted_columns: 2, share_of_drifted_columns: 2 / 3, dataset_drift: true, drift_share: 0.5 },
  ]);
  assert.deepEqual(await rows(sql.unsafe`SELECT task, metric, value FROM model_quality ORDER BY metric`), [
    { task: 'classification', metric: 'accuracy', value: 0.81 },
    { task: 'classification', metric: 'count', value: 100 },
    { task: 'classification', metric: 'f1', value: 0.6666666666666666 },
    { task: 'classification', metric: 'log_loss', value: null },
    { task: 'classification', metric: 'precision', value: 0.7 },
    { task: 'classification', metric: 'recall', value: 0.6363636363636364 },
    { task: 'classification', metric: 'roc_auc', value: 0.85 },
  ]);
  assert.deepEqual(await rows(sql.unsafe`SELECT labels, matrix FROM confusion_matrix`), [
    { labels: ['0', '1'], matrix: [[60, 9], [10, 21]] },
  ]);
  assert.deepEqual(await rows(sql.unsafe`
    SELECT column_name, missing_count, missing_share, out_of_range_count, out_of_range_share, unseen_count,
           unseen_values, type_violations FROM data_quality ORDER BY column_name`), [
    { column_name: 'age', missing_count: 2, missing_share: 2 / 120, out_of_range_count: 5, out_of_range_share: 5 / 120,
      unseen_count: 0, unseen_values: [], type_violations: 1 },
    { column_name: 'city', missing_count: 1, missing_share: 1 / 120, out_of_range_count: null, out_of_range_share: null,
      unseen_count: 2, unseen_values: ['Zürich', "O'Hare"], type_violations: 0 },
  ]);
  assert.deepEqual(await rows(sql.unsafe`SELECT row_count, rows_with_missing, rows_with_missing_share FROM dataset_quality`), [
    { row_count: 120, rows_with_missing: 3, rows_with_missing_share: 0.025 },
  ]);
});

test('a re-fire replaces the window: new numbers, same row counts, vanished rows deleted', async () => {
  await clearTables();
  await writeWindow(pool, windowMetrics());
  await writeWindow(pool, windowMetrics()); // the same firing again: nothing doubles
  const before = await Promise.all(['column_drift', 'model_quality', 'data_quality'].map(countOf));
  assert.deepEqual(before, [5, 7, 2]);

  const result = await writeWindow(pool, windowMetrics({
    revision: 2, rows: 130,
    drift: { ...windowMetrics().drift, columns: [{ ...ageDrift, score: 0.2, drift_detected: false }, cityDrift, emptyDrift],
      number_of_drifted_columns: 1, share_of_drifted_columns: 1 / 3, dataset_drift: false },
  }));
  assert.deepEqual(result, { applied: true, storedRevision: 2 });
  assert.deepEqual(await Promise.all(['column_drift', 'model_quality', 'data_quality'].map(countOf)), before);
  assert.deepEqual(await rows(sql.unsafe`SELECT row_count, revision FROM windows`), [{ row_count: 130, revision: 2 }]);
  assert.deepEqual(await rows(sql.unsafe`SELECT score, drift_detected, revision FROM column_drift WHERE column_name = 'age'`),
    [{ score: 0.2, drift_detected: false, revision: 2 }]);
  assert.deepEqual(await rows(sql.unsafe`SELECT number_of_drifted_columns, dataset_drift FROM dataset_drift`),
    [{ number_of_drifted_columns: 1, dataset_drift: false }]);

  // Revision 3: the city column and the labels are gone from the result.
  await writeWindow(pool, windowMetrics({
    revision: 3, rows: 131, targetDrift: null, classification: null,
    drift: { ...windowMetrics().drift, columns: [ageDrift, emptyDrift] },
    dataQuality: { ...windowMetrics().dataQuality, columns: windowMetrics().dataQuality.columns.slice(0, 1) },
  }));
  assert.deepEqual(await rows(sql.unsafe`SELECT kind, column_name FROM column_drift ORDER BY kind, column_name`), [
    { kind: 'feature', column_name: 'age' }, { kind: 'feature', column_name: 'income' },
    { kind: 'prediction', column_name: 'prediction' },
  ]);
  assert.equal(await countOf('model_quality'), 0);
  assert.equal(await countOf('confusion_matrix'), 0);
  assert.deepEqual(await rows(sql.unsafe`SELECT column_name FROM data_quality`), [{ column_name: 'age' }]);
  assert.equal(await countOf('windows'), 1);
});

test('an older state (fewer rows, or as many rows and fewer labels) is ignored whatever its revision', async () => {
  await clearTables();
  await writeWindow(pool, windowMetrics({ revision: 3, rows: 150, labelledRows: 100 }));
  const stale = (overrides: Partial<WindowMetrics>) => windowMetrics({
    classification: null,
    drift: { ...windowMetrics().drift, columns: [{ ...ageDrift, score: 0.9 }], number_of_columns: 1 },
    ...overrides,
  });
  // Fewer rows: ignored under a lower, the same and a higher revision (a restarted processor numbers from 1 again).
  for (const revision of [2, 3, 7]) {
    assert.deepEqual(await writeWindow(pool, stale({ revision, rows: 149, labelledRows: 149 })), { applied: false, storedRevision: 3 },
      `149 rows at revision ${revision}`);
  }
  // As many rows, fewer labels: ignored too, even at a higher revision.
  assert.deepEqual(await writeWindow(pool, stale({ revision: 9, rows: 150, labelledRows: 99 })), { applied: false, storedRevision: 3 });

  assert.deepEqual(await rows(sql.unsafe`SELECT row_count, labelled_count, revision FROM windows`),
    [{ row_count: 150, labelled_count: 100, revision: 3 }]);
  assert.deepEqual(await rows(sql.unsafe`SELECT score, revision FROM column_drift WHERE column_name = 'age'`), [{ score: 0.0123, revision: 3 }]);
  assert.equal(await countOf('column_drift'), 5);
  assert.equal(await countOf('confusion_matrix'), 1);
  assert.deepEqual(await rows(sql.unsafe`SELECT number_of_columns FROM dataset_drift`), [{ number_of_columns: 3 }]);
});

test('an equal or newer state with a lower revision is applied (a processor restarted after a crash)', async () => {
  await clearTables();
  await writeWindow(pool, windowMetrics({ revision: 3, rows: 150, labelledRows: 100 }));

  // The same state again under revision 1: applied (idempotent), the revision stored as given.
  assert.deepEqual(await writeWindow(pool, windowMetrics({ revision: 1, rows: 150, labelledRows: 100 })), { applied: true, storedRevision: 1 });
  assert.deepEqual(await rows(sql.unsafe`SELECT row_count, labelled_count, revision FROM windows`),
    [{ row_count: 150, labelled_count: 100, revision: 1 }]);
  assert.equal(await countOf('column_drift'), 5);

  // More labels, same rows, revision 2 (< the 3 stored before the restart): applied to every table.
  const moreLabels = await writeWindow(pool, windowMetrics({
    revision: 2, rows: 150, labelledRows: 120,
    drift: { ...windowMetrics().drift, columns: [{ ...ageDrift, score: 0.3, drift_detected: false }, cityDrift, emptyDrift] },
    classification: { ...windowMetrics().classification!, count: 120, confusion_matrix: [[70, 10], [12, 28]] },
  }));
  assert.deepEqual(moreLabels, { applied: true, storedRevision: 2 });
  assert.deepEqual(await rows(sql.unsafe`SELECT score, revision FROM column_drift WHERE column_name = 'age'`), [{ score: 0.3, revision: 2 }]);
  assert.deepEqual(await rows(sql.unsafe`SELECT value, revision FROM model_quality WHERE metric = 'count'`), [{ value: 120, revision: 2 }]);
  assert.deepEqual(await rows(sql.unsafe`SELECT matrix, revision FROM confusion_matrix`), [{ matrix: [[70, 10], [12, 28]], revision: 2 }]);

  // More rows (and fewer labels: the row count decides first), revision 1: applied, the dropped city column deleted.
  const moreRows = await writeWindow(pool, windowMetrics({
    revision: 1, rows: 151, labelledRows: 0, targetDrift: null, classification: null,
    drift: { ...windowMetrics().drift, columns: [ageDrift, emptyDrift] },
  }));
  assert.deepEqual(moreRows, { applied: true, storedRevision: 1 });
  assert.deepEqual(await rows(sql.unsafe`SELECT row_count, labelled_count, revision FROM windows`),
    [{ row_count: 151, labelled_count: 0, revision: 1 }]);
  assert.deepEqual(await rows(sql.unsafe`SELECT kind, column_name, score, revision FROM column_drift ORDER BY kind, column_name`), [
    { kind: 'feature', column_name: 'age', score: 0.0123, revision: 1 },
    { kind: 'feature', column_name: 'income', score: null, revision: 1 },
    { kind: 'prediction', column_name: 'prediction', score: 0.07, revision: 1 },
  ]);
  assert.equal(await countOf('model_quality'), 0);
  assert.equal(await countOf('confusion_matrix'), 0);
  assert.deepEqual(await rows(sql.unsafe`SELECT revision FROM dataset_drift`), [{ revision: 1 }]);
  assert.deepEqual(await rows(sql.unsafe`SELECT revision FROM dataset_quality`), [{ revision: 1 }]);
});

test('a column name holding SQL is stored as data and every table survives', async () => {
  await clearTables();
  const evil = 'x"; DROP TABLE windows; --';
  const evilQuote = "y'); DELETE FROM column_drift; --";
  await writeWindow(pool, windowMetrics({
    model: "m'odel",
    drift: { ...windowMetrics().drift, columns: [{ ...ageDrift, column: evil }, { ...cityDrift, column: evilQuote }] },
    dataQuality: { ...windowMetrics().dataQuality, columns: [{ ...windowMetrics().dataQuality.columns[1]!, column: evil, unseen_values: [evil] }] },
  }));
  for (const table of TABLES) {
    assert.notEqual(await pool.oneFirst(sql.unsafe`SELECT to_regclass(${table})::text`), null, `table ${table} exists`);
  }
  assert.deepEqual(await rows(sql.unsafe`SELECT model, column_name FROM column_drift WHERE kind = 'feature' ORDER BY column_name`),
    [{ model: "m'odel", column_name: evil }, { model: "m'odel", column_name: evilQuote }]);
  assert.deepEqual(await rows(sql.unsafe`SELECT column_name, unseen_values FROM data_quality`),
    [{ column_name: evil, unseen_values: [evil] }]);
  assert.equal(await countOf('windows'), 1);
});

test('10k predictions upserted twice leave 10k rows; a known target is not erased by null', async () => {
  await clearTables();
  const n = 10_000;
  const batch = (withTarget: boolean, shift: number): PredictionRecord[] => Array.from({ length: n }, (_, i) => ({
    model: 'churn', rowId: `row-${i}`, eventTime: START + i * 7 + 1, windowStart: START,
    prediction: i / n + shift, label: i % 2 ? '1' : '0', target: withTarget ? i % 2 : null,
  }));
  let started = performance.now();
  assert.equal(await writePredictions(pool, batch(true, 0)), n);
  const firstMs = performance.now() - started;
  started = performance.now();
  assert.equal(await writePredictions(pool, batch(false, 0.5)), n);
  const secondMs = performance.now() - started;
  console.log(`# 10k predictions: insert ${firstMs.toFixed(0)} ms, upsert ${secondMs.toFixed(0)} ms`);

  assert.equal(await countOf('predictions'), n);
  assert.deepEqual(await rows(sql.unsafe`
    SELECT row_id, event_time, window_start, prediction, label, target FROM predictions WHERE row_id IN ('row-0', 'row-9999') ORDER BY row_id`), [
    { row_id: 'row-0', event_time: START + 1, window_start: START, prediction: 0.5, label: '0', target: 0 },
    { row_id: 'row-9999', event_time: START + 9999 * 7 + 1, window_start: START, prediction: 0.9999 + 0.5, label: '1', target: 1 },
  ]);
  assert.equal(await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM predictions WHERE target IS NULL`), 0);
});

test('a batch naming a row twice keeps its last occurrence', async () => {
  await clearTables();
  const row: PredictionRecord = { model: 'churn', rowId: 'dup', eventTime: START, windowStart: START, prediction: 1, label: null, target: null };
  assert.equal(await writePredictions(pool, [row, { ...row, prediction: 2 }]), 1);
  assert.deepEqual(await rows(sql.unsafe`SELECT prediction FROM predictions`), [{ prediction: 2 }]);
});

test('a window naming a column twice is refused with the column named', async () => {
  await assert.rejects(
    writeWindow(pool, windowMetrics({ drift: { ...windowMetrics().drift, columns: [ageDrift, ageDrift] } })),
    /feature column "age" twice/,
  );
});

test('a window failing part-way leaves nothing behind and the error names the window', async () => {
  await clearTables();
  const broken = windowMetrics();
  // data_quality is written last; a fractional count fails there, after the other tables.
  const columns = [{ ...broken.dataQuality.columns[0]!, missing_count: 1.5 }];
  await assert.rejects(
    writeWindow(pool, { ...broken, dataQuality: { ...broken.dataQuality, columns } }),
    /writing window churn @ 2024-03-01T10:00:00\.000Z \(revision 1\) failed: .*integer/,
  );
  for (const table of ['windows', 'column_drift', 'dataset_drift', 'model_quality', 'confusion_matrix', 'dataset_quality']) {
    assert.equal(await countOf(table), 0, `${table} is empty after the rollback`);
  }
});
