/**
 * Turning window summaries into the profiles every stat test already takes,
 * so the approximate mode needs no second implementation of any test.
 *
 * Numerical: the sketch's weighted values (exact values, or bucket
 * representatives within α of the values they stand for) expanded into a
 * sorted sample: each value repeated its count times. Count, dropped, min and
 * max are exact; the sample costs 8 bytes a row only while the profile is
 * built and tested, one column at a time, never in the window's state.
 * Above `maxRows` rows it is instead a grid of `maxRows` quantiles (at
 * (i + ½)/maxRows): the distance tests (Wasserstein, PSI, JS …) then see the
 * same distribution, but p-value tests see maxRows rows instead of the
 * window's count, i.e. they are less sensitive (a conservative p-value).
 *
 * Categorical: exact counts, the same CategoricalProfile the exact path builds.
 */
import { profileOfSorted } from '../profile.js';
import type { CategoricalProfile, NumericalProfile } from '../types.js';
import type { NumericalSketch, WeightedValues } from './numerical-sketch.js';

/** Above this many rows a sketch becomes a quantile grid of this size (8 MB). */
export const DEFAULT_MAX_PROFILE_ROWS = 1 << 20;

export function sketchProfile(sketch: NumericalSketch, maxRows = DEFAULT_MAX_PROFILE_ROWS): NumericalProfile {
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new Error(`sketch profile: maxRows must be a positive integer, got ${maxRows}`);
  const weighted = sketch.weightedValues();
  const sorted = sketch.count <= maxRows ? expand(weighted, sketch.count) : quantileGrid(weighted, sketch.count, maxRows);
  const profile = profileOfSorted(sorted, sketch.dropped);
  return { ...profile, min: sketch.min, max: sketch.max };
}

/** Each value `count` times, ascending. */
function expand({ values, counts }: WeightedValues, total: number): Float64Array {
  const sorted = new Float64Array(total);
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    sorted.fill(values[i]!, at, at + counts[i]!);
    at += counts[i]!;
  }
  return sorted;
}

/** The value at rank (i + ½)·total/size for i in [0, size): an evenly weighted sample of the distribution. */
function quantileGrid({ values, counts }: WeightedValues, total: number, size: number): Float64Array {
  const grid = new Float64Array(size);
  let bucket = 0;
  let below = 0; // rows in buckets before `bucket`
  for (let i = 0; i < size; i++) {
    const rank = ((i + 0.5) * total) / size;
    while (bucket < values.length - 1 && below + counts[bucket]! <= rank) {
      below += counts[bucket]!;
      bucket++;
    }
    grid[i] = values[bucket]!;
  }
  return grid;
}

/** Exact category counts of a column, mergeable; a null or non-finite value is dropped. */
export class CategoryCounts {
  private readonly counts = new Map<string, number>();
  private droppedCount = 0;

  get dropped(): number { return this.droppedCount; }

  add(values: ArrayLike<string | number | null | undefined>): void {
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) {
        this.droppedCount++;
        continue;
      }
      const key = String(v);
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    }
  }

  merge(other: CategoryCounts): void {
    this.droppedCount += other.droppedCount;
    for (const [key, count] of other.counts) this.counts.set(key, (this.counts.get(key) ?? 0) + count);
  }

  /** The profile categoricalProfile() builds from the same rows. */
  toProfile(): CategoricalProfile {
    const categories = [...this.counts.keys()].sort();
    const categoryCounts = Float64Array.from(categories, (c) => this.counts.get(c)!);
    let count = 0;
    for (const c of categoryCounts) count += c;
    return { type: 'categorical', count, categories, categoryCounts, dropped: this.droppedCount };
  }
}
