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
  const targets: number[] = [];
  const errors: number[] = [];
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    const p = prediction[i]!;
    if (Number.isFinite(t) && Number.isFinite(p)) {
      targets.push(t);
      errors.push(p - t);
    }
  }
  const n = errors.length;
  const absErrors = errors.map(Math.abs);
  const meanError = mean(errors);
  let squaredErrors = 0;
  for (const e of errors) squaredErrors += e * e;
  let maxAbsError = n > 0 ? -Infinity : NaN;
  for (const a of absErrors) if (a > maxAbsError) maxAbsError = a;
  const mapeTerms = targets.map((t, i) =>
    Math.abs(t) > MAPE_EPSILON ? absErrors[i]! / Math.max(t, MAPE_EPSILON) : MAPE_NEAR_ZERO_TERM,
  );
  return {
    count: n,
    mean_error: meanError,
    error_std: sampleStd(errors),
    mae: mean(absErrors),
    abs_error_std: sampleStd(absErrors),
    abs_error_max: maxAbsError,
    rmse: n > 0 ? Math.sqrt(squaredErrors / n) : NaN,
    r2: rSquared(targets, squaredErrors),
    mape: 100 * mean(mapeTerms),
  };
}

function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Standard deviation with ddof 1 (two-pass, as numpy); NaN below 2 values. */
function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return NaN;
  const m = mean(values);
  let squares = 0;
  for (const v of values) squares += (v - m) * (v - m);
  return Math.sqrt(squares / (values.length - 1));
}

/** scikit-learn's r2_score (force_finite=True) from the targets and Σerror². */
function rSquared(targets: readonly number[], squaredErrors: number): number {
  if (targets.length < 2) return NaN;
  const m = mean(targets);
  let totalSquares = 0;
  for (const t of targets) totalSquares += (t - m) * (t - m);
  if (totalSquares === 0) return squaredErrors === 0 ? 1 : 0;
  return 1 - squaredErrors / totalSquares;
}
