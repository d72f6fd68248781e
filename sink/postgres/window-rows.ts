/**
 * WindowMetrics → table rows, as plain tuples in the column order the writer's
 * unnest() expects. Pure: no SQL here, so the mapping is testable on its own
 * and the writer stays a list of statements.
 */
import type { ColumnDriftResult } from '../../processor/drift/types.js';
import type { ClassificationQuality, RegressionQuality } from '../../processor/quality/types.js';
import type { WindowMetrics } from '../../processor/results.js';

export type DriftKind = 'feature' | 'prediction' | 'target';

/** kind, column_name, column_type, stattest, score, threshold, drift_detected, statistic, reference_count, current_count, error */
export type ColumnDriftTuple = [DriftKind, string, string, string, number | null, number, boolean, number | null, number, number, string | null];
export const COLUMN_DRIFT_TYPES = ['text', 'text', 'text', 'text', 'float8', 'float8', 'bool', 'float8', 'int4', 'int4', 'text'];

/** task, metric, value */
export type ModelQualityTuple = ['regression' | 'classification', string, number | null];
export const MODEL_QUALITY_TYPES = ['text', 'text', 'float8'];

/** column_name, missing_count, missing_share, out_of_range_count, out_of_range_share, unseen_count, unseen_values (JSON text), type_violations */
export type DataQualityTuple = [string, number, number, number | null, number | null, number, string, number];
export const DATA_QUALITY_TYPES = ['text', 'int4', 'float8', 'int4', 'float8', 'int4', 'jsonb', 'int4'];

const REGRESSION_METRICS = ['count', 'mean_error', 'error_std', 'mae', 'abs_error_std', 'abs_error_max', 'rmse', 'r2', 'mape'] as const satisfies readonly (keyof RegressionQuality)[];
const CLASSIFICATION_METRICS = ['count', 'accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'log_loss'] as const satisfies readonly (keyof ClassificationQuality)[];

export function columnDriftTuples(metrics: WindowMetrics): ColumnDriftTuple[] {
  const entries: [DriftKind, ColumnDriftResult][] = metrics.drift.columns.map((column) => ['feature', column]);
  if (metrics.predictionDrift) entries.push(['prediction', metrics.predictionDrift]);
  if (metrics.targetDrift) entries.push(['target', metrics.targetDrift]);
  assertUnique(entries.map(([kind, result]) => `${kind} column "${result.column}"`), 'drift', metrics);
  return entries.map(([kind, r]) => [
    kind, r.column, r.type, r.stattest, r.score, r.threshold, r.drift_detected,
    r.statistic ?? null, r.reference_count, r.current_count, r.error ?? null,
  ]);
}

export function modelQualityTuples(metrics: WindowMetrics): ModelQualityTuple[] {
  const tuples: ModelQualityTuple[] = [];
  if (metrics.regression) {
    for (const metric of REGRESSION_METRICS) tuples.push(['regression', metric, metrics.regression[metric]]);
  }
  if (metrics.classification) {
    for (const metric of CLASSIFICATION_METRICS) tuples.push(['classification', metric, metrics.classification[metric]]);
  }
  return tuples;
}

export function dataQualityTuples(metrics: WindowMetrics): DataQualityTuple[] {
  const columns = metrics.dataQuality.columns;
  assertUnique(columns.map((c) => `column "${c.column}"`), 'data quality', metrics);
  return columns.map((c) => [
    c.column, c.missing_count, c.missing_share, c.out_of_range_count, c.out_of_range_share,
    c.unseen_count, JSON.stringify(c.unseen_values), c.type_violations,
  ]);
}

/** Epoch ms → ISO text for a ::timestamptz parameter (exact to the millisecond). */
export function isoTimestamp(epochMs: number, what: string | (() => string)): string {
  // `what` may be a function so hot loops build the message only on error.
  if (!Number.isFinite(epochMs)) throw new Error(`${typeof what === 'function' ? what() : what} is not a finite epoch-ms timestamp: ${epochMs}`);
  return new Date(epochMs).toISOString();
}

/** An upsert cannot touch one key twice in a statement; say which key repeats. */
function assertUnique(keys: string[], what: string, metrics: WindowMetrics): void {
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) {
      throw new Error(`window ${metrics.model} @ ${isoTimestamp(metrics.windowStart, 'windowStart')}: ${what} result lists ${key} twice`);
    }
    seen.add(key);
  }
}
