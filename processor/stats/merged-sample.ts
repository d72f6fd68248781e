/**
 * The pooled sample of two sorted samples, as groups of equal values: what
 * rank-based tests (Mann-Whitney, Cramér-von Mises, Anderson-Darling) and
 * ECDF-based tests (KS) need, built by one O(n1 + n2) merge instead of a sort.
 */
import type { NumericalProfile } from '../drift/types.js';

export interface MergedSample {
  /** Distinct values of the pooled sample, ascending. */
  readonly values: Float64Array;
  /** How many of each distinct value come from the first / second sample. */
  readonly countsA: Float64Array;
  readonly countsB: Float64Array;
  readonly sizeA: number;
  readonly sizeB: number;
}

export function mergeSorted(a: Float64Array, b: Float64Array): MergedSample {
  const values: number[] = [];
  const countsA: number[] = [];
  const countsB: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const value = j >= b.length || (i < a.length && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    let countA = 0;
    let countB = 0;
    while (i < a.length && a[i] === value) { i++; countA++; }
    while (j < b.length && b[j] === value) { j++; countB++; }
    values.push(value);
    countsA.push(countA);
    countsB.push(countB);
  }
  return {
    values: Float64Array.from(values),
    countsA: Float64Array.from(countsA),
    countsB: Float64Array.from(countsB),
    sizeA: a.length,
    sizeB: b.length,
  };
}

/** The merged sample of two numerical profiles (reference first). */
export function mergeProfiles(reference: NumericalProfile, current: NumericalProfile): MergedSample {
  return mergeSorted(reference.sorted, current.sorted);
}
