/**
 * Records and expectations for the sink tests. Window results are made by
 * hand with realistic content (an infinite chi-square statistic, a column that
 * could not be tested, regression and classification quality). The expected
 * table rows are mapped here from the records' fields, independently of the
 * writer's own mapping (sink/postgres/window-rows.ts).
 */
import { sql } from 'slonik';
import type { ColumnDriftResult } from '../../../processor/drift/types.js';
import type { PredictionRecord, WindowMetrics } from '../../../processor/results.js';

export const BASE_TIME = Date.UTC(2026, 0, 5, 0, 0, 0);
const HOUR = 3_600_000;

/** The state of window `index` of `model` after `rows` rows and `labelled` labels, from firing `revision`. */
export function windowState(model: 'delay' | 'cancelled', index: number, rows: number, labelled: number, revision: number): WindowMetrics {
  const windowStart = BASE_TIME + index * HOUR;
  const unseen = index % 3 === 0;
  const distance: ColumnDriftResult = {
    column: 'distance', type: 'numerical', stattest: 'ks', score: 1 / (rows + index + 2), threshold: 0.05,
    drift_detected: 1 / (rows + index + 2) < 0.05, statistic: 0.1 + index / 1000 + rows / 1e6, reference_count: 5000, current_count: rows,
  };
  const origin: ColumnDriftResult = {
    column: 'origin', type: 'categorical', stattest: 'chisquare', score: unseen ? 0 : 0.2 + labelled / 1e5, threshold: 0.05,
    drift_detected: unseen, statistic: unseen ? Infinity : 3.25 + rows / 100, reference_count: 5000, current_count: rows - 1,
  };
  const hour: ColumnDriftResult = {
    column: 'hour', type: 'numerical', stattest: 'wasserstein', score: null, threshold: 0.1, drift_detected: false,
    reference_count: 5000, current_count: 0, error: 'column "hour" is empty after cleaning',
  };
  const drifted = [distance, origin].filter((c) => c.drift_detected).length;
  return {
    model, windowStart, windowEnd: windowStart + HOUR, revision, rows, labelledRows: labelled,
    drift: { columns: [distance, origin, hour], number_of_columns: 3, number_of_drifted_columns: drifted,
      share_of_drifted_columns: drifted / 3, dataset_drift: drifted / 3 >= 0.5, drift_share: 0.5 },
    predictionDrift: { column: 'prediction', type: 'numerical', stattest: 'wasserstein', score: 0.01 * (index + 1) + rows / 1e7,
      threshold: 0.1, drift_detected: false, reference_count: 5000, current_count: rows },
    targetDrift: labelled === 0 ? null : { column: 'target', type: 'numerical', stattest: 'ks', score: 0.5 - labelled / 1e5,
      threshold: 0.05, drift_detected: false, statistic: 0.02 + labelled / 1e6, reference_count: 5000, current_count: labelled },
    regression: model === 'delay' && labelled > 0
      ? { count: labelled, mean_error: 1.5 + index / 7, error_std: 12.25, mae: 8.125 + labelled / 1e4, abs_error_std: 9.5,
        abs_error_max: 97, rmse: 14.75, r2: 0.3125 - index / 1e3, mape: Infinity }
      : null,
    classification: model === 'cancelled' && labelled > 0
      ? { count: labelled, accuracy: 0.875, precision: 0.5, recall: 0.25, f1: 1 / 3, roc_auc: null, log_loss: 0.34375,
        labels: ['0', '1'], confusion_matrix: [[labelled - 8, 2], [6, 2]] }
      : null,
    dataQuality: {
      rows, rows_with_missing: index % 4, rows_with_missing_share: (index % 4) / rows,
      columns: [
        { column: 'distance', missing_count: index % 4, missing_share: (index % 4) / rows, out_of_range_count: 1,
          out_of_range_share: 1 / rows, unseen_count: 0, unseen_values: [], type_violations: 0 },
        { column: 'origin', missing_count: 0, missing_share: 0, out_of_range_count: null, out_of_range_share: null,
          unseen_count: unseen ? 2 : 0, unseen_values: unseen ? ['ZRH', "O'H"] : [], type_violations: 0 },
      ],
    },
  };
}

export function predictionRecords(model: string, from: number, count: number): PredictionRecord[] {
  return Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const eventTime = BASE_TIME + i * 61_000 + 7;
    return {
      model, rowId: `r-${i}`, eventTime, windowStart: eventTime - (eventTime % HOUR),
      prediction: i / 7, label: model === 'cancelled' ? String(i % 2) : null, target: i % 3 === 0 ? null : i % 5,
    };
  });
}

/** What Postgres must hold after `published` (in publishing order): per window its most complete state. */
export function expectedWindows(published: readonly WindowMetrics[]): WindowMetrics[] {
  const best = new Map<string, WindowMetrics>();
  for (const w of published) {
    const key = `${w.model}@${w.windowStart}`;
    const held = best.get(key);
    if (!held || w.rows > held.rows || (w.rows === held.rows && w.labelledRows >= held.labelledRows)) best.set(key, w);
  }
  return [...best.values()].sort((a, b) => a.model.localeCompare(b.model) || a.windowStart - b.windowStart);
}

export function expectedPredictions(published: readonly PredictionRecord[]): PredictionRecord[] {
  const last = new Map<string, PredictionRecord>();
  for (const p of published) last.set(`${p.model}\u0000${p.rowId}`, p);
  return [...last.values()].sort((a, b) => a.model.localeCompare(b.model) || a.rowId.localeCompare(b.rowId));
}

/** The table rows of `windows`, in the shape readTables() returns them. */
export function tableRowsOf(windows: readonly WindowMetrics[], predictions: readonly PredictionRecord[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {
    windows: [], column_drift: [], dataset_drift: [], model_quality: [], confusion_matrix: [], data_quality: [], dataset_quality: [], predictions: [],
  };
  for (const w of windows) {
    const at = { model: w.model, window_start: w.windowStart };
    out.windows!.push({ ...at, window_end: w.windowEnd, row_count: w.rows, labelled_count: w.labelledRows, revision: w.revision });
    const drifts: [string, ColumnDriftResult][] = w.drift.columns.map((c) => ['feature', c]);
    if (w.predictionDrift) drifts.push(['prediction', w.predictionDrift]);
    if (w.targetDrift) drifts.push(['target', w.targetDrift]);
    for (const [kind, c] of drifts) {
      out.column_drift!.push({ ...at, kind, column_name: c.column, column_type: c.type, stattest: c.stattest, score: c.score,
        threshold: c.threshold, drift_detected: c.drift_detected, statistic: c.statistic ?? null,
        reference_count: c.reference_count, current_count: c.current_count, error: c.error ?? null });
    }
    const d = w.drift;
    out.dataset_drift!.push({ ...at, number_of_columns: d.number_of_columns, number_of_drifted_columns: d.number_of_drifted_columns,
      share_of_drifted_columns: d.share_of_drifted_columns, dataset_drift: d.dataset_drift, drift_share: d.drift_share });
    for (const [task, quality] of [['regression', w.regression], ['classification', w.classification]] as const) {
      if (!quality) continue;
      for (const [metric, value] of Object.entries(quality)) {
        if (typeof value === 'number' || value === null) out.model_quality!.push({ ...at, task, metric, value });
      }
    }
    if (w.classification) out.confusion_matrix!.push({ ...at, labels: w.classification.labels, matrix: w.classification.confusion_matrix });
    for (const c of w.dataQuality.columns) out.data_quality!.push({ ...at, column_name: c.column, ...withoutColumn(c) });
    const q = w.dataQuality;
    out.dataset_quality!.push({ ...at, row_count: q.rows, rows_with_missing: q.rows_with_missing, rows_with_missing_share: q.rows_with_missing_share });
  }
  for (const p of predictions) {
    out.predictions!.push({ model: p.model, row_id: p.rowId, event_time: p.eventTime, window_start: p.windowStart,
      prediction: p.prediction, label: p.label, target: p.target });
  }
  return out;
}

function withoutColumn<T extends { column: string }>(row: T): Omit<T, 'column'> {
  const { column: _column, ...rest } = row;
  return rest;
}

/** SELECTs matching tableRowsOf, ordered the same way (model, window_start, then the rest of the key). */
export const TABLE_QUERIES = {
  windows: sql.unsafe`SELECT model, window_start, window_end, row_count, labelled_count, revision FROM windows ORDER BY model, window_start`,
  column_drift: sql.unsafe`SELECT model, window_start, kind, column_name, column_type, stattest, score, threshold, drift_detected, statistic,
    reference_count, current_count, error FROM column_drift ORDER BY model, window_start, kind, column_name`,
  dataset_drift: sql.unsafe`SELECT model, window_start, number_of_columns, number_of_drifted_columns, share_of_drifted_columns, dataset_drift,
    drift_share FROM dataset_drift ORDER BY model, window_start`,
  model_quality: sql.unsafe`SELECT model, window_start, task, metric, value FROM model_quality ORDER BY model, window_start, task, metric`,
  confusion_matrix: sql.unsafe`SELECT model, window_start, labels, matrix FROM confusion_matrix ORDER BY model, window_start`,
  data_quality: sql.unsafe`SELECT model, window_start, column_name, missing_count, missing_share, out_of_range_count, out_of_range_share,
    unseen_count, unseen_values, type_violations FROM data_quality ORDER BY model, window_start, column_name`,
  dataset_quality: sql.unsafe`SELECT model, window_start, row_count, rows_with_missing, rows_with_missing_share FROM dataset_quality ORDER BY model, window_start`,
  predictions: sql.unsafe`SELECT model, row_id, event_time, window_start, prediction, label, target FROM predictions ORDER BY model, row_id`,
};

/** Sort key order used by TABLE_QUERIES, applied to expected rows (JS sort, so text compares like COLLATE "C"). */
export function sortedLikeQueries(tables: Record<string, unknown[]>): Record<string, unknown[]> {
  const keys: Record<string, string[]> = {
    windows: ['model', 'window_start'], column_drift: ['model', 'window_start', 'kind', 'column_name'],
    dataset_drift: ['model', 'window_start'], model_quality: ['model', 'window_start', 'task', 'metric'],
    confusion_matrix: ['model', 'window_start'], data_quality: ['model', 'window_start', 'column_name'],
    dataset_quality: ['model', 'window_start'], predictions: ['model', 'row_id'],
  };
  const compare = (a: unknown, b: unknown) => (a! < b! ? -1 : a! > b! ? 1 : 0);
  return Object.fromEntries(Object.entries(tables).map(([table, rows]) => [table, [...rows].sort((x, y) => {
    for (const key of keys[table]!) {
      const c = compare((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]);
      if (c !== 0) return c;
    }
    return 0;
  })]));
}
