/**
 * Population Stability Index (Evidently "psi", legacy/calculations/stattests/psi.py).
 *
 *   PSI = Σ_i (r_i − c_i) · ln(r_i / c_i)
 *
 * over Evidently's binned proportions with zero fill (binning.ts): sturges
 * histogram bins for a numerical column with > 20 distinct reference values,
 * one bin per value otherwise. Every term is ≥ 0. Drift when PSI ≥ threshold.
 *
 * Reference: Yurdakul (2018), "Statistical Properties of Population Stability Index".
 */
import { binnedShares } from '../binning.js';
import type { StatTest } from '../types.js';

export const psi: StatTest = {
  name: 'psi',
  title: 'PSI',
  columnTypes: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  scoreKind: 'distance',
  driftRule: 'd_gte',
  compute(reference, current) {
    const shares = binnedShares(reference, current, true);
    let sum = 0;
    for (let i = 0; i < shares.reference.length; i++) {
      const r = shares.reference[i]!;
      const c = shares.current[i]!;
      sum += (r - c) * Math.log(r / c);
    }
    return { score: sum };
  },
};
