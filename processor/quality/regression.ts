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
  // Typed arrays, filled in place: a million-row window costs 3 × 8 MB here, not boxed growing arrays.
  const targets = new Float64Array(target.length);
  const errors = new Float64Array(target.length);
  let n = 0;
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    const p = prediction[i]!;
    if (Number.isFinite(t) && Number.isFinite(p)) {
      targets[n] = t;
      errors[n++] = p - t;
    }
  }
  const usableTargets = targets.subarray(0, n);
  const usableErrors = errors.subarray(0, n);
  const absErrors = usableErrors.map(Math.abs);
  let squaredErrors = 0;
  let maxAbsError = n > 0 ? -Infinity : NaN;
  let mapeSum = 0;
  for (let i = 0; i < n; i++) {
    const e = usableErrors[i]!;
    const a = absErrors[i]!;
    const t = usableTargets[i]!;
    squaredErrors += e * e;
    if (a > maxAbsError) maxAbsError = a;
    mapeSum += Math.abs(t) > MAPE_EPSILON ? a / Math.max(t, MAPE_EPSILON) : MAPE_NEAR_ZERO_TERM;
  }
  return {
    count: n,
    mean_error: mean(usableErrors),
    error_std: sampleStd(usableErrors),
    mae: mean(absErrors),
    abs_error_std: sampleStd(absErrors),
    abs_error_max: maxAbsError,
    rmse: n > 0 ? Math.sqrt(squaredErrors / n) : NaN,
    r2: rSquared(usableTargets, squaredErrors),
    mape: n > 0 ? 100 * (mapeSum / n) : NaN,
  };
}

function mean(values: Float64Array): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Standard deviation with ddof 1 (two-pass, as numpy); NaN below 2 values. */
function sampleStd(values: Float64Array): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return Math.sqrt(squares / (values.length - 1));
}

/** scikit-learn's r2_score (force_finite=True) from the targets and Σerror². */
function rSquared(targets: Float64Array, squaredErrors: number): number {
  if (targets.length < 2) return NaN;
  const m = mean(targets);
  let totalSquares = 0;
  for (const t of targets) totalSquares += (t - m) * (t - m);
  if (totalSquares === 0) return squaredErrors === 0 ? 1 : 0;
  return 1 - squaredErrors / totalSquares;
}
