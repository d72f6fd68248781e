/** Result records of the quality metrics (METRICS-SPEC: regression, classification, data quality). */

export interface RegressionQuality {
  readonly count: number;
  readonly mean_error: number;
  readonly error_std: number;
  readonly mae: number;
  readonly abs_error_std: number;
  readonly abs_error_max: number;
  readonly rmse: number;
  readonly r2: number;
  readonly mape: number;
}

export interface ClassificationQuality {
  readonly count: number;
  readonly accuracy: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** null when it is undefined (one class only, or no probabilities given). */
  readonly roc_auc: number | null;
  readonly log_loss: number | null;
  /** Sorted labels; confusion_matrix[i][j] = rows with actual labels[i] predicted labels[j]. */
  readonly labels: string[];
  readonly confusion_matrix: number[][];
}

export interface ColumnDataQuality {
  readonly column: string;
  readonly missing_count: number;
  readonly missing_share: number;
  /** Numerical: values outside the reference [min, max]; null for categorical. */
  readonly out_of_range_count: number | null;
  readonly out_of_range_share: number | null;
  /** Categorical: values never seen in the reference; 0 for numerical. */
  readonly unseen_count: number;
  readonly unseen_values: string[];
  /** Values that fail the column's type (text in a numerical column). */
  readonly type_violations: number;
}

export interface DataQuality {
  readonly rows: number;
  readonly rows_with_missing: number;
  readonly rows_with_missing_share: number;
  readonly columns: ColumnDataQuality[];
}
