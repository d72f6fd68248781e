/**
 * Distinct values of reference ∪ current, without building the union: the
 * automatic test choice and Hellinger's bin count need only the number, and a
 * reference can hold a million distinct values.
 */
import { lowerBound } from './binning.js';
import type { ColumnProfile, NumericalProfile } from './types.js';

/**
 * How many distinct values ref ∪ cur holds: the reference's, plus the
 * current's it lacks. Both are ascending, so each lookup gallops forward from
 * the previous one (cache-friendly, O(d_cur log gap)): a window never walks the reference.
 */
export function distinctUnionSize(reference: NumericalProfile, current: NumericalProfile): number {
  const known = reference.distinct;
  let size = known.length;
  let from = 0;
  for (const value of current.distinct) {
    let step = 1;
    let to = from;
    while (to < known.length && known[to]! < value) {
      from = to + 1;
      to += step;
      step *= 2;
    }
    const at = from + lowerBound(known.subarray(from, Math.min(to, known.length)), value);
    if (at === known.length || known[at] !== value) size++;
    from = at;
  }
  return size;
}


/**
 * The count, or any number ≥ `atLeast` once the union is known to be that
 * large: the automatic choice only asks "≤ 2, ≤ 5 or more?", and either side
 * alone having 6 distinct values answers it without a lookup.
 */
export function distinctUnionCount(reference: ColumnProfile, current: ColumnProfile, atLeast = Infinity): number {
  const sizes = [reference, current].map((p) => (p.type === 'numerical' ? p.distinct.length : p.categories.length));
  const largest = Math.max(...sizes);
  if (largest >= atLeast) return largest;
  if (reference.type === 'numerical' && current.type === 'numerical') return distinctUnionSize(reference, current);
  const keys = new Set<string>(reference.type === 'categorical' ? reference.categories : Array.from(reference.distinct, String));
  for (const key of current.type === 'categorical' ? current.categories : Array.from(current.distinct, String)) keys.add(key);
  return keys.size;
}
