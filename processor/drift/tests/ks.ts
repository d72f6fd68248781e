/**
 * Two-sample Kolmogorov-Smirnov test (Evidently "ks",
 * legacy/calculations/stattests/ks_stattest.py: scipy.stats.ks_2samp(reference,
 * current)[1], two-sided, method "auto"). Score = p-value; drift when
 * p ≤ threshold (default 0.05). Method details in processor/stats/ks-two-sample.ts.
 *
 * Reference: Smirnov (1948), "Table for estimating the goodness of fit of
 * empirical distributions", Ann. Math. Statist. 19(2), 279–281.
 */
import { ks2Samp } from '../../stats/ks-two-sample.js';
import { numericalPair } from '../../stats/numerical-input.js';
import type { StatTest } from '../types.js';

export const ks: StatTest = {
  name: 'ks',
  title: 'K-S p_value',
  columnTypes: ['numerical'],
  defaultThreshold: 0.05,
  scoreKind: 'p_value',
  driftRule: 'p_lte',
  compute(referenceProfile, currentProfile) {
    const [reference, current] = numericalPair('ks', referenceProfile, currentProfile);
    const result = ks2Samp(reference.sorted, current.sorted);
    return { score: result.pvalue, statistic: result.statistic };
  },
};
