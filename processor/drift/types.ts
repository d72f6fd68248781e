/**
 * The vocabulary of the drift engine. Everything here is plain data: a profile
 * is what a sample looks like once cleaned and sorted, a stat test turns two
 * profiles into a score, a result is a record (never a print).
 */

export type ColumnType = 'numerical' | 'categorical';

/**
 * A cleaned numerical sample: NaN and ±inf dropped (METRICS-SPEC, column
 * cleaning), values ascending. Built once per reference column and once per
 * window column, so every test can use order statistics without sorting again.
 */
export interface NumericalProfile {
  readonly type: 'numerical';
  /** Finite values, ascending. */
  readonly sorted: Float64Array;
  readonly count: number;
  readonly mean: number;
  /** Population standard deviation (ddof 0), as Evidently normalises Wasserstein by it. */
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** Distinct finite values ascending, and how many times each occurs. */
  readonly distinct: Float64Array;
  readonly distinctCounts: Float64Array;
  /** How many values were NaN or ±inf and left out. */
  readonly dropped: number;
}

/** A cleaned categorical sample: nulls dropped, counts per category. */
export interface CategoricalProfile {
  readonly type: 'categorical';
  readonly count: number;
  /** Categories ascending (JavaScript string order) and their counts. */
  readonly categories: readonly string[];
  readonly categoryCounts: Float64Array;
  readonly dropped: number;
}

export type ColumnProfile = NumericalProfile | CategoricalProfile;

/** What a test returns: `score` is the p-value for p-value tests, the distance otherwise. */
export interface StatTestResult {
  readonly score: number;
  /** The underlying statistic when it differs from the score (KS D, chi² …). */
  readonly statistic?: number;
}

export type ScoreKind = 'p_value' | 'distance';

/**
 * Evidently decides drift with a different comparison per test (p ≤ t for KS,
 * p < t for chi-square, d ≥ t for Wasserstein, d > t for energy distance);
 * the rule is part of the test, not of the caller.
 */
export type DriftRule = 'p_lte' | 'p_lt' | 'd_gte' | 'd_gt';

export interface StatTest {
  /** The name users type, as in Evidently: "ks", "wasserstein", "psi" … */
  readonly name: string;
  /** Human title, e.g. "K-S p_value". */
  readonly title: string;
  readonly columnTypes: readonly ColumnType[];
  readonly defaultThreshold: number;
  readonly scoreKind: ScoreKind;
  readonly driftRule: DriftRule;
  /**
   * Compare a reference and a current profile of the same column type.
   * Both have count ≥ 1 (the caller reports empty columns). May throw an
   * Error with a clear message for input the test cannot handle.
   */
  compute(reference: ColumnProfile, current: ColumnProfile): StatTestResult;
}

export function isDrift(rule: DriftRule, score: number, threshold: number): boolean {
  switch (rule) {
    case 'p_lte': return score <= threshold;
    case 'p_lt': return score < threshold;
    case 'd_gte': return score >= threshold;
    case 'd_gt': return score > threshold;
  }
}

/** One column's drift verdict; the JSON contract of `driftwatch drift`. */
export interface ColumnDriftResult {
  readonly column: string;
  readonly type: ColumnType;
  readonly stattest: string;
  readonly score: number | null;
  readonly threshold: number;
  readonly drift_detected: boolean;
  readonly statistic?: number;
  readonly reference_count: number;
  readonly current_count: number;
  /** Set when the column could not be tested (e.g. empty after cleaning). */
  readonly error?: string;
}

export interface DatasetDriftResult {
  readonly columns: ColumnDriftResult[];
  readonly number_of_columns: number;
  readonly number_of_drifted_columns: number;
  readonly share_of_drifted_columns: number;
  readonly dataset_drift: boolean;
  readonly drift_share: number;
}
