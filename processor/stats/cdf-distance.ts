/**
 * Distance between the empirical CDFs of two samples, as scipy's
 * `_cdf_distance` (scipy/stats/_stats_py.py):
 *
 *   l_p(u, v) = ( ∫ |U(x) − V(x)|^p dx )^(1/p)
 *
 * The integrand is a step function that changes only at the pooled distinct
 * values, so the integral is an exact finite sum over consecutive distinct
 * values: O(n_u + n_v) over already sorted samples. Used with p = 1
 * (Wasserstein-1) and p = 2 (energy distance = √2 · l_2).
 */
import { CompensatedSum } from './numeric.js';

export function cdfDistance(p: 1 | 2, uSorted: Float64Array, vSorted: Float64Array): number {
  const nu = uSorted.length;
  const nv = vSorted.length;
  if (nu === 0 || nv === 0) throw new Error('cdfDistance needs two non-empty samples');
  const sum = new CompensatedSum();
  let i = 0;
  let j = 0;
  while (i < nu || j < nv) {
    const value = j >= nv || (i < nu && uSorted[i]! <= vSorted[j]!) ? uSorted[i]! : vSorted[j]!;
    while (i < nu && uSorted[i] === value) i++;
    while (j < nv && vSorted[j] === value) j++;
    if (i === nu && j === nv) break;
    const next = j >= nv || (i < nu && uSorted[i]! <= vSorted[j]!) ? uSorted[i]! : vSorted[j]!;
    // Same divisions as scipy (count / size), so each CDF value is bit-identical.
    const gap = i / nu - j / nv;
    const delta = next - value;
    sum.add(p === 1 ? Math.abs(gap) * delta : gap * gap * delta);
  }
  return p === 1 ? sum.value : Math.sqrt(sum.value);
}
