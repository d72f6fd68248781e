/**
 * The approximate mode of a window's drift: per feature column a
 * NumericalSketch or exact CategoryCounts, filled batch by batch and merged
 * across partitions like the exact accumulator, then tested against the
 * (exact) reference profiles with the same column-drift code as the exact
 * path. Memory per column is a few thousand buckets, whatever the window's size.
 *
 * When to use it (bench/README.md has the measured errors): windows far beyond
 * what the exact accumulator holds comfortably (millions of rows); the
 * distance tests Evidently picks for large references (Wasserstein, Jensen-
 * Shannon, PSI) move by well under their thresholds' resolution. Not for KS/
 * Anderson/CvM p-values on small windows: keep those exact.
 */
import type { Frame } from '../../frame.js';
import { requireColumn } from '../../frame.js';
import { columnDrift, datasetDrift, DEFAULT_DRIFT_SHARE, type DriftOptions } from '../column-drift.js';
import type { ColumnSpec } from '../compare.js';
import type { ColumnProfile, DatasetDriftResult } from '../types.js';
import { NumericalSketch, type NumericalSketchOptions } from './numerical-sketch.js';
import { CategoryCounts, DEFAULT_MAX_PROFILE_ROWS, sketchProfile } from './sketch-profile.js';

export interface WindowSketchOptions extends NumericalSketchOptions {
  /** See sketchProfile: above this many rows a numerical profile is a quantile grid. */
  readonly maxProfileRows?: number;
}

type ColumnSummary = { readonly spec: ColumnSpec; readonly summary: NumericalSketch | CategoryCounts };

export class WindowSketch {
  private readonly columns: ColumnSummary[];

  /**
   * `reference`, when given, centres each numerical sketch on the reference
   * median (see NumericalSketchOptions.center); every instance that merges
   * must be built with the same reference.
   */
  constructor(readonly specs: readonly ColumnSpec[], readonly options: WindowSketchOptions = {}, reference?: ReadonlyMap<string, ColumnProfile>) {
    this.columns = specs.map((spec) => ({
      spec,
      summary: spec.type === 'numerical' ? new NumericalSketch({ ...options, center: options.center ?? medianOf(reference?.get(spec.name)) }) : new CategoryCounts(),
    }));
  }

  add(frame: Frame): void {
    for (const { spec, summary } of this.columns) {
      const column = requireColumn(frame, spec.name, 'the window batch');
      if (summary instanceof NumericalSketch) {
        if (column.kind === 'string') throw new Error(`column "${spec.name}" is text; a numerical column is needed for its sketch`);
        summary.add(column.values);
      } else {
        summary.add(column.values);
      }
    }
  }

  merge(other: WindowSketch): void {
    if (other.columns.length !== this.columns.length || other.columns.some((c, i) => c.spec.name !== this.columns[i]!.spec.name || c.spec.type !== this.columns[i]!.spec.type)) {
      throw new Error('window sketch: cannot merge sketches of different columns');
    }
    this.columns.forEach(({ summary }, i) => {
      const theirs = other.columns[i]!.summary;
      if (summary instanceof NumericalSketch) summary.merge(theirs as NumericalSketch);
      else summary.merge(theirs as CategoryCounts);
    });
  }

  /** The profile of one column, built on demand (numerical ones hold up to maxProfileRows values while alive). */
  profile(name: string): ColumnProfile {
    const column = this.columns.find((c) => c.spec.name === name);
    if (!column) throw new Error(`window sketch: no column "${name}"`);
    return column.summary instanceof NumericalSketch
      ? sketchProfile(column.summary, this.options.maxProfileRows ?? DEFAULT_MAX_PROFILE_ROWS)
      : column.summary.toProfile();
  }

  /** Dataset drift against reference profiles, one column profile alive at a time. */
  drift(reference: ReadonlyMap<string, ColumnProfile>, options: DriftOptions = {}): DatasetDriftResult {
    const results = this.columns.map(({ spec }) => {
      const referenceProfile = reference.get(spec.name);
      if (!referenceProfile) throw new Error(`no reference profile for column "${spec.name}"`);
      return columnDrift(spec.name, spec.type, referenceProfile, this.profile(spec.name), options);
    });
    return datasetDrift(results, options.driftShare ?? DEFAULT_DRIFT_SHARE);
  }

  approximateBytes(): number {
    return this.columns.reduce((sum, { summary }) => sum + (summary instanceof NumericalSketch ? summary.approximateBytes() : 0), 0);
  }
}

/** Median of a numerical reference profile (the lower middle value), 0 when there is none. */
export function medianOf(profile: ColumnProfile | undefined): number {
  if (!profile || profile.type !== 'numerical' || profile.count === 0) return 0;
  return profile.sorted[(profile.count - 1) >> 1]!;
}
