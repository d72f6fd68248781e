/**
 * Mean and unbiased variance of a sample with compensated sums, so the
 * numbers agree with numpy's pairwise sums to within an ulp or so.
 */
import { CompensatedSum } from './numeric.js';

export function meanOf(values: ArrayLike<number>): number {
  const sum = new CompensatedSum();
  for (let i = 0; i < values.length; i++) sum.add(values[i]!);
  return sum.value / values.length;
}

/** Sample variance with `ddof` (scipy's _var: mean of squared deviations · n/(n−ddof)). */
export function varianceOf(values: ArrayLike<number>, ddof: number, mean = meanOf(values)): number {
  const sum = new CompensatedSum();
  for (let i = 0; i < values.length; i++) {
    const d = values[i]! - mean;
    sum.add(d * d);
  }
  const n = values.length;
  return (sum.value / n) * (n / (n - ddof));
}
