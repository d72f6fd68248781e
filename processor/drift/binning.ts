/**
 * Evidently's get_binned_data (evidently/legacy/calculations/stattests/utils.py)
 * and the numpy histogram pieces it relies on, replicated bit for bit:
 *
 * - numerical column whose reference has > 20 distinct values: equal-width
 *   bins from np.histogram_bin_edges(ref ∪ cur, bins="sturges"), counted the way
 *   np.histogram counts with explicit edges (searchsorted: bins half-open
 *   [e_i, e_i+1) except the last, which is closed);
 * - otherwise one bin per distinct value of ref ∪ cur;
 * - proportion = count / sample length; optional zero fill per side.
 *
 * The profiles hold sorted samples, so a bin count is two binary searches:
 * a window pays O(k log n) against the reference, never a pass over it.
 */
import { alignedCounts } from './profile.js';
import type { ColumnProfile, NumericalProfile } from './types.js';

/** Evidently switches from per-value bins to histogram bins above this many distinct reference values. */
export const MAX_DISTINCT_FOR_VALUE_BINS = 20;

/**
 * np.histogram_bin_edges(a, bins="sturges") for a sample of `size` values
 * spanning [min, max]: numpy's _get_outer_edges, _hist_bin_sturges
 * (width = ptp / (log2 size + 1)), n = ceil(range / width), then np.linspace.
 *
 * `integerDtype` reproduces numpy's rule for integer arrays (a width below 1
 * becomes 1). A Float64 profile cannot tell an int64 column from a float one,
 * so callers pass false and integer columns are binned as floats.
 */
export function sturgesEdges(min: number, max: number, size: number, integerDtype = false): Float64Array {
  let firstEdge = min;
  let lastEdge = max;
  // numpy expands an empty range to avoid dividing by zero.
  if (firstEdge === lastEdge) {
    firstEdge -= 0.5;
    lastEdge += 0.5;
  }
  // The width comes from the data's own peak-to-peak, not the expanded edges.
  let width = (max - min) / (Math.log2(size) + 1);
  let binCount = 1;
  if (width) {
    if (integerDtype && width < 1) width = 1;
    binCount = Math.ceil((lastEdge - firstEdge) / width);
  }
  const edges = linspace(firstEdge, lastEdge, binCount + 1);
  for (let i = 1; i < edges.length; i++) {
    if (!(edges[i - 1]! < edges[i]!)) {
      throw new Error(`too many bins for data range: cannot create ${binCount} finite-sized bins over [${min}, ${max}]`);
    }
  }
  return edges;
}

/** np.linspace(start, stop, num, endpoint=True) in float64, operation for operation. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  if (div > 0) {
    const step = delta / div;
    // numpy's special case for denormal steps (gh-5437): scale i/div by delta instead.
    for (let i = 0; i < num; i++) out[i] = (step === 0 ? (i / div) * delta : i * step) + start;
    out[num - 1] = stop;
  } else if (num === 1) {
    out[0] = 0 * delta + start;
  }
  return out;
}

/** First index whose value is ≥ x (numpy searchsorted side="left"). */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose value is > x (numpy searchsorted side="right"). */
export function upperBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * np.histogram(sorted, bins=edges)[0]: numpy's _search_sorted_inclusive, so a
 * value on an inner edge goes to the bin on its right and the last bin is
 * closed. Values outside [edges[0], edges[last]] are not counted.
 */
export function histogramCounts(sorted: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const binCount = edges.length - 1;
  const counts = new Float64Array(binCount);
  let previous = lowerBound(sorted, edges[0]!);
  for (let i = 1; i <= binCount; i++) {
    const next = i === binCount ? upperBound(sorted, edges[i]!) : lowerBound(sorted, edges[i]!);
    counts[i - 1] = next - previous;
    previous = next;
  }
  return counts;
}

/** np.histogram(sorted, bins=edges, density=True)[0]: n / diff(edges) / n.sum(). */
export function histogramDensity(sorted: ArrayLike<number>, edges: ArrayLike<number>): Float64Array {
  const counts = histogramCounts(sorted, edges);
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const density = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) density[i] = counts[i]! / (edges[i + 1]! - edges[i]!) / total;
  return density;
}

/** count / sample length, per bin. */
export function proportions(counts: Float64Array, sampleLength: number): Float64Array {
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = counts[i]! / sampleLength;
  return out;
}

/**
 * Evidently's zero fill, one side at a time: empty bins get min(non-zero)/1e6
 * when that minimum is ≤ 1e-4, else 1e-4; the result is not renormalised.
 */
export function fillZeros(shares: Float64Array): Float64Array {
  let smallest = Infinity;
  for (let i = 0; i < shares.length; i++) if (shares[i] !== 0 && shares[i]! < smallest) smallest = shares[i]!;
  const fill = smallest <= 0.0001 ? smallest / 10 ** 6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
}

export interface BinnedShares {
  readonly reference: Float64Array;
  readonly current: Float64Array;
  /** Bin edges when histogram bins were used; undefined for per-value bins. */
  readonly edges?: Float64Array;
}

/** Does Evidently bin this column with a sturges histogram (rather than one bin per value)? */
export function usesHistogramBins(reference: ColumnProfile): reference is NumericalProfile {
  return reference.type === 'numerical' && reference.distinct.length > MAX_DISTINCT_FOR_VALUE_BINS;
}

/**
 * get_binned_data(reference, current, feature_type, n, feel_zeroes): the
 * proportions PSI, KL and Jensen-Shannon compare. Evidently's `n` (30) is
 * unused by its own code, so it is not a parameter here.
 */
export function binnedShares(reference: ColumnProfile, current: ColumnProfile, zeroFill: boolean): BinnedShares {
  let shares: BinnedShares;
  if (usesHistogramBins(reference)) {
    if (current.type !== 'numerical') throw new Error('cannot bin a categorical current sample against a numerical reference');
    const edges = sturgesEdges(
      Math.min(reference.min, current.min),
      Math.max(reference.max, current.max),
      reference.count + current.count,
    );
    shares = {
      reference: proportions(histogramCounts(reference.sorted, edges), reference.count),
      current: proportions(histogramCounts(current.sorted, edges), current.count),
      edges,
    };
  } else {
    const counts = alignedCounts(reference, current);
    shares = {
      reference: proportions(counts.reference, reference.count),
      current: proportions(counts.current, current.count),
    };
  }
  if (!zeroFill) return shares;
  return { ...shares, reference: fillZeros(shares.reference), current: fillZeros(shares.current) };
}
