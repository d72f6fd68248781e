/**
 * Column profiles: clean a sample once (drop NaN/±inf or null), sort it, count
 * distinct values. A reference profile is built once at start-up and reused by
 * every window, so a window pays O(n log n) in its own size only.
 */
import type { CategoricalProfile, ColumnProfile, ColumnType, NumericalProfile } from './types.js';
import type { Column } from '../frame.js';
import { sortFloat64 } from '../stats/sort-float64.js';

export function numericalProfile(values: ArrayLike<number>): NumericalProfile {
  let finiteCount = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finiteCount++;
  const sorted = new Float64Array(finiteCount);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) sorted[j++] = v;
  }
  sortFloat64(sorted);
  return profileOfSorted(sorted, values.length - finiteCount);
}

/** Profile of values already finite and ascending (e.g. merged accumulators). */
export function profileOfSorted(sorted: Float64Array, dropped = 0): NumericalProfile {
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = n > 0 ? sum / n : NaN;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i]! - mean;
    squares += d * d;
  }
  let distinctLength = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinctLength++;
  const distinct = new Float64Array(distinctLength);
  const distinctCounts = new Float64Array(distinctLength);
  let k = -1;
  for (let i = 0; i < n; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) distinct[++k] = sorted[i]!;
    distinctCounts[k]! += 1;
  }
  return {
    type: 'numerical',
    sorted,
    count: n,
    mean,
    std: n > 0 ? Math.sqrt(squares / n) : NaN,
    min: n > 0 ? sorted[0]! : NaN,
    max: n > 0 ? sorted[n - 1]! : NaN,
    distinct,
    distinctCounts,
    dropped,
  };
}

export function categoricalProfile(values: ArrayLike<string | number | boolean | null | undefined>): CategoricalProfile {
  const counts = new Map<string, number>();
  let dropped = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) {
      dropped++;
      continue;
    }
    const key = String(v);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const categories = [...counts.keys()].sort();
  const categoryCounts = new Float64Array(categories.length);
  categories.forEach((c, i) => (categoryCounts[i] = counts.get(c)!));
  return { type: 'categorical', count: values.length - dropped, categories, categoryCounts, dropped };
}

/** Profile a frame column as the given drift type. */
export function profileColumn(column: Column, type: ColumnType): ColumnProfile {
  if (type === 'numerical') {
    if (column.kind === 'string') {
      throw new Error('a text column cannot be profiled as numerical');
    }
    return numericalProfile(column.values);
  }
  return categoricalProfile(column.values);
}

/**
 * Category keys and counts of either profile type. Numerical columns with few
 * distinct values are tested as categories by chi-square, z and the binned
 * tests, keyed by the number itself, as pandas' value_counts would.
 */
export function categoryCounts(profile: ColumnProfile): { keys: readonly (string | number)[]; counts: Float64Array } {
  if (profile.type === 'categorical') return { keys: profile.categories, counts: profile.categoryCounts };
  return { keys: Array.from(profile.distinct), counts: profile.distinctCounts };
}

/**
 * Counts of both samples over the union of their keys (ascending), zeros where
 * a side lacks a key. Shared by chi-square, z, PSI, KL, JS, TVD and Hellinger.
 */
export function alignedCounts(reference: ColumnProfile, current: ColumnProfile): {
  keys: (string | number)[];
  reference: Float64Array;
  current: Float64Array;
} {
  const ref = categoryCounts(reference);
  const cur = categoryCounts(current);
  const index = new Map<string | number, number>();
  const keys: (string | number)[] = [];
  for (const k of ref.keys) if (!index.has(k)) { index.set(k, keys.length); keys.push(k); }
  for (const k of cur.keys) if (!index.has(k)) { index.set(k, keys.length); keys.push(k); }
  const order = keys.map((_, i) => i).sort((a, b) => compareKeys(keys[a]!, keys[b]!));
  const sortedKeys = order.map((i) => keys[i]!);
  const position = new Map<string | number, number>();
  sortedKeys.forEach((k, i) => position.set(k, i));
  const refCounts = new Float64Array(sortedKeys.length);
  const curCounts = new Float64Array(sortedKeys.length);
  ref.keys.forEach((k, i) => (refCounts[position.get(k)!] = ref.counts[i]!));
  cur.keys.forEach((k, i) => (curCounts[position.get(k)!] = cur.counts[i]!));
  return { keys: sortedKeys, reference: refCounts, current: curCounts };
}

function compareKeys(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}
