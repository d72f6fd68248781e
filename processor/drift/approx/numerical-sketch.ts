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
  /** Buckets per sign before the smallest magnitudes collapse; default 4096. */
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
const DEFAULT_BIN_LIMIT = 4096;
const DEFAULT_MAX_EXACT_VALUES = 1024;

type Sketch = LogCollapsingLowestDenseDDSketch;

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
    this.binLimit = options.binLimit ?? DEFAULT_BIN_LIMIT;
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
    const mine = this.sketch!;
    const negative = theirs.negativeStore;
    for (let i = 0; i < negative.bins.length; i++) {
      if (negative.bins[i]! > 0) mine.accept(-theirs.mapping.value(i + negative.offset), negative.bins[i]!);
    }
    if (theirs.zeroCount > 0) mine.accept(0, theirs.zeroCount);
    const positive = theirs.store;
    for (let i = 0; i < positive.bins.length; i++) {
      if (positive.bins[i]! > 0) mine.accept(theirs.mapping.value(i + positive.offset), positive.bins[i]!);
    }
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
