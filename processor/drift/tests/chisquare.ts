/**
 * Pearson's chi-square goodness of fit (Evidently "chisquare",
 * legacy/calculations/stattests/chisquare_stattest.py), as scipy.stats.chisquare:
 *
 *   f_obs_i = current count of key i,  f_exp_i = reference count · n_cur / n_ref
 *   χ² = Σ_i (f_obs_i − f_exp_i)² / f_exp_i,   p = P(χ²_{k−1} ≥ χ²)
 *
 * over the union of keys of both samples (k keys). A key the reference lacks
 * has f_exp = 0, so χ² = ∞ and p = 0; a single key gives df = 0 and p = NaN
 * (scipy's answer, which never counts as drift). Drift when p < threshold.
 *
 * Evidently allows chisquare on categorical columns only, yet its automatic
 * choice runs it on numerical columns with 3–5 distinct values; compute()
 * accepts both (numerical keys are the distinct values).
 *
 * Reference: scipy.stats.chisquare; Pearson (1900).
 */
import gammainc from '@stdlib/math-base-special-gammainc';
import { alignedCounts } from '../profile.js';
import type { StatTest } from '../types.js';

/**
 * Upper tail of the chi-square distribution (scipy.special.chdtrc) as the
 * regularised upper incomplete gamma Q(df/2, x/2): no 1 − cdf cancellation.
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (Number.isNaN(x) || !(df > 0)) return NaN;
  if (x === Infinity) return 0;
  if (x <= 0) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

export const chisquare: StatTest = {
  name: 'chisquare',
  title: 'chi-square p_value',
  columnTypes: ['categorical'],
  defaultThreshold: 0.05,
  scoreKind: 'p_value',
  driftRule: 'p_lt',
  compute(reference, current) {
    const counts = alignedCounts(reference, current);
    const scale = current.count / reference.count;
    let statistic = 0;
    for (let i = 0; i < counts.keys.length; i++) {
      const expected = counts.reference[i]! * scale;
      const observed = counts.current[i]!;
      statistic += (observed - expected) ** 2 / expected;
    }
    return { score: chiSquareSurvival(statistic, counts.keys.length - 1), statistic };
  },
};
