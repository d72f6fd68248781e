/**
 * Anderson-Darling k-sample test for two samples (Evidently "anderson",
 * legacy/calculations/stattests/anderson_darling_stattest.py, which calls
 * scipy.stats.anderson_ksamp([reference, current]) and takes the
 * significance level: default midrank variant, capped to [0.001, 0.25]).
 * Formula and reference in processor/stats/anderson-ksamp.ts.
 * Drift when p < threshold (default 0.1).
 */
import { andersonKsamp } from '../../stats/anderson-ksamp.js';
import { mergeProfiles } from '../../stats/merged-sample.js';
import { numericalPair } from '../../stats/numerical-input.js';
import type { StatTest } from '../types.js';

export const anderson: StatTest = {
  name: 'anderson',
  title: 'Anderson-Darling',
  columnTypes: ['numerical'],
  defaultThreshold: 0.1,
  scoreKind: 'p_value',
  driftRule: 'p_lt',
  compute(referenceProfile, currentProfile) {
    const [reference, current] = numericalPair('anderson', referenceProfile, currentProfile);
    const result = andersonKsamp(mergeProfiles(reference, current));
    return { score: result.significance, statistic: result.statistic };
  },
};
