/**
 * Mann-Whitney U rank test (Evidently "mannw",
 * legacy/calculations/stattests/mann_whitney_urank_stattest.py, which calls
 * scipy.stats.mannwhitneyu(x=reference, y=current, alternative="less") with
 * scipy's defaults: use_continuity=True, method="auto").
 *
 *   R1 = Σ midranks of the reference in the pooled sample
 *   U1 = R1 − n1(n1+1)/2,   U2 = n1·n2 − U1     ("less" uses U2's upper tail)
 *
 * method "auto": exact when min(n1, n2) ≤ 8 and there are no ties in the
 * pooled sample, else the normal approximation with tie correction and
 * continuity correction:
 *
 *   z = (U2 − n1·n2/2 − 0.5) / √(n1·n2/12 · ((n+1) − Σ(t³−t)/(n(n−1)))),  p = Φ(−z)
 *
 * The METRICS-SPEC calls the test one-sided "less" — so does Evidently, even
 * though its docstring says two-tailed: we match the code. Drift when p < threshold
 * (default 0.05).
 *
 * Reference: Mann & Whitney (1947), Ann. Math. Statist. 18(1), 50–60.
 */
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import { mannWhitneyExactSf } from '../../stats/mann-whitney-exact.js';
import { mergeProfiles } from '../../stats/merged-sample.js';
import { numericalPair } from '../../stats/numerical-input.js';
import type { StatTest } from '../types.js';

/** scipy switches to the exact distribution when a sample has at most this many values. */
const EXACT_MAX_SMALL_SIZE = 8;

export const mannWhitney: StatTest = {
  name: 'mannw',
  title: 'Mann-Whitney U-rank test',
  columnTypes: ['numerical'],
  defaultThreshold: 0.05,
  scoreKind: 'p_value',
  driftRule: 'p_lt',
  compute(referenceProfile, currentProfile) {
    const [reference, current] = numericalPair('mannw', referenceProfile, currentProfile);
    const merged = mergeProfiles(reference, current);
    const n1 = merged.sizeA;
    const n2 = merged.sizeB;
    let rankSum = 0;
    let tieTerm = 0;
    let below = 0;
    let hasTies = false;
    for (let g = 0; g < merged.values.length; g++) {
      const countA = merged.countsA[g]!;
      const tied = countA + merged.countsB[g]!;
      rankSum += countA * (below + (tied + 1) / 2);
      tieTerm += tied * tied * tied - tied;
      if (tied > 1) hasTies = true;
      below += tied;
    }
    const u1 = rankSum - (n1 * (n1 + 1)) / 2;
    const u2 = n1 * n2 - u1;
    const exact = (n1 <= EXACT_MAX_SMALL_SIZE || n2 <= EXACT_MAX_SMALL_SIZE) && !hasTies;
    let p: number;
    if (exact) {
      p = mannWhitneyExactSf(u2, n1, n2);
    } else {
      const n = n1 + n2;
      const sd = Math.sqrt(((n1 * n2) / 12) * ((n + 1) - tieTerm / (n * (n - 1))));
      const z = (u2 - (n1 * n2) / 2 - 0.5) / sd;
      p = normalCdf(-z, 0, 1);
    }
    return { score: Math.min(Math.max(p, 0), 1), statistic: u1 };
  },
};
