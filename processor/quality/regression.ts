/**
 * Regression quality of one window: the numbers of Evidently 0.7.21's
 * RegressionQualityMetric (legacy/calculations/regression_performance.py
 * `_calculate_quality_metrics`, with the current-data defaults the metric
 * passes: mape_zero_handling="replace", mape_replace_value=1.0) and
 * scikit-learn's r2_score / root_mean_squared_error, which Evidently calls.
 *
 * error = prediction − target. Rows where either side is NaN or ±inf are
 * dropped first (Evidently's `_prepare_dataset`: inf → NaN, dropna).
 *
 *   mean_error    = mean(error)
 *   error_std     = std(error, ddof 1)
 *   mae           = mean(|error|)
 *   abs_error_std = std(|error|, ddof 1)
 *   abs_error_max = max(|error|)
 *   rmse          = √mean(error²)
 *   r2            = 1 − Σerror² / Σ(target − mean(target))²  (scikit-learn: NaN
 *                   below 2 rows; a constant target gives 1 when every error is
 *                   0, else 0 — its force_finite rule)
 *   mape          = 100 · mean(term), term = |error| / max(target, ε), ε = 2.22e-16
 *
 * MAPE quirks, kept on purpose because they are what Evidently reports:
 * - the denominator is max(target, ε) with no abs on the target, so a negative
 *   target below −ε divides by ε and yields a huge term (~|error|·4.5e15);
 * - rows with |target| ≤ ε (the test is on the absolute value) have their term
 *   replaced by 1.0, i.e. they count as a 100 % error, whatever the prediction.
 *
 * Zero usable rows give count 0 and NaN for every metric, never a throw.
 */
import type { RegressionQuality } from './types.js';

/** Machine epsilon of float64 (numpy.finfo(float64).eps), Evidently's default mape_epsilon. */
export const MAPE_EPSILON = 2.220446049250313e-16;

/** The MAPE term of near-zero targets (Evidently's mape_replace_value default for current data). */
export const MAPE_NEAR_ZERO_TERM = 1.0;

export function regressionQuality(target: ArrayLike<number>, prediction: ArrayLike<number>): RegressionQuality {
  if (target.length !== prediction.length) {
    throw new Error(`regression quality: target has ${target.length} rows but prediction has ${prediction.length}`);
  }
  // Two passes over the inputs and no copies (a million-row window would
  // otherwise allocate 24 MB here). Sums run in row order, as a copy-then-sum would.
  const usable = (i: number) => Number.isFinite(target[i]!) && Number.isFinite(prediction[i]!);
  let n = 0;
  let errorSum = 0;
  let absErrorSum = 0;
  let targetSum = 0;
  let squaredErrors = 0;
  let maxAbsError = -Infinity;
  let mapeSum = 0;
  for (let i = 0; i < target.length; i++) {
    if (!usable(i)) continue;
    const t = target[i]!;
    const e = prediction[i]! - t;
    const a = Math.abs(e);
    n++;
    errorSum += e;
    absErrorSum += a;
    targetSum += t;
    squaredErrors += e * e;
    if (a > maxAbsError) maxAbsError = a;
    mapeSum += Math.abs(t) > MAPE_EPSILON ? a / Math.max(t, MAPE_EPSILON) : MAPE_NEAR_ZERO_TERM;
  }
  if (n === 0) {
    return { count: 0, mean_error: NaN, error_std: NaN, mae: NaN, abs_error_std: NaN, abs_error_max: NaN, rmse: NaN, r2: NaN, mape: NaN };
  }
  const meanError = errorSum / n;
  const meanAbsError = absErrorSum / n;
  const meanTarget = targetSum / n;
  let errorSquares = 0;
  let absErrorSquares = 0;
  let totalSquares = 0;
  for (let i = 0; i < target.length; i++) {
    if (!usable(i)) continue;
    const t = target[i]!;
    const e = prediction[i]! - t;
    errorSquares += (e - meanError) * (e - meanError);
    absErrorSquares += (Math.abs(e) - meanAbsError) * (Math.abs(e) - meanAbsError);
    totalSquares += (t - meanTarget) * (t - meanTarget);
  }
  return {
    count: n,
    mean_error: meanError,
    // Standard deviations with ddof 1 (two-pass, as numpy); NaN below 2 values.
    error_std: n < 2 ? NaN : Math.sqrt(errorSquares / (n - 1)),
    mae: meanAbsError,
    abs_error_std: n < 2 ? NaN : Math.sqrt(absErrorSquares / (n - 1)),
    abs_error_max: maxAbsError,
    rmse: Math.sqrt(squaredErrors / n),
    r2: rSquared(n, totalSquares, squaredErrors),
    mape: 100 * (mapeSum / n),
  };
}

/** scikit-learn's r2_score (force_finite=True) from Σ(target − mean)² and Σerror². */
function rSquared(n: number, totalSquares: number, squaredErrors: number): number {
  if (n < 2) return NaN;
  if (totalSquares === 0) return squaredErrors === 0 ? 1 : 0;
  return 1 - squaredErrors / totalSquares;
}
