/**
 * Kullback-Leibler divergence (Evidently "kl_div", legacy/calculations/stattests/kl_div.py),
 * as scipy.stats.entropy(r, c):
 *
 *   r ← r/Σr,  c ← c/Σc,  KL = Σ_i rel_entr(r_i, c_i) = Σ_i r_i · ln(r_i / c_i)
 *
 * over Evidently's zero-filled binned proportions (binning.ts). The zero fill
 * does not renormalise; scipy's entropy does, so the sum runs over
 * renormalised shares. Drift when KL ≥ threshold.
 *
 * Reference: Kullback & Leibler (1951), "On Information and Sufficiency".
 */
import { binnedShares } from '../binning.js';
import type { StatTest } from '../types.js';

/** x / Σx, as scipy does before every entropy. */
export function normalised(shares: Float64Array): Float64Array {
  let total = 0;
  for (let i = 0; i < shares.length; i++) total += shares[i]!;
  return shares.map((s) => s / total);
}

/**
 * Σ scipy.special.rel_entr(p_i, q_i): p·ln(p/q) for p, q > 0; 0 for p = 0,
 * q ≥ 0; +∞ otherwise.
 */
export function relativeEntropy(p: Float64Array, q: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    const qi = q[i]!;
    if (pi > 0 && qi > 0) sum += pi * Math.log(pi / qi);
    else if (!(pi === 0 && qi >= 0)) sum += Infinity;
  }
  return sum;
}

export const klDiv: StatTest = {
  name: 'kl_div',
  title: 'Kullback-Leibler divergence',
  columnTypes: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  scoreKind: 'distance',
  driftRule: 'd_gte',
  compute(reference, current) {
    const shares = binnedShares(reference, current, true);
    return { score: relativeEntropy(normalised(shares.reference), normalised(shares.current)) };
  },
};
