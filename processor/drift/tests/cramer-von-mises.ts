/**
 * Two-sample Cramér-von Mises test (Evidently "cramer_von_mises",
 * legacy/calculations/stattests/cramer_von_mises_stattest.py). Evidently does
 * not call scipy here but its own copy of cramervonmises_2samp (method
 * "auto": exact when max(m, n) ≤ 20, else asymptotic); we match that copy,
 * quirks included (processor/stats/cramer-von-mises.ts). Needs at least two
 * values on each side. Drift when p ≤ threshold (default 0.1).
 *
 * Reference: Anderson, T. W. (1962), "On the Distribution of the Two-Sample
 * Cramér-von Mises Criterion", Ann. Math. Statist. 33(3), 1148–1159.
 */
import { cramerVonMises2Samp } from '../../stats/cramer-von-mises.js';
import { mergeProfiles } from '../../stats/merged-sample.js';
import { numericalPair } from '../../stats/numerical-input.js';
import type { StatTest } from '../types.js';

export const cramerVonMises: StatTest = {
  name: 'cramer_von_mises',
  title: 'Cramer-von Mises',
  columnTypes: ['numerical'],
  defaultThreshold: 0.1,
  scoreKind: 'p_value',
  driftRule: 'p_lte',
  compute(referenceProfile, currentProfile) {
    const [reference, current] = numericalPair('cramer_von_mises', referenceProfile, currentProfile);
    const result = cramerVonMises2Samp(mergeProfiles(reference, current));
    return { score: result.pvalue, statistic: result.statistic };
  },
};
