/**
 * Two-sample Anderson-Darling test as scipy.stats.anderson_ksamp computes it
 * with its default variant "midrank" (scipy/stats/_morestats.py), for k = 2.
 *
 * Statistic (Scholz & Stephens 1987, eq. 7, the midrank version for ties):
 *
 *   A²akN = (N−1)/N · Σ_i 1/n_i · Σ_j l_j/N · (N·M_ij − B_j·n_i)² / (B_j(N − B_j) − N·l_j/4)
 *
 * over the distinct pooled values z_j (l_j copies, B_j = #below + l_j/2,
 * M_ij = #(sample i ≤ z_j) − #(sample i = z_j)/2), standardised as
 * T = (A²akN − (k−1)) / σ_N. The significance level is interpolated from
 * Scholz & Stephens' Table 2 by a quadratic fit of log(level) against the
 * critical values, and capped to [0.001, 0.25] outside the table's range.
 *
 * Reference: Scholz, F. W. and Stephens, M. A. (1987), "K-Sample
 * Anderson-Darling Tests", JASA 82(399), 918–924.
 */
import type { MergedSample } from './merged-sample.js';
import { CompensatedSum } from './numeric.js';
import { polyfit, polyval } from './polyfit.js';

export interface AndersonResult {
  readonly statistic: number;
  readonly significance: number;
}

// Table 2 of Scholz & Stephens: critical value = b0 + b1/√m + b2/m for m = k − 1.
const B0 = [0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085];
const B1 = [-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615];
const B2 = [-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154];
const LEVELS = [0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001];
const SAMPLES = 2;
const M = SAMPLES - 1;
const CRITICAL = B0.map((b0, i) => b0 + B1[i]! / Math.sqrt(M) + B2[i]! / M);
const LOG_LEVEL_FIT = polyfit(CRITICAL, LEVELS.map(Math.log), 2);

export function andersonKsamp(merged: MergedSample): AndersonResult {
  const { values, countsA, countsB, sizeA, sizeB } = merged;
  const N = sizeA + sizeB;
  if (values.length < 2) throw new Error('anderson needs more than one distinct value in reference ∪ current');
  const allDistinct = values.length === N;
  const sums = [new CompensatedSum(), new CompensatedSum()];
  const sizes = [sizeA, sizeB];
  const cumulative = [0, 0];
  let below = 0;
  for (let j = 0; j < values.length; j++) {
    const counts = [countsA[j]!, countsB[j]!];
    const lj = allDistinct ? 1 : counts[0]! + counts[1]!;
    const bj = below + lj / 2;
    for (let i = 0; i < SAMPLES; i++) {
      cumulative[i]! += counts[i]!;
      const mij = cumulative[i]! - counts[i]! / 2;
      const diff = N * mij - bj * sizes[i]!;
      sums[i]!.add(((lj / N) * diff * diff) / (bj * (N - bj) - (N * lj) / 4));
    }
    below += counts[0]! + counts[1]!;
  }
  let a2akN = 0;
  for (let i = 0; i < SAMPLES; i++) a2akN += sums[i]!.value / sizes[i]!;
  a2akN *= (N - 1) / N;

  const sigma = Math.sqrt(varianceOfStatistic(sizeA, sizeB));
  const statistic = (a2akN - M) / sigma;
  const minCritical = Math.min(...CRITICAL);
  const maxCritical = Math.max(...CRITICAL);
  let significance: number;
  if (statistic < minCritical) significance = Math.max(...LEVELS);
  else if (statistic > maxCritical) significance = Math.min(...LEVELS);
  else significance = Math.exp(polyval(LOG_LEVEL_FIT, statistic));
  return { statistic, significance };
}

/** σ_N² of A²akN under the null (Scholz & Stephens eq. 4), as scipy writes it. */
function varianceOfStatistic(sizeA: number, sizeB: number): number {
  const N = sizeA + sizeB;
  if (N < 3) throw new Error('anderson needs at least 3 values in reference ∪ current');
  const k = SAMPLES;
  const H = 1 / sizeA + 1 / sizeB;
  // hs_cs = cumsum(1/(N−1), 1/(N−2), …, 1/2); h = Σ_{i<N} 1/i; g = Σ hs_cs[idx]/(idx+2).
  let running = 0;
  const g = new CompensatedSum();
  for (let idx = 0; idx < N - 2; idx++) {
    running += 1 / (N - 1 - idx);
    g.add(running / (idx + 2));
  }
  const h = running + 1;
  const gv = g.value;
  const a = (4 * gv - 6) * (k - 1) + (10 - 6 * gv) * H;
  const b = (2 * gv - 4) * k ** 2 + 8 * h * k + (2 * gv - 14 * h - 4) * H - 8 * h + 4 * gv - 6;
  const c = (6 * h + 2 * gv - 2) * k ** 2 + (4 * h - 4 * gv + 6) * k + (2 * h - 6) * H + 4 * h;
  const d = (2 * h + 6) * k ** 2 - 4 * h * k;
  const sigmaSq = (a * N ** 3 + b * N ** 2 + c * N + d) / ((N - 1) * (N - 2) * (N - 3));
  if (sigmaSq < 0) throw new Error('anderson: negative variance of the statistic (too few values)');
  return sigmaSq;
}
