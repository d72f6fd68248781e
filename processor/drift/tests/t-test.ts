/**
 * Two-sample Student t-test (Evidently "t_test", legacy/calculations/stattests/t_test.py,
 * which calls scipy.stats.ttest_ind(reference, current) with its defaults):
 * equal variances (pooled), two-sided.
 *
 *   s²  = ((n1 − 1)·s1² + (n2 − 1)·s2²) / (n1 + n2 − 2)
 *   t   = (mean1 − mean2) / √(s² · (1/n1 + 1/n2)),   df = n1 + n2 − 2
 *   p   = 2 · T_df(−|t|)
 *
 * A sample of one value contributes no variance (scipy sets s_i² = 0 then).
 * Both samples constant and equal give 0/0: p is NaN, as in scipy, and NaN
 * never counts as drift. Drift when p < threshold (default 0.05).
 *
 * Reference: Student (1908), "The probable error of a mean", Biometrika 6(1).
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { meanOf, varianceOf } from '../../stats/moments.js';
import { numericalPair } from '../../stats/numerical-input.js';
import type { StatTest } from '../types.js';

export const tTest: StatTest = {
  name: 't_test',
  title: 't_test',
  columnTypes: ['numerical'],
  // Evidently's t_test leaves default_threshold at StatTest's default, 0.05.
  defaultThreshold: 0.05,
  scoreKind: 'p_value',
  driftRule: 'p_lt',
  compute(referenceProfile, currentProfile) {
    const [reference, current] = numericalPair('t_test', referenceProfile, currentProfile);
    const n1 = reference.count;
    const n2 = current.count;
    const mean1 = meanOf(reference.sorted);
    const mean2 = meanOf(current.sorted);
    const var1 = n1 === 1 ? 0 : varianceOf(reference.sorted, 1, mean1);
    const var2 = n2 === 1 ? 0 : varianceOf(current.sorted, 1, mean2);
    const df = n1 + n2 - 2;
    const pooled = ((n1 - 1) * var1 + (n2 - 1) * var2) / df;
    const t = (mean1 - mean2) / Math.sqrt(pooled * (1 / n1 + 1 / n2));
    const p = 2 * tCdf(-Math.abs(t), df);
    return { score: p, statistic: t };
  },
};
