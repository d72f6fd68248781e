/**
 * Survival function of the one-sided Kolmogorov-Smirnov statistic D_n+,
 * P(D_n+ ≥ x), as scipy.special.smirnov (xsf/cephes/kolmogorov.h) computes it:
 * the Birnbaum-Tingey sum
 *
 *   P(D_n+ ≥ x) = x · Σ_{j=0}^{⌊n(1−x)⌋} C(n, j) (x + j/n)^(j−1) (1 − x − j/n)^(n−j)
 *
 * with scipy's special cases (x ≤ 1/n, x ≥ 1 − 1/n, underflow, n > 10⁶) and its
 * early stop. scipy sums in double-double; every term here is positive, so
 * summing logs of the terms in double keeps ~1e-13 relative accuracy — well
 * within what a p-value needs.
 *
 * Reference: Birnbaum & Tingey (1951), Ann. Math. Statist. 22(4), 592–596;
 * van Mulbregt (2018), arXiv:1802.06966.
 */

const MAX_COMPUTE_N = 1000000;
/** cephes MINLOG: exp() of anything below underflows. */
const MIN_LOG = -7.08396418532264106224e2;

export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return NaN;
  if (n === 1) return x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  let nxFloor = Math.floor(nx);
  let alpha = nx - nxFloor;
  if (alpha === 1) { nxFloor += 1; alpha = 0; }
  if (nxFloor === 0 || (nxFloor === 1 && alpha === 0)) {
    return clip(1 - x * Math.pow(1 + x, n - 1));
  }
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (nxFloor >= n - 1) return clip(Math.pow(1 - x, n));
  if (n > MAX_COMPUTE_N) {
    const logp = -Math.pow(6.0 * n * x + 1, 2) / 18.0 / n;
    // p ≈ exp(−(6nx+1)²/(18n)), scipy's approximation for very large n.
    return clip(logp < -Math.LN2 ? Math.exp(logp) : 1 - -Math.expm1(logp));
  }
  // Terms j = 0 … ⌊n(1−x)⌋, the last left out when n·x is an integer (it is 0).
  const lastJ = n - nxFloor - (alpha === 0 ? 1 : 0);
  const nTerms = lastJ + 1;
  const vmid = Math.floor(n / 2);
  let sum = Math.pow(1 - x, n) / x; // j = 0: (1−x)^n / x
  let logBinomial = 0;
  for (let j = 1; j < nTerms; j++) {
    logBinomial += Math.log((n - j + 1) / j);
    const upper = (n - j) / n - x; // 1 − x − j/n
    const term = upper > 0
      ? Math.exp(logBinomial + (j - 1) * Math.log(x + j / n) + (n - j) * Math.log(upper))
      : 0;
    sum += term;
    if (term !== 0) {
      if (4 * (nTerms - j) * term < Number.EPSILON * sum && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
  }
  return clip(x * sum);
}

function clip(p: number): number {
  return Math.min(Math.max(p, 0), 1);
}
