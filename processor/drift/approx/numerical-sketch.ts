/**
 * A mergeable, bounded-memory summary of one numerical column of a window,
 * for windows too large to keep every value (the optional approximate mode).
 *
 * Two regimes, switched once:
 * - exact: while the column has at most `maxExactValues` distinct values
 *   (hour, weekday, month, small integer codes …) it keeps value → count, so
 *   the profile it yields is the exact one, bit for bit;
 * - sketch: past that, every value goes to a DDSketch (Masson, Rim & Lee,
 *   "DDSketch: a fast and fully-mergeable quantile sketch with relative-error
 *   guarantees", VLDB 2019; @datadog/sketches-js), whose buckets hold every
 *   value within a relative error α of the bucket's representative.
 *
 * Why DDSketch rather than a t-digest or KLL: merging two DDSketches adds
 * bucket counts, so the merged state is the same whatever the merge order
 * (DESIGN core idea 2: N instances give the answer of one). A t-digest's
 * centroids and a KLL's compactions depend on insertion and merge order.
 *
 * min, max and the count of dropped values (NaN, ±inf: METRICS-SPEC column
 * cleaning) are exact in both regimes.
 */
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

export interface NumericalSketchOptions {
  /** Relative accuracy α of the sketch's bucket values; default 0.005. */
  readonly relativeAccuracy?: number;
  /**
   * Buckets per sign before the smallest magnitudes collapse; default
   * noCollapseBinLimit(relativeAccuracy), i.e. never: see there why a lower
   * limit is unsafe with @datadog/sketches-js 2.1.1.
   */
  readonly binLimit?: number;
  /** Distinct values kept exactly before switching to the sketch; default 1024. */
  readonly maxExactValues?: number;
  /**
   * The sketch holds value − center, so its relative accuracy applies to the
   * distance from the center. A column far from zero relative to its spread
   * (a load factor in [0.4, 1], a year) needs it: use the reference median.
   * Sketches merge only with the same center. Default 0.
   */
  readonly center?: number;
}

export const DEFAULT_RELATIVE_ACCURACY = 0.005;

/**
 * A bin limit no finite double can reach, so the store never collapses (the
 * default of NumericalSketchOptions.binLimit): in
 * @datadog/sketches-js 2.1.1 the collapsing store's collapse can inflate the
 * lowest bucket's count (found by tests/unit/approx-sketch.test.ts: 3,000
 * values ascending, binLimit 16, left 5,851 in it) and makes the buckets
 * depend on arrival order. The dense store only allocates the keys it has
 * seen, so this costs nothing until values span many orders of magnitude.
 * Keys run from ln(smallest subnormal) to ln(largest double) over ln γ.
 */
export function noCollapseBinLimit(relativeAccuracy: number): number {
  const gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
  return Math.ceil((Math.log(Number.MAX_VALUE) - Math.log(Number.MIN_VALUE)) / Math.log(gamma)) + 256;
}

const DEFAULT_MAX_EXACT_VALUES = 1024;

type Sketch = LogCollapsingLowestDenseDDSketch;

/**
 * Everything a sketch holds, as plain data (for the partials topic). Buckets
 * are (key, count) pairs by ascending key and exact values ascending, so two
 * sketches with the same content have the same parts whatever order their
 * values came in.
 */
export interface NumericalSketchParts {
  readonly relativeAccuracy: number;
  readonly binLimit: number;
  readonly maxExactValues: number;
  readonly center: number;
  readonly count: number;
  readonly dropped: number;
  readonly min: number;
  readonly max: number;
  /** Exact regime: [value, count] ascending; null once sketched. */
  readonly exact: readonly (readonly [number, number])[] | null;
  /** Sketch regime: [key, count] of non-empty buckets, ascending keys, per sign; and the zero bucket. */
  readonly negative: readonly (readonly [number, number])[];
  readonly zero: number;
  readonly positive: readonly (readonly [number, number])[];
}

/** Distinct values ascending with their counts: the shape both regimes turn into. */
export interface WeightedValues {
  readonly values: Float64Array;
  readonly counts: Float64Array;
}

export class NumericalSketch {
  readonly relativeAccuracy: number;
  readonly binLimit: number;
  readonly maxExactValues: number;
  readonly center: number;
  private exact: Map<number, number> | null = new Map();
  private sketch: Sketch | null = null;
  private finiteCount = 0;
  private droppedCount = 0;
  private minimum = Infinity;
  private maximum = -Infinity;

  constructor(options: NumericalSketchOptions = {}) {
    this.relativeAccuracy = options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
    this.binLimit = options.binLimit ?? noCollapseBinLimit(this.relativeAccuracy);
    this.maxExactValues = options.maxExactValues ?? DEFAULT_MAX_EXACT_VALUES;
    this.center = options.center ?? 0;
    if (!Number.isFinite(this.center)) throw new Error(`numerical sketch: center must be finite, got ${this.center}`);
    if (!(this.relativeAccuracy > 0 && this.relativeAccuracy < 1)) {
      throw new Error(`numerical sketch: relativeAccuracy must be in (0, 1), got ${this.relativeAccuracy}`);
    }
    if (!Number.isInteger(this.binLimit) || this.binLimit < 16) throw new Error(`numerical sketch: binLimit must be an integer ≥ 16, got ${this.binLimit}`);
    if (!Number.isInteger(this.maxExactValues) || this.maxExactValues < 0) {
      throw new Error(`numerical sketch: maxExactValues must be a non-negative integer, got ${this.maxExactValues}`);
    }
  }

  /** Finite values seen. */
  get count(): number { return this.finiteCount; }
  /** NaN and ±inf seen (left out, as the exact profile does). */
  get dropped(): number { return this.droppedCount; }
  get min(): number { return this.finiteCount > 0 ? this.minimum : NaN; }
  get max(): number { return this.finiteCount > 0 ? this.maximum : NaN; }
  /** Still exact (few distinct values)? */
  get isExact(): boolean { return this.exact !== null; }

  add(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.addWeighted(values[i]!, 1);
  }

  /** Folds `other` in; `other` is unchanged. Both must have the same settings. */
  merge(other: NumericalSketch): void {
    if (other.relativeAccuracy !== this.relativeAccuracy || other.binLimit !== this.binLimit
      || other.maxExactValues !== this.maxExactValues || other.center !== this.center) {
      throw new Error('numerical sketch: cannot merge sketches with different settings (relativeAccuracy, binLimit, maxExactValues, center)');
    }
    this.droppedCount += other.droppedCount;
    if (other.exact) {
      for (const [value, count] of other.exact) this.addWeighted(value, count);
      return;
    }
    this.toSketch();
    // Bucket by bucket through accept(), not DDSketch.merge: in
    // @datadog/sketches-js 2.1.1 the collapsing store's merge loses buckets
    // when the other store's keys extend this one's range (found by
    // tests/unit/approx-sketch.test.ts). A bucket's representative maps back
    // to the same bucket, so this adds counts exactly as the merge should.
    const theirs = other.sketch!;
    acceptBuckets(this.sketch!, bucketsOf(theirs.negativeStore), theirs.zeroCount, bucketsOf(theirs.store));
    this.finiteCount += other.finiteCount;
    if (other.minimum < this.minimum) this.minimum = other.minimum;
    if (other.maximum > this.maximum) this.maximum = other.maximum;
  }

  /**
   * Distinct values ascending and their counts: the exact ones, or each
   * sketch bucket's representative value (within α of every value in it).
   * Representatives are clamped to the exact [min, max].
   */
  weightedValues(): WeightedValues {
    if (this.exact) {
      const values = Float64Array.from(this.exact.keys()).sort();
      const counts = new Float64Array(values.length);
      for (let i = 0; i < values.length; i++) counts[i] = this.exact.get(values[i]!)!;
      return { values, counts };
    }
    const sketch = this.sketch!;
    const values: number[] = [];
    const counts: number[] = [];
    const push = (deviation: number, count: number): void => {
      if (count <= 0) return;
      values.push(Math.min(this.maximum, Math.max(this.minimum, this.center + deviation)));
      counts.push(count);
    };
    const negative = sketch.negativeStore;
    for (let i = negative.bins.length - 1; i >= 0; i--) push(-sketch.mapping.value(i + negative.offset), negative.bins[i]!);
    push(0, sketch.zeroCount);
    const positive = sketch.store;
    for (let i = 0; i < positive.bins.length; i++) push(sketch.mapping.value(i + positive.offset), positive.bins[i]!);
    return mergeEqualNeighbours(values, counts);
  }

  toParts(): NumericalSketchParts {
    const { relativeAccuracy, binLimit, maxExactValues, center } = this;
    const common = { relativeAccuracy, binLimit, maxExactValues, center, count: this.finiteCount, dropped: this.droppedCount, min: this.minimum, max: this.maximum };
    if (this.exact) {
      const exact = [...this.exact].sort((a, b) => a[0] - b[0]);
      return { ...common, exact, negative: [], zero: 0, positive: [] };
    }
    const sketch = this.sketch!;
    return { ...common, exact: null, negative: bucketsOf(sketch.negativeStore), zero: sketch.zeroCount, positive: bucketsOf(sketch.store) };
  }

  /** The sketch `toParts` described; throws when the parts are inconsistent. */
  static fromParts(parts: NumericalSketchParts): NumericalSketch {
    const sketch = new NumericalSketch(parts);
    if (parts.exact) {
      for (const [value, count] of parts.exact) sketch.addWeighted(value, count);
    } else {
      sketch.toSketch();
      acceptBuckets(sketch.sketch!, parts.negative, parts.zero, parts.positive);
      sketch.finiteCount = parts.count;
    }
    sketch.droppedCount = parts.dropped;
    if (sketch.finiteCount !== parts.count) throw new Error(`numerical sketch: parts hold ${sketch.finiteCount} values but say ${parts.count}`);
    // Taken as written: a -0 minimum survives (the exact map keys it as 0).
    sketch.minimum = parts.min;
    sketch.maximum = parts.max;
    const held = [...parts.negative, ...parts.positive].reduce((sum, [, count]) => sum + count, parts.zero);
    if (!parts.exact && held !== parts.count) throw new Error(`numerical sketch: buckets hold ${held} values but count is ${parts.count}`);
    return sketch;
  }

  /** An independent copy. */
  clone(): NumericalSketch {
    return NumericalSketch.fromParts(this.toParts());
  }

  /** Rough bytes held: the exact map's entries or the sketch's bins. */
  approximateBytes(): number {
    if (this.exact) return this.exact.size * 40;
    return (this.sketch!.store.bins.length + this.sketch!.negativeStore.bins.length) * 8;
  }

  private addWeighted(value: number, weight: number): void {
    if (!Number.isFinite(value)) {
      this.droppedCount += weight;
      return;
    }
    this.finiteCount += weight;
    if (value < this.minimum) this.minimum = value;
    if (value > this.maximum) this.maximum = value;
    if (this.exact) {
      // -0 and +0 are one value, as in a sorted profile's distinct values.
      const key = value === 0 ? 0 : value;
      this.exact.set(key, (this.exact.get(key) ?? 0) + weight);
      if (this.exact.size > this.maxExactValues) this.toSketch();
      return;
    }
    this.sketch!.accept(value - this.center, weight);
  }

  private toSketch(): void {
    if (!this.exact) return;
    const sketch = new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: this.relativeAccuracy, binLimit: this.binLimit });
    for (const [value, count] of this.exact) sketch.accept(value - this.center, count);
    this.exact = null;
    this.sketch = sketch;
  }
}

/** Non-empty buckets of a store as [key, count], ascending keys. */
/** Adds buckets (key, count) to `target`: a bucket's representative maps back to the same bucket, so counts add exactly. */
function acceptBuckets(target: Sketch, negative: readonly (readonly [number, number])[], zero: number, positive: readonly (readonly [number, number])[]): void {
  for (const [key, count] of negative) target.accept(-target.mapping.value(key), count);
  if (zero > 0) target.accept(0, zero);
  for (const [key, count] of positive) target.accept(target.mapping.value(key), count);
}

function bucketsOf(store: { readonly bins: readonly number[]; readonly offset: number }): [number, number][] {
  const buckets: [number, number][] = [];
  for (let i = 0; i < store.bins.length; i++) if (store.bins[i]! > 0) buckets.push([i + store.offset, store.bins[i]!]);
  return buckets;
}

/** Clamping can give two buckets the same representative; they are one value. */
function mergeEqualNeighbours(values: number[], counts: number[]): WeightedValues {
  const outValues: number[] = [];
  const outCounts: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const last = outValues.length - 1;
    if (last >= 0 && outValues[last] === values[i]) outCounts[last]! += counts[i]!;
    else {
      outValues.push(values[i]!);
      outCounts.push(counts[i]!);
    }
  }
  return { values: Float64Array.from(outValues), counts: Float64Array.from(outCounts) };
}
