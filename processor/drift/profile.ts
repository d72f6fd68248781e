/**
 * Column profiles: clean a sample once (drop NaN/±inf or null), sort it, count
 * distinct values. A reference profile is built once at start-up and reused by
 * every window, so a window pays O(n log n) in its own size only.
 */
import type { CategoricalProfile, ColumnProfile, ColumnType, NumericalProfile } from './types.js';
import { codeCounts, type Column, type TextCodes } from '../frame.js';
import { sortFloat64 } from '../stats/sort-float64.js';

/**
 * `into`, when given (at least values.length long), holds the profile's sorted
 * values (and distinct values, when all differ) instead of a new buffer: the
 * profile is valid only until `into` is used again.
 */
export function numericalProfile(values: ArrayLike<number>, into?: Float64Array): NumericalProfile {
  const sorted = countedSort(values, into) ?? sortedFinite(values, into);
  return profileOfSorted(sorted, values.length - sorted.length);
}

/** `into`'s first `n` values, or a new buffer of `n`. */
function bufferOf(n: number, into: Float64Array | undefined): Float64Array {
  if (!into) return new Float64Array(n);
  if (into.length < n) throw new Error(`profile buffer of ${into.length} values for ${n}`);
  return into.subarray(0, n);
}

/** The finite values, ascending (the radix sort's scratch is 16 MB a million values). */
function sortedFinite(values: ArrayLike<number>, into: Float64Array | undefined): Float64Array {
  let finiteCount = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i]!)) finiteCount++;
  const sorted = bufferOf(finiteCount, into);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) sorted[j++] = v;
  }
  return sortFloat64(sorted);
}

/** A column with at most this many distinct values is counted, not sorted. */
const MAX_COUNTED_DISTINCT = 1024;
/** Open addressing at most half full. */
const COUNT_SLOTS = MAX_COUNTED_DISTINCT * 2;
const SLOT_SHIFT = 32 - Math.log2(COUNT_SLOTS);
const bits = new Float64Array(1);
const bitWords = new Uint32Array(bits.buffer);

/**
 * The finite values ascending, as sortedFinite gives them, for a column of
 * few distinct values (hours, months, rounded delays): each distinct value
 * counted in a small hash table, the keys sorted, then each written `count`
 * times — no sort buffers. Keys are told apart by their bits, so −0 and +0
 * stay apart and the keys' sort puts −0 first, as the full sort does. Null
 * once the column has more distinct values.
 */
function countedSort(values: ArrayLike<number>, into: Float64Array | undefined): Float64Array | null {
  const keys = new Float64Array(COUNT_SLOTS);
  const counts = new Float64Array(COUNT_SLOTS);
  const used = new Uint8Array(COUNT_SLOTS);
  let distinct = 0;
  let finite = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    finite++;
    bits[0] = v;
    const lo = bitWords[0]!;
    const hi = bitWords[1]!;
    let slot = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> SLOT_SHIFT;
    while (used[slot] && !(keys[slot] === v && (v !== 0 || Object.is(keys[slot], v)))) slot = (slot + 1) & (COUNT_SLOTS - 1);
    if (!used[slot]) {
      if (distinct === MAX_COUNTED_DISTINCT) return null;
      used[slot] = 1;
      keys[slot] = v;
      distinct++;
    }
    counts[slot]! += 1;
  }
  const order = new Float64Array(distinct);
  const countOf = new Map<number, number>();
  let negativeZeros = 0;
  for (let slot = 0, k = 0; slot < COUNT_SLOTS; slot++) {
    if (!used[slot]) continue;
    order[k++] = keys[slot]!;
    // A Map key does not tell −0 from +0.
    if (Object.is(keys[slot], -0)) negativeZeros = counts[slot]!;
    else countOf.set(keys[slot]!, counts[slot]!);
  }
  order.sort();
  const sorted = bufferOf(finite, into);
  let at = 0;
  for (const key of order) {
    const count = Object.is(key, -0) ? negativeZeros : countOf.get(key)!;
    sorted.fill(key, at, at + count);
    at += count;
  }
  return sorted;
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
  // Every value distinct (a continuous column): the distinct values are `sorted` itself, not a second copy (8 MB a million rows).
  const distinct = distinctLength === n ? sorted : new Float64Array(distinctLength);
  if (distinct !== sorted) {
    let k = -1;
    for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct[++k] = sorted[i]!;
  }
  // Built on first read: only tests of columns with few distinct values read the counts, and a continuous column's would be a million ones.
  let distinctCounts: Float64Array | null = null;
  return {
    type: 'numerical',
    sorted,
    count: n,
    mean,
    std: n > 0 ? Math.sqrt(squares / n) : NaN,
    min: n > 0 ? sorted[0]! : NaN,
    max: n > 0 ? sorted[n - 1]! : NaN,
    distinct,
    get distinctCounts(): Float64Array {
      return (distinctCounts ??= runLengths(sorted, distinctLength));
    },
    dropped,
  };
}

/** How many times each distinct value of ascending `sorted` occurs, in order. */
function runLengths(sorted: Float64Array, distinctLength: number): Float64Array {
  const counts = new Float64Array(distinctLength);
  let k = -1;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) k++;
    counts[k]! += 1;
  }
  return counts;
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
  return categoricalOfCounts(counts, dropped);
}

/**
 * The profile categoricalProfile gives the decoded rows, counted on the codes:
 * distinct codes are distinct strings, so the counts per string are the same.
 */
export function codedCategoricalProfile(coded: TextCodes): CategoricalProfile {
  const perCode = codeCounts(coded);
  const counts = new Map<string, number>();
  coded.dictionary.forEach((category, k) => {
    if (perCode[k + 1]! > 0) counts.set(category, perCode[k + 1]!);
  });
  return categoricalOfCounts(counts, perCode[0]!);
}

/** Categories ascending with their counts; `dropped` rows were missing. */
function categoricalOfCounts(counts: ReadonlyMap<string, number>, dropped: number): CategoricalProfile {
  const categories = [...counts.keys()].sort();
  const categoryCounts = new Float64Array(categories.length);
  let count = 0;
  categories.forEach((c, i) => {
    categoryCounts[i] = counts.get(c)!;
    count += categoryCounts[i]!;
  });
  return { type: 'categorical', count, categories, categoryCounts, dropped };
}

/** Profile a frame column as the given drift type; `into` as for numericalProfile. */
export function profileColumn(column: Column, type: ColumnType, into?: Float64Array): ColumnProfile {
  if (type === 'numerical') {
    if (column.kind === 'string') {
      throw new Error('a text column cannot be profiled as numerical');
    }
    return numericalProfile(column.values, into);
  }
  return column.kind === 'string' && column.coded ? codedCategoricalProfile(column.coded) : categoricalProfile(column.values);
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
