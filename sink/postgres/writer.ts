/**
 * Writes fired windows and scored rows. Every statement is parameterised;
 * column names and other text from data only ever travel as bound values
 * (unnest arrays), never as SQL text.
 *
 * A window is written in one transaction: the `windows` row first, upserted only
 * when the incoming result is at least as complete as the stored one (see
 * "Which result wins" below). That upsert also locks the window's row, so
 * concurrent writers of the same window queue behind it. When it is refused (an
 * older result arriving late), nothing else is touched. Otherwise each table is
 * upserted and rows of this window that the new result no longer has (a column
 * gone, labels withdrawn) are deleted: the stored window always equals the most
 * complete WindowMetrics, whatever was written before.
 *
 * Which result wins. A window only ever gains rows (late rows within the allowed
 * lateness) and labels (ground truth joined later), so its content is ordered by
 * the pair (rows, labelledRows), compared lexicographically. A write is applied
 * when its pair is ≥ the stored pair; an equal pair is the same content again and
 * re-applying it is idempotent. The revision is NOT the order: a processor that
 * restarts after a crash re-derives its open windows from Kafka and numbers their
 * firings from 1 again, so its later, more complete results carry lower revisions
 * than what its previous life stored. The revision is kept as information only
 * (which firing of its processor produced the row). The other tables have no guard
 * of their own: the `windows` row decides, under its lock, for the whole window.
 */
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { PredictionRecord, WindowMetrics } from '../../processor/results.js';
import {
  COLUMN_DRIFT_TYPES, DATA_QUALITY_TYPES, MODEL_QUALITY_TYPES,
  type ColumnDriftTuple, type DataQualityTuple, type ModelQualityTuple,
  columnDriftTuples, dataQualityTuples, isoTimestamp, modelQualityTuples,
} from './window-rows.js';

export interface WriteWindowResult {
  /** False when a more complete result (more rows, or as many rows and more labels) was stored and this write was ignored. */
  readonly applied: boolean;
  /** The revision stored after the call. */
  readonly storedRevision: number;
}

/**
 * The order of "Which result wins" (above) for code that must agree with the
 * writer without asking the database (the sink keeps only the most complete
 * result of a window within one batch): < 0 when `a` is less complete than `b`,
 * 0 for the same (rows, labelledRows), > 0 when more complete. The SQL guard in
 * writeWindowRows is the same comparison on the stored row.
 */
export function compareWindowCompleteness(
  a: Pick<WindowMetrics, 'rows' | 'labelledRows'>, b: Pick<WindowMetrics, 'rows' | 'labelledRows'>,
): number {
  return a.rows - b.rows || a.labelledRows - b.labelledRows;
}

export async function writeWindow(pool: DatabasePool, metrics: WindowMetrics): Promise<WriteWindowResult> {
  const key = windowKey(metrics);
  // Mapped before the transaction: a malformed result fails here, holding no lock.
  const tuples: WindowTuples = {
    columnDrift: columnDriftTuples(metrics),
    modelQuality: modelQualityTuples(metrics),
    dataQuality: dataQualityTuples(metrics),
  };
  const windowEnd = isoTimestamp(metrics.windowEnd, 'windowEnd');
  try {
    return await writeWindowRows(pool, key, windowEnd, tuples, metrics);
  } catch (error) {
    throw new Error(`writing window ${key.model} @ ${key.start} (revision ${key.revision}) failed: ${(error as Error).message}`, { cause: error });
  }
}

interface WindowTuples {
  readonly columnDrift: ColumnDriftTuple[];
  readonly modelQuality: ModelQualityTuple[];
  readonly dataQuality: DataQualityTuple[];
}

async function writeWindowRows(
  pool: DatabasePool, key: WindowKey, windowEnd: string, tuples: WindowTuples, metrics: WindowMetrics,
): Promise<WriteWindowResult> {
  return pool.transaction(async (tx) => {
    const upserted = await tx.maybeOneFirst(sql.type(z.object({ revision: z.number() }))`
      INSERT INTO windows (model, window_start, window_end, row_count, labelled_count, revision, approximate_relative_accuracy)
      VALUES (${key.model}, ${key.start}::timestamptz, ${windowEnd}::timestamptz,
              ${metrics.rows}, ${metrics.labelledRows}, ${key.revision}, ${metrics.approximateRelativeAccuracy ?? null}::float8)
      ON CONFLICT (model, window_start) DO UPDATE SET
        window_end = excluded.window_end, row_count = excluded.row_count,
        labelled_count = excluded.labelled_count, revision = excluded.revision,
        approximate_relative_accuracy = excluded.approximate_relative_accuracy, updated_at = now()
      WHERE (windows.row_count, windows.labelled_count) <= (excluded.row_count, excluded.labelled_count)
      RETURNING revision`);
    if (upserted === null) {
      const stored = await tx.oneFirst(sql.type(z.object({ revision: z.number() }))`
        SELECT revision FROM windows WHERE model = ${key.model} AND window_start = ${key.start}::timestamptz`);
      return { applied: false, storedRevision: stored };
    }
    await writeDatasetDrift(tx, key, metrics);
    await writeColumnDrift(tx, key, tuples.columnDrift);
    await writeModelQuality(tx, key, tuples.modelQuality);
    await writeConfusionMatrix(tx, key, metrics);
    await writeDataQuality(tx, key, metrics, tuples.dataQuality);
    return { applied: true, storedRevision: upserted };
  });
}

interface WindowKey {
  readonly model: string;
  /** ISO text, cast to timestamptz in SQL. */
  readonly start: string;
  readonly revision: number;
}

function windowKey(metrics: WindowMetrics): WindowKey {
  if (!Number.isInteger(metrics.revision) || metrics.revision < 1) {
    throw new Error(`window ${metrics.model}: revision must be an integer ≥ 1, got ${metrics.revision}`);
  }
  return { model: metrics.model, start: isoTimestamp(metrics.windowStart, 'windowStart'), revision: metrics.revision };
}

/** The WHERE clause shared by every "this window's rows" statement. */
function ofWindow(table: string, key: WindowKey) {
  return sql.fragment`${sql.identifier([table])}.model = ${key.model} AND ${sql.identifier([table])}.window_start = ${key.start}::timestamptz`;
}

async function writeDatasetDrift(tx: CommonQueryMethods, key: WindowKey, metrics: WindowMetrics): Promise<void> {
  const d = metrics.drift;
  await tx.query(sql.unsafe`
    INSERT INTO dataset_drift (model, window_start, number_of_columns, number_of_drifted_columns,
                               share_of_drifted_columns, dataset_drift, drift_share, revision)
    VALUES (${key.model}, ${key.start}::timestamptz, ${d.number_of_columns}, ${d.number_of_drifted_columns},
            ${d.share_of_drifted_columns}, ${d.dataset_drift}, ${d.drift_share}, ${key.revision})
    ON CONFLICT (model, window_start) DO UPDATE SET
      number_of_columns = excluded.number_of_columns, number_of_drifted_columns = excluded.number_of_drifted_columns,
      share_of_drifted_columns = excluded.share_of_drifted_columns, dataset_drift = excluded.dataset_drift,
      drift_share = excluded.drift_share, revision = excluded.revision, updated_at = now()`);
}

async function writeColumnDrift(tx: CommonQueryMethods, key: WindowKey, tuples: ColumnDriftTuple[]): Promise<void> {
  await tx.query(sql.unsafe`
    INSERT INTO column_drift (model, window_start, kind, column_name, column_type, stattest, score, threshold,
                              drift_detected, statistic, reference_count, current_count, error, revision)
    SELECT ${key.model}, ${key.start}::timestamptz, r.kind, r.column_name, r.column_type, r.stattest, r.score,
           r.threshold, r.drift_detected, r.statistic, r.reference_count, r.current_count, r.error, ${key.revision}
    FROM ${sql.unnest(tuples, COLUMN_DRIFT_TYPES)}
      AS r(kind, column_name, column_type, stattest, score, threshold, drift_detected, statistic,
           reference_count, current_count, error)
    ON CONFLICT (model, window_start, kind, column_name) DO UPDATE SET
      column_type = excluded.column_type, stattest = excluded.stattest, score = excluded.score,
      threshold = excluded.threshold, drift_detected = excluded.drift_detected, statistic = excluded.statistic,
      reference_count = excluded.reference_count, current_count = excluded.current_count,
      error = excluded.error, revision = excluded.revision, updated_at = now()`);
  await tx.query(sql.unsafe`
    DELETE FROM column_drift
    WHERE ${ofWindow('column_drift', key)}
      AND (column_drift.kind, column_drift.column_name) NOT IN (
        SELECT kind, column_name FROM ${sql.unnest(tuples.map((t) => [t[0], t[1]]), ['text', 'text'])} AS k(kind, column_name))`);
}

async function writeModelQuality(tx: CommonQueryMethods, key: WindowKey, tuples: ModelQualityTuple[]): Promise<void> {
  await tx.query(sql.unsafe`
    INSERT INTO model_quality (model, window_start, task, metric, value, revision)
    SELECT ${key.model}, ${key.start}::timestamptz, r.task, r.metric, r.value, ${key.revision}
    FROM ${sql.unnest(tuples, MODEL_QUALITY_TYPES)} AS r(task, metric, value)
    ON CONFLICT (model, window_start, task, metric) DO UPDATE SET
      value = excluded.value, revision = excluded.revision, updated_at = now()`);
  await tx.query(sql.unsafe`
    DELETE FROM model_quality
    WHERE ${ofWindow('model_quality', key)}
      AND (model_quality.task, model_quality.metric) NOT IN (
        SELECT task, metric FROM ${sql.unnest(tuples.map((t) => [t[0], t[1]]), ['text', 'text'])} AS k(task, metric))`);
}

async function writeConfusionMatrix(tx: CommonQueryMethods, key: WindowKey, metrics: WindowMetrics): Promise<void> {
  const quality = metrics.classification;
  if (!quality) {
    await tx.query(sql.unsafe`DELETE FROM confusion_matrix WHERE ${ofWindow('confusion_matrix', key)}`);
    return;
  }
  await tx.query(sql.unsafe`
    INSERT INTO confusion_matrix (model, window_start, labels, matrix, revision)
    VALUES (${key.model}, ${key.start}::timestamptz, ${sql.jsonb(quality.labels)}, ${sql.jsonb(quality.confusion_matrix)}, ${key.revision})
    ON CONFLICT (model, window_start) DO UPDATE SET
      labels = excluded.labels, matrix = excluded.matrix, revision = excluded.revision, updated_at = now()`);
}

async function writeDataQuality(
  tx: CommonQueryMethods, key: WindowKey, metrics: WindowMetrics, tuples: DataQualityTuple[],
): Promise<void> {
  const q = metrics.dataQuality;
  await tx.query(sql.unsafe`
    INSERT INTO dataset_quality (model, window_start, row_count, rows_with_missing, rows_with_missing_share, revision)
    VALUES (${key.model}, ${key.start}::timestamptz, ${q.rows}, ${q.rows_with_missing}, ${q.rows_with_missing_share}, ${key.revision})
    ON CONFLICT (model, window_start) DO UPDATE SET
      row_count = excluded.row_count, rows_with_missing = excluded.rows_with_missing,
      rows_with_missing_share = excluded.rows_with_missing_share, revision = excluded.revision, updated_at = now()`);
  await tx.query(sql.unsafe`
    INSERT INTO data_quality (model, window_start, column_name, missing_count, missing_share, out_of_range_count,
                              out_of_range_share, unseen_count, unseen_values, type_violations, revision)
    SELECT ${key.model}, ${key.start}::timestamptz, r.column_name, r.missing_count, r.missing_share, r.out_of_range_count,
           r.out_of_range_share, r.unseen_count, r.unseen_values, r.type_violations, ${key.revision}
    FROM ${sql.unnest(tuples, DATA_QUALITY_TYPES)}
      AS r(column_name, missing_count, missing_share, out_of_range_count, out_of_range_share,
           unseen_count, unseen_values, type_violations)
    ON CONFLICT (model, window_start, column_name) DO UPDATE SET
      missing_count = excluded.missing_count, missing_share = excluded.missing_share,
      out_of_range_count = excluded.out_of_range_count, out_of_range_share = excluded.out_of_range_share,
      unseen_count = excluded.unseen_count, unseen_values = excluded.unseen_values,
      type_violations = excluded.type_violations, revision = excluded.revision, updated_at = now()`);
  await tx.query(sql.unsafe`
    DELETE FROM data_quality
    WHERE ${ofWindow('data_quality', key)}
      AND NOT (data_quality.column_name = ANY(${sql.array(tuples.map((t) => t[0]), 'text')}))`);
}

/** Rows per INSERT: 7 arrays of this length are bound per statement. */
const PREDICTION_CHUNK = 5_000;

/**
 * Upserts scored rows by (model, row_id), all in one transaction. A row seen
 * twice in the batch keeps its last occurrence. A known target is never
 * replaced by null: a prediction replayed before its label is re-joined must
 * not erase ground truth already stored.
 * Returns the number of distinct rows written.
 */
export async function writePredictions(pool: DatabasePool, records: readonly PredictionRecord[]): Promise<number> {
  const latest = new Map<string, PredictionRecord>();
  for (const record of records) latest.set(`${record.model}\u0000${record.rowId}`, record);
  // Key order = lock order: two batches sharing rows cannot deadlock on each other.
  const ordered = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, record]) => record);
  // A batch holds a window or a few: format each window start once.
  const windowStarts = new Map<number, string>();
  const windowStartOf = (r: PredictionRecord) => {
    let iso = windowStarts.get(r.windowStart);
    if (iso === undefined) windowStarts.set(r.windowStart, (iso = isoTimestamp(r.windowStart, () => `windowStart of row ${r.rowId}`)));
    return iso;
  };
  const rows = ordered.map((r) => [
    r.model, r.rowId, isoTimestamp(r.eventTime, () => `eventTime of row ${r.rowId}`),
    windowStartOf(r), r.prediction, r.label, r.target,
  ]);
  if (rows.length === 0) return 0;
  await pool.transaction(async (tx) => {
    for (let from = 0; from < rows.length; from += PREDICTION_CHUNK) {
      const chunk = rows.slice(from, from + PREDICTION_CHUNK);
      await tx.query(sql.unsafe`
        INSERT INTO predictions (model, row_id, event_time, window_start, prediction, label, target)
        SELECT * FROM ${sql.unnest(chunk, ['text', 'text', 'timestamptz', 'timestamptz', 'float8', 'text', 'float8'])}
        ON CONFLICT (model, row_id) DO UPDATE SET
          event_time = excluded.event_time, window_start = excluded.window_start,
          prediction = excluded.prediction, label = excluded.label,
          target = COALESCE(excluded.target, predictions.target), updated_at = now()`);
    }
  });
  return rows.length;
}
