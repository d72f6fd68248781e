/**
 * Drift of one column and of a dataset: Evidently's automatic test choice,
 * threshold priority (column > type > global > test default) and the
 * dataset verdict (share of drifted columns ≥ drift_share).
 */
import { distinctUnionCount } from './distinct.js';
import { getStatTest } from './registry.js';
import {
  isDrift,
  type ColumnDriftResult,
  type ColumnProfile,
  type ColumnType,
  type DatasetDriftResult,
  type StatTest,
} from './types.js';

export interface TestChoice {
  readonly stattest?: string;
  readonly threshold?: number;
}

export interface DriftOptions extends TestChoice {
  /** Per column type: { numerical: {stattest, threshold}, categorical: {...} }. */
  readonly perType?: Partial<Record<ColumnType, TestChoice>>;
  /** Per column name. */
  readonly perColumn?: Readonly<Record<string, TestChoice>>;
  /** Dataset drift when share of drifted columns ≥ this (inclusive). Default 0.5. */
  readonly driftShare?: number;
}

export const DEFAULT_DRIFT_SHARE = 0.5;

/**
 * Evidently's default test (METRICS-SPEC, automatic test choice). n_ref is
 * the cleaned reference length; n_unique counts distinct values of
 * reference ∪ current.
 */
export function chooseStatTest(type: ColumnType, reference: ColumnProfile, current: ColumnProfile): StatTest {
  const nUnique = distinctUnionCount(reference, current, 6);
  if (reference.count <= 1000) {
    if (type === 'numerical') return getStatTest(nUnique <= 2 ? 'z' : nUnique <= 5 ? 'chisquare' : 'ks');
    return getStatTest(nUnique <= 2 ? 'z' : 'chisquare');
  }
  if (type === 'numerical') return getStatTest(nUnique <= 5 ? 'jensenshannon' : 'wasserstein');
  return getStatTest('jensenshannon');
}

export function columnDrift(
  column: string,
  type: ColumnType,
  reference: ColumnProfile,
  current: ColumnProfile,
  options: DriftOptions = {},
): ColumnDriftResult {
  const chosen = options.perColumn?.[column] ?? {};
  const byType = options.perType?.[type] ?? {};
  const stattestName = chosen.stattest ?? byType.stattest ?? options.stattest;
  const base = { column, type, reference_count: reference.count, current_count: current.count };
  let test: StatTest | undefined;
  try {
    if (stattestName) test = getStatTest(stattestName);
    if (reference.count === 0 || current.count === 0) {
      const side = reference.count === 0 ? 'reference' : 'current';
      throw new Error(`column "${column}" has no values in the ${side} data after dropping missing/infinite values`);
    }
    test ??= chooseStatTest(type, reference, current);
    // Evidently's automatic choice runs chisquare and z on numerical columns
    // with few distinct values, bypassing the tests' own type lists; only a
    // test the user named is held to them.
    if (stattestName && !test.columnTypes.includes(type)) {
      throw new Error(`stat test "${test.name}" does not apply to ${type} column "${column}"`);
    }
    const threshold = chosen.threshold ?? byType.threshold ?? options.threshold ?? test.defaultThreshold;
    const result = test.compute(reference, current);
    return {
      ...base,
      stattest: test.name,
      score: result.score,
      threshold,
      drift_detected: isDrift(test.driftRule, result.score, threshold),
      ...(result.statistic !== undefined ? { statistic: result.statistic } : {}),
    };
  } catch (error) {
    const threshold = chosen.threshold ?? byType.threshold ?? options.threshold ?? test?.defaultThreshold ?? NaN;
    return {
      ...base,
      stattest: test?.name ?? stattestName ?? 'none',
      score: null,
      threshold,
      drift_detected: false,
      error: (error as Error).message,
    };
  }
}

/**
 * Dataset drift over the columns that could be tested; a column with an
 * error is reported but neither counts as tested nor as drifted.
 */
export function datasetDrift(columns: ColumnDriftResult[], driftShare = DEFAULT_DRIFT_SHARE): DatasetDriftResult {
  const tested = columns.filter((c) => c.error === undefined);
  const drifted = tested.filter((c) => c.drift_detected).length;
  const share = tested.length > 0 ? drifted / tested.length : 0;
  return {
    columns,
    number_of_columns: tested.length,
    number_of_drifted_columns: drifted,
    share_of_drifted_columns: share,
    dataset_drift: tested.length > 0 && share >= driftShare,
    drift_share: driftShare,
  };
}
