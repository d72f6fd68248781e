/**
 * The record a fired window produces: what the processor publishes, what the
 * sink writes to Postgres, what `driftwatch run --json` prints. One shape for
 * every transport.
 */
import type { ColumnDriftResult, DatasetDriftResult } from './drift/types.js';
import type { ClassificationQuality, DataQuality, RegressionQuality } from './quality/types.js';

export interface WindowMetrics {
  readonly model: string;
  /** Epoch ms, inclusive. */
  readonly windowStart: number;
  /** Epoch ms, exclusive. */
  readonly windowEnd: number;
  /** 1 on the first firing; each re-fire (late rows, late labels) increments it. */
  readonly revision: number;
  readonly rows: number;
  readonly labelledRows: number;
  /** Feature drift against the reference. */
  readonly drift: DatasetDriftResult;
  readonly predictionDrift: ColumnDriftResult | null;
  /** Null until labels are in. */
  readonly targetDrift: ColumnDriftResult | null;
  readonly regression: RegressionQuality | null;
  readonly classification: ClassificationQuality | null;
  readonly dataQuality: DataQuality;
  /**
   * Set when the window was approximate (config `window.approximate`: past
   * `above_rows` its numerical features were sketched, so their drift is
   * approximate): the sketches' relative accuracy α. Absent when every
   * number of the window is exact — and in records written before the field
   * existed, which were all exact.
   */
  readonly approximateRelativeAccuracy?: number;
}

/** One scored row, for the `predictions` table and topic. */
export interface PredictionRecord {
  readonly model: string;
  readonly rowId: string;
  /** Epoch ms. */
  readonly eventTime: number;
  readonly windowStart: number;
  readonly prediction: number;
  readonly label: string | null;
  /** Ground truth once joined, else null (numbers; class labels as their numeric value). */
  readonly target: number | null;
}
