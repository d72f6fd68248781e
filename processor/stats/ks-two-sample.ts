/**
 * Two-sample two-sided Kolmogorov-Smirnov test, scipy.stats.ks_2samp with
 * method "auto" (scipy/stats/_stats_py.py, scipy 1.17):
 *
 *   D = max_x |F1(x) − F2(x)|  over the pooled sample (ECDFs from sorted samples)
 *
 * - exact when max(n1, n2) ≤ 10000: D is snapped to h/lcm(n1, n2) and the
 *   p-value is the share of lattice paths that leave |x/n1 − y/n2| < h/lcm —
 *   Hodges' "inside" method with Viehmann's 1−p recursion (n1 ≠ n2), or the
 *   alternating binomial sum in Horner form (n1 = n2). If the result is not a
 *   probability in [0, 1] scipy falls back to the asymptotic p-value.
 * - asymptotic otherwise: kstwo.sf(D, round(n1·n2/(n1+n2))).
 *
 * References: Hodges (1958), Arkiv för Matematik 3(43), 469–486; Viehmann
 * (2021), arXiv:2102.08037.
 */
import { kolmogorovNSf } from './kolmogorov-n.js';
import { roundHalfEven } from './numeric.js';

export interface KsResult {
  readonly statistic: number;
  readonly pvalue: number;
  readonly method: 'exact' | 'asymptotic';
}

/** scipy's MAX_AUTO_N: "auto" tries the exact distribution up to this sample size. */
const MAX_AUTO_N = 10000;

export function ks2Samp(sorted1: Float64Array, sorted2: Float64Array): KsResult {
  const n1 = sorted1.length;
  const n2 = sorted2.length;
  if (n1 === 0 || n2 === 0) throw new Error('ks needs non-empty samples');
  let maxDiff = -Infinity;
  let minDiff = Infinity;
  let i = 0;
  let j = 0;
  while (i < n1 || j < n2) {
    const value = j >= n2 || (i < n1 && sorted1[i]! <= sorted2[j]!) ? sorted1[i]! : sorted2[j]!;
    while (i < n1 && sorted1[i] === value) i++;
    while (j < n2 && sorted2[j] === value) j++;
    const diff = i / n1 - j / n2;
    if (diff > maxDiff) maxDiff = diff;
    if (diff < minDiff) minDiff = diff;
  }
  const minS = Math.min(Math.max(-minDiff, 0), 1);
  let d = minS > maxDiff ? minS : maxDiff;
  if (Math.max(n1, n2) <= MAX_AUTO_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = roundHalfEven(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pvalue: 1, method: 'exact' };
    const prob = n1 === n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
    if (prob >= 0 && prob <= 1) return { statistic: d, pvalue: prob, method: 'exact' };
  }
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const en = (m * n) / (m + n);
  return { statistic: d, pvalue: kolmogorovNSf(roundHalfEven(en), d), method: 'asymptotic' };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * P(D_{n,n} ≥ h/n) = 2·Σ_k (−1)^(k−1) C(2n, n−kh)/C(2n, n), in scipy's
 * Horner-like form 2·A0·(1 − A1·(1 − A2·(…))) against cancellation.
 */
function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
  }
  return 2 * P;
}

/**
 * Share of lattice paths (0,0)→(m,n) not staying strictly inside
 * |x/m − y/n| < h/lcm, one sliding column at a time (O(m·window) time,
 * O(n) memory): scipy's _compute_outer_prob_inside_method.
 */
function outerProbInside(n1: number, n2: number, g: number, h: number): number {
  const [m, n] = n1 >= n2 ? [n1, n2] : [n2, n1];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + minj - lastminj]! * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) A.fill(1, maxj - minj, maxj - minj + (lastlen - curlen));
  }
  return A[maxj - minj - 1]!;
}
