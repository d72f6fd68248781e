/**
 * Exact null distribution of the Mann-Whitney U statistic (no ties), as
 * scipy.stats._mannwhitneyu._MWU computes it.
 *
 * The counts of arrangements with U = u are the coefficients of the Gaussian
 * binomial [n1 + n2 choose n1]_q = Π_{i=1..n1} (1 − q^(n2+i)) / (1 − q^i)
 * (Andrews, "The Theory of Partitions", 1976, §3.3). Applying one factor at a
 * time keeps every intermediate polynomial a Gaussian binomial with
 * non-negative coefficients; we only keep the coefficients up to the needed
 * u. Cost O(min(n1, n2) · u), where scipy's recurrence is O(u²).
 */

/** Arrangement counts for U = 0..maxU, with n1 ≤ n2 after swapping. */
function uCounts(n1: number, n2: number, maxU: number): Float64Array {
  const small = Math.min(n1, n2);
  const large = Math.max(n1, n2);
  const counts = new Float64Array(maxU + 1);
  counts[0] = 1;
  for (let i = 1; i <= small; i++) {
    const up = large + i;
    for (let u = maxU; u >= up; u--) counts[u]! -= counts[u - up]!;
    for (let u = i; u <= maxU; u++) counts[u]! += counts[u - i]!;
  }
  return counts;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

/** P(U ≥ k) for the U statistic of samples of sizes n1, n2 (scipy _MWU.sf). */
export function mannWhitneyExactSf(k: number, n1: number, n2: number): number {
  const total = binomial(n1 + n2, Math.min(n1, n2));
  const complement = n1 * n2 - k;
  // By symmetry P(U ≥ k) = P(U ≤ n1·n2 − k); sum the shorter tail, as scipy does.
  const lowerTail = k < complement;
  const index = lowerTail ? k : complement;
  if (index < 0) return lowerTail ? 1 : 0;
  const counts = uCounts(n1, n2, index);
  let cdf = 0;
  for (let u = 0; u <= index; u++) cdf += counts[u]! / total;
  return lowerTail ? 1 - cdf + counts[index]! / total : cdf;
}
