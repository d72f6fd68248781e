/**
 * Pooled two-proportion z-test (Evidently "z", legacy/calculations/stattests/z_stattest.py).
 *
 * Each value maps to 0 when it equals the first key of the sorted union of
 * keys and to 1 otherwise; with p1, p2 the shares of ones and n1, n2 the
 * sample lengths:
 *
 *   P = (p1·n1 + p2·n2) / (n1 + n2)
 *   z = (p1 − p2) / √( P(1 − P)(1/n1 + 1/n2) ),   p = 2·(1 − Φ(|z|))
 *
 * When both samples hold one and the same value, p = 1 (Evidently's special
 * case; z would be 0/0). Evidently evaluates 1 − Φ, which rounds to 0 beyond
 * |z| ≈ 8.3; this computes the tail as erfc(|z|/√2), equal within 1e-16
 * absolute and exact in relative terms. Drift when p < threshold.
 *
 * "First sorted key" follows the profile's key order: numbers ascending for a
 * numerical profile, JavaScript string order for categories. Python sorts a
 * categorical column of ints numerically; with more than two such categories
 * stored as text, the first key (and so p) can differ from Evidently's.
 *
 * Reference: Fleiss, Levin & Paik (2003), "Statistical Methods for Rates and Proportions", §2.
 */
import erfc from '@stdlib/math-base-special-erfc';
import { alignedCounts } from '../profile.js';
import type { StatTest } from '../types.js';

/** P(|N(0,1)| ≥ |z|), computed without cancellation. */
export function twoSidedNormalPValue(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

export const zTest: StatTest = {
  name: 'z',
  title: 'Z-test p_value',
  columnTypes: ['categorical'],
  defaultThreshold: 0.05,
  scoreKind: 'p_value',
  driftRule: 'p_lt',
  compute(reference, current) {
    const counts = alignedCounts(reference, current);
    if (counts.keys.length === 1) return { score: 1 };
    const n1 = reference.count;
    const n2 = current.count;
    const p1 = (n1 - counts.reference[0]!) / n1;
    const p2 = (n2 - counts.current[0]!) / n2;
    const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    const statistic = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
    return { score: twoSidedNormalPValue(statistic), statistic };
  },
};
