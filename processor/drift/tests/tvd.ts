/**
 * Total variation distance with a permutation p-value (Evidently "TVD",
 * legacy/calculations/stattests/tvd_stattest.py and utils.permutation_test).
 *
 * Statistic, over the union of keys with r, c the counts and n_r, n_c the lengths:
 *   TVD = ½ Σ_k | r_k/n_r − c_k/n_c |
 * Score: Evidently's permutation p-value. It seeds numpy's legacy MT19937
 * with 0 once, then 1000 times draws np.random.choice(combined, n_r,
 * replace=False) — a Fisher–Yates shuffle of the pooled sample (reference
 * then current) drawing each swap index by masked rejection — splits the
 * pool into a new reference (first n_r) and current (the rest), and
 *   p = #{ permuted TVD ≥ observed TVD } / 1000.
 * Drift when p < threshold (default 0.1).
 *
 * The same generator (pure-rand's mersenne(0) is numpy's seed(0) stream) and
 * shuffle are used here, so the p-value equals Evidently's exactly when the
 * pooled sample is in the same order: a profile keeps counts, not row order,
 * so the pool is laid out as reference categories in key order, then current
 * categories in key order (Evidently's order when both inputs are sorted).
 * For other row orders the p-value agrees in distribution only.
 * TVDs are compared as rounded floats, as Evidently does: a permutation whose
 * TVD equals the observed one mathematically may round below it. Evidently
 * sums over keys in Python set order (string hashes, so PYTHONHASHSEED can
 * move its p-value by 1/1000 on such ties); this sums in key order with
 * numpy's pairwise summation, so it matches whenever the orders agree.
 *
 * Reference: Evidently utils.permutation_test; Good (2005), "Permutation, Parametric, and Bootstrap Tests".
 */
import { mersenne } from 'pure-rand';
import { alignedCounts } from '../profile.js';
import type { StatTest } from '../types.js';

/** Evidently's fixed settings: np.random.seed(0), 1000 permutations. */
export const PERMUTATION_SEED = 0;
export const PERMUTATION_COUNT = 1000;

/**
 * numpy's pairwise summation (np.add.reduce on a contiguous float64 array):
 * sequential below 8 items, 8 interleaved partial sums up to 128, halves above.
 * Used so TVDs round exactly as Evidently's np.sum does for the same key order.
 */
export function numpySum(values: Float64Array, start = 0, length = values.length): number {
  if (length < 8) {
    let sum = -0;
    for (let i = start; i < start + length; i++) sum += values[i]!;
    return sum;
  }
  if (length <= 128) {
    const r = new Float64Array(8);
    for (let j = 0; j < 8; j++) r[j] = values[start + j]!;
    let i = 8;
    for (; i < length - (length % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j]! += values[start + i + j]!;
    }
    let sum = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) + ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < length; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(length / 2);
  half -= half % 8;
  return numpySum(values, start, half) + numpySum(values, start + half, length - half);
}

/** ½ Σ_k |r_k/n_r − c_k/n_c| in float64, operation for operation as Evidently's _total_variation_distance. */
function totalVariation(reference: ArrayLike<number>, current: ArrayLike<number>, nReference: number, nCurrent: number, scratch: Float64Array): number {
  for (let k = 0; k < scratch.length; k++) scratch[k] = Math.abs(reference[k]! / nReference - current[k]! / nCurrent);
  return 0.5 * numpySum(scratch);
}

/**
 * Evidently's permutation p-value for the pooled sample `pool` (key index per
 * element, reference first): numpy legacy RandomState shuffle, seeded once.
 */
export function permutationPValue(pool: Int32Array, keyCount: number, nReference: number, observed: number): number {
  const nCurrent = pool.length - nReference;
  const totals = new Float64Array(keyCount);
  for (let i = 0; i < pool.length; i++) totals[pool[i]!]! += 1;
  const rng = mersenne(PERMUTATION_SEED);
  const work = new Int32Array(pool.length);
  const permutedReference = new Float64Array(keyCount);
  const permutedCurrent = new Float64Array(keyCount);
  const scratch = new Float64Array(keyCount);
  let atLeastObserved = 0;
  for (let iteration = 0; iteration < PERMUTATION_COUNT; iteration++) {
    work.set(pool);
    // numpy's _shuffle_raw: for i = n−1 … 1 swap x[i] with x[random_interval(i)].
    for (let i = work.length - 1; i >= 1; i--) {
      let mask = i;
      mask |= mask >>> 1;
      mask |= mask >>> 2;
      mask |= mask >>> 4;
      mask |= mask >>> 8;
      mask |= mask >>> 16;
      let j: number;
      do j = rng.unsafeNext() & mask;
      while (j > i);
      const swap = work[i]!;
      work[i] = work[j]!;
      work[j] = swap;
    }
    permutedReference.fill(0);
    for (let i = 0; i < nReference; i++) permutedReference[work[i]!]! += 1;
    for (let k = 0; k < keyCount; k++) permutedCurrent[k] = totals[k]! - permutedReference[k]!;
    if (observed <= totalVariation(permutedReference, permutedCurrent, nReference, nCurrent, scratch)) atLeastObserved++;
  }
  return atLeastObserved / PERMUTATION_COUNT;
}

export const tvd: StatTest = {
  name: 'TVD',
  title: 'Total-Variation-Distance',
  columnTypes: ['categorical'],
  defaultThreshold: 0.1,
  scoreKind: 'p_value',
  driftRule: 'p_lt',
  compute(reference, current) {
    const counts = alignedCounts(reference, current);
    const nReference = reference.count;
    const nCurrent = current.count;
    if (nReference + nCurrent >= 2 ** 31) {
      throw new Error(`TVD permutation test supports fewer than 2^31 pooled values, got ${nReference + nCurrent}`);
    }
    const statistic = totalVariation(counts.reference, counts.current, nReference, nCurrent, new Float64Array(counts.keys.length));
    const pool = new Int32Array(nReference + nCurrent);
    let at = 0;
    for (const side of [counts.reference, counts.current]) {
      for (let k = 0; k < side.length; k++) pool.fill(k, at, (at += side[k]!));
    }
    return { score: permutationPValue(pool, counts.keys.length, nReference, statistic), statistic };
  },
};
